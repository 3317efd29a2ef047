using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Metrics;

[TestClass]
public sealed class ConfusionCountsTests
{
    [TestMethod]
    public void OneHotMasks_GiveTheSameCountsAsTheMatrix()
    {
        var random = new Random(42);
        var shape = new SegmentationShape(3, 4, 7, 9);
        int[] predicted = Enumerable.Range(0, shape.PixelCount).Select(_ => random.Next(4)).ToArray();
        int[] truth = Enumerable.Range(0, shape.PixelCount).Select(_ => random.Next(4)).ToArray();
        var matrix = new ConfusionMatrix(4, keepImageCounts: true);
        matrix.Add(predicted, truth, shape);

        ConfusionCounts[] fromMasks = ConfusionCounts.FromMasks<float>(OneHot(predicted, shape), OneHot(truth, shape), shape);
        ConfusionCounts[] fromMatrix = matrix.ToImageCounts();
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int c = 0; c < shape.Classes; c++)
            {
                Assert.AreEqual(fromMatrix[n][c], fromMasks[n][c], $"image {n} class {c}");
            }
        }
    }

    [TestMethod]
    public void FromClass_DropsLeadingClasses()
    {
        ConfusionCounts counts = ConfusionCounts.FromMatrix(new long[] { 5, 1, 0, 2, 3, 0, 0, 0, 4 }, 3);
        ConfusionCounts withoutBackground = counts.FromClass(1);
        Assert.AreEqual(2, withoutBackground.ClassCount);
        Assert.AreEqual(counts[1], withoutBackground[0]);
        Assert.AreEqual("firstClass", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => counts.FromClass(3)).ParamName);
    }

    [TestMethod]
    public void Threshold_EmptyInput_IsFine()
    {
        // Shapes cannot be empty (every dimension is at least 1), so length 0 is tested on the layout-free kernel.
        var destination = Array.Empty<int>();
        MaskPrediction.Threshold<double>(ReadOnlySpan<double>.Empty, 0.5, destination);
        Assert.IsEmpty(destination);
    }

    private static float[] OneHot(int[] labels, SegmentationShape shape)
    {
        var result = new float[shape.ElementCount];
        int s = shape.PixelsPerImage;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                result[(((n * shape.Classes) + labels[(n * s) + i]) * s) + i] = 1;
            }
        }

        return result;
    }
}
