using System;
using System.Buffers;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Softmax cross-entropy over the channel axis, from logits: per pixel −Σ_c a_c·log softmax(x)_c with
/// a = w ⊙ ((1 − ε)·target + ε/C), computed with a stable log-sum-exp.
/// </summary>
/// <remarks>
/// <para>Label maps give one-hot targets; ignored pixels add nothing. Dense targets are class probabilities
/// (a pixel with a NaN in any channel is ignored; for them <see cref="PointwiseAveraging.TargetWeight"/> divides by
/// the number of valid pixels, as PyTorch does for probability targets).</para>
/// <para>Gradient: ∂/∂x_c = (Σ_k a_k)·p_c − a_c, divided by the averaging denominator.</para>
/// </remarks>
public sealed class CrossEntropyLoss : ISegmentationLoss
{
    private readonly double[]? _classWeights;
    private readonly double _smoothing;
    private readonly PointwiseAveraging _averaging;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public CrossEntropyLoss(CrossEntropyLossOptions? options = null)
    {
        options ??= new CrossEntropyLossOptions();
        if (!(options.LabelSmoothing >= 0 && options.LabelSmoothing <= 1))
        {
            throw new ArgumentOutOfRangeException("options.LabelSmoothing", options.LabelSmoothing, "LabelSmoothing must lie in [0, 1]; 0.1 is a common choice.");
        }

        if (options.ClassWeights is { } w && w.Any(v => !(v >= 0) || double.IsInfinity(v)))
        {
            throw new ArgumentException("Every class weight must be finite and ≥ 0.", "options.ClassWeights");
        }

        if (!Enum.IsDefined(options.Averaging))
        {
            throw new ArgumentOutOfRangeException("options.Averaging", options.Averaging, "Unknown averaging.");
        }

        _classWeights = options.ClassWeights?.ToArray();
        _smoothing = options.LabelSmoothing;
        _averaging = options.Averaging;
    }

    /// <inheritdoc/>
    public string Name => "cross_entropy";

    /// <inheritdoc/>
    public unsafe double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        if (shape.Classes < 2)
        {
            throw new ArgumentException("Cross-entropy over one channel is always 0; use BinaryCrossEntropyLoss for a binary model with one logit.", nameof(input));
        }

        if (_classWeights is not null && _classWeights.Length != shape.Classes)
        {
            throw new ArgumentException($"ClassWeights has {_classWeights.Length} entries but the input has {shape.Classes} classes.", "options.ClassWeights");
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        bool wantGradient = !inputGradient.IsEmpty;
        T[]? rented = wantGradient ? null : ArrayPool<T>.Shared.Rent(input.Length);
        try
        {
            // log p goes where the gradient will be, and is turned into the gradient in place.
            Span<T> logp = wantGradient ? inputGradient : rented.AsSpan(0, input.Length);
            ActivationKernels.LogSoftmax(input, shape, logp);
            var sums = new double[shape.Batch];
            var weightSums = new double[shape.Batch];
            var validCounts = new double[shape.Batch];
            var weights = new double[shape.Classes];
            for (int c = 0; c < weights.Length; c++)
            {
                weights[c] = _classWeights?[c] ?? 1;
            }

            fixed (T* lp = logp)
            fixed (int* labelsPointer = target.Labels)
            fixed (T* densePointer = target.Dense)
            {
                var logProbabilities = new NativeSpan<T>(lp, logp.Length);
                var labels = new NativeSpan<int>(labelsPointer, target.Labels.Length);
                var dense = new NativeSpan<T>(densePointer, target.Dense.Length);
                bool labelMap = target.IsLabelMap;
                int ignore = target.IgnoreIndex ?? int.MinValue;
                ParallelWork.For(shape.Batch, shape.ElementCount, n =>
                {
                    var image = new CrossEntropyImage<T>(shape, n, weights, _smoothing);
                    (sums[n], weightSums[n], validCounts[n]) = labelMap
                        ? image.ForwardLabels(logProbabilities.Span, labels.Span, ignore)
                        : image.ForwardDense(logProbabilities.Span, dense.Span);
                });

                double denominator = Denominator(shape, weightSums.Sum(), validCounts.Sum());
                double scale = denominator > 0 ? 1 / denominator : 0;
                if (wantGradient)
                {
                    ParallelWork.For(shape.Batch, shape.ElementCount, n =>
                    {
                        var image = new CrossEntropyImage<T>(shape, n, weights, _smoothing);
                        if (labelMap)
                        {
                            image.BackwardLabels(logProbabilities.Span, labels.Span, ignore, scale);
                        }
                        else
                        {
                            image.BackwardDense(logProbabilities.Span, dense.Span, scale);
                        }
                    });
                }

                double total = 0;
                foreach (double s in sums)
                {
                    total += s;
                }

                return total * scale;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<T>.Shared.Return(rented);
            }
        }
    }

    private double Denominator(SegmentationShape shape, double weightSum, double validCount) => _averaging switch
    {
        PointwiseAveraging.Sum => 1,
        PointwiseAveraging.All => shape.PixelCount,
        PointwiseAveraging.ValidElements => validCount * shape.Classes,
        PointwiseAveraging.Valid => validCount,
        _ => weightSum,
    };

    private readonly ref struct CrossEntropyImage<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly SegmentationShape _shape;
        private readonly int _n;
        private readonly double[] _weights;
        private readonly double _smoothing;

        public CrossEntropyImage(SegmentationShape shape, int n, double[] weights, double smoothing)
        {
            _shape = shape;
            _n = n;
            _weights = weights;
            _smoothing = smoothing;
        }

