using System;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>An input column a transformer reads: its name and the types it accepts, checked on both schema kinds.</summary>
internal sealed record InputColumn(string Name, string ParameterName, string Expected, Func<DataViewType, bool> Accepts)
{
    public static InputColumn Text(string name, string parameterName)
        => new(name, parameterName, "a text column (file paths)", t => t is TextDataViewType);

    public static InputColumn FloatVector(string name, string parameterName)
        => new(name, parameterName, "a vector of Single", t => t is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(float));

    public static InputColumn Geometry(string name, string parameterName)
        => new(name, parameterName, "an 8-element Int32 vector (image geometry from LoadImages)", t => t is VectorDataViewType { ItemType: NumberDataViewType n, Size: 8 } && n.RawType == typeof(int));

    public static InputColumn KeyVector(string name, string parameterName)
        => new(name, parameterName, "a vector of keys (a mask from LoadMasks or PredictMasks)", t => t is VectorDataViewType { ItemType: KeyDataViewType });

    public void Check(DataViewSchema schema)
    {
        DataViewSchema.Column? column = schema.GetColumnOrNull(Name);
        if (column is null)
        {
            throw new ArgumentOutOfRangeException(ParameterName, Name, $"The input has no column '{Name}'; it needs {Expected}.");
        }

        if (!Accepts(column.Value.Type))
        {
            throw new ArgumentOutOfRangeException(ParameterName, Name, $"Column '{Name}' is {column.Value.Type}; expected {Expected}.");
        }
    }

    public void Check(SchemaShape shape)
    {
        SchemaShape.Column column = default;
        foreach (SchemaShape.Column c in shape)
        {
            if (c.Name == Name)
            {
                column = c;
            }
        }

        if (column.Name is null)
        {
            throw new ArgumentOutOfRangeException(ParameterName, Name, $"The input has no column '{Name}'; it needs {Expected}.");
        }

        // A shape does not carry vector sizes: a fixed-size vector is checked as one of the size this column needs.
        // Nor key counts: a key column reports its raw type, so it is checked as a key of unknown count.
        DataViewType? item = column.IsKey && column.ItemType is NumberDataViewType raw ? new KeyDataViewType(raw.RawType, int.MaxValue) : column.ItemType;
        DataViewType? type = column.Kind switch
        {
            SchemaShape.Column.VectorKind.Scalar => item,
            SchemaShape.Column.VectorKind.VariableVector when item is PrimitiveDataViewType p => new VectorDataViewType(p),
            SchemaShape.Column.VectorKind.Vector when item is PrimitiveDataViewType p => new VectorDataViewType(p, 8),
            _ => null,
        };
        bool accepted = type is not null && (Accepts(type) || (type is VectorDataViewType { Size: 8 } fixedVector && Accepts(new VectorDataViewType(fixedVector.ItemType))));
        if (!accepted)
        {
            throw new ArgumentOutOfRangeException(ParameterName, Name, $"Column '{Name}' is {column.Kind} of {column.ItemType}; expected {Expected}.");
        }
    }
}
