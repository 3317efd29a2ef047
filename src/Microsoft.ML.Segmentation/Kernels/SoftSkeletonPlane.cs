using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// <see cref="SoftSkeleton"/> for one H×W float plane, vectorized along rows: the same pools, the same picks at ties
/// and the same backward routing, in float and without the per-element index arithmetic of the N-dimensional form.
/// One instance holds the buffers of one plane size and is reused for plane after plane (not by two threads at once).
/// </summary>
/// <remarks>
/// <para>Layout: each plane is stored with a border of one element on every side (row stride
/// <see cref="_stride"/>, the first row and column border), so the five-point erosion and the 3×3 dilation read their
/// neighbours with plain unaligned vector loads. Before a pool reads a plane its border is set to what PyTorch pads
/// with: +∞ for the erosion (a min-pool), −∞ for the dilation; a finite centre is always a candidate, so a border
/// element is never picked. A vector that runs past the last column writes into the border columns of its row, which
/// are reset before they are read; the stride keeps it inside the row.</para>
/// <para>Picks, as <see cref="SoftSkeleton"/> makes them (strict comparisons, axis 0 first): an erosion takes the first
/// of (up, centre, down, left, right) that equals the minimum; a dilation the first column of (left, centre, right)
/// whose vertical maximum equals the maximum, and in it the first of (up, centre, down). Every pooled value is an input
/// value, so these picks are the reference's exactly, in float as in double, and only the skeleton's arithmetic
/// rounds differently.</para>
/// </remarks>
internal sealed class SoftSkeletonPlane
{
    private const int Up = 1, Down = 2, Left = 3, Right = 4; // erosion codes; 0 is the centre

    private readonly int _height;
    private readonly int _width;
    private readonly int _stride;
    private readonly int _iterations;
    private readonly float[][] _images;       // image k (k = 0 … iterations + 1), image k + 1 = erode(image k)
    private readonly float[][] _opened;       // dilate(image k + 1)
    private readonly float[][] _skeletons;    // the skeleton after round k
    private readonly int[][] _erodeCodes;     // per round: which neighbour each erosion output took
    private readonly int[][] _dilateCodes;    // per round: column·3 + row of the dilation's pick
    private readonly float[] _columnMaxima;   // the dilation's vertical pass
    private readonly int[] _columnPicks;
    private readonly float[][] _imageGradients;
    private readonly float[] _skeletonGradient;
    private readonly float[] _deltaGradient;
    private float[] _result;   // the skeleton of the last Skeletonize
    private bool _recorded;    // whether that call kept the rounds for Backward

    /// <param name="height">Rows of a plane.</param>
    /// <param name="width">Columns of a plane.</param>
    /// <param name="iterations">Erosion steps (<see cref="SoftSkeleton.Skeletonize"/>'s <c>iterations</c>).</param>
    public SoftSkeletonPlane(int height, int width, int iterations)
    {
        int lanes = Vector<float>.Count;
        _height = height;
        _width = width;
        _iterations = iterations;

        // Column 0 is the left border, columns 1 … width the plane, then at least one border column: the last vector
        // of a row (starting at column 1) ends at column ⌈width/lanes⌉·lanes, and reads one further.
        _stride = (((width + lanes - 1) / lanes) * lanes) + 2;
        int length = (height + 2) * _stride;
        _images = Planes<float>(iterations + 2, length);
        _opened = Planes<float>(iterations + 1, length);
        _skeletons = Planes<float>(iterations + 1, length);
        _erodeCodes = Planes<int>(iterations + 1, length);
        _dilateCodes = Planes<int>(iterations + 1, length);
        _columnMaxima = new float[length];
        _columnPicks = new int[length];
        _imageGradients = Planes<float>(iterations + 2, length);
        _skeletonGradient = new float[length];
        _deltaGradient = new float[length];
        _result = _skeletons[iterations];
    }

    /// <summary>The plane's size this instance was made for.</summary>
    public (int Height, int Width, int Iterations) Size => (_height, _width, _iterations);

