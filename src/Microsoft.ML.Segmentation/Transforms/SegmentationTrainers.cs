using System;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>The trainers of <c>mlContext.Segmentation().Trainers</c>.</summary>
/// <remarks>Thread safety: like ML.NET's own catalogs and estimators, build and fit on one thread; the fitted
/// transformers are then safe to share.</remarks>
public sealed class SegmentationTrainers
{
    private readonly MLContext _context;

    internal SegmentationTrainers(MLContext context) => _context = context;

    /// <summary>
    /// Trains a <see cref="SegmentationHead"/> on a frozen <paramref name="backbone"/>'s features from an image tensor
    /// column and a mask column. <c>Fit</c> reads the data once, extracts the features into a memory-bounded cache,
    /// trains with <see cref="HeadTrainer"/> (one line per epoch to <see cref="MLContext.Log"/>) and returns a
    /// transformer that scores with backbone and head exported as one ONNX model.
    /// </summary>
    /// <param name="backbone">The backbone; the caller keeps ownership (the fitted transformer does not use it).</param>
    /// <param name="options">Columns, training settings and the feature cache; <see langword="null"/> for the defaults.</param>
    /// <returns>The estimator.</returns>
    public SegmentationHeadTrainer TrainHead(FeatureBackbone backbone, SegmentationHeadTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        return new SegmentationHeadTrainer(_context, backbone, options ?? new SegmentationHeadTrainerOptions());
    }
}
