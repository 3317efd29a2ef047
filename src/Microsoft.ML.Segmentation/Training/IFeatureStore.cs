namespace Microsoft.ML.Segmentation.Training;

/// <summary>
/// Feature maps of a training set, by image index, computed once and kept (in memory, or spilled to disk beyond a
/// limit). Training reads images many times, in shuffled order; implementations must allow that.
/// </summary>
/// <remarks>Thread safety: up to each implementation; the head trainer reads a store from one thread at a
/// time.</remarks>
public interface IFeatureStore
{
    /// <summary>The number of images.</summary>
    int Count { get; }

    /// <summary>The feature maps of image <paramref name="index"/>; the caller must not modify them.</summary>
    /// <param name="index">0 to <see cref="Count"/> − 1.</param>
    /// <returns>The maps.</returns>
    FeatureMaps Get(int index);
}
