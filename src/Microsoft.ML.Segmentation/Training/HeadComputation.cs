using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>
/// The arithmetic of a <see cref="SegmentationHead"/> in any floating-point type: float for training, double so the
/// gradient can be checked by finite differences through exactly the same code. Holds the per-image buffers, which
/// grow to the largest image seen and are then reused, so steps after warm-up allocate nothing. Not thread-safe.
/// </summary>
/// <remarks>Parameter layout: W1 <c>[first, in]</c>, b1 <c>[first]</c>, then for an MLP W2 <c>[classes, hidden]</c>, b2 <c>[classes]</c>.</remarks>
internal sealed class HeadComputation<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly HeadMatrixKernels _kernels;
    private T[] _x = [];
    private T[] _h = [];
    private T[] _z = [];
    private T[] _zUp = [];
    private T[] _dzUp = [];
    private T[] _dz = [];
    private T[] _dh = [];
    private T[] _mapTemp = [];
    private int[] _labels = [];
    private readonly double[] _accumulator;

    /// <param name="inputChannels">Channels of the concatenated features.</param>
    /// <param name="hiddenChannels">Width of the hidden layer; 0 for a linear head.</param>
    /// <param name="classes">Classes K.</param>
    /// <param name="kernels">The matrix products; null for <see cref="HeadMatrixKernels.Blocked"/> (the benchmark passes a reference).</param>
    public HeadComputation(int inputChannels, int hiddenChannels, int classes, HeadMatrixKernels? kernels = null)
    {
        _kernels = kernels ?? HeadMatrixKernels.Blocked;
        InputChannels = inputChannels;
        HiddenChannels = hiddenChannels;
        Classes = classes;
        int first = hiddenChannels > 0 ? hiddenChannels : classes;
        Bias1Offset = first * inputChannels;
        Weight2Offset = Bias1Offset + first;
        Bias2Offset = Weight2Offset + (hiddenChannels > 0 ? classes * hiddenChannels : 0);
        ParameterCount = Bias2Offset + (hiddenChannels > 0 ? classes : 0);
        _accumulator = new double[ParameterCount];
    }

    public int InputChannels { get; }

    /// <summary>0 for a linear head.</summary>
    public int HiddenChannels { get; }

    public int Classes { get; }

    public int ParameterCount { get; }

    public int Bias1Offset { get; }

    public int Weight2Offset { get; }

    public int Bias2Offset { get; }

    private int FirstChannels => HiddenChannels > 0 ? HiddenChannels : Classes;

    /// <summary>Whether parameter <paramref name="index"/> is a bias.</summary>
    public bool IsBias(int index)
        => (index >= Bias1Offset && index < Weight2Offset) || (HiddenChannels > 0 && index >= Bias2Offset);

    /// <summary>Scores <c>[Classes, ImageHeight, ImageWidth]</c> of one image.</summary>
    public void Predict(ReadOnlySpan<T> parameters, FeatureMaps features, Span<T> scores)
    {
        int pixels = features.ImageHeight * features.ImageWidth;
        if (scores.Length != Classes * pixels)
        {
            throw new ArgumentException($"scores holds {scores.Length} values; [{Classes},{features.ImageHeight},{features.ImageWidth}] needs {Classes * pixels}.", nameof(scores));
        }

        int p = Concatenate(features, flip: false);
        Forward(parameters, p);
        FeatureMap finest = features.Maps[0];
        BilinearResize.Forward<T>(_z.AsSpan(0, Classes * p), Classes, finest.Height, finest.Width, features.ImageHeight, features.ImageWidth, scores);
    }

    /// <summary>
    /// One image's loss; adds <paramref name="scale"/>·∂loss/∂parameters to <paramref name="gradient"/>. The gradient
    /// flows loss → bilinear upsampling (transposed) → head layers; the features are constants.
    /// </summary>
    public double Step(
        ReadOnlySpan<T> parameters, FeatureMaps features, ReadOnlySpan<int> labels, int? ignoreIndex, ISegmentationLoss loss,
        Span<T> gradient, double scale, bool flip)
    {
        int height = features.ImageHeight;
        int width = features.ImageWidth;
        int pixels = height * width;
        if (labels.Length != pixels)
        {
            throw new ArgumentException($"labels holds {labels.Length} values; the image is {height}x{width} = {pixels} pixels.", nameof(labels));
        }

        int p = Concatenate(features, flip);
        Forward(parameters, p);
        FeatureMap finest = features.Maps[0];
        int scoreCount = Classes * pixels;
        Ensure(ref _zUp, scoreCount);
        Ensure(ref _dzUp, scoreCount);
        Span<T> zUp = _zUp.AsSpan(0, scoreCount);
        Span<T> dzUp = _dzUp.AsSpan(0, scoreCount);
        BilinearResize.Forward<T>(_z.AsSpan(0, Classes * p), Classes, finest.Height, finest.Width, height, width, zUp);
        if (flip)
        {
            Ensure(ref _labels, pixels);
            for (int y = 0; y < height; y++)
            {
                Span<int> row = _labels.AsSpan(y * width, width);
                labels.Slice(y * width, width).CopyTo(row);
                row.Reverse();
            }

            labels = _labels.AsSpan(0, pixels);
        }

        var shape = new SegmentationShape(1, Classes, height, width);
        double value = loss.Compute<T>(zUp, shape, SegmentationTarget<T>.FromLabels(labels, ignoreIndex), dzUp);
        Ensure(ref _dz, Classes * p);
        Span<T> dz = _dz.AsSpan(0, Classes * p);
        BilinearResize.Transpose<T>(dzUp, Classes, finest.Height, finest.Width, height, width, dz);
        Backward(parameters, p, dz);
        for (int i = 0; i < ParameterCount; i++)
        {
            gradient[i] += T.CreateTruncating(scale * _accumulator[i]);
        }

        return value;
    }

    /// <summary>Writes the features of all maps, upsampled to the finest grid, as <c>[InputChannels, P]</c>; returns P.</summary>
    private int Concatenate(FeatureMaps features, bool flip)
    {
        // Summed here rather than with TotalChannels, whose LINQ enumerator would allocate on every step.
        int total = 0;
        for (int i = 0; i < features.Maps.Count; i++)
        {
            total += features.Maps[i].Channels;
        }

        if (total != InputChannels)
        {
            throw new ArgumentException($"The feature maps have {total} channels; the head takes {InputChannels}.", nameof(features));
        }

        FeatureMap finest = features.Maps[0];
        int h0 = finest.Height;
        int w0 = finest.Width;
        int p = h0 * w0;
        Ensure(ref _x, InputChannels * p);
        int channel = 0;
        for (int m = 0; m < features.Maps.Count; m++)
        {
            FeatureMap map = features.Maps[m];
            Span<T> destination = _x.AsSpan(channel * p, map.Channels * p);
            if (map.Height == h0 && map.Width == w0)
            {
                Convert(map.Data, destination);
            }
            else
            {
                int n = map.Data.Length;
                Ensure(ref _mapTemp, n);
                Convert(map.Data, _mapTemp.AsSpan(0, n));
                BilinearResize.Forward<T>(_mapTemp.AsSpan(0, n), map.Channels, map.Height, map.Width, h0, w0, destination);
            }

            channel += map.Channels;
        }

        if (flip)
        {
            // Half-pixel bilinear resizing commutes with a horizontal flip, so flipping the concatenation equals
            // concatenating the flipped maps.
            for (int r = 0; r < InputChannels * h0; r++)
            {
                _x.AsSpan(r * w0, w0).Reverse();
            }
        }

        return p;
    }

    private void Forward(ReadOnlySpan<T> parameters, int p)
    {
        Ensure(ref _z, Classes * p);
        ReadOnlySpan<T> x = _x.AsSpan(0, InputChannels * p);
        if (HiddenChannels == 0)
        {
            _kernels.Dense(parameters.Slice(0, Bias1Offset), parameters.Slice(Bias1Offset, Classes), Classes, InputChannels, x, _z, p);
            return;
        }

        Ensure(ref _h, HiddenChannels * p);
        Span<T> h = _h.AsSpan(0, HiddenChannels * p);
        _kernels.Dense(parameters.Slice(0, Bias1Offset), parameters.Slice(Bias1Offset, HiddenChannels), HiddenChannels, InputChannels, x, h, p);
        TensorPrimitives.Max(h, T.Zero, h);
        _kernels.Dense(parameters.Slice(Weight2Offset, Classes * HiddenChannels), parameters.Slice(Bias2Offset, Classes), Classes, HiddenChannels, h, _z, p);
    }

    private void Backward(ReadOnlySpan<T> parameters, int p, ReadOnlySpan<T> dz)
    {
        Array.Clear(_accumulator);
        ReadOnlySpan<T> x = _x.AsSpan(0, InputChannels * p);
        if (HiddenChannels == 0)
        {
            _kernels.WeightGradient(dz, Classes, x, InputChannels, p, _accumulator.AsSpan(0, Bias1Offset), _accumulator.AsSpan(Bias1Offset, Classes));
            return;
        }

        ReadOnlySpan<T> h = _h.AsSpan(0, HiddenChannels * p);
        _kernels.WeightGradient(dz, Classes, h, HiddenChannels, p, _accumulator.AsSpan(Weight2Offset, Classes * HiddenChannels), _accumulator.AsSpan(Bias2Offset, Classes));
        Ensure(ref _dh, HiddenChannels * p);
        Span<T> dh = _dh.AsSpan(0, HiddenChannels * p);
        ReadOnlySpan<T> w2 = parameters.Slice(Weight2Offset, Classes * HiddenChannels);
        _kernels.InputGradient(w2, Classes, HiddenChannels, dz, dh, p);
        // ReLU's derivative: zero where the unit was off (h = 0 exactly, the subgradient 0 at the kink).
        for (int i = 0; i < dh.Length; i++)
        {
            if (h[i] <= T.Zero)
            {
                dh[i] = T.Zero;
            }
        }

        _kernels.WeightGradient<T>(dh, HiddenChannels, x, InputChannels, p, _accumulator.AsSpan(0, Bias1Offset), _accumulator.AsSpan(Bias1Offset, HiddenChannels));
    }

    private static void Convert(ReadOnlySpan<float> source, Span<T> destination)
    {
        if (typeof(T) == typeof(float))
        {
            source.CopyTo(MemoryMarshal.Cast<T, float>(destination));
        }
        else
        {
            TensorPrimitives.ConvertChecked<float, T>(source, destination);
        }
    }

    private static void Ensure<TValue>(ref TValue[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new TValue[length];
        }
    }
}
