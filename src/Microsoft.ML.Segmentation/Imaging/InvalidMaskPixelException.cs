using System;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// A mask pixel that the <see cref="MaskOptions"/> reject: a label outside the classes, a colour the table does not
/// list, or colour in an index mask. The message names the file, the pixel and the option to check.
/// </summary>
/// <remarks>
/// It is an <see cref="ArgumentException"/>, as <see cref="SegmentationMaskLoader"/> documents, and carries the file,
/// the pixel and what was wrong as data so a caller can word its own advice.
/// </remarks>
public sealed class InvalidMaskPixelException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message, naming the file, the pixel and the option to check.</param>
    /// <param name="problem">What is wrong with the pixel.</param>
    /// <param name="maskSource">The mask file (or <c>&lt;bytes&gt;</c>).</param>
    /// <param name="x">The pixel's column in the mask file.</param>
    /// <param name="y">The pixel's row in the mask file.</param>
    /// <param name="value">The label (<see cref="MaskPixelProblem.LabelOutOfRange"/>) or the packed colour 0xRRGGBB.</param>
    /// <param name="classCount">The class count the label was checked against; <see langword="null"/> when none applies.</param>
    /// <param name="ignoreIndex">The ignore label in force; <see langword="null"/> for none.</param>
    public InvalidMaskPixelException(string message, MaskPixelProblem problem, string maskSource, int x, int y, int value, int? classCount, int? ignoreIndex)
        : base(message, "mask")
    {
        Problem = problem;
        MaskSource = maskSource;
        X = x;
        Y = y;
        Value = value;
        ClassCount = classCount;
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>What is wrong with the pixel.</summary>
    public MaskPixelProblem Problem { get; }

    /// <summary>The mask file (or <c>&lt;bytes&gt;</c>).</summary>
    public string MaskSource { get; }

    /// <summary>The pixel's column in the mask file.</summary>
    public int X { get; }

    /// <summary>The pixel's row in the mask file.</summary>
    public int Y { get; }

    /// <summary>The label (for <see cref="MaskPixelProblem.LabelOutOfRange"/>) or the packed colour 0xRRGGBB (otherwise).</summary>
    public int Value { get; }

    /// <summary>The class count the label was checked against; <see langword="null"/> when none applies.</summary>
    public int? ClassCount { get; }

    /// <summary>The ignore label in force; <see langword="null"/> for none.</summary>
    public int? IgnoreIndex { get; }
}
