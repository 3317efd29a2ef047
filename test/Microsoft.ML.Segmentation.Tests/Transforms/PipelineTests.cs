using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>
/// The ML.NET pipeline end to end on generated images, masks and a generated ONNX model, against the same steps
/// done directly with the library's layers.
/// </summary>
[TestClass]
public sealed class PipelineTests
{
    private static readonly string[] Classes = { "background", "a", "b", "c" };

    public sealed class Paths
    {
        public string ImagePath { get; set; } = string.Empty;

        public string MaskPath { get; set; } = string.Empty;
    }

    private sealed record Dataset(string Folder, Paths[] Rows, string ModelPath) : IDisposable
    {
        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    private static Dataset CreateDataset() => CreateDataset([(16, 12), (9, 7), (20, 20)]);

    private static Dataset CreateDataset((int Width, int Height)[] sizes)
    {
        string folder = Path.Combine(Path.GetTempPath(), "segml-pipeline-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var random = new Random(3);
        var rows = new List<Paths>();
        foreach ((int index, (int w, int h)) in sizes.Index())
        {
            string name = $"img{index}_{w}x{h}";
            using (var image = new Image<Rgb24>(w, h))
            {
                for (int y = 0; y < h; y++)
                {
                    for (int x = 0; x < w; x++)
                    {
                        image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                    }
                }

                image.SaveAsPng(Path.Combine(folder, name + ".png"));
            }

            using (var mask = new Image<L8>(w, h))
            {
                for (int y = 0; y < h; y++)
                {
                    for (int x = 0; x < w; x++)
                    {
                        mask[x, y] = new L8((byte)(random.NextDouble() < 0.1 ? 255 : random.Next(4)));
                    }
                }

                mask.SaveAsPng(Path.Combine(folder, name + "_mask.png"));
            }

            rows.Add(new Paths { ImagePath = Path.Combine(folder, name + ".png"), MaskPath = Path.Combine(folder, name + "_mask.png") });
        }

        string model = Path.Combine(folder, "head.onnx");
        File.WriteAllBytes(model, TestModels.ConvHead());
        return new Dataset(folder, rows.ToArray(), model);
    }

    private static IEstimator<ITransformer> Pipeline(MLContext ml, Dataset data)
        => ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.LoadMasks(Classes))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(data.ModelPath))
            .Append(ml.Segmentation().Transforms.ComputeLosses(new Dictionary<string, ISegmentationLoss>
            {
                ["CrossEntropy"] = new CrossEntropyLoss(),
                ["Dice"] = new DiceLoss(),
            }))
            .Append(ml.Segmentation().Transforms.PredictMasks(Classes));

    [TestMethod]
    public void PipelineMatchesTheLayersUsedDirectly()
    {
        using Dataset data = CreateDataset();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        ITransformer model = Pipeline(ml, data).Fit(input);
        IDataView scored = model.Transform(input);
        SegmentationMetrics metrics = ml.Segmentation().Evaluate(scored);

        // The same, by hand: loader → model → losses → argmax → evaluator.
        var images = new SegmentationImageLoader();
        var masks = new SegmentationMaskLoader(new MaskOptions { ClassCount = 4 });
        using SegmentationModel onnx = SegmentationModel.Load(data.ModelPath, new OnnxSessionOptions { UpsampleToInput = true });
        var evaluator = new SegmentationEvaluator(4, new SegmentationEvaluatorOptions { IgnoreIndex = 255, ClassNames = Classes });
        var expectedCe = new List<float>();
        var expectedDice = new List<float>();
        foreach (Paths row in data.Rows)
        {
            ImageTensor tensor = images.Load(row.ImagePath);
            int[] truth = masks.Load(row.MaskPath).Labels;
            var shape = new SegmentationShape(1, 4, tensor.Height, tensor.Width);
            var scores = new float[shape.ElementCount];
            onnx.Run(tensor.Data, 1, tensor.Height, tensor.Width, scores);
            CollectionAssert.AreEqual(TestModels.ConvHeadReference(tensor.Data, 1, tensor.Height, tensor.Width).Select(v => MathF.Round(v, 4)).ToArray(), scores.Select(v => MathF.Round(v, 4)).ToArray());
            expectedCe.Add((float)new CrossEntropyLoss().Compute<float>(scores, shape, SegmentationTarget<float>.FromLabels(truth, 255)));
            expectedDice.Add((float)new DiceLoss().Compute<float>(scores, shape, SegmentationTarget<float>.FromLabels(truth, 255)));
            var predicted = new int[tensor.Height * tensor.Width];
            MaskPrediction.Argmax<float>(scores, shape, predicted);
            evaluator.Add(predicted, truth);
        }

        SegmentationMetrics expected = evaluator.GetMetrics();
        Assert.AreEqual(expected.GetFormattedConfusionTable(), metrics.GetFormattedConfusionTable());
        Assert.AreEqual(expected.MeanIoU, metrics.MeanIoU, 1e-12);
        CollectionAssert.AreEqual(Classes, metrics.ClassNames.ToArray());

        float[] ce = scored.GetColumn<float>("CrossEntropy").ToArray();
        float[] dice = scored.GetColumn<float>("Dice").ToArray();
        for (int i = 0; i < data.Rows.Length; i++)
        {
            Assert.AreEqual(expectedCe[i], ce[i], 1e-6f);
            Assert.AreEqual(expectedDice[i], dice[i], 1e-6f);
        }

        Transformers.DisposeAll(model);
    }

