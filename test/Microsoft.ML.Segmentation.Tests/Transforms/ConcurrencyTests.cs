using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>
/// One fitted LoadImages → ScoreOnnx → PredictMasks transformer shared by several threads: a PredictionEngine per
/// thread, and several cursors (read-ahead ones) over one transformed view at once, must give exactly what one thread
/// gives. The images come in three sizes so the threads also race on the model's output-shape cache and IOBinding pool.
/// </summary>
[TestClass]
public sealed class ConcurrencyTests
{
    private const int Threads = 8;
    private const int Predictions = 1000;
    private static readonly string[] Classes = { "background", "a", "b", "c" };

    public sealed class PathRow
    {
        public string ImagePath { get; set; } = string.Empty;
    }

    public sealed class MaskRow
    {
        [VectorType]
        public uint[] PredictedMask { get; set; } = Array.Empty<uint>();
    }

    [TestMethod]
    [DataRow(true, 4, DisplayName = "IOBinding, read-ahead blocks of 4")]
    [DataRow(false, 1, DisplayName = "plain Run, row by row")]
    public void PredictionEnginePerThreadMatchesSequential(bool ioBinding, int batchSize)
    {
        using var folder = new TempDirectory();
        PathRow[] rows = WriteImages(folder, 24);
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(rows);
        ITransformer model = Fit(ml, input, folder, ioBinding, batchSize);
        try
        {
            // An engine owns its transformer by default and disposes it (the shared ONNX session) with itself.
            var shared = new PredictionEngineOptions { OwnsTransformer = false };
            uint[][] expected;
            using (PredictionEngine<PathRow, MaskRow> engine = ml.Model.CreatePredictionEngine<PathRow, MaskRow>(model, shared))
            {
                expected = rows.Select(r => engine.Predict(r).PredictedMask).ToArray();
            }

            var results = new uint[Predictions][];
            Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
            {
                // PredictionEngine is not thread-safe: one per thread over the shared transformer.
                using PredictionEngine<PathRow, MaskRow> engine = ml.Model.CreatePredictionEngine<PathRow, MaskRow>(model, shared);
                for (int i = thread; i < Predictions; i += Threads)
                {
                    results[i] = engine.Predict(rows[i % rows.Length]).PredictedMask;
                }
            });

            for (int i = 0; i < Predictions; i++)
            {
                CollectionAssert.AreEqual(expected[i % rows.Length], results[i], $"prediction {i}");
            }
        }
        finally
        {
            Transformers.DisposeAll(model);
        }
    }

    [TestMethod]
    [DataRow(true, 4, DisplayName = "IOBinding, read-ahead blocks of 4")]
    [DataRow(false, 3, DisplayName = "plain Run, read-ahead blocks of 3")]
    public void ConcurrentCursorsOverOneViewMatchSequential(bool ioBinding, int batchSize)
    {
        using var folder = new TempDirectory();
        PathRow[] rows = WriteImages(folder, 30);
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(rows);
        ITransformer model = Fit(ml, input, folder, ioBinding, batchSize);
        try
        {
            IDataView scored = model.Transform(input);
            OnnxScoringTransformer scorer = ((IEnumerable<ITransformer>)model).OfType<OnnxScoringTransformer>().Single();
            List<uint[]> expected = ReadAll(scored);
            int blocks = ReadAheadCursor.BlocksInFlight(scorer.ReadAheadProducers);
            Assert.AreEqual(blocks, scorer.RetainedBufferSets, $"a finished cursor gives its {blocks} read-ahead blocks back");
            var results = new List<uint[]>[Threads * 2];

            // Each task opens its own cursors (passes) over the same view; a cursor is single-threaded, the view is not.
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = Threads }, pass => results[pass] = ReadAll(scored));

            int retained = scorer.RetainedBufferSets;
            Assert.IsTrue(retained >= blocks && retained <= BlockBufferPool<object>.MaxRetained, $"{retained} buffer sets retained");
            foreach (List<uint[]> result in results)
            {
                Assert.AreEqual(expected.Count, result.Count);
                for (int i = 0; i < expected.Count; i++)
                {
                    CollectionAssert.AreEqual(expected[i], result[i], $"row {i}");
                }
            }
        }
        finally
        {
            Transformers.DisposeAll(model);
        }
    }

    [TestMethod]
    public void CursorDisposedEarlyGivesItsBuffersBack()
    {
        using var folder = new TempDirectory();
        PathRow[] rows = WriteImages(folder, 20);
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(rows);
        ITransformer model = Fit(ml, input, folder, ioBinding: true, batchSize: 4);
        try
        {
            IDataView scored = model.Transform(input);
            OnnxScoringTransformer scorer = ((IEnumerable<ITransformer>)model).OfType<OnnxScoringTransformer>().Single();
            for (int pass = 0; pass < 10; pass++)
            {
                using DataViewRowCursor cursor = scored.GetRowCursor([scored.Schema["PredictedMask"]]);
                Assert.IsTrue(cursor.MoveNext());
            }

            Assert.AreEqual(ReadAheadCursor.BlocksInFlight(scorer.ReadAheadProducers), scorer.RetainedBufferSets);
        }
        finally
        {
            Transformers.DisposeAll(model);
        }
    }

    private static ITransformer Fit(MLContext ml, IDataView input, TempDirectory folder, bool ioBinding, int batchSize)
    {
        string modelPath = folder.File("head.onnx");
        File.WriteAllBytes(modelPath, TestModels.ConvHead());
        SegmentationTransforms transforms = ml.Segmentation().Transforms;
        return transforms.LoadImages()
            .Append(transforms.ScoreOnnx(modelPath, options: new OnnxSessionOptions { UseIoBinding = ioBinding, BatchSize = batchSize }))
            .Append(transforms.PredictMasks(Classes))
            .Fit(input);
    }

    private static List<uint[]> ReadAll(IDataView scored)
    {
        DataViewSchema.Column mask = scored.Schema["PredictedMask"];
        var masks = new List<uint[]>();
        using DataViewRowCursor cursor = scored.GetRowCursor([mask]);
        ValueGetter<VBuffer<uint>> get = cursor.GetGetter<VBuffer<uint>>(mask);
        VBuffer<uint> value = default;
        while (cursor.MoveNext())
        {
            get(ref value);
            masks.Add(value.DenseValues().ToArray());
        }

        return masks;
    }

    /// <summary>Random-pixel PNGs of 32×32, 24×40 and 40×24, cycling, so shapes change from row to row.</summary>
    private static PathRow[] WriteImages(TempDirectory folder, int count)
    {
        var random = new Random(11);
        (int W, int H)[] sizes = [(32, 32), (24, 40), (40, 24)];
        var rows = new PathRow[count];
        for (int i = 0; i < count; i++)
        {
            (int w, int h) = sizes[i % sizes.Length];
            using var image = new Image<Rgb24>(w, h);
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                }
            }

            rows[i] = new PathRow { ImagePath = folder.File($"img_{i:D2}.png") };
            image.SaveAsPng(rows[i].ImagePath);
        }

        return rows;
    }
}
