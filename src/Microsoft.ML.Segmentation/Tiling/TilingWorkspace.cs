using System;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// The large buffers of one sliding-window pass (the windows of a run, a padded window's scratch, the band's score and
/// weight sums), kept from image to image so that a tiler allocates them once, not once per image.
/// </summary>
/// <remarks>
/// A fresh 88 MB band (21 classes, 512-row tiles, 2048 columns) per image cost more than the blend itself: the GC hands
/// large arrays back to the OS, so every image faulted its pages in again (kernel page clearing and TLB shootdowns were
/// 40 % of a blend-only profile on the 2-core VM). Not thread-safe: one pass at a time, as the tilers that own one.
/// </remarks>
internal sealed class TilingWorkspace
{
    private float[] _windows = [];
    private float[] _scratch = [];
    private float[] _scores = [];
    private float[] _weights = [];

    /// <summary>At least <paramref name="length"/> floats for the windows of one run (contents undefined).</summary>
    public float[] Windows(int length) => Grow(ref _windows, length);

    /// <summary>At least <paramref name="length"/> floats for a padded window's region (contents undefined).</summary>
    public float[] Scratch(int length) => Grow(ref _scratch, length);

    /// <summary>At least <paramref name="length"/> floats for the score sums (contents undefined: the band writes before it reads).</summary>
    public float[] Scores(int length) => Grow(ref _scores, length);

    /// <summary>At least <paramref name="length"/> floats for the weight sums, the first <paramref name="length"/> zero.</summary>
    public float[] Weights(int length) => GrowCleared(ref _weights, length);

    private static float[] Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = []; // let the old one go before the new one is allocated
            buffer = new float[length];
        }

        return buffer;
    }

    private static float[] GrowCleared(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = [];
            buffer = new float[length]; // zeroed by the runtime
            return buffer;
        }

        buffer.AsSpan(0, length).Clear();
        return buffer;
    }
}
