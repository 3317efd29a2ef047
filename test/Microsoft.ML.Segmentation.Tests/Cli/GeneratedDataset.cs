using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary>A small dataset in a temp folder: RGB images, index masks (with some 255 ignore pixels) and the <see cref="TestModels.ConvHead"/> model.</summary>
internal sealed class GeneratedDataset : IDisposable
{
    private readonly TempDirectory _temp = new();

    public GeneratedDataset(params (string Name, int Width, int Height)[] images)
    {
        Images = _temp.Sub("images");
        Masks = _temp.Sub("masks");
        Model = _temp.File("conv.onnx");
        System.IO.File.WriteAllBytes(Model, TestModels.ConvHead());
        var random = new Random(42);
        foreach ((string name, int width, int height) in images)
        {
            using var image = new Image<Rgb24>(width, height);
            using var mask = new Image<L8>(width, height);
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                    mask[x, y] = new L8((byte)(random.Next(10) == 0 ? 255 : random.Next(TestModels.Classes)));
                }
            }

            image.SaveAsPng(Path.Combine(Images, name + ".png"));
            mask.SaveAsPng(Path.Combine(Masks, name + ".png"));
        }
    }

    public string Images { get; }

    public string Masks { get; }

    public string Model { get; }

    public string File(string name) => _temp.File(name);

    public string Sub(string name) => _temp.Sub(name);

    public void Dispose() => _temp.Dispose();
}
