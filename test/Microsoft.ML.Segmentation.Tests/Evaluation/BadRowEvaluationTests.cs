using Microsoft.ML;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Evaluation;

/// <summary>
/// Evaluation over a pipeline whose data has corrupt images and missing masks in the middle: fail fast names the
/// file; skip-and-record equals evaluating the good rows alone and lists exactly the bad ones, read ahead or lazily.
/// </summary>
[TestClass]
public sealed class BadRowEvaluationTests
{
    private static readonly string[] Classes = { "background", "a", "b", "c" };

    public sealed class Row
    {
        public string Name { get; set; } = string.Empty;

        public string ImagePath { get; set; } = string.Empty;

        public string MaskPath { get; set; } = string.Empty;
    }

    /// <summary>Rows (and what is wrong with them) of 11 image/mask pairs: 2 a corrupt image, 5 a missing mask, 7 a missing image, 8 a corrupt mask.</summary>
    private static (Row[] Rows, Dictionary<int, string> Bad) CreateRows(TempDirectory folder)
    {
        var random = new Random(5);
        (int W, int H)[] sizes = [(16, 12), (9, 7), (20, 20)];
        var rows = new List<Row>();
        for (int i = 0; i < 11; i++)
        {
            (int w, int h) = sizes[i % sizes.Length];
            string image = folder.File($"img{i:D2}.png"), mask = folder.File($"img{i:D2}_mask.png");
            using (var picture = new Image<Rgb24>(w, h))
            {
                picture.ProcessPixelRows(a =>
                {
                    for (int y = 0; y < h; y++)
                    {
                        foreach (ref Rgb24 p in a.GetRowSpan(y))
                        {
                            p = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                        }
                    }
                });
                picture.SaveAsPng(image);
            }

            using (var labels = new Image<L8>(w, h))
            {
                labels.ProcessPixelRows(a =>
                {
                    for (int y = 0; y < h; y++)
                    {
                        foreach (ref L8 p in a.GetRowSpan(y))
                        {
                            p = new L8((byte)random.Next(4));
                        }
                    }
                });
                labels.SaveAsPng(mask);
            }

            rows.Add(new Row { Name = $"img{i:D2}", ImagePath = image, MaskPath = mask });
        }

        File.WriteAllBytes(rows[2].ImagePath, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4, 5]);
        File.Delete(rows[5].MaskPath);
        File.Delete(rows[7].ImagePath);
        File.WriteAllText(rows[8].MaskPath, "not a png");
        var bad = new Dictionary<int, string> { [2] = rows[2].ImagePath, [5] = rows[5].MaskPath, [7] = rows[7].ImagePath, [8] = rows[8].MaskPath };
        return (rows.ToArray(), bad);
    }

    private static SegmentationMetrics Evaluate(MLContext ml, IDataView input, int batchSize, int decodeAhead, BadRowPolicy policy)
    {
        // The pipeline is fitted on the first row only, which is good: fitting reads no bad file.
        IDataView first = ml.Data.TakeRows(input, 1);
        ITransformer model = ml.Segmentation().Transforms.LoadImages(options: new ImageTensorOptions { DecodeAhead = decodeAhead })
            .Append(ml.Segmentation().Transforms.LoadMasks(Classes))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(TestModels.ConvHead(), options: new OnnxSessionOptions { BatchSize = batchSize, UpsampleToInput = true }))
            .Append(ml.Segmentation().Transforms.PredictMasks(Classes))
            .Fit(first);
        try
        {
            return ml.Segmentation().Evaluate(model.Transform(input), options: new SegmentationEvaluatorOptions { OnBadRow = policy });
        }
        finally
        {
            Transformers.DisposeAll(model);
        }
    }

    [TestMethod]
    [DataRow(4, 8)]
    [DataRow(1, 1)]
    public void SkipAndRecordEqualsTheGoodRowsAloneAndListsTheBadOnes(int batchSize, int decodeAhead)
    {
        using var folder = new TempDirectory();
        (Row[] rows, Dictionary<int, string> bad) = CreateRows(folder);
        var ml = new MLContext(seed: 1);
        SegmentationMetrics skipped = Evaluate(ml, ml.Data.LoadFromEnumerable(rows), batchSize, decodeAhead, BadRowPolicy.SkipAndRecord);
        Row[] good = rows.Where((_, i) => !bad.ContainsKey(i)).ToArray();
        SegmentationMetrics expected = Evaluate(ml, ml.Data.LoadFromEnumerable(good), batchSize, decodeAhead, BadRowPolicy.FailFast);

        Assert.AreEqual(good.Length, skipped.ImageCount);
        Assert.AreEqual(expected.ImageCount, skipped.ImageCount);
        Assert.AreEqual(expected.PixelCount, skipped.PixelCount);
        Assert.AreEqual(expected.MeanIoU, skipped.MeanIoU);
        CollectionAssert.AreEqual(expected.GetConfusionMatrix(), skipped.GetConfusionMatrix());
        Assert.AreEqual(0, expected.SkippedImages.Count);
        CollectionAssert.AreEqual(bad.Keys.Select(i => (long)i).ToArray(), skipped.SkippedImages.Select(s => s.RowIndex).ToArray());
        foreach (SkippedImage s in skipped.SkippedImages)
        {
            Assert.AreEqual(rows[s.RowIndex].Name, s.Name);
            StringAssert.Contains(s.Reason, Path.GetFileName(bad[(int)s.RowIndex]), $"row {s.RowIndex}: {s.Reason}");
        }

        string text = skipped.GetFormattedPerClassTable();
        StringAssert.Contains(text, "4 image(s) skipped");
        StringAssert.Contains(text, "img07");
    }

    [TestMethod]
    [DataRow(4, 8)]
    [DataRow(1, 1)]
    public void FailFastThrowsNamingTheFirstBadFile(int batchSize, int decodeAhead)
    {
        using var folder = new TempDirectory();
        (Row[] rows, Dictionary<int, string> bad) = CreateRows(folder);
        var ml = new MLContext(seed: 1);
        Exception e = Assert.Throws<Exception>(() => Evaluate(ml, ml.Data.LoadFromEnumerable(rows), batchSize, decodeAhead, BadRowPolicy.FailFast));
        StringAssert.Contains(e.Message, Path.GetFileName(bad[2]), e.ToString());
    }

    [TestMethod]
    public void EvaluateStopsWhenCancelled()
    {
        using var folder = new TempDirectory();
        (Row[] rows, _) = CreateRows(folder);
        var ml = new MLContext(seed: 1);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        ITransformer model = ml.Segmentation().Transforms.LoadMasks(Classes, geometryColumnName: null).Fit(ml.Data.LoadFromEnumerable(rows));
        IDataView masks = model.Transform(ml.Data.LoadFromEnumerable(rows.Take(1)));
        Assert.Throws<OperationCanceledException>(() => ml.Segmentation().Evaluate(masks, predictedColumnName: "Mask", cancellation: cancel.Token));
    }
}
