using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Export;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Graph;

/// <summary>
/// The export to plain ML.NET: the stock pipeline is fitted, saved with <c>mlContext.Model.Save</c>, loaded in a fresh
/// context and run; its masks must equal those of SegML's own pipeline (LoadImages → ScoreOnnx → PredictMasks) on
/// images already at the export size, where neither pipeline resamples.
/// </summary>
[TestClass]
public sealed class GraphExportTests
{
    private static readonly string[] GeneratedClasses = ["a", "b", "c", "d"];
    private static readonly string[] SceneClasses = ["background", "disc", "box", "triangle", "ring"];

    public sealed class PathRow
    {
        public string ImagePath { get; set; } = string.Empty;
    }

    [TestMethod]
    public void GeneratedModelExportRoundTripsThroughModelSave()
    {
        using var temp = new TempDirectory();
        const int W = 24, H = 20;
        string[] paths = Enumerable.Range(0, 4).Select(i => WriteRandomPng(temp.File($"image_{i}.png"), W, H, seed: 40 + i)).ToArray();
        var normalization = new ImageTensorOptions { Mean = [0.5f, 0.4f, 0.3f], Std = [0.2f, 0.25f, 0.3f] };
        byte[] model = GraphTestModels.Stride4Head(13);

        int[][] expected = SegmlMasks(model, paths, normalization, GeneratedClasses, upsample: true);
        long[][] actual = ExportedMasks(model, paths, new SegmentationExportOptions
        {
            Width = W, Height = H, Normalization = OnnxInputNormalizationOptions.From(normalization),
        }, temp, out string zip);
        AssertMasksEqual(expected, actual);
        AssertNoSegmlReference(zip);
    }

    [TestMethod]
    public void LrasppFixtureExportRoundTripsThroughModelSave()
    {
        string dir = SharedData.RequireDirectory("fixtures/scenes-lraspp");
        using var temp = new TempDirectory();
        byte[] model = File.ReadAllBytes(Path.Combine(dir, "model.onnx"));

        // The fixture has three image sizes: one export per size, each fed only images of that size.
        foreach (IGrouping<(int Width, int Height), string> group in Directory.GetFiles(Path.Combine(dir, "images"), "*.png").Order().GroupBy(SizeOf))
        {
            string[] paths = group.Take(3).ToArray();
            int[][] expected = SegmlMasks(model, paths, ImageTensorOptions.ImageNet(), SceneClasses, upsample: true);
            long[][] actual = ExportedMasks(model, paths, new SegmentationExportOptions
            {
                Width = group.Key.Width, Height = group.Key.Height, Normalization = OnnxInputNormalizationOptions.ImageNet(),
            }, temp, out _);
            AssertMasksEqual(expected, actual);
        }
    }

    [TestMethod]
    public void LrasppFixtureResampledByMlNetAgreesMostly()
    {
        string dir = SharedData.RequireDirectory("fixtures/scenes-lraspp");
        using var temp = new TempDirectory();
        byte[] model = File.ReadAllBytes(Path.Combine(dir, "model.onnx"));
        string[] paths = Directory.GetFiles(Path.Combine(dir, "images"), "*.png").Order().Where(p => SizeOf(p) != (128, 128)).Take(4).ToArray();
        var stretch = new ImageTensorOptions { Mean = ImageTensorOptions.ImageNetMean, Std = ImageTensorOptions.ImageNetStd, ResizeMode = ImageResizeMode.Stretch, Width = 128, Height = 128 };
        int[][] expected = SegmlMasks(model, paths, stretch, SceneClasses, upsample: true);
        long[][] actual = ExportedMasks(model, paths, new SegmentationExportOptions { Width = 128, Height = 128, Normalization = OnnxInputNormalizationOptions.ImageNet() }, temp, out _);
        int same = 0, total = 0;
        for (int i = 0; i < paths.Length; i++)
        {
            total += expected[i].Length;
            same += expected[i].Where((v, j) => v == actual[i][j]).Count();
        }

        // ML.NET resamples with SkiaSharp, SegML with its own bilinear filter: the masks differ along edges only.
        double agreement = (double)same / total;
        Console.WriteLine($"ML.NET-resized vs SegML-resized masks agree on {agreement:P2} of {total} pixels");
        Assert.IsTrue(agreement > 0.95, $"agreement {agreement:P2}");
    }

