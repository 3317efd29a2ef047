using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json.Nodes;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Imaging;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// Loads the mask named in a text column as a key-typed label map <c>[H,W]</c> (key k + 1 = class k; 0 = ignored),
/// brought to its image's geometry when a geometry column is given, with the class names as KeyValues.
/// Created by <see cref="SegmentationTransforms.LoadMasks"/>.
/// </summary>
/// <remarks>Thread safety: safe to share once fitted: <c>Transform</c>, <c>GetRowToRowMapper</c> and cursors over its
/// output may be used on several threads at once; each cursor, row and <c>PredictionEngine</c> serves one thread at a
/// time (create engines with <c>PredictionEngineOptions.OwnsTransformer = false</c>, or disposing one engine disposes
/// this transformer).</remarks>
public sealed class MaskLoadingTransformer : SegmentationTransformerBase
{
    internal const string Kind = "LoadMasks";
    private readonly SegmentationMaskLoader _loader;
    private readonly MaskOptions _options;
    private readonly string? _maskFolder;

    internal MaskLoadingTransformer(string outputColumnName, string inputColumnName, string? geometryColumnName, IReadOnlyList<string> classNames, MaskOptions options, string? maskFolder)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count == 0)
        {
            throw new ArgumentException("Give at least one class name (for example \"background\", \"foreground\").", nameof(classNames));
        }

        ArgumentNullException.ThrowIfNull(options);
        if (options.ClassCount is int count && count != classNames.Count)
        {
            throw new ArgumentException($"options.ClassCount ({count}) differs from the {classNames.Count} class names.", nameof(options));
        }

        _options = options.Clone();
        _options.ClassCount = classNames.Count;
        _loader = new SegmentationMaskLoader(_options);
        _maskFolder = maskFolder;
        ClassNames = classNames.ToArray();
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        GeometryColumnName = geometryColumnName;
        AddedColumns = new[] { new SegmentationColumn(outputColumnName, ColumnTypes.Mask(ClassNames.Count), ColumnTypes.ClassNames(ClassNames)) };
        var inputs = new List<InputColumn> { InputColumn.Text(inputColumnName, nameof(inputColumnName)) };
        if (geometryColumnName is not null)
        {
            inputs.Add(InputColumn.Geometry(geometryColumnName, nameof(geometryColumnName)));
        }

        InputColumns = inputs;
    }

    /// <summary>The mask column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The column holding mask paths.</summary>
    public string InputColumnName { get; }

    /// <summary>The image geometry the mask is brought to, or <see langword="null"/> to keep the mask's own size.</summary>
    public string? GeometryColumnName { get; }

    /// <summary>The class names, in class order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    internal override IReadOnlyList<SegmentationColumn> AddedColumns { get; }

    internal override IReadOnlyList<InputColumn> InputColumns { get; }

    internal static MaskLoadingTransformer Create(StageDescription stage)
        => new(stage.Read<string>("output"), stage.Read<string>("input"), stage.ReadOrDefault<string>("geometry"), stage.Read<string[]>("classNames"), stage.Read<MaskOptions>("options"), stage.ReadOrDefault<string>("maskFolder"));

    internal override StageDescription Describe()
    {
        JsonObject settings = StageDescription.Columns(("output", OutputColumnName), ("input", InputColumnName), ("geometry", GeometryColumnName), ("maskFolder", _maskFolder));
        settings["classNames"] = StageDescription.ToNode(ClassNames);
        settings["options"] = StageDescription.ToNode(_options);
        return new StageDescription(Kind, settings);
    }

    private protected override RowComputation CreateComputation(DataViewRow input) => new Computation(this, input);

    private sealed class Computation : RowComputation
    {
        private readonly MaskLoadingTransformer _owner;
        private readonly ValueGetter<ReadOnlyMemory<char>> _path;
        private readonly ValueGetter<VBuffer<int>>? _geometry;
        private int[] _labels = Array.Empty<int>();
        private VBuffer<int> _geometryValue;

        public Computation(MaskLoadingTransformer owner, DataViewRow input)
            : base(input)
        {
            _owner = owner;
            _path = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[owner.InputColumnName]);
            _geometry = owner.GeometryColumnName is { } g ? input.GetGetter<VBuffer<int>>(input.Schema[g]) : null;
        }

        public override Delegate GetGetter(int outputIndex)
            => (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> value) =>
            {
                EnsureComputed();
                ColumnTypes.LabelsToKeys(_labels, _owner.ClassNames.Count, ref value);
            });

        protected override void Compute()
        {
            ReadOnlyMemory<char> path = default;
            _path(ref path);
            string file = path.ToString();
            if (_owner._maskFolder is not null && !Path.IsPathRooted(file))
            {
                file = Path.Combine(_owner._maskFolder, file);
            }

            // The getter copies the labels out, so this row's array can take the next row's (no fresh 12 MB a 2048×1536 mask).
            if (_geometry is null)
            {
                _labels = _owner._loader.LoadReusing(file, null, _labels).Labels;
                return;
            }

            _geometry(ref _geometryValue);
            _labels = _owner._loader.LoadReusing(file, ColumnTypes.ToGeometry(_geometryValue), _labels).Labels;
        }
    }
}
