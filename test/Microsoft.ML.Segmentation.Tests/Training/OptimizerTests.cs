using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>Optimiser steps and learning-rate schedules against values worked out by hand.</summary>
[TestClass]
public sealed class OptimizerTests
{
    private static readonly bool[] Decay = [true, false];

    [TestMethod]
    public void SgdMomentumTwoSteps()
    {
        // w = [1, 0.5] (weight, bias), g = [0.2, -0.4] both steps, μ = 0.9, λ = 0.1 (weight only), lr = 0.1.
        // Step 1: g' = [0.2 + 0.1·1, -0.4] = [0.3, -0.4]; v = g'; w = [1 - 0.03, 0.5 + 0.04] = [0.97, 0.54].
        // Step 2: g' = [0.2 + 0.097, -0.4] = [0.297, -0.4]; v = [0.9·0.3 + 0.297, 0.9·-0.4 - 0.4] = [0.567, -0.76];
        //         w = [0.97 - 0.0567, 0.54 + 0.076] = [0.9133, 0.616].
        var sgd = new SgdOptimizer(new HeadOptimizerOptions { Momentum = 0.9, WeightDecay = 0.1 }, 2);
        float[] w = [1f, 0.5f];
        float[] g = [0.2f, -0.4f];
        sgd.Step(w, g, Decay, 0.1);
        Assert.AreEqual(0.97, w[0], 1e-6);
        Assert.AreEqual(0.54, w[1], 1e-6);
        sgd.Step(w, g, Decay, 0.1);
        Assert.AreEqual(0.9133, w[0], 1e-6);
        Assert.AreEqual(0.616, w[1], 1e-6);
        Assert.AreEqual(2, sgd.StepCount);
    }

    [TestMethod]
    public void SgdNesterovTwoSteps()
    {
        // w = 1, g = 0.5, μ = 0.5, lr = 0.1. Step 1: v = 0.5, update = 0.5 + 0.25 = 0.75, w = 0.925.
        // Step 2: v = 0.25 + 0.5 = 0.75, update = 0.5 + 0.375 = 0.875, w = 0.8375.
        var sgd = new SgdOptimizer(new HeadOptimizerOptions { Momentum = 0.5, Nesterov = true }, 1);
        float[] w = [1f];
        sgd.Step(w, [0.5f], [true], 0.1);
        Assert.AreEqual(0.925, w[0], 1e-6);
        sgd.Step(w, [0.5f], [true], 0.1);
        Assert.AreEqual(0.8375, w[0], 1e-6);
    }

    [TestMethod]
    public void AdamFirstStepMovesByTheLearningRate()
    {
        // Bias correction makes the first step lr·g/(|g| + ε) ≈ lr·sign(g) for any g.
        var adam = new AdamOptimizer(new HeadOptimizerOptions(), 2);
        float[] w = [1f, -2f];
        adam.Step(w, [0.003f, -40f], [true, false], 0.01);
        Assert.AreEqual(0.99, w[0], 1e-6);
        Assert.AreEqual(-1.99, w[1], 1e-6);
    }

    [TestMethod]
    public void AdamSecondStepByHand()
    {
        // β1 = 0.5, β2 = 0.75, ε = 0, lr = 0.1; g1 = 1, g2 = 3.
        // m1 = 0.5, v1 = 0.25 → m̂ = 1, v̂ = 1 → w = 1 - 0.1 = 0.9.
        // m2 = 0.25 + 1.5 = 1.75, v2 = 0.1875 + 2.25 = 2.4375; m̂ = 1.75/0.75, v̂ = 2.4375/0.4375.
        var adam = new AdamOptimizer(new HeadOptimizerOptions { Beta1 = 0.5, Beta2 = 0.75, Epsilon = 1e-300 }, 1);
        float[] w = [1f];
        adam.Step(w, [1f], [true], 0.1);
        Assert.AreEqual(0.9, w[0], 1e-6);
        adam.Step(w, [3f], [true], 0.1);
        double expected = 0.9 - (0.1 * (1.75 / 0.75) / Math.Sqrt(2.4375 / 0.4375));
        Assert.AreEqual(expected, w[0], 1e-6);
    }

