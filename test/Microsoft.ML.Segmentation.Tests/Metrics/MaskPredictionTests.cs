using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using System.Numerics;

namespace Microsoft.ML.Segmentation.Tests.Metrics;

[TestClass]
public sealed class MaskPredictionTests
{
    public static IEnumerable<object[]> Lengths()
    {
        var lengths = new SortedSet<int> { 1, 3, 2048, 1023, 1024, 1025, 3000 };
        foreach (int w in new[] { Vector<float>.Count, Vector<double>.Count, 4, 8, 16 })
        {
            lengths.Add(w - 1 > 0 ? w - 1 : 1);
            lengths.Add(w);
            lengths.Add(w + 1);
        }

        foreach (int length in lengths)
        {
            foreach (int classes in new[] { 1, 2, 5 })
            {
                yield return new object[] { length, classes };
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Lengths))]
    public void Argmax_Vectorized_MatchesScalar_Float(int pixels, int classes) => CheckArgmax<float>(pixels, classes);

    [TestMethod]
    [DynamicData(nameof(Lengths))]
    public void Argmax_Vectorized_MatchesScalar_Double(int pixels, int classes) => CheckArgmax<double>(pixels, classes);

    private static void CheckArgmax<T>(int pixels, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(42);
        var shape = new SegmentationShape(2, classes, 1, pixels);

        // Few distinct values, so ties are frequent.
        T[] scores = Enumerable.Range(0, shape.ElementCount).Select(_ => T.CreateChecked(random.Next(4))).ToArray();
        var fast = new int[shape.PixelCount];
        var slow = new int[shape.PixelCount];
        MaskPrediction.Argmax<T>(scores, shape, fast);
        MaskPrediction.ArgmaxScalar<T>(scores, shape, slow);
        CollectionAssert.AreEqual(slow, fast);
    }

    [TestMethod]
    public void Argmax_LargeBatch_RunsInParallel_AndMatchesScalar()
    {
        var random = new Random(42);
        var shape = new SegmentationShape(3, 7, 97, 103);
        float[] scores = Enumerable.Range(0, shape.ElementCount).Select(_ => (float)random.NextDouble()).ToArray();
        var fast = new int[shape.PixelCount];
        var slow = new int[shape.PixelCount];
        MaskPrediction.Argmax<float>(scores, shape, fast);
        MaskPrediction.ArgmaxScalar<float>(scores, shape, slow);
        CollectionAssert.AreEqual(slow, fast);
    }

    [TestMethod]
    public void Argmax_Ties_GoToLowestIndex()
    {
        var shape = new SegmentationShape(1, 3, 1, 3);
        float[] scores = { 1, 2, 0, /* c1 */ 1, 2, 5, /* c2 */ 1, 1, 5 };
        var labels = new int[3];
        MaskPrediction.Argmax<float>(scores, shape, labels);
        CollectionAssert.AreEqual(new[] { 0, 0, 1 }, labels);
    }

    [TestMethod]
    public void Argmax_Nan_NeverWins()
    {
        var shape = new SegmentationShape(1, 2, 1, 9);
        var scores = new double[18];
        for (int i = 0; i < 9; i++)
        {
            scores[i] = double.NaN;
            scores[9 + i] = -1;
        }

        var labels = new int[9];
        MaskPrediction.Argmax<double>(scores, shape, labels);
        Assert.IsTrue(labels.All(l => l == 1));
    }

    [TestMethod]
    public void Argmax_WrongLengths_Throw()
    {
        var shape = new SegmentationShape(1, 2, 2, 2);
        Assert.AreEqual("scores", Assert.ThrowsExactly<ArgumentException>(() => MaskPrediction.Argmax<float>(new float[7], shape, new int[4])).ParamName);
        Assert.AreEqual("labels", Assert.ThrowsExactly<ArgumentException>(() => MaskPrediction.Argmax<float>(new float[8], shape, new int[3])).ParamName);
    }

    [TestMethod]
    public void Threshold_StrictAndInclusive()
    {
        float[] scores = { 0.2f, 0.5f, 0.7f };
        var strict = new int[3];
        var inclusive = new byte[3];
        MaskPrediction.Threshold<float>(scores, 0.5f, strict);
        MaskPrediction.Threshold<float>(scores, 0.5f, inclusive, inclusive: true);
        CollectionAssert.AreEqual(new[] { 0, 0, 1 }, strict);
        CollectionAssert.AreEqual(new byte[] { 0, 1, 1 }, inclusive);
        Assert.AreEqual("destination", Assert.ThrowsExactly<ArgumentException>(() => MaskPrediction.Threshold<float>(scores, 0.5f, new int[2])).ParamName);
    }

    [TestMethod]
    public void TopK_CountsHitsThresholdAndIgnore()
    {
        // pred [N=3, C=3] as NCHW with H=W=1.
        var shape = new SegmentationShape(3, 3, 1, 1);
        double[] scores = { 0.1, 0.6, 0.3, /* */ 0.5, 0.2, 0.3, /* */ 0.2, 0.2, 0.6 };
        int[] labels = { 1, 2, 255 };
        Assert.AreEqual((1L, 2L), TopKAccuracy.Count<double>(scores, shape, labels, 1, null, 255));
        Assert.AreEqual((2L, 2L), TopKAccuracy.Count<double>(scores, shape, labels, 2, null, 255));
        Assert.AreEqual((0L, 2L), TopKAccuracy.Count<double>(scores, shape, labels, 1, 0.7, 255));
        Assert.AreEqual("k", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TopKAccuracy.Count<double>(scores, shape, labels, 4, null, 255)).ParamName);
    }
}
