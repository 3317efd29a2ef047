using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// Image/mask pairs and a real model for the end-to-end paths (<c>segml eval</c> and the hand-written loop), listed in a
/// manifest that <c>segml eval --manifest</c> reads, so both paths see exactly the same files in the same order.
/// </summary>
/// <param name="Name">The name printed in results.</param>
/// <param name="ModelPath">The ONNX model.</param>
/// <param name="Classes">Class count (2 for a one-channel model).</param>
/// <param name="Pairs">Image and mask paths, in manifest order.</param>
/// <param name="ManifestPath">The manifest of the pairs ('image,mask' lines).</param>
/// <param name="Bgr">Whether the model takes BGR channel order.</param>
/// <param name="Threshold">The foreground probability cut of a one-channel model; null for an argmax over channels.</param>
internal sealed record EvalDataset(string Name, string ModelPath, int Classes, IReadOnlyList<(string Image, string Mask)> Pairs, string ManifestPath, bool Bgr, float? Threshold)
{
    /// <summary>How many times the LR-ASPP fixture's 24 pairs are listed, so a pass (session creation included) is mostly images.</summary>
    public const int FixtureRepeats = 4;

    /// <summary>PaddleOCR's own cut of the detector's probability map.</summary>
    public const float PaddleThreshold = 0.3f;

    /// <summary>The page's darkest pixels (printed ink) are the detector's "label": an independent binary mask, made once from the pixels.</summary>
    public const byte InkLevel = 128;

    /// <summary>The page's sizes in the PaddleOCR set (width; heights are half of it, both multiples of 32 as the detector needs).</summary>
    private static readonly int[] s_pageWidths = [384, 512, 640, 768];

    private const int PageCopies = 4;

    /// <summary>
    /// The LR-ASPP fixture's 24 images and masks (128×128, 160×224 and 256×192), listed <see cref="FixtureRepeats"/>
    /// times; null when the shared folder is absent.
    /// </summary>
    public static EvalDataset? LrAspp(string folder)
    {
        string? shared = ScoringWorkload.SharedFolder();
        string fixture = shared is null ? string.Empty : Path.Combine(shared, "fixtures", ScoringWorkload.FixtureName);
        if (!File.Exists(Path.Combine(fixture, "model.onnx")))
        {
            return null;
        }

        string[] images = Directory.GetFiles(Path.Combine(fixture, "images"), "*.png").Order(StringComparer.Ordinal).ToArray();
        var pairs = new List<(string, string)>();
        for (int r = 0; r < FixtureRepeats; r++)
        {
            pairs.AddRange(images.Select(i => (i, Path.Combine(fixture, "masks", Path.GetFileName(i)))));
        }

        return new EvalDataset("scenes-lraspp", Path.Combine(fixture, "model.onnx"), 5, pairs, WriteManifest(folder, "lraspp", pairs), Bgr: false, Threshold: null);
    }

    /// <summary>
    /// PaddleOCR's PP-OCRv4 detector on its fixture page resized (bilinear) to 384×192, 512×256, 640×320 and 768×384,
    /// <see cref="PageCopies"/> files of each size (grouped, so the pipeline can batch them); each mask is 1 where the
    /// resized page is darker than <see cref="InkLevel"/>, 0 elsewhere. Null when the shared folder is absent.
    /// </summary>
    public static EvalDataset? PaddleOcr(string folder)
    {
        string? shared = ScoringWorkload.SharedFolder();
        string fixture = shared is null ? string.Empty : Path.Combine(shared, "fixtures", "ppocr-det");
        string model = Path.Combine(fixture, "ppocr-v4-det.onnx");
        if (!File.Exists(model))
        {
            return null;
        }

        string images = Path.Combine(folder, "ppocr", "images"), masks = Path.Combine(folder, "ppocr", "masks");
        Directory.CreateDirectory(images);
        Directory.CreateDirectory(masks);
        var pairs = new List<(string, string)>();
        using Image<L8> page = Image.Load<L8>(Path.Combine(fixture, "page.png"));
        foreach (int width in s_pageWidths)
        {
            using Image<L8> resized = page.Clone(x => x.Resize(width, width / 2));
            using var mask = new Image<L8>(resized.Width, resized.Height);
            for (int y = 0; y < resized.Height; y++)
            {
                for (int x = 0; x < resized.Width; x++)
                {
                    mask[x, y] = new L8(resized[x, y].PackedValue < InkLevel ? (byte)1 : (byte)0);
                }
            }

            for (int copy = 0; copy < PageCopies; copy++)
            {
                string name = string.Create(CultureInfo.InvariantCulture, $"page_{width}_{copy}.png");
                resized.SaveAsPng(Path.Combine(images, name));
                mask.SaveAsPng(Path.Combine(masks, name));
                pairs.Add((Path.Combine(images, name), Path.Combine(masks, name)));
            }
        }

        return new EvalDataset("ppocr-det", model, 2, pairs, WriteManifest(folder, "ppocr", pairs), Bgr: true, Threshold: PaddleThreshold);
    }

    /// <summary>The same model and settings on the first pair only (its own manifest): a run of it is mostly setup.</summary>
    public EvalDataset First(string folder)
    {
        IReadOnlyList<(string, string)> first = [Pairs[0]];
        return this with { Pairs = first, ManifestPath = WriteManifest(folder, Name + "_first", first) };
    }

    /// <summary>The <c>segml eval</c> arguments for this set: ImageNet normalisation (and BGR, the threshold) as the model expects.</summary>
    public string[] EvalArguments()
    {
        var args = new List<string> { "--model", ModelPath, "--manifest", ManifestPath, "--classes", Classes.ToString(CultureInfo.InvariantCulture), "--imagenet", "--json", "-", "--quiet" };
        if (Bgr)
        {
            args.Add("--bgr");
        }

        if (Threshold is float t)
        {
            args.AddRange(["--threshold", t.ToString(CultureInfo.InvariantCulture)]);
        }

        return [.. args];
    }

    private static string WriteManifest(string folder, string name, IEnumerable<(string Image, string Mask)> pairs)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name + "_manifest.csv");
        File.WriteAllLines(path, pairs.Select(p => $"{p.Image},{p.Mask}"));
        return path;
    }
}
