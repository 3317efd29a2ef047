using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuickStart;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static Microsoft.ML.Segmentation.Tests.Training.BackboneTestData;

namespace Microsoft.ML.Segmentation.Tests.Samples;

/// <summary>
/// The QuickStart sample against what it commits: the dataset is what its generator writes, the head is what its
/// training gives, the metrics are the ones the README shows, and the committed files stay small. The tests that run
/// ResNet-18 are skipped when its package is not restored.
/// </summary>
[TestClass]
public sealed class QuickStartSampleTests
{
    private const long MaxCommittedBytes = 2L * 1024 * 1024;

    // SegmentationHead.Save's header: magic and six int32 sizes, then the float32 parameters.
    private const int HeadHeaderBytes = 28;

    // head.bin was trained where the managed kernels ran on AVX-512; with narrower vectors (another CPU, or
    // DOTNET_EnableAVX512=0) their sums round differently and the weights agree only to the last bits.
    private static bool SameSimdAsCommitted => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    // The README's confusion table (rows truth, columns prediction). The pipeline is deterministic, so any change
    // here means the data, the head, the backbone recipe or the scoring changed. Recorded on x64 with AVX-512 (also
    // with the managed SIMD paths off); another CPU's ONNX Runtime kernels could round a boundary pixel differently.
    private static readonly long[,] ExpectedConfusion =
    {
        { 103388, 618, 322, 218 },
        { 354, 13729, 29, 88 },
        { 325, 51, 6780, 15 },
        { 522, 101, 23, 4509 },
    };

    [TestMethod]
    public void TestSplitGivesTheCommittedMetrics()
    {
        QuickStartResult result = QuickStartRunner.Run(ResNet18Path, QuickStartPaths.DataFolder, QuickStartPaths.HeadFile);

        CollectionAssert.AreEqual(ShapesDataset.ClassNames.ToArray(), result.Metrics.ClassNames.ToArray());
        Assert.AreEqual(ShapesDataset.TestCount, result.Metrics.ImageCount);
        long[,] confusion = result.Metrics.GetConfusionMatrix();
        for (int t = 0; t < ShapesDataset.ClassNames.Count; t++)
        {
            for (int p = 0; p < ShapesDataset.ClassNames.Count; p++)
            {
                Assert.AreEqual(ExpectedConfusion[t, p], confusion[t, p], $"truth {t}, predicted {p}\n{result.Metrics.GetFormattedConfusionTable()}");
            }
        }

        Assert.AreEqual(0.9042031264839558, result.Metrics.MeanIoU, 1e-12);
        double[] iou = [0.9776920385448287, 0.9171008684034736, 0.8986083499005965, 0.8234112490869248];
        for (int k = 0; k < iou.Length; k++)
        {
            Assert.AreEqual(iou[k], result.Metrics.PerClassIoU[k], 1e-12, ShapesDataset.ClassNames[k]);
        }

        Assert.AreEqual(ShapesDataset.TestCount, result.Images.Count);
        Assert.IsTrue(result.Images.All(i => i.CrossEntropy is > 0 and < 0.2f && i.Dice is > 0 and < 0.2f), QuickStartReport.LossTable(result.Images));

        string folder = Directory.CreateTempSubdirectory("segml-quickstart-").FullName;
        try
        {
            QuickStartReport.WriteReport(result, folder);
            StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "metrics.json")), "\"meanIoU\": 0.9042031264839558");
            Assert.AreEqual(result.Metrics.GetFormattedPerClassTable(), File.ReadAllText(Path.Combine(folder, "per-class.txt")));
            Assert.AreEqual(result.Metrics.GetFormattedConfusionTable(), File.ReadAllText(Path.Combine(folder, "confusion.txt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void TrainingReproducesTheCommittedHeadBitForBit()
    {
        byte[] trained = QuickStartTrainer.Train(ResNet18Path, QuickStartPaths.DataFolder);
        byte[] committed = File.ReadAllBytes(QuickStartPaths.HeadFile);
        if (SameSimdAsCommitted)
        {
            Assert.IsTrue(committed.AsSpan().SequenceEqual(trained),
                $"head.bin ({committed.Length} bytes) differs from a fresh training ({trained.Length} bytes); if the change is intended, run the sample with --train and commit head.bin and the README table.");
            return;
        }

        // Narrower vectors sum in another order, so the last bits differ: the same sizes and nearly the same weights.
        Assert.IsTrue(committed.AsSpan(0, HeadHeaderBytes).SequenceEqual(trained.AsSpan(0, HeadHeaderBytes)), "the head's sizes differ");
        ReadOnlySpan<float> a = MemoryMarshal.Cast<byte, float>(committed.AsSpan(HeadHeaderBytes));
        ReadOnlySpan<float> b = MemoryMarshal.Cast<byte, float>(trained.AsSpan(HeadHeaderBytes));
        Assert.IsTrue(MaxAbsDiff(a, b) < 1e-3f, $"max parameter difference {MaxAbsDiff(a, b)} without AVX-512");
    }

    [TestMethod]
    public void CommittedDatasetIsWhatTheGeneratorWrites()
    {
        // Decoded pixels first: the generator's truth, independent of the PNG encoder.
        for (int i = 0; i < ShapesDataset.TrainCount + ShapesDataset.TestCount; i++)
        {
            (byte[] rgb, byte[] labels) = ShapesDataset.Generate(i);
            string split = Path.Combine(QuickStartPaths.DataFolder, i < ShapesDataset.TrainCount ? "train" : "test");
            using Image<Rgb24> image = Image.Load<Rgb24>(Path.Combine(split, "images", ShapesDataset.Stem(i) + ".png"));
            using Image<L8> mask = Image.Load<L8>(Path.Combine(split, "masks", ShapesDataset.Stem(i) + ".png"));
            var decodedRgb = new byte[rgb.Length];
            var decodedLabels = new byte[labels.Length];
            image.CopyPixelDataTo(decodedRgb);
            mask.CopyPixelDataTo(decodedLabels);
            CollectionAssert.AreEqual(rgb, decodedRgb, $"image {ShapesDataset.Stem(i)}");
            CollectionAssert.AreEqual(labels, decodedLabels, $"mask {ShapesDataset.Stem(i)}");
        }

        // Then the bytes: regenerating rewrites the committed files unchanged, and nothing else lies beside them.
        string folder = Directory.CreateTempSubdirectory("segml-quickstart-data-").FullName;
        try
        {
            ShapesDataset.Write(folder);
            string[] written = Files(folder);
            CollectionAssert.AreEqual(written, Files(QuickStartPaths.DataFolder), "the committed files are not the generator's");
            foreach (string file in written)
            {
                Assert.IsTrue(File.ReadAllBytes(Path.Combine(folder, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(QuickStartPaths.DataFolder, file))),
                    $"{file} regenerates with other bytes (a new PNG encoder?); run the sample with --regenerate and commit the files.");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void CommittedFilesStayUnderTwoMegabytes()
    {
        long total = new FileInfo(QuickStartPaths.HeadFile).Length
            + Directory.EnumerateFiles(QuickStartPaths.DataFolder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.IsTrue(total < MaxCommittedBytes, $"the QuickStart's data and head take {total} bytes");
        Assert.AreEqual(2 * (ShapesDataset.TrainCount + ShapesDataset.TestCount), Directory.EnumerateFiles(QuickStartPaths.DataFolder, "*.png", SearchOption.AllDirectories).Count());
    }

    private static string[] Files(string root) => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToArray();
}
