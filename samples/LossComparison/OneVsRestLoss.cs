using System.Numerics;
using Microsoft.ML.Segmentation;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace LossComparison;

/// <summary>
/// A binary loss applied to a multiclass softmax head, one foreground class at a time: the softmax of the logits gives
/// p; for each class k ≥ 1 the binary loss sees the two channels [1 − p_k, p_k] against "k or not k"; the result is the
/// mean of the C − 1 binary losses. The gradient is the binary loss's own, chained exactly through the softmax.
/// </summary>
/// <remarks>
/// Why: MONAI's <c>AsymmetricUnifiedFocalLoss</c> (and SegML's <see cref="AsymmetricUnifiedFocalLoss"/>, which
/// reproduces it) is binary, and the comparison's scenes have four classes. One-vs-rest is the usual way to use such a
/// loss on a multiclass head; it is this sample's adapter, not a peer's definition. The wrapped loss must take
/// probabilities (<see cref="Activation.None"/>). Ignored pixels stay ignored in every binary task.
/// </remarks>
public sealed class OneVsRestLoss : ISegmentationLoss
{
    private readonly ISegmentationLoss _binary;

    /// <summary>Wraps <paramref name="binary"/>, a two-channel loss on probabilities.</summary>
    public OneVsRestLoss(ISegmentationLoss binary) => _binary = binary ?? throw new ArgumentNullException(nameof(binary));

    /// <inheritdoc/>
    public string Name => $"one_vs_rest({_binary.Name})";

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = shape.Classes, s = shape.PixelsPerImage, batch = shape.Batch;
        if (classes < 2)
        {
            throw new ArgumentException($"One-vs-rest needs two or more softmax channels; the input has {classes}.", nameof(input));
        }

        if (input.Length != shape.ElementCount || (!inputGradient.IsEmpty && inputGradient.Length != shape.ElementCount))
        {
            throw new ArgumentException($"The input ({input.Length}) and gradient ({inputGradient.Length}) must hold {shape.ElementCount} values for {shape}.", nameof(input));
        }

        var p = new T[input.Length];
        ActivationKernels.Softmax(input, shape, p);
        var binaryShape = new SegmentationShape(batch, 2, shape.Height, shape.Width);
        var q = new T[binaryShape.ElementCount];
        var g = new T[binaryShape.ElementCount];
        int[] labels = target.IsLabelMap ? new int[shape.PixelCount] : [];
        T[] dense = target.IsLabelMap ? [] : new T[binaryShape.ElementCount];
        bool wantGradient = !inputGradient.IsEmpty;
        var dp = wantGradient ? new double[input.Length] : [];
        double total = 0;
        for (int k = 1; k < classes; k++)
        {
            for (int n = 0; n < batch; n++)
            {
                for (int i = 0; i < s; i++)
                {
                    T pk = p[(((n * classes) + k) * s) + i];
                    q[(n * 2 * s) + i] = T.One - pk;
                    q[(((n * 2) + 1) * s) + i] = pk;
                    if (target.IsLabelMap)
                    {
                        // The ignore index lies outside 0..C−1 (C ≥ 2), so it lies outside the binary labels 0..1 too.
                        int label = target.Labels[(n * s) + i];
                        labels[(n * s) + i] = label == target.IgnoreIndex ? label : label == k ? 1 : 0;
                    }
                    else
                    {
                        T tk = target.Dense[(((n * classes) + k) * s) + i];
                        dense[(n * 2 * s) + i] = T.One - tk;
                        dense[(((n * 2) + 1) * s) + i] = tk;
                    }
                }
            }

            SegmentationTarget<T> binaryTarget = target.IsLabelMap
                ? SegmentationTarget<T>.FromLabels(labels, target.IgnoreIndex)
                : SegmentationTarget<T>.FromDense(dense);
            total += _binary.Compute<T>(q, binaryShape, binaryTarget, wantGradient ? g : default);
            if (wantGradient)
            {
                // q₀ = 1 − p_k and q₁ = p_k, so dL/dp_k = dL/dq₁ − dL/dq₀.
                for (int n = 0; n < batch; n++)
                {
                    for (int i = 0; i < s; i++)
                    {
                        double d = double.CreateTruncating(g[(((n * 2) + 1) * s) + i]) - double.CreateTruncating(g[(n * 2 * s) + i]);
                        dp[(((n * classes) + k) * s) + i] += d / (classes - 1);
                    }
                }
            }
        }

        if (wantGradient)
        {
            // Softmax Jacobian: dL/dz_j = p_j · (dL/dp_j − Σ_c p_c · dL/dp_c).
            for (int n = 0; n < batch; n++)
            {
                for (int i = 0; i < s; i++)
                {
                    double dot = 0;
                    for (int c = 0; c < classes; c++)
                    {
                        int e = (((n * classes) + c) * s) + i;
                        dot += double.CreateTruncating(p[e]) * dp[e];
                    }

                    for (int c = 0; c < classes; c++)
                    {
                        int e = (((n * classes) + c) * s) + i;
                        inputGradient[e] = T.CreateTruncating(double.CreateTruncating(p[e]) * (dp[e] - dot));
                    }
                }
            }
        }

        return total / (classes - 1);
    }
}
