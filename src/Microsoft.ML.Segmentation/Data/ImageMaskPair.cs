namespace Microsoft.ML.Segmentation.Data;

/// <summary>One image file and the mask file that labels it.</summary>
/// <param name="Name">The pair's name: the file stem, prefixed by its sub-folder when the folders were searched recursively (<c>a/b/stem</c>), or the image's stem for a manifest line.</param>
/// <param name="ImagePath">Full path of the image file.</param>
/// <param name="MaskPath">Full path of the mask file.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record ImageMaskPair(string Name, string ImagePath, string MaskPath);
