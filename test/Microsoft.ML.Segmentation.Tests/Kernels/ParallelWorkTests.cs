using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>
/// <see cref="ParallelWork"/>: every item runs exactly once whatever the thread count, an item's exception comes back
/// as itself (not wrapped), and a caller whose helpers cannot start (a busy pool) still finishes the work alone.
/// </summary>
[TestClass]
public sealed class ParallelWorkTests
{
    [TestMethod]
    [DataRow(0, 4)]
    [DataRow(1, 4)]
    [DataRow(7, 1)]
    [DataRow(1000, 2)]
    [DataRow(1000, 64)]
    public void EveryItemRunsExactlyOnce(int count, int maxThreads)
    {
        int[] runs = new int[count];
        ParallelWork.For(count, maxThreads, i => Interlocked.Increment(ref runs[i]));
        CollectionAssert.AreEqual(Enumerable.Repeat(1, count).ToArray(), runs);
    }

    [TestMethod]
    public void AnItemsExceptionIsRethrownAsItself()
    {
        var thrown = Assert.ThrowsExactly<ArgumentException>(() =>
            ParallelWork.For(200, 4, i =>
            {
                Thread.SpinWait(1000);
                if (i == 123)
                {
                    throw new ArgumentException("item 123 is bad");
                }
            }));
        Assert.AreEqual("item 123 is bad", thrown.Message);
        StringAssert.Contains(thrown.StackTrace, nameof(AnItemsExceptionIsRethrownAsItself), "the item's own stack trace is kept");
    }

    [TestMethod]
    public void TheCallerFinishesAloneWhenThePoolIsBusy()
    {
        // Occupy every pool thread the pool has now, so queued helpers start late or not at all before the caller is done.
        ThreadPool.GetMinThreads(out int workers, out _);
        using var release = new ManualResetEventSlim();
        var blockers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => release.Wait())).ToArray();
        try
        {
            int[] runs = new int[64];
            var watch = System.Diagnostics.Stopwatch.StartNew();
            ParallelWork.For(runs.Length, Environment.ProcessorCount, i => Interlocked.Increment(ref runs[i]));
            CollectionAssert.AreEqual(Enumerable.Repeat(1, runs.Length).ToArray(), runs);
            // The pool injects a thread only after about half a second of starvation; the caller must not wait for it.
            Assert.IsTrue(watch.ElapsedMilliseconds < 400, $"took {watch.ElapsedMilliseconds} ms");
        }
        finally
        {
            release.Set();
            Task.WaitAll(blockers);
        }
    }
}
