using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>Options of <see cref="SegmentationTrainers.TrainHead"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class SegmentationHeadTrainerOptions
{
    /// <summary>The image tensor column, loaded with <see cref="FeatureBackbone.ImageOptions"/>. Default: "Image".</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>The geometry column beside the tensor. Default: "ImageGeometry".</summary>
    public string GeometryColumnName { get; set; } = "ImageGeometry";

    /// <summary>
    /// The ground-truth mask column (a key vector at the tensor's size, as LoadMasks gives with the image geometry);
    /// its KeyValues are the class names and their count is K. Default: "Mask".
    /// </summary>
    public string MaskColumnName { get; set; } = "Mask";

    /// <summary>The scores column the trained transformer adds: <c>[K,H,W]</c> logits as a variable-length Single vector. Default: "Scores".</summary>
    public string ScoresColumnName { get; set; } = "Scores";

    /// <summary>
    /// The head and its training: architecture, loss, class weights, optimiser, learning rate and schedule, epochs,
    /// batch size, seed, validation fraction and early stopping, flips, and the per-epoch
    /// <see cref="HeadTrainingOptions.Progress"/> callback. <see cref="HeadTrainingOptions.Classes"/> may be left
    /// <see langword="null"/>: the mask column fixes it. Mask key 0 becomes <see cref="HeadTrainingOptions.IgnoreIndex"/>.
    /// Default: <see cref="HeadTrainingOptions"/>' defaults.
    /// </summary>
    public HeadTrainingOptions Training { get; set; } = new();

    /// <summary>Bytes of feature maps kept in memory during training; the rest spill to a temporary file. Default: <see cref="FeatureCache.DefaultMemoryLimitBytes"/> (1 GiB).</summary>
    public long FeatureCacheMemoryLimitBytes { get; set; } = FeatureCache.DefaultMemoryLimitBytes;

    /// <summary>Where spilled features go; <see langword="null"/> uses the system temp folder. Default: <see langword="null"/>.</summary>
    public string? FeatureCacheDirectory { get; set; }

    /// <summary>Images of one size the backbone extracts in one ONNX Runtime call. Default: 8; range [1, 1024].</summary>
    public int ExtractionBatchSize { get; set; } = 8;

    /// <summary>
    /// Session options of the trained transformer's scoring (execution provider, threads, batch size); the backbone
    /// keeps its own. <see langword="null"/> means <c>new OnnxSessionOptions()</c> (the CPU). Default: <see langword="null"/>.
    /// </summary>
    public OnnxSessionOptions? ScoringOptions { get; set; }
}
