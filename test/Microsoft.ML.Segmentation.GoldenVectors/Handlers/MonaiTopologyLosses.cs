using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// What the clDice, Wasserstein Dice and unified focal handlers share: which callables they claim (so
/// <see cref="MonaiLossHandler"/> leaves them alone), and tensors that a file gives as a <c>generator</c> string.
/// </summary>
internal static partial class MonaiTopologyLosses
{
    /// <summary>Whether one of those handlers claims the file's callable.</summary>
    public static bool Claims(GoldenFile file) => file.IsLibrary("MONAI")
        && (file.Callable.Contains("clDice", StringComparison.Ordinal)
            || file.Callable.Contains("GeneralizedWassersteinDiceLoss", StringComparison.Ordinal)
            || file.Callable.Contains("AsymmetricUnifiedFocalLoss", StringComparison.Ordinal));

    /// <summary>A tensor with its data, or one written as <c>"generator": "ones([…])"</c> (upstream's big all-ones inputs).</summary>
    public static GoldenTensor Tensor(GoldenCase c, string name)
    {
        if (c.Inputs[name] is JsonObject node && node["data"] is null && GoldenValues.String(node["generator"]) is string generator)
        {
            Match ones = OnesPattern().Match(generator);
            if (!ones.Success)
            {
                throw new NotSupportedException($"'{name}': generator '{generator}' is not ones([…]).");
            }

            int[] shape = ones.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var data = new double[count];
            Array.Fill(data, 1.0);
            return new GoldenTensor(name, shape, data, GoldenValues.String(node["semantics"]) ?? string.Empty);
        }

        return c.Tensor(name);
    }

    [GeneratedRegex(@"^\s*ones\(\s*\[([0-9,\s]+)\]\s*\)\s*$")]
    private static partial Regex OnesPattern();
}
