using Microsoft.ML;
using Microsoft.ML.Segmentation.Training;
using Microsoft.ML.Segmentation.Transforms;

namespace QuickStart;

/// <summary>
/// Trains the committed head: a linear head over frozen ResNet-18 features (strides 4, 8, 16) of the train split, in
/// an ML.NET pipeline. Single-threaded training with a fixed seed, so on the same machine and runtimes the saved
/// bytes equal the committed <c>head.bin</c>.
/// </summary>
public static class QuickStartTrainer
{
    public const int Seed = 1;

    public static HeadTrainingOptions Options(Action<HeadEpochReport>? progress = null) => new()
    {
        Architecture = HeadArchitecture.Linear,
        Epochs = 25,
        BatchSize = 8,
        LearningRate = 3e-3,
        ValidationFraction = 0.125,
        EarlyStoppingPatience = 0,
        Seed = Seed,
        Progress = progress,
    };

    /// <summary>Trains on <c>train/</c> under <paramref name="dataFolder"/> and returns the head's saved bytes.</summary>
    public static byte[] Train(string resnet18Path, string dataFolder, Action<HeadEpochReport>? progress = null)
    {
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(resnet18Path);
        var ml = new MLContext(seed: Seed);
        SegmentationCatalog seg = ml.Segmentation();
        IDataView train = seg.LoadFromFolders(Path.Combine(dataFolder, "train", "images"), Path.Combine(dataFolder, "train", "masks"));
        var pipeline = seg.Transforms.LoadImages(options: backbone.ImageOptions)
            .Append(seg.Transforms.LoadMasks(ShapesDataset.ClassNames))
            .Append(seg.Trainers.TrainHead(backbone, new SegmentationHeadTrainerOptions { Training = Options(progress) }));
        using var model = pipeline.Fit(train);
        SegmentationHeadTransformer head = model.LastTransformer;
        using var bytes = new MemoryStream();
        head.Head.Save(bytes);
        return bytes.ToArray();
    }
}
