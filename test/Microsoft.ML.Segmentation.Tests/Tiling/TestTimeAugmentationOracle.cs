using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>A window model written as a plain function of one window <c>[C, H, W]</c> in double: scores <c>[K, H', W']</c>.</summary>
internal delegate (double[] Scores, int Classes, int Height, int Width) WindowModel(double[] window, int channels, int height, int width);

/// <summary>
/// The test-time augmentation oracle: every transform written out as its own index map (torch.flip / torch.rot90
/// conventions), applied pixel by pixel; the output carried back by scattering each pixel to where its input came from;
/// a bilinear resize written from PyTorch's half-pixel definition; softmax / sigmoid in double. It shares no code with
/// the library, so the library is checked against an independent computation.
/// </summary>
internal static class TestTimeAugmentationOracle
{
    /// <summary>
    /// One transform of a plane: the transformed plane's size, and for each of its pixels (i, j) the pixel of the
    /// original <c>h × w</c> plane it shows: X'[i, j] = X[Source(i, j)].
    /// </summary>
    internal sealed record Transform(string Name, bool SwapsAxes, Func<int, int, int, int, (int Row, int Column)> Source);

    private static readonly Transform Identity = new("identity", false, (i, j, h, w) => (i, j));
    private static readonly Transform FlipWidth = new("flip left-right", false, (i, j, h, w) => (i, w - 1 - j));
    private static readonly Transform FlipHeight = new("flip top-bottom", false, (i, j, h, w) => (h - 1 - i, j));
    private static readonly Transform Rotate180 = new("rot180", false, (i, j, h, w) => (h - 1 - i, w - 1 - j));

    // torch.rot90(x, 1, (-2, -1)) = x.flip(-1).transpose(-2, -1): Y[i, j] = X[j, w - 1 - i].
    private static readonly Transform Rotate90 = new("rot90", true, (i, j, h, w) => (j, w - 1 - i));

    // torch.rot90(x, -1, (-2, -1)) = x.flip(-2).transpose(-2, -1): Y[i, j] = X[h - 1 - j, i].
    private static readonly Transform Rotate270 = new("rot270", true, (i, j, h, w) => (h - 1 - j, i));
    private static readonly Transform Transpose = new("transpose", true, (i, j, h, w) => (j, i));
    private static readonly Transform AntiTranspose = new("anti-transpose", true, (i, j, h, w) => (h - 1 - j, w - 1 - i));

    /// <summary>The transforms each flip setting stands for, written independently of the library's decomposition.</summary>
    public static Transform[] TransformsOf(TtaFlips flips) => flips switch
    {
        TtaFlips.None => [Identity],
        TtaFlips.Horizontal => [Identity, FlipWidth],
        TtaFlips.Vertical => [Identity, FlipHeight],
        TtaFlips.HorizontalAndVertical => [Identity, FlipWidth, FlipHeight, Rotate180],
        TtaFlips.D4 => [Identity, Rotate90, Rotate180, Rotate270, FlipWidth, FlipHeight, Transpose, AntiTranspose],
        _ => throw new ArgumentOutOfRangeException(nameof(flips)),
    };

    /// <summary>
    /// The merged scores <c>[K, outHeight, outWidth]</c> of one window: for each scale and transform, the window resized,
    /// transformed, predicted, carried back, resized to the unscaled output size, activated (Probabilities merge),
    /// then the mean.
    /// </summary>
    public static double[] Merge(
        double[] window, int channels, int height, int width, WindowModel model, TtaFlips flips, IReadOnlyList<double> scales,
        TtaMerge merge, bool scoresAreProbabilities, int outHeight, int outWidth)
    {
        double[]? sum = null;
        int classes = 0;
        int runs = 0;
        foreach (double scale in scales)
        {
            int sh = Math.Max(1, (int)Math.Floor((height * scale) + 0.5));
            int sw = Math.Max(1, (int)Math.Floor((width * scale) + 0.5));
            double[] scaled = Bilinear(window, channels, height, width, sh, sw);
            foreach (Transform t in TransformsOf(flips))
            {
                (int th, int tw) = t.SwapsAxes ? (sw, sh) : (sh, sw);
                var transformed = new double[channels * th * tw];
                for (int c = 0; c < channels; c++)
                {
                    for (int i = 0; i < th; i++)
                    {
                        for (int j = 0; j < tw; j++)
                        {
                            (int si, int sj) = t.Source(i, j, sh, sw);
                            transformed[(((c * th) + i) * tw) + j] = scaled[(((c * sh) + si) * sw) + sj];
                        }
                    }
                }

                (double[] y, int k, int yh, int yw) = model(transformed, channels, th, tw);
                classes = k;

                // Scatter back: output pixel (i, j) of the transformed window belongs where its input pixel came from.
                (int bh, int bw) = t.SwapsAxes ? (yw, yh) : (yh, yw);
                var back = new double[k * bh * bw];
                for (int c = 0; c < k; c++)
                {
                    for (int i = 0; i < yh; i++)
                    {
                        for (int j = 0; j < yw; j++)
                        {
                            (int si, int sj) = t.Source(i, j, bh, bw);
                            back[(((c * bh) + si) * bw) + sj] = y[(((c * yh) + i) * yw) + j];
                        }
                    }
                }

                double[] resized = Bilinear(back, k, bh, bw, outHeight, outWidth);
                if (merge == TtaMerge.Probabilities && !scoresAreProbabilities)
                {
                    resized = k == 1 ? Sigmoid(resized) : Softmax(resized, k, outHeight * outWidth);
                }

                sum ??= new double[resized.Length];
                for (int q = 0; q < sum.Length; q++)
                {
                    sum[q] += resized[q];
                }

                runs++;
            }
        }

        return sum!.Select(v => v / runs).ToArray();
    }

