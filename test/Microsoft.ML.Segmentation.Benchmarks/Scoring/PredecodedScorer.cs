using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// SegML's scoring without the decode: ScoreOnnx → PredictMasks (the stages, session options and read-ahead batching
/// <see cref="SegmlScorer"/> and <c>segml eval</c> use) over an in-memory data view holding the workload's tensors
/// decoded beforehand (the same floats <see cref="RawOrtScorer"/> feeds ONNX Runtime) and their geometry, read through
/// a cursor on the predicted mask. Against raw ONNX Runtime at the same batch it measures what the pipeline itself
/// costs once pixels are decoded: the column copies, the batching, the argmax into keys. With
/// <c>concurrentRuns</c> 1 (<c>segml_predecoded_one_run</c>) the session runs each batch as one run on ONNX Runtime's
/// own threads, as the raw session does; by default (0) a batch above 1 is scored as two runs of one image on one
/// intra-op thread each (<see cref="OnnxSessionOptions.ConcurrentRuns"/>), a different use of the cores.
/// </summary>
internal sealed class PredecodedScorer : IScoringPath
{
    private readonly ITransformer _model;
    private readonly IDataView _scored;

    public PredecodedScorer(ScoringWorkload workload, ScoringModel model, int batchSize, int concurrentRuns = 0)
    {
        var ml = new MLContext(seed: 1);
        int[] geometry = Geometry(workload);
        var rows = new TensorRow[workload.ImageCount];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = new TensorRow { Image = workload.Tensors.AsSpan(i * workload.ImageLength, workload.ImageLength).ToArray(), ImageGeometry = geometry };
        }

        var schema = SchemaDefinition.Create(typeof(TensorRow));
        schema[nameof(TensorRow.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, workload.ImageLength);
        IDataView data = ml.Data.LoadFromEnumerable(rows, schema);
        SegmentationTransforms transforms = ml.Segmentation().Transforms;
        OnnxSessionOptions options = SegmlScorer.SessionOptions(batchSize, ioBinding: true);
        options.ConcurrentRuns = concurrentRuns;
        _model = transforms.ScoreOnnx(model.Path, options: options)
            .Append(transforms.PredictMasks(model.ClassNames))
            .Fit(data);
        _scored = _model.Transform(data);
        BatchSize = batchSize;
        Name = concurrentRuns == 1 ? "segml_predecoded_one_run" : "segml_predecoded";
    }

    public string Name { get; }

    public int BatchSize { get; }

    public long ScoreAll() => MaskChecksum.SumPredictedMasks(_scored);

    public void Dispose() => MaskChecksum.DisposeStages(_model);

    /// <summary>The geometry column LoadImages gives the workload's (equal-sized) images, read from the real stage so the two agree.</summary>
    private static int[] Geometry(ScoringWorkload workload)
    {
        var ml = new MLContext(seed: 1);
        IDataView paths = ml.Data.LoadFromEnumerable(new[] { new ImagePathRow { ImagePath = workload.ImagePaths[0] } });
        IDataView loaded = ml.Segmentation().Transforms.LoadImages(options: ImageTensorOptions.ImageNet()).Fit(paths).Transform(paths);
        DataViewSchema.Column column = loaded.Schema["ImageGeometry"];
        using DataViewRowCursor cursor = loaded.GetRowCursor([column]);
        ValueGetter<VBuffer<int>> get = cursor.GetGetter<VBuffer<int>>(column);
        VBuffer<int> value = default;
        cursor.MoveNext();
        get(ref value);
        return value.DenseValues().ToArray();
    }

    private sealed class TensorRow
    {
        public float[] Image { get; set; } = [];

        [VectorType(8)]
        public int[] ImageGeometry { get; set; } = [];
    }
}
