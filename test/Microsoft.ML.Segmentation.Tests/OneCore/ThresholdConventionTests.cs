using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Graph;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Tests.OneCore;

/// <summary>
/// One threshold convention for one-channel models: a probability, whatever the model outputs. Checked against the
/// sigmoid of the model's own raw scores, computed here in double.
/// </summary>
[TestClass]
public sealed class ThresholdConventionTests
{
    private static readonly string[] s_binary = ["background", "foreground"];

    public sealed class TensorRow
    {
        [VectorType]
        public float[] Image { get; set; } = [];

        [VectorType(8)]
        public int[] ImageGeometry { get; set; } = [];
    }

    public sealed class MaskRow
    {
        [VectorType]
        public uint[] PredictedMask { get; set; } = [];
    }

    [TestMethod]
    [DataRow(0.5f, 0.0)]
    [DataRow(0.3f, -0.8472978603872037)]
    [DataRow(0.9f, 2.1972245773362196)]
    public void ScoreCutIsTheProbabilityOrItsLogit(float probability, double logit)
    {
        Assert.AreEqual(probability, ForegroundThreshold.ScoreCut(probability, scoresAreProbabilities: true));
        Assert.AreEqual(logit, ForegroundThreshold.ScoreCut(probability, scoresAreProbabilities: false), 1e-6);
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(1f)]
    [DataRow(-0.1f)]
    [DataRow(float.NaN)]
    public void AThresholdOutsideTheOpenUnitIntervalIsRefusedEverywhere(float threshold)
    {
        var ml = new MLContext(seed: 0);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Segmentation().Transforms.PredictMasks(s_binary, threshold: threshold)).Message, "probability");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ForegroundThreshold.ScoreCut(threshold, false));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OnnxGraphEditor.AppendPostProcessing(GraphTestModels.BinaryLogits(), new OnnxPostProcessingOptions { ArgMax = true, Threshold = threshold }));
    }

    /// <summary>The logit model and the sigmoid model agree at every threshold: sigmoid(z) &gt; t, however the scores come.</summary>
    [TestMethod]
    [DataRow(0.3f)]
    [DataRow(0.5f)]
    [DataRow(0.8f)]
    public void PredictMasksThresholdsTheProbabilityForLogitAndSigmoidModels(float threshold)
    {
        const int Height = 6, Width = 7;
        float[] image = TestModels.RandomImages(1, Height, Width, seed: 3);
        using SegmentationModel logits = SegmentationModel.Load(GraphTestModels.BinaryLogits());
        Assert.AreEqual(SegmentationOutputKind.Logits, logits.OutputKind);
        var z = new float[Height * Width];
        logits.Run(image, 1, Height, Width, z);
        int[] expected = z.Select(v => 1 / (1 + Math.Exp(-v)) > threshold ? 1 : 0).ToArray();
        Assert.IsTrue(expected.Distinct().Count() == 2 || threshold == 0.8f, "the image should give both classes");

        foreach (byte[] model in new[] { GraphTestModels.BinaryLogits(), BinarySigmoidOfTheSameConv() })
        {
            CollectionAssert.AreEqual(expected, Predict(model, image, Height, Width, threshold));
        }
    }

    [TestMethod]
    public void UnannotatedOneChannelScoresNeedToSayWhatTheyAre()
    {
        var ml = new MLContext(seed: 0);
        var row = new ScoreRow { Scores = [-1f, 0.2f, 2f, 0.7f], ImageGeometry = [2, 2, 2, 2, 0, 0, 2, 2] };
        IDataView data = ml.Data.LoadFromEnumerable(new[] { row });
        IDataView unknown = ml.Segmentation().Transforms.PredictMasks(s_binary).Fit(data).Transform(data);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => unknown.GetColumn<VBuffer<uint>>("PredictedMask").ToArray()).Message, "scoresAreProbabilities");

        uint[] asProbabilities = ml.Segmentation().Transforms.PredictMasks(s_binary, threshold: 0.6f, scoresAreProbabilities: true).Fit(data).Transform(data)
            .GetColumn<VBuffer<uint>>("PredictedMask").Single().DenseValues().ToArray();
        CollectionAssert.AreEqual(new uint[] { 1, 1, 2, 2 }, asProbabilities);
        uint[] asLogits = ml.Segmentation().Transforms.PredictMasks(s_binary, threshold: 0.6f, scoresAreProbabilities: false).Fit(data).Transform(data)
            .GetColumn<VBuffer<uint>>("PredictedMask").Single().DenseValues().ToArray();
        CollectionAssert.AreEqual(new uint[] { 1, 1, 2, 2 }.Select((_, i) => 1 / (1 + Math.Exp(-row.Scores[i])) > 0.6 ? 2u : 1u).ToArray(), asLogits);
    }

    [TestMethod]
    public void SayingProbabilitiesForAnnotatedLogitsIsAnError()
    {
        var ml = new MLContext(seed: 0);
        var tensor = new TensorRow { Image = TestModels.RandomImages(1, 2, 2, seed: 1), ImageGeometry = [2, 2, 2, 2, 0, 0, 2, 2] };
        IDataView data = ml.Data.LoadFromEnumerable(new[] { tensor });
        using OnnxScoringTransformer scorer = ml.Segmentation().Transforms.ScoreOnnx(GraphTestModels.BinaryLogits()).Fit(data);
        IDataView scored = scorer.Transform(data);
        Assert.AreEqual(false, ColumnTypes.ScoreKindOf(scored.Schema["Scores"]));
        IDataView wrong = ml.Segmentation().Transforms.PredictMasks(s_binary, scoresAreProbabilities: true).Fit(scored).Transform(scored);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => wrong.GetColumn<VBuffer<uint>>("PredictedMask").ToArray()).Message, "logits");
    }

    public sealed class ScoreRow
    {
        [VectorType]
        public float[] Scores { get; set; } = [];

        [VectorType(8)]
        public int[] ImageGeometry { get; set; } = [];
    }

    private static int[] Predict(byte[] model, float[] image, int height, int width, float threshold)
    {
        var ml = new MLContext(seed: 0);
        var row = new TensorRow { Image = image, ImageGeometry = [width, height, width, height, 0, 0, width, height] };
        IDataView data = ml.Data.LoadFromEnumerable(new[] { row });
        using OnnxScoringTransformer scorer = ml.Segmentation().Transforms.ScoreOnnx(model).Fit(data);
        IDataView scored = scorer.Transform(data);
        IDataView predicted = ml.Segmentation().Transforms.PredictMasks(s_binary, threshold: threshold).Fit(scored).Transform(scored);
        return predicted.GetColumn<VBuffer<uint>>("PredictedMask").Single().DenseValues().Select(k => (int)k - 1).ToArray();
    }

    /// <summary>The binary logit conv of <see cref="GraphTestModels.BinaryLogits"/> followed by a Sigmoid, built by the graph editor.</summary>
    private static byte[] BinarySigmoidOfTheSameConv()
        => OnnxGraphEditor.AppendPostProcessing(GraphTestModels.BinaryLogits(), new OnnxPostProcessingOptions { Activation = Activation.Sigmoid, KeepScores = true });
}
