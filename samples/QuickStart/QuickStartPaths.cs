using System.Reflection;

namespace QuickStart;

/// <summary>Where the committed data and head live and where the build found ResNet18.onnx.</summary>
public static class QuickStartPaths
{
    /// <summary>The sample's project folder, passed in by the build.</summary>
    public static string ProjectFolder => Metadata("QuickStartProjectFolder")
        ?? throw new InvalidOperationException("The build did not pass QuickStartProjectFolder.");

    /// <summary>The committed dataset: <c>train/</c> and <c>test/</c>, each with <c>images/</c> and <c>masks/</c>.</summary>
    public static string DataFolder => Path.Combine(ProjectFolder, "data");

    /// <summary>The committed head weights, as <c>SegmentationHead.Save</c> writes them.</summary>
    public static string HeadFile => Path.Combine(ProjectFolder, "head.bin");

    /// <summary>ResNet18.onnx in the restored package's folder, or <see langword="null"/> when the build passed none.</summary>
    public static string? DefaultResNet18 => Metadata("ResNet18PackageFolder") is { Length: > 0 } folder
        ? Path.Combine(folder, "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx")
        : null;

    private static string? Metadata(string key) => typeof(QuickStartPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
