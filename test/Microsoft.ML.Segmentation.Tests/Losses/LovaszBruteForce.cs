namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// Scalar, O(p²) definitions of the Lovász losses written from the definitions, not from the library's structure:
/// the Lovász extension as the Choquet integral Σ_i (m_(i) − m_(i+1))·Δ_J(top i) of the Jaccard set loss.
/// </summary>
internal static class LovaszBruteForce
{
    /// <summary>The Jaccard loss of mispredicting set <paramref name="mispredicted"/>: 1 − |fg ∖ M| / |fg ∪ M| (0 when both are empty).</summary>
    public static double JaccardLoss(bool[] foreground, bool[] mispredicted)
    {
        int intersection = 0;
        int union = 0;
        for (int i = 0; i < foreground.Length; i++)
        {
            intersection += foreground[i] && !mispredicted[i] ? 1 : 0;
            union += foreground[i] || mispredicted[i] ? 1 : 0;
        }

        return union == 0 ? 0 : 1.0 - ((double)intersection / union);
    }

    /// <summary>The Lovász extension of the Jaccard loss at non-negative errors <paramref name="errors"/>.</summary>
    public static double Extension(double[] errors, bool[] foreground)
    {
        int p = errors.Length;
        int[] order = Enumerable.Range(0, p).OrderByDescending(i => errors[i]).ToArray();
        double sum = 0;
        var top = new bool[p];
        for (int k = 0; k < p; k++)
        {
            top[order[k]] = true;
            double next = k + 1 < p ? errors[order[k + 1]] : 0.0;
            sum += (errors[order[k]] - next) * JaccardLoss(foreground, top);
        }

        return sum;
    }

    /// <summary>
    /// Lovász-Softmax of probabilities <c>[N,C,S]</c> and labels <c>[N,S]</c> (−1 = ignored). With one channel, channel 0 is label 1.
    /// </summary>
    public static double Softmax(double[] probabilities, int[] labels, int batch, int classes, int pixels,
        bool all, bool perImage, int[]? classList = null, double[]? weights = null)
    {
        int groups = perImage ? batch : 1;
        int per = perImage ? 1 : batch;
        double total = 0;
        for (int group = 0; group < groups; group++)
        {
            var terms = new List<double>();
            bool any = false;
            foreach (int c in classList ?? Enumerable.Range(0, classes).ToArray())
            {
                var errors = new List<double>();
                var fg = new List<bool>();
                for (int n = group * per; n < (group + 1) * per; n++)
                {
                    for (int s = 0; s < pixels; s++)
                    {
                        int label = labels[(n * pixels) + s];
                        if (label < 0)
                        {
                            continue;
                        }

                        any = true;
                        bool isFg = label == (classes == 1 ? 1 : c);
                        double p = probabilities[(((n * classes) + c) * pixels) + s];
                        fg.Add(isFg);
                        errors.Add(Math.Abs((isFg ? 1 : 0) - p));
                    }
                }

                if (!all && !fg.Contains(true))
                {
                    continue;
                }

                terms.Add((weights?[c] ?? 1.0) * Extension(errors.ToArray(), fg.ToArray()));
            }

            total += any && terms.Count > 0 ? terms.Average() : 0.0;
        }

        return total / groups;
    }

    /// <summary>Lovász hinge of logits <c>[N,C,S]</c> with 0/1 targets <c>[N,C,S]</c> (−1 = ignored); each image (or the batch) is one problem.</summary>
    public static double Hinge(double[] logits, int[] targets, int batch, int classes, int pixels, bool perImage)
    {
        int groups = perImage ? batch : 1;
        int per = perImage ? 1 : batch;
        int elementsPerImage = classes * pixels;
        double total = 0;
        for (int group = 0; group < groups; group++)
        {
            var errors = new List<double>();
            var fg = new List<bool>();
            for (int e = group * per * elementsPerImage; e < (group + 1) * per * elementsPerImage; e++)
            {
                if (targets[e] < 0)
                {
                    continue;
                }

                double sign = targets[e] == 1 ? 1 : -1;
                errors.Add(Math.Max(0, 1 - (logits[e] * sign)));
                fg.Add(targets[e] == 1);
            }

            total += Extension(errors.ToArray(), fg.ToArray());
        }

        return total / groups;
    }

    /// <summary>Softmax over the channel axis of <c>[N,C,S]</c> logits.</summary>
    public static double[] SoftmaxActivation(double[] logits, int batch, int classes, int pixels)
    {
        var p = new double[logits.Length];
        for (int n = 0; n < batch; n++)
        {
            for (int s = 0; s < pixels; s++)
            {
                double max = double.NegativeInfinity;
                for (int c = 0; c < classes; c++)
                {
                    max = Math.Max(max, logits[(((n * classes) + c) * pixels) + s]);
                }

                double sum = 0;
                for (int c = 0; c < classes; c++)
                {
                    sum += Math.Exp(logits[(((n * classes) + c) * pixels) + s] - max);
                }

                for (int c = 0; c < classes; c++)
                {
                    int i = (((n * classes) + c) * pixels) + s;
                    p[i] = Math.Exp(logits[i] - max) / sum;
                }
            }
        }

        return p;
    }
}