        /// <summary>Returns (Σ pixel losses, Σ target weights of valid pixels, valid pixels) for a label map.</summary>
        public (double Sum, double WeightSum, double ValidCount) ForwardLabels(ReadOnlySpan<T> logp, ReadOnlySpan<int> labels, int ignore)
        {
            int s = _shape.PixelsPerImage;
            int c = _shape.Classes;
            int image = _n * c * s;
            ReadOnlySpan<int> row = labels.Slice(_n * s, s);
            double targetTerm = 0, weightSum = 0, validCount = 0;
            for (int i = 0; i < s; i++)
            {
                int label = row[i];
                if (label == ignore)
                {
                    continue;
                }

                double w = _weights[label];
                targetTerm += w * double.CreateTruncating(logp[image + (label * s) + i]);
                weightSum += w;
                validCount++;
            }

            double smoothingTerm = 0;
            if (_smoothing != 0)
            {
                for (int k = 0; k < c; k++)
                {
                    double rowSum = ChunkedSum.Sum(logp.Slice(image + (k * s), s));
                    if (validCount < s)
                    {
                        for (int i = 0; i < s; i++)
                        {
                            if (row[i] == ignore)
                            {
                                rowSum -= double.CreateTruncating(logp[image + (k * s) + i]);
                            }
                        }
                    }

                    smoothingTerm += _weights[k] * rowSum;
                }
            }

            double sum = -(((1 - _smoothing) * targetTerm) + (_smoothing / c * smoothingTerm));
            return (sum, weightSum, validCount);
        }

        /// <summary>Returns (Σ pixel losses, valid pixels, valid pixels) for dense probability targets: PyTorch averages probability targets over pixels, unweighted.</summary>
        public (double Sum, double WeightSum, double ValidCount) ForwardDense(ReadOnlySpan<T> logp, ReadOnlySpan<T> dense)
        {
            int s = _shape.PixelsPerImage;
            int c = _shape.Classes;
            int image = _n * c * s;
            double sum = 0, validCount = 0;
            for (int i = 0; i < s; i++)
            {
                if (IsIgnoredDense(dense, image, i))
                {
                    continue;
                }

                validCount++;
                for (int k = 0; k < c; k++)
                {
                    double a = Coefficient(double.CreateTruncating(dense[image + (k * s) + i]), k, c);
                    sum -= a * double.CreateTruncating(logp[image + (k * s) + i]);
                }
            }

            return (sum, validCount, validCount);
        }

        public void BackwardLabels(Span<T> logpThenGradient, ReadOnlySpan<int> labels, int ignore, double scale)
        {
            int s = _shape.PixelsPerImage;
            int c = _shape.Classes;
            int image = _n * c * s;
            ReadOnlySpan<int> row = labels.Slice(_n * s, s);
            double weightTotal = 0;
            foreach (double w in _weights)
            {
                weightTotal += w;
            }

            // Σ_k a_k per pixel = (1 − ε)·w_y + ε/C·Σw; every channel's gradient is that times p minus ε/C·w_k.
            Span<T> total = stackalloc T[ActivationKernels.ChunkPixels];
            for (int start = 0; start < s; start += ActivationKernels.ChunkPixels)
            {
                int length = Math.Min(ActivationKernels.ChunkPixels, s - start);
                Span<T> a = total[..length];
                for (int i = 0; i < length; i++)
                {
                    int label = row[start + i];
                    a[i] = label == ignore ? T.Zero : T.CreateTruncating(scale * (((1 - _smoothing) * _weights[label]) + (_smoothing / c * weightTotal)));
                }

                for (int k = 0; k < c; k++)
                {
                    Span<T> g = logpThenGradient.Slice(image + (k * s) + start, length);
                    TensorPrimitives.Exp(g, g);
                    TensorPrimitives.Multiply(g, a, g);
                    if (_smoothing != 0)
                    {
                        TensorPrimitives.Subtract(g, T.CreateTruncating(scale * _smoothing / c * _weights[k]), g);
                    }
                }

                for (int i = 0; i < length; i++)
                {
                    int label = row[start + i];
                    if (label == ignore)
                    {
                        for (int k = 0; k < c; k++)
                        {
                            logpThenGradient[image + (k * s) + start + i] = T.Zero;
                        }
                    }
                    else
                    {
                        logpThenGradient[image + (label * s) + start + i] -= T.CreateTruncating(scale * (1 - _smoothing) * _weights[label]);
                    }
                }
            }
        }

        public void BackwardDense(Span<T> logpThenGradient, ReadOnlySpan<T> dense, double scale)
        {
            int s = _shape.PixelsPerImage;
            int c = _shape.Classes;
            int image = _n * c * s;
            for (int i = 0; i < s; i++)
            {
                bool ignored = IsIgnoredDense(dense, image, i);
                double total = 0;
                for (int k = 0; k < c && !ignored; k++)
                {
                    total += Coefficient(double.CreateTruncating(dense[image + (k * s) + i]), k, c);
                }

                for (int k = 0; k < c; k++)
                {
                    int at = image + (k * s) + i;
                    if (ignored)
                    {
                        logpThenGradient[at] = T.Zero;
                        continue;
                    }

                    double p = Math.Exp(double.CreateTruncating(logpThenGradient[at]));
                    double a = Coefficient(double.CreateTruncating(dense[at]), k, c);
                    logpThenGradient[at] = T.CreateTruncating(scale * ((total * p) - a));
                }
            }
        }

        private double Coefficient(double q, int k, int c) => _weights[k] * (((1 - _smoothing) * q) + (_smoothing / c));

        private bool IsIgnoredDense(ReadOnlySpan<T> dense, int image, int i)
        {
            int s = _shape.PixelsPerImage;
            for (int k = 0; k < _shape.Classes; k++)
            {
                if (T.IsNaN(dense[image + (k * s) + i]))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
