namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>One way of turning the workload's images into predicted masks; set up in the constructor, untimed.</summary>
internal interface IScoringPath : IDisposable
{
    /// <summary>The name printed in results.</summary>
    string Name { get; }

    /// <summary>Images per ONNX Runtime call.</summary>
    int BatchSize { get; }

    /// <summary>Scores every image once and returns the sum of predicted class indices, so paths can be checked to predict the same masks (and the work cannot be optimised away).</summary>
    long ScoreAll();
}
