// The README's "Using PredictionEngine" example, character for character between the markers (ReadmeSampleTests).
// <readme>
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;

/// <summary>One row in: the paths the loaders read (without masks, drop LoadMasks, ComputeLosses and MaskPath).</summary>
public sealed class ImageMaskPaths
{
    public string ImagePath { get; set; } = "";
    public string MaskPath { get; set; } = "";
}

/// <summary>One row out: any of the pipeline's columns, by name.</summary>
public sealed class SegmentationPrediction
{
    [VectorType] public uint[] PredictedMask { get; set; } = [];  // [H,W] keys: k + 1 = class k
    [VectorType] public uint[] Mask { get; set; } = [];           // [H,W] keys; 0 = ignored pixel (ML.NET's missing key)
    [VectorType] public float[] Scores { get; set; } = [];        // [K,H,W] logits
    public float CrossEntropy { get; set; }                       // one float per ComputeLosses entry
    public float Dice { get; set; }
}

/// <summary>Fits the pipeline once and scores one image at a time; one thread at a time, as any PredictionEngine.</summary>
public sealed class SegmentationPredictor : IDisposable
{
    private readonly ITransformer _model;
    private readonly PredictionEngine<ImageMaskPaths, SegmentationPrediction> _engine;

    public SegmentationPredictor(string modelPath, string[] classes)
    {
        var ml = new MLContext();
        var pipeline = ml.Segmentation().Transforms.LoadImages(options: ImageTensorOptions.ImageNet())
            .Append(ml.Segmentation().Transforms.LoadMasks(classes))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(modelPath))
            .Append(ml.Segmentation().Transforms.ComputeLosses(new Dictionary<string, ISegmentationLoss>
                { ["CrossEntropy"] = new CrossEntropyLoss(), ["Dice"] = new DiceLoss() }))
            .Append(ml.Segmentation().Transforms.PredictMasks(classes));
        // Fitting reads only the input's schema: an empty view of the input class is enough.
        _model = pipeline.Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImageMaskPaths>()));
        _engine = ml.Model.CreatePredictionEngine<ImageMaskPaths, SegmentationPrediction>(_model);
    }

    public SegmentationPrediction Predict(string imagePath, string maskPath)
        => _engine.Predict(new ImageMaskPaths { ImagePath = imagePath, MaskPath = maskPath });

    public void Dispose()
    {
        _engine.Dispose();
        (_model as IDisposable)?.Dispose();  // the ONNX Runtime session
    }
}
// </readme>
