using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>
/// Class names that do not match the model: with fewer names than output channels, the unnamed classes' pixels used to
/// become key 0, which Evaluate read as class 0 (a 5-class model evaluated with 3 names gave mIoU 0.91 instead of 0.45).
/// Every such pipeline must fail with an <see cref="ArgumentException"/> naming both counts, and a predicted key 0 is
/// never a class.
/// </summary>
[TestClass]
public sealed class ClassCountTests
{
    private static readonly string[] Four = { "background", "a", "b", "c" };
    private static readonly string[] Three = { "background", "a", "b" };

    public sealed class Paths
    {
        public string ImagePath { get; set; } = string.Empty;

        public string MaskPath { get; set; } = string.Empty;
    }

    public sealed class KeyedMasks
    {
        [KeyType(3)]
        [VectorType]
        public uint[] Mask { get; set; } = [];

        [KeyType(3)]
        [VectorType]
        public uint[] PredictedMask { get; set; } = [];
    }

    /// <summary>
    /// A model that does not fit the class names fails on every row: under SkipAndRecord it must still stop the
    /// evaluation, not be skipped row after row into "no row could be evaluated" (or, with a few good rows, a subset).
    /// </summary>
    [TestMethod]
    public void AModelThatDoesNotFitTheClassNamesIsNeverASkippedRow()
    {
        using var folder = new TempDirectory();
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows(folder));
        ITransformer fitted = FourChannelsThreeNames(ml, folder, data);
        var options = new Microsoft.ML.Segmentation.Evaluation.SegmentationEvaluatorOptions { OnBadRow = Microsoft.ML.Segmentation.Evaluation.BadRowPolicy.SkipAndRecord };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().Evaluate(fitted.Transform(data), options: options));
        StringAssert.Contains(error.Message, "4 score channels");
        (fitted as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void FewerNamesThanScoreChannelsFailsNamingBothCounts()
    {
        using var folder = new TempDirectory();
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows(folder));
        ITransformer fitted = FourChannelsThreeNames(ml, folder, data);

        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().Evaluate(fitted.Transform(data)));
        StringAssert.Contains(error.Message, "4 score channels");
        StringAssert.Contains(error.Message, "3 class names");

        // The same at the first row of a plain cursor, read ahead or not.
        IDataView scored = fitted.Transform(data);
        using DataViewRowCursor cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "PredictedMask"));
        ValueGetter<VBuffer<uint>> getter = cursor.GetGetter<VBuffer<uint>>(scored.Schema["PredictedMask"]);
        Assert.IsTrue(cursor.MoveNext());
        VBuffer<uint> value = default;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => getter(ref value)).Message, "4 score channels");
    }

    [TestMethod]
    public void PredictedAndLabelClassCountsMustAgree()
    {
        using var folder = new TempDirectory();
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows(folder));
        string model = folder.File("head.onnx");
        File.WriteAllBytes(model, TestModels.ConvHead());
        IDataView scored = ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.LoadMasks(Three))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(model))
            .Append(ml.Segmentation().Transforms.PredictMasks(Four))
            .Fit(data).Transform(data);

        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().Evaluate(scored));
        StringAssert.Contains(error.Message, "'PredictedMask' has 4 classes but 'Mask' has 3");
    }

    [TestMethod]
    public void OneChannelModelNeedsTwoNames()
    {
        using var folder = new TempDirectory();
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows(folder));
        string model = folder.File("binary.onnx");
        File.WriteAllBytes(model, TestModels.BinarySigmoid());
        IDataView scored = ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.LoadMasks(Three))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(model))
            .Append(ml.Segmentation().Transforms.PredictMasks(Three))
            .Fit(data).Transform(data);

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().Evaluate(scored)).Message, "a one-channel model is binary");
    }

    [TestMethod]
    public void MaskModelPredictingAnUnnamedClassFails()
    {
        using var folder = new TempDirectory();
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows(folder));
        string model = folder.File("argmax.onnx");
        File.WriteAllBytes(model, TestModels.ArgmaxMask()); // the 4-channel head followed by ArgMax
        IDataView scored = ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.LoadMasks(["background", "a"]))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(model, outputColumnName: "PredictedMask", maskClassNames: ["background", "a"]))
            .Fit(data).Transform(data);

        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().Evaluate(scored));
        StringAssert.Contains(error.Message, "only 2 class names were given");
    }

    [TestMethod]
    public void PredictedKeyZeroIsNeverClassZero()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new KeyedMasks { Mask = [1, 2, 3, 1], PredictedMask = [1, 2, 3, 1] },
            new KeyedMasks { Mask = [1, 1, 2, 2], PredictedMask = [1, 0, 2, 2] },
        });

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Segmentation().Evaluate(data));
        StringAssert.Contains(error.Message, "Row 1");
        StringAssert.Contains(error.Message, "missing key (0) at pixel 1");
    }

    /// <summary>Two random images with masks of classes 0..1, which 2, 3 and 4 names all accept.</summary>
    /// <summary>The four-channel conv head scored and predicted with three class names.</summary>
    private static ITransformer FourChannelsThreeNames(MLContext ml, TempDirectory folder, IDataView data)
    {
        string model = folder.File("head.onnx");
        File.WriteAllBytes(model, TestModels.ConvHead()); // 4 score channels
        return ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.LoadMasks(Three))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(model))
            .Append(ml.Segmentation().Transforms.PredictMasks(Three))
            .Fit(data);
    }

    private static Paths[] Rows(TempDirectory folder)
    {
        var random = new Random(7);
        var rows = new List<Paths>();
        for (int i = 0; i < 2; i++)
        {
            string image = folder.File($"img{i}.png"), mask = folder.File($"img{i}_mask.png");
            using (var picture = new Image<Rgb24>(8, 6))
            {
                for (int y = 0; y < 6; y++)
                {
                    for (int x = 0; x < 8; x++)
                    {
                        picture[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                    }
                }

                picture.SaveAsPng(image);
            }

            using (var labels = new Image<L8>(8, 6))
            {
                for (int y = 0; y < 6; y++)
                {
                    for (int x = 0; x < 8; x++)
                    {
                        labels[x, y] = new L8((byte)random.Next(2));
                    }
                }

                labels.SaveAsPng(mask);
            }

            rows.Add(new Paths { ImagePath = image, MaskPath = mask });
        }

        return rows.ToArray();
    }
}
