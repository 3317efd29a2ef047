using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

[TestClass]
public sealed class BilinearResizeTests
{
    [TestMethod]
    public void MatchesPyTorchOnTwoByTwo()
    {
        // torch.nn.functional.interpolate(tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode="bilinear", align_corners=False)
        float[] expected =
        [
            1.00f, 1.25f, 1.75f, 2.00f,
            1.50f, 1.75f, 2.25f, 2.50f,
            2.50f, 2.75f, 3.25f, 3.50f,
            3.00f, 3.25f, 3.75f, 4.00f,
        ];
        var actual = new float[16];
        BilinearResize.Resize([1f, 2f, 3f, 4f], 1, 2, 2, 4, 4, actual);
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    [DataRow(1, 1, 1, 1, 1)]
    [DataRow(2, 3, 5, 12, 20)]
    [DataRow(3, 8, 8, 32, 32)]
    [DataRow(2, 7, 9, 13, 4)]
    [DataRow(1, 16, 16, 5, 7)]
    [DataRow(4, 1, 6, 3, 24)]
    public void MatchesScalarReference(int planes, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        var random = new Random(planes * 1000 + inHeight * 100 + outWidth);
        float[] source = new float[planes * inHeight * inWidth];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = (float)((random.NextDouble() * 10) - 5);
        }

        var actual = new float[planes * outHeight * outWidth];
        BilinearResize.Resize(source, planes, inHeight, inWidth, outHeight, outWidth, actual);
        double[] expected = Reference(source, planes, inHeight, inWidth, outHeight, outWidth);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], 1e-5, $"element {i}");
        }
    }

    /// <summary>
    /// Bit for bit the per-pixel form in T (unlike <see cref="Reference"/>, the definition in double, this mirrors the
    /// kernel's own operations: each output value from its four source values, horizontal interpolation of the
    /// two source rows, then the vertical blend, weights in double rounded to T) that the kernel replaced with kept
    /// source rows and vector blends: float through Resize and Forward, double through Forward; up, down, equal and
    /// mixed sizes, several planes (the kept rows start afresh per plane), widths around the vector width.
    /// </summary>
    [TestMethod]
    [DataRow(3, 4, 4, 16, 16)]
    [DataRow(2, 3, 5, 12, 17)]
    [DataRow(3, 16, 16, 4, 4)]
    [DataRow(2, 17, 9, 5, 4)]
    [DataRow(1, 6, 6, 6, 6)]
    [DataRow(2, 5, 9, 11, 2)]
    [DataRow(3, 1, 1, 3, 33)]
    [DataRow(2, 2, 3, 1, 1)]
    [DataRow(4, 7, 3, 29, 10)]
    public void EqualsThePerPixelDefinitionBitForBit(int planes, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        var random = new Random((planes * 1000) + (inHeight * 100) + outWidth);
        double[] source = Enumerable.Range(0, planes * inHeight * inWidth).Select(_ => (random.NextDouble() * 10) - 5).ToArray();
        float[] floats = source.Select(v => (float)v).ToArray();
        float[] expectedFloat = PerPixel(floats, planes, inHeight, inWidth, outHeight, outWidth);
        double[] expectedDouble = PerPixel(source, planes, inHeight, inWidth, outHeight, outWidth);

        var resized = new float[expectedFloat.Length];
        BilinearResize.Resize(floats, planes, inHeight, inWidth, outHeight, outWidth, resized);
        var forwardFloat = new float[expectedFloat.Length];
        BilinearResize.Forward<float>(floats, planes, inHeight, inWidth, outHeight, outWidth, forwardFloat);
        var forwardDouble = new double[expectedDouble.Length];
        BilinearResize.Forward<double>(source, planes, inHeight, inWidth, outHeight, outWidth, forwardDouble);
        CollectionAssert.AreEqual(expectedFloat.Select(BitConverter.SingleToInt32Bits).ToArray(), resized.Select(BitConverter.SingleToInt32Bits).ToArray(), "Resize");
        CollectionAssert.AreEqual(expectedFloat.Select(BitConverter.SingleToInt32Bits).ToArray(), forwardFloat.Select(BitConverter.SingleToInt32Bits).ToArray(), "Forward<float>");
        CollectionAssert.AreEqual(expectedDouble.Select(BitConverter.DoubleToInt64Bits).ToArray(), forwardDouble.Select(BitConverter.DoubleToInt64Bits).ToArray(), "Forward<double>");
    }

    private static T[] PerPixel<T>(T[] source, int planes, int inHeight, int inWidth, int outHeight, int outWidth)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        (int Low, int High, T Weight) Neighbours(int index, int size, int outSize)
        {
            double scale = (double)size / outSize; // the scale first, as PyTorch's area_pixel_compute_scale
            double src = Math.Max(((index + 0.5) * scale) - 0.5, 0.0);
            int low = Math.Min((int)src, size - 1);
            return (low, Math.Min(low + 1, size - 1), T.CreateTruncating(src - low));
        }

        var result = new T[planes * outHeight * outWidth];
        for (int p = 0; p < planes; p++)
        {
            for (int y = 0; y < outHeight; y++)
            {
                (int y0, int y1, T wy) = Neighbours(y, inHeight, outHeight);
                for (int x = 0; x < outWidth; x++)
                {
                    (int x0, int x1, T wx) = Neighbours(x, inWidth, outWidth);
                    T At(int row, int column) => source[(((p * inHeight) + row) * inWidth) + column];
                    T upper = At(y0, x0) + (wx * (At(y0, x1) - At(y0, x0)));
                    T lower = At(y1, x0) + (wx * (At(y1, x1) - At(y1, x0)));
                    result[(((p * outHeight) + y) * outWidth) + x] = ((T.One - wy) * upper) + (wy * lower);
                }
            }
        }

        return result;
    }

    [TestMethod]
    public void IdentitySizeCopies()
    {
        float[] source = [1, 2, 3, 4, 5, 6];
        var actual = new float[6];
        BilinearResize.Resize(source, 1, 2, 3, 2, 3, actual);
        CollectionAssert.AreEqual(source, actual);
    }

    [TestMethod]
    public void RejectsWrongLengths()
    {
        Assert.ThrowsExactly<ArgumentException>(() => BilinearResize.Resize(new float[5], 1, 2, 3, 4, 4, new float[16]));
        Assert.ThrowsExactly<ArgumentException>(() => BilinearResize.Resize(new float[6], 1, 2, 3, 4, 4, new float[15]));
    }

    /// <summary>
    /// Half-pixel bilinear from its definition, in double, one output value at a time: the test-time augmentation
    /// oracle's (one definition for both), on the float source widened.
    /// </summary>
    internal static double[] Reference(float[] source, int planes, int inHeight, int inWidth, int outHeight, int outWidth)
        => Tiling.TestTimeAugmentationOracle.Bilinear(source.Select(v => (double)v).ToArray(), planes, inHeight, inWidth, outHeight, outWidth);
}
