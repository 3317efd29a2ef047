using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// Opens ONNX Runtime sessions with SegML's execution-provider plan: each provider in turn on fresh
/// <see cref="SessionOptions"/>, falling back as <see cref="OnnxSessionOptions"/> allows, logging every failure.
/// Used by <see cref="SegmentationModel"/> and by the training backbones, which open sessions of their own.
/// </summary>
internal static class OnnxSessionFactory
{
    /// <summary>
    /// Tries the providers of <paramref name="options"/> in order, each on fresh <see cref="SessionOptions"/>, and
    /// returns the first session that starts. A provider fails when appending it throws (the CPU native package lacks
    /// its entry point; the GPU package lacks CUDA) or when the session cannot start with it (no device, no memory).
    /// </summary>
    /// <param name="modelName">The model's path or name, for messages.</param>
    /// <param name="open">Opens a session on given options.</param>
    /// <param name="options">The providers to try and how.</param>
    /// <param name="openGraph">Opens the model's bytes, so a file that ONNX Runtime cannot load is reported as "not an ONNX model" when it is not one.</param>
    /// <exception cref="System.IO.InvalidDataException">The CPU could not load the model: the file is not an ONNX model or ONNX Runtime rejects it.</exception>
    internal static OnnxOpenedSession Open(string modelName, Func<SessionOptions, InferenceSession> open, OnnxSessionOptions options, Func<System.IO.Stream>? openGraph = null)
    {
        List<OnnxProviderOptions> plan = PlanProviders(options);
        var attempts = new List<OnnxProviderAttempt>();
        var failures = new List<Exception>();
        for (int i = 0; i < plan.Count; i++)
        {
            OnnxProviderOptions entry = plan[i];
            int? device = entry.Kind == OnnxExecutionProvider.Cpu ? null : entry.DeviceId ?? options.GpuDeviceId ?? 0;
            var attempt = new OnnxProviderAttempt(entry.Kind, device, null);
            SessionOptions sessionOptions = CreateSessionOptions(options, modelName, attempt);
            var providerOptions = new List<IDisposable>();
            bool appended = false;
            try
            {
                if (device is int gpu)
                {
                    AppendProvider(sessionOptions, entry, gpu, CudaCompanion(plan, i, gpu, options.GpuDeviceId), providerOptions);
                }

                appended = true;
                InferenceSession session = open(sessionOptions);
                attempts.Add(attempt);
                return new OnnxOpenedSession(session, sessionOptions, attempts);
            }
            catch (Exception e) when (device is not null && (e is OnnxRuntimeException || (!appended && e is EntryPointNotFoundException or DllNotFoundException)))
            {
                // OnnxRuntimeException: the GPU native package without a usable CUDA/TensorRT, or no device at session
                // start; EntryPointNotFoundException: the CPU native package, which lacks the provider altogether.
                sessionOptions.Dispose();
                if (appended && e is OnnxRuntimeException runtime && OnnxLoadFailure.IsNotAModel(openGraph))
                {
                    // No provider can run bytes that are not a model: say so now rather than blame each provider in turn.
                    throw OnnxLoadFailure.FromRuntime(modelName, runtime, openGraph);
                }

                string stage = appended ? "could not start a session" : "could not be set up";
                string reason = $"the {attempt.Name} execution provider {stage} for '{modelName}': {e.GetType().Name}: {e.Message.TrimEnd('.', ' ')}";
                attempts.Add(attempt with { FailureReason = reason });
                failures.Add(e);
                string next = i + 1 < plan.Count ? $"trying {Describe(plan[i + 1], options)} next" : "no provider left to try";
                options.Log?.Invoke($"SegmentationModel '{modelName}': {reason}; {next}.");
            }
            catch (OnnxRuntimeException e)
            {
                // The CPU always starts, so this is the model itself: bad data, reported like an image that cannot be decoded.
                sessionOptions.Dispose();
                throw OnnxLoadFailure.FromRuntime(modelName, e, openGraph);
            }
            catch
            {
                sessionOptions.Dispose();
                throw;
            }
            finally
            {
                // ONNX Runtime copies provider options when they are appended, so they need not outlive the attempt.
                providerOptions.ForEach(o => o.Dispose());
            }
        }

        string tried = string.Join("; ", attempts.Select(a => a.FailureReason));
        throw new InvalidOperationException(
            $"No execution provider could run '{modelName}' ({string.Join(", ", attempts.Select(a => a.Name))}): {tried}. Install Microsoft.ML.OnnxRuntime.Gpu 1.31.0 with a matching CUDA (and TensorRT), or set FallbackToCpu to run on the CPU.",
            failures.Count == 1 ? failures[0] : new AggregateException(failures));
    }

