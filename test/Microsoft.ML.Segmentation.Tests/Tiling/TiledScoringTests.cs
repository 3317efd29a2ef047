using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tiling;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>
/// <c>ScoreOnnx</c> with <see cref="OnnxSessionOptions.Tiling"/>: checked against the N-d sliding-window kernel run
/// with the model as its predictor, against untiled scoring where tiling must not change anything, and with a model
/// whose fixed input size only tiling can feed.
/// </summary>
[TestClass]
public sealed class TiledScoringTests
{
    public sealed class TensorRow
    {
        [VectorType]
        public float[] Image { get; set; } = [];

        [VectorType(8)]
        public int[] ImageGeometry { get; set; } = [];
    }

    private static TensorRow Row(int height, int width, int seed) => new()
    {
        Image = TestModels.RandomImages(1, height, width, seed),
        ImageGeometry = [width, height, width, height, 0, 0, width, height],
    };

    private static float[] Score(byte[] model, TensorRow row, OnnxSessionOptions? options)
    {
        var ml = new MLContext(seed: 0);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { row });
        using OnnxScoringTransformer scorer = ml.Segmentation().Transforms.ScoreOnnx(model, options: options).Fit(data);
        return scorer.Transform(data).GetColumn<VBuffer<float>>("Scores").Single().DenseValues().ToArray();
    }

    [TestMethod]
    [DataRow(8, 8, 0.25, TileBlend.Constant, 1)]
    [DataRow(8, 12, 0.5, TileBlend.Gaussian, 3)]
    [DataRow(12, 8, 0.0, TileBlend.Gaussian, 4)]
    [DataRow(16, 16, 0.75, TileBlend.Constant, 2)]
    public void TiledScoreOnnxEqualsTheSlidingWindowKernelWithTheModelAsPredictor(int tileHeight, int tileWidth, double overlap, TileBlend blend, int perRun)
    {
        const int Height = 13, Width = 29;
        TensorRow row = Row(Height, Width, seed: 5);
        var tiling = new TilingOptions { TileSize = [tileHeight, tileWidth], Overlap = [overlap], Blend = blend, TilesPerRun = perRun };
        float[] tiled = Score(TestModels.Stride4Head(), row, new OnnxSessionOptions { Tiling = tiling });

        // The independent path: MONAI's N-d algorithm, the model run window batch by window batch.
        using SegmentationModel model = SegmentationModel.Load(TestModels.Stride4Head());
        float[] buffer = [];
        IReadOnlyList<FloatTensor> expected = SlidingWindowInference.Run(row.Image, [1, 3, Height, Width], tiling, (windows, shape) =>
        {
            var s = model.Run(windows, shape[0], shape[2], shape[3], ref buffer);
            return [new FloatTensor(buffer.AsMemory(0, s.ElementCount).ToArray(), [s.Batch, s.Classes, s.Height, s.Width])];
        });
        float[] reference = expected[0].Values.ToArray();
        Assert.AreEqual(reference.Length, tiled.Length);
        for (int i = 0; i < reference.Length; i++)
        {
            Assert.AreEqual(reference[i], tiled[i], 1e-6f, $"value {i}");
        }

        float[] untiled = Score(TestModels.Stride4Head(), row, null);
        Assert.IsTrue(untiled.Zip(tiled).Any(p => Math.Abs(p.First - p.Second) > 1e-4), "a pooling model's windows see less context than the whole image");
    }

    [TestMethod]
    public void ATileCoveringTheImageChangesNothing()
    {
        TensorRow row = Row(12, 20, seed: 2);
        float[] untiled = Score(TestModels.Stride4Head(), row, null);
        float[] constant = Score(TestModels.Stride4Head(), row, new OnnxSessionOptions { Tiling = new TilingOptions { TileSize = [12, 20] } });
        CollectionAssert.AreEqual(untiled, constant);

        // Gaussian: one window's Σ w·s / Σ w is s up to the rounding of one multiply and one divide.
        float[] gaussian = Score(TestModels.Stride4Head(), row, new OnnxSessionOptions { Tiling = new TilingOptions { TileSize = [12, 20], Blend = TileBlend.Gaussian } });
        for (int i = 0; i < untiled.Length; i++)
        {
            Assert.AreEqual(untiled[i], gaussian[i], 1e-6f * Math.Max(1, Math.Abs(untiled[i])), $"value {i}");
        }
    }

    [TestMethod]
    public void AFixedSizeModelScoresAnyImageThroughTiles()
    {
        // FixedSizeHead is the pointwise conv head with an input fixed at 8x8: tiles of 8x8 let it score a 13x21 image,
        // and a pointwise model's blended windows equal the whole image scored by the same head with a free size.
        TensorRow row = Row(13, 21, seed: 9);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Score(TestModels.FixedSizeHead(), row, null)).Message, "does not fit");
        float[] tiled = Score(TestModels.FixedSizeHead(), row, new OnnxSessionOptions { Tiling = new TilingOptions { TileSize = [8, 8], Overlap = [0.5], Blend = TileBlend.Gaussian, TilesPerRun = 1 } });
        float[] direct = TestModels.ConvHeadReference(row.Image, 1, 13, 21);
        Assert.AreEqual(direct.Length, tiled.Length);
        for (int i = 0; i < direct.Length; i++)
        {
            Assert.AreEqual(direct[i], tiled[i], 1e-5f, $"value {i}");
        }
    }

    [TestMethod]
    public void AMaskModelCannotBeTiled()
    {
        var ml = new MLContext(seed: 0);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => ml.Segmentation().Transforms.ScoreOnnx(
            TestModels.ArgmaxMask(), options: new OnnxSessionOptions { Tiling = new TilingOptions { TileSize = [8, 8] } }, maskClassNames: ["a", "b", "c", "d"]));
        StringAssert.Contains(error.Message, "Tiling");
    }

    /// <summary>Each row scored by a fresh transformer of its own, and one transformer (to dispose) shared by the test's cursors.</summary>
    private static (float[][] Fresh, OnnxScoringTransformer Scorer, IDataView Scored) SharedScorer(TensorRow[] rows, OnnxSessionOptions options)
    {
        float[][] fresh = rows.Select(r => Score(TestModels.Stride4Head(), r, options)).ToArray();
        var ml = new MLContext(seed: 0);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        OnnxScoringTransformer scorer = ml.Segmentation().Transforms.ScoreOnnx(TestModels.Stride4Head(), options: options).Fit(data);
        return (fresh, scorer, scorer.Transform(data));
    }

    private static float[][] AllScores(IDataView scored) => scored.GetColumn<VBuffer<float>>("Scores").Select(v => v.DenseValues().ToArray()).ToArray();

    [TestMethod]
    public void CursorsReuseTheRowBuffersAndStillScoreEachImageAsAFreshTransformer()
    {
        // Rows of two sizes, large then small then large, read by cursors one after another and by two at once: the
        // pooled row buffers (input, scores, tiler) carry over between cursors, so each cursor's scores must equal a
        // fresh transformer's for the same rows, and every cursor's set must come back to the pool.
        TensorRow[] rows = [Row(37, 45, seed: 1), Row(13, 29, seed: 2), Row(40, 33, seed: 3)];
        var options = new OnnxSessionOptions { Tiling = new TilingOptions { TileSize = [16, 16], Overlap = [0.25], Blend = TileBlend.Gaussian, TilesPerRun = 2 } };
        (float[][] fresh, OnnxScoringTransformer scorer, IDataView scored) = SharedScorer(rows, options);
        using OnnxScoringTransformer owned = scorer;
        for (int pass = 0; pass < 2; pass++)
        {
            float[][] values = AllScores(scored);
            for (int i = 0; i < rows.Length; i++)
            {
                CollectionAssert.AreEqual(fresh[i], values[i], $"pass {pass}, row {i}");
            }

            Assert.AreEqual(1, scorer.RetainedRowBufferSets, "a finished cursor gives its row buffers back");
        }

        DataViewSchema.Column column = scored.Schema["Scores"];
        using (DataViewRowCursor first = scored.GetRowCursor([column]))
        using (DataViewRowCursor second = scored.GetRowCursor([column]))
        {
            ValueGetter<VBuffer<float>> a = first.GetGetter<VBuffer<float>>(column), b = second.GetGetter<VBuffer<float>>(column);
            VBuffer<float> va = default, vb = default;
            for (int i = 0; first.MoveNext() && second.MoveNext(); i++)
            {
                b(ref vb);
                a(ref va);
                CollectionAssert.AreEqual(fresh[i], va.DenseValues().ToArray(), $"first cursor, row {i}");
                CollectionAssert.AreEqual(fresh[i], vb.DenseValues().ToArray(), $"second cursor, row {i}");
            }
        }

        Assert.AreEqual(2, scorer.RetainedRowBufferSets, "two cursors at once: two sets, both given back");
    }

    [TestMethod]
    public void CursorsOnSeveralThreadsEachGetTheirOwnTilerAndTheSameScores()
    {
        TensorRow[] rows = [Row(37, 45, seed: 11), Row(40, 33, seed: 12), Row(13, 29, seed: 13)];
        var options = new OnnxSessionOptions { Tiling = new TilingOptions { TileSize = [16, 16], Overlap = [0.5], Blend = TileBlend.Gaussian, TilesPerRun = 3 } };
        (float[][] fresh, OnnxScoringTransformer scorer, IDataView scored) = SharedScorer(rows, options);
        using OnnxScoringTransformer owned = scorer;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, thread =>
        {
            for (int pass = 0; pass < 5; pass++)
            {
                float[][] values = AllScores(scored);
                for (int i = 0; i < rows.Length; i++)
                {
                    if (!fresh[i].SequenceEqual(values[i]))
                    {
                        failures.Add($"thread {thread}, pass {pass}, row {i}");
                    }
                }
            }
        });

        Assert.IsTrue(failures.IsEmpty, string.Join("; ", failures));
        Assert.IsTrue(scorer.RetainedRowBufferSets is >= 1 and <= 4, $"{scorer.RetainedRowBufferSets} sets kept: one per cursor that overlapped another, at most");
    }

    [TestMethod]
    public void TilingIsSavedWithTheModel()
    {
        var ml = new MLContext(seed: 0);
        TensorRow row = Row(10, 14, seed: 4);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { row });
        var tiling = new TilingOptions { TileSize = [8, 8], Overlap = [0.3], Blend = TileBlend.Gaussian, SigmaScale = [0.2], TilesPerRun = 2, PaddingValue = -1 };
        using OnnxScoringTransformer scorer = ml.Segmentation().Transforms.ScoreOnnx(TestModels.Stride4Head(), options: new OnnxSessionOptions { Tiling = tiling }).Fit(data);
        using var stream = new MemoryStream();
        ml.Segmentation().SaveModel(scorer, stream);
        stream.Position = 0;
        ITransformer loaded = ml.Segmentation().LoadModel(stream);
        float[] before = scorer.Transform(data).GetColumn<VBuffer<float>>("Scores").Single().DenseValues().ToArray();
        float[] after = loaded.Transform(data).GetColumn<VBuffer<float>>("Scores").Single().DenseValues().ToArray();
        CollectionAssert.AreEqual(before, after);
        (loaded as IDisposable)?.Dispose();
    }
}

