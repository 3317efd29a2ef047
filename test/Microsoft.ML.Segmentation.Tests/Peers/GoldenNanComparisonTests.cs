using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.GoldenVectors;

namespace Microsoft.ML.Segmentation.Tests.Peers;

/// <summary>The golden runner requires NaN exactly where a vector expects NaN, however the file spells it, and ±∞ exactly.</summary>
[TestClass]
public sealed class GoldenNanComparisonTests
{
    private static GoldenStatus Compare(string expectedJson, params double[] actual)
        => GoldenOutcome.Compare(JsonNode.Parse(GoldenJson.QuoteNonFiniteLiterals(expectedJson)), GoldenTolerance.Default, actual).Status;

    [TestMethod]
    [DataRow("[NaN, 0.5]")]
    [DataRow("[\"nan\", 0.5]")]
    [DataRow("[null, 0.5]")]
    [DataRow("[\"NaN\", 0.5]")]
    public void NaNMustBeWhereExpected(string expected)
    {
        Assert.AreEqual(GoldenStatus.Passed, Compare(expected, double.NaN, 0.5));
        Assert.AreEqual(GoldenStatus.Failed, Compare(expected, 0, 0.5), "a number where NaN is expected");
        Assert.AreEqual(GoldenStatus.Failed, Compare(expected, double.NaN, double.NaN), "NaN where a number is expected");
        Assert.AreEqual(GoldenStatus.Failed, Compare(expected, 0.5, double.NaN), "NaN in the wrong place");
    }

    [TestMethod]
    [DataRow("[Infinity, -Infinity]")]
    [DataRow("[\"inf\", \"-inf\"]")]
    [DataRow("[\"+inf\", \"-Infinity\"]")]
    public void InfinitiesMustMatchExactly(string expected)
    {
        Assert.AreEqual(GoldenStatus.Passed, Compare(expected, double.PositiveInfinity, double.NegativeInfinity));
        Assert.AreEqual(GoldenStatus.Failed, Compare(expected, 1e300, double.NegativeInfinity));
        Assert.AreEqual(GoldenStatus.Failed, Compare(expected, double.NaN, double.NegativeInfinity));
    }

    [TestMethod]
    public void NullExpectation_IsNoValue()
        => Assert.AreEqual(GoldenStatus.Failed, Compare("null", 1.0));
}
