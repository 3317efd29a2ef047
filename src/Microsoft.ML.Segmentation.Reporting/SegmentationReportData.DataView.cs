using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Evaluation;

namespace Microsoft.ML.Segmentation.Reporting;

/// <content>Building the data from a scored <see cref="IDataView"/>.</content>
public sealed partial class SegmentationReportData
{
    // Where the tensor (and so the mask) width and height sit in SegML's 8-value geometry column.
    private const int GeometryOutputWidth = 6;
    private const int GeometryOutputHeight = 7;

    /// <summary>
    /// Reads one record per row of a scored SegML pipeline (LoadImages, LoadMasks, scoring, PredictMasks and, if
    /// wanted, ComputeLosses).
    /// </summary>
    /// <param name="scored">The scored data.</param>
    /// <param name="metrics">The metrics of the same data, from <c>mlContext.Segmentation().Evaluate(scored)</c>.</param>
    /// <param name="lossColumnName">A Single column of per-image losses, or <see langword="null"/> to rank the worst images by error rate.</param>
    /// <param name="imagePathColumnName">The text column of image paths.</param>
    /// <param name="maskColumnName">The key-vector column of truth masks (key 0 is ignored).</param>
    /// <param name="predictedMaskColumnName">The key-vector column of predicted masks.</param>
    /// <param name="geometryColumnName">The geometry column that gives each mask's width and height.</param>
    /// <returns>The report data.</returns>
    /// <exception cref="ArgumentException">A column is missing, or a mask does not match its geometry.</exception>
    public static SegmentationReportData FromDataView(
        IDataView scored,
        SegmentationMetrics metrics,
        string? lossColumnName = null,
        string imagePathColumnName = "ImagePath",
        string maskColumnName = "Mask",
        string predictedMaskColumnName = "PredictedMask",
        string geometryColumnName = "ImageGeometry")
    {
        ArgumentNullException.ThrowIfNull(scored);
        ArgumentNullException.ThrowIfNull(metrics);
        DataViewSchema schema = scored.Schema;
        DataViewSchema.Column path = Column(schema, imagePathColumnName);
        DataViewSchema.Column truth = Column(schema, maskColumnName);
        DataViewSchema.Column predicted = Column(schema, predictedMaskColumnName);
        DataViewSchema.Column geometry = Column(schema, geometryColumnName);
        DataViewSchema.Column? loss = lossColumnName is null ? null : Column(schema, lossColumnName);
        var columns = new List<DataViewSchema.Column> { path, truth, predicted, geometry };
        if (loss is { } l)
        {
            columns.Add(l);
        }

        var images = new List<SegmentationReportImage>();
        using DataViewRowCursor cursor = scored.GetRowCursor(columns);
        ValueGetter<ReadOnlyMemory<char>> getPath = cursor.GetGetter<ReadOnlyMemory<char>>(path);
        ValueGetter<VBuffer<uint>> getTruth = cursor.GetGetter<VBuffer<uint>>(truth);
        ValueGetter<VBuffer<uint>> getPredicted = cursor.GetGetter<VBuffer<uint>>(predicted);
        ValueGetter<VBuffer<int>> getGeometry = cursor.GetGetter<VBuffer<int>>(geometry);
        ValueGetter<float>? getLoss = loss is { } lc ? cursor.GetGetter<float>(lc) : null;
        ReadOnlyMemory<char> pathValue = default;
        VBuffer<uint> truthValue = default, predictedValue = default;
        VBuffer<int> geometryValue = default;
        float lossValue = 0;
        while (cursor.MoveNext())
        {
            getPath(ref pathValue);
            getTruth(ref truthValue);
            getPredicted(ref predictedValue);
            getGeometry(ref geometryValue);
            getLoss?.Invoke(ref lossValue);
            string file = pathValue.ToString();
            int[] g = geometryValue.DenseValues().ToArray();
            if (g.Length <= GeometryOutputHeight)
            {
                throw new ArgumentException($"Column '{geometryColumnName}' holds {g.Length} values; SegML's geometry has 8.", nameof(scored));
            }

            images.Add(new SegmentationReportImage(
                Path.GetFileNameWithoutExtension(file),
                g[GeometryOutputWidth],
                g[GeometryOutputHeight],
                KeysToLabels(truthValue),
                KeysToLabels(predictedValue),
                file,
                getLoss is null ? null : lossValue));
        }

        return new SegmentationReportData(metrics, images);
    }

    private static DataViewSchema.Column Column(DataViewSchema schema, string name) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentException($"The scored data has no column '{name}'.", nameof(schema));

    /// <summary>Key k + 1 is class k; key 0 (missing) is an ignored pixel, read as −1.</summary>
    private static int[] KeysToLabels(in VBuffer<uint> keys)
    {
        var labels = new int[keys.Length];
        int i = 0;
        foreach (uint key in keys.DenseValues())
        {
            labels[i++] = (int)key - 1;
        }

        return labels;
    }
}
