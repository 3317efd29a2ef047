using System;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>
/// A trainable per-pixel classifier on frozen backbone features: every feature map is bilinearly upsampled to the
/// finest map's grid and concatenated (<see cref="InputChannels"/> channels), a 1x1 convolution (or two with a ReLU
/// between) gives K logits at the finest stride, and those are bilinearly upsampled to the image's size.
/// </summary>
/// <remarks>
/// <para>Parameters live in one flat float array, in this order: W1 <c>[first, InputChannels]</c> row-major, b1
/// <c>[first]</c>, and for <see cref="HeadArchitecture.Mlp"/> W2 <c>[Classes, HiddenChannels]</c>, b2
/// <c>[Classes]</c>; <c>first</c> is <see cref="HiddenChannels"/> for an MLP and <see cref="Classes"/> for a linear head.</para>
/// <para>Initialisation (deterministic for <see cref="SegmentationHeadOptions.Seed"/>): weights of a layer followed by a
/// ReLU are He/Kaiming uniform, U(−√(6/fan_in), √(6/fan_in)); weights of the layer that produces logits are uniform with
/// gain 1, U(−√(3/fan_in), √(3/fan_in)); biases are 0.</para>
/// <para>Computation is in float32 with per-image parameter-gradient totals in double. An instance keeps buffers sized
/// to the largest image seen, so it is not safe to use from several threads at once.</para>
/// <para>Thread safety: not thread-safe: <c>Predict</c> and <c>AccumulateGradient</c> reuse scratch buffers held by the
/// head. Give each thread its own head (copy the parameters with GetParameters/SetParameters), or export it to ONNX and
/// score it with ScoreOnnx, which is thread-safe.</para>
/// </remarks>
public sealed partial class SegmentationHead
{
    private readonly float[] _parameters;
    private readonly HeadComputation<float> _computation;

    /// <summary>Creates a head with freshly initialised parameters.</summary>
    /// <param name="options">The sizes, architecture and seed.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size in <paramref name="options"/> is below 1.</exception>
    public SegmentationHead(SegmentationHeadOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a head whose layers use <paramref name="kernels"/> (the benchmark's reference loops) for their products.</summary>
    internal SegmentationHead(SegmentationHeadOptions options, HeadMatrixKernels? kernels)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.InputChannels < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.InputChannels, "InputChannels must be 1 or more.");
        }

        if (options.Classes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Classes, "Classes must be 1 or more.");
        }

        if (options.Architecture == HeadArchitecture.Mlp && options.HiddenChannels < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HiddenChannels, "HiddenChannels must be 1 or more for an MLP head.");
        }

        if (options.Architecture is not (HeadArchitecture.Linear or HeadArchitecture.Mlp))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Architecture, "Unknown head architecture.");
        }

        Architecture = options.Architecture;
        _computation = new HeadComputation<float>(
            options.InputChannels, Architecture == HeadArchitecture.Mlp ? options.HiddenChannels : 0, options.Classes, kernels);
        _parameters = new float[_computation.ParameterCount];
        Initialize(options.Seed);
    }

    /// <summary>The layers.</summary>
    public HeadArchitecture Architecture { get; }

    /// <summary>Channels of the concatenated features the head takes.</summary>
    public int InputChannels => _computation.InputChannels;

    /// <summary>Width of the hidden layer; 0 for a linear head.</summary>
    public int HiddenChannels => _computation.HiddenChannels;

    /// <summary>Classes K.</summary>
    public int Classes => _computation.Classes;

    /// <summary>The number of parameters (the length of <see cref="GetParameters()"/>).</summary>
    public int ParameterCount => _parameters.Length;

    /// <summary>A copy of the parameters, in the layout the class remarks give.</summary>
    /// <returns>A new array of <see cref="ParameterCount"/> values.</returns>
    public float[] GetParameters() => (float[])_parameters.Clone();

    /// <summary>Replaces the parameters.</summary>
    /// <param name="parameters"><see cref="ParameterCount"/> values in the layout the class remarks give.</param>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> has the wrong length.</exception>
    public void SetParameters(ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != _parameters.Length)
        {
            throw new ArgumentException($"parameters holds {parameters.Length} values; this head has {_parameters.Length}.", nameof(parameters));
        }

        parameters.CopyTo(_parameters);
    }

    /// <summary>Whether parameter <paramref name="index"/> is a bias (optimisers do not decay biases).</summary>
    /// <param name="index">0 to <see cref="ParameterCount"/> − 1.</param>
    /// <returns><see langword="true"/> for an element of b1 or b2.</returns>
    public bool IsBias(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _parameters.Length);
        return _computation.IsBias(index);
    }

    /// <summary>Computes the logits of one image at the image's size.</summary>
    /// <param name="features">The image's feature maps; their channels must total <see cref="InputChannels"/>.</param>
    /// <param name="scores">Receives <c>[Classes, ImageHeight, ImageWidth]</c> logits.</param>
    /// <exception cref="ArgumentException">The channels or the length of <paramref name="scores"/> do not match.</exception>
    public void Predict(FeatureMaps features, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(features);
        _computation.Predict(_parameters, features, scores);
    }

    /// <summary>
    /// Computes one image's loss and adds <paramref name="scale"/> times its gradient with respect to the parameters
    /// to <paramref name="gradient"/>. Logits at the finest stride are upsampled to the label map's size, the loss is
    /// taken there, and its gradient comes back through the transposed upsampling to the head's layers.
    /// </summary>
    /// <param name="features">The image's feature maps (constants: no gradient flows into them).</param>
    /// <param name="labels">The label map, <c>ImageHeight · ImageWidth</c> class indices or <paramref name="ignoreIndex"/>.</param>
    /// <param name="ignoreIndex">The label of pixels to ignore, or <see langword="null"/>.</param>
    /// <param name="loss">The loss, given the logits <c>[1, Classes, ImageHeight, ImageWidth]</c>.</param>
    /// <param name="gradient">A <see cref="ParameterCount"/>-long accumulator the scaled gradient is added to.</param>
    /// <param name="scale">The factor on this image's gradient, for example 1/batch size. Default: 1.</param>
    /// <param name="flipHorizontally">Mirror features and labels left to right first (augmentation).</param>
    /// <returns>The image's loss (unscaled).</returns>
    /// <exception cref="ArgumentException">A length or channel count does not match.</exception>
    public double AccumulateGradient(
        FeatureMaps features, ReadOnlySpan<int> labels, int? ignoreIndex, ISegmentationLoss loss, Span<float> gradient,
        double scale = 1, bool flipHorizontally = false)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(loss);
        if (gradient.Length != _parameters.Length)
        {
            throw new ArgumentException($"gradient holds {gradient.Length} values; this head has {_parameters.Length} parameters.", nameof(gradient));
        }

        return _computation.Step(_parameters, features, labels, ignoreIndex, loss, gradient, scale, flipHorizontally);
    }

    internal Span<float> ParameterSpan => _parameters;

    private void Initialize(int seed)
    {
        var random = new Random(seed);
        int first = HiddenChannels > 0 ? HiddenChannels : Classes;
        double firstGain = HiddenChannels > 0 ? 6.0 : 3.0;
        Fill(random, _parameters.AsSpan(0, first * InputChannels), Math.Sqrt(firstGain / InputChannels));
        if (HiddenChannels > 0)
        {
            Fill(random, _parameters.AsSpan(_computation.Weight2Offset, Classes * HiddenChannels), Math.Sqrt(3.0 / HiddenChannels));
        }
    }

    private static void Fill(Random random, Span<float> weights, double bound)
    {
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(((2 * random.NextDouble()) - 1) * bound);
        }
    }
}
