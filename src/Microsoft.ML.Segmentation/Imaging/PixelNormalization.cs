using System;
using System.Numerics.Tensors;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// The per-channel affine map <c>value · multiplier[c] + offset[c]</c> (scale, mean and std of
/// <see cref="ImageTensorOptions"/>, already in output channel order) that turns raw 0..255 pixel values into tensor
/// values. One instance serves the whole-image loader and <see cref="DecodedImage"/>'s regions, so both apply the same
/// float operations in the same order (a multiply, then an add: never a fused multiply-add) and agree bit for bit.
/// </summary>
internal sealed class PixelNormalization
{
    private readonly float[] _multiplier;
    private readonly float[] _offset;

    public PixelNormalization(float[] multiplier, float[] offset, bool bgr)
    {
        _multiplier = multiplier;
        _offset = offset;
        Bgr = bgr;
        IsIdentity = Array.TrueForAll(multiplier, m => m == 1f) && Array.TrueForAll(offset, o => o == 0f);
    }

    /// <summary>Output channel 0 holds blue (the raw planes are written in BGR order).</summary>
    public bool Bgr { get; }

    /// <summary>Every multiplier is 1 and every offset 0: the raw values are the tensor's.</summary>
    public bool IsIdentity { get; }

    /// <summary>
    /// Writes one row of pixels, normalised, into three plane rows (output channels 0, 1, 2) in one pass: the same
    /// values as writing the raw row and then <see cref="ApplyToPlanes"/>, bit for bit.
    /// </summary>
    public void WriteRowToPlanes(ReadOnlySpan<Rgb24> row, Span<float> first, Span<float> second, Span<float> third)
        => PixelRows.ToNormalizedPlanes(row, first, second, third, Bgr, _multiplier, _offset);

    /// <summary>Normalises consecutive planes <c>[3, plane]</c> in place.</summary>
    public void ApplyToPlanes(Span<float> values, int plane)
    {
        if (IsIdentity)
        {
            return;
        }

        for (int c = 0; c < _multiplier.Length; c++)
        {
            Span<float> channel = values.Slice(c * plane, plane);
            TensorPrimitives.Multiply(channel, _multiplier[c], channel);
            TensorPrimitives.Add(channel, _offset[c], channel);
        }
    }

    /// <summary>Normalises interleaved rows <c>[pixels, 3]</c> in place (NHWC), row by row.</summary>
    public void ApplyToInterleaved(Span<float> values, int rows, int rowPixels)
    {
        if (IsIdentity)
        {
            return;
        }

        // One row of per-pixel coefficient triples, applied row by row.
        int rowLength = rowPixels * _multiplier.Length;
        var multiplier = new float[rowLength];
        var offset = new float[rowLength];
        for (int i = 0; i < rowLength; i++)
        {
            multiplier[i] = _multiplier[i % _multiplier.Length];
            offset[i] = _offset[i % _offset.Length];
        }

        for (int y = 0; y < rows; y++)
        {
            Span<float> row = values.Slice(y * rowLength, rowLength);
            TensorPrimitives.MultiplyAdd(row, multiplier, offset, row);
        }
    }
}
