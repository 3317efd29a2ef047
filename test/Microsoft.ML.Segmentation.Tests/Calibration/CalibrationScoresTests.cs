using Microsoft.ML.Segmentation.Evaluation;

namespace Microsoft.ML.Segmentation.Tests.Calibration;

/// <summary>How the data-view evaluation turns a row's scores into class probabilities for the calibration bins.</summary>
[TestClass]
public sealed class CalibrationScoresTests
{
    [TestMethod]
    public void OneLogitChannel_IsASigmoid_WithBackgroundOneMinusIt()
    {
        float[] logits = [0f, 2f, -1f];
        float[] p = new CalibrationScores().Probabilities(logits, probabilities: false, classes: 2, pixels: 3, row: 0, column: "Scores").ToArray();
        for (int i = 0; i < 3; i++)
        {
            double sigmoid = 1 / (1 + Math.Exp(-logits[i]));
            Assert.AreEqual(sigmoid, p[3 + i], 1e-6, $"foreground of pixel {i}");
            Assert.AreEqual(1 - sigmoid, p[i], 1e-6, $"background of pixel {i}");
        }
    }

    [TestMethod]
    public void SeveralLogitChannels_AreASoftmax_ProbabilitiesPassAsTheyAre()
    {
        float[] logits = [1f, 0f, 3f, 0f];   // 2 classes × 2 pixels, channel-major
        float[] p = new CalibrationScores().Probabilities(logits, probabilities: false, classes: 2, pixels: 2, row: 0, column: "Scores").ToArray();
        Assert.AreEqual(Math.Exp(1) / (Math.Exp(1) + Math.Exp(3)), p[0], 1e-6);
        Assert.AreEqual(Math.Exp(3) / (Math.Exp(1) + Math.Exp(3)), p[2], 1e-6);
        Assert.AreEqual(0.5, p[1], 1e-6);
        float[] given = [0.2f, 0.6f, 0.8f, 0.4f];
        CollectionAssert.AreEqual(given, new CalibrationScores().Probabilities(given, probabilities: true, classes: 2, pixels: 2, row: 0, column: "Scores").ToArray());
    }

    [TestMethod]
    public void ScoresNotAtTheMasksSize_AreAnErrorNamingTheColumn()
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new CalibrationScores().Probabilities(new float[30], probabilities: true, classes: 3, pixels: 4, row: 7, column: "Scores"));
        StringAssert.Contains(e.Message, "Row 7");
        StringAssert.Contains(e.Message, "'Scores'");
    }
}
