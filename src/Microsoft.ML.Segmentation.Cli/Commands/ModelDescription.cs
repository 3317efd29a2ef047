using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>What eval reports about its model, as plain data, so <c>segml merge</c> can print it without loading the model.</summary>
internal sealed record ModelDescription(string Path, string InputName, string InputLayout, string OutputName, string OutputLayout, string OutputKind, string ExecutionProvider)
{
    public static ModelDescription From(SegmentationModel model) => new(
        model.ModelName, model.InputName, model.InputLayout, model.OutputName, model.OutputLayout, model.OutputKind.ToString(), model.ExecutionProvider.ToString());

    /// <summary>The first line of eval's text report.</summary>
    public string Line => $"Model {Path} ({InputName} {InputLayout} -> {OutputName} {OutputLayout}, {OutputKind}, {ExecutionProvider})";
}
