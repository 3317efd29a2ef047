using Microsoft.ML.Segmentation.Imaging;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>The PNG chunk CRC against the CRC-32 standard's check value and a chunk from a real PNG file.</summary>
[TestClass]
public sealed class PngCrcTests
{
    [TestMethod]
    public void MatchesTheCrc32CheckValue() => Assert.AreEqual(0xCBF43926u, PngCrc.Compute("123456789"u8));

    [TestMethod]
    public void MatchesTheCrcOfAnEmptyIendChunk() => Assert.AreEqual(0xAE426082u, PngCrc.Compute("IEND"u8));
}
