using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.ML.Segmentation.Reporting;
using SixLabors.ImageSharp;

namespace Microsoft.ML.Segmentation.Tests.Reporting;

/// <summary>Checks shared by the report tests: what a written report folder must hold.</summary>
internal static partial class ReportFiles
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    /// <summary>Every <c>src=</c> value in the page, in order.</summary>
    public static string[] Sources(string html) => SrcAttribute().Matches(html).Select(m => m.Groups[1].Value).ToArray();

    /// <summary>
    /// Asserts the page inlines exactly the given files, in order, byte for byte, each with the media type of its
    /// extension (SVG charts, PNG strips), and references nothing else.
    /// </summary>
    public static void AssertInlines(string folder, IReadOnlyList<string> files)
    {
        string html = File.ReadAllText(Path.Combine(folder, SegmentationReport.HtmlFileName));
        Assert.IsFalse(html.Contains("href=", StringComparison.OrdinalIgnoreCase), "the page links to nothing");
        string[] sources = Sources(html);
        Assert.HasCount(files.Count, sources);
        for (int i = 0; i < files.Count; i++)
        {
            string prefix = files[i].EndsWith(".svg", StringComparison.Ordinal) ? "data:image/svg+xml;base64," : "data:image/png;base64,";
            StringAssert.StartsWith(sources[i], prefix, files[i]);
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(folder, files[i])), Convert.FromBase64String(sources[i][prefix.Length..]), files[i]);
        }
    }

    /// <summary>Asserts the PNG decodes with the given size.</summary>
    public static void AssertPng(string path, int width, int height)
    {
        using Image image = Image.Load(path);
        Assert.AreEqual(width, image.Width, path);
        Assert.AreEqual(height, image.Height, path);
    }

    /// <summary>Asserts the file is an SVG document of the given size that draws something, and returns it.</summary>
    public static XDocument AssertSvg(string path, int width, int height)
    {
        XDocument svg = XDocument.Load(path);
        XElement root = svg.Root!;
        Assert.AreEqual(s_svg + "svg", root.Name, path);
        Assert.AreEqual(width, double.Parse((string)root.Attribute("width")!, CultureInfo.InvariantCulture), path);
        Assert.AreEqual(height, double.Parse((string)root.Attribute("height")!, CultureInfo.InvariantCulture), path);
        Assert.IsNotEmpty(svg.Descendants(s_svg + "text").ToArray(), path + " has text");
        Assert.IsFalse(svg.Descendants(s_svg + "image").Any(), path + " embeds no bitmap");
        return svg;
    }

    /// <summary>The text elements' contents, in document order.</summary>
    public static string[] Texts(XDocument svg) => svg.Descendants(s_svg + "text").Select(t => t.Value).ToArray();

    [GeneratedRegex("src\\s*=\\s*\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex SrcAttribute();
}
