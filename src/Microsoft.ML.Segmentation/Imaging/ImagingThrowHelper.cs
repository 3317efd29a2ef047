using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>Throws and option checks of the imaging layer, kept out of the pixel loops.</summary>
internal static class ImagingThrowHelper
{
    public static void CheckTargetSize(ImageTensorOptions options)
    {
        if (options.Width <= 0 || options.Height <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                $"Width and Height ({options.Width}x{options.Height}) must both be > 0 for ResizeMode {options.ResizeMode}; set them to the model's input size, or use ResizeMode.None.");
        }
    }

    public static InvalidDataException Undecodable(string source, Exception inner)
    {
        return new InvalidDataException($"'{source}' could not be decoded as an image ({inner.GetType().Name}: {inner.Message}); supported formats are PNG, JPEG, BMP, GIF, TGA, WebP, TIFF and PBM.", inner);
    }

    [DoesNotReturn]
    public static void ThrowLabelOutOfRange(string source, int value, int x, int y, int classCount, int? ignoreIndex)
    {
        string ignore = ignoreIndex is int i ? $" and is not the ignore index {i}" : " (no ignore index is set)";
        throw new InvalidMaskPixelException(
            $"Mask '{source}' holds value {value} at pixel ({x}, {y}), which is outside the classes 0..{classCount - 1}{ignore}; check MaskOptions.ClassCount and IgnoreIndex.",
            MaskPixelProblem.LabelOutOfRange, source, x, y, value, classCount, ignoreIndex);
    }

    [DoesNotReturn]
    public static void ThrowUnknownColor(string source, byte r, byte g, byte b, int x, int y)
    {
        throw new InvalidMaskPixelException(
            $"Mask '{source}' holds colour ({r}, {g}, {b}) at pixel ({x}, {y}), which the colour table does not list; add it to the table or set MaskOptions.UnknownColorsAsIgnore.",
            MaskPixelProblem.UnknownColor, source, x, y, MaskColorTable.Rgb(r, g, b), classCount: null, ignoreIndex: null);
    }

    [DoesNotReturn]
    public static void ThrowNotGray(string source, byte r, byte g, byte b, int x, int y)
    {
        throw new InvalidMaskPixelException(
            $"Mask '{source}' is a colour image (pixel ({x}, {y}) is ({r}, {g}, {b})), but MaskFormat.Index needs grayscale or palette masks; use MaskFormat.Color with a colour table.",
            MaskPixelProblem.ColorInIndexMask, source, x, y, MaskColorTable.Rgb(r, g, b), classCount: null, ignoreIndex: null);
    }
}
