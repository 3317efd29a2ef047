using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>The parallel check of large tensors in <c>FiniteGuard</c> names the same first bad element as a plain scan.</summary>
[TestClass]
public sealed class FiniteGuardVectorizedTests
{
    private const int Length = (4 << 16) + 13; // above the parallel threshold, with a partial last block and a scalar tail

    [TestMethod]
    [DataRow(0)]
    [DataRow(65535)]
    [DataRow(65536)]
    [DataRow(200_000)]
    [DataRow(Length - 1)]
    public void ParallelCheckNamesTheFirstBadElement(int position)
    {
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var values = new float[Length];
            values[position] = bad;
            values[Length - 1 - ((Length - 1 - position) / 2)] = float.NaN; // a second bad element at or after the first
            var ex = Assert.ThrowsExactly<ArgumentException>(() => FiniteGuard.ThrowIfNotFinite<float>(values, "scores"));
            StringAssert.Contains(ex.Message, $"element {position}");
            Assert.AreEqual("scores", ex.ParamName);
        }
    }

    [TestMethod]
    public void LargeFiniteTensorsPass()
    {
        var values = new double[Length];
        values.AsSpan().Fill(double.MaxValue);
        values[17] = double.Epsilon;
        FiniteGuard.ThrowIfNotFinite<double>(values, "scores");
    }
}
