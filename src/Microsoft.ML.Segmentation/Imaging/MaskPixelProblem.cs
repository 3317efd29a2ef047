namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>Why <see cref="SegmentationMaskLoader"/> rejected a mask pixel (<see cref="InvalidMaskPixelException.Problem"/>).</summary>
public enum MaskPixelProblem
{
    /// <summary>An index or binary mask holds a value outside the classes 0..<see cref="MaskOptions.ClassCount"/> − 1 that is not the <see cref="MaskOptions.IgnoreIndex"/>.</summary>
    LabelOutOfRange,

    /// <summary>A <see cref="MaskFormat.Color"/> mask holds a colour its <see cref="MaskOptions.ColorTable"/> does not list (and <see cref="MaskOptions.UnknownColorsAsIgnore"/> is off).</summary>
    UnknownColor,

    /// <summary>A <see cref="MaskFormat.Index"/> mask is a colour (RGB) image, not a grayscale or palette one.</summary>
    ColorInIndexMask,
}
