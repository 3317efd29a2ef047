namespace Microsoft.ML.Segmentation.Training;

/// <summary>How per-class loss weights are chosen (see <see cref="ClassFrequencyWeights"/> for the formulas).</summary>
public enum ClassWeighting
{
    /// <summary>No class weights.</summary>
    None = 0,

    /// <summary>The weights in <see cref="HeadTrainingOptions.ClassWeights"/>.</summary>
    Given = 1,

    /// <summary>1/f_c, normalised to mean 1 over the present classes.</summary>
    Inverse = 2,

    /// <summary>1/√f_c, normalised to mean 1 over the present classes.</summary>
    InverseSqrt = 3,

    /// <summary>Median-frequency balancing (Eigen and Fergus, 2015): median(freq)/freq_c.</summary>
    MedianFrequency = 4,
}
