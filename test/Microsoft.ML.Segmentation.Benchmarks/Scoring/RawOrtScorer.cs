using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// The ceiling: ONNX Runtime alone on tensors decoded and normalised beforehand, then the same managed argmax. Two
/// variants: <see cref="RawOrtMode.OrtValues"/> (the best case the API allows: input OrtValues created once over the
/// pinned tensors, the output written into one pinned array through a pre-created OrtValue) and
/// <see cref="RawOrtMode.PlainRun"/> (<c>Run</c> with NamedOnnxValue over a DenseTensor; ONNX Runtime allocates the outputs).
/// </summary>
internal sealed class RawOrtScorer : IScoringPath
{
    private readonly ScoringWorkload _workload;
    private readonly RawOrtMode _mode;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly SegmentationShape _shape;
    private readonly int[] _labels;
    private readonly List<OrtValue> _inputs = [];
    private readonly float[] _scores;
    private readonly OrtValue? _output;

    public RawOrtScorer(ScoringWorkload workload, ScoringModel model, int batchSize, RawOrtMode mode)
    {
        if (workload.ImageCount % batchSize != 0)
        {
            throw new ArgumentException($"{workload.ImageCount} images do not split into batches of {batchSize}.", nameof(batchSize));
        }

        _workload = workload;
        _mode = mode;
        BatchSize = batchSize;
        // The same session settings as SegML's default CPU session: all graph optimisations, ONNX Runtime's thread counts.
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(model.Path, options);
        _shape = new SegmentationShape(batchSize, model.Classes, workload.Height, workload.Width);
        _labels = new int[_shape.PixelCount];
        _scores = new float[_shape.ElementCount];
        if (mode == RawOrtMode.OrtValues)
        {
            long[] inputShape = [batchSize, 3, workload.Height, workload.Width];
            for (int start = 0; start < workload.ImageCount; start += batchSize)
            {
                var slice = new Memory<float>(workload.Tensors, start * workload.ImageLength, batchSize * workload.ImageLength);
                _inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, slice, inputShape));
            }

            _output = OrtValue.CreateTensorValueFromMemory(_scores, [batchSize, model.Classes, workload.Height, workload.Width]);
        }
    }

    public string Name => _mode == RawOrtMode.OrtValues ? "raw_ort_ortvalue" : "raw_ort_run";

    public int BatchSize { get; }

    public long ScoreAll() => _mode == RawOrtMode.OrtValues ? ScoreWithOrtValues() : ScoreWithPlainRun();

    public void Dispose()
    {
        _inputs.ForEach(v => v.Dispose());
        _output?.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    private long ScoreWithOrtValues()
    {
        string[] inputNames = [ScoringModel.InputName];
        string[] outputNames = [ScoringModel.OutputName];
        OrtValue[] outputs = [_output!];
        long sum = 0;
        foreach (OrtValue input in _inputs)
        {
            _session.Run(_runOptions, inputNames, [input], outputNames, outputs);
            MaskPrediction.Argmax<float>(_scores, _shape, _labels);
            sum += MaskChecksum.Sum(_labels);
        }

        return sum;
    }

    private long ScoreWithPlainRun()
    {
        int[] dims = [BatchSize, 3, _workload.Height, _workload.Width];
        long sum = 0;
        for (int start = 0; start < _workload.ImageCount; start += BatchSize)
        {
            var slice = new Memory<float>(_workload.Tensors, start * _workload.ImageLength, BatchSize * _workload.ImageLength);
            NamedOnnxValue[] inputs = [NamedOnnxValue.CreateFromTensor(ScoringModel.InputName, new DenseTensor<float>(slice, dims))];
            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = _session.Run(inputs);
            var scores = (DenseTensor<float>)results[0].AsTensor<float>();
            MaskPrediction.Argmax<float>(scores.Buffer.Span, _shape, _labels);
            sum += MaskChecksum.Sum(_labels);
        }

        return sum;
    }
}