    [TestMethod]
    [DataRow(OnnxPixelType.UInt8, ChannelOrder.Rgb)]
    [DataRow(OnnxPixelType.Float, ChannelOrder.Bgr)]
    [DataRow(OnnxPixelType.UInt8, ChannelOrder.Bgr)]
    public void ExportedScoresAndByteMasksMatchSegml(OnnxPixelType pixelType, ChannelOrder order)
    {
        using var temp = new TempDirectory();
        const int W = 16, H = 12;
        string[] paths = Enumerable.Range(0, 2).Select(i => WriteRandomPng(temp.File($"image_{i}.png"), W, H, seed: 60 + i)).ToArray();
        byte[] model = GraphTestModels.ConvHead(13);
        var ml = new MLContext(seed: 1);
        SegmentationExport export = ml.Segmentation().ExportToOnnxPipeline(model, new SegmentationExportOptions
        {
            Width = W, Height = H,
            Normalization = new OnnxInputNormalizationOptions { PixelType = pixelType, ChannelOrder = order },
            PostProcessing = new OnnxPostProcessingOptions { Activation = Activation.Softmax, ArgMax = true, KeepScores = true, MaskElementType = OnnxMaskElementType.UInt8 },
        });
        CollectionAssert.AreEqual(new[] { "mask", "scores" }, export.OutputColumnNames.ToArray());
        Assert.AreEqual("image", export.PixelsColumnName);
        IDataView data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        IDataView output = export.Pipeline.Fit(data).Transform(data);
        // GetColumn may reuse one buffer for every row: copy each row out as it comes.
        long[][] masks = output.GetColumn<VBuffer<byte>>("mask").Select(m => m.DenseValues().Select(b => (long)b).ToArray()).ToArray();
        float[][] scores = output.GetColumn<VBuffer<float>>("scores").Select(s => s.DenseValues().ToArray()).ToArray();

        var options = new ImageTensorOptions { ChannelOrder = order };
        int[][] expected = SegmlMasks(model, paths, options, GeneratedClasses, upsample: false);
        AssertMasksEqual(expected, masks);
        float[][] probabilities = SegmlProbabilities(model, paths, options);
        for (int i = 0; i < paths.Length; i++)
        {
            float[] actual = scores[i];
            Assert.AreEqual(probabilities[i].Length, actual.Length);
            for (int j = 0; j < actual.Length; j++)
            {
                Assert.AreEqual(probabilities[i][j], actual[j], 1e-6, $"image {i}, value {j}");
            }
        }

        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().ExportToOnnxPipeline(model, new SegmentationExportOptions { Width = W, Height = H, PostProcessing = new OnnxPostProcessingOptions { ConfusionCounts = true } }));
        Assert.AreEqual("options.PostProcessing", e.ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Segmentation().ExportToOnnxPipeline(model, new SegmentationExportOptions { Width = 0, Height = H }));
    }

    /// <summary>SegML's own pipeline: LoadImages → ScoreOnnx → PredictMasks, masks as class indices.</summary>
    private static int[][] SegmlMasks(byte[] model, string[] paths, ImageTensorOptions options, string[] classes, bool upsample)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        ITransformer segml = ml.Segmentation().Transforms.LoadImages(options: options)
            .Append(ml.Segmentation().Transforms.ScoreOnnx(model, options: new OnnxSessionOptions { UpsampleToInput = upsample }))
            .Append(ml.Segmentation().Transforms.PredictMasks(classes))
            .Fit(data);
        try
        {
            return segml.Transform(data).GetColumn<VBuffer<uint>>("PredictedMask")
                .Select(m => m.DenseValues().Select(k => (int)k - 1).ToArray()).ToArray();
        }
        finally
        {
            foreach (ITransformer t in (IEnumerable<ITransformer>)segml)
            {
                (t as IDisposable)?.Dispose();
            }
        }
    }

    private static float[][] SegmlProbabilities(byte[] model, string[] paths, ImageTensorOptions options)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        ITransformer segml = ml.Segmentation().Transforms.LoadImages(options: options)
            .Append(ml.Segmentation().Transforms.ScoreOnnx(model, options: new OnnxSessionOptions { PostProcessing = new OnnxPostProcessingOptions { Activation = Activation.Softmax } }))
            .Fit(data);
        try
        {
            return segml.Transform(data).GetColumn<VBuffer<float>>("Scores").Select(s => s.DenseValues().ToArray()).ToArray();
        }
        finally
        {
            foreach (ITransformer t in (IEnumerable<ITransformer>)segml)
            {
                (t as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>The export: fit, save with mlContext.Model.Save, load in a fresh MLContext, run.</summary>
    private static long[][] ExportedMasks(byte[] model, string[] paths, SegmentationExportOptions options, TempDirectory temp, out string zip)
    {
        zip = temp.File("exported.zip");
        var ml = new MLContext(seed: 1);
        SegmentationExport export = ml.Segmentation().ExportToOnnxPipeline(model, options);
        IDataView data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        ITransformer fitted = export.Pipeline.Fit(data);
        ml.Model.Save(fitted, data.Schema, zip);
        (fitted as IDisposable)?.Dispose();

        var fresh = new MLContext(seed: 2);
        ITransformer loaded = fresh.Model.Load(zip, out DataViewSchema inputSchema);
        Assert.IsNotNull(inputSchema.GetColumnOrNull("ImagePath"));
        IDataView freshData = fresh.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        DataViewSchema.Column mask = loaded.GetOutputSchema(freshData.Schema)[export.OutputColumnNames[0]];
        Assert.AreEqual(options.Height * options.Width, ((VectorDataViewType)mask.Type).Size, "the mask has the fixed size");
        long[][] masks = loaded.Transform(freshData).GetColumn<VBuffer<long>>(export.OutputColumnNames[0]).Select(m => m.DenseValues().ToArray()).ToArray();
        (loaded as IDisposable)?.Dispose();
        return masks;
    }

    private static void AssertMasksEqual(int[][] expected, long[][] actual)
    {
        Assert.AreEqual(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i].Select(v => (long)v).ToArray(), actual[i], $"image {i}");
        }
    }

    /// <summary>The saved ML.NET model names no SegML assembly: only stock ML.NET loaders are needed.</summary>
    private static void AssertNoSegmlReference(string zip)
    {
        using ZipArchive archive = ZipFile.OpenRead(zip);
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            using var buffer = new MemoryStream();
            using (Stream stream = entry.Open())
            {
                stream.CopyTo(buffer);
            }

            string text = Encoding.Latin1.GetString(buffer.ToArray()) + Encoding.Unicode.GetString(buffer.ToArray());
            Assert.IsFalse(text.Contains("Microsoft.ML.Segmentation", StringComparison.Ordinal), entry.FullName);
        }
    }

    private static (int Width, int Height) SizeOf(string path)
    {
        IImageInfo info = Image.Identify(path);
        return (info.Width, info.Height);
    }

    private static string WriteRandomPng(string path, int width, int height, int seed)
    {
        var random = new Random(seed);
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            }
        }

        image.SaveAsPng(path);
        return path;
    }
}
