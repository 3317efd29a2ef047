using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>
/// The blend's target += values · weights against the two float32 roundings it promises (MONAI's multiply, then add),
/// at lengths that exercise the vector body and the scalar tail; a fused multiply-add gives other bits on most of these.
/// </summary>
[TestClass]
public sealed class WeightedSumTests
{
    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(7)]
    [DataRow(16)]
    [DataRow(67)]
    [DataRow(1000)]
    public void RoundsTheProductThenTheSum(int length)
    {
        var random = new Random(length + 11);
        float[] target = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[] values = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 40) - 20)).ToArray();
        float[] weights = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
        var expected = new float[length];
        int fusedDiffers = 0;
        for (int i = 0; i < length; i++)
        {
            // In double, the product of two floats is exact: rounding it to float and then the sum gives the two
            // roundings; rounding the exact sum once is what a fused multiply-add would give.
            float product = (float)((double)values[i] * weights[i]);
            expected[i] = (float)((double)target[i] + product);
            float fused = (float)((double)target[i] + ((double)values[i] * weights[i]));
            fusedDiffers += BitConverter.SingleToInt32Bits(fused) != BitConverter.SingleToInt32Bits(expected[i]) ? 1 : 0;
        }

        WeightedSum.Accumulate(target, values, weights);
        for (int i = 0; i < length; i++)
        {
            Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(target[i]), $"element {i} of {length}: {target[i]} vs {expected[i]}");
        }

        if (length >= 67)
        {
            Assert.IsTrue(fusedDiffers > 0, "the data must tell the two roundings from a fused multiply-add");
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(16)]
    [DataRow(67)]
    public void StoreIsTheSumOnAZeroedTarget(int length)
    {
        var random = new Random(length + 5);
        float[] values = Enumerable.Range(0, length).Select(i => i % 5 == 0 ? -0f : (float)((random.NextDouble() * 40) - 20)).ToArray();
        float[] weights = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
        var zeroed = new float[length];
        WeightedSum.Accumulate(zeroed, values, weights);
        float[] stored = Enumerable.Repeat(float.NaN, length).ToArray();
        WeightedSum.Store(stored, values, weights);
        for (int i = 0; i < length; i++)
        {
            Assert.AreEqual(BitConverter.SingleToInt32Bits(zeroed[i]), BitConverter.SingleToInt32Bits(stored[i]), $"element {i}: {stored[i]} vs {zeroed[i]}");
            if (i % 5 == 0)
            {
                Assert.AreEqual(0, BitConverter.SingleToInt32Bits(stored[i]), "a product of −0 stored as +0, as added to a zero sum");
            }
        }
    }

    [TestMethod]
    public void RefusesRowsOfDifferentLengths()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => WeightedSum.Accumulate(new float[4], new float[4], new float[3]));
        StringAssert.Contains(ex.Message, "weights 3");
    }
}
