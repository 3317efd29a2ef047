using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>
/// The eight flips and transposes of test-time augmentation against their index definition, element by element, at
/// sizes that end inside a 16 × 16 transpose block, at one pixel, and with enough values to run the planes in
/// parallel; each undone by its inverse.
/// </summary>
[TestClass]
public sealed class WindowTransformTests
{
    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(2, 5, 3)]
    [DataRow(1, 17, 33)]
    [DataRow(3, 150, 170)] // 76,500 values: past ParallelWork's threshold
    [DataRow(4, 64, 64)]
    public void EveryTransformIsItsIndexMapAndItsInverseUndoesIt(int planes, int height, int width)
    {
        var random = new Random((planes * 1000) + height + width);
        float[] x = Enumerable.Range(0, planes * height * width).Select(_ => (float)random.NextDouble()).ToArray();
        foreach (WindowTransform transform in WindowTransform.For(TtaFlips.D4))
        {
            (int outHeight, int outWidth) = transform.SizeOf(height, width);
            var y = new float[x.Length];
            transform.Apply(x, planes, height, width, y);
            for (int p = 0; p < planes; p++)
            {
                for (int i = 0; i < outHeight; i++)
                {
                    for (int j = 0; j < outWidth; j++)
                    {
                        // Flip the transposed plane: row i shows row a of transpose?(X), column j its column b.
                        int a = transform.FlipRows ? outHeight - 1 - i : i;
                        int b = transform.FlipColumns ? outWidth - 1 - j : j;
                        float expected = transform.Transpose ? x[(p * height * width) + (b * width) + a] : x[(p * height * width) + (a * width) + b];
                        Assert.AreEqual(expected, y[(p * outHeight * outWidth) + (i * outWidth) + j], $"{transform}, plane {p}, ({i}, {j})");
                    }
                }
            }

            var back = new float[x.Length];
            transform.Inverse.Apply(y, planes, outHeight, outWidth, back);
            CollectionAssert.AreEqual(x, back, $"{transform} then its inverse");
        }
    }

    [TestMethod]
    public void TransformsNameTheirParts()
    {
        // The generated record text recursed through Inverse (a stack overflow in any assertion message or log).
        CollectionAssert.AreEqual(
            new[] { "identity", "flip columns", "flip rows", "flip rows, flip columns", "transpose", "transpose, flip columns", "transpose, flip rows", "transpose, flip rows, flip columns" },
            WindowTransform.For(TtaFlips.D4).Select(t => t.ToString()).ToArray());
    }
}
