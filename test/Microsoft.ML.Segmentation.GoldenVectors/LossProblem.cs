using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>
/// A loss case turned into this project's terms: scores in NCHW with their shape, and a label map or dense target.
/// Golden tensors of any rank map onto NCHW as [d0, d1, 1, d2·d3·…] (rank ≥ 2) or [1, 1, 1, d0] (rank 1).
/// </summary>
internal sealed record LossProblem(double[] Input, SegmentationShape Shape, int[]? Labels, int? IgnoreIndex, double[]? Dense)
{
    public SegmentationTarget<double> Target() => Labels is not null
        ? SegmentationTarget<double>.FromLabels(Labels, IgnoreIndex)
        : SegmentationTarget<double>.FromDense(Dense);

    public double Compute(ISegmentationLoss loss) => loss.Compute<double>(Input, Shape, Target());

    public static SegmentationShape ShapeOf(GoldenTensor scores)
    {
        int[] d = scores.Shape;
        return d.Length switch
        {
            0 => new SegmentationShape(1, 1, 1, 1),
            1 => new SegmentationShape(1, 1, 1, d[0]),
            _ => new SegmentationShape(d[0], d[1], 1, d.Skip(2).Aggregate(1, (a, b) => a * b)),
        };
    }

    /// <summary>Scores with a label map: the target holds one class index per pixel (any leading singleton channel axis is dropped).</summary>
    public static LossProblem WithLabels(GoldenTensor scores, GoldenTensor labels, int? ignoreIndex)
    {
        SegmentationShape shape = ShapeOf(scores);
        if (labels.Data.Length != shape.PixelCount)
        {
            throw new InvalidDataException($"'{labels.Name}' has {labels.Data.Length} labels; scores {shape} need {shape.PixelCount}.");
        }

        return new LossProblem(scores.Data, shape, labels.Data.Select(v => (int)v).ToArray(), ignoreIndex, null);
    }

    /// <summary>Scores with a dense target of the same element count; elements equal to <paramref name="ignoreValue"/> become NaN (ignored).</summary>
    public static LossProblem WithDense(GoldenTensor scores, GoldenTensor target, double? ignoreValue = null, SegmentationShape? shape = null)
    {
        SegmentationShape s = shape ?? ShapeOf(scores);
        if (target.Data.Length != s.ElementCount)
        {
            throw new InvalidDataException($"'{target.Name}' has {target.Data.Length} values; scores {s} need {s.ElementCount}.");
        }

        double[] dense = target.Data.Select(v => ignoreValue is double i && v == i ? double.NaN : v).ToArray();
        return new LossProblem(scores.Data, s, null, null, dense);
    }

    /// <summary>The same problem with every tensor seen as one region: [1, 1, 1, all elements].</summary>
    public LossProblem Flattened() => this with { Shape = new SegmentationShape(1, 1, 1, Shape.ElementCount) };

    /// <summary>The problem without channel 0 (MONAI drops the background before some losses see the tensors).</summary>
    public LossProblem WithoutBackground()
    {
        int n = Shape.Batch, c = Shape.Classes, s = Shape.PixelsPerImage;
        var shape = Shape.WithClasses(c - 1);
        double[] Drop(double[] x) => Enumerable.Range(0, n).SelectMany(b => x.Skip(((b * c) + 1) * s).Take((c - 1) * s)).ToArray();
        if (Labels is not null)
        {
            // Channel k of the new tensor is class k + 1; background pixels have no class left.
            return new LossProblem(Drop(Input), shape, null, null, OneHot(shape, Labels, IgnoreIndex, offset: 1));
        }

        return new LossProblem(Drop(Input), shape, null, null, Drop(Dense!));
    }

    /// <summary>A dense one-hot of a label map; ignored pixels become NaN, or all-zero rows when <paramref name="ignoredAsZero"/>.</summary>
    public static double[] OneHot(SegmentationShape shape, int[] labels, int? ignore, int offset = 0, bool ignoredAsZero = false)
    {
        int c = shape.Classes, s = shape.PixelsPerImage;
        var dense = new double[shape.ElementCount];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                int label = labels[(n * s) + i];
                for (int k = 0; k < c; k++)
                {
                    dense[(((n * c) + k) * s) + i] = label == ignore ? (ignoredAsZero ? 0 : double.NaN) : (label == k + offset ? 1 : 0);
                }
            }
        }

        return dense;
    }

    /// <summary>Applies MONAI's <c>other_act</c> names to the scores (the loss then sees them as they are).</summary>
    public LossProblem WithOtherActivation(string name)
    {
        double[] x = (double[])Input.Clone();
        switch (name)
        {
            case "tanh":
                for (int i = 0; i < x.Length; i++)
                {
                    x[i] = Math.Tanh(x[i]);
                }

                break;
            case "log_softmax_dim1":
                var logp = new double[x.Length];
                ActivationKernels.LogSoftmax<double>(x, Shape, logp);
                x = logp;
                break;
            default:
                throw new NotSupportedException($"other_act '{name}' is not mapped.");
        }

        return this with { Input = x };
    }
}
