using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>Class weights from the label frequencies of a training set.</summary>
/// <remarks>
/// <para>With n_c the pixels of class c and N all labelled (not ignored) pixels, f_c = n_c/N.
/// <see cref="ClassWeighting.Inverse"/> gives 1/f_c and <see cref="ClassWeighting.InverseSqrt"/> 1/√f_c, both then
/// scaled so that their mean over the present classes is 1 (the loss keeps its usual magnitude).</para>
/// <para><see cref="ClassWeighting.MedianFrequency"/> follows Eigen and Fergus: freq_c = n_c divided by the labelled
/// pixels of the images in which c appears, and w_c = median over present classes of freq / freq_c (the mean of the
/// two middle values for an even count); the median class gets 1 and no further scaling is applied.</para>
/// <para>A class with no pixels gets weight 0 under every formula: nothing in the training labels carries it, so its
/// weight never multiplies a term, and 0 keeps it out of the normalisation rather than inventing a frequency.</para>
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static class ClassFrequencyWeights
{
    /// <summary>Computes class weights from label maps.</summary>
    /// <param name="labels">Label maps; values in [0, classes) or <paramref name="ignoreIndex"/>.</param>
    /// <param name="classes">The number of classes; 1 or more.</param>
    /// <param name="ignoreIndex">The label of ignored pixels, or <see langword="null"/>.</param>
    /// <param name="weighting"><see cref="ClassWeighting.Inverse"/>, <see cref="ClassWeighting.InverseSqrt"/> or <see cref="ClassWeighting.MedianFrequency"/>.</param>
    /// <returns>One weight per class.</returns>
    /// <exception cref="ArgumentException">A label is out of range, or no pixel is labelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weighting"/> is not a frequency-based weighting.</exception>
    public static double[] Compute(IReadOnlyList<int[]> labels, int classes, int? ignoreIndex, ClassWeighting weighting)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (weighting is not (ClassWeighting.Inverse or ClassWeighting.InverseSqrt or ClassWeighting.MedianFrequency))
        {
            throw new ArgumentOutOfRangeException(nameof(weighting), weighting, "Only Inverse, InverseSqrt and MedianFrequency are computed from frequencies.");
        }

        var counts = new long[classes];
        var presentPixels = new long[classes];
        var imageCounts = new long[classes];
        long total = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            int[] map = labels[i] ?? throw new ArgumentException($"Label map {i} is null.", nameof(labels));
            Array.Clear(imageCounts);
            long imageTotal = 0;
            foreach (int label in map)
            {
                if (label == ignoreIndex)
                {
                    continue;
                }

                if ((uint)label >= (uint)classes)
                {
                    throw new ArgumentException($"Label map {i} holds label {label}, outside 0..{classes - 1} and not the ignore index.", nameof(labels));
                }

                imageCounts[label]++;
                imageTotal++;
            }

            for (int c = 0; c < classes; c++)
            {
                counts[c] += imageCounts[c];
                if (imageCounts[c] > 0)
                {
                    presentPixels[c] += imageTotal;
                }
            }

            total += imageTotal;
        }

        if (total == 0)
        {
            throw new ArgumentException("No pixel is labelled; class frequencies are undefined.", nameof(labels));
        }

        var weights = new double[classes];
        if (weighting == ClassWeighting.MedianFrequency)
        {
            var frequencies = new List<double>();
            for (int c = 0; c < classes; c++)
            {
                if (counts[c] > 0)
                {
                    frequencies.Add((double)counts[c] / presentPixels[c]);
                }
            }

            frequencies.Sort();
            int m = frequencies.Count;
            double median = m % 2 == 1 ? frequencies[m / 2] : 0.5 * (frequencies[(m / 2) - 1] + frequencies[m / 2]);
            for (int c = 0; c < classes; c++)
            {
                weights[c] = counts[c] > 0 ? median / ((double)counts[c] / presentPixels[c]) : 0;
            }

            return weights;
        }

        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++)
        {
            if (counts[c] > 0)
            {
                double f = (double)counts[c] / total;
                weights[c] = weighting == ClassWeighting.Inverse ? 1 / f : 1 / Math.Sqrt(f);
                sum += weights[c];
                present++;
            }
        }

        double scale = present / sum;
        for (int c = 0; c < classes; c++)
        {
            weights[c] *= scale;
        }

        return weights;
    }
}
