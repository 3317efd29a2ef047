using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>Rejects NaN and infinite scores before they silently poison a loss.</summary>
internal static class FiniteGuard
{
    /// <summary>Elements per work item of the parallel check: a tensor this large is read at memory speed by each thread.</summary>
    private const int Block = 1 << 16;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first non-finite element of <paramref name="values"/>.</summary>
    public static unsafe void ThrowIfNotFinite<T>(ReadOnlySpan<T> values, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values.Length >= 4 * Block && Environment.ProcessorCount > 1)
        {
            // A [8,21,256,256] batch is 44 MB: one thread alone cannot read it at the memory's speed. Blocks only answer
            // "all finite?"; the first bad element is then looked for in order, so the message does not depend on scheduling.
            int blocks = (values.Length + Block - 1) / Block;
            bool allFinite = true;
            fixed (T* pointer = values)
            {
                var all = new NativeSpan<T>(pointer, values.Length);
                ParallelWork.For(blocks, values.Length, b =>
                {
                    int start = b * Block;
                    if (!AllFinite(all.Slice(start, Math.Min(Block, all.Length - start))))
                    {
                        allFinite = false;
                    }
                });
            }

            if (allFinite)
            {
                return;
            }
        }
        else if (AllFinite(values))
        {
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                ThrowHelper.ThrowNotFinite(paramName, i, double.CreateTruncating(values[i]));
            }
        }
    }

    private static bool AllFinite<T>(ReadOnlySpan<T> values)
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

            if (!Vector.EqualsAll(acc, Vector<T>.Zero))
            {
                return false;
            }

            i = vectors.Length * Vector<T>.Count;
        }

        for (; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                return false;
            }
        }

        return true;
    }
}
