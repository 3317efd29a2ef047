using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>The real scenes-lraspp PNGs load to their documented sizes; their masks hold only classes 0..4.</summary>
[TestClass]
public sealed class SceneFixtureTests
{
    [TestMethod]
    public void ScenesLoadWithTheirMasks()
    {
        string root = SharedData.RequireDirectory("fixtures/scenes-lraspp");
        string[] images = Directory.GetFiles(Path.Combine(root, "images"), "*.png").Order(StringComparer.Ordinal).ToArray();
        Assert.AreEqual(24, images.Length);
        var imageLoader = new SegmentationImageLoader(ImageTensorOptions.ImageNet());
        var maskLoader = new SegmentationMaskLoader(new MaskOptions { ClassCount = 5, IgnoreIndex = null });
        var sizes = new HashSet<(int, int)>();
        var classes = new HashSet<int>();
        foreach (string imagePath in images)
        {
            ImageTensor tensor = imageLoader.Load(imagePath);
            sizes.Add((tensor.Width, tensor.Height));
            Assert.IsTrue(tensor.Data.All(float.IsFinite));
            Assert.IsTrue(tensor.Data.All(v => v is > -2.2f and < 2.7f), "ImageNet-normalised values lie in [-2.12, 2.64]");
            string maskPath = Path.Combine(root, "masks", Path.GetFileName(imagePath));
            LabelMap mask = maskLoader.Load(maskPath, tensor.Geometries[0]);
            Assert.AreEqual(tensor.Width * tensor.Height, mask.Labels.Length);
            classes.UnionWith(mask.Labels);
        }

        CollectionAssert.AreEquivalent(new[] { (128, 128), (224, 160), (192, 256) }, sizes.ToArray());
        Assert.IsTrue(classes.All(c => c is >= 0 and <= 4), string.Join(",", classes));
        Assert.IsGreaterThan(1, classes.Count);
    }

    [TestMethod]
    public void SameSizeScenesBatchAndLetterboxTogether()
    {
        string root = SharedData.RequireDirectory("fixtures/scenes-lraspp");
        string[] images = Directory.GetFiles(Path.Combine(root, "images"), "*.png").Order(StringComparer.Ordinal).ToArray();
        var letterbox = new SegmentationImageLoader(new ImageTensorOptions { ResizeMode = ImageResizeMode.Letterbox, Width = 256, Height = 256 });
        ImageTensor batch = letterbox.LoadBatch(images);
        CollectionAssert.AreEqual(new[] { 24, 3, 256, 256 }, batch.Dimensions.ToArray());
        string[] masks = images.Select(p => Path.Combine(root, "masks", Path.GetFileName(p))).ToArray();
        int[] labels = new SegmentationMaskLoader(new MaskOptions { ClassCount = 5 }).LoadBatch(masks, batch.Geometries);
        Assert.AreEqual(24 * 256 * 256, labels.Length);
        Assert.IsTrue(labels.All(c => c is (>= 0 and <= 4) or 255));
    }
}
