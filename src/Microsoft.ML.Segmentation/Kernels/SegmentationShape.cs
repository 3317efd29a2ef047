using System;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The shape of a segmentation tensor in NCHW order: <see cref="Batch"/> images, <see cref="Classes"/> channels,
/// <see cref="Height"/> by <see cref="Width"/> pixels. Kernels read the spatial plane as one contiguous run of
/// <see cref="PixelsPerImage"/> values, so a 1-D signal of length L is simply <c>Height = 1, Width = L</c>.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public readonly record struct SegmentationShape
{
    /// <summary>Creates a shape, validating that every dimension is positive.</summary>
    /// <param name="batch">Number of images N. Must be at least 1.</param>
    /// <param name="classes">Number of channels C (1 for a binary model with one logit). Must be at least 1.</param>
    /// <param name="height">Image height H. Must be at least 1.</param>
    /// <param name="width">Image width W. Must be at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive, or the element count overflows.</exception>
    public SegmentationShape(int batch, int classes, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long total = (long)batch * classes * height * width;
        if (total > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(batch),
                $"The tensor [{batch},{classes},{height},{width}] has {total} elements, more than one array can hold ({Array.MaxLength}).");
        }

        Batch = batch;
        Classes = classes;
        Height = height;
        Width = width;
    }

    /// <summary>Number of images N.</summary>
    public int Batch { get; }

    /// <summary>Number of channels C.</summary>
    public int Classes { get; }

    /// <summary>Image height H.</summary>
    public int Height { get; }

    /// <summary>Image width W.</summary>
    public int Width { get; }

    /// <summary>Pixels in one image plane, H·W.</summary>
    public int PixelsPerImage => Height * Width;

    /// <summary>Pixels in the whole batch, N·H·W: the length of a label map.</summary>
    public int PixelCount => Batch * Height * Width;

    /// <summary>Elements of the score tensor, N·C·H·W.</summary>
    public int ElementCount => Batch * Classes * Height * Width;

    /// <summary>The same shape with another channel count.</summary>
    /// <param name="classes">The new channel count.</param>
    /// <returns>A shape <c>[N, classes, H, W]</c>.</returns>
    public SegmentationShape WithClasses(int classes) => new(Batch, classes, Height, Width);

    /// <inheritdoc/>
    public override string ToString() => $"[{Batch},{Classes},{Height},{Width}]";

    internal void ValidateScores(int length, string paramName)
    {
        if (length != ElementCount)
        {
            throw new ArgumentException(
                $"The score tensor has {length} elements but shape {this} needs N·C·H·W = {ElementCount}.", paramName);
        }
    }

    internal void ValidateLabels(int length, string paramName)
    {
        if (length != PixelCount)
        {
            throw new ArgumentException(
                $"The label map has {length} elements but shape {this} needs N·H·W = {PixelCount}.", paramName);
        }
    }

    internal void ValidateGradient(int length, string paramName)
    {
        if (length != 0 && length != ElementCount)
        {
            throw new ArgumentException(
                $"The gradient destination has {length} elements; pass an empty span for no gradient or one of N·C·H·W = {ElementCount} for shape {this}.",
                paramName);
        }
    }
}
