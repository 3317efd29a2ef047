using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// Kervadec et al.'s reference code (LIVIAETS/boundary-loss) through <see cref="Kervadec.SurfaceLoss"/>: the loss itself,
/// and its distance maps (<c>one_hot2dist</c>) read back with <see cref="BoundaryLoss.DistanceMaps{T}"/> of a preset that
/// keeps every class. The upstream <c>TestDistMap</c> cases check sums, extremes and counts of the maps; each is evaluated here.
/// </summary>
internal sealed partial class KervadecBoundaryLossHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("boundary-loss") || file.IsLibrary("Kervadec");

    public GoldenOutcome Run(GoldenCase c)
    {
        if (c.Api.StartsWith("SurfaceLoss", StringComparison.Ordinal))
        {
            return Surface(c);
        }

        if (c.HasInput("seg"))
        {
            // one_hot2dist(seg, resolution, dtype): seg is the one-hot [K, H, W]; float32 output is not truncated.
            GoldenTensor seg = c.Tensor("seg");
            var shape = new SegmentationShape(1, seg.Dim(0), seg.Dim(1), seg.Dim(2));
            double[] maps = Maps(c, shape).DistanceMaps(shape, SegmentationTarget<double>.FromDense(seg.Data));
            return GoldenOutcome.Compare(c, maps);
        }

        // one_hot2dist(class2one_hot(a, K=2)[0]) with a from the case's generator; int32 (truncated) maps.
        string generator = GoldenValues.String(c.Inputs["a"]?["generator"]) ?? throw new InvalidDataException("input 'a' has no generator");
        GoldenTensor a = NumpyProgram.Run("a = " + Comment().Replace(generator, string.Empty))["a"];
        var labelShape = new SegmentationShape(1, 2, a.Dim(1), a.Dim(2));
        int[] labels = a.Data.Select(v => (int)v).ToArray();
        double[] res = Maps(c, labelShape).DistanceMaps(labelShape, SegmentationTarget<double>.FromLabels(labels));
        return Expressions(c, res, labels, labelShape);
    }

    private static GoldenOutcome Surface(GoldenCase c)
    {
        int[] idc = (c.Numbers("idc") ?? throw new InvalidDataException("idc is required")).Select(v => (int)v).ToArray();
        var loss = (BoundaryLoss)Kervadec.SurfaceLoss(idc);
        GoldenTensor probs = c.Tensor("probs");
        var shape = new SegmentationShape(probs.Dim(0), probs.Dim(1), probs.Dim(2), probs.Dim(3));
        int[] labels = c.Tensor("label").Data.Select(v => (int)v).ToArray();
        SegmentationTarget<double> target = SegmentationTarget<double>.FromLabels(labels);

        // The case also gives the dataloader's maps: ours for the idc channels must be the same.
        double[] given = c.Tensor("dist_maps").Data;
        double[] ours = loss.DistanceMaps(shape, target);
        int s = shape.PixelsPerImage;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int j = 0; j < idc.Length; j++)
            {
                for (int i = 0; i < s; i++)
                {
                    double expected = given[(((n * shape.Classes) + idc[j]) * s) + i], actual = ours[(((n * idc.Length) + j) * s) + i];
                    if (expected != actual)
                    {
                        return GoldenOutcome.Failed($"dist_maps[{n}, {idc[j]}, pixel {i}]: given {expected}, computed {actual}");
                    }
                }
            }
        }

        return GoldenOutcome.Compare(c, loss.Compute<double>(probs.Data, shape, target));
    }

    /// <summary>A preset keeping every class, so its maps are one_hot2dist's <c>[K, H, W]</c>.</summary>
    private static BoundaryLoss Maps(GoldenCase c, SegmentationShape shape)
    {
        bool int32 = c.Params["dtype"] is null || GoldenValues.IsNull(c.Params["dtype"]) || c.Text("dtype") == "int32";
        return (BoundaryLoss)Kervadec.SurfaceLoss(Enumerable.Range(0, shape.Classes).ToArray(), c.Numbers("resolution"), int32);
    }

    /// <summary>Evaluates the upstream test's expressions on res <c>[K, H, W]</c> (o is the one-hot of the labels).</summary>
    private static GoldenOutcome Expressions(GoldenCase c, double[] res, int[] labels, SegmentationShape shape)
    {
        if (c.Expected is not JsonObject expected)
        {
            return GoldenOutcome.Failed("the case has no expected object");
        }

        int s = shape.PixelsPerImage;
        double[] Row(int k) => res.Skip(k * s).Take(s).ToArray();
        foreach ((string expression, JsonNode? value) in expected)
        {
            double[] actual;
            Match count = CountExpression().Match(expression);
            Match reduce = ReduceExpression().Match(expression);
            Match arg = ArgExpression().Match(expression);
            if (expression == "res.shape")
            {
                actual = [shape.Classes, shape.Height, shape.Width];
            }
            else if (expression == "((res <= 0) * res).sum()")
            {
                actual = [res.Where(v => v <= 0).Sum()];
            }
            else if (expression == "((res <= 0) * res).sum() == (o * res).sum()")
            {
                double inside = Enumerable.Range(0, res.Length).Where(e => labels[e % s] == e / s).Sum(e => res[e]);
                actual = [res.Where(v => v <= 0).Sum() == inside ? 1 : 0];
            }
            else if (count.Success)
            {
                double bound = double.Parse(count.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
                Func<double, bool> test = count.Groups[2].Value switch
                {
                    "<=" => v => v <= bound,
                    ">" => v => v > bound,
                    "<" => v => v < bound,
                    ">=" => v => v >= bound,
                    _ => v => v == bound,
                };
                actual = [Row(int.Parse(count.Groups[1].Value)).Count(test)];
            }
            else if (reduce.Success)
            {
                double[] row = Row(int.Parse(reduce.Groups[1].Value));
                actual = [reduce.Groups[2].Value switch { "sum" => row.Sum(), "min" => row.Min(), _ => row.Max() }];
            }
            else if (arg.Success)
            {
                double[] row = Row(int.Parse(arg.Groups[1].Value));
                double best = arg.Groups[2].Value == "argmax" ? row.Max() : row.Min();
                int at = Array.IndexOf(row, best); // numpy: the first occurrence
                actual = [at / shape.Width, at % shape.Width];
            }
            else
            {
                throw new NotSupportedException($"expression '{expression}' is not mapped");
            }

            GoldenOutcome part = GoldenOutcome.Compare(value, c.Tolerance, actual);
            if (part.Status != GoldenStatus.Passed)
            {
                return GoldenOutcome.Failed($"{expression}: {part.Message}");
            }
        }

        return new GoldenOutcome(GoldenStatus.Passed, $"{expected.Count} expressions hold");
    }

    [GeneratedRegex(@"\s*\([a-z ]+\)\s*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^\(res\[(\d+)\]\s*(<=|>=|==|<|>)\s*(-?[\d.]+)\)\.sum\(\)$")]
    private static partial Regex CountExpression();

    [GeneratedRegex(@"^res\[(\d+)\]\.(sum|min|max)\(\)$")]
    private static partial Regex ReduceExpression();

    [GeneratedRegex(@"^unravel\(res\[(\d+)\]\.(argmax|argmin)\(\)\)$")]
    private static partial Regex ArgExpression();
}
