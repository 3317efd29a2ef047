using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// A <see cref="Vector{T}"/> of floats as an <see cref="ISimdFloat{TSelf}"/>, so <see cref="Vector{T}"/> kernels share
/// the generic math (<see cref="VectorMath"/>'s exp) without reinterpreting to a fixed width.
/// </summary>
/// <param name="value">The lanes.</param>
internal readonly struct SimdFloatVector(Vector<float> value) : ISimdFloat<SimdFloatVector>
{
    /// <summary>The lanes.</summary>
    public Vector<float> Value { get; } = value;

    public static int Count => Vector<float>.Count;

    public static SimdFloatVector Zero => new(Vector<float>.Zero);

    public static SimdFloatVector One => new(Vector<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector Create(float value) => new(new Vector<float>(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector CreateBits(int bits) => new(Vector.AsVectorSingle(new Vector<int>(bits)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector Load(ref float source, nuint index) => new(Vector.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector LoadBits(ref int source, nuint index) => new(Vector.AsVectorSingle(Vector.LoadUnsafe(ref source, index)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(SimdFloatVector value, ref float destination, nuint index) => value.Value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreAlignedNonTemporal(SimdFloatVector value, float* destination) => Vector.StoreAlignedNonTemporal(value.Value, destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector operator +(SimdFloatVector left, SimdFloatVector right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector operator -(SimdFloatVector left, SimdFloatVector right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector operator -(SimdFloatVector value) => new(-value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector operator *(SimdFloatVector left, SimdFloatVector right) => new(left.Value * right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector operator /(SimdFloatVector left, SimdFloatVector right) => new(left.Value / right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector operator &(SimdFloatVector left, SimdFloatVector right) => new(left.Value & right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector operator |(SimdFloatVector left, SimdFloatVector right) => new(left.Value | right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector operator ^(SimdFloatVector left, SimdFloatVector right) => new(left.Value ^ right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector operator ~(SimdFloatVector value) => new(~value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector AndNot(SimdFloatVector left, SimdFloatVector right) => new(Vector.AndNot(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector Select(SimdFloatVector mask, SimdFloatVector whenTrue, SimdFloatVector whenFalse) => new(Vector.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector SelectBySign(SimdFloatVector sign, SimdFloatVector whenNegative, SimdFloatVector whenNonNegative)
        => new(Vector.ConditionalSelect(Vector.AsVectorSingle(Vector.ShiftRightArithmetic(Vector.AsVectorInt32(sign.Value), 31)), whenNegative.Value, whenNonNegative.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector MultiplyAdd(SimdFloatVector a, SimdFloatVector b, SimdFloatVector c) => new(Vector.MultiplyAddEstimate(a.Value, b.Value, c.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector MaxNative(SimdFloatVector left, SimdFloatVector right) => new(Vector.MaxNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector MinNative(SimdFloatVector left, SimdFloatVector right) => new(Vector.MinNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector LessThan(SimdFloatVector left, SimdFloatVector right) => new(Vector.AsVectorSingle(Vector.LessThan(left.Value, right.Value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector GreaterThan(SimdFloatVector left, SimdFloatVector right) => new(Vector.AsVectorSingle(Vector.GreaterThan(left.Value, right.Value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector GreaterThanOrEqual(SimdFloatVector left, SimdFloatVector right) => new(Vector.AsVectorSingle(Vector.GreaterThanOrEqual(left.Value, right.Value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector BitsEqual(SimdFloatVector left, SimdFloatVector right) => new(Vector.AsVectorSingle(Vector.Equals(Vector.AsVectorInt32(left.Value), Vector.AsVectorInt32(right.Value))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector AddBitsShiftLeft(SimdFloatVector value, int addend, int shift) => new(Vector.AsVectorSingle(Vector.ShiftLeft(Vector.AsVectorInt32(value.Value) + new Vector<int>(addend), shift)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector ShiftLeftBits(SimdFloatVector value, int shift) => new(Vector.AsVectorSingle(Vector.ShiftLeft(Vector.AsVectorInt32(value.Value), shift)));

    /// <remarks>At the fixed width of the same size (<see cref="Vector{T}"/> is 128, 256 or 512 bits).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector Lookup8(Vector256<int> table, SimdFloatVector index) => Vector<float>.Count switch
    {
        8 => new(SimdFloat256.Lookup8(table, new SimdFloat256(index.Value.AsVector256())).Value.AsVector()),
        16 => new(SimdFloat512.Lookup8(table, new SimdFloat512(index.Value.AsVector512())).Value.AsVector()),
        _ => new(SimdFloat128.Lookup8(table, new SimdFloat128(index.Value.AsVector128())).Value.AsVector()),
    };

    /// <remarks>At the fixed width of the same size (<see cref="Vector{T}"/> is 128, 256 or 512 bits).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector Lookup4(Vector128<int> table, SimdFloatVector index) => Vector<float>.Count switch
    {
        8 => new(SimdFloat256.Lookup4(table, new SimdFloat256(index.Value.AsVector256())).Value.AsVector()),
        16 => new(SimdFloat512.Lookup4(table, new SimdFloat512(index.Value.AsVector512())).Value.AsVector()),
        _ => new(SimdFloat128.Lookup4(table, new SimdFloat128(index.Value.AsVector128())).Value.AsVector()),
    };

    /// <remarks>At the fixed width of the same size.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector ExpClamped(SimdFloatVector x) => Vector<float>.Count switch
    {
        8 => new(SimdFloat256.ExpClamped(new SimdFloat256(x.Value.AsVector256())).Value.AsVector()),
        16 => new(SimdFloat512.ExpClamped(new SimdFloat512(x.Value.AsVector512())).Value.AsVector()),
        _ => new(SimdFloat128.ExpClamped(new SimdFloat128(x.Value.AsVector128())).Value.AsVector()),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector AddBits(SimdFloatVector left, SimdFloatVector right) => new(Vector.AsVectorSingle(Vector.AsVectorInt32(left.Value) + Vector.AsVectorInt32(right.Value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector MaxBits(SimdFloatVector left, SimdFloatVector right) => new(Vector.AsVectorSingle(Vector.Max(Vector.AsVectorInt32(left.Value), Vector.AsVectorInt32(right.Value))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector ShiftRightArithmeticBits(SimdFloatVector value, int shift) => new(Vector.AsVectorSingle(Vector.ShiftRightArithmetic(Vector.AsVectorInt32(value.Value), shift)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloatVector ConvertBitsToSingle(SimdFloatVector value) => new(Vector.ConvertToSingle(Vector.AsVectorInt32(value.Value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumAsDouble(SimdFloatVector value)
    {
        Vector.Widen(value.Value, out Vector<double> lower, out Vector<double> upper);
        return Vector.Sum(lower + upper);
    }
}
