using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>Window predictors for the tiling tests, each also written as a plain per-window function for the oracles.</summary>
internal static class TilingTestPredictors
{
    /// <summary>
    /// A non-pointwise, position-aware head with K = <paramref name="classes"/>: y[k, q] = Σ_c (k + c + 1)·x[c, q] +
    /// 0.1·q (q the flat position inside the window), so that which window a pixel came from changes its score.
    /// </summary>
    public static double[] MixingHead(ReadOnlySpan<double> window, int channels, int tileCount, int classes)
    {
        var y = new double[classes * tileCount];
        for (int k = 0; k < classes; k++)
        {
            for (int q = 0; q < tileCount; q++)
            {
                double sum = 0.1 * q;
                for (int c = 0; c < channels; c++)
                {
                    sum += (k + c + 1) * window[(c * tileCount) + q];
                }

                y[(k * tileCount) + q] = sum;
            }
        }

        return y;
    }

    /// <summary><see cref="MixingHead"/> in float32 over a batch of windows, as a <see cref="WindowPredictor"/>.</summary>
    public static WindowPredictor Mixing(int classes, Action<IReadOnlyList<int>>? onCall = null) => (windows, shape) =>
    {
        onCall?.Invoke(shape);
        int batch = shape[0];
        int channels = shape[1];
        int tileCount = shape.Skip(2).Aggregate(1, (a, b) => a * b);
        var output = new float[batch * classes * tileCount];
        for (int b = 0; b < batch; b++)
        {
            double[] window = windows.Slice(b * channels * tileCount, channels * tileCount).ToArray().Select(v => (double)v).ToArray();
            double[] y = MixingHead(window, channels, tileCount, classes);
            for (int i = 0; i < y.Length; i++)
            {
                output[(b * classes * tileCount) + i] = (float)y[i];
            }
        }

        return [new FloatTensor(output, new[] { batch, classes }.Concat(shape.Skip(2)).ToArray())];
    };

    /// <summary>A seeded random tensor with values in [-1, 1].</summary>
    public static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }
}
