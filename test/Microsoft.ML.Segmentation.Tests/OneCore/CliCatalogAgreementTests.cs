using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tiling;
using Microsoft.ML.Segmentation.Tests.Cli;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Transforms;
using CliRunner = Microsoft.ML.Segmentation.Tests.Cli.Cli;

namespace Microsoft.ML.Segmentation.Tests.OneCore;

/// <summary>
/// <c>segml eval</c>/<c>predict</c> and the catalog a user composes give the same results: the eval JSON holds the
/// document of <see cref="SegmentationMetrics.ToJson"/> field for field, and predicted masks equal a
/// <c>PredictionEngine</c>'s over the same stages.
/// </summary>
[TestClass]
public sealed class CliCatalogAgreementTests
{
    private static readonly string[] s_names = ["bg", "a", "b", "c"];

    /// <summary>The fields <c>segml eval --json</c> adds about the run; every other field is the library's.</summary>
    private static readonly string[] s_runFields = ["model", "options", "partial", "imagesGiven", "imagesDone", "meanCrossEntropy"];

    public sealed class ImageRow
    {
        public string ImagePath { get; set; } = string.Empty;
    }

    public sealed class PredictedRow
    {
        [VectorType]
        public uint[] PredictedMask { get; set; } = [];
    }

    [TestMethod]
    [DataRow(false, false, false)]
    [DataRow(true, false, false)]
    [DataRow(false, true, false)]
    [DataRow(false, false, true)]
    public void EvalJsonHoldsTheCatalogsMetricsDocumentFieldForField(bool boundary, bool tiled, bool calibration)
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6), ("three", 9, 4), ("four", 5, 8));
        string json = data.File("metrics.json");
        var args = new List<string> { "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", string.Join(',', s_names), "--mean", "0.5", "--std", "0.25", "--json", json };
        if (boundary)
        {
            args.Add("--boundary");
        }

        if (calibration)
        {
            args.Add("--calibration");
        }

        if (tiled)
        {
            args.AddRange(["--tile", "4x3", "--tile-overlap", "0.5", "--blend", "gaussian", "--tile-batch", "3"]);
        }

        (int code, _, string stderr) = CliRunner.Run(EvalCommand.Run, [.. args]);
        Assert.AreEqual(0, code, stderr);

        var ml = new MLContext(seed: 0);
        SegmentationTransforms t = ml.Segmentation().Transforms;
        IDataView pairs = ml.Segmentation().LoadFromFolders(data.Images, data.Masks);
        var image = new ImageTensorOptions { Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f] };
        IDataView loaded = t.LoadImages(options: image).Append(t.LoadMasks(s_names)).Fit(pairs).Transform(pairs);
        var session = new OnnxSessionOptions
        {
            Tiling = tiled ? new TilingOptions { TileSize = [3, 4], Overlap = [0.5], Blend = TileBlend.Gaussian, TilesPerRun = 3 } : null,
        };
        using OnnxScoringTransformer scorer = t.ScoreOnnx(data.Model, options: session).Fit(loaded);
        IDataView scored = scorer.Transform(loaded);
        IDataView predicted = t.PredictMasks(s_names).Fit(scored).Transform(scored);
        SegmentationMetrics metrics = ml.Segmentation().Evaluate(predicted, options: new SegmentationEvaluatorOptions
        {
            BoundaryMetrics = boundary ? BoundaryMetricOptions.Hd95() : null,
            Calibration = calibration ? new CalibrationOptions() : null,
        });

        JsonObject cliDocument = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        AssertSameFields(JsonNode.Parse(metrics.ToJson())!.AsObject(), cliDocument);
        Assert.AreEqual(calibration, cliDocument.ContainsKey("calibration"), "the calibration field is there exactly with --calibration");
        if (calibration)
        {
            Assert.IsTrue(metrics.Calibration!.ExpectedCalibrationError is >= 0 and <= 1, $"ECE {metrics.Calibration.ExpectedCalibrationError}");
            Assert.AreEqual(metrics.PixelCount, metrics.Calibration.TopLabelBins.Sum(b => b.Count), "every counted pixel is binned once");
        }
    }

    [TestMethod]
    public void EvalOnTheLrasppFixtureEqualsEvaluateFieldForField()
    {
        string dir = SharedData.RequireDirectory("fixtures/scenes-lraspp");
        string[] classes = ["background", "disc", "box", "triangle", "ring"];
        using var temp = new TempDirectory();
        string json = temp.File("metrics.json");
        (int code, _, string stderr) = CliRunner.Run(
            EvalCommand.Run, "--model", Path.Combine(dir, "model.onnx"), "--images", Path.Combine(dir, "images"), "--masks", Path.Combine(dir, "masks"),
            "--classes", string.Join(',', classes), "--imagenet", "--json", json);
        Assert.AreEqual(0, code, stderr);

        var ml = new MLContext(seed: 0);
        SegmentationTransforms t = ml.Segmentation().Transforms;
        IDataView pairs = ml.Segmentation().LoadFromFolders(Path.Combine(dir, "images"), Path.Combine(dir, "masks"));
        IDataView loaded = t.LoadImages(options: ImageTensorOptions.ImageNet()).Append(t.LoadMasks(classes)).Fit(pairs).Transform(pairs);
        using OnnxScoringTransformer scorer = t.ScoreOnnx(Path.Combine(dir, "model.onnx")).Fit(loaded);
        IDataView scored = scorer.Transform(loaded);
        IDataView predicted = t.PredictMasks(classes).Fit(scored).Transform(scored);
        SegmentationMetrics metrics = ml.Segmentation().Evaluate(predicted);

        AssertSameFields(JsonNode.Parse(metrics.ToJson())!.AsObject(), JsonNode.Parse(File.ReadAllText(json))!.AsObject());
    }

    [TestMethod]
    [DataRow("none")]
    [DataRow("letterbox")]
    public void PredictMasksEqualAPredictionEnginesOverTheSameStages(string resize)
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6), ("three", 9, 4));
        string output = data.Sub("out");
        var args = new List<string> { "--model", data.Model, "--images", data.Images, "--out", output, "--mean", "0.5", "--std", "0.25", "--classes", string.Join(',', s_names) };
        var image = new ImageTensorOptions { Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f] };
        if (resize == "letterbox")
        {
            args.AddRange(["--resize", "letterbox", "--size", "8x8"]);
            image.ResizeMode = ImageResizeMode.Letterbox;
            image.Width = 8;
            image.Height = 8;
        }

        (int code, _, string stderr) = CliRunner.Run(PredictCommand.Run, [.. args]);
        Assert.AreEqual(0, code, stderr);

        var ml = new MLContext(seed: 0);
        SegmentationTransforms t = ml.Segmentation().Transforms;
        IDataView empty = ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>());
        ITransformer model = t.LoadImages(options: image).Append(t.ScoreOnnx(data.Model)).Append(t.PredictMasks(s_names, restoreOriginalSize: true)).Fit(empty);
        using var engine = ml.Model.CreatePredictionEngine<ImageRow, PredictedRow>(model);
        var reader = new SegmentationMaskLoader(new MaskOptions { ClassCount = s_names.Length, IgnoreIndex = null });
        foreach (string file in Directory.GetFiles(data.Images))
        {
            uint[] keys = engine.Predict(new ImageRow { ImagePath = file }).PredictedMask;
            LabelMap written = reader.Load(Path.Combine(output, Path.GetFileName(file)));
            CollectionAssert.AreEqual(keys.Select(k => (int)k - 1).ToArray(), written.Labels, file);
        }

        (model as IDisposable)?.Dispose();
    }

    /// <summary>Every field of the library's document is in the CLI's with the same value; the CLI adds only the run's fields.</summary>
    private static void AssertSameFields(JsonObject library, JsonObject cli)
    {
        foreach ((string name, JsonNode? value) in library)
        {
            Assert.IsTrue(cli.ContainsKey(name), $"segml eval --json lacks '{name}'");
            Assert.IsTrue(JsonNode.DeepEquals(value, cli[name]), $"'{name}': library {value?.ToJsonString()} but CLI {cli[name]?.ToJsonString()}");
        }

        CollectionAssert.AreEquivalent(s_runFields, cli.Select(p => p.Key).Except(library.Select(p => p.Key)).ToArray());
    }
}
