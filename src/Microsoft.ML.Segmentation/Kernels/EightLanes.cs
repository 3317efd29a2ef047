using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Eight float lanes, the fixed split of <see cref="SplitSumProducts"/>' dot products: one 256-bit vector
/// (<see cref="EightLanes256"/>) or two 128-bit ones (<see cref="EightLanes128"/>, what ARM64's NEON has), so its
/// kernels are written once and give the same bits on either.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
internal interface IEightLanes<TSelf>
    where TSelf : struct, IEightLanes<TSelf>
{
    /// <summary>All lanes 0.</summary>
    static abstract TSelf Zero { get; }

    /// <summary>Eight floats from <paramref name="source"/> + <paramref name="index"/>.</summary>
    static abstract TSelf Load(ref float source, nuint index);

    /// <summary><c>x·y + sum</c> lane by lane, the product rounded and then the sum (no fused multiply-add).</summary>
    static abstract TSelf MultiplyAdd(TSelf x, TSelf y, TSelf sum);

    /// <summary>Lanes r and r + 4 added, for r = 0 … 3: the first step of the fixed reduction.</summary>
    static abstract Vector128<float> FoldHalves(TSelf lanes);
}

/// <summary>The eight lanes as one 256-bit vector.</summary>
internal readonly struct EightLanes256 : IEightLanes<EightLanes256>
{
    private readonly Vector256<float> _value;

    private EightLanes256(Vector256<float> value) => _value = value;

    public static EightLanes256 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EightLanes256 Load(ref float source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EightLanes256 MultiplyAdd(EightLanes256 x, EightLanes256 y, EightLanes256 sum) => new((x._value * y._value) + sum._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FoldHalves(EightLanes256 lanes) => lanes._value.GetLower() + lanes._value.GetUpper();
}

/// <summary>The eight lanes as two 128-bit vectors, lanes 0–3 and 4–7.</summary>
internal readonly struct EightLanes128 : IEightLanes<EightLanes128>
{
    private readonly Vector128<float> _low;
    private readonly Vector128<float> _high;

    private EightLanes128(Vector128<float> low, Vector128<float> high)
    {
        _low = low;
        _high = high;
    }

    public static EightLanes128 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EightLanes128 Load(ref float source, nuint index) => new(Vector128.LoadUnsafe(ref source, index), Vector128.LoadUnsafe(ref source, index + 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EightLanes128 MultiplyAdd(EightLanes128 x, EightLanes128 y, EightLanes128 sum)
        => new((x._low * y._low) + sum._low, (x._high * y._high) + sum._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FoldHalves(EightLanes128 lanes) => lanes._low + lanes._high;
}
