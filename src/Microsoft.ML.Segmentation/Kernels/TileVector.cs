using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// One vector of <typeparamref name="T"/> for <see cref="BlockedMatrixMultiply"/>'s register tile: Vector&lt;T&gt;
/// (<see cref="TileVectorT{T}"/>, 256 bits on AVX-512 hardware) or 512 bits (<see cref="TileVector512{T}"/>, where
/// <see cref="Vector512Policy"/> allows), so the tile is written once.
/// </summary>
internal interface ITileVector<TSelf, T>
    where TSelf : struct, ITileVector<TSelf, T>
    where T : unmanaged, INumber<T>
{
    /// <summary>Elements per vector.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes 0.</summary>
    static abstract TSelf Zero { get; }

    /// <summary>All lanes <paramref name="value"/>.</summary>
    static abstract TSelf Create(T value);

    /// <summary><see cref="Count"/> elements from <paramref name="source"/> + <paramref name="index"/>.</summary>
    static abstract TSelf Load(ref T source, nuint index);

    /// <summary>Stores the lanes at <paramref name="target"/> + <paramref name="index"/>.</summary>
    static abstract void Store(TSelf value, ref T target, nuint index);

    /// <summary><c>x·y + sum</c>, the product rounded and then the sum.</summary>
    static abstract TSelf MultiplyAdd(TSelf x, TSelf y, TSelf sum);
}

/// <summary>Vector&lt;T&gt; as a tile vector.</summary>
internal readonly struct TileVectorT<T> : ITileVector<TileVectorT<T>, T>
    where T : unmanaged, INumber<T>
{
    private readonly Vector<T> _value;

    private TileVectorT(Vector<T> value) => _value = value;

    public static int Count => Vector<T>.Count;

    public static TileVectorT<T> Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TileVectorT<T> Create(T value) => new(new Vector<T>(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TileVectorT<T> Load(ref T source, nuint index) => new(Vector.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(TileVectorT<T> value, ref T target, nuint index) => value._value.StoreUnsafe(ref target, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TileVectorT<T> MultiplyAdd(TileVectorT<T> x, TileVectorT<T> y, TileVectorT<T> sum) => new((x._value * y._value) + sum._value);
}

/// <summary>Vector512&lt;T&gt; as a tile vector.</summary>
internal readonly struct TileVector512<T> : ITileVector<TileVector512<T>, T>
    where T : unmanaged, INumber<T>
{
    private readonly Vector512<T> _value;

    private TileVector512(Vector512<T> value) => _value = value;

    public static int Count => Vector512<T>.Count;

    public static TileVector512<T> Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TileVector512<T> Create(T value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TileVector512<T> Load(ref T source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(TileVector512<T> value, ref T target, nuint index) => value._value.StoreUnsafe(ref target, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TileVector512<T> MultiplyAdd(TileVector512<T> x, TileVector512<T> y, TileVector512<T> sum) => new((x._value * y._value) + sum._value);
}
