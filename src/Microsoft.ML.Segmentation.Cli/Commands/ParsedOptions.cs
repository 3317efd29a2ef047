using System.Globalization;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// The options of one command line, parsed by <see cref="Parse"/>: <c>--name value</c>, <c>--name=value</c> and
/// <c>--flag</c>. Unknown options, repeated options, missing values and positional arguments are usage errors that
/// name the offending argument. Typed getters turn malformed values into usage errors naming the option.
/// </summary>
internal sealed class ParsedOptions
{
    private readonly Dictionary<string, string?> _values;

    private ParsedOptions(Dictionary<string, string?> values) => _values = values;

    /// <summary>The options given, by name (flags map to <see langword="null"/>).</summary>
    public IReadOnlyDictionary<string, string?> Values => _values;

    public static ParsedOptions Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help")
            {
                values["help"] = null;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"unexpected argument '{arg}'; options start with '--' (e.g. --model file.onnx).");
            }

            string name = arg[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }

            if (!byName.TryGetValue(name, out OptionSpec? spec))
            {
                throw new UsageException($"unknown option '--{name}'.");
            }

            if (values.ContainsKey(name))
            {
                throw new UsageException($"option '--{name}' is given more than once.");
            }

            if (spec.IsFlag)
            {
                if (inline is not null)
                {
                    throw new UsageException($"option '--{name}' is a flag and takes no value (got '{inline}').");
                }

                values[name] = null;
                continue;
            }

            string? value = inline;
            if (value is null)
            {
                if (i + 1 >= args.Count || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                {
                    throw new UsageException($"option '--{name}' needs a value ({spec.ValueName}).");
                }

                value = args[++i];
            }

            if (value.Length == 0)
            {
                throw new UsageException($"option '--{name}' needs a value ({spec.ValueName}); got an empty one.");
            }

            values[name] = value;
        }

        return new ParsedOptions(values);
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.TryGetValue(name, out string? v) ? v : null;

    public string Require(string name) => Get(name) ?? throw new UsageException($"option '--{name}' is required.");

    public int GetInt(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        string? text = Get(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new UsageException($"option '--{name}' needs an integer in {min}..{max}; got '{text}'.");
        }

        return value;
    }

    public long GetLong(string name, long fallback, long min, long max)
    {
        string? text = Get(name);
        if (text is null)
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
        {
            throw new UsageException($"option '--{name}' needs an integer in {min}..{max}; got '{text}'.");
        }

        return value;
    }

    public float? GetFloat(string name, float min, float max)
    {
        string? text = Get(name);
        if (text is null)
        {
            return null;
        }

        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !(value >= min && value <= max))
        {
            throw new UsageException($"option '--{name}' needs a number in {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}; got '{text}'.");
        }

        return value;
    }

    /// <summary>A double in [<paramref name="min"/>, <paramref name="max"/>) (or ≤ max when <paramref name="maxInclusive"/>), parsed as written: a fraction like 0.3 must not pass through float.</summary>
    public double? GetDouble(string name, double min, double max, bool maxInclusive = true)
    {
        string? text = Get(name);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value >= min && (maxInclusive ? value <= max : value < max)))
        {
            string range = $"{min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}{(maxInclusive ? string.Empty : " (below " + max.ToString(CultureInfo.InvariantCulture) + ")")}";
            throw new UsageException($"option '--{name}' needs a number in {range}; got '{text}'.");
        }

        return value;
    }

    /// <summary>A comma-separated list of <paramref name="count"/> numbers, or one number repeated.</summary>
    public float[]? GetFloats(string name, int count)
    {
        string? text = Get(name);
        if (text is null)
        {
            return null;
        }

        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
            {
                throw new UsageException($"option '--{name}' needs {count} comma-separated numbers; '{parts[i]}' is not a number.");
            }
        }

        if (values.Length == 1)
        {
            return Enumerable.Repeat(values[0], count).ToArray();
        }

        if (values.Length != count)
        {
            throw new UsageException($"option '--{name}' needs {count} comma-separated numbers (or one); got {values.Length}: '{text}'.");
        }

        return values;
    }

    public bool GetBool(string name, bool fallback)
    {
        string? text = Get(name);
        return text switch
        {
            null => fallback,
            _ when text.Equals("true", StringComparison.OrdinalIgnoreCase) || text is "1" or "yes" => true,
            _ when text.Equals("false", StringComparison.OrdinalIgnoreCase) || text is "0" or "no" => false,
            _ => throw new UsageException($"option '--{name}' needs true or false; got '{text}'."),
        };
    }

    /// <summary>One of <paramref name="choices"/> (case-insensitive), or <paramref name="fallback"/> when absent.</summary>
    public T GetChoice<T>(string name, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        string? text = Get(name);
        if (text is null)
        {
            return fallback;
        }

        foreach ((string key, T value) in choices)
        {
            if (key.Equals(text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new UsageException($"option '--{name}' must be one of {string.Join(", ", choices.Keys)}; got '{text}'.");
    }

    /// <summary>
    /// The usage text of a command: its synopsis, then one line per option (name and value, description, default),
    /// generated from the specs so every command's help has the same shape and names every option it accepts.
    /// </summary>
    public static string FormatUsage(string synopsis, IReadOnlyList<OptionSpec> specs)
    {
        var lines = new List<string> { "Usage: " + synopsis, string.Empty, "Options:" };
        int width = specs.Max(s => s.Name.Length + (s.ValueName?.Length + 1 ?? 0)) + 4;
        foreach (OptionSpec spec in specs)
        {
            string left = "--" + spec.Name + (spec.IsFlag ? string.Empty : " " + spec.ValueName);
            string right = spec.Default is { } fallback ? $"{spec.Description} [default: {fallback}]" : spec.Description;
            lines.Add("  " + left.PadRight(width) + right);
        }

        lines.Add("  " + "-h, --help".PadRight(width) + "Show this text and exit.");
        lines.Add(string.Empty);
        lines.Add("Exit codes: 0 ok, 1 bad input (usage, files, model, failed check), 2 internal error.");
        return string.Join(Environment.NewLine, lines);
    }
}
