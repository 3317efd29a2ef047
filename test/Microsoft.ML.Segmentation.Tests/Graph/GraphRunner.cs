using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Segmentation.Tests.Graph;

/// <summary>Runs a model in plain ONNX Runtime (no SegML in between) and copies every output out.</summary>
internal static class GraphRunner
{
    public sealed record Output(long[] Shape, TensorElementType Type, float[]? Floats, long[]? Longs, byte[]? Bytes);

    public static Dictionary<string, Output> Run(byte[] model, params (string Name, Array Data, long[] Shape)[] inputs)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model, options);
        var values = new List<OrtValue>();
        try
        {
            foreach ((string _, Array data, long[] shape) in inputs)
            {
                values.Add(data switch
                {
                    float[] f => OrtValue.CreateTensorValueFromMemory(f, shape),
                    long[] l => OrtValue.CreateTensorValueFromMemory(l, shape),
                    byte[] b => OrtValue.CreateTensorValueFromMemory(b, shape),
                    _ => throw new ArgumentException("unsupported input type"),
                });
            }

            string[] outputNames = session.OutputMetadata.Keys.ToArray();
            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, outputNames);
            var map = new Dictionary<string, Output>();
            for (int i = 0; i < outputNames.Length; i++)
            {
                OrtTensorTypeAndShapeInfo info = results[i].GetTensorTypeAndShape();
                map[outputNames[i]] = info.ElementDataType switch
                {
                    TensorElementType.Float => new Output(info.Shape, info.ElementDataType, results[i].GetTensorDataAsSpan<float>().ToArray(), null, null),
                    TensorElementType.Int64 => new Output(info.Shape, info.ElementDataType, null, results[i].GetTensorDataAsSpan<long>().ToArray(), null),
                    TensorElementType.UInt8 => new Output(info.Shape, info.ElementDataType, null, null, results[i].GetTensorDataAsSpan<byte>().ToArray()),
                    _ => throw new InvalidOperationException($"unexpected output type {info.ElementDataType}"),
                };
            }

            return map;
        }
        finally
        {
            foreach (OrtValue value in values)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>The raw scores of an unedited model for <paramref name="images"/> [batch,3,height,width].</summary>
    public static (float[] Scores, long[] Shape) Scores(byte[] model, string inputName, float[] images, int batch, int height, int width)
    {
        Output output = Run(model, (inputName, images, [batch, 3, height, width])).Values.First(o => o.Type == TensorElementType.Float && o.Shape.Length == 4);
        return (output.Floats!, output.Shape);
    }
}
