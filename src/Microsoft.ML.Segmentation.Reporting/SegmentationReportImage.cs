using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>One evaluated image of a report: its name, where its pixels are, the truth and predicted labels and its loss.</summary>
public sealed class SegmentationReportImage
{
    /// <summary>Creates a record.</summary>
    /// <param name="name">A short name shown in the report (a file stem, for example).</param>
    /// <param name="width">Mask width in pixels.</param>
    /// <param name="height">Mask height in pixels.</param>
    /// <param name="truth">Ground-truth class per pixel, row-major; a value outside 0..C−1 is an ignored pixel.</param>
    /// <param name="predicted">Predicted class per pixel, row-major.</param>
    /// <param name="imagePath">The image file, or <see langword="null"/> to draw the panels on grey.</param>
    /// <param name="loss">The image's loss, or <see langword="null"/> when none was computed.</param>
    /// <exception cref="ArgumentException">The label arrays do not hold <paramref name="width"/> × <paramref name="height"/> values.</exception>
    public SegmentationReportImage(string name, int width, int height, IReadOnlyList<int> truth, IReadOnlyList<int> predicted, string? imagePath = null, double? loss = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (truth.Count != width * height || predicted.Count != width * height)
        {
            throw new ArgumentException($"Image '{name}': {width}×{height} needs {width * height} labels; truth has {truth.Count}, prediction {predicted.Count}.");
        }

        Name = name;
        Width = width;
        Height = height;
        Truth = truth;
        Predicted = predicted;
        ImagePath = imagePath;
        Loss = loss;
    }

    /// <summary>The name shown in the report.</summary>
    public string Name { get; }

    /// <summary>Mask width in pixels.</summary>
    public int Width { get; }

    /// <summary>Mask height in pixels.</summary>
    public int Height { get; }

    /// <summary>Ground-truth class per pixel; a value outside 0..C−1 is ignored.</summary>
    public IReadOnlyList<int> Truth { get; }

    /// <summary>Predicted class per pixel.</summary>
    public IReadOnlyList<int> Predicted { get; }

    /// <summary>The image file; it is stretched to the mask size in the panels.</summary>
    public string? ImagePath { get; }

    /// <summary>The image's loss, when one was computed.</summary>
    public double? Loss { get; }
}
