// The README's "ML.NET pipelines" example, character for character between the markers (ReadmeSampleTests).
// Run: dotnet run --project samples/Pipeline -- ../shared/fixtures/scenes-lraspp/images ../shared/fixtures/scenes-lraspp/masks ../shared/fixtures/scenes-lraspp/model.onnx
// <readme>
using Microsoft.ML;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;

string imagesDir = args[0], masksDir = args[1], modelPath = args[2];
var ml = new MLContext();
string[] classes = { "background", "disc", "box", "triangle", "ring" };
IDataView data = ml.Segmentation().LoadFromFolders(imagesDir, masksDir);  // Name, ImagePath, MaskPath, paired by stem
var pipeline = ml.Segmentation().Transforms.LoadImages(options: ImageTensorOptions.ImageNet())
    .Append(ml.Segmentation().Transforms.LoadMasks(classes))                 // key-typed masks, class names as KeyValues
    .Append(ml.Segmentation().Transforms.ScoreOnnx(modelPath))              // logits [K,H,W] per image
    .Append(ml.Segmentation().Transforms.ComputeLosses(new Dictionary<string, ISegmentationLoss>
        { ["CrossEntropy"] = new CrossEntropyLoss(), ["Dice"] = new DiceLoss() }))   // one Single column per loss
    .Append(ml.Segmentation().Transforms.PredictMasks(classes));            // argmax, or a threshold for one channel
ITransformer model = pipeline.Fit(data);
SegmentationMetrics metrics = ml.Segmentation().Evaluate(model.Transform(data));
Console.WriteLine(metrics.GetFormattedConfusionTable());
(model as IDisposable)?.Dispose();                                           // the ONNX Runtime session
// </readme>
