using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers.SlidingWindow;

/// <summary>A <see cref="WindowPredictor"/> that runs an ONNX model through an <see cref="InferenceSession"/>, every output in graph order.</summary>
internal sealed class OnnxWindowPredictor : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    public OnnxWindowPredictor(byte[] model)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        _session = new InferenceSession(model, options);
        _inputNames = _session.InputNames.ToArray();
        _outputNames = _session.OutputNames.ToArray();
    }

    /// <summary>The number of model runs so far.</summary>
    public int Calls { get; private set; }

    public IReadOnlyList<FloatTensor> Predict(ReadOnlySpan<float> windows, IReadOnlyList<int> shape)
    {
        Calls++;
        float[] data = windows.ToArray();
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(data, shape.Select(d => (long)d).ToArray());
        using IDisposableReadOnlyCollection<OrtValue> results = _session.Run(_runOptions, _inputNames, [input], _outputNames);
        var outputs = new List<FloatTensor>(results.Count);
        foreach (OrtValue result in results)
        {
            int[] dims = result.GetTensorTypeAndShape().Shape.Select(d => checked((int)d)).ToArray();
            outputs.Add(new FloatTensor(result.GetTensorDataAsSpan<float>().ToArray(), dims));
        }

        return outputs;
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
