using System;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Soft skeletonisation by iterated min/max pooling (Shit et al. 2021, clDice), as MONAI's <c>soft_skel</c>: soft
/// erosion is the minimum of 1-D three-wide min-pools along each axis (a cross), soft dilation a 3×…×3 max-pool, both
/// ignoring the outside of the image (PyTorch pads max-pools with −∞), and
/// <c>skel = relu(x − open(x))</c>, then <c>iterations</c> times: <c>x = erode(x); δ = relu(x − open(x));
/// skel += relu(δ − skel·δ)</c>, with <c>open = dilate ∘ erode</c>.
/// </summary>
/// <remarks>
/// Every pooled value is one input value, so the map is piecewise linear: <see cref="Skeletonize"/> with a
/// <see cref="SoftSkeletonTape"/> records which input each pool picked, and <see cref="Backward"/> routes a gradient
/// back along those picks (the subgradient at ties, where two different inputs hold the same value; a ReLU at 0
/// passes nothing, as PyTorch's does).
/// </remarks>
internal static class SoftSkeleton
{
    /// <summary>Soft erosion of <paramref name="x"/> (row-major over <paramref name="axes"/>) into <paramref name="y"/>; <paramref name="source"/> receives the index picked per element.</summary>
    public static void Erode(ReadOnlySpan<double> x, ReadOnlySpan<int> axes, Span<double> y, Span<int> source)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = double.PositiveInfinity;
            source[i] = i;
        }

        int stride = x.Length;
        for (int a = 0; a < axes.Length; a++)
        {
            int size = axes[a];
            stride /= size;
            for (int i = 0; i < x.Length; i++)
            {
                int coordinate = (i / stride) % size;
                int from = coordinate > 0 ? -1 : 0;
                int to = coordinate < size - 1 ? 1 : 0;
                for (int step = from; step <= to; step++)
                {
                    int j = i + (step * stride);
                    if (x[j] < y[i])
                    {
                        y[i] = x[j];
                        source[i] = j;
                    }
                }
            }
        }
    }

    /// <summary>Soft dilation (a 3×…×3 max-pool, separable along the axes); <paramref name="source"/> receives the index picked per element.</summary>
    public static void Dilate(ReadOnlySpan<double> x, ReadOnlySpan<int> axes, Span<double> y, Span<int> source)
    {
        double[] values = x.ToArray();
        int[] picks = new int[x.Length];
        for (int i = 0; i < picks.Length; i++)
        {
            picks[i] = i;
        }

        int stride = x.Length;
        for (int a = 0; a < axes.Length; a++)
        {
            int size = axes[a];
            stride /= size;
            for (int i = 0; i < x.Length; i++)
            {
                int coordinate = (i / stride) % size;
                int from = coordinate > 0 ? -1 : 0;
                int to = coordinate < size - 1 ? 1 : 0;
                double best = double.NegativeInfinity;
                int pick = i;
                for (int step = from; step <= to; step++)
                {
                    int j = i + (step * stride);
                    if (values[j] > best)
                    {
                        best = values[j];
                        pick = picks[j];
                    }
                }

                y[i] = best;
                source[i] = pick;
            }

            // The next axis pools this axis's result.
            y.CopyTo(values);
            source.CopyTo(picks);
        }
    }

    /// <summary>The soft skeleton of <paramref name="x"/>; with a <paramref name="tape"/>, records what <see cref="Backward"/> needs.</summary>
    public static double[] Skeletonize(ReadOnlySpan<double> x, ReadOnlySpan<int> axes, int iterations, SoftSkeletonTape? tape = null)
    {
        if (tape is null)
        {
            return SkeletonizeInPlace(x, axes, iterations);
        }

        int s = x.Length;
        var images = new double[iterations + 2][];
        var erodePicks = new int[iterations + 1][];
        var opened = new double[iterations + 1][];
        var dilatePicks = new int[iterations + 1][];
        var skeletons = new double[iterations + 1][];
        var deltas = new double[iterations + 1][];
        images[0] = x.ToArray();
        for (int k = 0; k <= iterations; k++)
        {
            images[k + 1] = new double[s];
            erodePicks[k] = new int[s];
            Erode(images[k], axes, images[k + 1], erodePicks[k]);
            opened[k] = new double[s];
            dilatePicks[k] = new int[s];
            Dilate(images[k + 1], axes, opened[k], dilatePicks[k]);
            deltas[k] = new double[s];
            skeletons[k] = new double[s];
            for (int i = 0; i < s; i++)
            {
                double delta = Math.Max(images[k][i] - opened[k][i], 0);
                deltas[k][i] = delta;
                skeletons[k][i] = k == 0 ? delta : skeletons[k - 1][i] + Math.Max(delta - (skeletons[k - 1][i] * delta), 0);
            }
        }

        if (tape is not null)
        {
            tape.Axes = axes.ToArray();
            tape.Images = images;
            tape.ErodePicks = erodePicks;
            tape.Opened = opened;
            tape.DilatePicks = dilatePicks;
            tape.Skeletons = skeletons;
            tape.Deltas = deltas;
        }

        return skeletons[iterations];
    }

    /// <summary>The value alone: the same steps as the taped pass, keeping only the current image (no history).</summary>
    private static double[] SkeletonizeInPlace(ReadOnlySpan<double> x, ReadOnlySpan<int> axes, int iterations)
    {
        int s = x.Length;
        double[] image = x.ToArray();
        var next = new double[s];
        var opened = new double[s];
        var picks = new int[s];
        var skeleton = new double[s];
        for (int k = 0; k <= iterations; k++)
        {
            Erode(image, axes, next, picks);
            Dilate(next, axes, opened, picks);
            for (int i = 0; i < s; i++)
            {
                double delta = Math.Max(image[i] - opened[i], 0);
                skeleton[i] = k == 0 ? delta : skeleton[i] + Math.Max(delta - (skeleton[i] * delta), 0);
            }

            (image, next) = (next, image);
        }

        return skeleton;
    }

    /// <summary>∂L/∂x from ∂L/∂skeleton, along the picks <paramref name="tape"/> recorded.</summary>
    public static void Backward(SoftSkeletonTape tape, ReadOnlySpan<double> skeletonGradient, Span<double> inputGradient)
    {
        int iterations = tape.Deltas.Length - 1;
        int s = skeletonGradient.Length;
        var imageGradients = new double[iterations + 2][];
        for (int k = 0; k < imageGradients.Length; k++)
        {
            imageGradients[k] = new double[s];
        }

        double[] g = skeletonGradient.ToArray();
        var deltaGradient = new double[s];
        for (int k = iterations; k >= 0; k--)
        {
            double[] delta = tape.Deltas[k];
            if (k > 0)
            {
                // skel_k = skel_{k−1} + relu(δ − skel_{k−1}·δ)
                double[] previous = tape.Skeletons[k - 1];
                for (int i = 0; i < s; i++)
                {
                    bool active = delta[i] - (previous[i] * delta[i]) > 0;
                    deltaGradient[i] = active ? g[i] * (1 - previous[i]) : 0;
                    g[i] = active ? g[i] * (1 - delta[i]) : g[i];
                }
            }
            else
            {
                g.CopyTo(deltaGradient, 0);
            }

            // δ_k = relu(image_k − dilate(image_{k+1})): image_{k+1} is complete once the dilation has given back.
            double[] image = tape.Images[k];
            double[] open = tape.Opened[k];
            int[] dilatePicks = tape.DilatePicks[k];
            double[] here = imageGradients[k];
            double[] next = imageGradients[k + 1];
            for (int i = 0; i < s; i++)
            {
                if (image[i] - open[i] > 0)
                {
                    here[i] += deltaGradient[i];
                    next[dilatePicks[i]] -= deltaGradient[i];
                }
            }

            int[] erodePicks = tape.ErodePicks[k];
            for (int i = 0; i < s; i++)
            {
                here[erodePicks[i]] += next[i];
            }
        }

        imageGradients[0].CopyTo(inputGradient);
    }
}

/// <summary>What one <see cref="SoftSkeleton.Skeletonize"/> pass recorded for its backward pass.</summary>
internal sealed class SoftSkeletonTape
{
    public int[] Axes { get; set; } = [];

    public double[][] Images { get; set; } = [];

    public int[][] ErodePicks { get; set; } = [];

    public double[][] Opened { get; set; } = [];

    public int[][] DilatePicks { get; set; } = [];

    public double[][] Skeletons { get; set; } = [];

    public double[][] Deltas { get; set; } = [];
}
