using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>The read-ahead buffer pool under concurrent rents and returns: reuses sets and never holds more than its bound.</summary>
[TestClass]
public sealed class BlockBufferPoolTests
{
    [TestMethod]
    public void ConcurrentRentAndReturnStayWithinTheBound()
    {
        int created = 0;
        var pool = new BlockBufferPool<object>(() =>
        {
            Interlocked.Increment(ref created);
            return new object();
        });
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (int i = 0; i < 2000; i++)
            {
                object a = pool.Rent(), b = pool.Rent();
                pool.Return(a);
                pool.Return(b);
                Assert.IsTrue(pool.RetainedCount <= BlockBufferPool<object>.MaxRetained);
            }
        });

        Assert.IsTrue(pool.RetainedCount <= BlockBufferPool<object>.MaxRetained);
        Assert.IsTrue(created < 8 * 2000, $"{created} sets created for 32,000 rents: the pool does not reuse");
    }

    [TestMethod]
    public void ReturnsBeyondTheBoundAreDropped()
    {
        var pool = new BlockBufferPool<object>(() => new object());
        object[] sets = Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToArray();
        foreach (object set in sets)
        {
            pool.Return(set);
        }

        Assert.AreEqual(BlockBufferPool<object>.MaxRetained, pool.RetainedCount);
        Assert.AreSame(sets[0], pool.Rent());
    }
}
