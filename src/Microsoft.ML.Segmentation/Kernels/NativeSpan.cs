using System;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// A pointer and a length that a parallel work item can turn back into a span. Spans cannot be captured by the
/// lambdas that <see cref="ParallelWork"/> runs, so kernels pin their buffers once and pass these instead.
/// Valid only while the owner keeps the memory pinned.
/// </summary>
internal readonly unsafe struct NativeSpan<T>
    where T : unmanaged
{
    private readonly nint _pointer;

    public NativeSpan(T* pointer, int length)
    {
        _pointer = (nint)pointer;
        Length = length;
    }

    public int Length { get; }

    public Span<T> Span => new((T*)_pointer, Length);

    public Span<T> Slice(int start, int length)
    {
        if ((uint)start > (uint)Length || (uint)length > (uint)(Length - start))
        {
            throw new ArgumentOutOfRangeException(nameof(start));
        }

        return new Span<T>((T*)_pointer + start, length);
    }
}