    [TestMethod]
    public void AdamWeightDecayDecoupledOrCoupled()
    {
        // w = 2, g = 0, λ = 0.5, lr = 0.1. Decoupled: w ← 2 − 0.1·0.5·2 = 1.9, then Adam with g = 0 moves nothing.
        // Coupled: g' = λ·w = 1, and a first Adam step moves lr·sign(g') = 0.1 → 1.9 as well; a bias never decays.
        // Decoupled second step: 1.9·(1 − 0.05) = 1.805, g = 0 moves nothing more.
        var adamW = new AdamOptimizer(new HeadOptimizerOptions { WeightDecay = 0.5, DecoupledWeightDecay = true }, 2);
        float[] w = [2f, 2f];
        adamW.Step(w, [0f, 0f], Decay, 0.1);
        Assert.AreEqual(1.9, w[0], 1e-6);
        Assert.AreEqual(2.0, w[1], 1e-6);

        var adamL2 = new AdamOptimizer(new HeadOptimizerOptions { WeightDecay = 0.5, DecoupledWeightDecay = false }, 2);
        float[] v = [2f, 2f];
        adamL2.Step(v, [0f, 0f], Decay, 0.1);
        Assert.AreEqual(1.9, v[0], 1e-6);
        Assert.AreEqual(2.0, v[1], 1e-6);
        adamW.Step(w, [0f, 0f], Decay, 0.1);
        Assert.AreEqual(1.9 * 0.95, w[0], 1e-6);
    }

    [TestMethod]
    public void LengthsAreChecked()
    {
        var sgd = new SgdOptimizer(new HeadOptimizerOptions(), 2);
        var e = Assert.ThrowsExactly<ArgumentException>(() => sgd.Step(new float[2], new float[3], new bool[2], 0.1));
        Assert.AreEqual("gradient", e.ParamName);
    }

    [TestMethod]
    public void Schedules()
    {
        var constant = new LearningRateSchedule { WarmupSteps = 4 };
        Assert.AreEqual(0.25, constant.Rate(1, 0, 100, 10), 1e-15);
        Assert.AreEqual(1.0, constant.Rate(1, 3, 100, 10), 1e-15);
        Assert.AreEqual(1.0, constant.Rate(1, 50, 100, 10), 1e-15);

        // Cosine over steps 0..10 (no warm-up) from 1 to the floor 0.1: half-way is the mean, 0.55.
        var cosine = new LearningRateSchedule { Kind = LearningRateScheduleKind.Cosine, MinimumLearningRate = 0.1 };
        Assert.AreEqual(1.0, cosine.Rate(1, 0, 11, 1), 1e-15);
        Assert.AreEqual(0.55, cosine.Rate(1, 5, 11, 1), 1e-12);
        Assert.AreEqual(0.1, cosine.Rate(1, 10, 11, 1), 1e-12);

        // With 2 warm-up steps the cosine runs over steps 2..10.
        var warm = new LearningRateSchedule { Kind = LearningRateScheduleKind.Cosine, WarmupSteps = 2 };
        Assert.AreEqual(0.5, warm.Rate(1, 0, 11, 1), 1e-15);
        Assert.AreEqual(1.0, warm.Rate(1, 2, 11, 1), 1e-15);
        Assert.AreEqual(0.5, warm.Rate(1, 6, 11, 1), 1e-12);

        // Step decay every 2 epochs of 3 steps, γ = 0.5: steps 0–5 → 1, 6–11 → 0.5, 12 → 0.25.
        var step = new LearningRateSchedule { Kind = LearningRateScheduleKind.StepDecay, StepEpochs = 2, Gamma = 0.5 };
        Assert.AreEqual(1.0, step.Rate(1, 5, 30, 3), 1e-15);
        Assert.AreEqual(0.5, step.Rate(1, 6, 30, 3), 1e-15);
        Assert.AreEqual(0.25, step.Rate(1, 12, 30, 3), 1e-15);
    }
}
