using System.Reflection;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>Images, the by-hand preprocessing of the CNTK ResNet, comparisons, and the ResNet-18 package files.</summary>
internal static class BackboneTestData
{
    /// <summary>The per-channel means the recipe folds in, in BGR order (the original graph's channel order).</summary>
    public static readonly float[] BgrMean = [103.063f, 115.903f, 123.152f];

    /// <summary>Random planar RGB 0..255.</summary>
    public static float[] RgbImages(int batch, int height, int width, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, batch * 3 * height * width).Select(_ => (float)(random.NextDouble() * 255)).ToArray();
    }

    /// <summary>What ML.NET feeds the original graph, with a per-channel mean: BGR, 0..255, minus the mean.</summary>
    public static float[] ToBgrMinusMean(float[] rgb, int batch, int height, int width)
    {
        int plane = height * width;
        var bgr = new float[rgb.Length];
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int i = 0; i < plane; i++)
                {
                    bgr[(((n * 3) + c) * plane) + i] = rgb[(((n * 3) + (2 - c)) * plane) + i] - BgrMean[c];
                }
            }
        }

        return bgr;
    }

    public static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.AreEqual(a.Length, b.Length, "lengths differ");
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(aa * bb);
    }

    public static void AssertSame(FeatureMaps expected, FeatureMaps actual)
    {
        Assert.AreEqual(expected.ImageHeight, actual.ImageHeight);
        Assert.AreEqual(expected.ImageWidth, actual.ImageWidth);
        Assert.AreEqual(expected.Maps.Count, actual.Maps.Count);
        for (int m = 0; m < expected.Maps.Count; m++)
        {
            FeatureMap e = expected.Maps[m], a = actual.Maps[m];
            Assert.AreEqual((e.Channels, e.Height, e.Width, e.Stride), (a.Channels, a.Height, a.Width, a.Stride));
            Assert.IsTrue(
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(e.Data.AsSpan()).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.Data.AsSpan())),
                $"map {m} differs bitwise");
        }
    }

    /// <summary>A file of the Microsoft.ML.DnnImageFeaturizer.ResNet18 package the test project restores, or a skip.</summary>
    public static string RequireResNetFile(string relative)
    {
        string? folder = typeof(BackboneTestData).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ResNet18PackageFolder")?.Value;
        if (string.IsNullOrEmpty(folder))
        {
            Assert.Inconclusive("Skipped: the build did not pass the Microsoft.ML.DnnImageFeaturizer.ResNet18 package folder (ResNet18PackageFolder).");
        }

        string path = Path.Combine(folder, relative);
        if (!File.Exists(path))
        {
            Assert.Inconclusive($"Skipped: {path} does not exist (restore the Microsoft.ML.DnnImageFeaturizer.ResNet18 package).");
        }

        return path;
    }

    public static string ResNet18Path => RequireResNetFile(Path.Combine("tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"));

    public static string PreprocessPath => RequireResNetFile(Path.Combine("tools", "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
}
