using System;
using System.IO;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// The one test of what <see cref="BadRowPolicy.SkipAndRecord"/> (and <c>segml --skip-bad</c>) may skip: a fault of
/// one row's data (a file missing, corrupt or unfit for the model), never a bug of SegML's and never a model that does
/// not fit the class list, which would fail on every row and leave nothing but skipped rows.
/// </summary>
internal static class BadRows
{
    private const string ModelMismatchKey = "SegML.ModelMismatch";

    /// <summary>Whether <paramref name="e"/> is a fault of one row's data.</summary>
    public static bool IsBadRow(Exception e)
        => e is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or NotSupportedException
            && !IsModelMismatch(e);

    /// <summary>Marks <paramref name="e"/> as a mismatch between the model and the pipeline's classes (not a row's fault) and returns it.</summary>
    public static T MarkModelMismatch<T>(T e)
        where T : Exception
    {
        e.Data[ModelMismatchKey] = true;
        return e;
    }

    /// <summary>Whether <paramref name="e"/> was marked by <see cref="MarkModelMismatch{T}(T)"/>.</summary>
    public static bool IsModelMismatch(Exception e) => e.Data[ModelMismatchKey] is true;
}
