using System;
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Binary cross-entropy with logits, per element: w·[pw·t·softplus(−x) + (1 − t)·softplus(x)], which equals
/// −w·[pw·t·log σ(x) + (1 − t)·log(1 − σ(x))] without overflow.
/// </summary>
/// <remarks>
/// For binary models (<c>[N,1,H,W]</c>, label 1 = foreground) and multilabel models (dense targets, or a label map
/// expanded one-hot over the channels). Gradient: w·[σ(x)(pw·t + 1 − t) − pw·t], divided by the averaging denominator.
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads
/// at once, each call using its own scratch.</para>
/// </remarks>
public sealed class BinaryCrossEntropyLoss : ISegmentationLoss
{
    private readonly double[]? _positiveWeights;
    private readonly double[]? _classWeights;
    private readonly double _smoothing;
    private readonly PointwiseAveraging _averaging;

    /// <summary>The same loss as focal options (γ = 0, no α, this loss's averaging), for the shared float kernel.</summary>
    private readonly FocalLossOptions _asFocal;

    /// <summary>
    /// With one positive weight pw for every channel, the same loss on label maps as focal options with α = pw/(1 + pw)
    /// and the class weights times 1 + pw (a = pw·w at t = 1, w at t = 0); null otherwise.
    /// </summary>
    private readonly (FocalLossOptions Options, double[] ClassWeights, int WeightCount)? _asBalancedFocal;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public BinaryCrossEntropyLoss(BinaryCrossEntropyLossOptions? options = null)
    {
        options ??= new BinaryCrossEntropyLossOptions();
        if (!(options.LabelSmoothing >= 0 && options.LabelSmoothing <= 1))
        {
            throw new ArgumentOutOfRangeException("options.LabelSmoothing", options.LabelSmoothing, "LabelSmoothing must lie in [0, 1].");
        }

        _positiveWeights = ChannelParameters.Validate(options.PositiveWeights, "options.PositiveWeights");
        _classWeights = ChannelParameters.Validate(options.ClassWeights, "options.ClassWeights");
        _smoothing = options.LabelSmoothing;
        _averaging = options.Averaging;
        _asFocal = new FocalLossOptions { Gamma = 0, Alpha = null, Averaging = _averaging };
        if (_positiveWeights is { Length: > 0 } pws && pws[0] > 0 && double.IsFinite(pws[0]) && Array.TrueForAll(pws, v => v == pws[0]))
        {
            double pw = pws[0];
            double[] weights = _classWeights is null ? [1 + pw] : Array.ConvertAll(_classWeights, w => w * (1 + pw));
            _asBalancedFocal = (new FocalLossOptions { Gamma = 0, Alpha = pw / (1 + pw), Averaging = _averaging }, weights, pws.Length);
        }
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal BinaryCrossEntropyLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => "binary_cross_entropy";

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        if (typeof(T) == typeof(float) && _positiveWeights is null && _smoothing == 0)
        {
            // Without positive weights and smoothing this is the sigmoid focal loss at γ = 0 without α (a = w, f = 1),
            // whose float kernel makes one pass per row (and finds non-finite logits in it): on [8, 21, 256, 256]
            // dense targets about 6× faster than the TensorPrimitives passes of BinaryCrossEntropyKernel. It validates
            // the target itself (a label map without an ignore index row by row, on its threads).
            var terms = new FocalTerms(_asFocal, _classWeights, shape.Classes);
            if (FocalSigmoidVectorKernel.Applies(terms))
            {
                return FocalSigmoidVectorKernel.Run(terms, input, shape, target, inputGradient, nameof(target));
            }
        }

        // One positive weight on a label map: pw·t·softplus(−x) + (1 − t)·softplus(x) is the α-balanced sigmoid focal
        // loss at γ = 0 (t is 0 or 1; soft targets are not of that form), about 5× faster than the TensorPrimitives
        // kernel on [8, 1, 256, 256]. A count of weights that fits no shape is left to that kernel, which names it.
        if (typeof(T) == typeof(float) && _smoothing == 0 && target.IsLabelMap && _asBalancedFocal is var (options, weights, count)
            && FitsChannels(count, shape.Classes) && (_classWeights is null || FitsChannels(_classWeights.Length, shape.Classes)))
        {
            var terms = new FocalTerms(options, weights, shape.Classes);
            if (FocalSigmoidVectorKernel.Applies(terms))
            {
                return FocalSigmoidVectorKernel.Run(terms, input, shape, target, inputGradient, nameof(target));
            }
        }

        // Otherwise positive weights (one per channel) and smoothing weigh the targets in the same kernel's loop, dense
        // or label map (5× faster than the TensorPrimitives kernel on [8, 21, 256, 256] dense targets).
        if (typeof(T) == typeof(float) && (_positiveWeights is null || FitsChannels(_positiveWeights.Length, shape.Classes))
            && (_classWeights is null || FitsChannels(_classWeights.Length, shape.Classes)))
        {
            var terms = new FocalTerms(_asFocal, _classWeights, shape.Classes, _positiveWeights, _smoothing);
            if (FocalSigmoidVectorKernel.Applies(terms))
            {
                return FocalSigmoidVectorKernel.Run(terms, input, shape, target, inputGradient, nameof(target));
            }
        }

        long countedElements = target.ValidateAndCount(shape, nameof(target));
        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        return BinaryCrossEntropyKernel.Run(input, shape, target, countedElements, inputGradient, _positiveWeights, _classWeights, _smoothing, _averaging);
    }


