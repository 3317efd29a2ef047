using System.Runtime.Intrinsics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>
/// <see cref="BlockedMatrixMultiply"/> against a float64 triple loop (the truth, within float rounding) and against the
/// plain float loop in the documented order (bit for bit), on shapes that miss every block and vector size: 1×1,
/// 7×13·13×5, widths that are not multiples of the vector width, depths beyond the 256-row depth block, widths beyond
/// the 256-column block (which take the multi-threaded path) and transposed operands. In the Kernels namespace, so
/// .ci/run repeats them on every SIMD tier.
/// </summary>
[TestClass]
public sealed class BlockedMatrixMultiplyTests
{
    public static IEnumerable<object[]> Shapes()
    {
        yield return [1, 1, 1];
        yield return [7, 13, 5];
        yield return [4, 1, 16];
        yield return [5, 17, 33];
        yield return [3, 300, 7];
        yield return [9, 1000, 41];
        yield return [6, 600, 513];
        yield return [21, 448, 300];
        yield return [2, 0, 3];
        // Fewer rows than a register tile (B streamed, no panels), across the column chunk of 1024 and its tail.
        yield return [1, 448, 1031];
        yield return [2, 37, 2100];
    }

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void MultiplyMatchesTheFloat64TripleLoopAndThePlainFloatLoop(int m, int k, int n)
    {
        var random = new Random((m * 1000) + (k * 10) + n);
        foreach (bool transposed in new[] { false, true })
        {
            foreach (bool accumulate in new[] { false, true })
            {
                // A stored row-major m×k, or as its transpose k×m (row stride 1, column stride m).
                float[] a = Random(random, m * k);
                int rowStride = transposed ? 1 : k;
                int columnStride = transposed ? m : 1;
                // B with a row stride larger than n, C likewise, so that strides are honoured.
                int ldb = n + 3;
                int ldc = n + 2;
                float[] b = Random(random, Math.Max(0, ((k - 1) * ldb) + n));
                float[] c = Random(random, ((m - 1) * ldc) + n);
                float[] plain = (float[])c.Clone();
                float[] initial = (float[])c.Clone();

                BlockedMatrixMultiply.Multiply<float>(a, rowStride, columnStride, b, ldb, c, ldc, m, k, n, accumulate);

                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double exact = accumulate ? initial[(i * ldc) + j] : 0;
                        double magnitude = Math.Abs(exact);
                        float sum = accumulate ? initial[(i * ldc) + j] : 0f;
                        for (int l = 0; l < k; l++)
                        {
                            float av = a[(i * rowStride) + (l * columnStride)];
                            float bv = b[(l * ldb) + j];
                            exact += (double)av * bv;
                            magnitude += Math.Abs((double)av * bv);
                            sum = (bv * av) + sum;
                        }

                        plain[(i * ldc) + j] = sum;
                        // Each of the k additions rounds once in float: |error| ≤ k·ε·Σ|terms|.
                        double tolerance = ((k + 1) * 6e-8 * magnitude) + 1e-30;
                        Assert.AreEqual(exact, c[(i * ldc) + j], tolerance, $"C[{i},{j}] of {m}x{k}·{k}x{n}, transposed {transposed}, accumulate {accumulate}");
                    }
                }

                // Bit for bit the plain loop, gaps between rows untouched.
                CollectionAssert.AreEqual(plain, c, $"{m}x{k}·{k}x{n}, transposed {transposed}, accumulate {accumulate}");
            }
        }
    }

    [TestMethod]
    public void MultiplyInDoubleMatchesTheTripleLoop()
    {
        var random = new Random(5);
        const int m = 6, k = 270, n = 37;
        double[] a = Random(random, m * k).Select(v => (double)v).ToArray();
        double[] b = Random(random, k * n).Select(v => (double)v).ToArray();
        var c = new double[m * n];
        BlockedMatrixMultiply.Multiply<double>(a, k, 1, b, n, c, n, m, k, n, accumulate: false);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int l = 0; l < k; l++)
                {
                    sum = (b[(l * n) + j] * a[(i * k) + l]) + sum;
                }

                Assert.AreEqual(sum, c[(i * n) + j], $"C[{i},{j}]");
            }
        }
    }

    [TestMethod]
    public void ResultDoesNotDependOnTheThreadCount()
    {
        // Wide enough for several column blocks and enough work for the parallel path (on a machine with 2 or more
        // cores); against the same blocks computed one call each, which never goes parallel: the bits must agree.
        var random = new Random(11);
        const int m = 13, k = 700, n = 1100;
        float[] a = Random(random, m * k);
        float[] b = Random(random, k * n);
        var parallel = new float[m * n];
        BlockedMatrixMultiply.Multiply<float>(a, k, 1, b, n, parallel, n, m, k, n, accumulate: false);
        var sequential = new float[m * n];
        for (int block = 0; block * 256 < n; block++)
        {
            // One column block at a time through the public entry: each call is a single block, never parallel.
            int j0 = block * 256;
            int width = Math.Min(256, n - j0);
            var bBlock = new float[k * width];
            for (int l = 0; l < k; l++)
            {
                b.AsSpan((l * n) + j0, width).CopyTo(bBlock.AsSpan(l * width));
            }

            var cBlock = new float[m * width];
            BlockedMatrixMultiply.Multiply<float>(a, k, 1, bBlock, width, cBlock, width, m, k, width, accumulate: false);
            for (int i = 0; i < m; i++)
            {
                cBlock.AsSpan(i * width, width).CopyTo(sequential.AsSpan((i * n) + j0));
            }
        }

        CollectionAssert.AreEqual(sequential, parallel);
    }

    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(7, 5, 13)]
    [DataRow(5, 33, 257)]
    [DataRow(21, 448, 1024)]
    [DataRow(3, 9, 700)]
    [DataRow(9, 37, 75)]
    public void AccumulateProductTransposedMatchesTheFloat64TripleLoop(int m, int n, int k)
    {
        (float[] a, float[] b, double[] c) = TransposedOperands(m, n, k, (m * 7) + n + k);
        double[] initial = (double[])c.Clone();
        BlockedMatrixMultiply.AccumulateProductTransposed<float>(a, k, b, k, c, m, n, k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double exact = initial[(i * n) + j];
                double magnitude = 0;
                for (int l = 0; l < k; l++)
                {
                    exact += (double)a[(i * k) + l] * b[(j * k) + l];
                    magnitude += Math.Abs((double)a[(i * k) + l] * b[(j * k) + l]);
                }

                // Float sums over tiles of 256, then double: at most 256 float roundings per term.
                double tolerance = (Math.Min(k, BlockedMatrixMultiply.TransposedDepthTile) + 1) * 6e-8 * magnitude;
                Assert.AreEqual(exact, c[(i * n) + j], tolerance + 1e-12, $"C[{i},{j}] of {m}x{k}·({n}x{k})ᵀ");
            }
        }
    }

    /// <summary>
    /// The split sums' four-term reduction, both forms (x86's shuffles, and the element-by-element one ARM64 takes, which
    /// x86 never runs otherwise), bit for bit the definition ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7)) on lanes
    /// of mixed magnitudes, where another order of the same additions rounds differently.
    /// </summary>
    [TestMethod]
    public void SplitSumReductionMatchesItsDefinitionInBothForms()
    {
        var random = new Random(8);
        int differentOrder = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            var s = new float[4, 8];
            var folded = new Vector128<float>[4];
            var expected = new float[4];
            for (int q = 0; q < 4; q++)
            {
                for (int r = 0; r < 8; r++)
                {
                    s[q, r] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4)));
                }

                folded[q] = Vector128.Create(s[q, 0] + s[q, 4], s[q, 1] + s[q, 5], s[q, 2] + s[q, 6], s[q, 3] + s[q, 7]);
                expected[q] = ((s[q, 0] + s[q, 4]) + (s[q, 2] + s[q, 6])) + ((s[q, 1] + s[q, 5]) + (s[q, 3] + s[q, 7]));
                float otherOrder = ((s[q, 0] + s[q, 4]) + (s[q, 1] + s[q, 5])) + ((s[q, 2] + s[q, 6]) + (s[q, 3] + s[q, 7]));
                differentOrder += BitConverter.SingleToInt32Bits(otherOrder) != BitConverter.SingleToInt32Bits(expected[q]) ? 1 : 0;
            }

            foreach (Vector128<float> reduced in new[]
            {
                SplitSumProducts.ReduceFour(folded[0], folded[1], folded[2], folded[3]),
                SplitSumProducts.ReduceFourByElement(folded[0], folded[1], folded[2], folded[3]),
            })
            {
                for (int q = 0; q < 4; q++)
                {
                    Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[q]), BitConverter.SingleToInt32Bits(reduced.GetElement(q)), $"trial {trial}, term {q}");
                }
            }
        }

        Assert.IsTrue(differentOrder > 100, $"only {differentOrder} of 8000 terms tell the orders apart");
    }

    /// <summary>
    /// Bit for bit its definition: per tile of 256 pixels a float sum (product rounded, then the sum) added to the double
    /// total tile after tile; the tile's sum in ascending order where A has more than
    /// <see cref="SplitSumProducts.MaxRows"/> rows (the transposed product), and split over eight lanes by l mod 8, then
    /// ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7)), where it has at most that many (<see cref="SplitSumProducts"/>).
    /// Shapes with edges in the 16 × 16 transposed blocks, a partial last tile and a depth not a multiple of 8, odd n
    /// (B's rows taken two or, for one or two rows of A, four at a time), rows not a multiple of 4 (A's groups), and m·n not a multiple of the vector width
    /// (the widened add's tail). CI reruns it at every SIMD width.
    /// </summary>
    [TestMethod]
    [DataRow(21, 256, 1024)]
    [DataRow(5, 37, 530)]
    [DataRow(17, 19, 16)]
    [DataRow(1, 3, 300)]
    [DataRow(4, 448, 1024)]
    [DataRow(1, 11, 512)]
    [DataRow(2, 13, 768)]
    [DataRow(6, 9, 256)]
    [DataRow(24, 9, 263)]
    [DataRow(25, 37, 530)]
    [DataRow(33, 37, 530)]
    [DataRow(40, 19, 16)]
    public void AccumulateProductTransposedEqualsItsTileByTileDefinitionBitForBit(int m, int n, int k)
    {
        (float[] a, float[] b, double[] c) = TransposedOperands(m, n, k, (m * 31) + n + k);
        double[] expected = (double[])c.Clone();
        bool split = m <= SplitSumProducts.MaxRows;
        for (int t0 = 0; t0 < k; t0 += BlockedMatrixMultiply.TransposedDepthTile)
        {
            int end = Math.Min(k, t0 + BlockedMatrixMultiply.TransposedDepthTile);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    var lanes = new float[8];
                    float sum = 0f;
                    for (int l = t0; l < end; l++)
                    {
                        float product = a[(i * k) + l] * b[(j * k) + l];
                        if (split)
                        {
                            lanes[(l - t0) % 8] = product + lanes[(l - t0) % 8];
                        }
                        else
                        {
                            sum = product + sum;
                        }
                    }

                    if (split)
                    {
                        sum = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
                    }

                    expected[(i * n) + j] += sum;
                }
            }
        }

        BlockedMatrixMultiply.AccumulateProductTransposed<float>(a, k, b, k, c, m, n, k);
        CollectionAssert.AreEqual(expected.Select(BitConverter.DoubleToInt64Bits).ToArray(), c.Select(BitConverter.DoubleToInt64Bits).ToArray());
    }

    /// <summary>A (m×k), B (n×k) and the double totals C (m×n) of <see cref="BlockedMatrixMultiply.AccumulateProductTransposed{T}"/>, seeded.</summary>
    private static (float[] A, float[] B, double[] C) TransposedOperands(int m, int n, int k, int seed)
    {
        var random = new Random(seed);
        float[] a = Random(random, m * k);
        float[] b = Random(random, n * k);
        return (a, b, Random(random, m * n).Select(v => (double)v).ToArray());
    }

    [TestMethod]
    public void ShapesThatDoNotFitTheSpansAreRejectedWithTheirSizes()
    {
        // A 2×3 · 3×2 product needs 6, 6 and 4 values; B is one short.
        var a = new float[6];
        var b = new float[5];
        var c = new float[4];
        BlockedMatrixMultiply.Multiply<float>(a, 3, 1, new float[6], 2, c, 2, 2, 3, 2, false);
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => BlockedMatrixMultiply.Multiply<float>(a, 3, 1, b, 2, c, 2, 2, 3, 2, false));
        Assert.Contains("b holds 5 values; the shape and strides need 6", e.Message);
        Assert.ThrowsExactly<ArgumentException>(() => BlockedMatrixMultiply.Multiply<float>(a, 3, 1, b, 2, c, 2, 3, 2, 2, false));
        Assert.ThrowsExactly<ArgumentException>(() => BlockedMatrixMultiply.Multiply<float>(a, 3, 1, b, 1, c, 2, 2, 3, 2, false));
        Assert.ThrowsExactly<ArgumentException>(() => BlockedMatrixMultiply.AccumulateProductTransposed<float>(a, 3, b, 3, new double[3], 2, 2, 3));
    }

    private static float[] Random(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
