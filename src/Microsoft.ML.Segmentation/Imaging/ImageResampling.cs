namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>Interpolation used to resize images (masks are always resized nearest-neighbour).</summary>
public enum ImageResampling
{
    /// <summary>Bilinear (triangle filter), like torchvision's default.</summary>
    Bilinear = 0,

    /// <summary>Bicubic.</summary>
    Bicubic = 1,

    /// <summary>Nearest neighbour.</summary>
    NearestNeighbor = 2,
}
