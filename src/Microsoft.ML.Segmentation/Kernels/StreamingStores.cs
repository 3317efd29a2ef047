using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// When a kernel writes its large output with non-temporal stores (<see cref="ISimdFloat{TSelf}.StoreAlignedNonTemporal"/>),
/// and the fence that publishes them.
/// </summary>
/// <remarks>
/// An ordinary store to a line that is not cached reads the line from memory first, so a kernel that reads a tensor
/// once and writes a same-sized gradient once moves three tensors' bytes, not two. Streaming stores skip that read but
/// leave nothing in the cache: right for an output far larger than the cache (the caller's next pass has to read it
/// from memory anyway), wrong for one that would have stayed there.
/// </remarks>
internal static unsafe class StreamingStores
{
    /// <summary>
    /// Outputs of at least this many bytes are streamed: 16 MiB, a gradient that, with its input of the same size,
    /// does not stay in the last-level cache of a server's share (and at least twice the L2 of every core).
    /// </summary>
    public const long ThresholdBytes = 16L << 20;

    /// <summary>Whether an output of <paramref name="floats"/> floats is streamed.</summary>
    public static bool Pays(long floats) => floats * sizeof(float) >= ThresholdBytes;

    /// <summary>Floats from <paramref name="destination"/> to the next address aligned to <paramref name="width"/> floats (0 when it is aligned).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FloatsToAlignment(float* destination, int width)
    {
        nuint bytes = (nuint)(width * sizeof(float));
        nuint misalignment = (nuint)destination % bytes;
        return misalignment == 0 ? 0 : (int)((bytes - misalignment) / sizeof(float));
    }

    /// <summary>
    /// Orders this thread's streaming stores before its later stores (x86's <c>sfence</c>), so another thread that
    /// sees the work item done also sees its output; a no-op where stores are not weakly ordered that way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fence()
    {
        if (Sse.IsSupported)
        {
            Sse.StoreFence();
        }
    }
}
