using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Runs independent work items on the calling thread and, when there is enough work to pay for it, on thread-pool
/// helpers. Each item writes its own outputs, so results do not depend on scheduling.
/// </summary>
/// <remarks>
/// Unlike <c>Parallel.For</c>, the caller never waits for a helper that has not started: it claims items itself until
/// none are left and then waits only for items a helper is running. Inside a pipeline whose pool threads are busy
/// (ONNX Runtime runs, decoding), <c>Parallel.For</c> made the caller wait, spinning and then blocked, until a pool
/// thread picked up a replica that had nothing left to do; a helper queued here that starts late finds no item and
/// returns. The first exception of an item is rethrown as itself (not wrapped), after the items already running end;
/// items not started by then are skipped.
/// </remarks>
internal static class ParallelWork
{
    /// <summary>Below this many elements in total, kernels stay on the calling thread.</summary>
    public const int MinimumParallelElements = 1 << 16;

    /// <summary>Calls <paramref name="body"/> for each item in <c>[0, count)</c>, in parallel when <paramref name="totalElements"/> is large.</summary>
    public static void For(int count, long totalElements, Action<int> body)
    {
        if (totalElements < MinimumParallelElements)
        {
            Sequential(count, body);
            return;
        }

        For(count, Environment.ProcessorCount, body);
    }

    /// <summary>Calls <paramref name="body"/> for each item in <c>[0, count)</c> on at most <paramref name="maxThreads"/> threads, the caller's included.</summary>
    public static void For(int count, int maxThreads, Action<int> body)
    {
        int helpers = Math.Min(maxThreads, count) - 1;
        if (helpers <= 0 || Environment.ProcessorCount == 1)
        {
            Sequential(count, body);
            return;
        }

        var loop = new SharedLoop(count, body);
        for (int h = 0; h < helpers; h++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static l => l.Work(), loop, preferLocal: false);
        }

        loop.Work();
        loop.WaitForRunningItems();
        loop.Failure?.Throw();
    }

    private static void Sequential(int count, Action<int> body)
    {
        for (int i = 0; i < count; i++)
        {
            body(i);
        }
    }

    /// <summary>The items of one call, claimed one at a time by whichever thread asks next.</summary>
    private sealed class SharedLoop(int count, Action<int> body)
    {
        private readonly object _gate = new();
        private int _next = -1;
        private int _finished;
        private int _failed;

        public ExceptionDispatchInfo? Failure { get; private set; }

        public void Work()
        {
            int item;
            while ((item = Interlocked.Increment(ref _next)) < count)
            {
                try
                {
                    if (Volatile.Read(ref _failed) == 0)
                    {
                        body(item);
                    }
                }
                catch (Exception e)
                {
                    if (Interlocked.Exchange(ref _failed, 1) == 0)
                    {
                        Failure = ExceptionDispatchInfo.Capture(e);
                    }
                }

                if (Interlocked.Increment(ref _finished) == count)
                {
                    lock (_gate)
                    {
                        Monitor.PulseAll(_gate);
                    }
                }
            }
        }

        /// <summary>Returns once every item has finished; called after the caller's own <see cref="Work"/>, so only items a helper holds remain.</summary>
        public void WaitForRunningItems()
        {
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _finished) < count && !spinner.NextSpinWillYield)
            {
                spinner.SpinOnce();
            }

            if (Volatile.Read(ref _finished) < count)
            {
                lock (_gate)
                {
                    while (_finished < count)
                    {
                        Monitor.Wait(_gate);
                    }
                }
            }
        }
    }
}
