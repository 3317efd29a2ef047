using System;
using System.Buffers;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
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
/// <para>Float32 label maps take <see cref="CrossEntropyLabelVectorKernel"/>, which finds a non-finite logit during its
/// pass: the exception is the same, but the gradient is then unspecified.</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads
/// at once, each call using its own scratch.</para>
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
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal CrossEntropyLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => "cross_entropy";

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
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

        var weights = new double[shape.Classes];
        for (int c = 0; c < weights.Length; c++)
        {
            weights[c] = _classWeights?[c] ?? 1;
        }

        if (typeof(T) == typeof(float) && target.IsLabelMap && CrossEntropyLabelVectorKernel.IsSupported)
        {
            // The float label-map path checks the logits inside its own (parallel) pass.
            return CrossEntropyLabelVectorKernel.Run(
                MemoryMarshal.Cast<T, float>(input), shape, target.Labels, target.IgnoreIndex ?? int.MinValue, weights, _smoothing, MemoryMarshal.Cast<T, float>(inputGradient), Denominator);
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        return target.IsLabelMap
            ? CrossEntropyLabelKernel.Run(input, shape, target.Labels, target.IgnoreIndex ?? int.MinValue, weights, _smoothing, inputGradient, Denominator)
            : ComputeDense(input, shape, target.Dense, weights, inputGradient);
    }

    private unsafe double ComputeDense<T>(ReadOnlySpan<T> input, SegmentationShape shape, ReadOnlySpan<T> target, double[] weights, Span<T> inputGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool wantGradient = !inputGradient.IsEmpty;
        T[]? rented = wantGradient ? null : ArrayPool<T>.Shared.Rent(input.Length);
        try
        {
            // log p goes where the gradient will be, and is turned into the gradient in place.
            Span<T> logp = wantGradient ? inputGradient : rented.AsSpan(0, input.Length);
            ActivationKernels.LogSoftmax(input, shape, logp);
            var sums = new double[shape.Batch];
            var validCounts = new double[shape.Batch];
            fixed (T* lp = logp)
            fixed (T* densePointer = target)
            {
                var logProbabilities = new NativeSpan<T>(lp, logp.Length);
                var dense = new NativeSpan<T>(densePointer, target.Length);
                ParallelWork.For(shape.Batch, shape.ElementCount, n =>
                {
                    var image = new DenseImage<T>(shape, n, weights, _smoothing);
                    (sums[n], validCounts[n]) = image.Forward(logProbabilities.Span, dense.Span);
                });

                // PyTorch averages probability targets over pixels, unweighted: the weight sum is the pixel count.
                double denominator = Denominator(shape, validCounts.Sum(), validCounts.Sum());
                double scale = denominator > 0 ? 1 / denominator : 0;
                if (wantGradient)
                {
                    ParallelWork.For(shape.Batch, shape.ElementCount, n =>
                        new DenseImage<T>(shape, n, weights, _smoothing).Backward(logProbabilities.Span, dense.Span, scale));
                }

                return sums.Sum() * scale;
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

    /// <summary>Cross-entropy of one image against dense probability targets (a pixel with a NaN target is ignored).</summary>
    private readonly ref struct DenseImage<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly SegmentationShape _shape;
        private readonly int _n;
        private readonly double[] _weights;
        private readonly double _smoothing;

        public DenseImage(SegmentationShape shape, int n, double[] weights, double smoothing)
        {
            _shape = shape;
            _n = n;
            _weights = weights;
            _smoothing = smoothing;
        }

        /// <summary>Returns (Σ pixel losses, valid pixels).</summary>
        public (double Sum, double ValidCount) Forward(ReadOnlySpan<T> logp, ReadOnlySpan<T> dense)
        {
            int s = _shape.PixelsPerImage;
            int c = _shape.Classes;
            int image = _n * c * s;
            double sum = 0, validCount = 0;
            for (int i = 0; i < s; i++)
            {
                if (IsIgnored(dense, image, i))
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

            return (sum, validCount);
        }

        public void Backward(Span<T> logpThenGradient, ReadOnlySpan<T> dense, double scale)
        {
            int s = _shape.PixelsPerImage;
            int c = _shape.Classes;
            int image = _n * c * s;
            for (int i = 0; i < s; i++)
            {
                bool ignored = IsIgnored(dense, image, i);
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

        private bool IsIgnored(ReadOnlySpan<T> dense, int image, int i)
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
