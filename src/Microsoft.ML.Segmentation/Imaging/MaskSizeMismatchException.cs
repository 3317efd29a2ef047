using System;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// A mask's size differs from its image's original size while <see cref="MaskOptions.RequireSameSize"/> is set (the
/// default): most often a mask paired with the wrong image, so it is an error rather than a silent resize.
/// </summary>
/// <remarks>
/// It is an <see cref="ArgumentException"/>, as <see cref="SegmentationMaskLoader"/> documents, and carries both sizes
/// as data so a caller can word its own advice.
/// </remarks>
public sealed class MaskSizeMismatchException : ArgumentException
{
    /// <summary>Creates the exception; the message names the mask, both sizes and the option that resizes instead.</summary>
    /// <param name="maskSource">The mask file (or <c>&lt;bytes&gt;</c>).</param>
    /// <param name="maskWidth">The mask's width.</param>
    /// <param name="maskHeight">The mask's height.</param>
    /// <param name="imageWidth">The image's original width.</param>
    /// <param name="imageHeight">The image's original height.</param>
    /// <param name="paramName">The argument that held the mask.</param>
    public MaskSizeMismatchException(string maskSource, int maskWidth, int maskHeight, int imageWidth, int imageHeight, string? paramName)
        : base($"Mask '{maskSource}' is {maskWidth}x{maskHeight} but its image is {imageWidth}x{imageHeight}; pair each mask with its own image, or set MaskOptions.RequireSameSize = false to resize it.", paramName)
    {
        MaskSource = maskSource;
        MaskWidth = maskWidth;
        MaskHeight = maskHeight;
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
    }

    /// <summary>The mask file (or <c>&lt;bytes&gt;</c>).</summary>
    public string MaskSource { get; }

    /// <summary>The mask's width in pixels.</summary>
    public int MaskWidth { get; }

    /// <summary>The mask's height in pixels.</summary>
    public int MaskHeight { get; }

    /// <summary>The image's original width in pixels.</summary>
    public int ImageWidth { get; }

    /// <summary>The image's original height in pixels.</summary>
    public int ImageHeight { get; }
}
