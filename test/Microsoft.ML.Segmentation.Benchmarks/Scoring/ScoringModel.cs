namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>A model the scoring benchmarks run: its file, the same model with ImageNet normalisation as ONNX nodes (for the stock ML.NET path), and its classes.</summary>
/// <param name="Name">The name printed in results.</param>
/// <param name="Path">The model: input <see cref="InputName"/> [N,3,H,W] ImageNet-normalised, output <see cref="OutputName"/> logits [N,C,H,W].</param>
/// <param name="PixelsPath">The same model taking pixels in [0,1] as <see cref="PixelsInputName"/>.</param>
/// <param name="Classes">C.</param>
internal sealed record ScoringModel(string Name, string Path, string PixelsPath, int Classes)
{
    public const string InputName = "input";

    public const string OutputName = "out";

    public const string PixelsInputName = "pixels";

    public string[] ClassNames { get; } = Enumerable.Range(0, Classes).Select(c => $"class{c}").ToArray();
}
