using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers.SlidingWindow;

/// <summary>
/// Inputs and expectations of the sliding-window file: written out as data, or (for big tensors) as the exact
/// generator strings the file uses — <c>arange(n, …).reshape(…)</c>, <c>ones(…)</c>, <c>randint(lo, hi, size=…)</c> for
/// inputs, and <c>[a *] (inputs | ones(…)) [+ b]</c> for expectations.
/// </summary>
internal static partial class SlidingWindowValues
{
    /// <summary>The input tensor: its data when given, else its generator (randint is seeded here: any integers do).</summary>
    public static (int[] Shape, float[] Values) Input(JsonNode? node)
    {
        if (node is not JsonObject obj || obj["shape"] is not JsonArray shapeNode)
        {
            throw new InvalidDataException("The sliding-window input needs a shape.");
        }

        int[] shape = shapeNode.Select(d => (int)GoldenValues.Number(d)).ToArray();
        int count = shape.Aggregate(1, (n, d) => checked(n * d));
        if (obj["data"] is JsonNode data)
        {
            double[] values = GoldenValues.Flatten(data);
            if (values.Length != count)
            {
                throw new InvalidDataException($"Input data has {values.Length} values; shape [{string.Join(", ", shape)}] needs {count}.");
            }

            return (shape, values.Select(v => (float)v).ToArray());
        }

        string generator = GoldenValues.String(obj["generator"]) ?? throw new InvalidDataException("The input has neither data nor a generator.");
        if (generator.StartsWith("arange(", StringComparison.Ordinal))
        {
            return (shape, Enumerable.Range(0, count).Select(i => (float)i).ToArray());
        }

        if (generator.StartsWith("ones(", StringComparison.Ordinal))
        {
            return (shape, Enumerable.Repeat(1f, count).ToArray());
        }

        Match randint = RandintPattern().Match(generator);
        if (randint.Success)
        {
            int low = int.Parse(randint.Groups["low"].Value, CultureInfo.InvariantCulture);
            int high = int.Parse(randint.Groups["high"].Value, CultureInfo.InvariantCulture);
            var random = new Random(count);
            return (shape, Enumerable.Range(0, count).Select(_ => (float)random.Next(low, high)).ToArray());
        }

        throw new NotSupportedException($"Input generator '{generator}' is not one the runner reads.");
    }

    /// <summary>One expected output: nested arrays, <c>{data}</c>, or <c>{generator, shape}</c> over the input.</summary>
    public static double[] Expected(JsonNode? node, int[] inputShape, float[] input)
    {
        if (node is JsonArray)
        {
            return GoldenValues.Flatten(node);
        }

        if (node is not JsonObject obj)
        {
            throw new InvalidDataException("The case has no expected value.");
        }

        if (obj["data"] is JsonNode data)
        {
            return GoldenValues.Flatten(data);
        }

        string generator = GoldenValues.String(obj["generator"]) ?? throw new InvalidDataException("The expectation has neither data nor a generator.");
        Match m = ExpectedPattern().Match(generator);
        if (!m.Success)
        {
            throw new NotSupportedException($"Expected generator '{generator}' is not one the runner reads.");
        }

        double scale = m.Groups["scale"].Success ? double.Parse(m.Groups["scale"].Value, CultureInfo.InvariantCulture) : 1;
        double offset = m.Groups["offset"].Success ? double.Parse(m.Groups["offset"].Value, CultureInfo.InvariantCulture) : 0;
        if (m.Groups["base"].Value == "inputs")
        {
            return input.Select(v => (scale * v) + offset).ToArray();
        }

        int[] shape = obj["shape"] is JsonArray s ? s.Select(d => (int)GoldenValues.Number(d)).ToArray() : inputShape;
        int count = shape.Aggregate(1, (n, d) => checked(n * d));
        return Enumerable.Repeat(scale + offset, count).ToArray();
    }

    /// <summary>|actual − expected| within the tolerance everywhere; the message names the worst value.</summary>
    public static GoldenOutcome Compare(string what, double[] expected, double[] actual, GoldenTolerance tolerance)
    {
        if (expected.Length != actual.Length)
        {
            return GoldenOutcome.Failed($"{what}: expected {expected.Length} values, computed {actual.Length}");
        }

        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            if (!tolerance.Accepts(actual[i], expected[i]))
            {
                return GoldenOutcome.Failed(
                    $"{what}: value {i} expected {expected[i].ToString("G9", CultureInfo.InvariantCulture)}, computed {actual[i].ToString("G9", CultureInfo.InvariantCulture)} (atol {tolerance.Absolute}, rtol {tolerance.Relative})");
            }

            if (diff > worst)
            {
                worst = diff;
                worstAt = i;
            }
        }

        return new GoldenOutcome(GoldenStatus.Passed, $"{what}: {expected.Length} values, max |diff| {worst.ToString("G3", CultureInfo.InvariantCulture)}{(worstAt >= 0 ? $" at {worstAt}" : string.Empty)}");
    }

    [GeneratedRegex(@"^randint\((?<low>-?\d+),\s*(?<high>-?\d+),\s*size=")]
    private static partial Regex RandintPattern();

    // "inputs + 1  (= …)", "2 * inputs; …", "ones(shape) + 1", "ones([1,6,20,20]) + 1 (= …)".
    [GeneratedRegex(@"^\s*(?:(?<scale>\d+(?:\.\d+)?)\s*\*\s*)?(?<base>inputs|ones\([^)]*\))(?:\s*\+\s*(?<offset>\d+(?:\.\d+)?))?")]
    private static partial Regex ExpectedPattern();
}
