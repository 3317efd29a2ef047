namespace Microsoft.ML.Segmentation.Training;

/// <summary>Options of <see cref="SegmentationHead"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class SegmentationHeadOptions
{
    /// <summary>Channels of the concatenated features (<see cref="FeatureMaps.TotalChannels"/>). Required; 1 or more.</summary>
    public int InputChannels { get; set; }

    /// <summary>Classes K, the channels of the logits. Required; 1 or more.</summary>
    public int Classes { get; set; }

    /// <summary>The layers. Default: <see cref="HeadArchitecture.Linear"/>.</summary>
    public HeadArchitecture Architecture { get; set; } = HeadArchitecture.Linear;

    /// <summary>Width of the hidden layer of <see cref="HeadArchitecture.Mlp"/>; ignored for a linear head. Default: 256.</summary>
    public int HiddenChannels { get; set; } = 256;

    /// <summary>Seed of the weight initialisation. Default: 0.</summary>
    public int Seed { get; set; }
}
