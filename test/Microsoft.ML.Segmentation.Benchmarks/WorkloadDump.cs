using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// <c>--dump-workload DIR</c>: writes the quick mode's workload (the seeded logits, confident logits and labels, raw
/// little-endian) and this build's value of every loss on it to <c>DIR</c>, so that another implementation
/// (<c>PyTorch/pytorch_losses.py</c>) runs the same numbers and can show it computed the same loss.
/// </summary>
internal static class WorkloadDump
{
    public static int Run(TextWriter output, string directory, IReadOnlyCollection<string>? only)
    {
        Directory.CreateDirectory(directory);
        var workload = new BenchmarkWorkload();
        Write(Path.Combine(directory, "logits.f32"), workload.Logits);
        Write(Path.Combine(directory, "confident.f32"), workload.ConfidentLogits);
        Write(Path.Combine(directory, "labels.i32"), workload.Labels);

        var values = new StringBuilder();
        foreach (string name in BenchmarkWorkload.Losses.Keys.Where(n => only is null || only.Contains(n)))
        {
            values.Append(CultureInfo.InvariantCulture, $"{(values.Length > 0 ? "," : string.Empty)}\"{name}\":{workload.ForwardBackward(name):R}");
        }

        if (only is null || only.Contains("argmax_confusion"))
        {
            // The confusion matrix's diagonal: pixels whose argmax is their label.
            int[] predicted = new int[workload.Shape.PixelCount];
            MaskPrediction.Argmax<float>(workload.Logits, workload.Shape, predicted);
            long correct = predicted.Zip(workload.Labels).LongCount(p => p.First == p.Second);
            values.Append(CultureInfo.InvariantCulture, $"{(values.Length > 0 ? "," : string.Empty)}\"argmax_confusion\":{correct}");
        }

        SegmentationShape s = workload.Shape;
        string json = string.Create(CultureInfo.InvariantCulture,
            $"{{\"shape\":[{s.Batch},{s.Classes},{s.Height},{s.Width}],\"masked_ignore_index\":{BenchmarkWorkload.MaskedIgnoreIndex},\"values\":{{{values}}}}}");
        File.WriteAllText(Path.Combine(directory, "workload.json"), json + Environment.NewLine);
        output.WriteLine(json);
        return 0;
    }

    private static void Write<T>(string path, T[] values)
        where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The dump is little-endian raw data; this machine is big-endian.");
        }

        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }
}
