namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>What a report shows and how large its pictures are.</summary>
public sealed class SegmentationReportOptions
{
    /// <summary>The title of the HTML page.</summary>
    public string Title { get; set; } = "Segmentation evaluation";

    /// <summary>How many of the worst images to show. Default: 8.</summary>
    public int WorstCount { get; set; } = 8;

    /// <summary>Chart width in pixels (the SVG's width). Default: 800.</summary>
    public int ChartWidth { get; set; } = 800;

    /// <summary>Chart height in pixels (the SVG's height). Default: 450.</summary>
    public int ChartHeight { get; set; } = 450;

    /// <summary>Bins of the per-image loss histogram. Default: 20.</summary>
    public int HistogramBins { get; set; } = 20;

    /// <summary>
    /// The smallest height of an image's panels; smaller masks are enlarged by a whole factor (nearest neighbour) so
    /// that single pixels stay visible. Default: 256. The page also stretches each strip to its width, pixels kept sharp.
    /// </summary>
    public int MinimumPanelHeight { get; set; } = 256;
}
