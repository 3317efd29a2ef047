using Microsoft.ML.Segmentation.Data;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Data;

/// <summary>Pairing images and masks by stem, manifests, and the errors that name what does not pair.</summary>
[TestClass]
public sealed class ImageMaskPairsTests
{
    private static void Touch(string dir, params string[] names)
    {
        foreach (string name in names)
        {
            string path = Path.Combine(dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [0]);
        }
    }

    [TestMethod]
    public void PairsByStemIgnoringCaseAndExtension()
    {
        using var temp = new TempDirectory();
        string images = temp.Sub("images"), masks = temp.Sub("masks");
        Touch(images, "b.jpg", "A.PNG", "c.webp", "notes.txt");
        Touch(masks, "a.png", "B.png", "c.png");
        IReadOnlyList<ImageMaskPair> pairs = ImageMaskPairs.FromFolders(images, masks);
        CollectionAssert.AreEqual(new[] { "A", "b", "c" }, pairs.Select(p => p.Name).ToArray());
        Assert.AreEqual(Path.Combine(images, "b.jpg"), pairs[1].ImagePath);
        Assert.AreEqual(Path.Combine(masks, "B.png"), pairs[1].MaskPath);
    }

    [TestMethod]
    public void RecursivePairsKeepTheSubFolder()
    {
        using var temp = new TempDirectory();
        string images = temp.Sub("images"), masks = temp.Sub("masks");
        Touch(images, "x/1.png", "y/1.png", "top.png");
        Touch(masks, "x/1.png", "y/1.png", "top.png");
        Assert.AreEqual(1, ImageMaskPairs.FromFolders(images, masks).Count);
        IReadOnlyList<ImageMaskPair> pairs = ImageMaskPairs.FromFolders(images, masks, recursive: true);
        CollectionAssert.AreEqual(new[] { "top", "x/1", "y/1" }, pairs.Select(p => p.Name).ToArray());
    }

    [TestMethod]
    public void UnmatchedFilesAreListedOnBothSidesWithCounts()
    {
        using var temp = new TempDirectory();
        string images = temp.Sub("images"), masks = temp.Sub("masks");
        Touch(images, Enumerable.Range(0, 13).Select(i => $"img{i:D2}.png").Append("shared.png").ToArray());
        Touch(masks, "shared.png", "orphan.png");
        var e = Assert.ThrowsExactly<ArgumentException>(() => ImageMaskPairs.FromFolders(images, masks));
        StringAssert.Contains(e.Message, "13 image(s) have no mask: img00, img01");
        StringAssert.Contains(e.Message, "img09, … (3 more)");
        Assert.IsFalse(e.Message.Contains("img10", StringComparison.Ordinal), e.Message);
        StringAssert.Contains(e.Message, "1 mask(s) have no image: orphan.");
    }

    [TestMethod]
    public void DuplicateStemsAreNamed()
    {
        using var temp = new TempDirectory();
        string images = temp.Sub("images"), masks = temp.Sub("masks");
        Touch(images, "a.png", "a.jpg", "b.png");
        Touch(masks, "a.png", "b.png");
        var e = Assert.ThrowsExactly<ArgumentException>(() => ImageMaskPairs.FromFolders(images, masks));
        StringAssert.Contains(e.Message, "1 stem(s) more than once");
        StringAssert.Contains(e.Message, "a.");
    }

    [TestMethod]
    public void MissingFolderAndEmptyFolderFail()
    {
        using var temp = new TempDirectory();
        string images = temp.Sub("images"), masks = temp.Sub("masks");
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => ImageMaskPairs.FromFolders(temp.File("nope"), masks));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ImageMaskPairs.FromFolders(images, masks)).Message, "holds no images");
    }

    [TestMethod]
    public void ManifestWithHeaderCommentsQuotesAndRelativePaths()
    {
        using var temp = new TempDirectory();
        Touch(temp.Path, "img/one.png", "lbl/one.png", "img/two two.jpg", "lbl/two.png");
        string manifest = temp.File("list.csv");
        File.WriteAllLines(manifest, ["Image,Mask", "# comment", "", "img/one.png, lbl/one.png", "\"img/two two.jpg\"\tlbl/two.png"]);
        IReadOnlyList<ImageMaskPair> pairs = ImageMaskPairs.FromManifest(manifest);
        Assert.AreEqual(2, pairs.Count);
        Assert.AreEqual(Path.Combine(temp.Path, "img", "one.png"), pairs[0].ImagePath);
        Assert.AreEqual(Path.Combine(temp.Path, "lbl", "two.png"), pairs[1].MaskPath);
        Assert.AreEqual("two two", pairs[1].Name);
    }

    [TestMethod]
    public void ManifestErrorsNameTheLineAndTheMissingFiles()
    {
        using var temp = new TempDirectory();
        Touch(temp.Path, "a.png");
        string manifest = temp.File("list.csv");
        File.WriteAllLines(manifest, ["a.png,a.png", "a.png"]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ImageMaskPairs.FromManifest(manifest)).Message, "line 2 has 1 field(s)");
        File.WriteAllLines(manifest, ["a.png,missing.png"]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ImageMaskPairs.FromManifest(manifest)).Message, "missing.png (line 1)");
        File.WriteAllLines(manifest, ["image,mask"]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ImageMaskPairs.FromManifest(manifest)).Message, "lists no pair");
        Assert.ThrowsExactly<FileNotFoundException>(() => ImageMaskPairs.FromManifest(temp.File("none.csv")));
    }
}
