using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>
/// The README's pipeline (LoadImages → LoadMasks → ScoreOnnx → ComputeLosses → PredictMasks), fitted on generated
/// images, masks and a generated ONNX model, through SaveModel and LoadModel; and the loss stages left out on request.
/// </summary>
[TestClass]
public sealed class ReadmePipelineArchiveTests
{
    private static readonly string[] Classes = { "background", "disc", "box", "triangle" };

    public sealed class Paths
    {
        public string ImagePath { get; set; } = string.Empty;

        public string MaskPath { get; set; } = string.Empty;
    }

    [TestMethod]
    public void TheReadmePipelineRoundTripsWithItsLosses()
    {
        string folder = CreateDataset(out Paths[] rows, out string modelPath);
        try
        {
            var ml = new MLContext(seed: 1);
            IDataView data = ml.Data.LoadFromEnumerable(rows);
            ITransformer model = ReadmePipeline(ml, modelPath, new Dictionary<string, ISegmentationLoss>
                { ["CrossEntropy"] = new CrossEntropyLoss(), ["Dice"] = new DiceLoss() }).Fit(data);
            string file = Path.Combine(folder, "model.segml");
            ml.Segmentation().SaveModel(model, file);
            File.Delete(modelPath); // the file carries the ONNX model itself

            ITransformer loaded = ml.Segmentation().LoadModel(file);
            IDataView before = model.Transform(data);
            IDataView after = loaded.Transform(data);
            Assert.AreEqual(Describe(before.Schema), Describe(after.Schema));
            StringAssert.Contains(Describe(after.Schema), "CrossEntropy:Single");
            StringAssert.Contains(Describe(after.Schema), "Dice:Single");
            CollectionAssert.AreEqual(Dump(before), Dump(after));
            Assert.AreEqual(rows.Length, Dump(after).Count);
            Transformers.DisposeAll(model);
            Transformers.DisposeAll(loaded);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AnApplicationsOwnLossIsRefusedByNameUnlessTheLossStagesAreOmitted()
    {
        string folder = CreateDataset(out Paths[] rows, out string modelPath);
        try
        {
            var ml = new MLContext(seed: 1);
            IDataView data = ml.Data.LoadFromEnumerable(rows);
            ITransformer model = ReadmePipeline(ml, modelPath, new Dictionary<string, ISegmentationLoss>
                { ["CrossEntropy"] = new CrossEntropyLoss(), ["Mine"] = new MeanScoreLoss() }).Fit(data);

            string refused = Path.Combine(folder, "refused.segml");
            var ex = Assert.ThrowsExactly<NotSupportedException>(() => ml.Segmentation().SaveModel(model, refused));
            StringAssert.Contains(ex.Message, typeof(MeanScoreLoss).FullName!);
            StringAssert.Contains(ex.Message, "'Mine'");
            StringAssert.Contains(ex.Message, nameof(SegmentationModelSaveOptions.OmitLossStages));
            Assert.IsFalse(File.Exists(refused), "nothing is written when a loss cannot be saved");
            using (var untouched = new MemoryStream())
            {
                Assert.ThrowsExactly<NotSupportedException>(() => ml.Segmentation().SaveModel(model, untouched, null));
                Assert.AreEqual(0, untouched.Length, "the stream is not written to either");
            }

            using var file = new MemoryStream();
            ml.Segmentation().SaveModel(model, file, new SegmentationModelSaveOptions { OmitLossStages = true });
            file.Position = 0;
            JsonObject manifest;
            using (var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true))
            using (Stream entry = zip.GetEntry("segml-model.json")!.Open())
            {
                manifest = (JsonObject)JsonNode.Parse(entry)!;
            }

            CollectionAssert.AreEqual(
                new[] { "LoadImages", "LoadMasks", "ScoreOnnx", "PredictMasks" },
                manifest["stages"]!.AsArray().Select(s => (string?)s!["kind"]).ToArray());
            JsonObject omitted = (JsonObject)manifest["omittedStages"]!.AsArray().Single()!;
            Assert.AreEqual("ComputeLosses", (string?)omitted["kind"]);
            Assert.AreEqual(3, (int)omitted["position"]!);
            CollectionAssert.AreEqual(new[] { "CrossEntropy", "Mine" }, omitted["lossColumns"]!.AsArray().Select(c => (string?)c).ToArray());
            Assert.AreEqual("Scores", (string?)omitted["scores"]);
            Assert.AreEqual("Mask", (string?)omitted["mask"]);

            file.Position = 0;
            ITransformer loaded = ml.Segmentation().LoadModel(file);
            Assert.IsFalse(((IEnumerable<ITransformer>)loaded).OfType<LossComputingTransformer>().Any());
            IDataView before = model.Transform(data);
            IDataView after = loaded.Transform(data);
            string[] lossColumns = ["CrossEntropy", "Mine"];
            Assert.IsFalse(after.Schema.Any(c => lossColumns.Contains(c.Name)));
            Assert.AreEqual(Describe(before.Schema, lossColumns), Describe(after.Schema));
            CollectionAssert.AreEqual(Dump(before, lossColumns), Dump(after));
            Transformers.DisposeAll(model);
            Transformers.DisposeAll(loaded);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The README's example, with its losses given here.</summary>
    private static IEstimator<ITransformer> ReadmePipeline(MLContext ml, string modelPath, Dictionary<string, ISegmentationLoss> losses)
        => ml.Segmentation().Transforms.LoadImages(options: ImageTensorOptions.ImageNet())
            .Append(ml.Segmentation().Transforms.LoadMasks(Classes))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(modelPath))
            .Append(ml.Segmentation().Transforms.ComputeLosses(losses))
            .Append(ml.Segmentation().Transforms.PredictMasks(Classes));

    private static string Describe(DataViewSchema schema, params string[] except)
        => string.Join(", ", schema.Where(c => !c.IsHidden && !except.Contains(c.Name)).Select(c => $"{c.Name}:{c.Type}"));

    /// <summary>Every visible column of every row as text (floats in round-trip form), so two views compare exactly.</summary>
    private static List<string> Dump(IDataView view, params string[] except)
    {
        DataViewSchema.Column[] columns = view.Schema.Where(c => !c.IsHidden && !except.Contains(c.Name)).ToArray();
        using DataViewRowCursor cursor = view.GetRowCursor(columns);
        Func<string>[] readers = columns.Select(c => Reader(cursor, c)).ToArray();
        var rows = new List<string>();
        while (cursor.MoveNext())
        {
            rows.Add(string.Join(" | ", readers.Select(r => r())));
        }

        return rows;
    }

    private static Func<string> Reader(DataViewRow row, DataViewSchema.Column column)
    {
        Type raw = column.Type is VectorDataViewType vector ? vector.ItemType.RawType : column.Type.RawType;
        bool isVector = column.Type is VectorDataViewType;
        return raw == typeof(float) ? Read<float>(row, column, isVector)
            : raw == typeof(uint) ? Read<uint>(row, column, isVector)
            : raw == typeof(int) ? Read<int>(row, column, isVector)
            : raw == typeof(ReadOnlyMemory<char>) ? Read<ReadOnlyMemory<char>>(row, column, isVector)
            : throw new AssertFailedException($"Column '{column.Name}' has a type the test does not read: {column.Type}.");
    }

    private static Func<string> Read<T>(DataViewRow row, DataViewSchema.Column column, bool isVector)
    {
        static string Text(T value) => value is float f ? f.ToString("R", CultureInfo.InvariantCulture) : value?.ToString() ?? string.Empty;
        if (isVector)
        {
            ValueGetter<VBuffer<T>> vector = row.GetGetter<VBuffer<T>>(column);
            return () =>
            {
                VBuffer<T> buffer = default;
                vector(ref buffer);
                return $"{column.Name}[{buffer.Length}]=" + string.Join(",", buffer.DenseValues().Select(Text));
            };
        }

        ValueGetter<T> scalar = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            scalar(ref value);
            return $"{column.Name}=" + Text(value);
        };
    }

    private static string CreateDataset(out Paths[] rows, out string modelPath)
    {
        string folder = Path.Combine(Path.GetTempPath(), "segml-readme-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var random = new Random(11);
        var list = new List<Paths>();
        foreach ((int w, int h) in new[] { (14, 10), (8, 8), (17, 12) })
        {
            string image = Path.Combine(folder, $"img_{w}x{h}.png");
            string mask = Path.Combine(folder, $"img_{w}x{h}_mask.png");
            using (var picture = new Image<Rgb24>(w, h))
            using (var labels = new Image<L8>(w, h))
            {
                for (int y = 0; y < h; y++)
                {
                    for (int x = 0; x < w; x++)
                    {
                        picture[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                        labels[x, y] = new L8((byte)random.Next(Classes.Length));
                    }
                }

                picture.SaveAsPng(image);
                labels.SaveAsPng(mask);
            }

            list.Add(new Paths { ImagePath = image, MaskPath = mask });
        }

        modelPath = Path.Combine(folder, "head.onnx");
        File.WriteAllBytes(modelPath, TestModels.ConvHead());
        rows = list.ToArray();
        return folder;
    }
}
