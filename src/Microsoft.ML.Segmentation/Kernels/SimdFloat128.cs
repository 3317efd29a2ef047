using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>A <see cref="Vector128{T}"/> of floats as an <see cref="ISimdFloat{TSelf}"/>.</summary>
/// <param name="value">The lanes.</param>
internal readonly struct SimdFloat128(Vector128<float> value) : ISimdFloat<SimdFloat128>
{
    /// <summary>The lanes.</summary>
    public Vector128<float> Value { get; } = value;

    public static int Count => Vector128<float>.Count;

    public static SimdFloat128 Zero => new(Vector128<float>.Zero);

    public static SimdFloat128 One => new(Vector128<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 Create(float value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 CreateBits(int bits) => new(Vector128.Create(bits).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 Load(ref float source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 LoadBits(ref int source, nuint index) => new(Vector128.LoadUnsafe(ref source, index).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(SimdFloat128 value, ref float destination, nuint index) => value.Value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreAlignedNonTemporal(SimdFloat128 value, float* destination) => Vector128.StoreAlignedNonTemporal(value.Value, destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 operator +(SimdFloat128 left, SimdFloat128 right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 operator -(SimdFloat128 left, SimdFloat128 right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 operator -(SimdFloat128 value) => new(-value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 operator *(SimdFloat128 left, SimdFloat128 right) => new(left.Value * right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 operator /(SimdFloat128 left, SimdFloat128 right) => new(left.Value / right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 operator &(SimdFloat128 left, SimdFloat128 right) => new(left.Value & right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 operator |(SimdFloat128 left, SimdFloat128 right) => new(left.Value | right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 operator ^(SimdFloat128 left, SimdFloat128 right) => new(left.Value ^ right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 operator ~(SimdFloat128 value) => new(~value.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 AndNot(SimdFloat128 left, SimdFloat128 right) => new(Vector128.AndNot(left.Value.AsInt32(), right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 Select(SimdFloat128 mask, SimdFloat128 whenTrue, SimdFloat128 whenFalse) => new(Vector128.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 SelectBySign(SimdFloat128 sign, SimdFloat128 whenNegative, SimdFloat128 whenNonNegative) => Sse41.IsSupported
        ? new(Sse41.BlendVariable(whenNonNegative.Value, whenNegative.Value, sign.Value))
        : new(Vector128.ConditionalSelect(Vector128.ShiftRightArithmetic(sign.Value.AsInt32(), 31).AsSingle(), whenNegative.Value, whenNonNegative.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 MultiplyAdd(SimdFloat128 a, SimdFloat128 b, SimdFloat128 c) => new(Vector128.MultiplyAddEstimate(a.Value, b.Value, c.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 MaxNative(SimdFloat128 left, SimdFloat128 right) => new(Vector128.MaxNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 MinNative(SimdFloat128 left, SimdFloat128 right) => new(Vector128.MinNative(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 LessThan(SimdFloat128 left, SimdFloat128 right) => new(Vector128.LessThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 GreaterThan(SimdFloat128 left, SimdFloat128 right) => new(Vector128.GreaterThan(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 GreaterThanOrEqual(SimdFloat128 left, SimdFloat128 right) => new(Vector128.GreaterThanOrEqual(left.Value, right.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 BitsEqual(SimdFloat128 left, SimdFloat128 right) => new(Vector128.Equals(left.Value.AsInt32(), right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 AddBitsShiftLeft(SimdFloat128 value, int addend, int shift) => new(Vector128.ShiftLeft(value.Value.AsInt32() + Vector128.Create(addend), shift).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 ShiftLeftBits(SimdFloat128 value, int shift) => new(Vector128.ShiftLeft(value.Value.AsInt32(), shift).AsSingle());

    /// <summary>False: four lanes cannot hold the eight entries, so a lookup is two shuffles and a select.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 Lookup8(Vector256<int> table, SimdFloat128 index)
    {
        Vector128<int> bits = index.Value.AsInt32();
        Vector128<int> inHalf = bits & Vector128.Create(3);
        Vector128<int> upper = Vector128.Equals(bits & Vector128.Create(4), Vector128.Create(4));
        return new(Vector128.ConditionalSelect(upper, Vector128.Shuffle(table.GetUpper(), inHalf), Vector128.Shuffle(table.GetLower(), inHalf)).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 Lookup4(Vector128<int> table, SimdFloat128 index) => Avx.IsSupported
        ? new(Avx.PermuteVar(table.AsSingle(), index.Value.AsInt32()))
        : new(Vector128.Shuffle(table.AsSingle(), index.Value.AsInt32() & Vector128.Create(3)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 ExpClamped(SimdFloat128 x) => Avx.IsSupported ? VectorMath.ExpClampedByTableOfFour(x) : VectorMath.ExpClampedByPolynomial(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 AddBits(SimdFloat128 left, SimdFloat128 right) => new((left.Value.AsInt32() + right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 MaxBits(SimdFloat128 left, SimdFloat128 right) => new(Vector128.Max(left.Value.AsInt32(), right.Value.AsInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 ShiftRightArithmeticBits(SimdFloat128 value, int shift) => new(Vector128.ShiftRightArithmetic(value.Value.AsInt32(), shift).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat128 ConvertBitsToSingle(SimdFloat128 value) => new(Vector128.ConvertToSingle(value.Value.AsInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumAsDouble(SimdFloat128 value) => Vector128.Sum(Vector128.WidenLower(value.Value) + Vector128.WidenUpper(value.Value));
}
