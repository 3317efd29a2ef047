using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// What a user writes without SegML to evaluate a model on image/mask pairs, one image at a time on one thread
/// (ONNX Runtime's own threads aside): ImageSharp decode → ImageNet normalisation into a CHW float array →
/// <c>InferenceSession.Run</c> → argmax over channels (or the probability threshold of a one-channel model) →
/// confusion counts against the mask (8-bit, the class index; values ≥ the class count ignored, as segml eval's
/// default ignore 255). Nothing of SegML is used, so its counts are an independent check of <c>segml eval</c>'s.
/// </summary>
/// <remarks>
/// One pass is the whole script: the session is created (same settings as SegML's default CPU session: all graph
/// optimisations, ONNX Runtime's thread counts), every pair evaluated, the session disposed; that is also what one
/// <c>segml eval</c> run does, so the two are timed on the same footing.
/// </remarks>
internal sealed class HandwrittenLoop(EvalDataset dataset)
{
    private static readonly float[] s_mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] s_std = [0.229f, 0.224f, 0.225f];

    /// <summary>Evaluates every pair once; the confusion counts, rows truth and columns prediction, row-major.</summary>
    public long[] Run()
    {
        int classes = dataset.Classes;
        var confusion = new long[classes * classes];
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(dataset.ModelPath, options);
        string inputName = session.InputMetadata.Keys.First();
        foreach ((string imagePath, string maskPath) in dataset.Pairs)
        {
            (float[] input, int height, int width) = DecodeImage(imagePath, dataset.Bgr);
            var tensor = new DenseTensor<float>(input, [1, 3, height, width]);
            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)]);
            var scores = (DenseTensor<float>)results[0].AsTensor<float>();
            int[] predicted = Predict(scores.Buffer.Span, (int)scores.Dimensions[1], height * width, dataset.Threshold);
            CountMask(maskPath, predicted, classes, confusion);
        }

        return confusion;
    }

    /// <summary>ImageSharp decode, then the ImageNet normalisation into a CHW float array (RGB, or BGR for PaddleOCR).</summary>
    public static (float[] Input, int Height, int Width) DecodeImage(string imagePath, bool bgr)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(imagePath);
        int height = image.Height, width = image.Width, plane = height * width;
        var input = new float[3 * plane];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < height; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                for (int x = 0; x < width; x++)
                {
                    int i = (y * width) + x;
                    Rgb24 p = row[x];
                    // Channel c of the tensor: RGB, or BGR for PaddleOCR; mean and std follow the channel.
                    (byte first, byte third) = bgr ? (p.B, p.R) : (p.R, p.B);
                    int c0 = bgr ? 2 : 0, c2 = 2 - c0;
                    input[i] = ((first / 255f) - s_mean[c0]) / s_std[c0];
                    input[plane + i] = ((p.G / 255f) - s_mean[1]) / s_std[1];
                    input[(2 * plane) + i] = ((third / 255f) - s_mean[c2]) / s_std[c2];
                }
            }
        });
        return (input, height, width);
    }

    /// <summary>The argmax over channels of CHW scores, or for one channel the probability cut <paramref name="threshold"/>.</summary>
    public static int[] Predict(ReadOnlySpan<float> s, int channels, int plane, float? threshold)
    {
        var predicted = new int[plane];
        for (int i = 0; i < plane; i++)
        {
            if (channels == 1)
            {
                predicted[i] = s[i] > threshold!.Value ? 1 : 0;
                continue;
            }

            int best = 0;
            float max = s[i];
            for (int c = 1; c < channels; c++)
            {
                float v = s[(c * plane) + i];
                if (v > max)
                {
                    max = v;
                    best = c;
                }
            }

            predicted[i] = best;
        }

        return predicted;
    }

    /// <summary>ImageSharp decode of an 8-bit mask, then the confusion counts of <paramref name="predicted"/> against it (values ≥ the class count ignored).</summary>
    public static void CountMask(string maskPath, int[] predicted, int classes, long[] confusion)
    {
        using Image<L8> mask = Image.Load<L8>(maskPath);
        int width = mask.Width;
        mask.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<L8> row = rows.GetRowSpan(y);
                for (int x = 0; x < width; x++)
                {
                    int truth = row[x].PackedValue;
                    if (truth < classes)
                    {
                        confusion[(truth * classes) + predicted[(y * width) + x]]++;
                    }
                }
            }
        });
    }
}
