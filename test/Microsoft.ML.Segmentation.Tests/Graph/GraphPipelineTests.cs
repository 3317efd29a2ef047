using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Graph;

/// <summary>Post-processing in the graph through SegML's own ML.NET stages, and through SegML's model archive.</summary>
[TestClass]
public sealed class GraphPipelineTests
{
    private static readonly string[] Classes = ["a", "b", "c", "d"];

    public sealed class PathRow
    {
        public string ImagePath { get; set; } = string.Empty;
    }

    [TestMethod]
    public void ScoreOnnxWithGraphArgMaxEqualsPredictMasksAndSurvivesSaveModel()
    {
        using var temp = new TempDirectory();
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        PathRow[] rows = Enumerable.Range(0, 3).Select(i =>
        {
            string path = temp.File($"image_{i}.png");
            using var image = new Image<Rgb24>(19, 14);
            for (int y = 0; y < 14; y++)
            {
                for (int x = 0; x < 19; x++)
                {
                    image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                }
            }

            image.SaveAsPng(path);
            return new PathRow { ImagePath = path };
        }).ToArray();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        byte[] model = GraphTestModels.Stride4Head(13);

        // Reference: managed upsampling (ScoreOnnx's default) then PredictMasks. Under test: Resize + ArgMax in the graph.
        ITransformer managed = ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.ScoreOnnx(model))
            .Append(ml.Segmentation().Transforms.PredictMasks(Classes))
            .Fit(data);
        var options = new OnnxSessionOptions { PostProcessing = new OnnxPostProcessingOptions { ResizeToInput = true, ArgMax = true, MaskElementType = OnnxMaskElementType.UInt8 } };
        ITransformer inGraph = ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.ScoreOnnx(model, outputColumnName: "PredictedMask", options: options, maskClassNames: Classes))
            .Fit(data);
        uint[][] expected = Masks(managed.Transform(data));
        CollectionAssert.AreEqual(expected.SelectMany(m => m).ToArray(), Masks(inGraph.Transform(data)).SelectMany(m => m).ToArray());

        // The post-processing options are part of the saved stage: the loaded pipeline edits the graph again.
        string zip = temp.File("segml.zip");
        ml.Segmentation().SaveModel(inGraph, zip);
        ITransformer loaded = new MLContext(seed: 2).Segmentation().LoadModel(zip);
        CollectionAssert.AreEqual(expected.SelectMany(m => m).ToArray(), Masks(loaded.Transform(data)).SelectMany(m => m).ToArray());
        foreach (ITransformer chain in new[] { managed, inGraph, loaded })
        {
            foreach (ITransformer t in (IEnumerable<ITransformer>)chain)
            {
                (t as IDisposable)?.Dispose();
            }
        }
    }

    private static uint[][] Masks(IDataView scored) =>
        scored.GetColumn<VBuffer<uint>>("PredictedMask").Select(m => m.DenseValues().ToArray()).ToArray();
}
