using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// The column types SegML's transformers exchange. A tensor is a variable-length Single vector holding one image's
/// <c>[C,H,W]</c>; its size comes from the 8-element geometry column (<see cref="Imaging.ImageGeometry"/>: original
/// width and height, resized width and height, left and top padding, tensor width and height). A mask is a
/// variable-length key vector <c>[H,W]</c>: key k + 1 is class k and 0 (ML.NET's missing key) is an ignored pixel;
/// class names travel as the KeyValues annotation.
/// </summary>
internal static class ColumnTypes
{
    public const int GeometryLength = 8;

    public static readonly VectorDataViewType Tensor = new(NumberDataViewType.Single);

    public static readonly VectorDataViewType Geometry = new(NumberDataViewType.Int32, GeometryLength);

    public static VectorDataViewType Mask(int classes) => new(new KeyDataViewType(typeof(uint), classes));

    public static DataViewSchema.Annotations ClassNames(IReadOnlyList<string> names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        ReadOnlyMemory<char>[] values = names.Select(n => n.AsMemory()).ToArray();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(values.Length, values);
        builder.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, values.Length), getter);
        return builder.ToAnnotations();
    }

    /// <summary>
    /// The annotation on a scores column that says what the scores are: a one-element text vector, "Logits" or
    /// "Probabilities". ScoreOnnx and trained heads set it so PredictMasks thresholds on the right scale.
    /// </summary>
    public const string ScoreKindAnnotation = "ScoreKind";

    /// <summary>The annotations of a scores column: its <see cref="ScoreKindAnnotation"/>.</summary>
    public static DataViewSchema.Annotations ScoreKind(bool probabilities)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        ReadOnlyMemory<char>[] values = [(probabilities ? "Probabilities" : "Logits").AsMemory()];
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(1, values);
        builder.Add(ScoreKindAnnotation, new VectorDataViewType(TextDataViewType.Instance, 1), getter);
        return builder.ToAnnotations();
    }

    /// <summary>Whether a scores column holds probabilities (true), logits (false), or does not say (null).</summary>
    public static bool? ScoreKindOf(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(ScoreKindAnnotation) is not { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            return null;
        }

        VBuffer<ReadOnlyMemory<char>> values = default;
        column.Annotations.GetValue(ScoreKindAnnotation, ref values);
        string kind = values.Length == 1 ? values.GetValues()[0].ToString() : string.Empty;
        return kind switch
        {
            "Probabilities" => true,
            "Logits" => false,
            _ => null,
        };
    }

    /// <summary>Reads class names from a key column's KeyValues annotation, or numbers them.</summary>
    public static string[] ClassNamesOf(DataViewSchema.Column column, int classes)
    {
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is { } annotation && annotation.Type is VectorDataViewType { ItemType: TextDataViewType })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            column.Annotations.GetValue("KeyValues", ref values);
            return values.DenseValues().Select(v => v.ToString()).ToArray();
        }

        return Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    public static Imaging.ImageGeometry ToGeometry(in VBuffer<int> value)
    {
        ReadOnlySpan<int> g = value.GetValues();
        if (g.Length != GeometryLength)
        {
            throw new InvalidOperationException($"A geometry column holds {g.Length} values; expected {GeometryLength}.");
        }

        return new Imaging.ImageGeometry(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
    }

    public static void FromGeometry(Imaging.ImageGeometry geometry, ref VBuffer<int> destination)
    {
        VBufferEditor<int> editor = VBufferEditor.Create(ref destination, GeometryLength);
        Span<int> v = editor.Values;
        v[0] = geometry.OriginalWidth;
        v[1] = geometry.OriginalHeight;
        v[2] = geometry.ResizedWidth;
        v[3] = geometry.ResizedHeight;
        v[4] = geometry.PadLeft;
        v[5] = geometry.PadTop;
        v[6] = geometry.OutputWidth;
        v[7] = geometry.OutputHeight;
        destination = editor.Commit();
    }

    /// <summary>Copies class labels into a key vector: label k becomes key k + 1, anything else (ignored) key 0.</summary>
    public static void LabelsToKeys(ReadOnlySpan<int> labels, int classes, ref VBuffer<uint> destination)
    {
        VBufferEditor<uint> editor = VBufferEditor.Create(ref destination, labels.Length);
        Span<uint> keys = editor.Values;
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            keys[i] = (uint)label < (uint)classes ? (uint)(label + 1) : 0u;
        }

        destination = editor.Commit();
    }

    /// <summary>
    /// Copies predicted classes into a key vector (class k becomes key k + 1) and throws on any class outside
    /// 0..<paramref name="classes"/> − 1: unlike a loaded mask, a prediction has no ignored pixel, and the missing key
    /// it would otherwise get would be read as some class downstream.
    /// </summary>
    public static void PredictionsToKeys(ReadOnlySpan<int> predicted, int classes, string columnName, ref VBuffer<uint> destination)
    {
        VBufferEditor<uint> editor = VBufferEditor.Create(ref destination, predicted.Length);
        Span<uint> keys = editor.Values;
        for (int i = 0; i < predicted.Length; i++)
        {
            int label = predicted[i];
            if ((uint)label >= (uint)classes)
            {
                throw Evaluation.BadRows.MarkModelMismatch(new ArgumentException(
                    $"Column '{columnName}' predicts class {label} at pixel {i}, but only {classes} class names were given (classes 0..{classes - 1}); give one name per class the model predicts.",
                    "classNames"));
            }

            keys[i] = (uint)(label + 1);
        }

        destination = editor.Commit();
    }

    /// <summary>Copies a key vector into labels: key k + 1 becomes k, key 0 becomes <paramref name="ignore"/>.</summary>
    public static void KeysToLabels(in VBuffer<uint> keys, int ignore, Span<int> labels)
    {
        ReadOnlySpan<uint> values = keys.GetValues();
        if (keys.IsDense)
        {
            for (int i = 0; i < values.Length; i++)
            {
                labels[i] = values[i] == 0 ? ignore : (int)values[i] - 1;
            }

            return;
        }

        labels.Fill(ignore);
        ReadOnlySpan<int> indices = keys.GetIndices();
        for (int i = 0; i < indices.Length; i++)
        {
            labels[indices[i]] = values[i] == 0 ? ignore : (int)values[i] - 1;
        }
    }
}
