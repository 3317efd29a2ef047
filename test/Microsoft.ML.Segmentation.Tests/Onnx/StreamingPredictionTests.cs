using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Imaging;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Tiling;
using Microsoft.ML.Segmentation.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

/// <summary>
/// <see cref="TiledMaskPredictor"/> (decoded pixels → banded windows → labels per band) against the non-streaming tiled
/// pipeline LoadImages → ScoreOnnx (Tiling) → PredictMasks on the same image: the labels and the confidences must be
/// equal, exactly, for logits and probabilities, several classes and one, on images whose height is not a multiple of
/// the scan interval.
/// </summary>
[TestClass]
public sealed class StreamingPredictionTests
{
    private sealed class Row
    {
        public string ImagePath { get; set; } = string.Empty;
    }

    public static IEnumerable<object[]> Cases() =>
    [
        // name, classes, activation, tile (h, w), overlap, blend, tiles per run, threshold, image width, height, TTA
        ["5-class logits, gaussian", 5, false, 16, 20, 0.25, TileBlend.Gaussian, 3, 0.5f, 70, 53, "none"],
        ["5-class probabilities, constant 0.5", 5, true, 12, 12, 0.5, TileBlend.Constant, 1, 0.5f, 41, 47, "none"],
        ["binary sigmoid, threshold 0.3", 1, true, 16, 16, 0.25, TileBlend.Gaussian, 2, 0.3f, 45, 61, "none"],
        ["binary logits, threshold 0.7", 1, false, 10, 14, 0.0, TileBlend.Constant, 4, 0.7f, 33, 29, "none"],
        ["image smaller than a tile", 3, false, 32, 32, 0.25, TileBlend.Gaussian, 1, 0.5f, 20, 25, "none"],
        ["5-class logits, flip TTA merged as probabilities", 5, false, 16, 16, 0.25, TileBlend.Gaussian, 2, 0.5f, 50, 43, "flip"],
        ["binary logits, d4 TTA merged as logits, two scales", 1, false, 16, 16, 0.25, TileBlend.Constant, 3, 0.4f, 37, 45, "d4-logits-scales"],
    ];

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void StreamedMaskEqualsTheTiledPipeline(string name, int classes, bool activation, int tileHeight, int tileWidth, double overlap, TileBlend blend, int tilesPerRun, float threshold, int width, int height, string tta)
    {
        using var folder = new TempDirectory();
        string path = folder.File("image.png");
        WriteNoisyImage(path, width, height, seed: width * height);
        byte[] model = TestModels.SpatialHead(classes, activation);
        var imageOptions = new ImageTensorOptions { Mean = ImageTensorOptions.ImageNetMean, Std = ImageTensorOptions.ImageNetStd, ChannelOrder = ChannelOrder.Bgr };
        var tiling = new TilingOptions { TileSize = [tileHeight, tileWidth], Overlap = [overlap], Blend = blend, TilesPerRun = tilesPerRun };
        string[] names = Enumerable.Range(0, Math.Max(classes, 2)).Select(k => $"c{k}").ToArray();
        TestTimeAugmentationOptions? augmentation = tta switch
        {
            "flip" => new TestTimeAugmentationOptions { Flips = TtaFlips.HorizontalAndVertical },
            "d4-logits-scales" => new TestTimeAugmentationOptions { Flips = TtaFlips.D4, Merge = TtaMerge.Logits, Scales = [0.75, 1.0] },
            _ => null,
        };

        (uint[] expectedMask, float[] expectedConfidence) = PredictWithPipeline(path, model, imageOptions, new OnnxSessionOptions { Tiling = tiling, TestTimeAugmentation = augmentation }, names, threshold);

        using SegmentationModel segmentation = SegmentationModel.Load(model);
        var predictor = new TiledMaskPredictor(segmentation, imageOptions, tiling, threshold, augmentation) { ComputeConfidence = true, ExpectedClasses = names.Length };
        var labels = new int[width * height];
        var confidence = new float[width * height];
        int nextRow = 0;
        ImageGeometry geometry = predictor.Predict(path, (row, rowLabels, rowConfidence) =>
        {
            Assert.AreEqual(nextRow++, row, $"{name}: rows arrive top to bottom, once each");
            Assert.AreEqual(width, rowLabels.Length);
            Assert.AreEqual(width, rowConfidence.Length);
            rowLabels.CopyTo(labels.AsSpan(row * width));
            rowConfidence.CopyTo(confidence.AsSpan(row * width));
        });

        Assert.AreEqual(height, nextRow, name);
        Assert.AreEqual(width, geometry.OriginalWidth);
        Assert.AreEqual(height, geometry.OriginalHeight);
        Assert.AreEqual(classes, predictor.Channels);
        Assert.IsTrue(predictor.PeakScoreBufferFloats < (long)classes * height * width || height <= tileHeight, $"{name}: the band ({predictor.PeakScoreBufferFloats} floats) is smaller than the full scores");
        Assert.IsTrue(labels.Distinct().Count() > 1, $"{name}: the mask has more than one class, so the comparison means something");
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] != (int)expectedMask[i] - 1 || BitConverter.SingleToInt32Bits(confidence[i]) != BitConverter.SingleToInt32Bits(expectedConfidence[i]))
            {
                Assert.Fail($"{name}: pixel ({i % width}, {i / width}): streamed {labels[i]} ({confidence[i]}), pipeline {(int)expectedMask[i] - 1} ({expectedConfidence[i]})");
            }
        }
    }

    [TestMethod]
    public void WithoutConfidenceTheRowsCarryNone()
    {
        using var folder = new TempDirectory();
        string path = folder.File("image.png");
        WriteNoisyImage(path, 30, 22, seed: 3);
        using SegmentationModel model = SegmentationModel.Load(TestModels.SpatialHead(5));
        var predictor = new TiledMaskPredictor(model, null, new TilingOptions { TileSize = [8, 8] });
        int rows = 0;
        predictor.Predict(path, (_, labels, confidence) =>
        {
            Assert.AreEqual(30, labels.Length);
            Assert.AreEqual(0, confidence.Length);
            rows++;
        });
        Assert.AreEqual(22, rows);
    }

    [TestMethod]
    public void ClassCountMismatchResizeModesAndMasksAreRefused()
    {
        using var folder = new TempDirectory();
        string path = folder.File("image.png");
        WriteNoisyImage(path, 20, 20, seed: 5);
        var tiling = new TilingOptions { TileSize = [8, 8] };
        using SegmentationModel model = SegmentationModel.Load(TestModels.SpatialHead(5));
        var predictor = new TiledMaskPredictor(model, null, tiling) { ExpectedClasses = 4 };
        InvalidOperationException mismatch = Assert.ThrowsExactly<InvalidOperationException>(() => predictor.Predict(path, (_, _, _) => { }));
        StringAssert.Contains(mismatch.Message, "5 score channels");

        NotSupportedException resize = Assert.ThrowsExactly<NotSupportedException>(() => new TiledMaskPredictor(model, new ImageTensorOptions { ResizeMode = ImageResizeMode.Stretch, Width = 8, Height = 8 }, tiling));
        StringAssert.Contains(resize.Message, "ImageTensorOptions.ResizeMode");

        using SegmentationModel mask = SegmentationModel.Load(TestModels.ArgmaxMask());
        Assert.ThrowsExactly<NotSupportedException>(() => new TiledMaskPredictor(mask, null, tiling));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TiledMaskPredictor(model, null, tiling, threshold: 1f));

        var limited = new TiledMaskPredictor(model, new ImageTensorOptions { MaxPixels = 399 }, tiling);
        InvalidDataException tooLarge = Assert.ThrowsExactly<InvalidDataException>(() => limited.Predict(path, (_, _, _) => { }));
        StringAssert.Contains(tooLarge.Message, "ImageTensorOptions.MaxPixels");
    }

    private static (uint[] Mask, float[] Confidence) PredictWithPipeline(string path, byte[] model, ImageTensorOptions imageOptions, OnnxSessionOptions session, string[] names, float threshold)
    {
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(new[] { new Row { ImagePath = path } });
        ITransformer fitted = ml.Segmentation().Transforms.LoadImages(options: imageOptions)
            .Append(ml.Segmentation().Transforms.ScoreOnnx(model, options: session))
            .Append(ml.Segmentation().Transforms.PredictMasks(names, threshold: threshold, restoreOriginalSize: true, confidenceColumnName: "Confidence"))
            .Fit(input);
        IDataView output = fitted.Transform(input);
        VBuffer<uint> mask = default;
        VBuffer<float> confidence = default;
        using (DataViewRowCursor cursor = output.GetRowCursor(output.Schema.Where(c => c.Name is "PredictedMask" or "Confidence")))
        {
            Assert.IsTrue(cursor.MoveNext());
            cursor.GetGetter<VBuffer<uint>>(output.Schema["PredictedMask"])(ref mask);
            cursor.GetGetter<VBuffer<float>>(output.Schema["Confidence"])(ref confidence);
        }

        Transformers.DisposeAll(fitted);
        return (mask.DenseValues().ToArray(), confidence.DenseValues().ToArray());
    }

    /// <summary>Smooth colour fields plus noise: the spatial head then gives several classes with ragged borders.</summary>
    private static void WriteNoisyImage(string path, int width, int height, int seed)
    {
        var random = new Random(seed);
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int noise = random.Next(-40, 41);
                image[x, y] = new Rgb24(
                    (byte)Math.Clamp((x * 255 / width) + noise, 0, 255),
                    (byte)Math.Clamp((y * 255 / height) - noise, 0, 255),
                    (byte)Math.Clamp(((x + y) * 4 % 256) + noise, 0, 255));
            }
        }

        image.SaveAsPng(path);
    }
}
