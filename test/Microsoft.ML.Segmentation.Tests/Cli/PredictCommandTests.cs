using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Tests.Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary><c>segml predict</c> writes masks at the original image size that reload to the expected labels.</summary>
[TestClass]
public sealed class PredictCommandTests
{
    /// <summary>The conv head's argmax computed from the image file's bytes alone (pixels / 255, no normalisation).</summary>
    private static int[] ArgmaxFromPixels(string path, out int width, out int height)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(path);
        width = image.Width;
        height = image.Height;
        var labels = new int[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                Rgb24 p = image[x, y];
                double[] rgb = [p.R / 255.0, p.G / 255.0, p.B / 255.0];
                int best = 0;
                double bestScore = double.NegativeInfinity;
                for (int c = 0; c < TestModels.Classes; c++)
                {
                    double s = TestModels.Bias[c] + (TestModels.Weights[c * 3] * rgb[0]) + (TestModels.Weights[(c * 3) + 1] * rgb[1]) + (TestModels.Weights[(c * 3) + 2] * rgb[2]);
                    if (s > bestScore)
                    {
                        best = c;
                        bestScore = s;
                    }
                }

                labels[(y * width) + x] = best;
            }
        }

        return labels;
    }

    [TestMethod]
    public void WritesIndexAndColourMasksThatReloadToTheArgmax()
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6));
        string output = Path.Combine(data.Sub("out"), "nested");
        (int code, string stdout, string stderr) = Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", data.Images, "--out", output, "--color", "--confidence");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "Wrote 2 mask(s)");
        var masks = new SegmentationMaskLoader(new MaskOptions { ClassCount = TestModels.Classes });
        var colours = new SegmentationMaskLoader(new MaskOptions { ClassCount = 21, Format = MaskFormat.Color, ColorTable = Palettes.PascalVoc });
        foreach (string name in new[] { "one", "two" })
        {
            int[] expected = ArgmaxFromPixels(Path.Combine(data.Images, name + ".png"), out int width, out int height);
            LabelMap mask = masks.Load(Path.Combine(output, name + ".png"));
            Assert.AreEqual(width, mask.Width);
            Assert.AreEqual(height, mask.Height);
            CollectionAssert.AreEqual(expected, mask.Labels, name);
            CollectionAssert.AreEqual(expected, colours.Load(Path.Combine(output, name + "_color.png")).Labels, name);
            using Image<L8> confidence = Image.Load<L8>(Path.Combine(output, name + "_confidence.png"));
            Assert.AreEqual(width, confidence.Width);
            Assert.IsTrue(confidence[0, 0].PackedValue >= 255 / TestModels.Classes, "the winning class has at least 1/C probability");
        }
    }

    [TestMethod]
    public void LetterboxedPredictionsAreRestoredToTheOriginalSize()
    {
        using var data = new GeneratedDataset(("wide", 12, 6), ("tall", 5, 9));
        string output = data.Sub("out");
        (int code, _, string stderr) = Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", data.Images, "--out", output, "--size", "8x8", "--resize", "letterbox", "--mean", "0.5");
        Assert.AreEqual(0, code, stderr);
        var options = new ImageTensorOptions { ResizeMode = ImageResizeMode.Letterbox, Width = 8, Height = 8, Mean = [0.5f] };
        var loader = new SegmentationImageLoader(options);
        var masks = new SegmentationMaskLoader(new MaskOptions { ClassCount = TestModels.Classes });
        foreach ((string name, int width, int height) in new[] { ("wide", 12, 6), ("tall", 5, 9) })
        {
            ImageTensor tensor = loader.Load(Path.Combine(data.Images, name + ".png"));
            Assert.AreEqual(8, tensor.Width);
            float[] logits = TestModels.ConvHeadReference(tensor.Data, 1, 8, 8);
            var predicted = new int[64];
            MaskPrediction.Argmax<float>(logits, new SegmentationShape(1, TestModels.Classes, 8, 8), predicted);
            int[] expected = MaskGeometry.Restore(predicted, tensor.Geometries[0]);
            LabelMap mask = masks.Load(Path.Combine(output, name + ".png"));
            Assert.AreEqual(width, mask.Width, name);
            Assert.AreEqual(height, mask.Height, name);
            CollectionAssert.AreEqual(expected, mask.Labels, name);
        }
    }

    [TestMethod]
    public void OneChannelModelsUseTheThreshold()
    {
        using var data = new GeneratedDataset(("one", 6, 4));
        File.WriteAllBytes(data.Model, TestModels.BinarySigmoid());
        var loader = new SegmentationImageLoader();
        ImageTensor tensor = loader.Load(Path.Combine(data.Images, "one.png"));
        float[] probabilities = TestModels.BinaryReference(tensor.Data, 1, tensor.Height, tensor.Width);
        foreach (float threshold in new[] { 0.3f, 0.5f, 0.7f })
        {
            string output = data.Sub($"out{threshold}");
            (int code, _, string stderr) = Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", data.Images, "--out", output, "--threshold", threshold.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.AreEqual(0, code, stderr);
            int[] labels = new SegmentationMaskLoader(new MaskOptions { ClassCount = 2 }).Load(Path.Combine(output, "one.png")).Labels;
            CollectionAssert.AreEqual(probabilities.Select(p => p > threshold ? 1 : 0).ToArray(), labels, $"threshold {threshold}");
        }
    }

    [TestMethod]
    public void EmptyOrMissingImageFolderExitsOne()
    {
        using var data = new GeneratedDataset();
        (int code, _, string stderr) = Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", data.Images, "--out", data.Sub("out"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "holds no images");
        (code, _, stderr) = Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", data.File("nowhere"), "--out", data.Sub("out"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "nowhere");
    }
}
