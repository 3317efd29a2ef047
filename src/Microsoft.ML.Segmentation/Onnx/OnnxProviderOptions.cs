using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// One entry of <see cref="OnnxSessionOptions.ExecutionProviders"/>: an execution provider to try, with its settings.
/// </summary>
/// <remarks>
/// <para>One flat class for every provider (rather than a class per provider) so the list saves with the model as
/// plain JSON. The settings that do not apply to <see cref="Kind"/> must stay <see langword="null"/>; loading a model
/// rejects them rather than ignoring them silently. A setting left <see langword="null"/> keeps ONNX Runtime's
/// default.</para>
/// <para>Create entries with <see cref="Cpu"/>, <see cref="Cuda"/> and <see cref="TensorRT"/>, or set the properties.</para>
/// <para>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</para>
/// </remarks>
public sealed class OnnxProviderOptions
{
    /// <summary>The provider. Default: <see cref="OnnxExecutionProvider.Cpu"/>.</summary>
    public OnnxExecutionProvider Kind { get; set; }

    /// <summary>
    /// The GPU, for CUDA and TensorRT. <see langword="null"/> takes <see cref="OnnxSessionOptions.GpuDeviceId"/>, or
    /// else device 0. Default: <see langword="null"/>; range 0 or more.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DeviceId { get; set; }

    /// <summary>CUDA only: how the GPU memory arena grows (<c>arena_extend_strategy</c>). Default: <see langword="null"/> (ONNX Runtime's, powers of two).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OnnxArenaExtendStrategy? ArenaExtendStrategy { get; set; }

    /// <summary>CUDA only: the most GPU memory the arena may hold, in bytes (<c>gpu_mem_limit</c>). Default: <see langword="null"/> (no limit); range 1 or more.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? GpuMemoryLimitBytes { get; set; }

    /// <summary>CUDA only: how cuDNN convolution algorithms are chosen (<c>cudnn_conv_algo_search</c>). Default: <see langword="null"/> (ONNX Runtime's, exhaustive).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OnnxCudnnConvAlgoSearch? CudnnConvAlgoSearch { get; set; }

    /// <summary>CUDA only: whether copies run on the default CUDA stream (<c>do_copy_in_default_stream</c>). Default: <see langword="null"/> (ONNX Runtime's, true).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DoCopyInDefaultStream { get; set; }

    /// <summary>TensorRT only: whether TensorRT may compute in half precision (<c>trt_fp16_enable</c>); outputs then differ slightly from the CPU's. Default: <see langword="null"/> (off).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Fp16 { get; set; }

    /// <summary>
    /// TensorRT only: a folder where built engines are cached across runs (<c>trt_engine_cache_enable</c> and
    /// <c>trt_engine_cache_path</c>), so only the first load pays for the engine build. A relative path is taken from
    /// the current directory when the model loads. Default: <see langword="null"/> (no cache).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EngineCacheFolder { get; set; }

    /// <summary>TensorRT only: the most workspace memory TensorRT may use while building, in bytes (<c>trt_max_workspace_size</c>). Default: <see langword="null"/> (ONNX Runtime's); range 1 or more.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? MaxWorkspaceBytes { get; set; }

    /// <summary>The CPU provider, which always starts (for a model ONNX Runtime can load).</summary>
    /// <returns>A new entry.</returns>
    public static OnnxProviderOptions Cpu() => new() { Kind = OnnxExecutionProvider.Cpu };

    /// <summary>The CUDA provider; set the CUDA-only properties on the result for more.</summary>
    /// <param name="deviceId">The GPU; <see langword="null"/> for <see cref="OnnxSessionOptions.GpuDeviceId"/> or 0.</param>
    /// <returns>A new entry.</returns>
    public static OnnxProviderOptions Cuda(int? deviceId = null) => new() { Kind = OnnxExecutionProvider.Cuda, DeviceId = deviceId };

    /// <summary>
    /// The TensorRT provider. The nodes TensorRT does not take run on CUDA: with the settings of the first CUDA entry
    /// after this one on the same GPU, or CUDA's defaults when there is none.
    /// </summary>
    /// <param name="deviceId">The GPU; <see langword="null"/> for <see cref="OnnxSessionOptions.GpuDeviceId"/> or 0.</param>
    /// <param name="fp16">Whether half precision is allowed; <see langword="null"/> for ONNX Runtime's default (off).</param>
    /// <param name="engineCacheFolder">A folder to cache built engines in; <see langword="null"/> for none.</param>
    /// <returns>A new entry.</returns>
    public static OnnxProviderOptions TensorRT(int? deviceId = null, bool? fp16 = null, string? engineCacheFolder = null) =>
        new() { Kind = OnnxExecutionProvider.TensorRT, DeviceId = deviceId, Fp16 = fp16, EngineCacheFolder = engineCacheFolder };

    /// <summary>The provider and the settings that are set, for messages: <c>Cuda(DeviceId=0, GpuMemoryLimitBytes=1024)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var set = new List<string>();
        void Add(string name, object? value)
        {
            if (value is not null)
            {
                set.Add($"{name}={Convert.ToString(value, CultureInfo.InvariantCulture)}");
            }
        }

