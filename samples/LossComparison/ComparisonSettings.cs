using Microsoft.ML.Segmentation.Training;

namespace LossComparison;

/// <summary>What one comparison run generates and how long each head trains.</summary>
public sealed record ComparisonSettings
{
    /// <summary>The default run: 64 training and 32 test images of 128×128, 30 epochs per loss.</summary>
    public static ComparisonSettings Default { get; } = new();

    /// <summary>A smoke-test run that still exercises every loss: 16 + 8 images of 64×64, 3 epochs.</summary>
    public static ComparisonSettings Quick { get; } = new() { TrainImages = 16, TestImages = 8, Size = 64, Epochs = 3 };

    public int TrainImages { get; init; } = 64;

    public int TestImages { get; init; } = 32;

    /// <summary>Height and width; a multiple of 16, which the ResNet-18 backbone needs.</summary>
    public int Size { get; init; } = 128;

    public int Epochs { get; init; } = 30;

    public int BatchSize { get; init; } = 8;

    public double LearningRate { get; init; } = 3e-3;

    public double ValidationFraction { get; init; } = 0.125;

    /// <summary>Seeds the data and every head alike, so the losses differ in nothing else.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// The training options every head of a comparison shares (a linear head of <paramref name="classes"/> classes, these
    /// settings' epochs, batch, learning rate, validation split and seed); the caller sets what differs (the loss, the
    /// architecture). A fixed budget: every head runs all epochs and keeps its best-validation epoch by the same rule.
    /// </summary>
    public HeadTrainingOptions HeadOptions(int classes) => new()
    {
        Classes = classes,
        Architecture = HeadArchitecture.Linear,
        Epochs = Epochs,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        ValidationFraction = ValidationFraction,
        EarlyStoppingPatience = 0,
        Seed = Seed,
    };
}
