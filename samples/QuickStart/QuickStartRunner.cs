using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Training;
using Microsoft.ML.Segmentation.Transforms;

namespace QuickStart;

/// <summary>
/// The QuickStart's core: builds one ONNX model (the ResNet-18 backbone plus the committed head) and runs the whole
/// ML.NET pipeline on the test split: load images and masks, score, per-image losses, predicted masks, Evaluate.
/// </summary>
public static class QuickStartRunner
{
    /// <param name="resnet18Path">ML.NET's ResNet18.onnx.</param>
    /// <param name="dataFolder">The committed dataset.</param>
    /// <param name="headFile">The committed head weights.</param>
    /// <param name="inspect">Called with the scored test split and its metrics while the model is alive (the HTML report).</param>
    public static QuickStartResult Run(string resnet18Path, string dataFolder, string headFile, Action<IDataView, SegmentationMetrics>? inspect = null)
    {
        long start = Stopwatch.GetTimestamp();
        byte[] onnx;
        ImageTensorOptions imageOptions;
        using (FeatureBackbone backbone = FeatureBackbone.ResNet18(resnet18Path))
        {
            using FileStream file = File.OpenRead(headFile);
            onnx = SegmentationHeadExport.ToOnnx(backbone, SegmentationHead.Load(file), argMax: false);

            // What the exported model reads: RGB 0..255, padded at the bottom and right to a multiple of 16.
            imageOptions = backbone.ImageOptions;
        }

        var ml = new MLContext(seed: 1);
        SegmentationCatalog seg = ml.Segmentation();
        IDataView test = seg.LoadFromFolders(Path.Combine(dataFolder, "test", "images"), Path.Combine(dataFolder, "test", "masks"));
        var pipeline = seg.Transforms.LoadImages(options: imageOptions)
            .Append(seg.Transforms.LoadMasks(ShapesDataset.ClassNames))
            .Append(seg.Transforms.ScoreOnnx(onnx, modelName: "quickstart"))
            .Append(seg.Transforms.ComputeLosses(new Dictionary<string, ISegmentationLoss>
            {
                [nameof(ImageLosses.CrossEntropy)] = new CrossEntropyLoss(),
                [nameof(ImageLosses.Dice)] = new DiceLoss(),
            }))
            .Append(seg.Transforms.PredictMasks(ShapesDataset.ClassNames));
        using var model = pipeline.Fit(test);
        IDataView scored = model.Transform(test);
        SegmentationMetrics metrics = seg.Evaluate(scored);
        inspect?.Invoke(scored, metrics);
        List<ImageLosses> losses = ml.Data.CreateEnumerable<LossRow>(scored, reuseRowObject: false)
            .Select(r => new ImageLosses(r.Name, r.CrossEntropy, r.Dice)).ToList();
        return new QuickStartResult(metrics, losses, Stopwatch.GetElapsedTime(start));
    }

    // The columns read back per image; the tensors in the view are not mapped.
    private sealed class LossRow
    {
        public string Name { get; set; } = string.Empty;

        public float CrossEntropy { get; set; }

        public float Dice { get; set; }
    }
}
