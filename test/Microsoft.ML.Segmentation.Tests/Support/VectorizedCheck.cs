using System.Numerics;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Support;

/// <summary>A loss entry point (fast or scalar reference) that a vectorized-vs-scalar test calls.</summary>
internal delegate double LossCall<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> gradient)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// How close a kernel must come to its reference: value relative to |expected| (plus <see cref="SingleValueAbsolute"/>
/// in float), gradient relative to the largest expected element (plus <see cref="DoubleGradientRelative"/> of the element
/// itself in double). The defaults are the suites' usual ones.
/// </summary>
internal sealed record CheckTolerances(double DoubleValue = 1e-12, double DoubleGradient = 1e-12, double SingleValue = 1e-5, double SingleGradient = 1e-4,
    double SingleValueAbsolute = 1e-12, double DoubleGradientRelative = 0);

/// <summary>Compares a vectorized kernel with its scalar reference on the same inputs, in float and double.</summary>
internal static class VectorizedCheck
{
    /// <summary>Pixels per image that cover empty tails, single vectors and chunk boundaries.</summary>
    public static readonly int[] OddSizes = [1, 3, 7, 8, 9, 31, 33, 1023, 1025, 2048 + 3];

    public static void AssertMatches(LossCall<double> fastDouble, LossCall<double> scalarDouble, LossCall<float> fastSingle, LossCall<float> scalarSingle, double[] input, SegmentationShape shape, TestTarget target, string context,
        CheckTolerances? tolerances = null)
    {
        tolerances ??= new CheckTolerances();
        Compare(fastDouble, scalarDouble, input, shape, target.Double(), tolerances.DoubleValue, 1e-12, tolerances.DoubleGradient, tolerances.DoubleGradientRelative, context + " (double)");
        float[] single = input.Select(v => (float)v).ToArray();
        Compare(fastSingle, scalarSingle, single, shape, target.Single(), tolerances.SingleValue, tolerances.SingleValueAbsolute, tolerances.SingleGradient, 0, context + " (float)");
    }

    private static void Compare<T>(LossCall<T> fast, LossCall<T> scalar, T[] input, SegmentationShape shape, SegmentationTarget<T> target,
        double valueTolerance, double valueAbsolute, double gradientTolerance, double gradientRelative, string context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var expectedGradient = new T[input.Length];
        var actualGradient = new T[input.Length];
        actualGradient.AsSpan().Fill(T.CreateTruncating(12345));
        double expected = scalar(input, shape, target, expectedGradient);
        double actual = fast(input, shape, target, actualGradient);
        double valueOnly = fast(input, shape, target, default);
        Assert.IsTrue(Math.Abs(actual - expected) <= (valueTolerance * Math.Abs(expected)) + valueAbsolute, $"{context}: value {actual} vs scalar {expected}");
        Assert.IsTrue(Math.Abs(valueOnly - expected) <= (valueTolerance * Math.Abs(expected)) + valueAbsolute, $"{context}: value without gradient {valueOnly} vs scalar {expected}");
        double max = 0;
        foreach (T g in expectedGradient)
        {
            max = Math.Max(max, Math.Abs(double.CreateTruncating(g)));
        }

        for (int i = 0; i < input.Length; i++)
        {
            double e = double.CreateTruncating(expectedGradient[i]);
            double a = double.CreateTruncating(actualGradient[i]);
            Assert.IsTrue(Math.Abs(a - e) <= (gradientTolerance * max) + (gradientRelative * Math.Abs(e)) + 1e-30, $"{context}: gradient[{i}] {a} vs scalar {e} (max {max})");
        }
    }
}
