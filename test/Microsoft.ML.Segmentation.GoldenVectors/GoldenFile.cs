using System.Text.Json.Nodes;

namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>One golden file: which library and callable its cases come from, the file-level defaults, and its cases.</summary>
internal sealed class GoldenFile
{
    private GoldenFile(string path, JsonObject root)
    {
        Path = path;
        Root = root;
        Library = GoldenValues.String(root["library"]) ?? string.Empty;
        Callable = GoldenValues.String(root["callable"]) ?? string.Empty;
        Defaults = new JsonObject();
        foreach (string key in new[] { "defaults", "params" })
        {
            if (root[key] is JsonObject obj)
            {
                foreach (KeyValuePair<string, JsonNode?> pair in obj)
                {
                    Defaults[pair.Key] = pair.Value?.DeepClone();
                }
            }
        }

        Tolerance = GoldenTolerance.From(root["tolerance"], GoldenTolerance.Default);
        Cases = root["cases"] is JsonArray cases
            ? cases.OfType<JsonObject>().Select(c => new GoldenCase(this, c)).ToList()
            : new List<GoldenCase>();
    }

    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    public JsonObject Root { get; }

    /// <summary>The upstream library, e.g. "MONAI" or "segmentation_models.pytorch".</summary>
    public string Library { get; }

    /// <summary>The upstream callable, e.g. "monai.losses.DiceLoss".</summary>
    public string Callable { get; }

    /// <summary>File-level parameters ("defaults" and "params" merged), in the upstream library's names.</summary>
    public JsonObject Defaults { get; }

    public GoldenTolerance Tolerance { get; }

    public IReadOnlyList<GoldenCase> Cases { get; }

    public static GoldenFile Load(string path) => new(path, GoldenJson.Parse(File.ReadAllText(path), path));

    /// <summary>Whether the library name contains <paramref name="text"/>, case-insensitively.</summary>
    public bool IsLibrary(string text) => Library.Contains(text, StringComparison.OrdinalIgnoreCase);
}

/// <summary>One case: its parameters (file defaults overlaid with the case's own), inputs, expected value and tolerance.</summary>
internal sealed class GoldenCase
{
    public GoldenCase(GoldenFile file, JsonObject node)
    {
        File = file;
        Node = node;
        Id = GoldenValues.String(node["id"]) ?? "(no id)";
        Params = (JsonObject)file.Defaults.DeepClone();
        if (node["params"] is JsonObject own)
        {
            foreach (KeyValuePair<string, JsonNode?> pair in own)
            {
                Params[pair.Key] = pair.Value?.DeepClone();
            }
        }

        Inputs = node["inputs"] as JsonObject ?? new JsonObject();
        Tolerance = GoldenTolerance.From(node["tolerance"], file.Tolerance);
    }

    public GoldenFile File { get; }

    public JsonObject Node { get; }

    public string Id { get; }

    public JsonObject Params { get; }

    public JsonObject Inputs { get; }

    public GoldenTolerance Tolerance { get; }

    /// <summary>The upstream expectation: "expected", else "expected_derived" (derived cases have no upstream value).</summary>
    public JsonNode? Expected => Node["expected"] is JsonNode e && !GoldenValues.IsNull(e) ? e : Node["expected_derived"];

    /// <summary>The case's "api" or "function" text, which some files use to say which callable a case exercises.</summary>
    public string Api => GoldenValues.String(Node["api"]) ?? GoldenValues.String(Node["function"]) ?? string.Empty;

    public GoldenTensor Tensor(string name) => GoldenValues.Tensor(Inputs[name], name);

    public bool HasInput(string name) => Inputs[name] is not null;

    public double Number(string param, double fallback)
        => Params[param] is JsonNode n && !GoldenValues.IsNull(n) ? GoldenValues.Number(n) : fallback;

    public double? NumberOrNull(string param)
        => Params[param] is JsonNode n && !GoldenValues.IsNull(n) && n is not JsonArray ? GoldenValues.Number(n) : null;

    public bool Bool(string param, bool fallback)
        => Params[param] is JsonValue v && v.TryGetValue(out bool b) ? b : fallback;

    public string? Text(string param) => GoldenValues.String(Params[param]);

    public double[]? Numbers(string param)
        => Params[param] is JsonArray a ? GoldenValues.Flatten(a) : null;
}
