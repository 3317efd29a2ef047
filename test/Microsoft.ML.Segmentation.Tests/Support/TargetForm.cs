namespace Microsoft.ML.Segmentation.Tests.Support;

/// <summary>The target forms the fused-kernel suites run each loss on.</summary>
internal enum TargetForm
{
    /// <summary>A label map, no ignore index.</summary>
    Labels,

    /// <summary>A label map with about one pixel in ten at ignore index 255.</summary>
    LabelsWithIgnored,

    /// <summary>The labels one-hot as a dense target.</summary>
    OneHot,

    /// <summary>Soft dense values (<see cref="TargetForms.SoftWithNaN"/>).</summary>
    SoftWithNaN,
}

/// <summary>Dense targets for <see cref="TargetForm"/>.</summary>
internal static class TargetForms
{
    /// <summary>Soft targets in [0, 1] with about one element in ten NaN (ignored), some exactly 0 and 1, float-representable.</summary>
    public static double[] SoftWithNaN(Random random, int length) => Enumerable.Range(0, length).Select(_ => random.NextDouble() switch
    {
        < 0.1 => double.NaN,
        < 0.2 => 0,
        < 0.3 => 1,
        _ => (double)(float)random.NextDouble(),
    }).ToArray();
}
