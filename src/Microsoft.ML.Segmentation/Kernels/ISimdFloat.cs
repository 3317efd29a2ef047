using System.Runtime.Intrinsics;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// A float vector of one fixed width (<see cref="SimdFloat128"/>, <see cref="SimdFloat256"/>, <see cref="SimdFloat512"/>),
/// so a fused kernel is written once and runs at the widest width the CPU accelerates.
/// </summary>
/// <remarks>
/// <see cref="System.Numerics.Vector{T}"/> stays 256 bits on AVX-512 hardware (only the process-wide
/// <c>DOTNET_MaxVectorTBitWidth=512</c> widens it, and a library cannot set that), and the runtime's own
/// <c>ISimdVector</c> is not public. Integer lanes (label maps, exponent bits) travel reinterpreted in the same type:
/// <see cref="LoadBits"/>, <see cref="CreateBits"/> and <see cref="BitsEqual"/> compare them as int32. Every member is
/// a static abstract, so each instantiation compiles to the plain intrinsics of its width.
/// </remarks>
/// <typeparam name="TSelf">The implementing vector type.</typeparam>
internal interface ISimdFloat<TSelf>
    where TSelf : struct, ISimdFloat<TSelf>
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes 0.</summary>
    static abstract TSelf Zero { get; }

    /// <summary>All lanes 1.</summary>
    static abstract TSelf One { get; }

    /// <summary>All lanes <paramref name="value"/>.</summary>
    static abstract TSelf Create(float value);

    /// <summary>All lanes hold the bits of <paramref name="bits"/>.</summary>
    static abstract TSelf CreateBits(int bits);

    /// <summary><see cref="Count"/> floats from <paramref name="source"/> + <paramref name="index"/>.</summary>
    static abstract TSelf Load(ref float source, nuint index);

    /// <summary><see cref="Count"/> int32 values from <paramref name="source"/> + <paramref name="index"/>, as bits.</summary>
    static abstract TSelf LoadBits(ref int source, nuint index);

    /// <summary>Writes the lanes to <paramref name="destination"/> + <paramref name="index"/>.</summary>
    static abstract void Store(TSelf value, ref float destination, nuint index);

    /// <summary>
    /// Writes the lanes to <paramref name="destination"/> past the caches where the CPU can (<c>movntps</c> on x86):
    /// the line is not read first, so a pass that writes a large output it will not read back moves half the bytes.
    /// <paramref name="destination"/> must be aligned to the vector's size and point into pinned memory.
    /// </summary>
    static abstract unsafe void StoreAlignedNonTemporal(TSelf value, float* destination);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf value);

    static abstract TSelf operator *(TSelf left, TSelf right);

    static abstract TSelf operator /(TSelf left, TSelf right);

    static abstract TSelf operator &(TSelf left, TSelf right);

    static abstract TSelf operator |(TSelf left, TSelf right);

    static abstract TSelf operator ^(TSelf left, TSelf right);

    static abstract TSelf operator ~(TSelf value);

    /// <summary><paramref name="left"/> &amp; ~<paramref name="right"/>.</summary>
    static abstract TSelf AndNot(TSelf left, TSelf right);

    /// <summary>Per bit: <paramref name="whenTrue"/> where <paramref name="mask"/> is set, else <paramref name="whenFalse"/>.</summary>
    static abstract TSelf Select(TSelf mask, TSelf whenTrue, TSelf whenFalse);

    /// <summary>
    /// Per lane: <paramref name="whenNegative"/> where the sign bit of <paramref name="sign"/> is set (−0 and negative
    /// NaNs included), else <paramref name="whenNonNegative"/>: one <c>blendvps</c> on x86 (a mask register and a blend
    /// at 512 bits), where a compare and a select take two or three operations.
    /// </summary>
    static abstract TSelf SelectBySign(TSelf sign, TSelf whenNegative, TSelf whenNonNegative);

    /// <summary>a·b + c, fused where the CPU has FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>The larger lane (the plain instruction: either operand for NaN or signed zeros).</summary>
    static abstract TSelf MaxNative(TSelf left, TSelf right);

    /// <summary>The smaller lane (the plain instruction: either operand for NaN or signed zeros).</summary>
    static abstract TSelf MinNative(TSelf left, TSelf right);

    /// <summary>All ones where <paramref name="left"/> &lt; <paramref name="right"/>.</summary>
    static abstract TSelf LessThan(TSelf left, TSelf right);

    /// <summary>All ones where <paramref name="left"/> &gt; <paramref name="right"/>.</summary>
    static abstract TSelf GreaterThan(TSelf left, TSelf right);

    /// <summary>All ones where <paramref name="left"/> ≥ <paramref name="right"/>.</summary>
    static abstract TSelf GreaterThanOrEqual(TSelf left, TSelf right);

    /// <summary>All ones where the lanes' bits, as int32, are equal.</summary>
    static abstract TSelf BitsEqual(TSelf left, TSelf right);

    /// <summary>Each lane's bits as int32 plus <paramref name="addend"/>, shifted left by <paramref name="shift"/>.</summary>
    static abstract TSelf AddBitsShiftLeft(TSelf value, int addend, int shift);

    /// <summary>Each lane's bits as int32, shifted left by <paramref name="shift"/>.</summary>
    static abstract TSelf ShiftLeftBits(TSelf value, int shift);

    /// <summary>
    /// Per lane, the entry of <paramref name="table"/> at the low three bits of the lane's int32 bits in
    /// <paramref name="index"/> (the higher bits are ignored): an eight-entry table lookup, one <c>vpermps</c> at 256
    /// and 512 bits where the CPU has AVX2 / AVX-512, a longer sequence elsewhere.
    /// </summary>
    static abstract TSelf Lookup8(Vector256<int> table, TSelf index);

    /// <summary>
    /// Per lane, the entry of <paramref name="table"/> at the low two bits of the lane's int32 bits in
    /// <paramref name="index"/> (the higher bits are ignored): a four-entry table lookup, which 128-bit lanes hold
    /// (one <c>vpermilps</c> at 128 bits with AVX).
    /// </summary>
    static abstract TSelf Lookup4(Vector128<int> table, TSelf index);

    /// <summary>
    /// eˣ for x in [<see cref="VectorMath.ExpLowerBound"/>, <see cref="VectorMath.ExpUpperBound"/>] in the form this
    /// width computes fastest: <see cref="VectorMath.ExpClampedByTable{TVector}"/> where <see cref="Lookup8"/> is one
    /// instruction, <see cref="VectorMath.ExpClampedByTableOfFour{TVector}"/> where <see cref="Lookup4"/> is, else
    /// <see cref="VectorMath.ExpClampedByPolynomial{TVector}"/>.
    /// </summary>
    /// <remarks>
    /// A member of the width rather than a branch in <see cref="VectorMath"/> on a property of the type argument: the
    /// JIT folds a branch on an <c>IsSupported</c> in the method's own IL while importing it, but one on a property
    /// only once the property is inlined, so the dead forms' inlinees counted against the calling loop's inlining
    /// budget (the sigmoid focal loops grew from 1084 to 1149 bytes and binary cross-entropy's kept calls,
    /// <c>DOTNET_JitDisasm</c>).
    /// </remarks>
    static abstract TSelf ExpClamped(TSelf x);

    /// <summary>The lanes' int32 sums (bits as integers).</summary>
    static abstract TSelf AddBits(TSelf left, TSelf right);

    /// <summary>The lanes' larger signed int32 (bits as integers).</summary>
    static abstract TSelf MaxBits(TSelf left, TSelf right);

    /// <summary>Each lane's bits as int32, shifted right by <paramref name="shift"/> with the sign copied.</summary>
    static abstract TSelf ShiftRightArithmeticBits(TSelf value, int shift);

    /// <summary>Each lane's bits read as an int32 and converted to float.</summary>
    static abstract TSelf ConvertBitsToSingle(TSelf value);

    /// <summary>The sum of the lanes, each widened to double first, in a fixed order.</summary>
    static abstract double SumAsDouble(TSelf value);
}
