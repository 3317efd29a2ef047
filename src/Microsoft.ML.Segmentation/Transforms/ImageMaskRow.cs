namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>A row of <see cref="SegmentationCatalog.LoadFromFolders"/> and <see cref="SegmentationCatalog.LoadFromManifest"/>.</summary>
/// <remarks>Thread safety: a plain row object, not thread-safe to mutate.</remarks>
public sealed class ImageMaskRow
{
    /// <summary>The pair's name (the shared file stem).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The image file.</summary>
    public string ImagePath { get; set; } = string.Empty;

    /// <summary>The mask file.</summary>
    public string MaskPath { get; set; } = string.Empty;
}
