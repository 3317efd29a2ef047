using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

/// <summary>IOBinding (outputs written straight into the caller's or a pooled buffer) against plain Run, bit for bit.</summary>
[TestClass]
public sealed class IoBindingTests
{
    private static readonly (int Batch, int Height, int Width)[] Shapes = [(1, 8, 8), (2, 8, 8), (1, 8, 8), (3, 12, 20), (2, 8, 8), (3, 12, 20), (1, 5, 7)];

    private static (SegmentationModel Bound, SegmentationModel Plain) Load(byte[] model, bool upsample = false)
        => (SegmentationModel.Load(model, new OnnxSessionOptions { UpsampleToInput = upsample }),
            SegmentationModel.Load(model, new OnnxSessionOptions { UseIoBinding = false, UpsampleToInput = upsample }));

    public static IEnumerable<object[]> ScoreModels()
    {
        yield return ["ConvHead", false];
        yield return ["SoftmaxHead", false];
        yield return ["BinarySigmoid", false];
        yield return ["Stride4Head", false];
        yield return ["Stride4Head", true];
    }

    private static byte[] ModelNamed(string name) => name switch
    {
        "ConvHead" => TestModels.ConvHead(),
        "SoftmaxHead" => TestModels.SoftmaxHead(),
        "BinarySigmoid" => TestModels.BinarySigmoid(),
        "Stride4Head" => TestModels.Stride4Head(),
        "ArgmaxMask" => TestModels.ArgmaxMask(),
        "ArgmaxMaskInt32" => TestModels.ArgmaxMaskInt32(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [TestMethod]
    [DynamicData(nameof(ScoreModels))]
    public void ScoresAreIdenticalToPlainRun(string name, bool upsample)
    {
        (SegmentationModel bound, SegmentationModel plain) = Load(ModelNamed(name), upsample);
        using (bound)
        using (plain)
        {
            int seed = 0;
            foreach ((int batch, int height, int width) in Shapes)
            {
                float[] input = TestModels.RandomImages(batch, height, width, seed++);
                float[] expected = [];
                float[] actual = [];
                SegmentationShape expectedShape = plain.Run(input, batch, height, width, ref expected);
                SegmentationShape actualShape = bound.Run(input, batch, height, width, ref actual);
                Assert.AreEqual(expectedShape, actualShape);
                CollectionAssert.AreEqual(expected[..expectedShape.ElementCount], actual[..actualShape.ElementCount]);

                var intoSpan = new float[actualShape.ElementCount + 3];
                Array.Fill(intoSpan, float.NaN);
                bound.Run(input, batch, height, width, intoSpan);
                CollectionAssert.AreEqual(expected[..expectedShape.ElementCount], intoSpan[..expectedShape.ElementCount]);
                Assert.IsTrue(intoSpan[expectedShape.ElementCount..].All(float.IsNaN), "IOBinding wrote past the output.");

                var expectedLabels = new int[batch * height * width];
                var actualLabels = new int[batch * height * width];
                plain.RunMask(input, batch, height, width, expectedLabels);
                bound.RunMask(input, batch, height, width, actualLabels);
                CollectionAssert.AreEqual(expectedLabels, actualLabels);
            }

            // Every shape after its first sighting ran bound: 7 shapes, 4 distinct, 3 calls per shape.
            Assert.AreEqual((3 * Shapes.Length) - 4, bound.BoundRunCount);
            Assert.AreEqual(0, plain.BoundRunCount);
        }
    }

    [TestMethod]
    [DataRow("ArgmaxMask")]
    [DataRow("ArgmaxMaskInt32")]
    public void IntegerMasksAreIdenticalToPlainRun(string name)
    {
        (SegmentationModel bound, SegmentationModel plain) = Load(ModelNamed(name));
        using (bound)
        using (plain)
        {
            int seed = 10;
            foreach ((int batch, int height, int width) in Shapes)
            {
                float[] input = TestModels.RandomImages(batch, height, width, seed++);
                var expected = new int[batch * height * width];
                var actual = new int[batch * height * width];
                plain.RunMask(input, batch, height, width, expected);
                bound.RunMask(input, batch, height, width, actual);
                CollectionAssert.AreEqual(expected, actual);

                var scores = TestModels.ConvHeadReference(input, batch, height, width);
                var reference = new int[actual.Length];
                Microsoft.ML.Segmentation.Metrics.MaskPrediction.Argmax<float>(scores, new SegmentationShape(batch, TestModels.Classes, height, width), reference);
                CollectionAssert.AreEqual(reference, actual);
            }

            Assert.AreEqual(Shapes.Length - 4, bound.BoundRunCount);
        }
    }

    [TestMethod]
    public void ConcurrentCallersEachGetTheirOwnBinding()
    {
        (SegmentationModel bound, SegmentationModel plain) = Load(TestModels.ConvHead());
        using (bound)
        using (plain)
        {
            var inputs = Enumerable.Range(0, 48).Select(i => (Shape: Shapes[i % Shapes.Length], Data: TestModels.RandomImages(Shapes[i % Shapes.Length].Batch, Shapes[i % Shapes.Length].Height, Shapes[i % Shapes.Length].Width, 100 + i))).ToArray();
            var expected = inputs.Select(x =>
            {
                float[] scores = [];
                plain.Run(x.Data, x.Shape.Batch, x.Shape.Height, x.Shape.Width, ref scores);
                return scores;
            }).ToArray();
            var actual = new float[inputs.Length][];
            Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                float[] scores = [];
                bound.Run(inputs[i].Data, inputs[i].Shape.Batch, inputs[i].Shape.Height, inputs[i].Shape.Width, ref scores);
                actual[i] = scores;
            });
            for (int i = 0; i < inputs.Length; i++)
            {
                CollectionAssert.AreEqual(expected[i], actual[i], $"call {i}");
            }

            Assert.IsTrue(bound.BoundRunCount > 0);
        }
    }

    [TestMethod]
    public void TooShortDestinationIsRejectedBeforeRunning()
    {
        using SegmentationModel bound = SegmentationModel.Load(TestModels.ConvHead());
        float[] input = TestModels.RandomImages(1, 8, 8, 1);
        float[] scores = [];
        bound.Run(input, 1, 8, 8, ref scores);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => bound.Run(input, 1, 8, 8, new float[10]));
        Assert.AreEqual("scores", ex.ParamName);
        StringAssert.Contains(ex.Message, "256");
    }
}
