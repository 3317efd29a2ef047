using System;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// The values of one pass-through input column for the rows of a read-ahead block: the upstream cursor has moved on
/// by the time the consumer reads them, so they are copied (deeply: getters may reuse their buffers).
/// </summary>
internal abstract class CachedColumn
{
    public abstract void Capture(int slot);

    public abstract Delegate GetGetter(BlockSlot slot);

    public static CachedColumn Create(DataViewRow input, DataViewSchema.Column column, int capacity)
    {
        Type raw = column.Type.RawType;
        Type type = raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)
            ? typeof(CachedVectorColumn<>).MakeGenericType(raw.GetGenericArguments()[0])
            : raw == typeof(ReadOnlyMemory<char>) ? typeof(CachedTextColumn) : typeof(CachedScalarColumn<>).MakeGenericType(raw);
        return (CachedColumn)Activator.CreateInstance(type, input, column, capacity)!;
    }
}

internal sealed class CachedScalarColumn<T> : CachedColumn
{
    private readonly ValueGetter<T> _getter;
    private readonly T[] _values;

    public CachedScalarColumn(DataViewRow input, DataViewSchema.Column column, int capacity)
    {
        _getter = input.GetGetter<T>(column);
        _values = new T[capacity];
    }

    public override void Capture(int slot) => _getter(ref _values[slot]);

    public override Delegate GetGetter(BlockSlot slot) => (ValueGetter<T>)((ref T value) => value = _values[slot.Value]);
}

internal sealed class CachedTextColumn : CachedColumn
{
    private readonly ValueGetter<ReadOnlyMemory<char>> _getter;
    private readonly ReadOnlyMemory<char>[] _values;
    private ReadOnlyMemory<char> _current;

    public CachedTextColumn(DataViewRow input, DataViewSchema.Column column, int capacity)
    {
        _getter = input.GetGetter<ReadOnlyMemory<char>>(column);
        _values = new ReadOnlyMemory<char>[capacity];
    }

    // A loader may hand out text over a buffer it reuses for the next line: keep a string of our own.
    public override void Capture(int slot)
    {
        _getter(ref _current);
        _values[slot] = _current.Length == 0 ? ReadOnlyMemory<char>.Empty : _current.ToString().AsMemory();
    }

    public override Delegate GetGetter(BlockSlot slot)
        => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = _values[slot.Value]);
}

internal sealed class CachedVectorColumn<T> : CachedColumn
{
    private readonly ValueGetter<VBuffer<T>> _getter;
    private readonly VBuffer<T>[] _values;
    private VBuffer<T> _current;

    public CachedVectorColumn(DataViewRow input, DataViewSchema.Column column, int capacity)
    {
        _getter = input.GetGetter<VBuffer<T>>(column);
        _values = new VBuffer<T>[capacity];
    }

    public override void Capture(int slot)
    {
        _getter(ref _current);
        _current.CopyTo(ref _values[slot]);
    }

    public override Delegate GetGetter(BlockSlot slot)
        => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[slot.Value].CopyTo(ref value));
}
