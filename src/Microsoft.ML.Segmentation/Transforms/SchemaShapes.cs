using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// Builds the <see cref="SchemaShape"/> an estimator's <c>GetOutputSchema</c> returns. ML.NET keeps the constructors
/// of <see cref="SchemaShape.Column"/> internal; the public route is a custom-mapping estimator whose output
/// <see cref="SchemaDefinition"/> carries our column types and annotations, so this class asks one for the shape.
/// </summary>
internal static class SchemaShapes
{
    private static readonly MLContext Context = new(seed: 0);

    /// <summary>The input shape with <paramref name="columns"/> appended (replacing columns of the same name).</summary>
    public static SchemaShape Extend(SchemaShape input, IReadOnlyList<SegmentationColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(input);
        SchemaDefinition definition = SchemaDefinition.Create(typeof(OutputSlots));
        var used = new List<SchemaDefinition.Column>();
        var next = new Dictionary<string, int>();
        foreach (SegmentationColumn column in columns)
        {
            string slot = SlotFor(column.Type);
            int index = next.TryGetValue(slot, out int n) ? n : 0;
            next[slot] = index + 1;
            SchemaDefinition.Column target = definition.First(c => c.MemberName == $"{slot}{index}");
            target.ColumnName = column.Name;
            target.ColumnType = column.Type;
            if (column.Annotations is { } annotations)
            {
                foreach (DataViewSchema.Column annotation in annotations.Schema)
                {
                    AddAnnotation(target, annotations, annotation);
                }
            }

            used.Add(target);
        }

        definition.RemoveAll(c => !used.Contains(c));
        var estimator = Context.Transforms.CustomMapping<NoInput, OutputSlots>((_, _) => { }, contractName: null, outputSchemaDefinition: definition);
        return estimator.GetOutputSchema(input);
    }

    private static void AddAnnotation(SchemaDefinition.Column target, DataViewSchema.Annotations annotations, DataViewSchema.Column annotation)
    {
        if (annotation.Type is VectorDataViewType { ItemType: TextDataViewType } vector)
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            annotations.GetValue(annotation.Name, ref values);
            target.AddAnnotation(annotation.Name, values, vector);
        }
    }

    private static string SlotFor(DataViewType type) => type switch
    {
        VectorDataViewType { ItemType: KeyDataViewType } => "Keys",
        VectorDataViewType { ItemType: NumberDataViewType n } when n.RawType == typeof(float) => "Floats",
        VectorDataViewType { ItemType: NumberDataViewType n } when n.RawType == typeof(int) => "Ints",
        NumberDataViewType n when n.RawType == typeof(float) => "Single",
        TextDataViewType => "Text",
        _ => throw new NotSupportedException($"No schema slot for {type}."),
    };

    private sealed class NoInput
    {
    }

#pragma warning disable CS0649, SA1401 // fields only describe column slots for SchemaDefinition.Create
    private sealed class OutputSlots
    {
        public float[] Floats0 = [], Floats1 = [], Floats2 = [], Floats3 = [];
        public uint[] Keys0 = [], Keys1 = [], Keys2 = [], Keys3 = [];
        public int[] Ints0 = [], Ints1 = [], Ints2 = [], Ints3 = [];
        public float Single0, Single1, Single2, Single3, Single4, Single5, Single6, Single7;
        public string Text0 = string.Empty, Text1 = string.Empty, Text2 = string.Empty, Text3 = string.Empty;
    }
#pragma warning restore CS0649, SA1401
}
