using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Losses;

[TestClass]
public sealed class LovaszExtensionTests
{
    [TestMethod]
    public void JaccardWeights_ReferenceExample()
    {
        var weights = new double[5];
        LovaszExtension.JaccardWeights([true, false, true, true, false], weights);
        LovaszTestData.AssertClose([1.0 / 3, 1.0 / 6, 0.25, 0.25, 0.0], weights, 1e-15);
    }

    [TestMethod]
    public void JaccardWeights_NoForeground_IsFirstUnit()
    {
        var weights = new double[3];
        LovaszExtension.JaccardWeights([false, false, false], weights);
        LovaszTestData.AssertClose([1.0, 0.0, 0.0], weights, 0.0);
    }

    [TestMethod]
    public void JaccardWeights_ShortDestination_Throws()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => LovaszExtension.JaccardWeights([true, false], new double[1]));
        Assert.AreEqual("destination", ex.ParamName);
    }

    [TestMethod]
    public void JaccardWeights_SumToTheJaccardLossOfEverything()
    {
        var random = new Random(4);
        for (int trial = 0; trial < 20; trial++)
        {
            bool[] fg = Enumerable.Range(0, 1 + random.Next(30)).Select(_ => random.Next(2) == 1).ToArray();
            var weights = new double[fg.Length];
            LovaszExtension.JaccardWeights(fg, weights);
            double expected = LovaszBruteForce.JaccardLoss(fg, Enumerable.Repeat(true, fg.Length).ToArray());
            Assert.AreEqual(expected, weights.Sum(), 1e-12);
        }
    }

    [TestMethod]
    public void BinaryErrors_ExtensionEqualsJaccardLossOfMispredictedSet()
    {
        // For m ∈ {0,1}^p the Lovász extension is the set function itself: Δ_J of the mispredicted pixels.
        var random = new Random(6);
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Activation = Activation.None, ClassSelection = LovaszClassSelection.All });
        for (int trial = 0; trial < 50; trial++)
        {
            int p = 1 + random.Next(80);
            int[] labels = Enumerable.Range(0, p).Select(_ => random.Next(2)).ToArray();
            bool[] mispredicted = Enumerable.Range(0, p).Select(_ => random.Next(3) == 0).ToArray();
            double[] probabilities = Enumerable.Range(0, p).Select(i => (labels[i] == 1) ^ mispredicted[i] ? 1.0 : 0.0).ToArray();
            double value = loss.Compute<double>(probabilities, new SegmentationShape(1, 1, 1, p), SegmentationTarget<double>.FromLabels(labels));
            bool[] fg = labels.Select(l => l == 1).ToArray();
            Assert.AreEqual(LovaszBruteForce.JaccardLoss(fg, mispredicted), value, 1e-12, $"trial {trial}");
        }
    }

    [TestMethod]
    public void Extension_MatchesChoquetIntegralOnRandomErrors()
    {
        var random = new Random(7);
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Activation = Activation.None, ClassSelection = LovaszClassSelection.All });
        for (int trial = 0; trial < 30; trial++)
        {
            int p = 1 + random.Next(120);
            int[] labels = Enumerable.Range(0, p).Select(_ => random.Next(2)).ToArray();
            double[] probabilities = LovaszTestData.Uniform(random, p, 0, 1);
            double[] errors = probabilities.Select((q, i) => Math.Abs(labels[i] - q)).ToArray();
            double value = loss.Compute<double>(probabilities, new SegmentationShape(1, 1, 1, p), SegmentationTarget<double>.FromLabels(labels));
            Assert.AreEqual(LovaszBruteForce.Extension(errors, labels.Select(l => l == 1).ToArray()), value, 1e-12);
        }
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(47)]
    [DataRow(48)]
    [DataRow(49)]
    [DataRow(1000)]
    [DataRow(70000)] // 11-bit digits
    [DataRow(140000)] // above LovaszSorter.WideDigitLimit: bytes
    public void Sorter_IsStableAndAscending(int count)
    {
        // Few distinct keys, so ties are common; the digits in use vary between the passes.
        var random = new Random(count);
        uint[] narrow = Enumerable.Range(0, count).Select(_ => ((uint)random.Next(300) << 12) | (uint)random.Next(2)).ToArray();
        CheckSorted(narrow);
        ulong[] wide = Enumerable.Range(0, count).Select(_ => ((ulong)random.Next(50) << 40) | (uint)random.Next(3)).ToArray();
        CheckSorted(wide);
        uint[] everyBit = Enumerable.Range(0, count).Select(_ => (uint)random.NextInt64(1L << 32)).ToArray(); // every digit varies
        CheckSorted(everyBit);
        ulong[] everyWideBit = Enumerable.Range(0, count).Select(_ => (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63)).ToArray();
        CheckSorted(everyWideBit);
    }

    [TestMethod]
    public void KeyEncoding_RoundTripsAndOrdersDecreasing()
    {
        double[] errors = [3.5, 1e-30, 0.25, 1.0, 7e10];
        ulong[] keysD = errors.Select(e => LovaszKernel.Encode<double, ulong>(e)).ToArray();
        uint[] keysF = errors.Select(e => LovaszKernel.Encode<float, uint>((float)e)).ToArray();
        for (int i = 0; i < errors.Length; i++)
        {
            Assert.AreEqual(errors[i], LovaszKernel.Decode(keysD[i]), 0.0);
            Assert.AreEqual((float)errors[i], (float)LovaszKernel.Decode(keysF[i]), 0.0f);
            for (int j = 0; j < errors.Length; j++)
            {
                Assert.AreEqual(errors[i] > errors[j], keysD[i] < keysD[j]);
                Assert.AreEqual(errors[i] > errors[j], keysF[i] < keysF[j]);
            }
        }
    }

    private static void CheckSorted<TKey>(TKey[] keys)
        where TKey : unmanaged, System.Numerics.IBinaryInteger<TKey>, System.Numerics.IUnsignedNumber<TKey>
    {
        int count = keys.Length;
        int[] items = Enumerable.Range(0, count).ToArray();
        var expected = keys.Select((k, i) => (Key: k, Item: i)).OrderBy(x => x.Key).ToArray(); // OrderBy is stable
        var keyScratch = new TKey[count];
        var itemScratch = new int[count];
        bool inScratch = LovaszSorter.Sort<TKey>(keys, items, keyScratch, itemScratch, new int[LovaszSorter.CounterLength<TKey>()]);
        CollectionAssert.AreEqual(expected.Select(x => x.Key).ToArray(), inScratch ? keyScratch : keys);
        CollectionAssert.AreEqual(expected.Select(x => x.Item).ToArray(), inScratch ? itemScratch : items);
    }
}
