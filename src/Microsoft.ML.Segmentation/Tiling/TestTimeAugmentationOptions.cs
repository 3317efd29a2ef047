using System;
using System.Collections.Generic;
using System.Globalization;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Test-time augmentation settings: the flipped or rotated copies (<see cref="Flips"/>) and the rescaled copies
/// (<see cref="Scales"/>) of every window the model sees, and how their scores are merged (<see cref="Merge"/>).
/// The model runs once per flip transform and scale, so the cost is (transforms × scales) model runs per window.
/// </summary>
/// <remarks>A plain settings object, not thread-safe. <see cref="TestTimeAugmentation.Wrap"/> takes a copy.</remarks>
public sealed class TestTimeAugmentationOptions
{
    private IList<double> _scales = new List<double> { 1.0 };

    /// <summary>
    /// The flipped or rotated copies of each window. <see cref="TtaFlips.D4"/> needs square windows. Default:
    /// <see cref="TtaFlips.None"/>.
    /// </summary>
    public TtaFlips Flips { get; set; } = TtaFlips.None;

    /// <summary>
    /// Scale factors, each finite and above 0: the window (every flipped copy of it) is resized bilinearly to
    /// <c>int(size × scale + 0.5)</c> (at least 1) per axis, as mmseg's rescale rounds, predicted, and the output resized
    /// back bilinearly to the unscaled output size before merging. Resizing uses half-pixel centres, as PyTorch's
    /// <c>F.interpolate(mode="bilinear", align_corners=False)</c> with an explicit size. Default: one value, 1 (no
    /// rescaling). Setting <see langword="null"/> restores the default.
    /// </summary>
    public IList<double> Scales
    {
        get => _scales;
        set => _scales = value ?? new List<double> { 1.0 };
    }

    /// <summary>
    /// How the copies' scores are averaged. Default: <see cref="TtaMerge.Probabilities"/> (mmseg's), whose merged output
    /// is probabilities even when the model outputs logits: thresholds and score annotations downstream must treat it
    /// so (see <see cref="MergedScoresAreProbabilities"/>).
    /// </summary>
    public TtaMerge Merge { get; set; } = TtaMerge.Probabilities;

    /// <summary>How many flip transforms <see cref="Flips"/> stands for: 1, 2, 4 or 8.</summary>
    public int TransformCount => WindowTransform.For(Flips).Count;

    /// <summary>The model runs per window: <see cref="TransformCount"/> × the number of <see cref="Scales"/>.</summary>
    public int RunsPerWindow => TransformCount * Scales.Count;

    /// <summary>
    /// Whether the merged output holds probabilities: always for <see cref="TtaMerge.Probabilities"/>, and for
    /// <see cref="TtaMerge.Logits"/> when the model's own scores are probabilities.
    /// </summary>
    /// <param name="scoresAreProbabilities">The model outputs probabilities (it ends in a softmax or sigmoid).</param>
    public bool MergedScoresAreProbabilities(bool scoresAreProbabilities) => Merge == TtaMerge.Probabilities || scoresAreProbabilities;

    /// <summary>A deep copy (the scale list is copied).</summary>
    public TestTimeAugmentationOptions Clone() => new()
    {
        Flips = Flips,
        Scales = new List<double>(Scales),
        Merge = Merge,
    };

    /// <summary>Checks every option on its own; <see cref="Validate(int, int)"/> also checks them against a window size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Flips))
        {
            throw new ArgumentOutOfRangeException(nameof(Flips), Flips, $"TestTimeAugmentationOptions.Flips must be None, Horizontal, Vertical, HorizontalAndVertical or D4; got {(int)Flips}.");
        }

        if (!Enum.IsDefined(Merge))
        {
            throw new ArgumentOutOfRangeException(nameof(Merge), Merge, $"TestTimeAugmentationOptions.Merge must be Probabilities or Logits; got {(int)Merge}.");
        }

        if (Scales.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Scales), "TestTimeAugmentationOptions.Scales needs at least one scale factor (1 for none); it is empty.");
        }

        foreach (double scale in Scales)
        {
            if (!(scale > 0 && double.IsFinite(scale)))
            {
                throw new ArgumentOutOfRangeException(nameof(Scales), scale, $"TestTimeAugmentationOptions.Scales must hold finite factors above 0; got {scale.ToString("G", CultureInfo.InvariantCulture)}.");
            }
        }
    }

    /// <summary>Checks every option, and that a window of <paramref name="height"/> × <paramref name="width"/> suits them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or a size is below 1.</exception>
    /// <exception cref="ArgumentException"><see cref="TtaFlips.D4"/> with a window that is not square.</exception>
    public void Validate(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Validate();
        if (Flips == TtaFlips.D4 && height != width)
        {
            // A 90° rotation of a non-square window is a window of another shape, which the model (and the tile grid) was not set up for.
            throw new ArgumentException(
                $"TestTimeAugmentationOptions.Flips = D4 rotates windows by 90°, which needs square windows; the window is {height}x{width} (height x width). Use HorizontalAndVertical, or a square tile.",
                nameof(Flips));
        }
    }

    /// <summary>The size of one axis at <paramref name="scale"/>: <c>int(size × scale + 0.5)</c>, at least 1.</summary>
    /// <exception cref="OverflowException">The scaled size does not fit an <see cref="int"/>.</exception>
    internal static int ScaledSize(int size, double scale) => checked((int)Math.Max(1.0, Math.Floor((size * scale) + 0.5)));
}
