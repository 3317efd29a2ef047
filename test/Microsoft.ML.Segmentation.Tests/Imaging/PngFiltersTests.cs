using Microsoft.ML.Segmentation.Imaging;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>
/// The PNG un-filters against the PNG specification's own definitions (PNG 1.2, section 6: the predictor from the
/// un-filtered bytes a (one pixel left), b (above) and c (above-left), 0 outside the image; Paeth's choice with the
/// specification's comparisons and tie order), written here byte by byte with branches, on every pixel size a PNG can
/// have (1 to 8 bytes), rows of one pixel up to odd lengths, and rows of random bytes (the choice close to random) as
/// well as smooth ones (near ties, where the tie order decides). CI reruns this with SIMD off, which takes the scalar
/// path of every pixel size.
/// </summary>
[TestClass]
public sealed class PngFiltersTests
{
    [TestMethod]
    [DataRow((byte)1, DisplayName = "Sub")]
    [DataRow((byte)2, DisplayName = "Up")]
    [DataRow((byte)3, DisplayName = "Average")]
    [DataRow((byte)4, DisplayName = "Paeth")]
    public void UnfiltersAsTheSpecificationDefinesForEveryPixelSize(byte filter)
    {
        int rowsChecked = 0;
        for (int bytesPerPixel = 1; bytesPerPixel <= 8; bytesPerPixel++)
        {
            foreach (int pixels in new[] { 1, 2, 3, 5, 16, 33, 257 })
            {
                foreach (bool smooth in new[] { false, true })
                {
                    var random = new Random((bytesPerPixel * 1000) + (pixels * 7) + (smooth ? 1 : 0));
                    byte[] previous = Row(random, bytesPerPixel * pixels, smooth);
                    byte[] filtered = Row(random, bytesPerPixel * pixels, smooth);
                    byte[] expected = Specification(filter, filtered, previous, bytesPerPixel);

                    byte[] row = (byte[])filtered.Clone();
                    Assert.IsTrue(PngFilters.TryUnfilter(filter, row, previous, bytesPerPixel));
                    CollectionAssert.AreEqual(expected, row, $"filter {filter}, {bytesPerPixel} bytes a pixel, {pixels} pixels, smooth {smooth}");
                    rowsChecked++;
                }
            }
        }

        Assert.AreEqual(8 * 7 * 2, rowsChecked);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(4)]
    public void PaethChoosesAsTheSpecificationDoesForEveryTriple(int bytesPerPixel)
    {
        // Every (a, b, c) in 0..255³, ties included (where only the specification's order decides), as the second
        // pixel of a pair: the first pixel's byte lies above-left (c) and un-filters to a (its filtered byte is chosen
        // so), the second's lies above (b) and is filtered as 0, so it un-filters to the predictor itself. A pixel of
        // several bytes carries one triple a byte.
        const int Triples = 256 * 256 * 256;
        int pairs = (Triples + bytesPerPixel - 1) / bytesPerPixel;
        var previous = new byte[pairs * 2 * bytesPerPixel];
        var filtered = new byte[previous.Length];
        var expected = new byte[previous.Length];
        for (int t = 0; t < pairs * bytesPerPixel; t++)
        {
            int triple = t % Triples, a = triple >> 16, b = (triple >> 8) & 0xFF, c = triple & 0xFF;
            int pair = t / bytesPerPixel, channel = t % bytesPerPixel;
            int first = (pair * 2 * bytesPerPixel) + channel, second = first + bytesPerPixel;
            previous[first] = (byte)c;
            previous[second] = (byte)b;
            int left = pair == 0 ? 0 : expected[first - bytesPerPixel];
            int aboveLeft = pair == 0 ? 0 : previous[first - bytesPerPixel];
            filtered[first] = (byte)(a - PaethPredictor(left, c, aboveLeft));
            expected[first] = (byte)a;
            expected[second] = (byte)PaethPredictor(a, b, c);
        }

        Assert.IsTrue(PngFilters.TryUnfilter(4, filtered, previous, bytesPerPixel));
        int same = filtered.AsSpan().CommonPrefixLength(expected);
        int mismatch = same == expected.Length ? -1 : same;
        Assert.AreEqual(-1, mismatch, mismatch < 0 ? string.Empty
            : $"byte {mismatch}: {filtered[mismatch]}, the specification {expected[mismatch]} (b {previous[mismatch]})");
    }

    [TestMethod]
    public void TheFirstRowSeesZerosAbove()
    {
        // A decoder passes a zero row above the first one; Paeth then predicts from the left byte alone (a when b = c = 0).
        byte[] filtered = [10, 20, 30, 5, 6, 7, 250, 251, 252];
        byte[] row = (byte[])filtered.Clone();
        Assert.IsTrue(PngFilters.TryUnfilter(4, row, new byte[row.Length], 3));
        CollectionAssert.AreEqual(new byte[] { 10, 20, 30, 15, 26, 37, 9, 21, 33 }, row);
    }

    [TestMethod]
    public void AFilterTypePngDoesNotDefineIsDeclined()
    {
        byte[] row = [1, 2, 3];
        Assert.IsFalse(PngFilters.TryUnfilter(5, row, new byte[3], 1));
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, row, "a declined row is left as it was");
    }

    private static byte[] Row(Random random, int length, bool smooth)
    {
        var row = new byte[length];
        if (!smooth)
        {
            random.NextBytes(row);
            return row;
        }

        int value = random.Next(256);
        for (int i = 0; i < length; i++)
        {
            value = Math.Clamp(value + random.Next(-3, 4), 0, 255);
            row[i] = (byte)value;
        }

        return row;
    }

    /// <summary>PNG 1.2 section 6.6's pseudocode for the Paeth predictor, and section 6's other filters, byte by byte.</summary>
    private static byte[] Specification(byte filter, byte[] filtered, byte[] previous, int bytesPerPixel)
    {
        var result = new byte[filtered.Length];
        for (int i = 0; i < filtered.Length; i++)
        {
            int a = i >= bytesPerPixel ? result[i - bytesPerPixel] : 0;
            int b = previous[i];
            int c = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
            int predictor = filter switch
            {
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                _ => PaethPredictor(a, b, c),
            };
            result[i] = (byte)((filtered[i] + predictor) % 256);
        }

        return result;
    }

    private static int PaethPredictor(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }
}
