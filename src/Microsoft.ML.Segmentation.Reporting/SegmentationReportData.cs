using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Evaluation;

namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>What a report is drawn from: the dataset metrics and one record per evaluated image.</summary>
public sealed partial class SegmentationReportData
{
    /// <summary>Creates the data of a report.</summary>
    /// <param name="metrics">The dataset metrics (class names, per-class values, confusion matrix).</param>
    /// <param name="images">The evaluated images, in any order.</param>
    public SegmentationReportData(SegmentationMetrics metrics, IReadOnlyList<SegmentationReportImage> images)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(images);
        Metrics = metrics;
        Images = images;
    }

    /// <summary>The dataset metrics.</summary>
    public SegmentationMetrics Metrics { get; }

    /// <summary>The evaluated images.</summary>
    public IReadOnlyList<SegmentationReportImage> Images { get; }
}
