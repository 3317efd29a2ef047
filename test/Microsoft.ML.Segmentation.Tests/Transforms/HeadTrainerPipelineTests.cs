using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Graph;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Tests.Training;
using Microsoft.ML.Segmentation.Training;
using Microsoft.ML.Segmentation.Transforms;
using static Microsoft.ML.Segmentation.Tests.Transforms.HeadTrainingDataset;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>
/// <c>Trainers.TrainHead</c> through the ML.NET API on generated colour-separable images: the learned masks against
/// the generated truth, the exported model against <c>head.Predict</c>, PredictionEngine against batch transforms,
/// saved and loaded pipelines against the fitted one, equal seeds against each other.
/// </summary>
[TestClass]
public sealed class HeadTrainerPipelineTests
{
    public TestContext TestContext { get; set; } = null!;

    public sealed class Scored
    {
        [VectorType]
        public float[] Scores { get; set; } = [];
    }

    private static SegmentationHeadTrainerOptions Options(int seed = 3, Action<HeadEpochReport>? progress = null) => new()
    {
        Training = new HeadTrainingOptions
        {
            LearningRate = 0.1,
            Epochs = 25,
            BatchSize = 4,
            Seed = seed,
            ValidationFraction = 0.25,
            EarlyStoppingPatience = 0,
            Progress = progress,
        },
    };

    private static IEstimator<ITransformer> Loading(MLContext ml, FeatureBackbone backbone) =>
        ml.Segmentation().Transforms.LoadImages(options: backbone.ImageOptions)
            .Append(ml.Segmentation().Transforms.LoadMasks(Classes));