    /// <summary>
    /// The entries to try: <see cref="OnnxSessionOptions.ExecutionProviders"/>, or the one <see cref="OnnxSessionOptions.ExecutionProvider"/>
    /// names; then the CPU when falling back is allowed and the list has no CPU entry. Checks every value first.
    /// </summary>
    private static List<OnnxProviderOptions> PlanProviders(OnnxSessionOptions options)
    {
        if (options.GpuDeviceId is int device)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(device, "options.GpuDeviceId");
        }

        List<OnnxProviderOptions> plan;
        if (options.ExecutionProviders.Count > 0)
        {
            plan = [.. options.ExecutionProviders];
            for (int i = 0; i < plan.Count; i++)
            {
                string name = $"options.{nameof(OnnxSessionOptions.ExecutionProviders)}[{i}]";
                (plan[i] ?? throw new ArgumentNullException(name, "An execution provider entry is null.")).Validate(name);
            }
        }
        else
        {
            if (!Enum.IsDefined(options.ExecutionProvider))
            {
                throw new ArgumentOutOfRangeException("options.ExecutionProvider", options.ExecutionProvider, "Not a known execution provider.");
            }

            plan = [new OnnxProviderOptions { Kind = options.ExecutionProvider }];
        }

        if (options.FallbackToCpu && !plan.Any(p => p.Kind == OnnxExecutionProvider.Cpu))
        {
            plan.Add(OnnxProviderOptions.Cpu());
        }

        return plan;
    }

    /// <summary>The CUDA settings for the nodes a TensorRT entry rejects: the first later CUDA entry on the same GPU, or CUDA's defaults.</summary>
    private static OnnxProviderOptions CudaCompanion(List<OnnxProviderOptions> plan, int index, int device, int? defaultDevice) =>
        plan.Skip(index + 1).FirstOrDefault(p => p.Kind == OnnxExecutionProvider.Cuda && (p.DeviceId ?? defaultDevice ?? 0) == device)
        ?? OnnxProviderOptions.Cuda();

    private static void AppendProvider(SessionOptions sessionOptions, OnnxProviderOptions entry, int device, OnnxProviderOptions cudaCompanion, List<IDisposable> owned)
    {
        if (entry.Kind == OnnxExecutionProvider.TensorRT)
        {
            var tensorRT = new OrtTensorRTProviderOptions();
            owned.Add(tensorRT);
            tensorRT.UpdateOptions(entry.TensorRTSettings(device));
            sessionOptions.AppendExecutionProvider_Tensorrt(tensorRT);
            entry = cudaCompanion;
        }

        // ONNX Runtime assigns each node to the first provider that takes it: CUDA after TensorRT takes the rest.
        var cuda = new OrtCUDAProviderOptions();
        owned.Add(cuda);
        cuda.UpdateOptions(entry.CudaSettings(device));
        sessionOptions.AppendExecutionProvider_CUDA(cuda);
    }

    /// <summary>Fresh options with SegML's settings, then the application's <see cref="OnnxSessionOptions.ConfigureSessionOptions"/>.</summary>
    private static SessionOptions CreateSessionOptions(OnnxSessionOptions options, string modelName, OnnxProviderAttempt attempt)
    {
        var sessionOptions = new SessionOptions();
        try
        {
            sessionOptions.GraphOptimizationLevel = options.GraphOptimization switch
            {
                OnnxGraphOptimization.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
                OnnxGraphOptimization.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OnnxGraphOptimization.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            sessionOptions.IntraOpNumThreads = options.ResolveIntraOpThreads(attempt.Provider);
            sessionOptions.InterOpNumThreads = options.InterOpThreads;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }

        try
        {
            options.ConfigureSessionOptions?.Invoke(sessionOptions);
        }
        catch (Exception e)
        {
            sessionOptions.Dispose();
            throw new InvalidOperationException(
                $"ConfigureSessionOptions failed for the model '{modelName}' (setting up the {attempt.Name} execution provider): {e.GetType().Name}: {e.Message}", e);
        }

        return sessionOptions;
    }

    private static string Describe(OnnxProviderOptions entry, OnnxSessionOptions options) =>
        entry.Kind == OnnxExecutionProvider.Cpu ? "Cpu" : $"{entry.Kind} (GPU {entry.DeviceId ?? options.GpuDeviceId ?? 0})";
}
