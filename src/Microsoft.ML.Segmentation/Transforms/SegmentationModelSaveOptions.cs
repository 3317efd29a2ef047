namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>How <see cref="SegmentationCatalog.SaveModel(ITransformer, string, SegmentationModelSaveOptions)"/> writes a pipeline.</summary>
public sealed class SegmentationModelSaveOptions
{
    /// <summary>
    /// Leave every <c>ComputeLosses</c> stage out of the file: the manifest records that they were omitted, with their
    /// column names, and <c>LoadModel</c> gives the chain without them. Needed for a stage holding a loss SegML cannot
    /// describe (an application's own <see cref="Losses.ISegmentationLoss"/>); the built-in losses are saved with their
    /// options, and the peer presets with the arguments they were called with. Default: <see langword="false"/>.
    /// </summary>
    public bool OmitLossStages { get; set; }
}