    [TestMethod]
    public void SeparableTaskReachesHighIouAndLogsEveryEpoch()
    {
        using var data = new HeadTrainingDataset(12, 32, 32, seed: 1);
        using FeatureBackbone backbone = ColourBackbone.Load();
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Message.Contains("Epoch ", StringComparison.Ordinal))
            {
                lock (log)
                {
                    log.Add(e.Message);
                }
            }
        };
        var reports = new List<HeadEpochReport>();
        var logLinesSeenAtReport = new List<int>();
        void OnEpoch(HeadEpochReport report)
        {
            reports.Add(report);
            lock (log)
            {
                logLinesSeenAtReport.Add(log.Count);
            }
        }

        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        IEstimator<ITransformer> pipeline = Loading(ml, backbone)
            .Append(ml.Segmentation().Trainers.TrainHead(backbone, Options(progress: OnEpoch)))
            .Append(ml.Segmentation().Transforms.PredictMasks(Classes));
        SchemaShape shape = pipeline.GetOutputSchema(SchemaShapes.Extend(new SchemaShape([]), input.Schema.Select(c => new SegmentationColumn(c.Name, c.Type)).ToArray()));
        Assert.IsTrue(shape.Any(c => c.Name == "Scores" && c.Kind == SchemaShape.Column.VectorKind.VariableVector));
        ITransformer model = pipeline.Fit(input);
        SegmentationHeadTransformer head = ((IEnumerable<ITransformer>)model).OfType<SegmentationHeadTransformer>().Single();

        Assert.AreEqual(25, head.History.Count);
        Assert.HasCount(head.History.Count, reports);
        Assert.HasCount(head.History.Count, log);
        // Each epoch's line reaches MLContext.Log as the epoch ends, not when training is over.
        CollectionAssert.AreEqual(Enumerable.Range(1, reports.Count).ToArray(), logLinesSeenAtReport.ToArray());
        StringAssert.Contains(log[^1], "validation mIoU");
        Assert.IsGreaterThan(0.95, head.History[head.BestEpoch - 1].ValidationMeanIou);
        CollectionAssert.AreEqual(Classes, head.ClassNames.ToArray());
        SegmentationMetrics metrics = ml.Segmentation().Evaluate(model.Transform(input));
        TestContext.WriteLine($"validation mIoU {head.History[head.BestEpoch - 1].ValidationMeanIou:F4}, training-set mIoU {metrics.MeanIoU:F4}");
        Assert.IsGreaterThan(0.95, metrics.MeanIoU);
        Transformers.DisposeAll(model);
    }

    [TestMethod]
    public void EqualSeedsGiveIdenticalHeadsAndScores()
    {
        using var data = new HeadTrainingDataset(8, 32, 32, seed: 2);
        using FeatureBackbone backbone = ColourBackbone.Load();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        (float[] Parameters, float[][] Scores) Run()
        {
            ITransformer model = Loading(ml, backbone).Append(ml.Segmentation().Trainers.TrainHead(backbone, Options(seed: 9))).Fit(input);
            float[][] scores = ml.Data.CreateEnumerable<Scored>(model.Transform(input), reuseRowObject: false).Select(s => s.Scores).ToArray();
            float[] parameters = ((IEnumerable<ITransformer>)model).OfType<SegmentationHeadTransformer>().Single().Head.GetParameters();
            Transformers.DisposeAll(model);
            return (parameters, scores);
        }

        (float[] p1, float[][] s1) = Run();
        (float[] p2, float[][] s2) = Run();
        CollectionAssert.AreEqual(p1, p2);
        for (int i = 0; i < s1.Length; i++)
        {
            CollectionAssert.AreEqual(s1[i], s2[i], $"row {i}");
        }
    }

    [TestMethod]
    public void ScoresExportPredictionEngineAndSavedModelAgreeWithTheHead()
    {
        using var data = new HeadTrainingDataset(6, 32, 48, seed: 3);
        using FeatureBackbone backbone = ColourBackbone.Load();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        SegmentationHeadTrainerOptions options = Options();
        options.Training.Architecture = HeadArchitecture.Mlp;
        options.Training.HiddenChannels = 6;
        options.Training.Epochs = 3;
        ITransformer model = Loading(ml, backbone).Append(ml.Segmentation().Trainers.TrainHead(backbone, options)).Fit(input);
        SegmentationHeadTransformer trained = ((IEnumerable<ITransformer>)model).OfType<SegmentationHeadTransformer>().Single();
        IDataView scored = model.Transform(input);
        float[][] batch = ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).Select(s => s.Scores).ToArray();
        float[][] tensors = scored.GetColumn<float[]>("Image").ToArray();
        using var exported = new MemoryStream();
        trained.ExportOnnx(exported);
        byte[] onnx = exported.ToArray();

        // Batch transform and exported model against the in-process head on the backbone's features.
        var expected = new float[3 * 32 * 48];
        for (int i = 0; i < tensors.Length; i++)
        {
            trained.Head.Predict(backbone.Extract(tensors[i], 32, 48), expected);
            float[] graph = GraphRunner.Run(onnx, (backbone.InputName, tensors[i], [1, 3, 32, 48]))[SegmentationHeadExport.ScoresOutputName].Floats!;
            Assert.IsLessThanOrEqualTo(1e-4f, BackboneTestData.MaxAbsDiff(expected, graph), $"export, row {i}");
            Assert.IsLessThanOrEqualTo(1e-4f, BackboneTestData.MaxAbsDiff(expected, batch[i]), $"transform, row {i}");
        }

        // PredictionEngine against the batch transform.
        using (PredictionEngine<Paths, Scored> engine = ml.Model.CreatePredictionEngine<Paths, Scored>(model))
        {
            for (int i = 0; i < data.Rows.Length; i++)
            {
                CollectionAssert.AreEqual(batch[i], engine.Predict(data.Rows[i]).Scores, $"engine, row {i}");
            }
        }

        // SaveModel / LoadModel: the head is saved as a ScoreOnnx stage over the exported model.
        using var saved = new MemoryStream();
        ml.Segmentation().SaveModel(model, saved);
        saved.Position = 0;
        ITransformer loaded = ml.Segmentation().LoadModel(saved);
        float[][] reloaded = ml.Data.CreateEnumerable<Scored>(loaded.Transform(input), reuseRowObject: false).Select(s => s.Scores).ToArray();
        for (int i = 0; i < batch.Length; i++)
        {
            CollectionAssert.AreEqual(batch[i], reloaded[i], $"loaded, row {i}");
        }

        // The head alone round-trips through its own format.
        using var headStream = new MemoryStream();
        trained.Head.Save(headStream);
        headStream.Position = 0;
        CollectionAssert.AreEqual(trained.Head.GetParameters(), SegmentationHead.Load(headStream).GetParameters());
        Transformers.DisposeAll(loaded);
        Transformers.DisposeAll(model);
    }

    [TestMethod]
    public void ArgmaxExportScoredWithScoreOnnxEqualsPredictMasks()
    {
        using var data = new HeadTrainingDataset(6, 32, 32, seed: 7);
        using FeatureBackbone backbone = ColourBackbone.Load();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        ITransformer model = Loading(ml, backbone).Append(ml.Segmentation().Trainers.TrainHead(backbone, Options())).Fit(input);
        SegmentationHeadTransformer trained = ((IEnumerable<ITransformer>)model).OfType<SegmentationHeadTransformer>().Single();
        IDataView scored = model.Transform(input);
        IDataView viaScores = ml.Segmentation().Transforms.PredictMasks(Classes).Fit(scored).Transform(scored);
        using OnnxScoringTransformer argmax = ml.Segmentation().Transforms
            .ScoreOnnx(trained.ExportOnnx(argMax: true), outputColumnName: "ExportedMask", maskClassNames: Classes).Fit(viaScores);
        IDataView both = argmax.Transform(viaScores);
        VBuffer<uint>[] expected = both.GetColumn<VBuffer<uint>>("PredictedMask").ToArray();
        VBuffer<uint>[] actual = both.GetColumn<VBuffer<uint>>("ExportedMask").ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            uint[] e = expected[i].DenseValues().ToArray(), a = actual[i].DenseValues().ToArray();
            Assert.HasCount(e.Length, a);
            // Pixels whose two best logits nearly tie may fall either way between the two float paths.
            Assert.IsLessThanOrEqualTo(e.Length / 200, e.Zip(a).Count(p => p.First != p.Second), $"row {i}");
        }

        Transformers.DisposeAll(model);
    }

    [TestMethod]
    public void SpilledFeaturesTrainTheSameHeadAndOptionsReachTheTrainer()
    {
        using var data = new HeadTrainingDataset(6, 32, 32, seed: 8);
        using FeatureBackbone backbone = ColourBackbone.Load();
        var ml = new MLContext(seed: 1);
        IDataView loaded = ml.Data.Cache(Loading(ml, backbone).Fit(ml.Data.LoadFromEnumerable(data.Rows)).Transform(ml.Data.LoadFromEnumerable(data.Rows)));
        SegmentationHeadTrainerOptions inMemory = Options(), spilled = Options();
        inMemory.Training.ClassWeighting = spilled.Training.ClassWeighting = ClassWeighting.MedianFrequency;
        inMemory.Training.Epochs = spilled.Training.Epochs = 3;
        spilled.FeatureCacheMemoryLimitBytes = 0;
        using SegmentationHeadTransformer a = ml.Segmentation().Trainers.TrainHead(backbone, inMemory).Fit(loaded);
        using SegmentationHeadTransformer b = ml.Segmentation().Trainers.TrainHead(backbone, spilled).Fit(loaded);
        CollectionAssert.AreEqual(a.Head.GetParameters(), b.Head.GetParameters());
        Assert.HasCount(3, a.ClassWeights!);
        Assert.AreEqual(3, a.History.Count);
        Assert.IsNull(inMemory.Training.Classes, "the caller's options are left as they were");

        inMemory.Training.Classes = 4;
        ArgumentException error = Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().Trainers.TrainHead(backbone, inMemory).Fit(loaded));
        StringAssert.Contains(error.Message, "'Mask' has 3 classes");
    }

    [TestMethod]
    public void MixedSizesTrainAlikeWithBatchedAndSingleExtraction()
    {
        using var small = new HeadTrainingDataset(4, 32, 32, seed: 10);
        using var tall = new HeadTrainingDataset(4, 48, 32, seed: 11);
        using FeatureBackbone backbone = ColourBackbone.Load();
        var ml = new MLContext(seed: 1);
        Paths[] rows = [small.Rows[0], small.Rows[1], tall.Rows[0], small.Rows[2], tall.Rows[1], tall.Rows[2], tall.Rows[3], small.Rows[3]];
        IDataView loaded = ml.Data.Cache(Loading(ml, backbone).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows)));
        SegmentationHeadTrainerOptions batched = Options(), single = Options();
        batched.Training.Epochs = single.Training.Epochs = 3;
        batched.ExtractionBatchSize = 2;
        single.ExtractionBatchSize = 1;
        using SegmentationHeadTransformer a = ml.Segmentation().Trainers.TrainHead(backbone, batched).Fit(loaded);
        using SegmentationHeadTransformer b = ml.Segmentation().Trainers.TrainHead(backbone, single).Fit(loaded);
        Assert.IsLessThanOrEqualTo(1e-4f, BackboneTestData.MaxAbsDiff(a.Head.GetParameters(), b.Head.GetParameters()));
        Assert.AreEqual(8, ml.Data.CreateEnumerable<Scored>(a.Transform(loaded), reuseRowObject: false).Count(r => r.Scores.Length is 3 * 32 * 32 or 3 * 48 * 32));
    }

    [TestMethod]
    public void TensorsNotAMultipleOfTheBackboneSizeGiveAClearError()
    {
        using var data = new HeadTrainingDataset(2, 20, 24, seed: 4);
        using FeatureBackbone backbone = ColourBackbone.Load(sizeMultiple: 16);
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        IEstimator<ITransformer> pipeline = ml.Segmentation().Transforms.LoadImages(options: new ImageTensorOptions())
            .Append(ml.Segmentation().Transforms.LoadMasks(Classes))
            .Append(ml.Segmentation().Trainers.TrainHead(backbone, Options()));
        ArgumentException error = Assert.ThrowsExactly<ArgumentException>(() => pipeline.Fit(input));
        StringAssert.Contains(error.Message, "'Image'");
        StringAssert.Contains(error.Message, "20x24");
        StringAssert.Contains(error.Message, "multiples of 16");
        StringAssert.Contains(error.Message, "backbone.ImageOptions");
    }

    [TestMethod]
    public void MissingMaskColumnIsNamed()
    {
        using FeatureBackbone backbone = ColourBackbone.Load();
        var ml = new MLContext(seed: 1);
        using var data = new HeadTrainingDataset(1, 16, 16, seed: 5);
        IDataView loaded = ml.Segmentation().Transforms.LoadImages(options: backbone.ImageOptions).Fit(ml.Data.LoadFromEnumerable(data.Rows)).Transform(ml.Data.LoadFromEnumerable(data.Rows));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Segmentation().Trainers.TrainHead(backbone).Fit(loaded));
        Assert.AreEqual("options.MaskColumnName", error.ParamName);
    }

    [TestMethod]
    public void ResNet18HeadBeatsTheAllBackgroundBaseline()
    {
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(BackboneTestData.ResNet18Path);
        using var data = new HeadTrainingDataset(12, 64, 64, seed: 6);
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(data.Rows);
        IDataView loaded = ml.Data.Cache(Loading(ml, backbone).Fit(input).Transform(input));
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.Contains("TrainHead", StringComparison.Ordinal) && e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info)
            {
                lock (log)
                {
                    log.Add(e.Message);
                }
            }
        };
        var options = new SegmentationHeadTrainerOptions
        {
            Training = new HeadTrainingOptions { LearningRate = 0.01, Epochs = 4, BatchSize = 4, ValidationFraction = 0, EarlyStoppingPatience = 0 },
        };
        var clock = Stopwatch.StartNew();
        SegmentationHeadTransformer head = ml.Segmentation().Trainers.TrainHead(backbone, options).Fit(loaded);
        TestContext.WriteLine($"ResNet18 TrainHead.Fit on 12 images 64x64: {clock.Elapsed.TotalSeconds:F2} s");
        foreach (string line in log)
        {
            TestContext.WriteLine(line);
        }

        IDataView predicted = ml.Segmentation().Transforms.PredictMasks(Classes).Fit(head.Transform(loaded)).Transform(head.Transform(loaded));
        double learned = ml.Segmentation().Evaluate(predicted).MeanIoU;
        double baseline = AllBackgroundMeanIou(loaded);
        TestContext.WriteLine($"mIoU {learned:F4} vs all-background {baseline:F4}");
        Assert.IsGreaterThan(baseline + 0.1, learned);
        head.Dispose();
    }

    // Predicting background everywhere: IoU of background is its pixel share; the other classes score 0.
    private static double AllBackgroundMeanIou(IDataView data)
    {
        long background = 0, total = 0;
        foreach (VBuffer<uint> mask in data.GetColumn<VBuffer<uint>>("Mask"))
        {
            foreach (uint key in mask.DenseValues())
            {
                background += key == 1 ? 1 : 0;
                total += key == 0 ? 0 : 1;
            }
        }

        return (double)background / total / Classes.Length;
    }
}
