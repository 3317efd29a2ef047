using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>Rejects NaN and infinite scores before they silently poison a loss.</summary>
internal static class FiniteGuard
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first non-finite element of <paramref name="values"/>.</summary>
    public static void ThrowIfNotFinite<T>(ReadOnlySpan<T> values, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // x - x is 0 for every finite x and NaN for NaN and ±Inf, so one vectorized pass finds both.
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<T>.Count)
        {
            ReadOnlySpan<Vector<T>> vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
            Vector<T> acc = Vector<T>.Zero;
            foreach (Vector<T> v in vectors)
            {
                acc += v - v;
            }

            if (Vector.EqualsAll(acc, Vector<T>.Zero))
            {
                i = vectors.Length * Vector<T>.Count;
            }
        }

        for (; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                ThrowHelper.ThrowNotFinite(paramName, i, double.CreateTruncating(values[i]));
            }
        }
    }
}
