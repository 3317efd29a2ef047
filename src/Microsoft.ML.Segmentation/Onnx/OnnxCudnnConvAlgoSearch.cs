namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>How the CUDA provider picks cuDNN convolution algorithms (ONNX Runtime's <c>cudnn_conv_algo_search</c>).</summary>
public enum OnnxCudnnConvAlgoSearch
{
    /// <summary>Benchmark every algorithm once per shape (<c>EXHAUSTIVE</c>, ONNX Runtime's default): slow first run, fastest after.</summary>
    Exhaustive = 0,

    /// <summary>Use cuDNN's heuristics (<c>HEURISTIC</c>): quick to start, sometimes slower.</summary>
    Heuristic = 1,

    /// <summary>Use cuDNN's default algorithm (<c>DEFAULT</c>).</summary>
    Default = 2,
}