    private static bool FitsChannels(int count, int channels) => count == 1 || count == channels;

    /// <summary>The scalar reference path (tests compare the vectorized kernel against it).</summary>
    internal double ComputeScalar<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        int s = shape.PixelsPerImage;
        double sum = 0, valid = 0;
        T[] rented = ArrayPool<T>.Shared.Rent(2 * s);
        try
        {
            Span<T> t = rented.AsSpan(0, s);
            Span<T> v = rented.AsSpan(s, s);
            for (int n = 0; n < shape.Batch; n++)
            {
                for (int k = 0; k < shape.Classes; k++)
                {
                    target.FillRow(shape, n, k, t, v);
                    double pw = ChannelParameters.At(_positiveWeights, k, shape.Classes, 1, "options.PositiveWeights");
                    double w = ChannelParameters.At(_classWeights, k, shape.Classes, 1, "options.ClassWeights");
                    int offset = ((n * shape.Classes) + k) * s;
                    ReadOnlySpan<T> x = input.Slice(offset, s);
                    Span<T> g = inputGradient.IsEmpty ? default : inputGradient.Slice(offset, s);
                    for (int i = 0; i < s; i++)
                    {
                        if (v[i] == T.Zero)
                        {
                            if (!g.IsEmpty)
                            {
                                g[i] = T.Zero;
                            }

                            continue;
                        }

                        double xi = double.CreateTruncating(x[i]);
                        double ti = double.CreateTruncating(t[i]);
                        ti = (ti * (1 - _smoothing)) + ((1 - ti) * _smoothing);
                        double softplusNeg = Softplus(-xi);
                        sum += w * ((pw * ti * softplusNeg) + ((1 - ti) * (softplusNeg + xi)));
                        valid++;
                        if (!g.IsEmpty)
                        {
                            double sigmoid = 1 / (1 + Math.Exp(-xi));
                            g[i] = T.CreateTruncating(w * ((sigmoid * ((pw * ti) + 1 - ti)) - (pw * ti)));
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }

        double denominator = _averaging switch
        {
            PointwiseAveraging.Sum => 1,
            PointwiseAveraging.All => shape.ElementCount,
            _ => valid,
        };
        double scale = denominator > 0 ? 1 / denominator : 0;
        if (!inputGradient.IsEmpty)
        {
            TensorPrimitives.Multiply(inputGradient, T.CreateTruncating(scale), inputGradient);
        }

        return sum * scale;
    }

    /// <summary>log(1 + eˣ) without overflow.</summary>
    internal static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
}
