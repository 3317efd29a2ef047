using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Evaluation;

/// <summary>
/// <see cref="SegmentationEvaluatorOptions.Clone"/> and <see cref="BoundaryMetricOptions.Clone"/> are deep: found by
/// reflection over every public settable property, so a property added later and forgotten in Clone (or of a type
/// this test does not know) fails here.
/// </summary>
[TestClass]
public sealed class EvaluatorOptionsCloneTests
{
    [TestMethod]
    public void EvaluatorOptionsCloneIsDeep() => AssertCloneIsDeep<SegmentationEvaluatorOptions>(o => o.Clone());

    [TestMethod]
    public void BoundaryMetricOptionsCloneIsDeep() => AssertCloneIsDeep<BoundaryMetricOptions>(o => o.Clone());

    [TestMethod]
    public void CalibrationOptionsCloneIsDeep() => AssertCloneIsDeep<CalibrationOptions>(o => o.Clone());

    [TestMethod]
    public void CloneKeepsNullBoundaryMetricsNull()
    {
        Assert.IsNull(new SegmentationEvaluatorOptions().Clone().BoundaryMetrics);
        Assert.IsNull(new BoundaryMetricOptions().Clone().Spacing);
    }

    private static void AssertCloneIsDeep<T>(Func<T, T> clone)
        where T : class, new()
    {
        PropertyInfo[] properties = Settable(typeof(T));
        Assert.IsTrue(properties.Length > 0);
        foreach (PropertyInfo property in properties)
        {
            T original = Filled(new T(), 1);
            string before = Describe(original);
            T copy = clone(original);
            Assert.AreEqual(before, Describe(copy), "a clone equals its original");

            // Replacing a value on the clone leaves the original as it was.
            property.SetValue(copy, Sample(property.PropertyType, 2));
            Assert.AreEqual(before, Describe(original), $"setting {typeof(T).Name}.{property.Name} on a clone changed the original");

            // Changing a value in place (an array element, a nested options object) does too.
            T other = clone(original);
            Mutate(property.GetValue(other));
            Assert.AreEqual(before, Describe(original), $"changing {typeof(T).Name}.{property.Name} of a clone in place changed the original: it is shared");
        }
    }

    private static PropertyInfo[] Settable(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.SetMethod is { IsPublic: true }).ToArray();

    private static T Filled<T>(T target, int variant)
        where T : class
    {
        foreach (PropertyInfo property in Settable(target.GetType()))
        {
            property.SetValue(target, Sample(property.PropertyType, variant));
        }

        return target;
    }

    /// <summary>A non-null value of <paramref name="type"/>; variants 1 and 2 differ.</summary>
    private static object Sample(Type type, int variant)
    {
        Type core = Nullable.GetUnderlyingType(type) ?? type;
        if (core == typeof(int))
        {
            return 250 + variant;
        }

        if (core == typeof(double))
        {
            return 2.5 + variant;
        }

        if (core == typeof(bool))
        {
            return variant == 1;
        }

        if (core.IsEnum)
        {
            Array values = Enum.GetValues(core);
            return values.GetValue(variant % values.Length)!;
        }

        if (core == typeof(IReadOnlyList<string>))
        {
            return new[] { $"class{variant}", "other" };
        }

        if (core == typeof(double[]))
        {
            return new[] { 1.0 + variant, 2.0 };
        }

        if (core == typeof(BoundaryMetricOptions))
        {
            return Filled(new BoundaryMetricOptions(), variant);
        }

        if (core == typeof(string))
        {
            return $"column{variant}";
        }

        if (core == typeof(CalibrationOptions))
        {
            return Filled(new CalibrationOptions(), variant);
        }

        throw new AssertFailedException($"A settable property of type {type} is new to this test: teach Sample (and Mutate) about it, and make Clone copy it deeply if it is mutable.");
    }

    private static void Mutate(object? value)
    {
        switch (value)
        {
            case double[] numbers:
                numbers[0] += 100;
                break;
            case string[] names:
                names[0] = "changed";
                break;
            case BoundaryMetricOptions or CalibrationOptions:
                object options = value;
                foreach (PropertyInfo property in Settable(options.GetType()))
                {
                    Mutate(property.GetValue(options));
                    property.SetValue(options, Sample(property.PropertyType, 2));
                }

                break;
        }
    }

    /// <summary>Every settable property's value, nested ones and list elements included.</summary>
    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Describe)) + "]",
        _ when Settable(value.GetType()).Length > 0 => "{" + string.Join("; ", Settable(value.GetType()).Select(p => $"{p.Name}={Describe(p.GetValue(value))}")) + "}",
        _ => value.ToString() ?? "null",
    };
}