    /// <summary>
    /// Skeletonizes <paramref name="x"/> (row-major H×W); the result stays in the instance for <see cref="SkeletonAt"/>,
    /// <see cref="CopySkeleton"/> and, when <paramref name="forBackward"/>, <see cref="Backward"/>.
    /// </summary>
    /// <param name="x">The plane.</param>
    /// <param name="forBackward">Whether to keep every round's images and picks; without, two images, one opened plane
    /// and the skeleton are reused in every round and no picks are written (a quarter of the memory, which then stays in
    /// a core's L2 for a 256×256 plane).</param>
    public void Skeletonize(ReadOnlySpan<float> x, bool forBackward = true)
    {
        Load(x, _images[0]);
        for (int k = 0; k <= _iterations; k++)
        {
            float[] image = _images[forBackward ? k : k % 2];
            float[] eroded = _images[forBackward ? k + 1 : (k + 1) % 2];
            float[] opened = _opened[forBackward ? k : 0];
            int[]? erodeCodes = forBackward ? _erodeCodes[k] : null;
            int[]? dilateCodes = forBackward ? _dilateCodes[k] : null;
            SetBorder(image, float.PositiveInfinity);
            Erode(image, eroded, erodeCodes);
            SetBorder(eroded, float.NegativeInfinity);
            Dilate(eroded, opened, dilateCodes);
            _result = _skeletons[forBackward ? k : 0];
            UpdateSkeleton(image, opened, k == 0 ? null : _skeletons[forBackward ? k - 1 : 0], _result);
        }

        _recorded = forBackward;
    }

    /// <summary>The skeleton's value at (row, column) of the last <see cref="Skeletonize"/>.</summary>
    public float SkeletonAt(int row, int column) => _result[((row + 1) * _stride) + column + 1];

    /// <summary>Copies the skeleton of the last <see cref="Skeletonize"/> into <paramref name="destination"/> (row-major H×W).</summary>
    public void CopySkeleton(Span<float> destination)
    {
        for (int row = 0; row < _height; row++)
        {
            _result.AsSpan(((row + 1) * _stride) + 1, _width).CopyTo(destination.Slice(row * _width, _width));
        }
    }

    /// <summary>
    /// ∂L/∂x into <paramref name="inputGradient"/> (row-major H×W) from ∂L/∂skeleton, for the plane of the last
    /// <see cref="Skeletonize"/>: as <see cref="SoftSkeleton.Backward"/>, along the recorded picks.
    /// </summary>
    /// <exception cref="InvalidOperationException">The last <see cref="Skeletonize"/> did not keep what the backward pass needs.</exception>
    public void Backward(ReadOnlySpan<float> skeletonGradient, Span<float> inputGradient)
    {
        if (!_recorded)
        {
            throw new InvalidOperationException("Backward needs a Skeletonize with forBackward.");
        }

        float[] g = _skeletonGradient;
        Array.Clear(g);
        Load(skeletonGradient, g);
        foreach (float[] plane in _imageGradients)
        {
            Array.Clear(plane);
        }

        for (int k = _iterations; k >= 0; k--)
        {
            // ∂/∂δ_k where δ_k is active (image_k > dilate(image_{k+1})), 0 elsewhere; g becomes ∂/∂skel_{k−1}.
            DeltaBackward(_images[k], _opened[k], k > 0 ? _skeletons[k - 1] : null, g, _deltaGradient);

            // δ_k = relu(image_k − dilate(image_{k+1})), image_{k+1} = erode(image_k): each element gathers what the
            // pools' outputs that picked it pass back (the gather form of the reference's scatter, so it vectorizes).
            GatherDilation(_deltaGradient, _dilateCodes[k], _imageGradients[k], _imageGradients[k + 1]);
            GatherErosion(_imageGradients[k + 1], _erodeCodes[k], _imageGradients[k]);
        }

        float[] result = _imageGradients[0];
        for (int row = 0; row < _height; row++)
        {
            result.AsSpan(((row + 1) * _stride) + 1, _width).CopyTo(inputGradient.Slice(row * _width, _width));
        }
    }

    private static T[][] Planes<T>(int count, int length)
    {
        var planes = new T[count][];
        for (int i = 0; i < count; i++)
        {
            planes[i] = new T[length];
        }

        return planes;
    }

    private void Load(ReadOnlySpan<float> x, float[] plane)
    {
        for (int row = 0; row < _height; row++)
        {
            x.Slice(row * _width, _width).CopyTo(plane.AsSpan(((row + 1) * _stride) + 1, _width));
        }
    }

    /// <summary>Sets the rows above and below the plane and the columns left and right of it to <paramref name="value"/>.</summary>
    private void SetBorder(float[] plane, float value)
    {
        plane.AsSpan(0, _stride).Fill(value);
        plane.AsSpan((_height + 1) * _stride, _stride).Fill(value);
        for (int row = 1; row <= _height; row++)
        {
            plane[row * _stride] = value;
            plane[(row * _stride) + _width + 1] = value;
        }
    }