    /// <summary>
    /// PyTorch <c>F.interpolate(mode="bilinear", align_corners=False)</c> to an explicit size: output pixel d reads
    /// source coordinate max((d + 0.5)·in/out − 0.5, 0), between floor and floor + 1 (clamped to the last pixel).
    /// </summary>
    public static double[] Bilinear(double[] planes, int count, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        if (inHeight == outHeight && inWidth == outWidth)
        {
            return (double[])planes.Clone();
        }

        var result = new double[count * outHeight * outWidth];
        for (int p = 0; p < count; p++)
        {
            for (int y = 0; y < outHeight; y++)
            {
                (int y0, int y1, double ly) = Neighbours(y, inHeight, outHeight);
                for (int x = 0; x < outWidth; x++)
                {
                    (int x0, int x1, double lx) = Neighbours(x, inWidth, outWidth);
                    double At(int r, int c) => planes[(((p * inHeight) + r) * inWidth) + c];
                    double top = ((1 - lx) * At(y0, x0)) + (lx * At(y0, x1));
                    double bottom = ((1 - lx) * At(y1, x0)) + (lx * At(y1, x1));
                    result[(((p * outHeight) + y) * outWidth) + x] = ((1 - ly) * top) + (ly * bottom);
                }
            }
        }

        return result;
    }

    /// <summary>Softmax over the channels of each pixel of a <c>[K, pixels]</c> tensor.</summary>
    public static double[] Softmax(double[] scores, int classes, int pixels)
    {
        var p = new double[scores.Length];
        for (int q = 0; q < pixels; q++)
        {
            double max = Enumerable.Range(0, classes).Max(k => scores[(k * pixels) + q]);
            double total = Enumerable.Range(0, classes).Sum(k => Math.Exp(scores[(k * pixels) + q] - max));
            for (int k = 0; k < classes; k++)
            {
                p[(k * pixels) + q] = Math.Exp(scores[(k * pixels) + q] - max) / total;
            }
        }

        return p;
    }

    /// <summary>The logistic function of every value.</summary>
    public static double[] Sigmoid(double[] scores) => scores.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();

    /// <summary>A <see cref="WindowModel"/> as a float32 <see cref="WindowPredictor"/> over a batch, recording each call's shape.</summary>
    public static WindowPredictor AsPredictor(WindowModel model, List<int[]>? calls = null) => (windows, shape) =>
    {
        calls?.Add(shape.ToArray());
        int batch = shape[0];
        int channels = shape[1];
        int height = shape[2];
        int width = shape[3];
        int size = channels * height * width;
        float[]? output = null;
        int[] outShape = [];
        for (int b = 0; b < batch; b++)
        {
            double[] window = windows.Slice(b * size, size).ToArray().Select(v => (double)v).ToArray();
            (double[] y, int k, int oh, int ow) = model(window, channels, height, width);
            output ??= new float[batch * y.Length];
            outShape = [batch, k, oh, ow];
            for (int q = 0; q < y.Length; q++)
            {
                output[(b * y.Length) + q] = (float)y[q];
            }
        }

        return [new FloatTensor(output!, outShape)];
    };

    /// <summary>A predictor that applies <see cref="Merge"/> to each window of a batch: TTA "by hand", per window.</summary>
    public static WindowPredictor ByHand(WindowModel model, TtaFlips flips, IReadOnlyList<double> scales, TtaMerge merge, bool scoresAreProbabilities, Func<int, int, (int Height, int Width)> outputSize)
        => AsPredictor((window, channels, height, width) =>
        {
            (int oh, int ow) = outputSize(height, width);
            double[] merged = Merge(window, channels, height, width, model, flips, scales, merge, scoresAreProbabilities, oh, ow);
            return (merged, merged.Length / (oh * ow), oh, ow);
        });

    private static (int Low, int High, double Weight) Neighbours(int index, int inSize, int outSize)
    {
        double source = Math.Max(((index + 0.5) * inSize / outSize) - 0.5, 0);
        int low = Math.Min((int)Math.Floor(source), inSize - 1);
        return (low, Math.Min(low + 1, inSize - 1), source - low);
    }
}
