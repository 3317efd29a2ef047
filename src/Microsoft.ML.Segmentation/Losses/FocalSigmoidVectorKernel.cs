using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The float32 sigmoid focal loss for an integer γ (0 to 3) in one loop per (image, channel) row, where
/// <see cref="FocalSigmoidKernel"/> makes some 25 <c>TensorPrimitives</c> passes over each chunk. Against a label map
/// (t is 0 or 1) each element costs one exp and two divisions and no log (<see cref="LabelStep{TVector, TPower, TIgnore, TBalance}"/>,
/// the exps of a block of vectors first, <see cref="BlockLoop{TVector, TStep}"/>); binary cross-entropy (γ = 0, no α)
/// one exp, one division and a multiply-add into a product whose log ends each block (<see cref="CrossEntropyLabelStep{TVector, TIgnore}"/>),
/// with the loop specialised for γ and run at the widest accelerated width (<see cref="ISimdFloat{TSelf}"/>: 512 bits
/// on AVX-512, where <see cref="Vector{T}"/> stays 256, unless <see cref="Vector512Policy"/> keeps 256 on a CPU that splits
/// 512-bit operations); dense targets take the general form in t
/// (<see cref="DenseStep{TVector, TPower, TBalance}"/>: one exp, two divisions, no log) in the same loop. Row sums add
/// up to 32 vectors in float, then in double, then in row order, so results do not depend on the thread count. Non-finite logits make the loss sum NaN, and only then
/// are they looked for.
/// <see cref="FocalLossScalar.Sigmoid"/> is the reference it must match.
/// </summary>
internal static unsafe partial class FocalSigmoidVectorKernel
{
    /// <summary>Vectors summed in float before a label-map row's sums go to double.</summary>
    private const int PartialVectors = 32;

    /// <summary>
    /// Blocks whose factors 1 + e one product takes before its log (<see cref="IRowStep.CloseBlock{TVector}"/>): the log
    /// and its division at the end of every block were a fifth of the binary cross-entropy loop's samples (a chain of
    /// some 60 cycles that the next block's exps did not hide; every second block, the loop took 0.9× the time on one
    /// thread, and every third no less). 64 factors of at most 2 stay below 2⁶⁴ (in the two products together).
    /// </summary>
    private const int ProductBlocks = 2;

    /// <summary>
    /// Whether this kernel applies: <see cref="Vector{T}"/> is accelerated and the focal factor is a small integer power,
    /// any finite γ > 0 (<see cref="PowerReal"/>), or any finite γ with a reduced threshold (<see cref="PowerReduced"/>),
    /// against label maps or dense targets.
    /// </summary>
    public static bool Applies(FocalTerms terms) => Vector.IsHardwareAccelerated
        && (terms.IntegerGamma >= 0 || (double.IsFinite(terms.Options.Gamma) && (terms.Options.Gamma > 0 || terms.Options.ReducedThreshold is not null)));

