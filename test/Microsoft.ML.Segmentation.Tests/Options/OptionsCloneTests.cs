using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Tests.Options;

/// <summary>
/// Every options class's <c>Clone()</c>, by reflection over all public settable properties, so that a property added
/// later and forgotten in Clone (or copied shallowly) fails here: the clone holds every value, and changing the clone,
/// its lists or its nested options leaves the original as it was.
/// </summary>
[TestClass]
public sealed class OptionsCloneTests
{
    // Shared on purpose (documented on each Clone): immutable objects and the application's callbacks.
    private static readonly Type[] SharedTypes = [typeof(ISegmentationLoss), typeof(MaskColorTable), typeof(Delegate)];

    [TestMethod]
    [DataRow(typeof(ImageTensorOptions))]
    [DataRow(typeof(MaskOptions))]
    [DataRow(typeof(FocalLossOptions))]
    [DataRow(typeof(BoundaryLossOptions))]
    [DataRow(typeof(BalancedBinaryCrossEntropyLossOptions))]
    [DataRow(typeof(OhemCrossEntropyLossOptions))]
    [DataRow(typeof(HeadOptimizerOptions))]
    [DataRow(typeof(LearningRateSchedule))]
    [DataRow(typeof(HeadTrainingOptions))]
    [DataRow(typeof(OnnxProviderOptions))]
    [DataRow(typeof(OnnxPostProcessingOptions))]
    [DataRow(typeof(OnnxSessionOptions))]
    [DataRow(typeof(Microsoft.ML.Segmentation.Tiling.TilingOptions))]
    public void MutatingTheCloneLeavesTheOriginalUnchanged(Type type)
    {
        object original = Activator.CreateInstance(type)!;
        SetEveryProperty(original, seed: 1);
        string before = Describe(original);

        object clone = Clone(original);
        Assert.AreNotSame(original, clone);
        Assert.AreEqual(before, Describe(clone), $"{type.Name}.Clone() must copy every property.");
        AssertNothingMutableShared(original, clone, type.Name);

        MutateInPlace(clone);
        SetEveryProperty(clone, seed: 2);
        Assert.AreEqual(before, Describe(original), $"Changing a {type.Name} clone changed the original.");
        Assert.AreNotEqual(before, Describe(clone), "The mutation must have changed the clone.");
    }

    private static object Clone(object options)
    {
        MethodInfo? clone = options.GetType().GetMethod("Clone", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        Assert.IsNotNull(clone, $"{options.GetType().Name} has no public Clone().");
        Assert.AreEqual(options.GetType(), clone.ReturnType);
        return clone.Invoke(options, null)!;
    }

    private static IEnumerable<PropertyInfo> Settable(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0);

    private static bool IsShared(Type type) => SharedTypes.Any(s => s.IsAssignableFrom(type));

    private static bool IsOptions(Type type) => type.IsClass && type.Assembly == typeof(OnnxSessionOptions).Assembly && !IsShared(type);

    /// <summary>Sets every property to a value that differs with <paramref name="seed"/> and from the default.</summary>
    private static void SetEveryProperty(object target, int seed)
    {
        foreach (PropertyInfo p in Settable(target.GetType()))
        {
            p.SetValue(target, ValueFor(p.PropertyType, p.GetValue(target), seed));
        }
    }

    private static object? ValueFor(Type type, object? current, int seed)
    {
        Type? nullable = Nullable.GetUnderlyingType(type);
        Type t = nullable ?? type;
        if (t == typeof(bool))
        {
            return current is bool b ? !b : seed % 2 == 0;
        }

        if (t.IsEnum)
        {
            Array values = Enum.GetValues(t);
            foreach (object v in values)
            {
                if (!v.Equals(current))
                {
                    return v;
                }
            }
        }

