namespace Microsoft.ML.Segmentation.Training;

/// <summary>One feature output of a <see cref="FeatureBackbone"/>: its tensor name, channels and stride.</summary>
/// <param name="Name">The output's name in the edited graph (<see cref="FeatureBackbone.GetModelBytes"/>).</param>
/// <param name="Channels">Channels of the map.</param>
/// <param name="Stride">Input pixels per feature pixel.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record FeatureMapInfo(string Name, int Channels, int Stride);
