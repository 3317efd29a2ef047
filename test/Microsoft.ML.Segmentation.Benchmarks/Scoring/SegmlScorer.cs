using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// SegML's pipeline on the image files: LoadImages (decode + ImageNet normalisation) → ScoreOnnx → PredictMasks
/// (argmax), consumed by a cursor that reads only the predicted mask column. The fitted chain (and its ONNX session)
/// is built once; each pass opens a new cursor, as an application scoring a folder would.
/// </summary>
internal sealed class SegmlScorer : IScoringPath
{
    private readonly ITransformer _model;
    private readonly IDataView _scored;

    public SegmlScorer(ScoringWorkload workload, ScoringModel model, int batchSize, bool ioBinding = false)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(workload.ImagePaths.Select(p => new ImagePathRow { ImagePath = p }).ToArray());
        SegmentationTransforms transforms = ml.Segmentation().Transforms;
        _model = transforms.LoadImages(options: ImageTensorOptions.ImageNet())
            .Append(transforms.ScoreOnnx(model.Path, options: SessionOptions(batchSize, ioBinding)))
            .Append(transforms.PredictMasks(model.ClassNames))
            .Fit(data);
        _scored = _model.Transform(data);
        BatchSize = batchSize;
        Name = ioBinding ? "segml_iobinding" : "segml";
    }

    public string Name { get; }

    public int BatchSize { get; }

    /// <summary>
    /// The one place the SegML path's session options are made.
    /// </summary>
    internal static OnnxSessionOptions SessionOptions(int batchSize, bool ioBinding)
    {
        // UpsampleToInput: ScoreOnnx's default when given no options.
        return new OnnxSessionOptions { UpsampleToInput = true, BatchSize = batchSize, UseIoBinding = ioBinding };
    }

    public long ScoreAll() => MaskChecksum.SumPredictedMasks(_scored);

    public void Dispose() => MaskChecksum.DisposeStages(_model);
}
