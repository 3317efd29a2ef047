using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Calibration;

/// <summary>
/// The evaluator's opt-in calibration: the same numbers as an accumulator fed directly, sharded states merged equal a
/// single run, the state JSON round-trips and older states read as calibration off, and the metrics JSON carries it.
/// </summary>
[TestClass]
public sealed class EvaluatorCalibrationTests
{
    private const int Classes = 3;
    private const int Ignore = 255;

    [TestMethod]
    public void EvaluatorCalibration_EqualsTheAccumulatorsOverCountedPixels()
    {
        List<(int[] Predicted, int[] Truth, float[] Probabilities)> images = Dataset(seed: 4, count: 5);
        SegmentationEvaluator evaluator = Evaluated(images);
        var topLabel = new CalibrationAccumulator(CalibrationBinning.Uniform(15), 1);
        var classWise = new CalibrationAccumulator(CalibrationBinning.Uniform(15), Classes);
        foreach ((_, int[] truth, float[] p) in images)
        {
            int[] labels = truth.Select(t => t == Ignore ? -1 : t).ToArray();
            topLabel.AddTopLabel<float>(p, labels);
            classWise.AddClassWise<float>(p, labels);
        }

        CalibrationResults result = evaluator.GetMetrics().Calibration!;
        double ece = result.ExpectedCalibrationError;
        Assert.AreEqual(topLabel.Error(0, CalibrationReduction.Expected), ece);
        Assert.AreEqual(topLabel.Error(0, CalibrationReduction.Average), result.AverageCalibrationError);
        Assert.AreEqual(topLabel.Error(0, CalibrationReduction.Maximum), result.MaximumCalibrationError);
        Assert.AreEqual(topLabel.Error(0, CalibrationReduction.Expected), result.Error, "the default reduction is ECE");
        for (int c = 0; c < Classes; c++)
        {
            Assert.AreEqual(classWise.Error(c, CalibrationReduction.Expected), result.PerClassError[c], $"class {c}");
        }

        Assert.AreEqual(evaluator.GetMetrics().PixelCount, result.TopLabelBins.Sum(b => b.Count), "ignored pixels are not binned");
    }

    [TestMethod]
    public void ShardStatesMerged_EqualASingleRun_AndSurviveJson()
    {
        List<(int[] Predicted, int[] Truth, float[] Probabilities)> images = Dataset(seed: 9, count: 6);
        SegmentationMetrics whole = Evaluated(images).GetMetrics();
        SegmentationEvaluationState first = SegmentationEvaluationState.FromJson(Evaluated(images.Take(2).ToList()).GetState(new EvaluationShard(0, 2)).ToJson());
        SegmentationEvaluationState second = SegmentationEvaluationState.FromJson(Evaluated(images.Skip(2).ToList()).GetState(new EvaluationShard(1, 2)).ToJson());
        SegmentationMetrics merged = SegmentationEvaluationState.Merge(second, first).GetMetrics();

        CalibrationResults a = whole.Calibration!, b = merged.Calibration!;
        CollectionAssert.AreEqual(a.TopLabelBins.Select(x => x.Count).ToArray(), b.TopLabelBins.Select(x => x.Count).ToArray());
        CollectionAssert.AreEqual(a.TopLabelBins.Select(x => x.AccuracySum).ToArray(), b.TopLabelBins.Select(x => x.AccuracySum).ToArray());
        CollectionAssert.AreEqual(a.TopLabelBins.Select(x => x.ConfidenceSum).ToArray(), b.TopLabelBins.Select(x => x.ConfidenceSum).ToArray());
        Assert.AreEqual(a.ExpectedCalibrationError, b.ExpectedCalibrationError);
        Assert.AreEqual(a.MaximumCalibrationError, b.MaximumCalibrationError);
        for (int c = 0; c < Classes; c++)
        {
            Assert.AreEqual(a.PerClassError[c], b.PerClassError[c], $"class {c}");
        }

        Assert.AreEqual(whole.ToJson(), merged.ToJson(), "the merged metrics document equals the single run's");

        // A round trip writes the same document again.
        string json = SegmentationEvaluationState.Merge(first, second).ToJson();
        Assert.AreEqual(json, SegmentationEvaluationState.FromJson(json).ToJson());
        StringAssert.Contains(json, "\"calibration\": {");
    }