    /// <summary>
    /// The mask and loss stages keep their label arrays between rows: rows of one size, with another size between
    /// them, each still get their own file's labels and losses (a stale or shared array would repeat a row).
    /// </summary>
    [TestMethod]
    public void RowsOfOneSizeKeepTheirOwnMasksAndLosses()
    {
        using Dataset data = CreateDataset([(16, 12), (16, 12), (9, 7), (16, 12), (16, 12)]);
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        IDataView scored = Pipeline(ml, data).Fit(input).Transform(input);

        var masks = new SegmentationMaskLoader(new MaskOptions { ClassCount = 4 });
        var images = new SegmentationImageLoader();
        using SegmentationModel onnx = SegmentationModel.Load(data.ModelPath, new OnnxSessionOptions { UpsampleToInput = true });
        uint[][] keys = scored.GetColumn<VBuffer<uint>>("Mask").Select(v => v.DenseValues().ToArray()).ToArray(); // copied as read: the column reuses its buffer
        float[] ce = scored.GetColumn<float>("CrossEntropy").ToArray();
        for (int i = 0; i < data.Rows.Length; i++)
        {
            int[] truth = masks.Load(data.Rows[i].MaskPath).Labels;
            CollectionAssert.AreEqual(truth.Select(l => l == 255 ? 0u : (uint)l + 1).ToArray(), keys[i], $"row {i}: mask");
            ImageTensor tensor = images.Load(data.Rows[i].ImagePath);
            var shape = new SegmentationShape(1, 4, tensor.Height, tensor.Width);
            var scores = new float[shape.ElementCount];
            onnx.Run(tensor.Data, 1, tensor.Height, tensor.Width, scores);
            Assert.AreEqual((float)new CrossEntropyLoss().Compute<float>(scores, shape, SegmentationTarget<float>.FromLabels(truth, 255)), ce[i], 1e-6f, $"row {i}: loss");
        }
    }

    public sealed class Prediction
    {
        [VectorType]
        public uint[] PredictedMask { get; set; } = Array.Empty<uint>();

        public float Dice { get; set; }
    }

    [TestMethod]
    public void PredictionEngineEqualsBatchTransform()
    {
        using Dataset data = CreateDataset();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        ITransformer model = Pipeline(ml, data).Fit(input);
        Prediction[] batch = ml.Data.CreateEnumerable<Prediction>(model.Transform(input), reuseRowObject: false).ToArray();
        using PredictionEngine<Paths, Prediction> engine = ml.Model.CreatePredictionEngine<Paths, Prediction>(model);
        for (int i = 0; i < data.Rows.Length; i++)
        {
            Prediction single = engine.Predict(data.Rows[i]);
            CollectionAssert.AreEqual(batch[i].PredictedMask, single.PredictedMask);
            Assert.AreEqual(batch[i].Dice, single.Dice);
        }

        Transformers.DisposeAll(model);
    }

