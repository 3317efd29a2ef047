using System.Text.RegularExpressions;
using SixLabors.ImageSharp;

namespace Microsoft.ML.Segmentation.Reporting.Tests;

/// <summary>Checks shared by the report tests: what a written report folder must hold.</summary>
internal static partial class ReportFiles
{
    /// <summary>Every <c>src=</c> value in the page, in order.</summary>
    public static string[] Sources(string html) => SrcAttribute().Matches(html).Select(m => m.Groups[1].Value).ToArray();

    /// <summary>Asserts the page inlines exactly the given PNG files, in order, byte for byte, and references nothing else.</summary>
    public static void AssertInlines(string folder, IReadOnlyList<string> files)
    {
        string html = File.ReadAllText(Path.Combine(folder, SegmentationReport.HtmlFileName));
        Assert.IsFalse(html.Contains("href=", StringComparison.OrdinalIgnoreCase), "the page links to nothing");
        string[] sources = Sources(html);
        const string Prefix = "data:image/png;base64,";
        foreach (string s in sources)
        {
            StringAssert.StartsWith(s, Prefix);
        }

        Assert.HasCount(files.Count, sources);
        for (int i = 0; i < files.Count; i++)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(folder, files[i])), Convert.FromBase64String(sources[i][Prefix.Length..]), files[i]);
        }
    }

    /// <summary>Asserts the PNG decodes with the given size.</summary>
    public static void AssertPng(string path, int width, int height)
    {
        using Image image = Image.Load(path);
        Assert.AreEqual(width, image.Width, path);
        Assert.AreEqual(height, image.Height, path);
    }

    [GeneratedRegex("src\\s*=\\s*\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex SrcAttribute();
}
