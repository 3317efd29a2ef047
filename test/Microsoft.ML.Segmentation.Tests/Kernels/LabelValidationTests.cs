using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>
/// The label-map check of <see cref="SegmentationTarget{T}"/> (four vectors at a time, blocks with a label outside the
/// classes read again one by one) against a plain count: ignored labels anywhere, including the partial tail, and the
/// first bad label named wherever it is; <see cref="LabelScan.AllBelow"/> against a plain loop; and the sigmoid kernels'
/// own check of label maps without an ignore index (each image's first row scans that image's labels on the kernel's
/// threads), against the same loss given an ignore index no label uses, which takes the full scan first.
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

        // Without an ignore index every label outside the classes is named, int.MinValue included (the kernels'
        // stand-in for "none", once taken for an ignored label and left out of the count unnamed).
        labels = labels.Select(l => l == 255 ? 0 : l).ToArray();
        error = Assert.ThrowsExactly<ArgumentException>(() => SegmentationTarget<float>.FromLabels(labels).ValidateAndCount(Shape, "target"));
        StringAssert.Contains(error.Message, $"Label {label} at pixel {position} ");
    }

    [TestMethod]
    public void AllBelowAgreesWithAPlainLoop()
    {
        var random = new Random(11);
        for (int length = 0; length <= 200; length++)
        {
            for (int trial = 0; trial < 4; trial++)
            {
                int labelCount = 1 + random.Next(5);
                int[] labels = Enumerable.Range(0, length).Select(_ => random.Next(labelCount)).ToArray();
                if (length > 0 && trial > 0)
                {
                    labels[random.Next(length)] = trial switch { 1 => labelCount, 2 => -1, _ => int.MaxValue };
                }

                bool expected = labels.All(l => l >= 0 && l < labelCount);
                Assert.AreEqual(expected, LabelScan.AllBelow(labels, labelCount), $"length {length}, trial {trial}");
            }
        }
    }

    public static IEnumerable<object[]> SigmoidKernelLosses =>
    [
        [new BinaryCrossEntropyLoss(), 1],
        [new FocalLoss(new FocalLossOptions { Activation = Activation.Sigmoid }), 3],
        [new FocalLoss(new FocalLossOptions { Activation = Activation.Sigmoid, Gamma = 0, Alpha = 0.25, Normalized = true }), 3],
    ];

    [TestMethod]
    [DynamicData(nameof(SigmoidKernelLosses))]
    public void SigmoidKernelsNameTheFirstLabelOutsideTheClasses(ISegmentationLoss loss, int classes)
    {
        int labelCount = classes == 1 ? 2 : classes;

        // 37 × 29: rows that are not a multiple of a vector; 4 × 128 × 129 runs on more than one thread.
        foreach (var shape in new[] { new SegmentationShape(3, classes, 37, 29), new SegmentationShape(4, classes, 128, 129) })
        {
            int s = shape.PixelsPerImage;
            foreach ((int position, int label) in new[] { (0, labelCount), (s + 5, -1), ((2 * s) + 17, 1000), (shape.PixelCount - 1, labelCount), (s - 1, int.MinValue) })
            {
                int[] labels = Enumerable.Range(0, shape.PixelCount).Select(i => i % labelCount).ToArray();
                labels[position] = label;
                if (position != labels.Length - 1)
                {
                    labels[^1] = labelCount + 7; // a later bad label, in another image, which must not be the one named
                }

                float[] logits = Enumerable.Range(0, shape.ElementCount).Select(i => (float)((i % 13) - 6) / 2).ToArray();
                var error = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<float>(logits, shape, SegmentationTarget<float>.FromLabels(labels), new float[shape.ElementCount]), $"{shape}, pixel {position}");
                StringAssert.Contains(error.Message, $"Label {label} at pixel {position} ");
                Assert.AreEqual("target", error.ParamName);
                error = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<float>(logits, shape, SegmentationTarget<float>.FromLabels(labels)));
                StringAssert.Contains(error.Message, $"Label {label} at pixel {position} ");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(SigmoidKernelLosses))]
    public void SigmoidKernelsCheckingTheirOwnLabelsGiveTheFullScansResult(ISegmentationLoss loss, int classes)
    {
        int labelCount = classes == 1 ? 2 : classes;
        foreach (var shape in new[] { new SegmentationShape(3, classes, 37, 29), new SegmentationShape(4, classes, 128, 129) })
        {
            var random = new Random(shape.ElementCount);
            int[] labels = Enumerable.Range(0, shape.PixelCount).Select(_ => random.Next(labelCount)).ToArray();
            float[] logits = Enumerable.Range(0, shape.ElementCount).Select(_ => (float)((random.NextDouble() * 12) - 6)).ToArray();
            var gradient = new float[shape.ElementCount];
            var reference = new float[shape.ElementCount];

            // No label is 255, so the ignore index changes nothing but the path: the full scan before the kernel.
            double value = loss.Compute<float>(logits, shape, SegmentationTarget<float>.FromLabels(labels), gradient);
            double expected = loss.Compute<float>(logits, shape, SegmentationTarget<float>.FromLabels(labels, 255), reference);
            Assert.AreEqual(expected, value, 0, shape.ToString());
            CollectionAssert.AreEqual(reference, gradient, shape.ToString());
            Assert.AreEqual(expected, loss.Compute<float>(logits, shape, SegmentationTarget<float>.FromLabels(labels)), 0, "value only");
        }
    }
}
