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
        BatchSize = BatchSupported ? batchSize : 1;
        Name = ioBinding ? "segml_iobinding" : "segml";
    }

    /// <summary>Whether this SegML build batches rows per ONNX Runtime call (<c>OnnxSessionOptions.BatchSize</c>); if not, every batch size runs one row per call.</summary>
    public static bool BatchSupported { get; } = typeof(OnnxSessionOptions).GetProperty("BatchSize") is not null;

    /// <summary>Whether this SegML build can bind inputs and outputs (<c>OnnxSessionOptions.UseIoBinding</c>).</summary>
    public static bool IoBindingSupported { get; } = typeof(OnnxSessionOptions).GetProperty("UseIoBinding") is not null;

    public string Name { get; }

    public int BatchSize { get; }

    /// <summary>
    /// The one place the SegML path's session options are made. TODO(batch): once OnnxSessionOptions has BatchSize and
    /// UseIoBinding, replace the two reflection lines with <c>BatchSize = batchSize, UseIoBinding = ioBinding</c> in
    /// the initialiser. Until then reflection passes them through when a build has them, and they are skipped otherwise.
    /// </summary>
    internal static OnnxSessionOptions SessionOptions(int batchSize, bool ioBinding)
    {
        var options = new OnnxSessionOptions { UpsampleToInput = true }; // ScoreOnnx's defaults when given no options
        typeof(OnnxSessionOptions).GetProperty("BatchSize")?.SetValue(options, batchSize);
        typeof(OnnxSessionOptions).GetProperty("UseIoBinding")?.SetValue(options, ioBinding);
        return options;
    }

    public long ScoreAll()
    {
        DataViewSchema.Column mask = _scored.Schema["PredictedMask"];
        using DataViewRowCursor cursor = _scored.GetRowCursor([mask]);
        ValueGetter<VBuffer<uint>> getMask = cursor.GetGetter<VBuffer<uint>>(mask);
        VBuffer<uint> value = default;
        long sum = 0;
        while (cursor.MoveNext())
        {
            getMask(ref value);
            sum += MaskChecksum.SumKeys(value.GetValues());
        }

        return sum;
    }

    public void Dispose()
    {
        foreach (ITransformer stage in (IEnumerable<ITransformer>)_model)
        {
            (stage as IDisposable)?.Dispose();
        }
    }
}
