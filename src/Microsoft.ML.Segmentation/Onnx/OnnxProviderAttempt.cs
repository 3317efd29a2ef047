namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>One execution provider a <see cref="SegmentationModel"/> tried while loading, and how it went.</summary>
/// <param name="Provider">The provider tried.</param>
/// <param name="DeviceId">The GPU it was asked for; <see langword="null"/> for the CPU.</param>
/// <param name="FailureReason">Why it could not be used; <see langword="null"/> for the provider the model runs on.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record OnnxProviderAttempt(OnnxExecutionProvider Provider, int? DeviceId, string? FailureReason)
{
    /// <summary>Whether the model runs on this provider.</summary>
    public bool Succeeded => FailureReason is null;

    /// <summary>The provider and its device, as messages name it: <c>Cuda (GPU 0)</c> or <c>Cpu</c>.</summary>
    public string Name => DeviceId is int device ? $"{Provider} (GPU {device})" : Provider.ToString();
}