        Add(nameof(DeviceId), DeviceId);
        Add(nameof(ArenaExtendStrategy), ArenaExtendStrategy);
        Add(nameof(GpuMemoryLimitBytes), GpuMemoryLimitBytes);
        Add(nameof(CudnnConvAlgoSearch), CudnnConvAlgoSearch);
        Add(nameof(DoCopyInDefaultStream), DoCopyInDefaultStream);
        Add(nameof(Fp16), Fp16);
        Add(nameof(EngineCacheFolder), EngineCacheFolder);
        Add(nameof(MaxWorkspaceBytes), MaxWorkspaceBytes);
        return set.Count == 0 ? Kind.ToString() : $"{Kind}({string.Join(", ", set)})";
    }

    /// <summary>Checks the entry; <paramref name="name"/> is how messages name it, e.g. <c>options.ExecutionProviders[1]</c>.</summary>
    internal void Validate(string name)
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentOutOfRangeException($"{name}.{nameof(Kind)}", Kind, "Not a known execution provider.");
        }

        if (DeviceId is int device)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(device, $"{name}.{nameof(DeviceId)}");
        }

        if (GpuMemoryLimitBytes is long limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1L, $"{name}.{nameof(GpuMemoryLimitBytes)}");
        }

        if (MaxWorkspaceBytes is long workspace)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(workspace, 1L, $"{name}.{nameof(MaxWorkspaceBytes)}");
        }

        if (ArenaExtendStrategy is { } arena && !Enum.IsDefined(arena))
        {
            throw new ArgumentOutOfRangeException($"{name}.{nameof(ArenaExtendStrategy)}", arena, "Not a known arena extend strategy.");
        }

        if (CudnnConvAlgoSearch is { } search && !Enum.IsDefined(search))
        {
            throw new ArgumentOutOfRangeException($"{name}.{nameof(CudnnConvAlgoSearch)}", search, "Not a known cuDNN algorithm search.");
        }

        if (EngineCacheFolder is not null && string.IsNullOrWhiteSpace(EngineCacheFolder))
        {
            throw new ArgumentException("EngineCacheFolder must name a folder, or be null for no engine cache.", $"{name}.{nameof(EngineCacheFolder)}");
        }

        string? misplaced = Kind switch
        {
            OnnxExecutionProvider.Cpu => DeviceId is not null ? nameof(DeviceId) : FirstCudaSetting() ?? FirstTensorRTSetting(),
            OnnxExecutionProvider.Cuda => FirstTensorRTSetting(),
            _ => FirstCudaSetting(),
        };
        if (misplaced is not null)
        {
            throw new ArgumentException(
                $"{misplaced} does not apply to the {Kind} provider; leave it null, or move it to an entry it applies to.", $"{name}.{misplaced}");
        }
    }

    /// <summary>ONNX Runtime's CUDA provider options (<c>OrtCUDAProviderOptions.UpdateOptions</c> keys) for this entry.</summary>
    internal Dictionary<string, string> CudaSettings(int device)
    {
        var settings = new Dictionary<string, string> { ["device_id"] = device.ToString(CultureInfo.InvariantCulture) };
        if (ArenaExtendStrategy is { } arena)
        {
            settings["arena_extend_strategy"] = arena == OnnxArenaExtendStrategy.SameAsRequested ? "kSameAsRequested" : "kNextPowerOfTwo";
        }

        if (GpuMemoryLimitBytes is long limit)
        {
            settings["gpu_mem_limit"] = limit.ToString(CultureInfo.InvariantCulture);
        }

        if (CudnnConvAlgoSearch is { } search)
        {
            settings["cudnn_conv_algo_search"] = search switch
            {
                OnnxCudnnConvAlgoSearch.Heuristic => "HEURISTIC",
                OnnxCudnnConvAlgoSearch.Default => "DEFAULT",
                _ => "EXHAUSTIVE",
            };
        }

        if (DoCopyInDefaultStream is bool copy)
        {
            settings["do_copy_in_default_stream"] = copy ? "1" : "0";
        }

        return settings;
    }

    /// <summary>ONNX Runtime's TensorRT provider options (<c>OrtTensorRTProviderOptions.UpdateOptions</c> keys) for this entry.</summary>
    internal Dictionary<string, string> TensorRTSettings(int device)
    {
        var settings = new Dictionary<string, string> { ["device_id"] = device.ToString(CultureInfo.InvariantCulture) };
        if (Fp16 is bool fp16)
        {
            settings["trt_fp16_enable"] = fp16 ? "1" : "0";
        }

        if (EngineCacheFolder is not null)
        {
            settings["trt_engine_cache_enable"] = "1";
            settings["trt_engine_cache_path"] = System.IO.Path.GetFullPath(EngineCacheFolder);
        }

        if (MaxWorkspaceBytes is long workspace)
        {
            settings["trt_max_workspace_size"] = workspace.ToString(CultureInfo.InvariantCulture);
        }

        return settings;
    }

    private string? FirstCudaSetting() =>
        ArenaExtendStrategy is not null ? nameof(ArenaExtendStrategy)
        : GpuMemoryLimitBytes is not null ? nameof(GpuMemoryLimitBytes)
        : CudnnConvAlgoSearch is not null ? nameof(CudnnConvAlgoSearch)
        : DoCopyInDefaultStream is not null ? nameof(DoCopyInDefaultStream)
        : null;

    private string? FirstTensorRTSetting() =>
        Fp16 is not null ? nameof(Fp16)
        : EngineCacheFolder is not null ? nameof(EngineCacheFolder)
        : MaxWorkspaceBytes is not null ? nameof(MaxWorkspaceBytes)
        : null;

    /// <summary>A copy whose later changes do not reach this instance (and the reverse).</summary>
    /// <returns>New options with the same values.</returns>
    public OnnxProviderOptions Clone() => (OnnxProviderOptions)MemberwiseClone();
}
