namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>Window models for the test-time augmentation tests: equivariant ones, position-aware ones, a strided one.</summary>
internal static class TestTimeAugmentationModels
{
    /// <summary>Pointwise y = 2x + 1 per channel (K = C): equivariant under every flip, rotation and (on constants) scale.</summary>
    public static (double[], int, int, int) Affine(double[] x, int channels, int height, int width)
        => (x.Select(v => (2 * v) + 1).ToArray(), channels, height, width);

    /// <summary>The mean of each 3 × 3 neighbourhood with zero padding, per channel: symmetric, so equivariant under D4.</summary>
    public static (double[], int, int, int) MeanFilter(double[] x, int channels, int height, int width)
    {
        var y = new double[x.Length];
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < height; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    double sum = 0;
                    for (int di = -1; di <= 1; di++)
                    {
                        for (int dj = -1; dj <= 1; dj++)
                        {
                            int r = i + di;
                            int s = j + dj;
                            if (r >= 0 && r < height && s >= 0 && s < width)
                            {
                                sum += x[(((c * height) + r) * width) + s];
                            }
                        }
                    }

                    y[(((c * height) + i) * width) + j] = sum / 9;
                }
            }
        }

        return (y, channels, height, width);
    }

    /// <summary>
    /// Not equivariant: y[k, i, j] = x[k, i, j] + 0.5·x[k+1 mod C, i, j] + (k + 1)·(0.2·j + 0.03·i²), K = C, so a flip
    /// or rotation changes which ramp value a pixel gets; the ramp differs per class, so a softmax does not cancel it.
    /// </summary>
    public static (double[], int, int, int) Ramp(double[] x, int channels, int height, int width)
    {
        var y = new double[x.Length];
        for (int k = 0; k < channels; k++)
        {
            for (int i = 0; i < height; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    int q = (i * width) + j;
                    int plane = height * width;
                    y[(k * plane) + q] = x[(k * plane) + q] + (0.5 * x[(((k + 1) % channels) * plane) + q]) + ((k + 1) * ((0.2 * j) + (0.03 * i * i)));
                }
            }
        }

        return (y, channels, height, width);
    }

    /// <summary>y = x + j only (the brief's column ramp), K = C.</summary>
    public static (double[], int, int, int) ColumnRamp(double[] x, int channels, int height, int width)
        => (x.Select((v, q) => v + (q % width)).ToArray(), channels, height, width);

    /// <summary>A stride-2 head: 2 × 2 mean pooling (even sizes) then <see cref="Ramp"/>, so outputs are half the window.</summary>
    public static (double[], int, int, int) PooledRamp(double[] x, int channels, int height, int width)
    {
        int oh = height / 2;
        int ow = width / 2;
        var pooled = new double[channels * oh * ow];
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    double At(int r, int s) => x[(((c * height) + r) * width) + s];
                    pooled[(((c * oh) + i) * ow) + j] = (At(2 * i, 2 * j) + At(2 * i, (2 * j) + 1) + At((2 * i) + 1, 2 * j) + At((2 * i) + 1, (2 * j) + 1)) / 4;
                }
            }
        }

        return Ramp(pooled, channels, oh, ow);
    }

    /// <summary>A smooth two-channel-or-more image <c>[C, H, W]</c> (sines and cosines), values in about [-1.5, 1.5].</summary>
    public static double[] Smooth(int channels, int height, int width, double phase = 0)
    {
        var x = new double[channels * height * width];
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < height; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    x[(((c * height) + i) * width) + j] = Math.Sin((0.7 * i) + (0.3 * c) + phase) + (0.5 * Math.Cos((0.45 * j) - c));
                }
            }
        }

        return x;
    }

    /// <summary>Doubles as floats.</summary>
    public static float[] ToFloat(double[] values) => values.Select(v => (float)v).ToArray();

    /// <summary>
    /// Asserts <paramref name="actual"/> equals <paramref name="expected"/> within an absolute and relative
    /// <paramref name="tolerance"/>, naming the first index that differs.
    /// </summary>
    public static void AssertClose(IReadOnlyList<double> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.AreEqual(expected.Count, actual.Length, $"{what}: length");
        for (int q = 0; q < expected.Count; q++)
        {
            double bound = tolerance * Math.Max(1, Math.Abs(expected[q]));
            if (!(Math.Abs(expected[q] - actual[q]) <= bound))
            {
                Assert.Fail($"{what}: index {q} is {actual[q]}, expected {expected[q]} (±{bound}).");
            }
        }
    }
}
