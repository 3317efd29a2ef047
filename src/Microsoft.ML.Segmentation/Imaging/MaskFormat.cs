namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>How the pixels of a mask file encode classes.</summary>
public enum MaskFormat
{
    /// <summary>
    /// The pixel value is the class: 8- or 16-bit grayscale, an RGB file whose three channels are equal, or an indexed
    /// (palette) PNG, where the class is the palette index and not the colour.
    /// </summary>
    Index = 0,

    /// <summary>Colour-coded: each RGB colour maps to a class through <see cref="MaskOptions.ColorTable"/>.</summary>
    Color = 1,

    /// <summary>Binary foreground masks: grayscale values below 128 are class 0, values from 128 up are class 1 (so 0/255 gives 0/1).</summary>
    Binary = 2,
}
