using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// Runs the small tensor-building language of golden "generator" strings: statements separated by ';', each either
/// <c>name = zeros((d0,d1,…)[, dtype])</c> / <c>ones(…)</c> / <c>full((…), v)</c> (optionally prefixed <c>torch.</c>,
/// <c>np.</c> or <c>numpy.</c>) or a slice assignment <c>name[i, a:b, :, c:d:s, -1] = v</c> with numpy semantics.
/// </summary>
internal static partial class NumpyProgram
{
    public static Dictionary<string, GoldenTensor> Run(string program)
    {
        var variables = new Dictionary<string, GoldenTensor>(StringComparer.Ordinal);
        foreach (string raw in program.Split(';'))
        {
            string statement = raw.Trim();
            if (statement.Length == 0)
            {
                continue;
            }

            Match create = CreateRegex().Match(statement);
            if (create.Success)
            {
                int[] shape = ParseInts(create.Groups[3].Value);
                double fill = create.Groups[2].Value switch
                {
                    "ones" => 1,
                    "zeros" => 0,
                    _ => ParseNumber(create.Groups[4].Value),
                };
                long count = shape.Aggregate(1L, (a, b) => a * b);
                double[] data = new double[count];
                Array.Fill(data, fill);
                variables[create.Groups[1].Value] = new GoldenTensor(create.Groups[1].Value, shape, data, string.Empty);
                continue;
            }

            Match assign = AssignRegex().Match(statement);
            if (assign.Success)
            {
                string name = assign.Groups[1].Value;
                if (!variables.TryGetValue(name, out GoldenTensor? tensor))
                {
                    throw new InvalidDataException($"Generator: '{name}' is assigned before it is created.");
                }

                Assign(tensor, assign.Groups[2].Value, ParseNumber(assign.Groups[3].Value));
                continue;
            }

            throw new InvalidDataException($"Generator: cannot read the statement '{statement}'.");
        }

        return variables;
    }

    private static void Assign(GoldenTensor tensor, string indexText, double value)
    {
        string[] items = indexText.Split(',');
        int rank = tensor.Rank;
        if (items.Length > rank)
        {
            throw new InvalidDataException($"Generator: index [{indexText}] has more entries than the tensor's {rank} dimensions.");
        }

        var ranges = new (int Start, int Stop, int Step)[rank];
        for (int d = 0; d < rank; d++)
        {
            int size = tensor.Shape[d];
            ranges[d] = d < items.Length ? ParseIndex(items[d].Trim(), size) : (0, size, 1);
        }

        var strides = new long[rank];
        long stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= tensor.Shape[d];
        }

        Visit(0, 0);

        void Visit(int d, long offset)
        {
            if (d == rank)
            {
                tensor.Data[offset] = value;
                return;
            }

            for (int i = ranges[d].Start; i < ranges[d].Stop; i += ranges[d].Step)
            {
                Visit(d + 1, offset + (i * strides[d]));
            }
        }
    }

    private static (int Start, int Stop, int Step) ParseIndex(string item, int size)
    {
        if (!item.Contains(':', StringComparison.Ordinal))
        {
            int i = Normalize(int.Parse(item, CultureInfo.InvariantCulture), size);
            if (i < 0 || i >= size)
            {
                throw new InvalidDataException($"Generator: index {item} is outside a dimension of size {size}.");
            }

            return (i, i + 1, 1);
        }

        string[] parts = item.Split(':');
        int step = parts.Length > 2 && parts[2].Length > 0 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : 1;
        if (step <= 0)
        {
            throw new InvalidDataException($"Generator: slice step {step} is not supported; use a positive step.");
        }

        int start = parts[0].Length > 0 ? Clamp(Normalize(int.Parse(parts[0], CultureInfo.InvariantCulture), size), size) : 0;
        int stop = parts[1].Length > 0 ? Clamp(Normalize(int.Parse(parts[1], CultureInfo.InvariantCulture), size), size) : size;
        return (start, Math.Max(start, stop), step);
    }

    private static int Normalize(int index, int size) => index < 0 ? index + size : index;

    private static int Clamp(int index, int size) => Math.Clamp(index, 0, size);

    private static int[] ParseInts(string text)
        => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    private static double ParseNumber(string text)
    {
        string t = text.Trim();
        return t switch
        {
            "True" => 1,
            "False" => 0,
            _ => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }

    [GeneratedRegex(@"^([A-Za-z_]\w*)\s*=\s*(?:torch\.|np\.|numpy\.)?(zeros|ones|full)\s*\(\s*\(([\d\s,]*)\)\s*(?:,\s*([^,)]+?)\s*)?(?:,\s*(?:dtype\s*=\s*)?[\w.]+\s*)?\)$")]
    private static partial Regex CreateRegex();

    [GeneratedRegex(@"^([A-Za-z_]\w*)\s*\[([^\]]*)\]\s*=\s*(\S+)$")]
    private static partial Regex AssignRegex();
}
