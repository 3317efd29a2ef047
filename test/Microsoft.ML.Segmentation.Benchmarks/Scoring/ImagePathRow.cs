namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>One input row of the ML.NET pipelines: an image file.</summary>
public sealed class ImagePathRow
{
    public string ImagePath { get; set; } = string.Empty;
}
