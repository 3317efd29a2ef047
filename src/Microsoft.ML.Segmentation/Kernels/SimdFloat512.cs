using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>A <see cref="Vector512{T}"/> of floats as an <see cref="ISimdFloat{TSelf}"/>.</summary>
/// <param name="value">The lanes.</param>
internal readonly struct SimdFloat512(Vector512<float> value) : ISimdFloat<SimdFloat512>
{
    /// <summary>The lanes.</summary>
    public Vector512<float> Value { get; } = value;

    public static int Count => Vector512<float>.Count;

    public static SimdFloat512 Zero => new(Vector512<float>.Zero);

    public static SimdFloat512 One => new(Vector512<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 Create(float value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 CreateBits(int bits) => new(Vector512.Create(bits).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 Load(ref float source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 LoadBits(ref int source, nuint index) => new(Vector512.LoadUnsafe(ref source, index).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(SimdFloat512 value, ref float destination, nuint index) => value.Value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreAlignedNonTemporal(SimdFloat512 value, float* destination) => Vector512.StoreAlignedNonTemporal(value.Value, destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 operator +(SimdFloat512 left, SimdFloat512 right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 operator -(SimdFloat512 left, SimdFloat512 right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 operator -(SimdFloat512 value) => new(-value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 operator *(SimdFloat512 left, SimdFloat512 right) => new(left.Value * right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 operator /(SimdFloat512 left, SimdFloat512 right) => new(left.Value / right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 operator &(SimdFloat512 left, SimdFloat512 right) => new(left.Value & right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 operator |(SimdFloat512 left, SimdFloat512 right) => new(left.Value | right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 operator ^(SimdFloat512 left, SimdFloat512 right) => new(left.Value ^ right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 operator ~(SimdFloat512 value) => new(~value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 AndNot(SimdFloat512 left, SimdFloat512 right) => new(Vector512.AndNot(left.Value.AsInt32(), right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 Select(SimdFloat512 mask, SimdFloat512 whenTrue, SimdFloat512 whenFalse) => new(Vector512.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 SelectBySign(SimdFloat512 sign, SimdFloat512 whenNegative, SimdFloat512 whenNonNegative) => Avx512F.IsSupported
        ? new(Avx512F.BlendVariable(whenNonNegative.Value, whenNegative.Value, sign.Value))
        : new(Vector512.ConditionalSelect(Vector512.ShiftRightArithmetic(sign.Value.AsInt32(), 31).AsSingle(), whenNegative.Value, whenNonNegative.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 MultiplyAdd(SimdFloat512 a, SimdFloat512 b, SimdFloat512 c) => new(Vector512.MultiplyAddEstimate(a.Value, b.Value, c.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 MaxNative(SimdFloat512 left, SimdFloat512 right) => new(Vector512.MaxNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 MinNative(SimdFloat512 left, SimdFloat512 right) => new(Vector512.MinNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 LessThan(SimdFloat512 left, SimdFloat512 right) => new(Vector512.LessThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 GreaterThan(SimdFloat512 left, SimdFloat512 right) => new(Vector512.GreaterThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 GreaterThanOrEqual(SimdFloat512 left, SimdFloat512 right) => new(Vector512.GreaterThanOrEqual(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 BitsEqual(SimdFloat512 left, SimdFloat512 right) => new(Vector512.Equals(left.Value.AsInt32(), right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 AddBitsShiftLeft(SimdFloat512 value, int addend, int shift) => new(Vector512.ShiftLeft(value.Value.AsInt32() + Vector512.Create(addend), shift).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 ShiftLeftBits(SimdFloat512 value, int shift) => new(Vector512.ShiftLeft(value.Value.AsInt32(), shift).AsSingle());

    /// <remarks>The 16-lane permute reads four index bits: the table is repeated in both halves, so the fourth does not matter.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 Lookup8(Vector256<int> table, SimdFloat512 index) => Avx512F.IsSupported
        ? new(Avx512F.PermuteVar16x32(Vector512.Create(table, table).AsSingle(), index.Value.AsInt32()))
        : new(Vector512.Shuffle(Vector512.Create(table, table).AsSingle(), index.Value.AsInt32() & Vector512.Create(7)));

    /// <remarks>The eight-entry lookup of the table twice over: the third index bit then picks the same entry.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 Lookup4(Vector128<int> table, SimdFloat512 index) => Lookup8(Vector256.Create(table, table), index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 ExpClamped(SimdFloat512 x) => Avx512F.IsSupported ? VectorMath.ExpClampedByTable(x) : VectorMath.ExpClampedByPolynomial(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 AddBits(SimdFloat512 left, SimdFloat512 right) => new((left.Value.AsInt32() + right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 MaxBits(SimdFloat512 left, SimdFloat512 right) => new(Vector512.Max(left.Value.AsInt32(), right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 ShiftRightArithmeticBits(SimdFloat512 value, int shift) => new(Vector512.ShiftRightArithmetic(value.Value.AsInt32(), shift).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 ConvertBitsToSingle(SimdFloat512 value) => new(Vector512.ConvertToSingle(value.Value.AsInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumAsDouble(SimdFloat512 value) => Vector512.Sum(Vector512.WidenLower(value.Value) + Vector512.WidenUpper(value.Value));
}