    [TestMethod]
    public void SchemaCarriesTypesAndClassNames()
    {
        using Dataset data = CreateDataset();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        IEstimator<ITransformer> pipeline = Pipeline(ml, data);
        SchemaShape shape = pipeline.GetOutputSchema(SchemaShapeOf(ml, input));
        Assert.IsTrue(shape.Any(c => c.Name == "PredictedMask" && c.IsKey && c.Kind == SchemaShape.Column.VectorKind.VariableVector));
        Assert.IsTrue(shape.Any(c => c.Name == "ImageGeometry" && c.Kind == SchemaShape.Column.VectorKind.Vector));
        Assert.IsTrue(shape.Any(c => c.Name == "Dice" && c.Kind == SchemaShape.Column.VectorKind.Scalar));

        IDataView scored = pipeline.Fit(input).Transform(input);
        DataViewSchema.Column mask = scored.Schema["Mask"];
        VBuffer<ReadOnlyMemory<char>> names = default;
        mask.GetKeyValues(ref names);
        CollectionAssert.AreEqual(Classes, names.DenseValues().Select(n => n.ToString()).ToArray());
    }

    [TestMethod]
    public void MissingColumnsAndModelSaveGiveClearErrors()
    {
        using Dataset data = CreateDataset();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Segmentation().Transforms.LoadImages(inputColumnName: "Nope").Fit(input));
        StringAssert.Contains(ex.Message, "'Nope'");
        ITransformer images = ml.Segmentation().Transforms.LoadImages().Fit(input);
        var save = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(images, input.Schema, Path.Combine(data.Folder, "m.zip")));
        StringAssert.Contains(save.Message, "own format");
    }

    public sealed class Scored
    {
        [VectorType]
        public float[] Scores { get; set; } = Array.Empty<float>();

        [VectorType]
        public uint[] PredictedMask { get; set; } = Array.Empty<uint>();
    }

    [TestMethod]
    public void SavedAndLoadedPipelineScoresIdentically()
    {
        using Dataset data = CreateDataset();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        ImageTensorOptions imageOptions = ImageTensorOptions.ImageNet();
        imageOptions.ResizeMode = ImageResizeMode.Letterbox;
        imageOptions.Width = 24;
        imageOptions.Height = 16;
        ITransformer model = ml.Segmentation().Transforms.LoadImages(options: imageOptions)
            .Append(ml.Segmentation().Transforms.LoadMasks(Classes, options: new MaskOptions { IgnoreIndex = 255 }))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(data.ModelPath))
            .Append(ml.Segmentation().Transforms.PredictMasks(Classes, restoreOriginalSize: true))
            .Fit(input);
        string file = Path.Combine(data.Folder, "model.segml");
        ml.Segmentation().SaveModel(model, file);
        File.Delete(data.ModelPath); // the saved file must carry the ONNX model itself

        ITransformer loaded = ml.Segmentation().LoadModel(file);
        Scored[] before = ml.Data.CreateEnumerable<Scored>(model.Transform(input), reuseRowObject: false).ToArray();
        Scored[] after = ml.Data.CreateEnumerable<Scored>(loaded.Transform(input), reuseRowObject: false).ToArray();
        Assert.AreEqual(before.Length, after.Length);
        for (int i = 0; i < before.Length; i++)
        {
            CollectionAssert.AreEqual(before[i].Scores, after[i].Scores);
            CollectionAssert.AreEqual(before[i].PredictedMask, after[i].PredictedMask);
        }

        VBuffer<ReadOnlyMemory<char>> names = default;
        loaded.GetOutputSchema(input.Schema)["Mask"].GetKeyValues(ref names);
        CollectionAssert.AreEqual(Classes, names.DenseValues().Select(n => n.ToString()).ToArray());
        Transformers.DisposeAll(model);
        Transformers.DisposeAll(loaded);
    }

    [TestMethod]
    public void UnsavableStagesAndForeignFilesAreRejected()
    {
        using Dataset data = CreateDataset();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        // The built-in losses are saved (LossStageArchiveTests); an application's own loss is not.
        ITransformer withLosses = Pipeline(ml, data)
            .Append(ml.Segmentation().Transforms.ComputeLosses(new Dictionary<string, ISegmentationLoss> { ["Mine"] = new MeanScoreLoss() }))
            .Fit(input);
        var ex = Assert.ThrowsExactly<NotSupportedException>(() => ml.Segmentation().SaveModel(withLosses, Path.Combine(data.Folder, "x.segml")));
        StringAssert.Contains(ex.Message, "ComputeLosses");
        StringAssert.Contains(ex.Message, nameof(MeanScoreLoss));
        Assert.IsFalse(File.Exists(Path.Combine(data.Folder, "x.segml")), "nothing is written when a stage cannot be saved");
        ITransformer foreign = ml.Transforms.CopyColumns("Copy", "ImagePath").Fit(input);
        Assert.ThrowsExactly<NotSupportedException>(() => ml.Segmentation().SaveModel(foreign, Path.Combine(data.Folder, "y.segml")));
        string notAModel = Path.Combine(data.Folder, "z.segml");
        File.WriteAllBytes(notAModel, new byte[] { 1, 2, 3 });
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Segmentation().LoadModel(notAModel));
        Transformers.DisposeAll(withLosses);
    }

    public sealed class Confident
    {
        [VectorType]
        public float[] Scores { get; set; } = Array.Empty<float>();

        [VectorType]
        public uint[] PredictedMask { get; set; } = Array.Empty<uint>();

        [VectorType]
        public float[] Confidence { get; set; } = Array.Empty<float>();
    }

    [TestMethod]
    public void ConfidenceIsTheWinningSoftmaxProbability()
    {
        using Dataset data = CreateDataset();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        ITransformer model = ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.ScoreOnnx(File.ReadAllBytes(data.ModelPath)))
            .Append(ml.Segmentation().Transforms.PredictMasks(Classes, confidenceColumnName: "Confidence"))
            .Fit(input);
        foreach (Confident row in ml.Data.CreateEnumerable<Confident>(model.Transform(input), reuseRowObject: false))
        {
            int pixels = row.PredictedMask.Length;
            var shape = new SegmentationShape(1, 4, 1, pixels);
            var probabilities = new float[row.Scores.Length];
            ActivationKernels.Softmax<float>(row.Scores, shape, probabilities);
            for (int i = 0; i < pixels; i++)
            {
                int winner = (int)row.PredictedMask[i] - 1;
                Assert.AreEqual(probabilities[(winner * pixels) + i], row.Confidence[i], 1e-5f);
                Assert.IsTrue(Enumerable.Range(0, 4).All(k => probabilities[(k * pixels) + i] <= row.Confidence[i] + 1e-6f));
            }
        }

        Transformers.DisposeAll(model);
    }

    [TestMethod]
    public void EvaluateComputesBoundaryMetricsWhenAsked()
    {
        using Dataset data = CreateDataset();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        ITransformer model = Pipeline(ml, data).Fit(input);
        IDataView scored = model.Transform(input);
        SegmentationMetrics plain = ml.Segmentation().Evaluate(scored);
        SegmentationMetrics withBoundary = ml.Segmentation().Evaluate(scored, options: new SegmentationEvaluatorOptions { BoundaryMetrics = BoundaryMetricOptions.Hd95() });
        Assert.IsNull(plain.Boundary);
        Assert.IsNotNull(withBoundary.Boundary);
        Assert.AreEqual(plain.MeanIoU, withBoundary.MeanIoU, 1e-12);
        Assert.AreEqual(4, withBoundary.Boundary.PerClassBoundaryIoU.Count);
        Assert.IsTrue(withBoundary.Boundary.PerClassBoundaryIoU.Where(double.IsFinite).All(v => v is >= 0 and <= 1));
        Transformers.DisposeAll(model);
    }

    [TestMethod]
    public void IntegerMaskModelFeedsEvaluateDirectly()
    {
        using Dataset data = CreateDataset();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);

        // The ArgMax model is the conv head followed by ArgMax: its mask must equal PredictMasks over the head's scores.
        ITransformer viaMask = ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.LoadMasks(Classes))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(TestModels.ArgmaxMask(), outputColumnName: "PredictedMask", maskClassNames: Classes))
            .Fit(input);
        ITransformer viaScores = Pipeline(ml, data).Fit(input);
        SegmentationMetrics fromMask = ml.Segmentation().Evaluate(viaMask.Transform(input));
        SegmentationMetrics fromScores = ml.Segmentation().Evaluate(viaScores.Transform(input));
        Assert.AreEqual(fromScores.GetFormattedConfusionTable(), fromMask.GetFormattedConfusionTable());

        var ex = Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().Transforms.ScoreOnnx(TestModels.ArgmaxMask()));
        StringAssert.Contains(ex.Message, "maskClassNames");
        Transformers.DisposeAll(viaMask);
        Transformers.DisposeAll(viaScores);
    }

    /// <summary>The schema shape of the two path columns (ML.NET keeps SchemaShape.Create internal).</summary>
    private static SchemaShape SchemaShapeOf(MLContext ml, IDataView data)
    {
        _ = ml;
        return SchemaShapes.Extend(new SchemaShape(Array.Empty<SchemaShape.Column>()), data.Schema.Select(c => new SegmentationColumn(c.Name, c.Type)).ToArray());
    }
}