        if (t == typeof(int)) return (current is int i ? i : 0) + seed + 3;
        if (t == typeof(long)) return (current is long l ? l : 0) + seed + 3;
        if (t == typeof(float)) return (current is float f ? f : 0) * 0.5f + 0.125f * seed + 0.01f;
        if (t == typeof(double)) return (current is double d && !double.IsNaN(d) ? d : 0) * 0.5 + 0.125 * seed + 0.01;
        if (t == typeof(string)) return $"{current}-{seed}";
        if (t == typeof(IReadOnlyList<float>)) return new[] { 0.25f * seed, 0.5f * seed, 0.75f * seed };
        if (t == typeof(IReadOnlyList<double>)) return new[] { 0.25 * seed, 0.5 * seed, 0.75 * seed };
        if (t == typeof(IReadOnlyList<int>)) return new[] { seed, seed + 1 };
        if (t == typeof(IList<int>)) return new List<int> { seed + 1, seed + 2 };
        if (t == typeof(IList<double>)) return new List<double> { 0.125 * seed, 0.5 };
        if (t == typeof(IList<OnnxProviderOptions>)) return new List<OnnxProviderOptions> { OnnxProviderOptions.Cuda(seed), new() { Kind = OnnxExecutionProvider.Cpu, DeviceId = seed } };
        if (t == typeof(ISegmentationLoss)) return new DiceLoss();
        if (t == typeof(MaskColorTable)) return new MaskColorTable(new Dictionary<int, int> { [seed] = 1 });
        if (typeof(Delegate).IsAssignableFrom(t))
        {
            ParameterExpression[] parameters = t.GetMethod("Invoke")!.GetParameters().Select(q => Expression.Parameter(q.ParameterType)).ToArray();
            return Expression.Lambda(t, Expression.Empty(), parameters).Compile();
        }

        if (IsOptions(t))
        {
            object nested = Activator.CreateInstance(t)!;
            SetEveryProperty(nested, seed);
            return nested;
        }

        Assert.Fail($"OptionsCloneTests has no value for a property of type {type}: add one.");
        return null;
    }

    /// <summary>Changes the clone's lists and nested options in place, which a shallow copy would share.</summary>
    private static void MutateInPlace(object target)
    {
        foreach (PropertyInfo p in Settable(target.GetType()))
        {
            object? value = p.GetValue(target);
            switch (value)
            {
                case float[] floats:
                    floats[0] += 1;
                    break;
                case double[] doubles:
                    doubles[0] += 1;
                    break;
                case int[] ints:
                    ints[0] += 1;
                    break;
                case IList<int> ints when !ints.IsReadOnly:
                    ints[0] += 1;
                    ints.Add(7);
                    break;
                case IList<double> values when !values.IsReadOnly:
                    values[0] += 1;
                    values.Add(0.75);
                    break;
                case IList<OnnxProviderOptions> list when !list.IsReadOnly:
                    SetEveryProperty(list[0], seed: 5);
                    list.Add(new OnnxProviderOptions());
                    break;
                case not null when IsOptions(value.GetType()):
                    SetEveryProperty(value, seed: 5);
                    break;
            }
        }
    }

    private static void AssertNothingMutableShared(object original, object clone, string path)
    {
        foreach (PropertyInfo p in Settable(original.GetType()))
        {
            object? a = p.GetValue(original), b = p.GetValue(clone);
            if (a is null || a is string || a.GetType().IsValueType)
            {
                continue;
            }

            if (IsShared(a.GetType()))
            {
                Assert.AreSame(a, b, $"{path}.{p.Name} is documented as shared.");
                continue;
            }

            Assert.AreNotSame(a, b, $"{path}.{p.Name} is shared between the original and its clone.");
            if (a is IEnumerable items && b is IEnumerable copies)
            {
                foreach ((object? x, object? y) in items.Cast<object?>().Zip(copies.Cast<object?>()))
                {
                    if (x is not null && IsOptions(x.GetType()))
                    {
                        Assert.AreNotSame(x, y, $"An entry of {path}.{p.Name} is shared between the original and its clone.");
                    }
                }
            }
            else if (IsOptions(a.GetType()))
            {
                AssertNothingMutableShared(a, b!, $"{path}.{p.Name}");
            }
        }
    }

    /// <summary>Every property's value, recursively through lists and nested options; delegates and shared objects by identity.</summary>
    internal static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        Delegate or ISegmentationLoss or MaskColorTable => $"{value.GetType().Name}#{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value)}",
        IFormattable f when value.GetType().IsValueType => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Describe)) + "]",
        _ when IsOptions(value.GetType()) => "{" + string.Join(", ", Settable(value.GetType()).Select(p => $"{p.Name}={Describe(p.GetValue(value))}")) + "}",
        _ => value.ToString() ?? "",
    };
}
