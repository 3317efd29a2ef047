using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Peers;

/// <summary>smp and mmseg presets against their peers' formulas written out here, and their refusals.</summary>
[TestClass]
public sealed class SmpMmsegPresetTests
{
    [TestMethod]
    public void SmpFocal_MulticlassClassWeights_AveragesPerClassMeans()
    {
        // smp 0.5 FocalLoss(multiclass): per class c a sigmoid focal mean over non-ignored pixels of logit c vs (y == c),
        // then Σ_c w_c·l_c / Σ_c w_c.
        var shape = new SegmentationShape(2, 3, 2, 2);
        var random = new Random(31);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 3, ignore: 255, ignoreFraction: 0.25);
        double[] w = [1, 2, 3];
        ISegmentationLoss loss = Smp.FocalLoss("multiclass", alpha: 0.25, gamma: 2, ignoreIndex: 255, classWeights: w);
        double actual = loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels));
        int s = shape.PixelsPerImage;
        double weighted = 0;
        for (int k = 0; k < 3; k++)
        {
            double sum = 0;
            int count = 0;
            for (int n = 0; n < shape.Batch; n++)
            {
                for (int i = 0; i < s; i++)
                {
                    int label = labels[(n * s) + i];
                    if (label == 255)
                    {
                        continue;
                    }

                    double t = label == k ? 1 : 0;
                    double p = 1 / (1 + Math.Exp(-x[(((n * 3) + k) * s) + i]));
                    double logpt = -((t * Math.Log(p)) + ((1 - t) * Math.Log(1 - p)));
                    double pt = Math.Exp(-logpt);
                    sum += Math.Pow(1 - pt, 2) * logpt * ((0.25 * t) + (0.75 * (1 - t)));
                    count++;
                }
            }

            weighted += w[k] * sum / count;
        }

        Assert.AreEqual(weighted / w.Sum(), actual, 1e-12);
        GradientCheck.AssertMatches(loss, x, shape, TestTarget.FromLabels(labels));
    }

    [TestMethod]
    public void MmsegDice_IgnoredPixelsKeepTheirPredictions()
    {
        // mmseg 1.x: one_hot(clamp(t, 0, C), C + 1)[..., :C] makes a 255 pixel an all-zero row; its prediction still
        // counts in Σp². V-Net form per image over all channels: 1 − 2Σpt / ((Σp² + eps) + (Σt² + eps)).
        var shape = new SegmentationShape(1, 2, 1, 3);
        double[] x = [0.5, -1, 2, 1, 0.3, -0.2];
        int[] labels = [0, 255, 1];
        double actual = Mmseg.DiceLoss().Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels));
        double[] p = x.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();
        double[] t = [1, 0, 0, 0, 0, 1];
        double pt = p.Zip(t, (a, b) => a * b).Sum();
        double expected = 1 - (2 * pt / ((p.Sum(v => v * v) + 1e-3) + (t.Sum() + 1e-3)));
        Assert.AreEqual(expected, actual, 1e-12);
    }

    [TestMethod]
    public void UnmappedPeerParameters_ThrowNotSupported()
    {
        Assert.ThrowsExactly<NotSupportedException>(() => Smp.FocalLoss("binary", fromLogits: false));
        Assert.ThrowsExactly<NotSupportedException>(() => Smp.FocalLoss("multiclass", normalized: true));
        Assert.ThrowsExactly<NotSupportedException>(() => Mmseg.CrossEntropyLoss(useMask: true));
        Assert.ThrowsExactly<NotSupportedException>(() => Mmseg.FocalLoss(useSigmoid: false));
        Assert.ThrowsExactly<NotSupportedException>(() => Monai.FocalLoss(reduction: "sum"));
        Assert.ThrowsExactly<NotSupportedException>(() => Monai.DiceLoss(reduction: "none"));
        NotSupportedException e = Assert.ThrowsExactly<NotSupportedException>(() => Smp.SoftCrossEntropyLoss(smoothFactor: 0, dim: 2));
        StringAssert.Contains(e.Message, "dim=2");
    }

    [TestMethod]
    public void MonaiWeight_OfWrongLength_NamesTheKeptClasses()
    {
        var shape = new SegmentationShape(1, 3, 1, 2);
        double[] x = new double[shape.ElementCount];
        int[] labels = [0, 2];
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(
            () => Monai.DiceLoss(includeBackground: false, weight: [1.0, 2.0, 3.0]).Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels)));
        StringAssert.Contains(e.Message, "keeps 2 of the 3 channels");
    }
}
