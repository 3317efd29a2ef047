namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>How <see cref="SegmentationMaskLoader"/> reads mask files into class-index label maps.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class MaskOptions
{
    /// <summary>How the pixels encode classes. Default: <see cref="MaskFormat.Index"/>.</summary>
    public MaskFormat Format { get; set; } = MaskFormat.Index;

    /// <summary>
    /// Number of classes; any other value than 0..ClassCount − 1 and <see cref="IgnoreIndex"/> is an error naming the file.
    /// Default: <see langword="null"/> (values are not checked); must be ≥ 1.
    /// </summary>
    public int? ClassCount { get; set; }

    /// <summary>
    /// Label of pixels that take no part in training or evaluation; it is kept as is, fills letterbox and
    /// pad-to-multiple padding, and receives unknown colours with <see cref="UnknownColorsAsIgnore"/>.
    /// Default: 255; <see langword="null"/> for none (padding is then class 0).
    /// </summary>
    public int? IgnoreIndex { get; set; } = 255;

    /// <summary>Colour → class table for <see cref="MaskFormat.Color"/>, e.g. <see cref="Palettes.PascalVoc"/>. Default: <see langword="null"/>; required for that format.</summary>
    public MaskColorTable? ColorTable { get; set; }

    /// <summary>Map colours missing from <see cref="ColorTable"/> to <see cref="IgnoreIndex"/> instead of throwing. Default: <see langword="false"/>.</summary>
    public bool UnknownColorsAsIgnore { get; set; }

    /// <summary>
    /// When a mask is loaded with an image's <see cref="ImageGeometry"/>, require the mask to have the image's original
    /// size (otherwise it is resized, nearest-neighbour, from its own size). Default: <see langword="true"/>.
    /// </summary>
    public bool RequireSameSize { get; set; } = true;

    /// <summary>Rotate and flip the mask as its EXIF orientation tag says, like the image. Default: <see langword="true"/>.</summary>
    public bool AutoOrient { get; set; } = true;

    /// <summary>
    /// Largest mask accepted, in pixels (width × height as the file's header declares it), checked before any pixel is
    /// decoded so a small file that declares a huge canvas (a decompression bomb) fails fast with an
    /// <see cref="System.IO.InvalidDataException"/> naming the file and the limit. Default: 2^26 = 67,108,864
    /// (8192 × 8192, about 200 MB of 8-bit RGB); range ≥ 1.
    /// </summary>
    public long MaxPixels { get; set; } = ImageDecoding.DefaultMaxPixels;

    /// <summary>A copy whose later changes do not reach this instance (and the reverse).</summary>
    /// <returns>New options with the same values; the <see cref="ColorTable"/> is shared, as it is immutable.</returns>
    public MaskOptions Clone() => (MaskOptions)MemberwiseClone();
}
