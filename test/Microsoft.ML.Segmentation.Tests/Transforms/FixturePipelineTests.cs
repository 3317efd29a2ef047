using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>The real fixture models through the ML.NET pipeline, against the same steps done with the layers directly.</summary>
[TestClass]
public sealed class FixturePipelineTests
{
    private static readonly string[] SceneClasses = { "background", "disc", "box", "triangle", "ring" };

    public sealed class Paths
    {
        public string ImagePath { get; set; } = string.Empty;

        public string MaskPath { get; set; } = string.Empty;
    }

    [TestMethod]
    public void LrasppPipelineEvaluatesAsTheDirectRun()
    {
        string dir = SharedData.RequireDirectory("fixtures/scenes-lraspp");
        Paths[] rows = Directory.GetFiles(Path.Combine(dir, "images"), "*.png").Order()
            .Select(f => new Paths { ImagePath = f, MaskPath = Path.Combine(dir, "masks", Path.GetFileName(f)) }).ToArray();
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Segmentation().LoadFromFolders(Path.Combine(dir, "images"), Path.Combine(dir, "masks"));
        CollectionAssert.AreEqual(rows.Select(r => r.ImagePath).ToArray(), data.GetColumn<string>("ImagePath").ToArray());
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.Message);
        ITransformer model = ml.Segmentation().Transforms.LoadImages(options: ImageTensorOptions.ImageNet())
            .Append(ml.Segmentation().Transforms.LoadMasks(SceneClasses))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(Path.Combine(dir, "model.onnx")))
            .Append(ml.Segmentation().Transforms.PredictMasks(SceneClasses))
            .Fit(data);
        SegmentationMetrics metrics = ml.Segmentation().Evaluate(model.Transform(data));

        var evaluator = new SegmentationEvaluator(5, new SegmentationEvaluatorOptions { IgnoreIndex = 255 });
        using SegmentationModel onnx = SegmentationModel.Load(Path.Combine(dir, "model.onnx"));
        foreach (Paths row in rows)
        {
            (float[] input, int height, int width) = FixtureImages.LoadNormalized(row.ImagePath);
            (int[] truth, _, _) = FixtureImages.LoadGray(row.MaskPath);
            var scores = new float[5 * height * width];
            SegmentationShape shape = onnx.Run(input, 1, height, width, scores);
            var predicted = new int[height * width];
            MaskPrediction.Argmax<float>(scores, shape, predicted);
            evaluator.Add(predicted, truth);
        }

        SegmentationMetrics direct = evaluator.GetMetrics();
        Assert.AreEqual(24, metrics.ImageCount);
        Assert.AreEqual(direct.PixelCount, metrics.PixelCount);
        for (int t = 0; t < 5; t++)
        {
            for (int p = 0; p < 5; p++)
            {
                Assert.AreEqual(direct.GetConfusionCount(t, p), metrics.GetConfusionCount(t, p), $"cell {t},{p}");
            }
        }

        Assert.AreEqual("disc", metrics.ClassNames[1]);
        Assert.IsTrue(messages.Any(m => m.Contains("CPU", StringComparison.OrdinalIgnoreCase)), "the execution provider should be logged through MLContext.Log: " + string.Join(" | ", messages));
        foreach (ITransformer t in (IEnumerable<ITransformer>)model)
        {
            (t as IDisposable)?.Dispose();
        }
    }

    public sealed class PagePath
    {
        public string ImagePath { get; set; } = string.Empty;
    }

    public sealed class PageMask
    {
        [Microsoft.ML.Data.VectorType]
        public uint[] PredictedMask { get; set; } = Array.Empty<uint>();
    }

    [TestMethod]
    public void PaddleOcrThroughThePipelineFindsText()
    {
        string page = Path.Combine(SharedData.RequireDirectory("fixtures/ppocr-det"), "page.png");
        var ml = new MLContext(seed: 1);
        ImageTensorOptions options = ImageTensorOptions.ImageNet();
        options.ChannelOrder = ChannelOrder.Bgr;
        options.ResizeMode = ImageResizeMode.PadToMultiple;
        options.SizeMultiple = 32;
        options.PaddingValue = 255;
        string[] classes = { "background", "text" };
        ITransformer model = ml.Segmentation().Transforms.LoadImages(options: options)
            .Append(ml.Segmentation().Transforms.ScoreOnnx(Path.Combine(Path.GetDirectoryName(page)!, "ppocr-v4-det.onnx")))
            .Append(ml.Segmentation().Transforms.PredictMasks(classes, threshold: 0.3f, restoreOriginalSize: true))
            .Fit(ml.Data.LoadFromEnumerable(new[] { new PagePath { ImagePath = page } }));
        using var engine = ml.Model.CreatePredictionEngine<PagePath, PageMask>(model);
        uint[] mask = engine.Predict(new PagePath { ImagePath = page }).PredictedMask;

        // Direct: the same tensor through SegmentationModel, thresholded, cropped back to 384×191.
        (float[] input, int height, int width) = FixtureImages.LoadNormalized(page, bgr: true, multiple: 32, padValue: 255);
        using SegmentationModel onnx = SegmentationModel.Load(Path.Combine(Path.GetDirectoryName(page)!, "ppocr-v4-det.onnx"));
        var probabilities = new float[height * width];
        onnx.Run(input, 1, height, width, probabilities);
        (int[] gray, int pageHeight, int pageWidth) = FixtureImages.LoadGray(page);
        Assert.AreEqual(pageHeight * pageWidth, mask.Length);
        int text = 0;
        for (int y = 0; y < pageHeight; y++)
        {
            for (int x = 0; x < pageWidth; x++)
            {
                uint expected = probabilities[(y * width) + x] > 0.3f ? 2u : 1u;
                Assert.AreEqual(expected, mask[(y * pageWidth) + x], $"pixel {x},{y}");
                text += expected == 2u ? 1 : 0;
            }
        }

        double fraction = text / (double)mask.Length;
        Assert.IsTrue(fraction is > 0.02 and < 0.4, $"text fraction {fraction:P1}");
        _ = gray;
        foreach (ITransformer t in (IEnumerable<ITransformer>)model)
        {
            (t as IDisposable)?.Dispose();
        }
    }
}
