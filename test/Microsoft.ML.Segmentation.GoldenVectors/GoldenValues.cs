using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>Numbers, nested arrays and tensors (<c>{"shape": [...], "data": [...]}</c>) as the golden files write them.</summary>
internal static class GoldenValues
{
    /// <summary>Reads a number, or one of the strings "NaN", "nan", "Infinity", "inf", "+inf", "-Infinity", "-inf" (any case).</summary>
    public static double Number(JsonNode? node)
    {
        if (node is JsonValue value)
        {
            if (value.TryGetValue(out double d))
            {
                return d;
            }

            if (value.TryGetValue(out bool b))
            {
                return b ? 1 : 0;
            }

            if (value.TryGetValue(out string? s))
            {
                return s.Trim().ToLowerInvariant() switch
                {
                    "nan" or "+nan" or "-nan" => double.NaN,
                    "infinity" or "inf" or "+infinity" or "+inf" => double.PositiveInfinity,
                    "-infinity" or "-inf" => double.NegativeInfinity,
                    _ => double.Parse(s, CultureInfo.InvariantCulture),
                };
            }
        }

        throw new InvalidDataException($"Expected a number, found {node?.ToJsonString() ?? "null"}.");
    }

    /// <summary>Flattens a number or nested arrays of numbers in row-major order; a null element reads as NaN.</summary>
    public static double[] Flatten(JsonNode? node)
    {
        var list = new List<double>();
        Append(node, list);
        return list.ToArray();
    }

    /// <summary>The shape of nested arrays (empty for a scalar).</summary>
    public static int[] ShapeOf(JsonNode? node)
    {
        var shape = new List<int>();
        while (node is JsonArray array)
        {
            shape.Add(array.Count);
            node = array.Count > 0 ? array[0] : null;
        }

        return shape.ToArray();
    }

    /// <summary>Reads a tensor given as <c>{"shape", "data"}</c> or as bare nested arrays.</summary>
    public static GoldenTensor Tensor(JsonNode? node, string name)
    {
        if (node is JsonObject obj && obj["data"] is JsonNode data)
        {
            double[] values = Flatten(data);
            int[] shape = obj["shape"] is JsonArray s ? s.Select(x => (int)Number(x)).ToArray() : ShapeOf(data);
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (count != values.Length)
            {
                throw new InvalidDataException($"Tensor '{name}': shape [{string.Join(",", shape)}] needs {count} values, the data has {values.Length}.");
            }

            return new GoldenTensor(name, shape, values, obj["semantics"]?.GetValue<string>() ?? string.Empty);
        }

        if (node is JsonArray || node is JsonValue)
        {
            return new GoldenTensor(name, ShapeOf(node), Flatten(node), string.Empty);
        }

        throw new InvalidDataException($"Tensor '{name}' is missing or has no data.");
    }

    public static string? String(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static bool IsNull(JsonNode? node) => node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.Null);

    private static void Append(JsonNode? node, List<double> list)
    {
        if (node is JsonArray array)
        {
            foreach (JsonNode? item in array)
            {
                Append(item, list);
            }
        }
        else if (IsNull(node))
        {
            // Writers that cannot spell NaN in JSON (JSON.stringify, pandas to_json) write null inside arrays.
            list.Add(double.NaN);
        }
        else
        {
            list.Add(Number(node));
        }
    }
}

/// <summary>A tensor read from a golden file: its shape and its values in row-major order.</summary>
internal sealed record GoldenTensor(string Name, int[] Shape, double[] Data, string Semantics)
{
    public int Rank => Shape.Length;

    public int Dim(int axis) => Shape[axis < 0 ? Shape.Length + axis : axis];
}
