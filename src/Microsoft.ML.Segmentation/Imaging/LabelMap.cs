namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>A mask as class indices, row-major <c>[Height · Width]</c>.</summary>
/// <remarks>Thread safety: its arrays are writable and unsynchronised: share it between threads only while nobody
/// writes to it.</remarks>
public sealed class LabelMap
{
    internal LabelMap(int[] labels, int width, int height)
    {
        Labels = labels;
        Width = width;
        Height = height;
    }

    /// <summary>The class index of each pixel, row-major; the array belongs to the caller.</summary>
    public int[] Labels { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }
}
