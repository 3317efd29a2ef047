using System.Text.Json.Nodes;

namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>|actual − expected| ≤ atol + rtol·|expected|, as numpy.allclose and torch.allclose define it.</summary>
internal sealed record GoldenTolerance(double Absolute, double Relative)
{
    public static readonly GoldenTolerance Default = new(1e-6, 1e-5);

    public static GoldenTolerance From(JsonNode? node, GoldenTolerance fallback)
    {
        if (node is not JsonObject obj)
        {
            return fallback;
        }

        double atol = obj["atol"] is JsonNode a ? GoldenValues.Number(a) : (obj["rtol"] is null ? fallback.Absolute : 0);
        double rtol = obj["rtol"] is JsonNode r ? GoldenValues.Number(r) : (obj["atol"] is null ? fallback.Relative : 0);
        return new GoldenTolerance(atol, rtol);
    }

    public bool Accepts(double actual, double expected)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual);
        }

        if (double.IsInfinity(expected) || double.IsInfinity(actual))
        {
            return expected == actual;
        }

        return Math.Abs(actual - expected) <= Absolute + (Relative * Math.Abs(expected));
    }
}
