using Microsoft.ML.Segmentation.Imaging;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// What every scoring path reads: a temporary folder of synthetic PNGs, the models (the LR-ASPP fixture when the
/// shared folder is present, and the generated ConvNet), and the images pre-decoded and ImageNet-normalised
/// <c>[N,3,H,W]</c> for the raw ONNX Runtime path. Deletes the folder on dispose.
/// </summary>
internal sealed class ScoringWorkload : IDisposable
{
    /// <summary>Divisible by every batch size measured, so each batch is full.</summary>
    public const int DefaultImageCount = 16;

    public const int DefaultSize = 256;

    public const string FixtureName = "scenes-lraspp";

    public const string ConvNetName = "convnet21";

    private readonly string _folder;

    public ScoringWorkload(int imageCount = DefaultImageCount, int height = DefaultSize, int width = DefaultSize)
    {
        Height = height;
        Width = width;
        _folder = Path.Combine(Path.GetTempPath(), "segml-scoring-" + Guid.NewGuid().ToString("N"));
        ImageFolder = Path.Combine(_folder, "images");
        ImagePaths = SyntheticImages.Write(ImageFolder, imageCount, width, height);

        var models = new List<ScoringModel>();
        string? fixture = FixtureModelPath();
        if (fixture is null)
        {
            Console.Error.WriteLine($"scoring: {FixtureName} skipped, ../shared/fixtures/{FixtureName}/model.onnx is absent (set SEGML_SHARED to the shared folder)");
        }
        else
        {
            models.Add(new ScoringModel(FixtureName, fixture, WritePixelsVariant(File.ReadAllBytes(fixture), FixtureName), 5));
        }

        byte[] convNet = GeneratedModels.ConvNet();
        string convNetPath = Path.Combine(_folder, ConvNetName + ".onnx");
        File.WriteAllBytes(convNetPath, convNet);
        models.Add(new ScoringModel(ConvNetName, convNetPath, WritePixelsVariant(convNet, ConvNetName), GeneratedModels.ConvNetClasses));
        Models = models;

        ImageLength = 3 * height * width;
        Tensors = new float[ImageLength * imageCount];
        new SegmentationImageLoader(ImageTensorOptions.ImageNet()).LoadBatch(ImagePaths, Tensors);
    }

    public int Height { get; }

    public int Width { get; }

    public int ImageCount => ImagePaths.Length;

    public string ImageFolder { get; }

    public string[] ImagePaths { get; }

    public IReadOnlyList<ScoringModel> Models { get; }

    /// <summary>3·H·W: one image's share of <see cref="Tensors"/>.</summary>
    public int ImageLength { get; }

    /// <summary>All images, decoded and normalised as SegML's ImageNet loader does, image after image.</summary>
    public float[] Tensors { get; }

    /// <summary>The names of the models a workload will hold, without building one (for BenchmarkDotNet's parameters).</summary>
    public static IEnumerable<string> ModelNames() => FixtureModelPath() is null ? [ConvNetName] : [FixtureName, ConvNetName];

    public ScoringModel Model(string name) => Models.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"No scoring model '{name}'; available: {string.Join(", ", Models.Select(m => m.Name))}.", nameof(name));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A session may still hold a file on some systems; a temp folder left behind is harmless.
        }
    }

    private string WritePixelsVariant(byte[] model, string name)
    {
        string path = Path.Combine(_folder, name + "_pixels.onnx");
        File.WriteAllBytes(path, GeneratedModels.WithNormalization(model, ScoringModel.PixelsInputName, ImageTensorOptions.ImageNetMean, ImageTensorOptions.ImageNetStd));
        return path;
    }

    /// <summary>The fixture model beside the repository: SEGML_SHARED, else the <c>shared</c> sibling of the folder holding SegML.sln.</summary>
    private static string? FixtureModelPath()
    {
        string? path = SharedFolder() is { } shared ? Path.Combine(shared, "fixtures", FixtureName, "model.onnx") : null;
        return path is not null && File.Exists(path) ? path : null;
    }

    /// <summary>The shared data folder: SEGML_SHARED, else the <c>shared</c> sibling of the folder holding SegML.sln; null when neither is found.</summary>
    internal static string? SharedFolder()
    {
        string? shared = Environment.GetEnvironmentVariable("SEGML_SHARED");
        if (string.IsNullOrEmpty(shared))
        {
            // BenchmarkDotNet runs a generated copy under bin/, so walk up from the binaries, then from the working directory.
            shared = FindSharedFrom(AppContext.BaseDirectory) ?? FindSharedFrom(Environment.CurrentDirectory);
        }

        return shared;
    }

    private static string? FindSharedFrom(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SegML.sln")))
            {
                return dir.Parent is null ? null : Path.Combine(dir.Parent.FullName, "shared");
            }
        }

        return null;
    }
}
