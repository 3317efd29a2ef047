using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>
/// A read-ahead cursor with several producer threads, on a transformer whose blocks finish out of order (the first
/// block of every three sleeps, the others do not): the rows still come out in upstream order with their own values,
/// blocks really are computed at once, a failed block surfaces at its first row after every row before it, and a
/// cursor disposed early or run dry stops its producers.
/// </summary>
[TestClass]
public sealed class ReadAheadCursorTests
{
    public sealed class Row
    {
        public float X { get; set; }
    }

    private static IDataView Rows(MLContext ml, int count)
        => ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new Row { X = i }));

    private static List<(long Position, float X, float Y)> ReadAll(IDataView scored)
    {
        var rows = new List<(long, float, float)>();
        using DataViewRowCursor cursor = scored.GetRowCursor(scored.Schema);
        ValueGetter<float> x = cursor.GetGetter<float>(scored.Schema["X"]);
        ValueGetter<float> y = cursor.GetGetter<float>(scored.Schema["Y"]);
        float xv = 0, yv = 0;
        while (cursor.MoveNext())
        {
            x(ref xv);
            y(ref yv);
            rows.Add((cursor.Position, xv, yv));
        }

        return rows;
    }

    [TestMethod]
    [DataRow(3, 3, 40)]
    [DataRow(2, 2, 41)]
    [DataRow(1, 4, 9)]
    [DataRow(5, 2, 3)]
    public void RowsComeOutInUpstreamOrderWhenLaterBlocksFinishFirst(int blockSize, int producers, int count)
    {
        var ml = new MLContext(seed: 1);
        var transformer = new SlowDoubling(blockSize, producers, sleepMs: 15);
        List<(long Position, float X, float Y)> rows = ReadAll(transformer.Transform(Rows(ml, count)));

        Assert.AreEqual(count, rows.Count);
        for (int i = 0; i < count; i++)
        {
            Assert.AreEqual((long)i, rows[i].Position);
            Assert.AreEqual((float)i, rows[i].X, $"row {i}: the pass-through column");
            Assert.AreEqual(2f * i, rows[i].Y, $"row {i}: the computed column");
        }

        if (count > blockSize * 3 && producers > 1)
        {
            Assert.IsTrue(transformer.MostComputesAtOnce > 1, "blocks are computed on several threads at once");
        }

        Assert.IsTrue(transformer.MostComputesAtOnce <= producers);
    }

    [TestMethod]
    public void AFailedBlockSurfacesAtItsFirstRowAfterEveryRowBeforeIt()
    {
        var ml = new MLContext(seed: 1);
        var transformer = new SlowDoubling(blockSize: 3, producers: 3, sleepMs: 5, failingRow: 17);
        IDataView scored = transformer.Transform(Rows(ml, 40));
        using DataViewRowCursor cursor = scored.GetRowCursor(scored.Schema);
        ValueGetter<float> y = cursor.GetGetter<float>(scored.Schema["Y"]);
        float value = 0;
        int served = 0;
        var failure = Assert.ThrowsExactly<InvalidOperationException>(() =>
        {
            while (cursor.MoveNext())
            {
                y(ref value);
                Assert.AreEqual(2f * served, value);
                served++;
            }
        });

        // Row 17 is in the block of rows 15 to 17: that block's rows are not served, every row before it is.
        Assert.AreEqual(15, served);
        StringAssert.Contains(failure.Message, "row 17");
        Assert.IsFalse(cursor.MoveNext(), "the cursor ends after its failure");
    }

    [TestMethod]
    public void ACursorDisposedEarlyStopsItsProducers()
    {
        var ml = new MLContext(seed: 1);
        var transformer = new SlowDoubling(blockSize: 2, producers: 3, sleepMs: 5);
        IDataView scored = transformer.Transform(Rows(ml, 1000));
        var reading = Task.Run(() =>
        {
            using DataViewRowCursor cursor = scored.GetRowCursor(scored.Schema);
            for (int i = 0; i < 5; i++)
            {
                Assert.IsTrue(cursor.MoveNext());
            }
        });

        Assert.IsTrue(reading.Wait(TimeSpan.FromSeconds(30)), "Dispose returned");
        reading.GetAwaiter().GetResult();
        int captured = transformer.RowsCaptured;
        Thread.Sleep(100);
        Assert.AreEqual(captured, transformer.RowsCaptured, "no row is read after Dispose");
        Assert.AreEqual(0, transformer.ComputesRunning);
        // At most the blocks in flight were read: 3 producers + 1 blocks of 2 rows, beyond the 5 rows served.
        Assert.IsTrue(captured <= 6 + 2 * ReadAheadCursor.BlocksInFlight(3), $"{captured} rows read");
    }

    /// <summary>
    /// Adds Y = 2·X in read-ahead blocks; a block whose first row is a multiple of three blocks sleeps first, so the
    /// blocks after it finish before it. Counts what the cursor asks of it.
    /// </summary>
    private sealed class SlowDoubling(int blockSize, int producers, int sleepMs, int failingRow = -1) : SegmentationTransformerBase
    {
        private int _running;
        private int _most;
        private int _captured;

        public int MostComputesAtOnce => Volatile.Read(ref _most);

        public int ComputesRunning => Volatile.Read(ref _running);

        public int RowsCaptured => Volatile.Read(ref _captured);

        private int BlockSize => blockSize;

        private int SleepMs => sleepMs;

        private int FailingRow => failingRow;

        internal override IReadOnlyList<SegmentationColumn> AddedColumns { get; } = [new SegmentationColumn("Y", NumberDataViewType.Single)];

        internal override IReadOnlyList<InputColumn> InputColumns { get; } = [new InputColumn("X", "x", "a Single", t => t == NumberDataViewType.Single)];

        internal override int ReadAheadBlockSize => BlockSize;

        internal override int ReadAheadProducers => producers;

        internal override BlockComputation ComputeBlock(DataViewRow input, int capacity) => new Block(this, input, capacity);

        internal override StageDescription Describe() => throw new NotSupportedException();

        private protected override RowComputation CreateComputation(DataViewRow input) => throw new NotSupportedException("rows are read ahead");

        private sealed class Block(SlowDoubling owner, DataViewRow input, int capacity) : BlockComputation
        {
            private readonly ValueGetter<float> _x = input.GetGetter<float>(input.Schema["X"]);
            private readonly float[] _in = new float[capacity];
            private readonly float[] _out = new float[capacity];

            public override void Capture(int slot)
            {
                _x(ref _in[slot]);
                Interlocked.Increment(ref owner._captured);
            }

            public override void Compute(int count)
            {
                int running = Interlocked.Increment(ref owner._running);
                int most;
                while (running > (most = Volatile.Read(ref owner._most)) && Interlocked.CompareExchange(ref owner._most, running, most) != most)
                {
                }

                try
                {
                    if ((int)_in[0] / owner.BlockSize % 3 == 0)
                    {
                        Thread.Sleep(owner.SleepMs);
                    }

                    for (int i = 0; i < count; i++)
                    {
                        if ((int)_in[i] == owner.FailingRow)
                        {
                            throw new InvalidOperationException($"row {owner.FailingRow} cannot be computed");
                        }

                        _out[i] = 2 * _in[i];
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref owner._running);
                }
            }

            public override Delegate GetGetter(int outputIndex, BlockSlot slot)
                => (ValueGetter<float>)((ref float value) => value = _out[slot.Value]);
        }
    }
}