    [TestMethod]
    public void StatesWithDifferentCalibration_DoNotMerge_AndOlderVersionsReadAsOff()
    {
        List<(int[] Predicted, int[] Truth, float[] Probabilities)> images = Dataset(seed: 2, count: 2);
        SegmentationEvaluationState on = Evaluated(images).GetState();
        var plain = new SegmentationEvaluator(Classes, new SegmentationEvaluatorOptions { IgnoreIndex = Ignore });
        plain.Add(images[0].Predicted, images[0].Truth);
        SegmentationEvaluationState off = plain.GetState();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge(on, off)).Message, "Calibration");
        SegmentationEvaluationState other = Evaluated(images, new CalibrationOptions { Bins = 10 }).GetState();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => SegmentationEvaluationState.Merge(on, other)).Message, "Calibration.Bins");

        // A version-2 document (written before calibration existed) has no calibration fields.
        string version2 = off.ToJson().Replace("\"version\": 3", "\"version\": 2", StringComparison.Ordinal)
            .Replace(",\n    \"calibration\": null", string.Empty, StringComparison.Ordinal)
            .Replace(",\n  \"calibration\": null", string.Empty, StringComparison.Ordinal);
        Assert.IsFalse(version2.Contains("calibration", StringComparison.Ordinal), version2);
        SegmentationEvaluationState read = SegmentationEvaluationState.FromJson(version2);
        Assert.IsNull(read.Calibration);
        Assert.IsNull(read.GetMetrics().Calibration);
    }

    [TestMethod]
    public void MetricsJson_CarriesCalibration_AndProbabilitiesNeedTheOption()
    {
        List<(int[] Predicted, int[] Truth, float[] Probabilities)> images = Dataset(seed: 6, count: 2);
        string json = Evaluated(images, new CalibrationOptions { Bins = 8, Reduction = CalibrationReduction.Maximum }).GetMetrics().ToJson();
        StringAssert.Contains(json, "\"calibration\": {");
        StringAssert.Contains(json, "\"reduction\": \"Maximum\"");
        StringAssert.Contains(json, "\"reliability\": {");
        var off = new SegmentationEvaluator(Classes);
        Assert.ThrowsExactly<InvalidOperationException>(() => off.AddProbabilities(images[0].Probabilities, images[0].Truth));
        Assert.IsFalse(off.GetState().ToJson().Contains("\"calibration\": {", StringComparison.Ordinal));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SegmentationEvaluator(Classes, new SegmentationEvaluatorOptions { Calibration = new CalibrationOptions { Bins = 0 } }));
    }

    private static SegmentationEvaluator Evaluated(List<(int[] Predicted, int[] Truth, float[] Probabilities)> images, CalibrationOptions? calibration = null)
    {
        var evaluator = new SegmentationEvaluator(Classes, new SegmentationEvaluatorOptions { IgnoreIndex = Ignore, Calibration = calibration ?? new CalibrationOptions() });
        foreach ((int[] predicted, int[] truth, float[] p) in images)
        {
            evaluator.Add(predicted, truth);
            evaluator.AddProbabilities(p, truth);
        }

        return evaluator;
    }

    /// <summary>Images of 40 pixels: softmax probabilities, their argmax as the prediction, and truths with some 255s.</summary>
    private static List<(int[] Predicted, int[] Truth, float[] Probabilities)> Dataset(int seed, int count)
    {
        var random = new Random(seed);
        var result = new List<(int[], int[], float[])>();
        const int pixels = 40;
        for (int m = 0; m < count; m++)
        {
            var p = new float[Classes * pixels];
            var predicted = new int[pixels];
            var truth = new int[pixels];
            for (int i = 0; i < pixels; i++)
            {
                double[] e = Enumerable.Range(0, Classes).Select(_ => Math.Exp(random.NextDouble() * 3)).ToArray();
                for (int c = 0; c < Classes; c++)
                {
                    p[(c * pixels) + i] = (float)(e[c] / e.Sum());
                }

                predicted[i] = Array.IndexOf(e, e.Max());
                truth[i] = random.Next(8) == 0 ? Ignore : random.Next(Classes);
            }

            result.Add((predicted, truth, p));
        }

        return result;
    }
}
