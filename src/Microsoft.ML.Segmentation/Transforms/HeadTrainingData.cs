using System;
using System.Collections.Generic;
using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// One pass over the training data: each row's tensor goes through the backbone into a <see cref="FeatureCache"/>,
/// its mask becomes a label map. Rows of one size are extracted together, in batches.
/// </summary>
internal static class HeadTrainingData
{
    public sealed record Result(FeatureCache Features, List<int[]> Labels, TimeSpan ExtractionTime);

    public static Result Read(IDataView data, FeatureBackbone backbone, SegmentationHeadTrainerOptions options)
    {
        DataViewSchema.Column image = data.Schema[options.ImageColumnName];
        DataViewSchema.Column geometry = data.Schema[options.GeometryColumnName];
        DataViewSchema.Column mask = data.Schema[options.MaskColumnName];
        int? ignore = options.Training.IgnoreIndex;
        var cache = new FeatureCache(options.FeatureCacheMemoryLimitBytes, options.FeatureCacheDirectory);
        var labels = new List<int[]>();
        var pending = new List<float[]>();
        int pendingHeight = 0, pendingWidth = 0;
        long start = Stopwatch.GetTimestamp();
        try
        {
            void Flush()
            {
                if (pending.Count == 0)
                {
                    return;
                }

                int size = pending[0].Length;
                var batch = new float[pending.Count * size];
                for (int i = 0; i < pending.Count; i++)
                {
                    pending[i].CopyTo(batch, i * size);
                }

                foreach (FeatureMaps maps in backbone.ExtractBatch(batch, pending.Count, pendingHeight, pendingWidth))
                {
                    cache.Add(maps);
                }

                pending.Clear();
            }

            using DataViewRowCursor cursor = data.GetRowCursor([image, geometry, mask]);
            ValueGetter<VBuffer<float>> getImage = cursor.GetGetter<VBuffer<float>>(image);
            ValueGetter<VBuffer<int>> getGeometry = cursor.GetGetter<VBuffer<int>>(geometry);
            ValueGetter<VBuffer<uint>> getMask = cursor.GetGetter<VBuffer<uint>>(mask);
            VBuffer<float> tensor = default;
            VBuffer<int> geometryValue = default;
            VBuffer<uint> keys = default;
            while (cursor.MoveNext())
            {
                getImage(ref tensor);
                getGeometry(ref geometryValue);
                getMask(ref keys);
                Imaging.ImageGeometry g = ColumnTypes.ToGeometry(geometryValue);
                int height = g.OutputHeight, width = g.OutputWidth;
                CheckRow(cursor.Position, tensor, height, width, keys, backbone, options);
                var label = new int[height * width];
                ColumnTypes.KeysToLabels(keys, ignore ?? -1, label);
                if (ignore is null && Array.IndexOf(label, -1) >= 0)
                {
                    throw new InvalidOperationException(
                        $"Row {cursor.Position}: column '{options.MaskColumnName}' has ignored pixels (key 0) but Training.IgnoreIndex is null; set it (for example to 255).");
                }

                labels.Add(label);
                if (pending.Count > 0 && (height != pendingHeight || width != pendingWidth || pending.Count == options.ExtractionBatchSize))
                {
                    Flush();
                }

                pendingHeight = height;
                pendingWidth = width;
                var values = new float[tensor.Length];
                tensor.CopyTo(values);
                pending.Add(values);
            }

            Flush();
        }
        catch
        {
            cache.Dispose();
            throw;
        }

        if (labels.Count == 0)
        {
            cache.Dispose();
            throw new ArgumentException("The training data has no rows.", "input");
        }

        return new Result(cache, labels, Stopwatch.GetElapsedTime(start));
    }

    private static void CheckRow(long row, in VBuffer<float> tensor, int height, int width, in VBuffer<uint> keys, FeatureBackbone backbone, SegmentationHeadTrainerOptions options)
    {
        int multiple = backbone.SizeMultiple;
        if (height % multiple != 0 || width % multiple != 0)
        {
            throw new ArgumentException(
                $"Row {row}: column '{options.ImageColumnName}' holds a {height}x{width} (HxW) tensor; the backbone needs height and width that are multiples of {multiple}. Load the images with backbone.ImageOptions (pads to a multiple of {multiple}) or backbone.ImageOptionsForSize(height, width).",
                "input");
        }

        if (tensor.Length != (long)backbone.InputChannels * height * width)
        {
            throw new ArgumentException(
                $"Row {row}: column '{options.ImageColumnName}' holds {tensor.Length} values; its geometry ('{options.GeometryColumnName}') says {backbone.InputChannels}x{height}x{width}.", "input");
        }

        if (keys.Length != height * width)
        {
            throw new ArgumentException(
                $"Row {row}: column '{options.MaskColumnName}' holds {keys.Length} pixels; the tensor is {height}x{width}. Load the masks with the image geometry (LoadMasks' geometryColumnName).", "input");
        }
    }
}
