using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Imaging;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// Loads the image named in a text column and adds it as a model tensor <c>[3,H,W]</c> (a variable-length Single
/// vector) plus its geometry (an 8-element Int32 vector), as <see cref="SegmentationImageLoader"/> prepares it.
/// Created by <see cref="SegmentationTransforms.LoadImages(string, string?, ImageTensorOptions?, string?)"/>.
/// </summary>
/// <remarks>Thread safety: safe to share once fitted: <c>Transform</c>, <c>GetRowToRowMapper</c> and cursors over its
/// output may be used on several threads at once; each cursor, row and <c>PredictionEngine</c> serves one thread at a
/// time (create engines with <c>PredictionEngineOptions.OwnsTransformer = false</c>, or disposing one engine disposes
/// this transformer).</remarks>
public sealed partial class ImageLoadingTransformer : SegmentationTransformerBase
{
    internal const string Kind = "LoadImages";
    private readonly SegmentationImageLoader _loader;
    private readonly ImageTensorOptions _options;
    private readonly string? _imageFolder;
    private readonly BlockBufferPool<float[][]> _tensorPool;
    private readonly BlockBufferPool<float[][]> _rowTensorPool = new(() => CreateTensorBuffers(1));

    /// <summary>Read-ahead buffer sets waiting in the pool (tests check that cursors give theirs back).</summary>
    internal int RetainedBufferSets => _tensorPool.RetainedCount;

    /// <summary>Row-by-row tensors (DecodeAhead 1, engines) waiting in their pool.</summary>
    internal int RetainedRowBufferSets => _rowTensorPool.RetainedCount;

    internal ImageLoadingTransformer(string outputColumnName, string inputColumnName, ImageTensorOptions options, string? imageFolder)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DecodeAhead, 1, "options.DecodeAhead");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.DecodeAhead, 1024, "options.DecodeAhead");
        _options = options.Clone();
        int ahead = _options.DecodeAhead;
        _tensorPool = new BlockBufferPool<float[][]>(() => CreateTensorBuffers(ahead));
        _loader = new SegmentationImageLoader(_options);
        _imageFolder = imageFolder;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        GeometryColumnName = outputColumnName + "Geometry";
        AddedColumns = new[] { new SegmentationColumn(OutputColumnName, ColumnTypes.Tensor), new SegmentationColumn(GeometryColumnName, ColumnTypes.Geometry) };
        InputColumns = new[] { InputColumn.Text(inputColumnName, nameof(inputColumnName)) };
    }

    /// <summary>The tensor column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The geometry column: <see cref="OutputColumnName"/> + "Geometry".</summary>
    public string GeometryColumnName { get; }

    /// <summary>The column holding image paths.</summary>
    public string InputColumnName { get; }

    internal override IReadOnlyList<SegmentationColumn> AddedColumns { get; }

    internal override IReadOnlyList<InputColumn> InputColumns { get; }

    internal override int ReadAheadBlockSize => _options.DecodeAhead;

    internal override BlockComputation ComputeBlock(DataViewRow input, int capacity) => new DecodingBlock(this, input, capacity);

    private static float[][] CreateTensorBuffers(int count)
    {
        var buffers = new float[count][];
        Array.Fill(buffers, Array.Empty<float>());
        return buffers;
    }

    private string ResolvePath(ReadOnlyMemory<char> path)
    {
        string file = path.ToString();
        return _imageFolder is not null && !Path.IsPathRooted(file) ? Path.Combine(_imageFolder, file) : file;
    }

    internal static ImageLoadingTransformer Create(StageDescription stage)
        => new(stage.Read<string>("output"), stage.Read<string>("input"), stage.Read<ImageTensorOptions>("options"), stage.ReadOrDefault<string>("imageFolder"));

    internal override StageDescription Describe()
    {
        JsonObject settings = StageDescription.Columns(("output", OutputColumnName), ("input", InputColumnName), ("imageFolder", _imageFolder));
        settings["options"] = StageDescription.ToNode(_options);
        return new StageDescription(Kind, settings);
    }

    private protected override RowComputation CreateComputation(DataViewRow input) => new Computation(this, input);

    private sealed class Computation : RowComputation
    {
        private readonly ImageLoadingTransformer _owner;
        private readonly ValueGetter<ReadOnlyMemory<char>> _path;

        // One tensor, kept by the transformer between cursors (a cursor per large image would allocate it each time).
        private readonly float[][] _tensor;
        private bool _returned;
        private ImageGeometry? _geometry;

        public Computation(ImageLoadingTransformer owner, DataViewRow input)
            : base(input)
        {
            _owner = owner;
            _path = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[owner.InputColumnName]);
            _tensor = owner._rowTensorPool.Rent();
        }

        public override void Dispose()
        {
            // Once only: a set returned twice would be rented by two computations at once.
            if (!_returned)
            {
                _returned = true;
                _owner._rowTensorPool.Return(_tensor);
            }
        }

        public override Delegate GetGetter(int outputIndex) => outputIndex == 0
            ? (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                EnsureComputed();
                int length = _owner._loader.Channels * _geometry!.OutputHeight * _geometry.OutputWidth;
                VBufferEditor<float> editor = VBufferEditor.Create(ref value, length);
                _tensor[0].AsSpan(0, length).CopyTo(editor.Values);
                value = editor.Commit();
            })
            : (ValueGetter<VBuffer<int>>)((ref VBuffer<int> value) =>
            {
                EnsureComputed();
                ColumnTypes.FromGeometry(_geometry!, ref value);
            });

        protected override void Compute()
        {
            ReadOnlyMemory<char> path = default;
            _path(ref path);
            _geometry = null;
            _geometry = _owner._loader.LoadReusing(_owner.ResolvePath(path), ref _tensor[0]);
        }
    }
}