    /// <summary>The five-point min-pool; the code of each output names the first of (up, centre, down, left, right) equal to the minimum.</summary>
    private void Erode(float[] x, float[] y, int[]? codes)
    {
        int stride = _stride;
        int lanes = Vector<float>.Count;
        ref float x0 = ref MemoryMarshal.GetArrayDataReference(x);
        ref float y0 = ref MemoryMarshal.GetArrayDataReference(y);
        ref int c0 = ref codes is null ? ref Unsafe.NullRef<int>() : ref MemoryMarshal.GetArrayDataReference(codes);
        var up = new Vector<int>(Up);
        var down = new Vector<int>(Down);
        var left = new Vector<int>(Left);
        var right = new Vector<int>(Right);
        for (int row = 1; row <= _height; row++)
        {
            int end = (row * stride) + _width + 1;
            for (int i = (row * stride) + 1; i < end; i += lanes)
            {
                var u = Vector.LoadUnsafe(ref x0, (nuint)(i - stride));
                var c = Vector.LoadUnsafe(ref x0, (nuint)i);
                var d = Vector.LoadUnsafe(ref x0, (nuint)(i + stride));
                var l = Vector.LoadUnsafe(ref x0, (nuint)(i - 1));
                var r = Vector.LoadUnsafe(ref x0, (nuint)(i + 1));
                Vector<float> m = Vector.Min(Vector.Min(Vector.Min(u, c), Vector.Min(d, l)), r);
                m.StoreUnsafe(ref y0, (nuint)i);
                if (codes is not null)
                {
                    Vector<int> code = Vector.ConditionalSelect(Vector.Equals(l, m), left, right);
                    code = Vector.ConditionalSelect(Vector.Equals(d, m), down, code);
                    code = Vector.AndNot(code, Vector.Equals(c, m));
                    code = Vector.ConditionalSelect(Vector.Equals(u, m), up, code);
                    code.StoreUnsafe(ref c0, (nuint)i);
                }
            }
        }

        if (codes is not null)
        {
            ClearBorderCodes(codes);
        }
    }

    /// <summary>The 3×3 max-pool, vertical pass then horizontal; codes are column·3 + row of the pick (each 0, 1, 2 for −1, 0, +1).</summary>
    private void Dilate(float[] x, float[] y, int[]? codes)
    {
        int stride = _stride;
        int lanes = Vector<float>.Count;
        ref float x0 = ref MemoryMarshal.GetArrayDataReference(x);
        ref float y0 = ref MemoryMarshal.GetArrayDataReference(y);
        ref int c0 = ref codes is null ? ref Unsafe.NullRef<int>() : ref MemoryMarshal.GetArrayDataReference(codes);
        float[] columnMaxima = _columnMaxima;
        ref float v0 = ref MemoryMarshal.GetArrayDataReference(columnMaxima);
        ref int p0 = ref MemoryMarshal.GetArrayDataReference(_columnPicks);
        var one = new Vector<int>(1);
        var two = new Vector<int>(2);
        var three = new Vector<int>(3);
        var six = new Vector<int>(6);
        for (int row = 1; row <= _height; row++)
        {
            int first = (row * stride) + 1;
            int end = first + _width;
            for (int i = first; i < end; i += lanes)
            {
                var u = Vector.LoadUnsafe(ref x0, (nuint)(i - stride));
                var c = Vector.LoadUnsafe(ref x0, (nuint)i);
                var d = Vector.LoadUnsafe(ref x0, (nuint)(i + stride));
                Vector<float> m = Vector.Max(Vector.Max(u, c), d);
                m.StoreUnsafe(ref v0, (nuint)i);
                if (codes is not null)
                {
                    Vector<int> pick = Vector.ConditionalSelect(Vector.Equals(c, m), one, two);
                    pick = Vector.AndNot(pick, Vector.Equals(u, m));
                    pick.StoreUnsafe(ref p0, (nuint)i);
                }
            }

            columnMaxima[first - 1] = float.NegativeInfinity;
            columnMaxima[end] = float.NegativeInfinity;
            for (int i = first; i < end; i += lanes)
            {
                var l = Vector.LoadUnsafe(ref v0, (nuint)(i - 1));
                var c = Vector.LoadUnsafe(ref v0, (nuint)i);
                var r = Vector.LoadUnsafe(ref v0, (nuint)(i + 1));
                Vector<float> m = Vector.Max(Vector.Max(l, c), r);
                m.StoreUnsafe(ref y0, (nuint)i);
                if (codes is not null)
                {
                    Vector<int> leftPick = Vector.LoadUnsafe(ref p0, (nuint)(i - 1));
                    Vector<int> centrePick = Vector.LoadUnsafe(ref p0, (nuint)i) + three;
                    Vector<int> rightPick = Vector.LoadUnsafe(ref p0, (nuint)(i + 1)) + six;
                    Vector<int> code = Vector.ConditionalSelect(Vector.Equals(c, m), centrePick, rightPick);
                    code = Vector.ConditionalSelect(Vector.Equals(l, m), leftPick, code);
                    code.StoreUnsafe(ref c0, (nuint)i);
                }
            }
        }

        if (codes is not null)
        {
            ClearBorderCodes(codes);
        }
    }

