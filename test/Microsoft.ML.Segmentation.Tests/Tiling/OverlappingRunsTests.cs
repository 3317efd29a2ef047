using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>
/// Runs that overlap the blend (the GPU mode of tiled inference, forced here on the CPU): the same scores bit for bit as
/// runs one after the other, the predictor still called one run at a time and in order, and a failure anywhere leaves
/// no run going on after the call returns.
/// </summary>
[TestClass]
public sealed class OverlappingRunsTests
{
    private static readonly TilingOptions s_options = new() { TileSize = [8, 8], Overlap = [0.25], Blend = TileBlend.Gaussian, TilesPerRun = 2, PaddingValue = 0.5f };

    /// <summary>A predictor that records the order of its calls and fails if two ever run at once.</summary>
    private sealed class Recorder(WindowPredictor inner, int delayMs = 0)
    {
        private int _running;

        public List<int> Batches { get; } = [];

        public WindowPredictor Predictor => (windows, shape) =>
        {
            Assert.AreEqual(1, Interlocked.Increment(ref _running), "two runs at once");
            try
            {
                if (delayMs > 0)
                {
                    Thread.Sleep(delayMs); // the next run's windows are read meanwhile: into another buffer, or this run sees them
                }

                IReadOnlyList<FloatTensor> output = inner(windows, shape);

                lock (Batches)
                {
                    Batches.Add(shape[0]);
                }

                return output;
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        };
    }

    /// <summary>
    /// Mixing's head written into two output buffers taken in turn, as TiledInference keeps them: each call first fills
    /// its buffer with NaN and waits, so a blend still reading that buffer (a run started two runs early) would see NaN.
    /// </summary>
    private static WindowPredictor TwoBuffers(int classes)
    {
        float[][] buffers = [[], []];
        int call = 0;
        return (windows, shape) =>
        {
            int slot = call++ & 1;
            IReadOnlyList<FloatTensor> fresh = TilingTestPredictors.Mixing(classes)(windows, shape);
            ReadOnlySpan<float> values = fresh[0].Values.Span;
            if (buffers[slot].Length < values.Length)
            {
                buffers[slot] = new float[values.Length];
            }

            buffers[slot].AsSpan().Fill(float.NaN);
            Thread.Sleep(2);
            values.CopyTo(buffers[slot]);
            return [new FloatTensor(buffers[slot].AsMemory(0, values.Length), fresh[0].Shape)];
        };
    }

    [TestMethod]
    [DataRow(37, 29)]
    [DataRow(5, 30)]
    [DataRow(20, 8)]
    public void OverlappingRunsGiveTheSerialScoresBitForBit(int height, int width)
    {
        float[] image = TilingTestPredictors.Random(3 * height * width, height + width);
        float[] serial = Into(new BandedSlidingWindow(3, height, width, s_options), image, height, width, TilingTestPredictors.Mixing(4));
        var recorder = new Recorder(TwoBuffers(4), delayMs: 2);
        float[] overlapped = Into(new BandedSlidingWindow(3, height, width, s_options) { OverlapRuns = true }, image, height, width, recorder.Predictor);
        CollectionAssert.AreEqual(serial.Select(BitConverter.SingleToInt32Bits).ToArray(), overlapped.Select(BitConverter.SingleToInt32Bits).ToArray());

        int windows = WindowGrid.Create([height, width], s_options).WindowCount;
        CollectionAssert.AreEqual(Enumerable.Range(0, (windows + 1) / 2).Select(r => Math.Min(2, windows - (2 * r))).ToArray(), recorder.Batches, "runs in order, one at a time");
    }

    [TestMethod]
    public void AFailedRunOrBlendLeavesNoRunInFlight()
    {
        const int height = 37, width = 29;
        float[] image = TilingTestPredictors.Random(3 * height * width, 1);
        int calls = 0, finished = 0;
        WindowPredictor failing = (windows, shape) =>
        {
            int call = Interlocked.Increment(ref calls);
            IReadOnlyList<FloatTensor> output = TilingTestPredictors.Mixing(call == 2 ? 5 : 4)(windows, shape); // run 2 changes K: its blend fails
            Thread.Sleep(call == 3 ? 100 : 1); // run 3 is still going on when run 2's blend fails
            Interlocked.Increment(ref finished);
            return output;
        };

        var tiler = new BandedSlidingWindow(3, height, width, s_options) { OverlapRuns = true };
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Into(tiler, image, height, width, failing));
        StringAssert.Contains(e.Message, "5"); // the blend's complaint about run 2
        Assert.AreEqual(3, Volatile.Read(ref finished), "run 3, in flight when the blend failed, finished before the call returned");
        int callsWhenThrown = Volatile.Read(ref calls), finishedWhenThrown = Volatile.Read(ref finished);
        Thread.Sleep(150);
        Assert.AreEqual(callsWhenThrown, Volatile.Read(ref calls), "no run started after the call returned");
        Assert.AreEqual(finishedWhenThrown, Volatile.Read(ref finished), "no run finished after the call returned");

