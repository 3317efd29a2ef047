using System;
using System.Runtime.ExceptionServices;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Transforms;

public sealed partial class ImageLoadingTransformer
{
    /// <summary>
    /// Decodes a read-ahead block of images in parallel, each into its own reused buffer. A file that fails is
    /// reported at its own row: the rows before it are served first, as a lazy cursor would.
    /// </summary>
    private sealed class DecodingBlock : BlockComputation
    {
        private readonly ImageLoadingTransformer _owner;
        private readonly ValueGetter<ReadOnlyMemory<char>> _pathGetter;
        private readonly string[] _paths;
        private readonly float[][] _tensors;
        private readonly ImageGeometry?[] _geometries;
        private readonly ExceptionDispatchInfo?[] _errors;
        private ReadOnlyMemory<char> _path;

        public DecodingBlock(ImageLoadingTransformer owner, DataViewRow input, int capacity)
        {
            _owner = owner;
            _pathGetter = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[owner.InputColumnName]);
            _paths = new string[capacity];
            _tensors = owner._tensorPool.Rent();
            _geometries = new ImageGeometry?[capacity];
            _errors = new ExceptionDispatchInfo?[capacity];
        }

        public override void Dispose() => _owner._tensorPool.Return(_tensors);

        public override void Capture(int slot)
        {
            _pathGetter(ref _path);
            _paths[slot] = _owner.ResolvePath(_path);
        }

        public override void Compute(int count)
        {
            ParallelWork.For(count, Environment.ProcessorCount, slot =>
            {
                try
                {
                    _geometries[slot] = _owner._loader.LoadReusing(_paths[slot], ref _tensors[slot]);
                    _errors[slot] = null;
                }
                catch (Exception e)
                {
                    _geometries[slot] = null;
                    _errors[slot] = ExceptionDispatchInfo.Capture(e);
                }
            });
        }

        public override Delegate GetGetter(int outputIndex, BlockSlot slot) => outputIndex == 0
            ? (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                ImageGeometry geometry = Loaded(slot.Value);
                int length = _owner._loader.Channels * geometry.OutputHeight * geometry.OutputWidth;
                VBufferEditor<float> editor = VBufferEditor.Create(ref value, length);
                _tensors[slot.Value].AsSpan(0, length).CopyTo(editor.Values);
                value = editor.Commit();
            })
            : (ValueGetter<VBuffer<int>>)((ref VBuffer<int> value) => ColumnTypes.FromGeometry(Loaded(slot.Value), ref value));

        private ImageGeometry Loaded(int slot)
        {
            _errors[slot]?.Throw();
            return _geometries[slot]!;
        }
    }
}
