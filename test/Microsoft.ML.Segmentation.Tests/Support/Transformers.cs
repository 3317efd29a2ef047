using Microsoft.ML;

namespace Microsoft.ML.Segmentation.Tests.Support;

/// <summary>Disposes the stages of a fitted pipeline that own native resources (ONNX Runtime sessions).</summary>
internal static class Transformers
{
    public static void DisposeAll(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (ITransformer stage in chain)
            {
                (stage as IDisposable)?.Dispose();
            }
        }

        (model as IDisposable)?.Dispose();
    }
}
