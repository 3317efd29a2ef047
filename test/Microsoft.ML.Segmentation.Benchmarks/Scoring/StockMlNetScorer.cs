using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// Stock ML.NET on the same files: LoadImages → ResizeImages (to the size they already have: ExtractPixels needs a
/// fixed image size) → ExtractPixels (planar RGB, scale 1/255) → ApplyOnnxModel, then the same managed argmax on the
/// output column. ExtractPixels has one scale and offset for all channels, so the ImageNet mean/std step runs inside the
/// model instead (<see cref="ScoringModel.PixelsPath"/>): the same arithmetic, done by ONNX Runtime. One row per call.
/// </summary>
internal sealed class StockMlNetScorer : IScoringPath
{
    private readonly ITransformer _model;
    private readonly IDataView _scored;
    private readonly SegmentationShape _shape;
    private readonly int[] _labels;

    public StockMlNetScorer(ScoringWorkload workload, ScoringModel model)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(workload.ImagePaths.Select(p => new ImagePathRow { ImagePath = p }).ToArray());
        int h = workload.Height, w = workload.Width;
        // Dynamic N, H and W must be fixed for ML.NET to type the columns.
        var shapes = new Dictionary<string, int[]>
        {
            [ScoringModel.PixelsInputName] = [1, 3, h, w],
            [ScoringModel.OutputName] = [1, model.Classes, h, w],
        };
        _model = ml.Transforms.LoadImages("ImageObject", workload.ImageFolder, nameof(ImagePathRow.ImagePath))
            .Append(ml.Transforms.ResizeImages("ImageObject", w, h, "ImageObject"))
            .Append(ml.Transforms.ExtractPixels(ScoringModel.PixelsInputName, "ImageObject", ImagePixelExtractingEstimator.ColorBits.Rgb, scaleImage: 1f / 255))
            .Append(ml.Transforms.ApplyOnnxModel([ScoringModel.OutputName], [ScoringModel.PixelsInputName], model.PixelsPath, shapes, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100))
            .Fit(data);
        _scored = _model.Transform(data);
        _shape = new SegmentationShape(1, model.Classes, h, w);
        _labels = new int[_shape.PixelCount];
    }

    public string Name => "stock_mlnet";

    public int BatchSize => 1;

    public long ScoreAll()
    {
        DataViewSchema.Column scores = _scored.Schema[ScoringModel.OutputName];
        using DataViewRowCursor cursor = _scored.GetRowCursor([scores]);
        ValueGetter<VBuffer<float>> getScores = cursor.GetGetter<VBuffer<float>>(scores);
        VBuffer<float> value = default;
        long sum = 0;
        while (cursor.MoveNext())
        {
            getScores(ref value);
            MaskPrediction.Argmax<float>(value.GetValues(), _shape, _labels);
            sum += MaskChecksum.Sum(_labels);
        }

        return sum;
    }

    public void Dispose() => (_model as IDisposable)?.Dispose();
}
