using System;
using System.Runtime.ExceptionServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// The values of one pass-through input column for the rows of a read-ahead block: the upstream cursor has moved on
/// by the time the consumer reads them, so they are copied (deeply: getters may reuse their buffers). A value whose
/// getter fails (an upstream image that cannot be decoded) fails at its own row's getter, as it would unbuffered.
/// </summary>
internal abstract class CachedColumn
{
    private readonly ExceptionDispatchInfo?[] _errors;

    protected CachedColumn(int capacity) => _errors = new ExceptionDispatchInfo?[capacity];

    /// <summary>Copies the upstream row's value into <paramref name="slot"/>, or keeps its failure for that row's getter.</summary>
    public void Capture(int slot)
    {
        try
        {
            CaptureValue(slot);
            _errors[slot] = null;
        }
        catch (Exception e)
        {
            // Failing the block here would end the cursor; the rows after a bad one are still good.
            _errors[slot] = ExceptionDispatchInfo.Capture(e);
        }
    }

    protected abstract void CaptureValue(int slot);

    /// <summary>Rethrows the failure of the row in <paramref name="slot"/>, if its capture failed.</summary>
    protected void ThrowIfFailed(int slot) => _errors[slot]?.Throw();

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
        : base(capacity)
    {
        _getter = input.GetGetter<T>(column);
        _values = new T[capacity];
    }

    protected override void CaptureValue(int slot) => _getter(ref _values[slot]);

    public override Delegate GetGetter(BlockSlot slot) => (ValueGetter<T>)((ref T value) =>
        {
            ThrowIfFailed(slot.Value);
            value = _values[slot.Value];
        });
}

internal sealed class CachedTextColumn : CachedColumn
{
    private readonly ValueGetter<ReadOnlyMemory<char>> _getter;
    private readonly ReadOnlyMemory<char>[] _values;
    private ReadOnlyMemory<char> _current;

    public CachedTextColumn(DataViewRow input, DataViewSchema.Column column, int capacity)
        : base(capacity)
    {
        _getter = input.GetGetter<ReadOnlyMemory<char>>(column);
        _values = new ReadOnlyMemory<char>[capacity];
    }

    // A loader may hand out text over a buffer it reuses for the next line: keep a string of our own.
    protected override void CaptureValue(int slot)
    {
        _getter(ref _current);
        _values[slot] = _current.Length == 0 ? ReadOnlyMemory<char>.Empty : _current.ToString().AsMemory();
    }

    public override Delegate GetGetter(BlockSlot slot)
        => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
        {
            ThrowIfFailed(slot.Value);
            value = _values[slot.Value];
        });
}

internal sealed class CachedVectorColumn<T> : CachedColumn
{
    private readonly ValueGetter<VBuffer<T>> _getter;
    private readonly VBuffer<T>[] _values;
    private VBuffer<T> _current;

    public CachedVectorColumn(DataViewRow input, DataViewSchema.Column column, int capacity)
        : base(capacity)
    {
        _getter = input.GetGetter<VBuffer<T>>(column);
        _values = new VBuffer<T>[capacity];
    }

    protected override void CaptureValue(int slot)
    {
        _getter(ref _current);
        _current.CopyTo(ref _values[slot]);
    }

    public override Delegate GetGetter(BlockSlot slot)
        => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
        {
            ThrowIfFailed(slot.Value);
            _values[slot.Value].CopyTo(ref value);
        });
}
