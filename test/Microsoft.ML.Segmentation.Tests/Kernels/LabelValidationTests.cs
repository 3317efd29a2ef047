using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>
/// The label-map check of <see cref="SegmentationTarget{T}"/> (four vectors at a time, blocks with a label outside the
/// classes read again one by one) against a plain count: ignored labels anywhere, including the partial tail, and the
/// first bad label named wherever it is.
/// </summary>
[TestClass]
public sealed class LabelValidationTests
{
    // 1 image of 3 classes, 37 × 29 pixels: 1,073 labels, not a multiple of any vector block.
    private static readonly SegmentationShape Shape = new(1, 3, 37, 29);

    [TestMethod]
    [DataRow(255, 0.0)]
    [DataRow(255, 0.01)]
    [DataRow(255, 0.5)]
    [DataRow(-100, 0.2)]
    [DataRow(-100, 1.0)]
    public void CountsEveryIgnoredLabel(int ignoreIndex, double share)
    {
        var random = new Random(ignoreIndex + (int)(share * 100));
        int[] labels = Enumerable.Range(0, Shape.PixelCount).Select(_ => random.NextDouble() < share ? ignoreIndex : random.Next(3)).ToArray();
        labels[^1] = ignoreIndex; // one in the tail for certain
        long ignored = labels.Count(l => l == ignoreIndex);
        long counted = SegmentationTarget<float>.FromLabels(labels, ignoreIndex).ValidateAndCount(Shape, "target");
        Assert.AreEqual((Shape.PixelCount - ignored) * Shape.Classes, counted);
    }

    [TestMethod]
    [DataRow(0, 3)]
    [DataRow(5, -1)]
    [DataRow(37, 1000)]
    [DataRow(500, int.MinValue)]
    [DataRow(1072, 3)] // the tail
    public void NamesTheFirstLabelOutsideTheClasses(int position, int label)
    {
        int[] labels = Enumerable.Range(0, Shape.PixelCount).Select(i => i % 7 == 3 ? 255 : i % 3).ToArray();
        labels[position] = label;
        if (position != labels.Length - 1)
        {
            labels[^1] = 7; // a later bad label, which must not be the one named
        }

        var error = Assert.ThrowsExactly<ArgumentException>(() => SegmentationTarget<float>.FromLabels(labels, 255).ValidateAndCount(Shape, "target"));
        StringAssert.Contains(error.Message, $"Label {label} at pixel {position} ");
        Assert.AreEqual("target", error.ParamName);
    }
}
