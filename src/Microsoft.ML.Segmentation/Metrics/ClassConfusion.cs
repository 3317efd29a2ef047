namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// The one-vs-rest confusion counts of one class: true positives, false positives, false negatives and true negatives,
/// over one image or a whole dataset.
/// </summary>
/// <param name="TruePositives">Pixels of the class predicted as the class.</param>
/// <param name="FalsePositives">Pixels of other classes predicted as the class.</param>
/// <param name="FalseNegatives">Pixels of the class predicted as another class.</param>
/// <param name="TrueNegatives">Pixels of other classes predicted as another class.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct ClassConfusion(long TruePositives, long FalsePositives, long FalseNegatives, long TrueNegatives)
{
    /// <summary>Pixels that belong to the class in the ground truth, TP + FN.</summary>
    public long Support => TruePositives + FalseNegatives;

    /// <summary>Pixels predicted as the class, TP + FP.</summary>
    public long Predicted => TruePositives + FalsePositives;

    /// <summary>All counted pixels, TP + FP + FN + TN.</summary>
    public long Total => TruePositives + FalsePositives + FalseNegatives + TrueNegatives;

    /// <summary>Whether the class occurs neither in the ground truth nor in the prediction (TP + FP + FN = 0).</summary>
    public bool IsAbsent => TruePositives + FalsePositives + FalseNegatives == 0;

    /// <summary>Adds two sets of counts (for example of two images).</summary>
    /// <param name="left">The first counts.</param>
    /// <param name="right">The second counts.</param>
    /// <returns>The element-wise sum.</returns>
    public static ClassConfusion operator +(ClassConfusion left, ClassConfusion right)
        => new(left.TruePositives + right.TruePositives, left.FalsePositives + right.FalsePositives,
            left.FalseNegatives + right.FalseNegatives, left.TrueNegatives + right.TrueNegatives);

    /// <summary>Adds two sets of counts; the named alternative to <c>operator +</c>.</summary>
    /// <param name="other">The counts to add.</param>
    /// <returns>The element-wise sum.</returns>
    public ClassConfusion Add(ClassConfusion other) => this + other;
}
