namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>How an image is brought to the model's input size. The matching <see cref="ImageGeometry"/> records what was done.</summary>
public enum ImageResizeMode
{
    /// <summary>Keep the decoded size.</summary>
    None = 0,

    /// <summary>Resize to exactly <see cref="ImageTensorOptions.Width"/> × <see cref="ImageTensorOptions.Height"/>; the aspect ratio may change.</summary>
    Stretch = 1,

    /// <summary>
    /// Scale by one factor so the image fits <see cref="ImageTensorOptions.Width"/> × <see cref="ImageTensorOptions.Height"/>,
    /// centre it and fill the borders with <see cref="ImageTensorOptions.PaddingValue"/>.
    /// </summary>
    Letterbox = 2,

    /// <summary>
    /// Keep the decoded size and pad right and bottom up to the next multiple of
    /// <see cref="ImageTensorOptions.SizeMultiple"/> (e.g. 32 for encoders with five stride-2 stages).
    /// </summary>
    PadToMultiple = 3,
}
