using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Tests.Support;

/// <summary>A feature store over a list held in memory.</summary>
internal sealed class InMemoryFeatureStore(IReadOnlyList<FeatureMaps> maps) : IFeatureStore
{
    public int Count => maps.Count;

    public FeatureMaps Get(int index) => maps[index];
}