/// <summary><c>ScoreOnnx</c> with <see cref="OnnxSessionOptions.TestTimeAugmentation"/>, with and without tiling.</summary>
[TestClass]
public sealed class AugmentedScoringTests
{
    public sealed class TensorRow
    {
        [VectorType]
        public float[] Image { get; set; } = [];

        [VectorType(8)]
        public int[] ImageGeometry { get; set; } = [];
    }

    private static (float[] Scores, bool? Probabilities) Score(TensorRow row, OnnxSessionOptions? options)
    {
        var ml = new MLContext(seed: 0);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { row });
        using OnnxScoringTransformer scorer = ml.Segmentation().Transforms.ScoreOnnx(TestModels.ConvHead(), options: options).Fit(data);
        IDataView scored = scorer.Transform(data);
        return (scored.GetColumn<VBuffer<float>>("Scores").Single().DenseValues().ToArray(), ColumnTypes.ScoreKindOf(scored.Schema["Scores"]));
    }

    /// <summary>The conv head is pointwise, so every flip and rotation undone gives the plain scores back: a logit merge is the plain output, a probability merge its softmax.</summary>
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void APointwiseModelIsUnchangedByFlipsAndRotations(bool tiled)
    {
        const int Size = 9;
        var row = new TensorRow { Image = TestModels.RandomImages(1, Size, Size, seed: 6), ImageGeometry = [Size, Size, Size, Size, 0, 0, Size, Size] };
        (float[] plain, bool? plainKind) = Score(row, null);
        Assert.AreEqual(false, plainKind);
        TilingOptions? tiling = tiled ? new TilingOptions { TileSize = [5, 5], Overlap = [0.5], Blend = TileBlend.Gaussian, TilesPerRun = 2 } : null;

        (float[] logits, bool? logitKind) = Score(row, new OnnxSessionOptions { Tiling = tiling, TestTimeAugmentation = new TestTimeAugmentationOptions { Flips = TtaFlips.D4, Merge = TtaMerge.Logits } });
        Assert.AreEqual(false, logitKind);
        for (int i = 0; i < plain.Length; i++)
        {
            Assert.AreEqual(plain[i], logits[i], 1e-5f, $"logit {i}");
        }

        (float[] probabilities, bool? probabilityKind) = Score(row, new OnnxSessionOptions { Tiling = tiling, TestTimeAugmentation = new TestTimeAugmentationOptions { Flips = TtaFlips.HorizontalAndVertical } });
        Assert.AreEqual(true, probabilityKind, "a probability merge annotates the scores as probabilities");
        int pixels = Size * Size, classes = plain.Length / pixels;
        for (int p = 0; p < pixels; p++)
        {
            double max = Enumerable.Range(0, classes).Max(k => (double)plain[(k * pixels) + p]);
            double sum = Enumerable.Range(0, classes).Sum(k => Math.Exp(plain[(k * pixels) + p] - max));
            for (int k = 0; k < classes; k++)
            {
                Assert.AreEqual(Math.Exp(plain[(k * pixels) + p] - max) / sum, probabilities[(k * pixels) + p], 1e-5, $"probability {k},{p}");
            }
        }
    }

    [TestMethod]
    public void D4NeedsSquareTiles()
    {
        var ml = new MLContext(seed: 0);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().Transforms.ScoreOnnx(TestModels.ConvHead(), options: new OnnxSessionOptions
        {
            Tiling = new TilingOptions { TileSize = [8, 6] },
            TestTimeAugmentation = new TestTimeAugmentationOptions { Flips = TtaFlips.D4 },
        }).Fit(ml.Data.LoadFromEnumerable(new[] { new TensorRow { Image = new float[3 * 10 * 10], ImageGeometry = [10, 10, 10, 10, 0, 0, 10, 10] } })).Transform(
            ml.Data.LoadFromEnumerable(new[] { new TensorRow { Image = new float[3 * 10 * 10], ImageGeometry = [10, 10, 10, 10, 0, 0, 10, 10] } })).GetColumn<VBuffer<float>>("Scores").ToArray());
        StringAssert.Contains(error.Message, "Flips");
    }
}
