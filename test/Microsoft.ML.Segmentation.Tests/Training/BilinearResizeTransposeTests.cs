using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>The transposed bilinear resize against the forward map: the adjoint identity and finite differences.</summary>
[TestClass]
public sealed class BilinearResizeTransposeTests
{
    public static IEnumerable<object[]> Sizes() =>
    [
        [4, 4, 16, 16], [3, 5, 12, 17], [8, 8, 32, 32], [7, 3, 29, 10], // up
        [16, 16, 4, 4], [17, 9, 5, 4], [6, 6, 6, 6], [5, 9, 11, 2], [1, 1, 3, 4], [2, 3, 1, 1], // down, equal, mixed
    ];

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void AdjointIdentityHoldsInDouble(int inH, int inW, int outH, int outW)
    {
        const int planes = 2;
        var random = new Random(inH * 31 + outW);
        double[] x = GradientCheck.RandomInput(random, planes * inH * inW);
        double[] y = GradientCheck.RandomInput(random, planes * outH * outW);
        var rx = new double[y.Length];
        var rty = new double[x.Length];
        BilinearResize.Forward<double>(x, planes, inH, inW, outH, outW, rx);
        BilinearResize.Transpose<double>(y, planes, inH, inW, outH, outW, rty);
        double left = rx.Zip(y, (a, b) => a * b).Sum();
        double right = x.Zip(rty, (a, b) => a * b).Sum();
        Assert.AreEqual(left, right, 1e-10 * Math.Max(1, Math.Abs(left)));
    }

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void TransposeMatchesFiniteDifferencesOfTheForwardMap(int inH, int inW, int outH, int outW)
    {
        // d<y, R x>/dx = Rᵀ y; R is linear, so central differences are exact up to rounding.
        var random = new Random(inW * 7 + outH);
        double[] x = GradientCheck.RandomInput(random, inH * inW);
        double[] y = GradientCheck.RandomInput(random, outH * outW);
        var analytic = new double[x.Length];
        BilinearResize.Transpose<double>(y, 1, inH, inW, outH, outW, analytic);
        var rx = new double[y.Length];
        double Objective()
        {
            BilinearResize.Forward<double>(x, 1, inH, inW, outH, outW, rx);
            return rx.Zip(y, (a, b) => a * b).Sum();
        }

        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + 1e-3;
            double plus = Objective();
            x[i] = saved - 1e-3;
            double minus = Objective();
            x[i] = saved;
            Assert.AreEqual((plus - minus) / 2e-3, analytic[i], 1e-9, $"x[{i}]");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void GenericFloatForwardEqualsTheFloatKernelBitForBit(int inH, int inW, int outH, int outW)
    {
        var random = new Random(inH + outH);
        float[] x = GradientCheck.RandomInput(random, 3 * inH * inW).Select(v => (float)v).ToArray();
        var expected = new float[3 * outH * outW];
        var actual = new float[expected.Length];
        BilinearResize.Resize(x, 3, inH, inW, outH, outW, expected);
        BilinearResize.Forward<float>(x, 3, inH, inW, outH, outW, actual);
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void ShortBuffersNameTheParameter()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => BilinearResize.Transpose<double>(new double[3], 1, 2, 2, 2, 2, new double[4]));
        Assert.AreEqual("gradient", e.ParamName);
    }
}