    /// <summary>δ = relu(image − open); the skeleton is δ in round 0, then previous + relu(δ − previous·δ).</summary>
    private static void UpdateSkeleton(float[] image, float[] open, float[]? previous, float[] skeleton)
    {
        int lanes = Vector<float>.Count;
        ref float i0 = ref MemoryMarshal.GetArrayDataReference(image);
        ref float o0 = ref MemoryMarshal.GetArrayDataReference(open);
        ref float s0 = ref MemoryMarshal.GetArrayDataReference(skeleton);
        int body = image.Length - (image.Length % lanes);
        for (int i = 0; i < body; i += lanes)
        {
            Vector<float> delta = Vector.Max(Vector.LoadUnsafe(ref i0, (nuint)i) - Vector.LoadUnsafe(ref o0, (nuint)i), Vector<float>.Zero);
            if (previous is not null)
            {
                var before = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(previous), (nuint)i);
                delta = before + Vector.Max(delta - (before * delta), Vector<float>.Zero);
            }

            delta.StoreUnsafe(ref s0, (nuint)i);
        }

        for (int i = body; i < image.Length; i++)
        {
            float delta = MathF.Max(image[i] - open[i], 0);
            skeleton[i] = previous is null ? delta : previous[i] + MathF.Max(delta - (previous[i] * delta), 0);
        }
    }

    /// <summary>
    /// Through δ = relu(image − open) and skel_k = skel_{k−1} + relu(δ − skel_{k−1}·δ) (skel_0 = δ when
    /// <paramref name="previous"/> is null): ∂/∂δ into <paramref name="deltaGradient"/>, 0 where δ's ReLU is off, and
    /// <paramref name="g"/> becomes ∂/∂skel_{k−1}. Bit masks rather than products, so a border's ∞ cannot leak a NaN.
    /// </summary>
    private static void DeltaBackward(float[] image, float[] open, float[]? previous, float[] g, float[] deltaGradient)
    {
        int lanes = Vector<float>.Count;
        ref float i0 = ref MemoryMarshal.GetArrayDataReference(image);
        ref float o0 = ref MemoryMarshal.GetArrayDataReference(open);
        ref float g0 = ref MemoryMarshal.GetArrayDataReference(g);
        ref float d0 = ref MemoryMarshal.GetArrayDataReference(deltaGradient);
        int body = image.Length - (image.Length % lanes);
        for (int i = 0; i < body; i += lanes)
        {
            Vector<float> difference = Vector.LoadUnsafe(ref i0, (nuint)i) - Vector.LoadUnsafe(ref o0, (nuint)i);
            Vector<int> on = Vector.GreaterThan(difference, Vector<float>.Zero);
            Vector<float> gv = Vector.LoadUnsafe(ref g0, (nuint)i);
            if (previous is null)
            {
                Vector.ConditionalSelect(on, gv, Vector<float>.Zero).StoreUnsafe(ref d0, (nuint)i);
                continue;
            }

            var before = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(previous), (nuint)i);
            Vector<float> delta = Vector.Max(difference, Vector<float>.Zero);
            Vector<int> active = Vector.GreaterThan(delta - (before * delta), Vector<float>.Zero);
            Vector.ConditionalSelect(active & on, gv * (Vector<float>.One - before), Vector<float>.Zero).StoreUnsafe(ref d0, (nuint)i);
            Vector.ConditionalSelect(active, gv * (Vector<float>.One - delta), gv).StoreUnsafe(ref g0, (nuint)i);
        }

        for (int i = body; i < image.Length; i++)
        {
            float difference = image[i] - open[i];
            bool on = difference > 0;
            if (previous is null)
            {
                deltaGradient[i] = on ? g[i] : 0;
                continue;
            }

            float delta = MathF.Max(difference, 0);
            bool active = delta - (previous[i] * delta) > 0;
            deltaGradient[i] = active && on ? g[i] * (1 - previous[i]) : 0;
            g[i] = active ? g[i] * (1 - delta) : g[i];
        }
    }

    /// <summary>
    /// here += ∂/∂δ; next −= what each dilation output whose pick is this element passes back: the output at offset
    /// (−dc, −dr) picked it when its code is (dc + 1)·3 + (dr + 1).
    /// </summary>
    private void GatherDilation(float[] deltaGradient, int[] codes, float[] here, float[] next)
    {
        int stride = _stride;
        int lanes = Vector<float>.Count;
        ref float d0 = ref MemoryMarshal.GetArrayDataReference(deltaGradient);
        ref int c0 = ref MemoryMarshal.GetArrayDataReference(codes);
        ref float h0 = ref MemoryMarshal.GetArrayDataReference(here);
        ref float n0 = ref MemoryMarshal.GetArrayDataReference(next);
        for (int row = 1; row <= _height; row++)
        {
            int end = (row * stride) + _width + 1;
            for (int j = (row * stride) + 1; j < end; j += lanes)
            {
                (Vector.LoadUnsafe(ref h0, (nuint)j) + Vector.LoadUnsafe(ref d0, (nuint)j)).StoreUnsafe(ref h0, (nuint)j);
                Vector<float> sum = Vector<float>.Zero;
                for (int column = 0; column < 3; column++)
                {
                    for (int rowPick = 0; rowPick < 3; rowPick++)
                    {
                        int from = j - (column - 1) - ((rowPick - 1) * stride);
                        Vector<int> picked = Vector.Equals(Vector.LoadUnsafe(ref c0, (nuint)from), new Vector<int>((column * 3) + rowPick));
                        sum += Vector.ConditionalSelect(picked, Vector.LoadUnsafe(ref d0, (nuint)from), Vector<float>.Zero);
                    }
                }

                (Vector.LoadUnsafe(ref n0, (nuint)j) - sum).StoreUnsafe(ref n0, (nuint)j);
            }
        }
    }

    /// <summary>here += what each erosion output whose pick is this element passes back (its own output when the code is the centre, the one below when it is up, …).</summary>
    private void GatherErosion(float[] next, int[] codes, float[] here)
    {
        int stride = _stride;
        int lanes = Vector<float>.Count;
        ref float n0 = ref MemoryMarshal.GetArrayDataReference(next);
        ref int c0 = ref MemoryMarshal.GetArrayDataReference(codes);
        ref float h0 = ref MemoryMarshal.GetArrayDataReference(here);
        for (int row = 1; row <= _height; row++)
        {
            int end = (row * stride) + _width + 1;
            for (int j = (row * stride) + 1; j < end; j += lanes)
            {
                Vector<float> sum = Vector.LoadUnsafe(ref h0, (nuint)j);
                sum += Picked(ref n0, ref c0, j, 0);
                sum += Picked(ref n0, ref c0, j + stride, Up);
                sum += Picked(ref n0, ref c0, j - stride, Down);
                sum += Picked(ref n0, ref c0, j + 1, Left);
                sum += Picked(ref n0, ref c0, j - 1, Right);
                sum.StoreUnsafe(ref h0, (nuint)j);
            }
        }
    }

    private static Vector<float> Picked(ref float values, ref int codes, int at, int code)
        => Vector.ConditionalSelect(Vector.Equals(Vector.LoadUnsafe(ref codes, (nuint)at), new Vector<int>(code)), Vector.LoadUnsafe(ref values, (nuint)at), Vector<float>.Zero);

    /// <summary>Marks the border of a code plane as no pick (−1), so a gather never takes a border element's value.</summary>
    private void ClearBorderCodes(int[] codes)
    {
        codes.AsSpan(0, _stride).Fill(-1);
        codes.AsSpan((_height + 1) * _stride).Fill(-1);
        for (int row = 1; row <= _height; row++)
        {
            codes[row * _stride] = -1;
            codes.AsSpan((row * _stride) + _width + 1, _stride - _width - 1).Fill(-1);
        }
    }
}
