using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Tiling;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary>
/// <c>segml predict --tile</c> streams each mask band by band; its files must be byte for byte those the tiled pipeline
/// (LoadImages → ScoreOnnx with Tiling → PredictMasks, written with <see cref="MaskWriter"/>) gives.
/// </summary>
[TestClass]
public sealed class StreamedPredictCommandTests
{
    private sealed class Row
    {
        public string ImagePath { get; set; } = string.Empty;
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void StreamedTilePredictionWritesThePipelinesFiles(bool flipAugmentation)
    {
        using var data = new GeneratedDataset(("wide", 45, 37), ("tall", 20, 70));
        string model = data.File("spatial.onnx");
        File.WriteAllBytes(model, TestModels.SpatialHead(5));
        string output = data.Sub("out");
        string[] tta = flipAugmentation ? ["--tta", "flip"] : [];
        (int code, string stdout, string stderr) = Cli.Run(PredictCommand.Run,
            ["--model", model, "--images", data.Images, "--out", output, "--classes", "5", "--imagenet", "--bgr",
            "--tile", "16x12", "--tile-overlap", "0.25", "--blend", "gaussian", "--tile-batch", "3", "--color", "--confidence", "--json", .. tta]);
        Assert.AreEqual(0, code, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        JsonElement[] images = json.RootElement.GetProperty("images").EnumerateArray().ToArray();
        Assert.HasCount(2, images);
        Assert.IsFalse(json.RootElement.GetProperty("partial").GetBoolean());

        var imageOptions = new ImageTensorOptions { Mean = ImageTensorOptions.ImageNetMean, Std = ImageTensorOptions.ImageNetStd, ChannelOrder = ChannelOrder.Bgr };
        var session = new OnnxSessionOptions
        {
            Tiling = new TilingOptions { TileSize = [12, 16], Overlap = [0.25], Blend = TileBlend.Gaussian, TilesPerRun = 3 },
            TestTimeAugmentation = flipAugmentation ? new TestTimeAugmentationOptions { Flips = TtaFlips.HorizontalAndVertical } : null,
        };
        string expected = data.Sub("expected");
        foreach (string name in new[] { "wide", "tall" })
        {
            string image = Path.Combine(data.Images, name + ".png");
            WriteWithPipeline(image, File.ReadAllBytes(model), imageOptions, session, expected, name);
            JsonElement entry = images.Single(e => e.GetProperty("image").GetString() == image);
            Assert.AreEqual(Path.Combine(output, name + ".png"), entry.GetProperty("mask").GetString());
            Assert.AreEqual(Path.Combine(output, name + "_color.png"), entry.GetProperty("color").GetString());
            Assert.AreEqual(Path.Combine(output, name + "_confidence.png"), entry.GetProperty("confidence").GetString());
            foreach (string suffix in new[] { ".png", "_color.png", "_confidence.png" })
            {
                CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(expected, name + suffix)), File.ReadAllBytes(Path.Combine(output, name + suffix)), name + suffix);
            }
        }
    }

    [TestMethod]
    public void TooLargeImagesSayHowToRaiseTheLimit()
    {
        using var data = new GeneratedDataset(("big", 40, 30));
        (int code, _, string stderr) = Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", data.Images, "--out", data.Sub("out"), "--tile", "16x16", "--max-pixels", "1000");
        Assert.AreEqual(ExitCodes.BadInput, code);
        StringAssert.Contains(stderr, "--max-pixels");
    }

    private static void WriteWithPipeline(string image, byte[] model, ImageTensorOptions imageOptions, OnnxSessionOptions session, string folder, string name)
    {
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(new[] { new Row { ImagePath = image } });
        string[] names = Enumerable.Range(0, 5).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        ITransformer fitted = ml.Segmentation().Transforms.LoadImages(options: imageOptions)
            .Append(ml.Segmentation().Transforms.ScoreOnnx(model, options: session))
            .Append(ml.Segmentation().Transforms.PredictMasks(names, restoreOriginalSize: true, confidenceColumnName: "Confidence"))
            .Fit(input);
        IDataView output = fitted.Transform(input);
        VBuffer<uint> mask = default;
        VBuffer<float> confidence = default;
        VBuffer<int> geometryValue = default;
        using (DataViewRowCursor cursor = output.GetRowCursor(output.Schema.Where(c => c.Name is "PredictedMask" or "Confidence" or "ImageGeometry")))
        {
            Assert.IsTrue(cursor.MoveNext());
            cursor.GetGetter<VBuffer<uint>>(output.Schema["PredictedMask"])(ref mask);
            cursor.GetGetter<VBuffer<float>>(output.Schema["Confidence"])(ref confidence);
            cursor.GetGetter<VBuffer<int>>(output.Schema["ImageGeometry"])(ref geometryValue);
        }

        ImageGeometry geometry = ColumnTypes.ToGeometry(geometryValue);
        int[] labels = mask.DenseValues().Select(k => (int)k - 1).ToArray();
        int[] levels = confidence.DenseValues().Select(p => (int)Math.Round(Math.Clamp(p, 0f, 1f) * 255)).ToArray();
        MaskWriter.SaveIndexPng(labels, geometry.OriginalWidth, geometry.OriginalHeight, 5, Path.Combine(folder, name + ".png"), ignoreIndex: null);
        MaskWriter.SaveColorPng(labels, geometry.OriginalWidth, geometry.OriginalHeight, Path.Combine(folder, name + "_color.png"));
        MaskWriter.SaveIndexPng(levels, geometry.OriginalWidth, geometry.OriginalHeight, 256, Path.Combine(folder, name + "_confidence.png"), ignoreIndex: null);
        Assert.IsTrue(labels.Distinct().Count() > 1, $"{name}: several classes, so the comparison means something");
        Transformers.DisposeAll(fitted);
    }
}