    /// <summary>
    /// Validates <paramref name="target"/> against <paramref name="shape"/> and runs the kernel on it (float32 only).
    /// A label map without an ignore index is checked by the rows themselves: the first row of each image scans that
    /// image's labels (<see cref="LabelScan.AllBelow"/>) just before it reads them, on the kernel's threads, instead
    /// of a serial pass over the whole map first; every label counts there, so the denominator is known without it.
    /// Only if a label lies outside the classes is the map read again by <see cref="SegmentationTarget{T}.ValidateAndCount"/>,
    /// which throws naming the first one (the gradient is then unspecified, as for a non-finite logit).
    /// </summary>
    /// <remarks>
    /// Why: on [8, 1, 256, 256] (binary cross-entropy on one channel) the serial scan was a sixth of a two-thread call
    /// and left the pool's helper idle meanwhile; see README <i>Speed</i>.
    /// </remarks>
    /// <param name="terms">The focal terms (<see cref="Applies"/> is true for them).</param>
    /// <param name="input">Logits.</param>
    /// <param name="shape">Their shape.</param>
    /// <param name="target">The target, not yet validated.</param>
    /// <param name="gradient">∂L/∂x, or empty for the value only.</param>
    /// <param name="targetName">The parameter name exceptions about the target report.</param>
    /// <exception cref="ArgumentException">The target does not fit <paramref name="shape"/> or holds a label outside the classes.</exception>
    public static double Run<T>(FocalTerms terms, ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> gradient, string targetName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float))
        {
            throw new NotSupportedException($"{nameof(FocalSigmoidVectorKernel)} runs on float32 only, not {typeof(T).Name}.");
        }

        bool rowsCheckLabels = target.IsLabelMap && target.IgnoreIndex is null;
        long validElements;
        if (rowsCheckLabels)
        {
            shape.ValidateLabels(target.Labels.Length, targetName);
            validElements = shape.ElementCount;
        }
        else
        {
            validElements = target.ValidateAndCount(shape, targetName);
        }

        double value = Run(
            terms, MemoryMarshal.Cast<T, float>(input), shape, target.IsLabelMap, target.Labels, MemoryMarshal.Cast<T, float>(target.Dense), target.IgnoreIndex,
            validElements, MemoryMarshal.Cast<T, float>(gradient), rowsCheckLabels, out bool labelOutside);
        if (labelOutside)
        {
            target.ValidateAndCount(shape, targetName);
            throw new InvalidOperationException("A row found a label outside the classes that the full scan did not: a bug in SegML's label checks.");
        }

        return value;
    }

    /// <param name="terms">The focal terms (<see cref="Applies"/> is true for them).</param>
    /// <param name="input">Logits.</param>
    /// <param name="shape">Their shape.</param>
    /// <param name="isLabelMap">Whether the target is <paramref name="labels"/> (else <paramref name="dense"/>).</param>
    /// <param name="labels">The label map, when <paramref name="isLabelMap"/>.</param>
    /// <param name="dense">Dense targets (NaN: ignored), otherwise.</param>
    /// <param name="ignoreIndex">The ignored label.</param>
    /// <param name="validElements">The number of valid elements (what element averaging divides by).</param>
    /// <param name="gradient">∂L/∂x, or empty for the value only.</param>
    /// <param name="checkLabels">Whether the first row of each image checks that its labels lie in the classes.</param>
    /// <param name="labelOutside">Set when such a check found a label outside them (the value and gradient are then meaningless).</param>
    private static double Run(FocalTerms terms, ReadOnlySpan<float> input, SegmentationShape shape, bool isLabelMap, ReadOnlySpan<int> labels, ReadOnlySpan<float> dense, int? ignoreIndex, long validElements, Span<float> gradient, bool checkLabels, out bool labelOutside)
    {
        int rows = shape.Batch * shape.Classes;
        int labelCount = shape.Classes == 1 ? 2 : shape.Classes;
        bool[]? outside = checkLabels ? ArrayPool<bool>.Shared.Rent(shape.Batch) : null;
        double denominator = terms.Denominator(shape, validElements, elementwise: true);
        bool normalized = terms.Options.Normalized;
        double[] sums = ArrayPool<double>.Shared.Rent(2 * rows);
        try
        {
            fixed (float* xp = input)
            fixed (float* gp = gradient)
            fixed (int* lp = labels)
            fixed (float* dp = dense)
            {
                var x = new NativeSpan<float>(xp, input.Length);
                var g = new NativeSpan<float>(gp, gradient.Length);
                var labelRows = new NativeSpan<int>(lp, labels.Length);
                var denseRows = new NativeSpan<float>(dp, dense.Length);
                var rowTarget = new RowTarget(isLabelMap, ignoreIndex);
                bool fused = !gradient.IsEmpty && !normalized;
                (double scale, _) = terms.Scales(0, 0, denominator);
                ParallelWork.For(rows, shape.ElementCount, row =>
                {
                    if (outside is not null && row % shape.Classes == 0)
                    {
                        int s = shape.PixelsPerImage;
                        int n = row / shape.Classes;
                        outside[n] = !LabelScan.AllBelow(labelRows.Span.Slice(n * s, s), labelCount);
                    }

                    (sums[2 * row], sums[(2 * row) + 1]) = Row(terms, rowTarget, labelRows, denseRows, x, fused ? g : default, shape, row, scale, 0);
                });

                labelOutside = outside is not null && outside.AsSpan(0, shape.Batch).Contains(true);
                if (labelOutside)
                {
                    return double.NaN;
                }

                double lossSum = 0, factorSum = 0;
                for (int r = 0; r < rows; r++)
                {
                    lossSum += sums[2 * r];
                    factorSum += sums[(2 * r) + 1];
                }

                if (!double.IsFinite(lossSum))
                {
                    FiniteGuard.ThrowIfNotFinite(input, nameof(input));
                }

                if (!gradient.IsEmpty && normalized)
                {
                    (double lossScale, double factorScale) = terms.Scales(lossSum, factorSum, denominator);
                    ParallelWork.For(rows, shape.ElementCount, row => Row(terms, rowTarget, labelRows, denseRows, x, g, shape, row, lossScale, factorScale));
                }

                return terms.Value(lossSum, factorSum, denominator);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
            if (outside is not null)
            {
                ArrayPool<bool>.Shared.Return(outside);
            }
        }
    }

    /// <summary>
    /// One (image, channel) row: returns (Σ a·f·BCE, Σ f) over its valid elements and, when <paramref name="gradient"/>
    /// is not empty, writes lossScale·a·(f′·p_t′·BCE + f·(p − t)) − factorScale·f′·p_t′ per element (0 where ignored).
    /// </summary>
    private static (double Loss, double Factor) Row(FocalTerms terms, RowTarget target, NativeSpan<int> labels, NativeSpan<float> dense, NativeSpan<float> input, NativeSpan<float> gradient, SegmentationShape shape, int row, double lossScale, double factorScale)
    {
        int s = shape.PixelsPerImage;
        int n = row / shape.Classes;
        int k = row % shape.Classes;
        var c = new RowConstants(terms, k, lossScale, factorScale);
        bool withGradient = gradient.Length > 0;
        ReadOnlySpan<float> x = input.Slice(row * s, s);
        Span<float> g = withGradient ? gradient.Slice(row * s, s) : default;
        ReadOnlySpan<int> l = target.IsLabelMap ? labels.Slice(n * s, s) : default;
        ReadOnlySpan<float> d = target.IsLabelMap ? default : dense.Slice(row * s, s);
        if (target.IsLabelMap)
        {
            // t is 0 or 1: the cheaper form in z = ±x (LabelStep), at the widest accelerated width (512 bits on
            // AVX-512 except on Zen 4: Vector<T> stays 256 there), specialised for γ so the loop has no switch.
            int cls = shape.Classes == 1 ? 1 : k;
            (double rowLoss, double rowFactor) = Vector512Policy.Use512 ? LabelRow<SimdFloat512>(x, l, g, target, cls, c)
                : Vector256.IsHardwareAccelerated ? LabelRow<SimdFloat256>(x, l, g, target, cls, c)
                : LabelRow<SimdFloat128>(x, l, g, target, cls, c);
            return (rowLoss, terms.Options.Normalized ? rowFactor : 0);
        }

        // Dense targets (any t, NaN ignored): the general form at the same width, two passes per block as for labels.
        (double denseLoss, double denseFactor) = Vector512Policy.Use512 ? DenseRow<SimdFloat512>(x, d, g, c)
            : Vector256.IsHardwareAccelerated ? DenseRow<SimdFloat256>(x, d, g, c)
            : DenseRow<SimdFloat128>(x, d, g, c);
        return (denseLoss, terms.Options.Normalized ? denseFactor : 0);
    }

    /// <summary>
    /// A row against a label map at the width of <typeparamref name="TVector"/>: returns (Σ a·f·BCE, Σ f). The loop is
    /// specialised for whether labels can be ignored (without an ignore index every label is a class: validated) and
    /// whether a differs between t = 1 and t = 0 (α), so the common rows have none of those masks' vector operations.
    /// </summary>
    private static (double Loss, double Factor) LabelRow<TVector>(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, Span<float> g, RowTarget target, int cls, in RowConstants c)
        where TVector : struct, ISimdFloat<TVector>
    {
        var constants = new LabelConstants<TVector>(c, cls, target.Outside);
        return (target.HasIgnoreIndex, c.Balanced) switch
        {
            (false, false) => LabelRow<TVector, No, No>(x, labels, g, constants),
            (false, true) => LabelRow<TVector, No, Yes>(x, labels, g, constants),
            (true, false) => LabelRow<TVector, Yes, No>(x, labels, g, constants),
            (true, true) => LabelRow<TVector, Yes, Yes>(x, labels, g, constants),
        };
    }

    /// <summary>A label-map row with its switches chosen: picks the loop of the row's γ.</summary>
    private static (double Loss, double Factor) LabelRow<TVector, TIgnore, TBalance>(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, Span<float> g, in LabelConstants<TVector> c)
        where TVector : struct, ISimdFloat<TVector>
        where TIgnore : struct, ISwitch
        where TBalance : struct, ISwitch
    {
        // The labels go through the loop as float lanes: the step compares their int32 bits.
        ReadOnlySpan<float> lanes = MemoryMarshal.Cast<int, float>(labels);
        return c.IntegerGamma switch
        {
            0 when c.WeighsTargets => BlockLoop<TVector, LabelMapStep<WeightedCrossEntropyLabelKernel, TIgnore>>(x, lanes, g, c),
            0 when !TBalance.On => BlockLoop<TVector, LabelMapStep<CrossEntropyLabelKernel, TIgnore>>(x, lanes, g, c),
            0 => BlockLoop<TVector, LabelMapStep<FocalLabelKernel<Power0, TBalance>, TIgnore>>(x, lanes, g, c),
            1 => BlockLoop<TVector, LabelMapStep<FocalLabelKernel<Power1, TBalance>, TIgnore>>(x, lanes, g, c),
            2 => BlockLoop<TVector, LabelMapStep<FocalLabelKernel<Power2, TBalance>, TIgnore>>(x, lanes, g, c),
            3 => BlockLoop<TVector, LabelMapStep<FocalLabelKernel<Power3, TBalance>, TIgnore>>(x, lanes, g, c),
            _ when c.Reduced => BlockLoop<TVector, LabelMapStep<FocalLabelKernel<PowerReduced, TBalance>, TIgnore>>(x, lanes, g, c),
            _ => BlockLoop<TVector, LabelMapStep<FocalLabelKernel<PowerReal, TBalance>, TIgnore>>(x, lanes, g, c),
        };
    }

    /// <summary>
    /// Every full vector of a row, then the tail in a padded vector whose extra lanes are not counted; the step
    /// (<typeparamref name="TStep"/>: a label map's or dense targets') is fixed at compile time. Each block of
    /// <see cref="PartialVectors"/> vectors first has its e^−|x| written to a stack buffer (it stays in L1), then the
    /// step reads them back with the row's target lanes. The first pass also keeps the largest int32 bits of −|x|, which
    /// reach those of −∞ only for a non-finite logit (counted or not): the row's loss is then NaN, so <see cref="Run"/>
    /// looks for it.
    /// </summary>
    /// <remarks>
    /// Why two passes over a block: fused, every vector was one dependency chain of some 110 cycles (exp's ~50, then a
    /// division, the series, BCE and the gradient) over ~65 operations, and the scheduler could not hold enough of them
    /// to overlap vectors: the label loop ran ~45 cycles per vector on AVX2 against ~22 of port pressure (perf samples
    /// piled up on the chain's links). Two shorter chains overlap better: a copy of both forms timed in one process ran
    /// 1.15–1.29× faster split (AVX2, [1, 21, 128, 128] in L2/L3); interleaving two vectors in one chain instead spilled
    /// registers (0.83–0.92×), and moving the division into the first pass as well gained nothing more.
    /// </remarks>
    [SkipLocalsInit]
    private static (double Loss, double Factor) BlockLoop<TVector, TStep>(ReadOnlySpan<float> x, ReadOnlySpan<float> targetLanes, Span<float> g, in LabelConstants<TVector> c)
        where TVector : struct, ISimdFloat<TVector>
        where TStep : struct, IRowStep
    {
        int width = TVector.Count;
        int s = x.Length;
        bool withGradient = !g.IsEmpty;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float t0 = ref MemoryMarshal.GetReference(targetLanes);
        ref float g0 = ref MemoryMarshal.GetReference(g);
        Span<float> expBlock = stackalloc float[PartialVectors * TVector.Count];
        ref float e0 = ref MemoryMarshal.GetReference(expBlock);
        TVector sign = TVector.CreateBits(int.MinValue);
        TVector expFloor = TStep.ExpFloor(c);
        int body = s - (s % width);
        double loss = 0, factor = 0;
        TVector lossPart = TVector.Zero, factorPart = TVector.Zero, productPart = TVector.Zero, otherProductPart = TVector.Zero;
        TVector largestBits = sign; // −0: the smallest int32 of any −|x|
        for (int block = 0; block < body; block += PartialVectors * width)
        {
            // Float partial sums of at most PartialVectors vectors (relative error ≤ 32·2⁻²⁴), then double: widening
            // every vector cost about 10 % of the loop.
            int blockEnd = Math.Min(body, block + (PartialVectors * width));
            for (int i = block; i < blockEnd; i += width)
            {
                TVector negativeMagnitude = TVector.Load(ref x0, (nuint)i) | sign;
                largestBits = TVector.MaxBits(largestBits, negativeMagnitude);
                TVector.Store(VectorMath.ExpNonPositiveAtLeast(negativeMagnitude, expFloor), ref e0, (nuint)(i - block));
            }

            for (int i = block; i < blockEnd; i += width)
            {
                TVector gv = TStep.Step(TVector.Load(ref x0, (nuint)i), TVector.Load(ref e0, (nuint)(i - block)), TVector.Load(ref t0, (nuint)i), c, ref lossPart, ref factorPart, ref productPart, ref otherProductPart);
                if (withGradient)
                {
                    TVector.Store(gv, ref g0, (nuint)i);
                }
            }

            TStep.CloseBlock(ref lossPart, ref productPart, ref otherProductPart, closesProduct: blockEnd == body || (block / (PartialVectors * width)) % ProductBlocks == ProductBlocks - 1);
            loss += TVector.SumAsDouble(lossPart);
            if (c.Normalized)
            {
                factor += TVector.SumAsDouble(factorPart);
                factorPart = TVector.Zero;
            }

            lossPart = TVector.Zero;
        }

        // Read before the tail's call: a vector live across a call is spilled, and the JIT placed that spill in the loop.
        double nonFinite = NaNIfNotFinite(largestBits);
        if (body < s)
        {
            (double tailLoss, double tailFactor) = BlockTail<TVector, TStep>(x[body..], targetLanes[body..], withGradient ? g[body..] : default, c);
            loss += tailLoss;
            factor += tailFactor;
        }

        // Without α the step summed f·BCE: a is one weight for the row.
        loss = (TStep.Balanced ? loss : loss * c.UniformWeight) + nonFinite;
        return (loss, factor);
    }

    /// <summary>
    /// 0, or NaN when a lane of <paramref name="negativeMagnitudes"/> (−|x| values) is −∞ or NaN: a sum of finite
    /// floats in double is finite, and 0 times −∞ or NaN is NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double NaNIfNotFinite<TVector>(TVector negativeMagnitudes)
        where TVector : struct, ISimdFloat<TVector> => 0 * TVector.SumAsDouble(negativeMagnitudes);

    /// <summary>
    /// A row's tail (shorter than a vector) in one padded vector whose extra target lanes hold
    /// <see cref="IRowStep.PaddingBits{TVector}"/> (not counted; <see cref="IRowStep.TailStep{TVector}"/> always masks),
    /// its loss NaN for a non-finite logit. Its own method: a second inlined copy of
    /// <see cref="LabelStep{TVector, TPower, TIgnore, TBalance}"/> ran the JIT's inlining budget out (some 520
    /// inlinees), leaving calls in the label loop (seen in <c>DOTNET_JitDisasm</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (double Loss, double Factor) BlockTail<TVector, TStep>(ReadOnlySpan<float> x, ReadOnlySpan<float> targetLanes, Span<float> g, in LabelConstants<TVector> c)
        where TVector : struct, ISimdFloat<TVector>
        where TStep : struct, IRowStep
    {
        int width = TVector.Count;
        Span<int> paddedTargets = stackalloc int[width];
        paddedTargets.Fill(TStep.PaddingBits(c));
        MemoryMarshal.Cast<float, int>(targetLanes).CopyTo(paddedTargets);
        Span<float> lanes = stackalloc float[width];
        lanes.Clear();
        x.CopyTo(lanes);
        TVector lossPart = TVector.Zero, factorPart = TVector.Zero, productPart = TVector.Zero;
        TVector xv = TVector.Load(ref lanes[0], 0);
        TVector negativeMagnitude = xv | TVector.CreateBits(int.MinValue);
        TVector e = VectorMath.ExpNonPositiveAtLeast(negativeMagnitude, TStep.ExpFloor(c));
        TVector otherProductPart = TVector.Zero;
        TVector gv = TStep.TailStep(xv, e, TVector.LoadBits(ref paddedTargets[0], 0), c, ref lossPart, ref factorPart, ref productPart, ref otherProductPart);
        TStep.CloseBlock(ref lossPart, ref productPart, ref otherProductPart, closesProduct: true);

        if (!g.IsEmpty)
        {
            TVector.Store(gv, ref lanes[0], 0);
            lanes[..x.Length].CopyTo(g);
        }

        return (TVector.SumAsDouble(lossPart) + NaNIfNotFinite(negativeMagnitude), TVector.SumAsDouble(factorPart));
    }

    /// <summary>
    /// What <see cref="BlockLoop{TVector, TStep}"/> does with a vector: the label-map step (<see cref="LabelMapStep{TKernel, TIgnore}"/>)
    /// or the dense-target one (<see cref="DenseRowStep{TKernel}"/>), as static members so each loop compiles
    /// to its own step inline.
    /// </summary>
    private interface IRowStep
    {
        /// <summary>Whether a differs between t = 1 and t = 0 (α): without, the loop multiplies the row's loss by its one weight.</summary>
        static abstract bool Balanced { get; }

        /// <summary>The smallest −|x| whose e^−|x| the step takes.</summary>
        static abstract TVector ExpFloor<TVector>(in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector>;

        /// <summary>The int32 bits of a target lane that is not counted (the tail's padding).</summary>
        static abstract int PaddingBits<TVector>(in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector>;

        /// <summary>
        /// Ends a block of at most <see cref="PartialVectors"/> vectors before its sums go to double. A step that leaves
        /// log1p(e^−|x|) out of the loss sum and multiplies it into the product instead (u ← u·(1 + e) + e, so that 1 + u
        /// is the product of the factors 1 + e: binary cross-entropy without α, where every counted element adds
        /// log1p(e) with the same weight, in two products taken in turns, <see cref="MultiplyIntoProducts{TVector}"/>)
        /// adds the log of both, log1p(u + v + u·v), to the loss sum here and starts new ones; the others do nothing. A member of the step rather than a branch in the loop: the JIT counts an inlined call in a dead
        /// branch against the loop's inlining budget, and the focal loops then lost inlined steps to calls.
        /// </summary>
        static abstract void CloseBlock<TVector>(ref TVector lossSum, ref TVector product, ref TVector otherProduct, bool closesProduct)
            where TVector : struct, ISimdFloat<TVector>;

        /// <summary>One vector: adds to the partial sums (and the product, see <see cref="CloseBlock{TVector}"/>), returns the gradient.</summary>
        static abstract TVector Step<TVector>(TVector x, TVector e, TVector targetLanes, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>;

        /// <summary><see cref="Step{TVector}"/> where some lanes may be padding.</summary>
        static abstract TVector TailStep<TVector>(TVector x, TVector e, TVector targetLanes, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>;
    }

    /// <summary>
    /// Label-map lanes (int32 label bits): t = 1 where the label is the row's class, not counted where it is the outside
    /// label; what a vector then adds and returns is <typeparamref name="TKernel"/>'s (the focal step or binary
    /// cross-entropy's), so each loop inlines only its own step: the JIT counts the inlinees of a dead branch against
    /// a method's budget, and a step that branched on its kind left calls in the focal loops.
    /// </summary>
    private struct LabelMapStep<TKernel, TIgnore> : IRowStep
        where TKernel : struct, ILabelKernel
        where TIgnore : struct, ISwitch
    {
        public static bool Balanced => TKernel.Balanced;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CloseBlock<TVector>(ref TVector lossSum, ref TVector product, ref TVector otherProduct, bool closesProduct)
            where TVector : struct, ISimdFloat<TVector>
            => TKernel.CloseBlock(ref lossSum, ref product, ref otherProduct, closesProduct);

        public static TVector ExpFloor<TVector>(in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => c.ExpFloor;

        public static int PaddingBits<TVector>(in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => c.OutsideLabel;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Step<TVector>(TVector x, TVector e, TVector targetLanes, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>
        {
            TVector invalid = TIgnore.On ? TVector.BitsEqual(targetLanes, c.Outside) : TVector.Zero;
            return TKernel.Apply<TVector, TIgnore>(x, e, TVector.BitsEqual(targetLanes, c.Class), invalid, c, ref lossSum, ref factorSum, ref product, ref otherProduct);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector TailStep<TVector>(TVector x, TVector e, TVector targetLanes, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>
            => TKernel.Apply<TVector, Yes>(x, e, TVector.BitsEqual(targetLanes, c.Class), TVector.BitsEqual(targetLanes, c.Outside), c, ref lossSum, ref factorSum, ref product, ref otherProduct);
    }

    /// <summary>What a label-map vector adds and returns, given its target and not-counted masks (<see cref="LabelMapStep{TKernel, TIgnore}"/>).</summary>
    private interface ILabelKernel
    {
        /// <summary>See <see cref="IRowStep.Balanced"/>.</summary>
        static abstract bool Balanced { get; }

        /// <summary>See <see cref="IRowStep.CloseBlock{TVector}"/>.</summary>
        static abstract void CloseBlock<TVector>(ref TVector lossSum, ref TVector product, ref TVector otherProduct, bool closesProduct)
            where TVector : struct, ISimdFloat<TVector>;

        /// <summary>One vector's sums and gradient.</summary>
        static abstract TVector Apply<TVector, TIgnore>(TVector x, TVector e, TVector isTarget, TVector invalid, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>
            where TIgnore : struct, ISwitch;
    }

    /// <summary>The sigmoid focal step of γ <typeparamref name="TPower"/>: <see cref="LabelStep{TVector, TPower, TIgnore, TBalance}"/>.</summary>
    private struct FocalLabelKernel<TPower, TBalance> : ILabelKernel
        where TPower : struct, IFocalPower
        where TBalance : struct, ISwitch
    {
        public static bool Balanced => TBalance.On;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CloseBlock<TVector>(ref TVector lossSum, ref TVector product, ref TVector otherProduct, bool closesProduct)
            where TVector : struct, ISimdFloat<TVector>
        {
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Apply<TVector, TIgnore>(TVector x, TVector e, TVector isTarget, TVector invalid, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>
            where TIgnore : struct, ISwitch
            => LabelStep<TVector, TPower, TIgnore, TBalance>(x, e, isTarget, invalid, c, ref lossSum, ref factorSum);
    }

    /// <summary>Binary cross-entropy (γ = 0, no α, one weight a row): <see cref="CrossEntropyLabelStep{TVector, TIgnore}"/>.</summary>
    private struct CrossEntropyLabelKernel : ILabelKernel
    {
        public static bool Balanced => false;

        /// <summary>
        /// Every <see cref="ProductBlocks"/> blocks and at the row's end: each lane's product of at most 64 factors
        /// 1 + e ≤ 2 stays below 2⁶⁴, and its log goes into the block's loss sum.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CloseBlock<TVector>(ref TVector lossSum, ref TVector product, ref TVector otherProduct, bool closesProduct)
            where TVector : struct, ISimdFloat<TVector>
        {
            if (closesProduct)
            {
                // (1 + u)(1 + v) − 1 = u + v + u·v: one log for both.
                lossSum += VectorMath.Log1PNonNegative(TVector.MultiplyAdd(product, otherProduct, product + otherProduct));
                product = TVector.Zero;
                otherProduct = TVector.Zero;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Apply<TVector, TIgnore>(TVector x, TVector e, TVector isTarget, TVector invalid, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>
            where TIgnore : struct, ISwitch
            => CrossEntropyLabelStep<TVector, TIgnore>(x, e, isTarget, invalid, c, ref lossSum, ref factorSum, ref product, ref otherProduct);
    }

    /// <summary>
    /// Dense-target lanes (t itself, NaN where not counted, also in the tail's padding); what a vector adds and returns
    /// is <typeparamref name="TKernel"/>'s, as for <see cref="LabelMapStep{TKernel, TIgnore}"/>.
    /// </summary>
    private struct DenseRowStep<TKernel> : IRowStep
        where TKernel : struct, IDenseKernel
    {
        public static bool Balanced => TKernel.Balanced;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CloseBlock<TVector>(ref TVector lossSum, ref TVector product, ref TVector otherProduct, bool closesProduct)
            where TVector : struct, ISimdFloat<TVector>
            => TKernel.CloseBlock(ref lossSum, ref product, ref otherProduct, closesProduct);

        public static TVector ExpFloor<TVector>(in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => c.DenseExpFloor;

        public static int PaddingBits<TVector>(in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => BitConverter.SingleToInt32Bits(float.NaN);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Step<TVector>(TVector x, TVector e, TVector targetLanes, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>
            => TKernel.Apply(x, e, targetLanes, c, ref lossSum, ref factorSum, ref product, ref otherProduct);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector TailStep<TVector>(TVector x, TVector e, TVector targetLanes, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>
            => TKernel.Apply(x, e, targetLanes, c, ref lossSum, ref factorSum, ref product, ref otherProduct);
    }

    /// <summary>What <see cref="DenseRowStep{TKernel}"/> does with a vector of dense targets (NaN: not counted).</summary>
    private interface IDenseKernel
    {
        /// <summary>See <see cref="IRowStep.Balanced"/>.</summary>
        static abstract bool Balanced { get; }

        /// <summary>See <see cref="IRowStep.CloseBlock{TVector}"/>.</summary>
        static abstract void CloseBlock<TVector>(ref TVector lossSum, ref TVector product, ref TVector otherProduct, bool closesProduct)
            where TVector : struct, ISimdFloat<TVector>;

        /// <summary>One vector's sums and gradient.</summary>
        static abstract TVector Apply<TVector>(TVector x, TVector e, TVector targetLanes, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>;
    }

    /// <summary>The sigmoid focal step of γ <typeparamref name="TPower"/> on dense targets: <see cref="DenseStep{TVector, TPower, TBalance}"/>.</summary>
    private struct DenseFocalKernel<TPower, TBalance> : IDenseKernel
        where TPower : struct, IFocalPower
        where TBalance : struct, ISwitch
    {
        public static bool Balanced => TBalance.On;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CloseBlock<TVector>(ref TVector lossSum, ref TVector product, ref TVector otherProduct, bool closesProduct)
            where TVector : struct, ISimdFloat<TVector>
        {
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Apply<TVector>(TVector x, TVector e, TVector targetLanes, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>
            => DenseStep<TVector, TPower, TBalance>(x, e, targetLanes, c, ref lossSum, ref factorSum);
    }

    /// <summary>
    /// Dense-target lanes at γ = 0 without α (multilabel binary cross-entropy with one weight a row): BCE =
    /// max(x, 0) − x·t + log1p(e), its log1p term multiplied into the product as in
    /// <see cref="CrossEntropyLabelStep{TVector, TIgnore}"/>; the gradient σ(x) − t from σ(−|x|) on either side of 0.
    /// </summary>
    private struct CrossEntropyDenseKernel : IDenseKernel
    {
        public static bool Balanced => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CloseBlock<TVector>(ref TVector lossSum, ref TVector product, ref TVector otherProduct, bool closesProduct)
            where TVector : struct, ISimdFloat<TVector>
            => CrossEntropyLabelKernel.CloseBlock(ref lossSum, ref product, ref otherProduct, closesProduct);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Apply<TVector>(TVector x, TVector e, TVector targetLanes, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
            where TVector : struct, ISimdFloat<TVector>
        {
            TVector one = TVector.One;
            TVector counted = TVector.GreaterThanOrEqual(targetLanes, targetLanes); // all ones except where t is NaN
            TVector t = targetLanes & counted;
            TVector countedE = e & counted;
            TVector onePlusE = one + countedE;
            TVector r = one / onePlusE;          // σ(|x|)
            TVector er = countedE * r;           // σ(−|x|)
            MultiplyIntoProducts(onePlusE, countedE, ref product, ref otherProduct);
            lossSum += (TVector.MaxNative(x, TVector.Zero) - (x * t)) & counted;
            if (c.Normalized)
            {
                factorSum += one & counted;
            }

            // σ(x) − t as σ(−|x|) − t where x < 0 and (1 − t) − σ(−|x|) where x ≥ 0: σ(x) rounded to 1 minus t = 1
            // would make a confident element's gradient 0 (1 − t is exact for t ≥ ½).
            TVector pMinusT = TVector.SelectBySign(x, er - t, (one - t) - er);
            return c.DenseGradientScale * (pMinusT & counted);
        }
    }

    /// <summary>
    /// One vector against a 0/1 target (<paramref name="isTarget"/> all ones where t = 1; <paramref name="invalid"/> all
    /// ones where not counted, read only when <typeparamref name="TIgnore"/> is on), given <paramref name="e"/> = e^−|x|
    /// (<see cref="VectorMath.ExpNonPositiveAtLeast{TVector}"/> of x with its sign bit set, floored at the row's
    /// <see cref="LabelConstants{TVector}.ExpFloor"/>): adds a·f·BCE (f·BCE when
    /// <typeparamref name="TBalance"/> is off: the caller multiplies by the row's one weight) and f to the sums, returns
    /// the gradient (0 where invalid).
    /// </summary>
    /// <remarks>
    /// With z = x where t = 1 and −x where t = 0 (a sign flip), p_t = σ(z), w = 1 − p_t = σ(−z), BCE = softplus(−z) and
    /// f = w^γ, so ∂(a·f·BCE)/∂z = −a·w^γ·(γ·p_t·BCE + w) and ∂f/∂z = −γ·w^γ·p_t; ∂/∂x flips the sign back. All of σ(±|x|)
    /// and log1p(e) come from e = e^−|x| and two independent divisions, σ(|x|) = 1/(1 + e) and s = e/(2 + e), with
    /// log1p(e) = 2·atanh(s), s ≤ ⅓, as s times a quartic in s² (a Chebyshev fit of 2·atanh(s)/s on s² ∈ [0, 1/9],
    /// error 8.5e−9 against a value near 2, four multiply-adds where the Taylor series took six for the same float
    /// accuracy; both 2.8 ulps of log1p at worst, the rounding of s): about twice cheaper than a general log and
    /// without the cancellation of log(1 + e) for small e.
    /// Two independent divisions instead of one shared one (1/((1 + e)(2 + e)), which put two multiplies before the
    /// division and three after it on the chain from e to BCE), BCE as one multiply-add and the selects as bit operations
    /// (p_t and w swap by an XOR where z &lt; 0; a by the target mask) made the AVX2 loop 1.09–1.17× faster in one process
    /// (a copy of both steps timed round by round); an Estrin form of the series or of exp's polynomial did not (1.00×,
    /// 0.94×), nor pairs of vectors through a two-vector struct (the JIT did not keep it in registers).
    /// The loop is bound by its vector operations on three ports, so the switches remove operations rather than branches:
    /// without an ignore index no mask, without α no select of a and its multiply (the row's weight and −lossScale go into
    /// one constant of the gradient), and the loss adds with one multiply-add (non-finite logits are found in the first pass).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LabelStep<TVector, TPower, TIgnore, TBalance>(TVector x, TVector e, TVector isTarget, TVector invalid, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum)
        where TVector : struct, ISimdFloat<TVector>
        where TPower : struct, IFocalPower
        where TIgnore : struct, ISwitch
        where TBalance : struct, ISwitch
    {
        TVector sign = TVector.CreateBits(int.MinValue);
        TVector one = TVector.One;
        TVector flip = TVector.AndNot(sign, isTarget); // the sign bit where t = 0
        TVector z = x ^ flip;
        TVector r = one / (one + e);               // σ(|x|)
        TVector er = e * r;                        // σ(−|x|)
        TVector sArg = e / (e + TVector.Create(2f)); // s = e/(2 + e)
        TVector series = TwiceAtanhOverS<TVector, TPower>(sArg);

        // z ≥ 0: p_t = σ(|x|), w = σ(−|x|); z < 0: the two swap (at z = ±0 they are equal).
        TVector swap = (r ^ er) & TVector.LessThan(z, TVector.Zero);
        TVector w = er ^ swap;  // 1 − p_t
        TVector pt = r ^ swap;  // p_t
        TVector bce = TVector.MultiplyAdd(series, sArg, TVector.MaxNative(-z, TVector.Zero));
        TVector f = TPower.OfSigmoid(w, z, x, series * sArg, c);
        // f, 0 where not counted: that one mask zeroes the loss, the factor sum and the gradient.
        TVector counted = TIgnore.On ? TVector.AndNot(f, invalid) : f;
        // a·f with a at t = 1 or at t = 0, exactly (a select in two bit operations); without α, f alone.
        TVector af = TBalance.On ? (c.WeightNegative ^ (isTarget & c.WeightBitsDifference)) * counted : counted;
        lossSum = TVector.MultiplyAdd(af, bce, lossSum);
        if (c.Normalized)
        {
            factorSum += counted;
        }

        // ∂L/∂z = −lossScale·a·w^γ·(γ·p_t·BCE + w) + factorScale·γ·w^γ·p_t; GradientScale is −lossScale, times a
        // without α.
        // At γ = 0 (binary cross-entropy) the γ terms are exact zeros: left out, with p_t, at compile time.
        if (TPower.Exponent == 0)
        {
            return (w * (af * c.GradientScale)) ^ flip;
        }

        TVector gammaPt = TPower.GammaTimes(pt, w, c);
        TVector gz = TVector.MultiplyAdd(gammaPt, bce, w) * (af * c.GradientScale);
        if (c.Normalized)
        {
            // The factor term has no a in it, and the masked f makes it 0 where not counted: one use of the mask, as a
            // second one had the JIT share ~invalid (an all-ones constant and an XOR) instead of using and-not.
            gz = TVector.MultiplyAdd(c.FactorScale * gammaPt, counted, gz);
        }

        return gz ^ flip;
    }

    /// <summary>
    /// <see cref="LabelStep{TVector, TPower, TIgnore, TBalance}"/> at γ = 0 without α (binary cross-entropy with one
    /// weight for the row): adds max(−z, 0) to the loss sum and multiplies 1 + e into <paramref name="product"/>
    /// (held as u = Π(1 + e) − 1, <see cref="IRowStep.CloseBlock{TVector}"/>) instead of adding log1p(e) element by element;
    /// the gradient is w = σ(−z) times the row's scale, as there.
    /// </summary>
    /// <remarks>
    /// Why: log1p(e) was a division and nine operations on the longest chain of the step (the atanh series); its sum over
    /// a block is the log of one product, and u·(1 + e) + e is one multiply-add that keeps what a product of 1 + e
    /// rounded to float would lose: an e below 2⁻²⁴ still adds to a small u, and a u near 1 loses only what a float sum
    /// of the terms would (addends under half its ulp). Each step rounds once plus the rounding of 1 + e, at most
    /// 1.5·2⁻²⁴ of u, and log1p(u) moves by at most u's relative error; over a product's 64 factors
    /// (<see cref="ProductBlocks"/>) at worst 96·2⁻²⁴ (5.7e−6) relative, against 32·2⁻²⁴ for the float partial sums of
    /// the per-element form (the errors of random logits partly cancel: 3.8e−8 from PyTorch's value on the benchmark's
    /// problem).
    /// Not counted lanes multiply by 1: their e is masked to 0 first.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector CrossEntropyLabelStep<TVector, TIgnore>(TVector x, TVector e, TVector isTarget, TVector invalid, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum, ref TVector product, ref TVector otherProduct)
        where TVector : struct, ISimdFloat<TVector>
        where TIgnore : struct, ISwitch
    {
        TVector one = TVector.One;
        TVector flip = TVector.AndNot(TVector.CreateBits(int.MinValue), isTarget); // the sign bit where t = 0
        TVector z = x ^ flip;
        TVector counted = TIgnore.On ? TVector.AndNot(e, invalid) : e;
        TVector onePlusE = one + counted;
        TVector r = c.GradientScale / onePlusE;    // the row's scale times σ(|x|)
        TVector er = counted * r;                  // times σ(−|x|), 0 where not counted
        MultiplyIntoProducts(onePlusE, counted, ref product, ref otherProduct);

        TVector w = TVector.SelectBySign(z, r, er); // times σ(−z): σ(−|x|) where z ≥ 0, σ(|x|) where z < 0
        TVector relu = TVector.MaxNative(-z, TVector.Zero);
        lossSum += TIgnore.On ? TVector.AndNot(relu, invalid) : relu;
        if (c.Normalized)
        {
            factorSum += TIgnore.On ? TVector.AndNot(one, invalid) : one;
        }

        return (TIgnore.On ? TVector.AndNot(w, invalid) : w) ^ flip;
    }

    /// <summary>
    /// u ← u·(1 + e) + e on <paramref name="product"/>, then the two products trade places, so that consecutive vectors
    /// multiply into alternate ones (<see cref="CrossEntropyLabelKernel.CloseBlock{TVector}"/> joins them): one product
    /// made the loop wait on its multiply-add's latency every vector, which without FMA is a multiply's and an add's
    /// (0.96 → 0.92 ns a pixel at 128 bits without FMA, one thread; the same at AVX2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyIntoProducts<TVector>(TVector onePlusE, TVector e, ref TVector product, ref TVector otherProduct)
        where TVector : struct, ISimdFloat<TVector>
    {
        TVector next = TVector.MultiplyAdd(product, onePlusE, e);
        product = otherProduct;
        otherProduct = next;
    }

    /// <summary>
    /// 2·atanh(s)/s for s = e/(2 + e) ∈ [0, ⅓], so that log1p(e) = s·(this): the quartic in s² described in
    /// <see cref="LabelStep{TVector, TPower, TIgnore, TBalance}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector TwiceAtanhOverS<TVector, TPower>(TVector s)
        where TVector : struct, ISimdFloat<TVector>
        where TPower : struct, IFocalPower
    {
        // At γ = 0 only the gradient's scale bounds |x| (to about 69 with the defaults), so s can fall below 2^−62:
        // it is raised to that before it is squared, so that s² stays normal; the series is 2 to float precision there.
        TVector limited = TPower.Exponent == 0 ? TVector.MaxNative(s, TVector.Create(2.168404e-19f)) : s;
        TVector s2 = limited * limited;
        TVector series = TVector.MultiplyAdd(s2, TVector.Create(0.281577783631f), TVector.Create(0.279651577452f));
        series = TVector.MultiplyAdd(series, s2, TVector.Create(0.400245952307f));
        series = TVector.MultiplyAdd(series, s2, TVector.Create(0.666663216414f));
        return TVector.MultiplyAdd(series, s2, TVector.Create(2.00000000768f));
    }

    /// <summary>A yes or no chosen at compile time, so a label loop without it has none of its vector operations.</summary>
    private interface ISwitch
    {
        static abstract bool On { get; }
    }

    private struct Yes : ISwitch
    {
        public static bool On => true;
    }

    private struct No : ISwitch
    {
        public static bool On => false;
    }

    /// <summary>The focal factor w^γ for a small integer γ, chosen at compile time so the loop holds no switch.</summary>
    private interface IFocalPower
    {
        /// <summary>γ.</summary>
        static abstract int Exponent { get; }

        /// <summary>w^γ against dense targets (w = 1 − p_t from <see cref="Complement{TVector}"/>).</summary>
        static abstract TVector Of<TVector>(TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector>;

        /// <summary>γ·w^(γ−1), the derivative of w^γ, given <paramref name="f"/> = <see cref="Of{TVector}"/> of w.</summary>
        static abstract TVector Slope<TVector>(TVector w, TVector f, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector>;

        /// <summary>1 − p_t = p + t·(q − p) of a dense target t, with p = σ(x) and q = σ(−x).</summary>
        static abstract TVector Complement<TVector>(TVector p, TVector q, TVector t)
            where TVector : struct, ISimdFloat<TVector>;

        /// <summary>γ·p_t, the label step's −(∂f/∂z)/f, given w = 1 − p_t (0 where f does not depend on p_t).</summary>
        static abstract TVector GammaTimes<TVector>(TVector pt, TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector>;

        /// <summary>
        /// w^γ for w = σ(−z) with z = ±x, given <paramref name="log1P"/> = log1p(e^−|x|) (the label step's): the integer
        /// powers multiply w, <see cref="PowerReal"/> takes e^(γ·ln w) from ln w = min(−z, 0)·… without a log.
        /// </summary>
        static abstract TVector OfSigmoid<TVector>(TVector w, TVector z, TVector x, TVector log1P, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector>;
    }

    private struct Power0 : IFocalPower
    {
        public static int Exponent => 0;

        public static TVector Of<TVector>(TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => TVector.One;

        public static TVector Slope<TVector>(TVector w, TVector f, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => TVector.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Complement<TVector>(TVector p, TVector q, TVector t)
            where TVector : struct, ISimdFloat<TVector> => TVector.MultiplyAdd(t, q - p, p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector OfSigmoid<TVector>(TVector w, TVector z, TVector x, TVector log1P, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => Of(w, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector GammaTimes<TVector>(TVector pt, TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => c.Gamma * pt;
    }

    private struct Power1 : IFocalPower
    {
        public static int Exponent => 1;

        public static TVector Of<TVector>(TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => w;

        public static TVector Slope<TVector>(TVector w, TVector f, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => TVector.One;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Complement<TVector>(TVector p, TVector q, TVector t)
            where TVector : struct, ISimdFloat<TVector> => TVector.MultiplyAdd(t, q - p, p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector OfSigmoid<TVector>(TVector w, TVector z, TVector x, TVector log1P, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => Of(w, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector GammaTimes<TVector>(TVector pt, TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => c.Gamma * pt;
    }

    private struct Power2 : IFocalPower
    {
        public static int Exponent => 2;

        public static TVector Of<TVector>(TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => w * w;

        public static TVector Slope<TVector>(TVector w, TVector f, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => w + w;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Complement<TVector>(TVector p, TVector q, TVector t)
            where TVector : struct, ISimdFloat<TVector> => TVector.MultiplyAdd(t, q - p, p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector OfSigmoid<TVector>(TVector w, TVector z, TVector x, TVector log1P, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => Of(w, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector GammaTimes<TVector>(TVector pt, TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => c.Gamma * pt;
    }

    private struct Power3 : IFocalPower
    {
        public static int Exponent => 3;

        public static TVector Of<TVector>(TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => w * w * w;

        public static TVector Slope<TVector>(TVector w, TVector f, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => TVector.Create(3f) * w * w;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Complement<TVector>(TVector p, TVector q, TVector t)
            where TVector : struct, ISimdFloat<TVector> => TVector.MultiplyAdd(t, q - p, p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector OfSigmoid<TVector>(TVector w, TVector z, TVector x, TVector log1P, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => Of(w, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector GammaTimes<TVector>(TVector pt, TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => c.Gamma * pt;
    }

    /// <summary>
    /// Any other γ > 0 (torchvision's and smp's γ is a float: 0.5, 1.5, 4 …): w^γ = e^(γ·ln w). On label maps ln w =
    /// ln σ(−z) = −softplus(z) = min(0, −z)·… comes from what the label step has: ln e^−|x| = −|x| (floored as e is, so
    /// that w^γ is e's power) where z ≥ 0 and 0 where z &lt; 0, less log1p(e); one exp and no log an element. Against
    /// dense targets (1 − p_t of a soft t has no such form) a log and an exp: w = p·(1 − t) + q·t, a sum of non-negative
    /// terms (p + t·(q − p) loses q to rounding where p ≈ 1, and γ &lt; 1 makes the slope at w = 0 infinite), w ≥ min(p, q)
    /// > 0 as e^−|x| is floored; the slope γ·w^(γ−1) is γ·f/w.
    /// </summary>
    private struct PowerReal : IFocalPower
    {
        public static int Exponent => -1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Of<TVector>(TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => VectorMath.ExpNonPositive(c.Gamma * VectorMath.Log(w));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Slope<TVector>(TVector w, TVector f, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => c.Gamma * (f / w);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Complement<TVector>(TVector p, TVector q, TVector t)
            where TVector : struct, ISimdFloat<TVector> => TVector.MultiplyAdd(t, q, p - (p * t));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector GammaTimes<TVector>(TVector pt, TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => c.Gamma * pt;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector OfSigmoid<TVector>(TVector w, TVector z, TVector x, TVector log1P, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => VectorMath.ExpNonPositive(c.Gamma * LogOfSigmoid(z, x, log1P, c));

        /// <summary>ln w = ln σ(−z) from the label step's terms (see the type's summary).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static TVector LogOfSigmoid<TVector>(TVector z, TVector x, TVector log1P, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector>
        {
            TVector logE = TVector.MaxNative(x | TVector.CreateBits(int.MinValue), c.ExpFloor); // ln e, e's own floor
            return TVector.SelectBySign(z, TVector.Zero, logE) - log1P;
        }
    }

    /// <summary>
    /// A reduced threshold (Sergievskiy and Ponamarev's reduced focal loss; any finite γ ≥ 0): f = 1 where p_t &lt; th,
    /// else (w/th)^γ = e^(γ·ln w − γ·ln th), w = 1 − p_t; the slope γ·f/w there and 0 below (f is a constant there, so the
    /// label step's γ·p_t is 0 too). ln w as <see cref="PowerReal"/> takes it (label maps) or from the vector log (dense
    /// targets); "p_t &lt; th" is w > 1 − th in float. The exponent can be positive (th &lt; ½ lets w/th exceed 1): a
    /// general exp.
    /// </summary>
    private struct PowerReduced : IFocalPower
    {
        public static int Exponent => -2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Of<TVector>(TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => Reduced(w, VectorMath.Log(w), c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Slope<TVector>(TVector w, TVector f, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => TVector.AndNot(c.Gamma * (f / w), Below(w, c));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Complement<TVector>(TVector p, TVector q, TVector t)
            where TVector : struct, ISimdFloat<TVector> => PowerReal.Complement(p, q, t);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector GammaTimes<TVector>(TVector pt, TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => TVector.AndNot(c.Gamma * pt, Below(w, c));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector OfSigmoid<TVector>(TVector w, TVector z, TVector x, TVector log1P, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => Reduced(w, PowerReal.LogOfSigmoid(z, x, log1P, c), c);

        /// <summary>All ones where p_t &lt; th.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Below<TVector>(TVector w, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector> => TVector.GreaterThan(w, c.OneMinusThreshold);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Reduced<TVector>(TVector w, TVector logW, in LabelConstants<TVector> c)
            where TVector : struct, ISimdFloat<TVector>
            => TVector.Select(Below(w, c), TVector.One, VectorMath.Exp(TVector.MultiplyAdd(c.Gamma, logW, c.NegativeGammaLogThreshold)));
    }

    /// <summary>
    /// A row against dense targets at the width of <typeparamref name="TVector"/>: picks the loop of its γ and α switch.
    /// </summary>
    /// <remarks>
    /// Why not the label step: t need not be 0 or 1 (soft or smoothed targets), so p_t cannot be a sign flip of x. The
    /// block loop is what made the label rows fast: no double per vector (the old step on <see cref="Vector{T}"/> widened
    /// its loss and factor every vector), log1p(e^−|x|) from the atanh series instead of a general log, the widest width
    /// (it ran on 256 bits on AVX-512), and γ and α fixed at compile time instead of a switch per vector.
    /// </remarks>
    private static (double Loss, double Factor) DenseRow<TVector>(ReadOnlySpan<float> x, ReadOnlySpan<float> targets, Span<float> g, in RowConstants c)
        where TVector : struct, ISimdFloat<TVector>
    {
        var constants = new LabelConstants<TVector>(c, 0, 0);
        if (c.WeighsTargets)
        {
            return BlockLoop<TVector, DenseRowStep<WeightedCrossEntropyDenseKernel>>(x, targets, g, constants);
        }

        return (c.Balanced, c.Gamma) switch
        {
            (false, 0) => BlockLoop<TVector, DenseRowStep<CrossEntropyDenseKernel>>(x, targets, g, constants),
            (false, 1) => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<Power1, No>>>(x, targets, g, constants),
            (false, 2) => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<Power2, No>>>(x, targets, g, constants),
            (false, 3) => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<Power3, No>>>(x, targets, g, constants),
            (true, 0) => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<Power0, Yes>>>(x, targets, g, constants),
            (true, 1) => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<Power1, Yes>>>(x, targets, g, constants),
            (true, 2) => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<Power2, Yes>>>(x, targets, g, constants),
            (true, 3) => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<Power3, Yes>>>(x, targets, g, constants),
            (false, _) when c.Reduced => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<PowerReduced, No>>>(x, targets, g, constants),
            (true, _) when c.Reduced => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<PowerReduced, Yes>>>(x, targets, g, constants),
            (false, _) => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<PowerReal, No>>>(x, targets, g, constants),
            (true, _) => BlockLoop<TVector, DenseRowStep<DenseFocalKernel<PowerReal, Yes>>>(x, targets, g, constants),
        };
    }

    /// <summary>
    /// One vector against dense targets (NaN: not counted), given <paramref name="e"/> = e^−|x| floored at the row's
    /// <see cref="LabelConstants{TVector}.DenseExpFloor"/>: adds a·f·BCE (f·BCE when <typeparamref name="TBalance"/> is
    /// off) and f to the sums and returns the gradient lossScale·a·(f′·p_t′·BCE + f·(p − t)) − factorScale·f′·p_t′, all 0
    /// where not counted.
    /// </summary>
    /// <remarks>
    /// p = σ(x) and q = 1 − p are σ(|x|) = 1/(1 + e) and e·σ(|x|), swapped by an XOR where x &lt; 0; softplus(x) is
    /// max(x, 0) + log1p(e) with log1p(e) from s = e/(2 + e) as in <see cref="LabelStep{TVector, TPower, TIgnore, TBalance}"/>;
    /// BCE = softplus(x) − x·t. 1 − p_t = p + t·(q − p), f = (1 − p_t)^γ, and f′·p_t′ = γ(1 − p_t)^(γ−1)·(1 − 2t)·p·q
    /// (∂f/∂p_t = −γ(1 − p_t)^(γ−1), ∂p_t/∂x = (2t − 1)·p·q). With α, a = w·(α·t + (1 − α)(1 − t)), a line in t.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector DenseStep<TVector, TPower, TBalance>(TVector x, TVector e, TVector targetValues, in LabelConstants<TVector> c, ref TVector lossSum, ref TVector factorSum)
        where TVector : struct, ISimdFloat<TVector>
        where TPower : struct, IFocalPower
        where TBalance : struct, ISwitch
    {
        TVector one = TVector.One;
        TVector counted = TVector.GreaterThanOrEqual(targetValues, targetValues); // all ones except where t is NaN
        TVector t = targetValues & counted;
        TVector r = one / (one + e);                 // σ(|x|)
        TVector er = e * r;                          // σ(−|x|)
        TVector sArg = e / (e + TVector.Create(2f)); // s = e/(2 + e)
        TVector series = TwiceAtanhOverS<TVector, TPower>(sArg);

        TVector swap = (r ^ er) & TVector.LessThan(x, TVector.Zero);
        TVector p = r ^ swap;  // σ(x)
        TVector q = er ^ swap; // 1 − σ(x)
        TVector bce = TVector.MultiplyAdd(series, sArg, TVector.MaxNative(x, TVector.Zero) - (x * t));
        TVector om = TPower.Complement(p, q, t); // 1 − p_t
        TVector power = TPower.Of(om, c);
        TVector f = power & counted;
        TVector a = TBalance.On ? TVector.MultiplyAdd(t, c.AlphaSlope, c.AlphaBase) : one;
        TVector af = TBalance.On ? a * f : f;
        lossSum = TVector.MultiplyAdd(af, bce, lossSum);
        if (c.Normalized)
        {
            factorSum += f;
        }

        // Without α the row's a is in DenseGradientScale (lossScale·a) and the caller's loss product.
        TVector pMinusT = p - t;
        if (TPower.Exponent == 0)
        {
            // f′ = 0: f (0 where not counted) times p − t is the whole bracket.
            return (TBalance.On ? a * c.DenseGradientScale : c.DenseGradientScale) * (f * pMinusT);
        }

        TVector dfp = TPower.Slope(om, power, c) * TVector.MultiplyAdd(t, TVector.Create(-2f), one) * (p * q);
        TVector gz = TVector.MultiplyAdd(dfp, bce, f * pMinusT) * (TBalance.On ? a * c.DenseGradientScale : c.DenseGradientScale);
        if (c.Normalized)
        {
            gz = TVector.MultiplyAdd(dfp, c.NegativeFactorScale, gz);
        }

        return gz & counted; // f′·p_t′ is not masked
    }

    /// <summary>The per-row constants in float.</summary>
    private readonly struct RowConstants
    {
        public RowConstants(FocalTerms terms, int channel, double lossScale, double factorScale)
        {
            double w = terms.ClassWeight(channel);
            Gamma = terms.IntegerGamma;
            RealGamma = terms.Options.Gamma;
            Normalized = terms.Options.Normalized;
            if (terms.Options.ReducedThreshold is double threshold)
            {
                Reduced = true;
                OneMinusThreshold = (float)(1 - threshold);
                NegativeGammaLogThreshold = (float)(-RealGamma * Math.Log(threshold));
            }

            double alpha = terms.Options.Alpha ?? 0.5;
            double scale = terms.Options.Alpha is null ? 2 : 1; // without α, a = w: the α = ½ line doubled
            AlphaBase = (float)(scale * w * (1 - alpha));
            AlphaSlope = (float)(scale * w * ((2 * alpha) - 1));
            LossScale = (float)lossScale;
            FactorScaleValue = (float)factorScale;
            NegativeLossScale = (float)-lossScale;
            WeightPositive = (float)(scale * w * alpha);       // a at t = 1
            WeightNegative = (float)(scale * w * (1 - alpha)); // a at t = 0
            UniformWeight = scale * w * (1 - alpha);
            Balanced = BitConverter.SingleToInt32Bits(WeightPositive) != BitConverter.SingleToInt32Bits(WeightNegative);
            WeightedNegativeLossScale = (float)(UniformWeight * -lossScale);

            // Binary cross-entropy's weighted targets (WeightedCrossEntropy): with t′ = t(1 − 2ε) + ε, 1 − t′ = C + D·t
            // and pw·t′ = E·t + F. Their smallest weight on a 0/1 target, ε·min(pw, 1) (or min(pw, 1)), joins a's.
            WeighsTargets = terms.WeighsTargets;
            double pw = terms.PositiveWeight(channel), smoothing = terms.Smoothing;
            NegativeTargetBase = (float)(1 - smoothing);
            NegativeTargetSlope = (float)-(1 - (2 * smoothing));
            PositiveTargetSlope = (float)(pw * (1 - (2 * smoothing)));
            PositiveTargetBase = (float)(pw * smoothing);
            double targetWeight = WeighsTargets ? (smoothing > 0 ? smoothing : 1) * Math.Min(1, NonZero((float)pw)) : 1;
            ExpFloor = -LargestNormalMagnitude(RealGamma, (Balanced ? Math.Min(NonZero(WeightPositive), NonZero(WeightNegative)) : 1) * targetWeight, Balanced ? NegativeLossScale : WeightedNegativeLossScale, Normalized ? FactorScaleValue : 0, denseTargets: false);
            DenseExpFloor = -LargestNormalMagnitude(RealGamma, Math.Min(NonZero(WeightPositive), NonZero(WeightNegative)) * targetWeight, NegativeLossScale, Normalized ? FactorScaleValue : 0, denseTargets: true);
        }

        /// <summary>
        /// The largest |x| whose e^−|x| keeps every product of the label step in float's normal range, for this row's
        /// γ, smallest weight a (1 when the loop leaves a out), gradient scale and factor scale; larger |x| get e^−|x|
        /// of this bound (<see cref="VectorMath.ExpNonPositiveAtLeast{TVector}"/>). With <paramref name="denseTargets"/>,
        /// for <see cref="DenseStep{TVector, TPower, TBalance}"/>: a is in every gradient product there (or in its scale), and the
        /// factor term is factorScale·f′·p_t′ ≈ γ·w^γ·factorScale.
        /// </summary>
        /// <remarks>
        /// Why: x86 runs an operation with a subnormal result (no flush-to-zero in .NET) as a microcode assist of some
        /// hundred cycles. With the defaults (γ = 2, the mean over 11 M elements) the gradient w³·lossScale leaves the
        /// normal range from |x| ≈ 23, and rows of such confident logits, the usual ones of a trained model, ran 2.2×
        /// slower (<c>|x|</c> in [25, 45] against [0, 4], AVX2). What the floor changes is below float resolution: an
        /// element with |x| beyond the bound B keeps its BCE and sign; its p_t or 1 − p_t becomes e^−B instead of
        /// e^−|x| (both negligible against 1), so its loss term moves by at most a·e^−(γ+1)B and its gradient stays at
        /// the bottom of the normal range instead of going subnormal. B is never below 23 (there e^−B·γ·|x| stays under
        /// half an ulp of the gradient's bracket for |x| up to 100) nor, for γ = 0, below 46 (a loss term moves by at
        /// most 1e−20), nor above 86 (s = e/(2 + e) stays normal; γ = 0 squares s raised to 2^−62, see
        /// <see cref="LabelStep{TVector, TPower, TIgnore, TBalance}"/>).
        /// </remarks>
        private static float LargestNormalMagnitude(double gamma, double smallestWeight, double gradientScale, double factorScale, bool denseTargets)
        {
            const double Range = 87.33654 - 2; // −ln of float's smallest normal, less a margin of e²
            double bound = 86;
            if (gamma > 0)
            {
                bound = Math.Min(bound, (Range + Math.Min(0, Math.Log(smallestWeight))) / gamma); // a·w^γ
                bound = Math.Min(bound, (Range - Math.Log(9)) / 2);                               // s² = (e/(2 + e))²
            }

            if (gradientScale != 0)
            {
                // The bracket (≈ (γ + 1)·w where w is small) times a·w^γ times −lossScale.
                bound = Math.Min(bound, (Range + Math.Log(Math.Abs(gradientScale) * smallestWeight)) / (gamma + 1));
            }

            if (factorScale != 0 && gamma > 0)
            {
                bound = Math.Min(bound, Range + Math.Log(Math.Abs(factorScale) * gamma)); // factorScale·γ·p_t with p_t = e^−B
                if (denseTargets)
                {
                    bound = Math.Min(bound, (Range + Math.Log(Math.Abs(factorScale) * gamma)) / gamma); // factorScale·γ·w^γ
                }
            }

            return (float)Math.Max(bound, gamma == 0 ? 46 : 23);
        }

        private static double NonZero(float weight) => weight == 0 ? 1 : Math.Abs(weight);

        /// <summary>γ as a small integer (0 to 3), or -1 for <see cref="PowerReal"/>.</summary>
        public int Gamma { get; }

        /// <summary>γ itself.</summary>
        public double RealGamma { get; }

        /// <summary>Whether the factor has a reduced threshold th (<see cref="PowerReduced"/>).</summary>
        public bool Reduced { get; }

        /// <summary>1 − th: p_t &lt; th where w = 1 − p_t exceeds it.</summary>
        public float OneMinusThreshold { get; }

        /// <summary>−γ·ln th.</summary>
        public float NegativeGammaLogThreshold { get; }

        public bool Normalized { get; }

        /// <summary>a at t = 0: a = <see cref="AlphaBase"/> + t·<see cref="AlphaSlope"/>.</summary>
        public float AlphaBase { get; }

        public float AlphaSlope { get; }

        public float LossScale { get; }

        public float FactorScaleValue { get; }

        public float NegativeLossScale { get; }

        public float WeightPositive { get; }

        public float WeightNegative { get; }

        /// <summary>Whether a differs between t = 1 and t = 0 (α other than ½).</summary>
        public bool Balanced { get; }

        /// <summary>a when it does not depend on t (<see cref="Balanced"/> false).</summary>
        public double UniformWeight { get; }

        /// <summary>−lossScale times <see cref="UniformWeight"/>.</summary>
        public float WeightedNegativeLossScale { get; }

        /// <summary>The smallest −|x| the label step takes e^−|x| of (see <see cref="LargestNormalMagnitude"/>).</summary>
        public float ExpFloor { get; }

        /// <summary>The same for <see cref="DenseStep{TVector, TPower, TBalance}"/>.</summary>
        public float DenseExpFloor { get; }

        /// <summary>Whether the row weighs binary cross-entropy's targets (<see cref="FocalTerms.WeighsTargets"/>).</summary>
        public bool WeighsTargets { get; }

        /// <summary>1 − t′ at t = 0: 1 − ε.</summary>
        public float NegativeTargetBase { get; }

        /// <summary>The slope of 1 − t′ in t: −(1 − 2ε).</summary>
        public float NegativeTargetSlope { get; }

        /// <summary>pw·t′ at t = 0: pw·ε.</summary>
        public float PositiveTargetBase { get; }

        /// <summary>The slope of pw·t′ in t: pw·(1 − 2ε).</summary>
        public float PositiveTargetSlope { get; }
    }

    /// <summary>A label-map row's constants at the width of <typeparamref name="TVector"/>.</summary>
    private readonly struct LabelConstants<TVector>
        where TVector : struct, ISimdFloat<TVector>
    {
        public LabelConstants(in RowConstants c, int cls, int outside)
        {
            Normalized = c.Normalized;
            IntegerGamma = c.Gamma;
            UniformWeight = c.UniformWeight;
            Class = TVector.CreateBits(cls);
            Outside = TVector.CreateBits(outside);
            OutsideLabel = outside;
            ExpFloor = TVector.Create(c.ExpFloor);
            Gamma = TVector.Create((float)c.RealGamma);
            Reduced = c.Reduced;
            OneMinusThreshold = TVector.Create(c.OneMinusThreshold);
            NegativeGammaLogThreshold = TVector.Create(c.NegativeGammaLogThreshold);
            WeightNegative = TVector.Create(c.WeightNegative);
            WeightBitsDifference = TVector.CreateBits(BitConverter.SingleToInt32Bits(c.WeightPositive) ^ BitConverter.SingleToInt32Bits(c.WeightNegative));
            GradientScale = TVector.Create(c.Balanced ? c.NegativeLossScale : c.WeightedNegativeLossScale);
            FactorScale = TVector.Create(c.FactorScaleValue);
            NegativeFactorScale = TVector.Create(-c.FactorScaleValue);
            DenseExpFloor = TVector.Create(c.DenseExpFloor);
            AlphaBase = TVector.Create(c.AlphaBase);
            AlphaSlope = TVector.Create(c.AlphaSlope);
            DenseGradientScale = TVector.Create(c.Balanced ? c.LossScale : (float)(c.UniformWeight * c.LossScale));
            WeighsTargets = c.WeighsTargets;
            NegativeTargetBase = TVector.Create(c.NegativeTargetBase);
            NegativeTargetSlope = TVector.Create(c.NegativeTargetSlope);
            PositiveTargetBase = TVector.Create(c.PositiveTargetBase);
            PositiveTargetSlope = TVector.Create(c.PositiveTargetSlope);
        }

        /// <summary>See <see cref="RowConstants.WeighsTargets"/>.</summary>
        public bool WeighsTargets { get; }

        /// <summary>See <see cref="RowConstants.NegativeTargetBase"/>.</summary>
        public TVector NegativeTargetBase { get; }

        /// <summary>See <see cref="RowConstants.NegativeTargetSlope"/>.</summary>
        public TVector NegativeTargetSlope { get; }

        /// <summary>See <see cref="RowConstants.PositiveTargetBase"/>.</summary>
        public TVector PositiveTargetBase { get; }

        /// <summary>See <see cref="RowConstants.PositiveTargetSlope"/>.</summary>
        public TVector PositiveTargetSlope { get; }

        public bool Normalized { get; }

        public int IntegerGamma { get; }

        /// <summary>See <see cref="RowConstants.Reduced"/>.</summary>
        public bool Reduced { get; }

        public TVector OneMinusThreshold { get; }

        public TVector NegativeGammaLogThreshold { get; }

        /// <summary>The row's one a, which the loop leaves out of the loss when a does not depend on t.</summary>
        public double UniformWeight { get; }

        /// <summary>The row's class, as int32 bits: label lanes equal to it are the targets (t = 1).</summary>
        public TVector Class { get; }

        /// <summary>The label that is not counted (<see cref="RowTarget.Outside"/>), as int32 bits.</summary>
        public TVector Outside { get; }

        /// <summary>That label itself (the label map's tail padding).</summary>
        public int OutsideLabel { get; }

        /// <summary><see cref="RowConstants.ExpFloor"/> in every lane.</summary>
        public TVector ExpFloor { get; }

        public TVector Gamma { get; }

        public TVector WeightNegative { get; }

        /// <summary>The bits of a at t = 1 XOR those of a at t = 0: a select by the target mask in two bit operations.</summary>
        public TVector WeightBitsDifference { get; }

        /// <summary>What a·f (f alone without α) times the gradient's bracket is multiplied by: −lossScale, times a without α.</summary>
        public TVector GradientScale { get; }

        public TVector FactorScale { get; }

        public TVector NegativeFactorScale { get; }

        /// <summary><see cref="RowConstants.DenseExpFloor"/> in every lane.</summary>
        public TVector DenseExpFloor { get; }

        public TVector AlphaBase { get; }

        public TVector AlphaSlope { get; }

        /// <summary>What a·(the dense gradient's bracket) is multiplied by: lossScale, times a without α.</summary>
        public TVector DenseGradientScale { get; }
    }

    /// <summary>The kind of target of a row; turns a vector of dense values into (target, validity) vectors.</summary>
    private readonly struct RowTarget
    {
        public RowTarget(bool isLabelMap, int? ignoreIndex)
        {
            IsLabelMap = isLabelMap;
            HasIgnoreIndex = ignoreIndex is not null;

            // Without an ignore index no valid label is int.MinValue, so it marks the tail padding as invalid.
            Outside = ignoreIndex ?? int.MinValue;
        }

        public bool IsLabelMap { get; }

        /// <summary>Whether a label can be ignored (without an ignore index every label is a class: the target is validated).</summary>
        public bool HasIgnoreIndex { get; }

        /// <summary>The label that is not counted (the ignore index, or int.MinValue for none): also the tail padding.</summary>
        public int Outside { get; }
    }
}
