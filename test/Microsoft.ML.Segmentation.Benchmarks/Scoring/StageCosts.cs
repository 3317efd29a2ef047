using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// Where one image's time goes in <c>segml eval</c> and in the hand-written loop (<see cref="HandwrittenLoop"/>): each
/// stage timed on its own, on the calling thread, over the distinct pairs of an end-to-end set, as milliseconds per
/// image (median pass). ONNX Runtime is timed with one intra-op thread (what each of segml eval's two concurrent runs
/// gets on 2 cores) and with its default threads (what the loop gets). The sum of a side's stages is its CPU work per
/// image; with the cores busy, throughput is at most cores ÷ that work, which bounds what overlap alone can win.
/// </summary>
internal static class StageCosts
{
    public static void Run(TextWriter output, EvalDataset dataset, double secondsPerStage)
    {
        (string Image, string Mask)[] pairs = dataset.Pairs.Distinct().ToArray();
        ImageTensorOptions imageOptions = ImageTensorOptions.ImageNet();
        imageOptions.ChannelOrder = dataset.Bgr ? ChannelOrder.Bgr : ChannelOrder.Rgb;
        var loader = new SegmentationImageLoader(imageOptions);
        var images = new float[pairs.Length][];
        var shapes = new (int Height, int Width)[pairs.Length];
        for (int i = 0; i < pairs.Length; i++)
        {
            ImageTensor tensor = loader.Load(pairs[i].Image);
            images[i] = tensor.Data.ToArray();
            shapes[i] = (tensor.Height, tensor.Width);
        }

        var maskOptions = new MaskOptions { ClassCount = dataset.Classes };
        byte[][] maskBytes = pairs.Select(p => File.ReadAllBytes(p.Mask)).ToArray();
        int[][] masks = pairs.Select((p, i) => MaskDecoder.Decode(maskBytes[i], p.Mask, maskOptions).Labels).ToArray();

        var lines = new List<(string Stage, string Side, double Ms)>();
        void Stage(string name, string side, Action<int> perImage) =>
            lines.Add((name, side, Measure(pairs.Length, () => Sequential(pairs.Length, perImage), secondsPerStage)));

        float[][] buffers = images.Select(i => new float[i.Length]).ToArray();
        Stage("image_decode", "segml", i => loader.Load(pairs[i].Image, buffers[i]));
        Stage("mask_decode", "segml", i => MaskDecoder.Decode(File.ReadAllBytes(pairs[i].Mask), pairs[i].Mask, maskOptions));
        Stage("image_decode", "loop", i => HandwrittenLoop.DecodeImage(pairs[i].Image, dataset.Bgr));

        float[][] scores = new float[pairs.Length][];
        foreach ((string side, int threads) in new[] { ("segml", 1), ("loop", 0) })
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads };
            using var session = new InferenceSession(dataset.ModelPath, options);
            string input = session.InputMetadata.Keys.First();
            Stage(threads == 1 ? "onnx_run_1_thread" : "onnx_run_default_threads", side, i =>
            {
                var tensor = new DenseTensor<float>(images[i], [1, 3, shapes[i].Height, shapes[i].Width]);
                using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor(input, tensor)]);
                scores[i] = ((DenseTensor<float>)results[0].AsTensor<float>()).Buffer.ToArray();
            });
            if (threads == 1)
            {
                // What segml eval's scoring can reach at best on this machine: two one-thread runs in flight at once,
                // wall time per image. Against the one-thread line it shows how well two cores scale (shared caches,
                // memory bandwidth, or two vCPUs on one physical core).
                var twoRuns = new ParallelOptions { MaxDegreeOfParallelism = 2 };
                lines.Add(("onnx_2_runs_1_thread_each", side, Measure(pairs.Length, () => Parallel.For(0, pairs.Length, twoRuns, i =>
                {
                    var tensor = new DenseTensor<float>(images[i], [1, 3, shapes[i].Height, shapes[i].Width]);
                    using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor(input, tensor)]);
                }), secondsPerStage)));
            }
        }

        int[] labels = new int[masks.Max(m => m.Length)];
        SegmentationShape ShapeOf(int i) => new(1, scores[i].Length / masks[i].Length, shapes[i].Height, shapes[i].Width);
        Stage("argmax", "segml", i => MaskPrediction.PredictLabels(scores[i], ShapeOf(i), dataset.Threshold ?? 0.5f, scoresAreProbabilities: dataset.Threshold is not null, labels.AsSpan(0, masks[i].Length)));
        var crossEntropy = new CrossEntropyLoss();
        if (dataset.Threshold is null)
        {
            Stage("cross_entropy_forward", "segml", i => crossEntropy.Compute<float>(scores[i], ShapeOf(i), SegmentationTarget<float>.FromLabels(masks[i], 255)));
        }

        int classes = dataset.Classes;
        var counts = new long[classes * classes];
        Stage("argmax", "loop", i => HandwrittenLoop.Predict(scores[i], ShapeOf(i).Classes, masks[i].Length, dataset.Threshold));
        int[][] predicted = pairs.Select((_, i) => HandwrittenLoop.Predict(scores[i], ShapeOf(i).Classes, masks[i].Length, dataset.Threshold)).ToArray();
        Stage("mask_decode_and_counts", "loop", i => HandwrittenLoop.CountMask(pairs[i].Mask, predicted[i], classes, counts));

        foreach ((string stage, string side, double ms) in lines)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"path\":\"stage_cost\",\"model\":\"{dataset.Name}\",\"stage\":\"{stage}\",\"side\":\"{side}\",\"images\":{pairs.Length},\"ms_per_image\":{ms:F3}}}"));
        }
    }

    private static void Sequential(int count, Action<int> perImage)
    {
        for (int i = 0; i < count; i++)
        {
            perImage(i);
        }
    }

    /// <summary>Median milliseconds per image of passes over all <paramref name="count"/> images, after one warm-up pass; at least 3 passes or about <paramref name="seconds"/>.</summary>
    private static double Measure(int count, Action pass, double seconds)
        => PassTiming.MedianSeconds(pass, seconds) * 1e3 / count;
}
