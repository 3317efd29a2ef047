namespace Microsoft.ML.Segmentation.Training;

/// <summary>The update rule of a <see cref="HeadOptimizer"/>.</summary>
public enum HeadOptimizerKind
{
    /// <summary>Stochastic gradient descent with momentum (<see cref="SgdOptimizer"/>).</summary>
    Sgd = 0,

    /// <summary>Adam or AdamW (<see cref="AdamOptimizer"/>).</summary>
    Adam = 1,
}
