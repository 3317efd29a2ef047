namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Which mirrored and rotated copies of a window test-time augmentation runs. "Horizontal" mirrors the width axis
/// (left ↔ right, as mmseg's horizontal flip and <c>torch.flip(x, [-1])</c>), "vertical" the height axis.
/// </summary>
public enum TtaFlips
{
    /// <summary>The window as it is (one transform).</summary>
    None,

    /// <summary>The window and its left-right mirror (2 transforms).</summary>
    Horizontal,

    /// <summary>The window and its top-bottom mirror (2 transforms).</summary>
    Vertical,

    /// <summary>The four flip combinations: as it is, left-right, top-bottom, and both (4 transforms; nnU-Net's 2-D mirroring).</summary>
    HorizontalAndVertical,

    /// <summary>
    /// The eight symmetries of a square (the dihedral group D4): the four rotations by 0°, 90°, 180° and 270°, each
    /// with and without a left-right mirror (8 transforms). Only for square windows.
    /// </summary>
    D4,
}
