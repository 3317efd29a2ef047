using System.Text;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>
/// Reads the golden files, which Python's json module wrote: they may hold the bare tokens NaN, Infinity and
/// -Infinity, which are not JSON. They are turned into strings that <see cref="GoldenValues"/> reads back as numbers.
/// </summary>
internal static class GoldenJson
{
    public static JsonObject Parse(string text, string path)
    {
        JsonNode? node = JsonNode.Parse(QuoteNonFiniteLiterals(text));
        return node as JsonObject ?? throw new InvalidDataException($"{path}: the top level is not a JSON object.");
    }

    internal static string QuoteNonFiniteLiterals(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool inString = false;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (inString)
            {
                sb.Append(ch);
                if (ch == '\\' && i + 1 < text.Length)
                {
                    sb.Append(text[++i]);
                }
                else if (ch == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (ch == '"')
            {
                inString = true;
                sb.Append(ch);
                continue;
            }

            string? literal = MatchLiteral(text, i);
            if (literal is not null)
            {
                sb.Append('"').Append(literal).Append('"');
                i += literal.Length - 1;
                continue;
            }

            sb.Append(ch);
        }

        return sb.ToString();
    }

    private static string? MatchLiteral(string text, int i)
    {
        foreach (string literal in new[] { "-Infinity", "Infinity", "NaN" })
        {
            if (string.CompareOrdinal(text, i, literal, 0, literal.Length) == 0)
            {
                return literal;
            }
        }

        return null;
    }
}
