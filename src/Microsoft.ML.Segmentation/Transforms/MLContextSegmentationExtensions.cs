using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML;

/// <summary>Adds <c>mlContext.Segmentation()</c>.</summary>
/// <remarks>Thread safety: stateless; every member is thread-safe.</remarks>
public static class MLContextSegmentationExtensions
{
    /// <summary>SegML's catalog of segmentation estimators and the evaluator.</summary>
    /// <param name="context">The ML.NET context; its <see cref="MLContext.Log"/> receives SegML's messages.</param>
    /// <returns>The catalog.</returns>
    public static SegmentationCatalog Segmentation(this MLContext context)
    {
        System.ArgumentNullException.ThrowIfNull(context);
        return new SegmentationCatalog(context);
    }
}
