using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>A <see cref="Vector256{T}"/> of floats as an <see cref="ISimdFloat{TSelf}"/>.</summary>
/// <param name="value">The lanes.</param>
internal readonly struct SimdFloat256(Vector256<float> value) : ISimdFloat<SimdFloat256>
{
    /// <summary>The lanes.</summary>
    public Vector256<float> Value { get; } = value;

    public static int Count => Vector256<float>.Count;

    public static SimdFloat256 Zero => new(Vector256<float>.Zero);

    public static SimdFloat256 One => new(Vector256<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 Create(float value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 CreateBits(int bits) => new(Vector256.Create(bits).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 Load(ref float source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 LoadBits(ref int source, nuint index) => new(Vector256.LoadUnsafe(ref source, index).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(SimdFloat256 value, ref float destination, nuint index) => value.Value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreAlignedNonTemporal(SimdFloat256 value, float* destination) => Vector256.StoreAlignedNonTemporal(value.Value, destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 operator +(SimdFloat256 left, SimdFloat256 right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 operator -(SimdFloat256 left, SimdFloat256 right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 operator -(SimdFloat256 value) => new(-value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 operator *(SimdFloat256 left, SimdFloat256 right) => new(left.Value * right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 operator /(SimdFloat256 left, SimdFloat256 right) => new(left.Value / right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 operator &(SimdFloat256 left, SimdFloat256 right) => new(left.Value & right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 operator |(SimdFloat256 left, SimdFloat256 right) => new(left.Value | right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 operator ^(SimdFloat256 left, SimdFloat256 right) => new(left.Value ^ right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 operator ~(SimdFloat256 value) => new(~value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 AndNot(SimdFloat256 left, SimdFloat256 right) => new(Vector256.AndNot(left.Value.AsInt32(), right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 Select(SimdFloat256 mask, SimdFloat256 whenTrue, SimdFloat256 whenFalse) => new(Vector256.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 SelectBySign(SimdFloat256 sign, SimdFloat256 whenNegative, SimdFloat256 whenNonNegative) => Avx.IsSupported
        ? new(Avx.BlendVariable(whenNonNegative.Value, whenNegative.Value, sign.Value))
        : new(Vector256.ConditionalSelect(Vector256.ShiftRightArithmetic(sign.Value.AsInt32(), 31).AsSingle(), whenNegative.Value, whenNonNegative.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 MultiplyAdd(SimdFloat256 a, SimdFloat256 b, SimdFloat256 c) => new(Vector256.MultiplyAddEstimate(a.Value, b.Value, c.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 MaxNative(SimdFloat256 left, SimdFloat256 right) => new(Vector256.MaxNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 MinNative(SimdFloat256 left, SimdFloat256 right) => new(Vector256.MinNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 LessThan(SimdFloat256 left, SimdFloat256 right) => new(Vector256.LessThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 GreaterThan(SimdFloat256 left, SimdFloat256 right) => new(Vector256.GreaterThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 GreaterThanOrEqual(SimdFloat256 left, SimdFloat256 right) => new(Vector256.GreaterThanOrEqual(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 BitsEqual(SimdFloat256 left, SimdFloat256 right) => new(Vector256.Equals(left.Value.AsInt32(), right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 AddBitsShiftLeft(SimdFloat256 value, int addend, int shift) => new(Vector256.ShiftLeft(value.Value.AsInt32() + Vector256.Create(addend), shift).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 ShiftLeftBits(SimdFloat256 value, int shift) => new(Vector256.ShiftLeft(value.Value.AsInt32(), shift).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 Lookup8(Vector256<int> table, SimdFloat256 index) => Avx2.IsSupported
        ? new(Avx2.PermuteVar8x32(table.AsSingle(), index.Value.AsInt32()))
        : new(Vector256.Shuffle(table.AsSingle(), index.Value.AsInt32() & Vector256.Create(7)));

    /// <remarks>The eight-entry lookup of the table twice over: the third index bit then picks the same entry.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 Lookup4(Vector128<int> table, SimdFloat256 index) => Lookup8(Vector256.Create(table, table), index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 ExpClamped(SimdFloat256 x) => Avx2.IsSupported ? VectorMath.ExpClampedByTable(x) : VectorMath.ExpClampedByPolynomial(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 AddBits(SimdFloat256 left, SimdFloat256 right) => new((left.Value.AsInt32() + right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 MaxBits(SimdFloat256 left, SimdFloat256 right) => new(Vector256.Max(left.Value.AsInt32(), right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 ShiftRightArithmeticBits(SimdFloat256 value, int shift) => new(Vector256.ShiftRightArithmetic(value.Value.AsInt32(), shift).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 ConvertBitsToSingle(SimdFloat256 value) => new(Vector256.ConvertToSingle(value.Value.AsInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumAsDouble(SimdFloat256 value) => Vector256.Sum(Vector256.WidenLower(value.Value) + Vector256.WidenUpper(value.Value));
}
