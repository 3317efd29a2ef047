using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>A row-major float tensor: its values and its shape (e.g. <c>[B, K, *spatial]</c>).</summary>
public sealed class FloatTensor
{
    private readonly int[] _shape;

    /// <summary>Wraps <paramref name="values"/> (not copied) with <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The shape has a negative size or does not match the number of values.</exception>
    public FloatTensor(ReadOnlyMemory<float> values, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Any(d => d < 0))
        {
            throw new ArgumentException($"Tensor shape [{string.Join(", ", shape)}] has a negative size.", nameof(shape));
        }

        long count = shape.Aggregate(1L, (n, d) => n * d);
        if (count != values.Length)
        {
            throw new ArgumentException($"Tensor shape [{string.Join(", ", shape)}] needs {count} values; {values.Length} were given.", nameof(values));
        }

        Values = values;
        _shape = shape.ToArray();
    }

    /// <summary>The values, row-major (last axis fastest).</summary>
    public ReadOnlyMemory<float> Values { get; }

    /// <summary>The size of every axis.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The shape as text, e.g. <c>[2, 3, 16, 16]</c>.</summary>
    public override string ToString() => $"[{string.Join(", ", _shape)}]";
}
