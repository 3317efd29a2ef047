using System.Globalization;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>The result of one case.</summary>
internal enum GoldenStatus
{
    Passed,
    Failed,
    Unsupported,
}

/// <summary>A case's status and a one-line explanation.</summary>
internal sealed record GoldenOutcome(GoldenStatus Status, string Message)
{
    public static GoldenOutcome Unsupported(string reason) => new(GoldenStatus.Unsupported, reason);

    public static GoldenOutcome Failed(string reason) => new(GoldenStatus.Failed, reason);

    /// <summary>
    /// Compares <paramref name="actual"/> with the case's expectation (any nesting, flattened row-major): NaN is required
    /// exactly where the expectation is NaN (written NaN, "nan" or null inside an array), ±∞ exactly where it is ±∞, and a
    /// finite value within the tolerance elsewhere.
    /// </summary>
    public static GoldenOutcome Compare(GoldenCase testCase, params double[] actual)
        => Compare(testCase.Expected, testCase.Tolerance, actual);

    public static GoldenOutcome Compare(JsonNode? expectedNode, GoldenTolerance tolerance, double[] actual)
    {
        if (GoldenValues.IsNull(expectedNode))
        {
            return Failed("the case has no expected value");
        }

        double[] expected = GoldenValues.Flatten(expectedNode);
        if (expected.Length != actual.Length)
        {
            return Failed($"expected {expected.Length} values [{Format(expected)}], computed {actual.Length} [{Format(actual)}]");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            if (!tolerance.Accepts(actual[i], expected[i]))
            {
                string rule = double.IsFinite(expected[i]) && double.IsFinite(actual[i])
                    ? $"atol {tolerance.Absolute}, rtol {tolerance.Relative}"
                    : "NaN and ±∞ must match exactly";
                return Failed($"value {i}: expected {Format(expected[i])}, computed {Format(actual[i])} ({rule}); all: [{Format(actual)}]");
            }
        }

        return new GoldenOutcome(GoldenStatus.Passed, $"[{Format(actual)}]");
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Format(double[] values)
        => values.Length <= 8
            ? string.Join(", ", values.Select(Format))
            : string.Join(", ", values.Take(8).Select(Format)) + $", … ({values.Length} values)";
}