        calls = 0;
        WindowPredictor failsAtOnce = (windows, shape) => Interlocked.Increment(ref calls) == 2 ? throw new InvalidOperationException("run 2 failed") : TilingTestPredictors.Mixing(4)(windows, shape);
        var second = Assert.ThrowsExactly<InvalidOperationException>(() => Into(new BandedSlidingWindow(3, height, width, s_options) { OverlapRuns = true }, image, height, width, failsAtOnce));
        Assert.AreEqual("run 2 failed", second.Message);
    }

    /// <summary>A tiler over a real ONNX session, its runs forced to overlap: the scores of runs one after the other.</summary>
    [TestMethod]
    public void TiledInferenceOverlappingRunsScoresAsSerialRuns()
    {
        using SegmentationModel model = SegmentationModel.Load(TestModels.ConvHead());
        var serial = new TiledInference(model, s_options) { OverlapRuns = false };
        var overlapped = new TiledInference(model, s_options) { OverlapRuns = true };
        Assert.IsFalse(new TiledInference(model, s_options).OverlapsRuns, "on the CPU the runs do not overlap by default");
        Assert.IsTrue(overlapped.OverlapsRuns);
        Assert.IsFalse(new TiledInference(model, s_options, new TestTimeAugmentationOptions { Flips = TtaFlips.Horizontal }) { OverlapRuns = true }.OverlapsRuns, "never with test-time augmentation");
        foreach ((int height, int width) in new[] { (37, 29), (40, 40), (9, 30) })
        {
            float[] image = TilingTestPredictors.Random(3 * height * width, height * width);
            float[] expected = [], actual = [];
            serial.Score(image, height, width, ref expected);
            overlapped.Score(image, height, width, ref actual);
            CollectionAssert.AreEqual(expected.Select(BitConverter.SingleToInt32Bits).ToArray(), actual.Select(BitConverter.SingleToInt32Bits).ToArray(), $"{width}x{height}");
        }
    }

    /// <summary>Progress comes on the thread that scores the image, once per run, up to the window count: with runs overlapping or not, and with test-time augmentation (its runs of a batch counted once).</summary>
    [TestMethod]
    [DataRow(true, false)]
    [DataRow(false, false)]
    [DataRow(false, true)]
    public void ProgressComesOnTheScoringThreadOncePerRun(bool overlap, bool augmented)
    {
        using SegmentationModel model = SegmentationModel.Load(TestModels.ConvHead());
        TestTimeAugmentationOptions? augmentation = augmented ? new TestTimeAugmentationOptions { Flips = TtaFlips.HorizontalAndVertical } : null;
        var tiler = new TiledInference(model, s_options, augmentation) { OverlapRuns = overlap };
        var calls = new List<(int Thread, int Done, int Total)>();
        tiler.WindowsDone = (done, total) => calls.Add((Environment.CurrentManagedThreadId, done, total));
        const int height = 37, width = 29;
        float[] scores = [];
        for (int image = 0; image < 2; image++)
        {
            calls.Clear();
            tiler.Score(TilingTestPredictors.Random(3 * height * width, image), height, width, ref scores);
            int windows = tiler.Plan(height, width).WindowCount;
            Assert.HasCount((windows + 1) / 2, calls, "one call per run of two windows");
            Assert.IsTrue(calls.All(c => c.Thread == Environment.CurrentManagedThreadId), "on the scoring thread");
            CollectionAssert.AreEqual(Enumerable.Range(1, calls.Count).Select(r => Math.Min(2 * r, windows)).ToArray(), calls.Select(c => c.Done).ToArray());
            Assert.IsTrue(calls.All(c => c.Total == windows));
        }
    }

    private static float[] Into(BandedSlidingWindow tiler, float[] image, int height, int width, WindowPredictor predictor)
    {
        var result = new float[4 * height * width];
        tiler.RunInto((top, left, rows, columns, destination) => PlanarRegion.Copy(image, 3, height, width, top, left, rows, columns, destination), predictor, k => result);
        return result;
    }
}
