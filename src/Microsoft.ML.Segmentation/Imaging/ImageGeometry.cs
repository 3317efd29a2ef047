using System;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// What resizing did to one image: its decoded (upright) size, the size its content was resized to, and where that
/// content sits in the padded output. <see cref="MaskGeometry.Restore(ReadOnlySpan{int}, ImageGeometry)"/> uses it to
/// map a predicted mask back onto the original image.
/// </summary>
/// <remarks>
/// The output holds the resized content at columns <see cref="PadLeft"/> .. <see cref="PadLeft"/> + <see cref="ResizedWidth"/> − 1
/// and rows <see cref="PadTop"/> .. <see cref="PadTop"/> + <see cref="ResizedHeight"/> − 1; everything else is padding.
/// <para>Thread safety: immutable; safe to share between threads.</para>
/// </remarks>
public sealed record ImageGeometry
{
    /// <summary>Creates a geometry, checking that the content fits inside the output.</summary>
    /// <param name="originalWidth">Width of the decoded, upright image; must be &gt; 0.</param>
    /// <param name="originalHeight">Height of the decoded, upright image; must be &gt; 0.</param>
    /// <param name="resizedWidth">Width of the resized content; must be &gt; 0.</param>
    /// <param name="resizedHeight">Height of the resized content; must be &gt; 0.</param>
    /// <param name="padLeft">Padding columns left of the content; must be ≥ 0.</param>
    /// <param name="padTop">Padding rows above the content; must be ≥ 0.</param>
    /// <param name="outputWidth">Width of the output; at least <paramref name="padLeft"/> + <paramref name="resizedWidth"/>.</param>
    /// <param name="outputHeight">Height of the output; at least <paramref name="padTop"/> + <paramref name="resizedHeight"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, a padding is negative, or the content does not fit the output.</exception>
    public ImageGeometry(int originalWidth, int originalHeight, int resizedWidth, int resizedHeight, int padLeft, int padTop, int outputWidth, int outputHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(originalWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(originalHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resizedWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resizedHeight);
        ArgumentOutOfRangeException.ThrowIfNegative(padLeft);
        ArgumentOutOfRangeException.ThrowIfNegative(padTop);
        if (outputWidth < padLeft + resizedWidth)
        {
            throw new ArgumentOutOfRangeException(nameof(outputWidth), outputWidth, $"outputWidth ({outputWidth}) must be at least padLeft + resizedWidth ({padLeft} + {resizedWidth}).");
        }

        if (outputHeight < padTop + resizedHeight)
        {
            throw new ArgumentOutOfRangeException(nameof(outputHeight), outputHeight, $"outputHeight ({outputHeight}) must be at least padTop + resizedHeight ({padTop} + {resizedHeight}).");
        }

        OriginalWidth = originalWidth;
        OriginalHeight = originalHeight;
        ResizedWidth = resizedWidth;
        ResizedHeight = resizedHeight;
        PadLeft = padLeft;
        PadTop = padTop;
        OutputWidth = outputWidth;
        OutputHeight = outputHeight;
    }

    /// <summary>Width of the decoded image, after EXIF orientation.</summary>
    public int OriginalWidth { get; }

    /// <summary>Height of the decoded image, after EXIF orientation.</summary>
    public int OriginalHeight { get; }

    /// <summary>Width of the resized content inside the output.</summary>
    public int ResizedWidth { get; }

    /// <summary>Height of the resized content inside the output.</summary>
    public int ResizedHeight { get; }

    /// <summary>Padding columns left of the content (letterbox centring; 0 otherwise).</summary>
    public int PadLeft { get; }

    /// <summary>Padding rows above the content (letterbox centring; 0 otherwise).</summary>
    public int PadTop { get; }

    /// <summary>Width of the output tensor.</summary>
    public int OutputWidth { get; }

    /// <summary>Height of the output tensor.</summary>
    public int OutputHeight { get; }

    /// <summary>Padding columns right of the content.</summary>
    public int PadRight => OutputWidth - PadLeft - ResizedWidth;

    /// <summary>Padding rows below the content.</summary>
    public int PadBottom => OutputHeight - PadTop - ResizedHeight;

    /// <summary>Horizontal scale, <see cref="ResizedWidth"/> / <see cref="OriginalWidth"/>.</summary>
    public double ScaleX => (double)ResizedWidth / OriginalWidth;

    /// <summary>Vertical scale, <see cref="ResizedHeight"/> / <see cref="OriginalHeight"/>.</summary>
    public double ScaleY => (double)ResizedHeight / OriginalHeight;

    /// <summary>Computes what <paramref name="options"/> does to an upright image of the given size.</summary>
    /// <param name="width">Width of the decoded, upright image; must be &gt; 0.</param>
    /// <param name="height">Height of the decoded, upright image; must be &gt; 0.</param>
    /// <param name="options">The resize settings (<see cref="ImageTensorOptions.ResizeMode"/>, size, multiple).</param>
    /// <returns>The geometry of the output.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or the options are invalid for their resize mode.</exception>
    public static ImageGeometry Compute(int width, int height, ImageTensorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        switch (options.ResizeMode)
        {
            case ImageResizeMode.None:
                return new ImageGeometry(width, height, width, height, 0, 0, width, height);
            case ImageResizeMode.Stretch:
                ImagingThrowHelper.CheckTargetSize(options);
                return new ImageGeometry(width, height, options.Width, options.Height, 0, 0, options.Width, options.Height);
            case ImageResizeMode.Letterbox:
            {
                ImagingThrowHelper.CheckTargetSize(options);
                double scale = Math.Min((double)options.Width / width, (double)options.Height / height);
                int resizedWidth = Math.Clamp((int)Math.Round(width * scale), 1, options.Width);
                int resizedHeight = Math.Clamp((int)Math.Round(height * scale), 1, options.Height);
                int padLeft = (options.Width - resizedWidth) / 2;
                int padTop = (options.Height - resizedHeight) / 2;
                return new ImageGeometry(width, height, resizedWidth, resizedHeight, padLeft, padTop, options.Width, options.Height);
            }

            case ImageResizeMode.PadToMultiple:
            {
                int k = options.SizeMultiple;
                if (k < 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(options), k, $"SizeMultiple ({k}) must be at least 1; use 32 for most encoders.");
                }

                int outputWidth = checked((width + k - 1) / k * k);
                int outputHeight = checked((height + k - 1) / k * k);
                return new ImageGeometry(width, height, width, height, 0, 0, outputWidth, outputHeight);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.ResizeMode, $"ResizeMode ({options.ResizeMode}) is not a known {nameof(ImageResizeMode)}.");
        }
    }
}
