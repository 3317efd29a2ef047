using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// The workload of the speed target: float32 logits [8, 21, 256, 256] with random labels (seeded), the same
/// for BenchmarkDotNet and the quick mode so their figures compare.
/// </summary>
public sealed class BenchmarkWorkload
{
    public BenchmarkWorkload(int batch = 8, int classes = 21, int height = 256, int width = 256, int seed = 1234)
    {
        Shape = new SegmentationShape(batch, classes, height, width);
        var random = new Random(seed);
        Logits = new float[Shape.ElementCount];
        for (int i = 0; i < Logits.Length; i++)
        {
            Logits[i] = (float)((random.NextDouble() * 8) - 4);
        }

        Labels = new int[Shape.PixelCount];
        for (int i = 0; i < Labels.Length; i++)
        {
            Labels[i] = random.Next(classes);
        }

        // A trained model's logits: every element on the side of its label, by a margin of 10 to 40.
        ConfidentLogits = new float[Logits.Length];
        int pixels = Shape.PixelsPerImage;
        for (int i = 0; i < ConfidentLogits.Length; i++)
        {
            int n = i / (classes * pixels), k = i / pixels % classes, p = i % pixels;
            double margin = 10 + (random.NextDouble() * 30);
            ConfidentLogits[i] = (float)(Labels[(n * pixels) + p] == k ? margin : -margin);
        }

        // Every 20th pixel ignored (255), for the losses measured as mmseg configures them.
        MaskedLabels = Labels.Select((l, i) => i % 20 == 7 ? MaskedIgnoreIndex : l).ToArray();
        BinaryShape = Shape.WithClasses(1);
        BinaryLogits = Logits.AsSpan(0, BinaryShape.ElementCount).ToArray();
        BinaryLabels = Labels.Select(l => l % 2).ToArray();
        TwoClassShape = Shape.WithClasses(2);
        TwoClassLogits = Logits.AsSpan(0, TwoClassShape.ElementCount).ToArray();
        Gradient = new float[Shape.ElementCount];
    }

    public SegmentationShape Shape { get; }

    public float[] Logits { get; }

    public int[] Labels { get; }

    /// <summary>Logits of <see cref="Shape"/> as a trained model gives them: each on its label's side by 10 to 40.</summary>
    public float[] ConfidentLogits { get; }

    /// <summary><see cref="Labels"/> as dense 0/1 targets of <see cref="Shape"/> (made when first used).</summary>
    public Lazy<float[]> OneHotTargets => _oneHot ??= new Lazy<float[]>(() =>
    {
        var dense = new float[Shape.ElementCount];
        int pixels = Shape.PixelsPerImage;
        for (int i = 0; i < dense.Length; i++)
        {
            int n = i / (Shape.Classes * pixels), k = i / pixels % Shape.Classes, p = i % pixels;
            dense[i] = Labels[(n * pixels) + p] == k ? 1f : 0f;
        }

        return dense;
    });

    private Lazy<float[]>? _oneHot;

    /// <summary>The ignore index of <see cref="MaskedLabels"/>.</summary>
    public const int MaskedIgnoreIndex = 255;

    /// <summary><see cref="Labels"/> with every 20th pixel set to <see cref="MaskedIgnoreIndex"/>.</summary>
    public int[] MaskedLabels { get; }

    public SegmentationShape BinaryShape { get; }

    public float[] BinaryLogits { get; }

    public int[] BinaryLabels { get; }

    /// <summary>The shape of the two-channel (background, foreground) softmax losses: <c>[8,2,256,256]</c>, against <see cref="BinaryLabels"/>.</summary>
    public SegmentationShape TwoClassShape { get; }

    /// <summary>The first N·2·H·W logits.</summary>
    public float[] TwoClassLogits { get; }

    public float[] Gradient { get; }

    /// <summary>
    /// The positive weights of <c>binary_cross_entropy_dense_weighted</c>, 1 + k/4 for channel k (pytorch_losses.py
    /// uses the same). Declared before <see cref="Losses"/>: static initializers run in order.
    /// </summary>
    public static double[] PositiveWeights { get; } = Enumerable.Range(0, 21).Select(k => 1 + (k / 4.0)).ToArray();

    /// <summary>
    /// The distance matrix of <c>gwdl</c>: ordinal classes, |l − k|/20 (largest entry 1, so MONAI divides by nothing;
    /// pytorch_losses.py uses the same).
    /// </summary>
    public static double[][] OrdinalDistances { get; } = Enumerable.Range(0, 21).Select(l => Enumerable.Range(0, 21).Select(k => Math.Abs(l - k) / 20.0).ToArray()).ToArray();

    /// <summary>The losses measured, by name: each forward and backward on the workload.</summary>
    public static IReadOnlyDictionary<string, ISegmentationLoss> Losses { get; } = new Dictionary<string, ISegmentationLoss>
    {
        ["cross_entropy"] = new CrossEntropyLoss(),
        ["dice"] = new DiceLoss(),
        ["dice_sigmoid"] = new DiceLoss(new DiceLossOptions { Activation = Activation.Sigmoid }), // smp's "multilabel" mode, MONAI's sigmoid=True, on the label map
        ["dice_dense"] = new DiceLoss(), // against OneHotTargets (MONAI's one-hot form)
        ["focal"] = new FocalLoss(), // smp's multiclass form: one sigmoid focal problem per channel
        ["focal_softmax"] = new FocalLoss(new FocalLossOptions { Activation = Activation.Softmax }),
        ["focal_masked"] = new FocalLoss(new FocalLossOptions { Alpha = 0.25 }), // torchvision's α, on MaskedLabels
        ["ohem_masked"] = new OhemCrossEntropyLoss(), // mmseg's OHEM (threshold 0.7, 100000 kept) on MaskedLabels
        ["focal_confident"] = new FocalLoss(), // on ConfidentLogits
        ["focal_gamma_1_5"] = new FocalLoss(new FocalLossOptions { Gamma = 1.5 }), // a γ that is no small integer: w^γ = e^(γ ln w)
        ["focal_reduced"] = new FocalLoss(new FocalLossOptions { ReducedThreshold = 0.5 }), // smp's reduced_threshold: ((1 − p_t)/0.5)^2, 1 where p_t < 0.5
        ["cross_entropy_confident"] = new CrossEntropyLoss(), // on ConfidentLogits
        ["dice_confident"] = new DiceLoss(), // on ConfidentLogits
        ["focal_dense"] = new FocalLoss(), // against OneHotTargets (a multilabel mask's form)
        ["focal_dense_confident"] = new FocalLoss(), // on ConfidentLogits, against OneHotTargets
        ["focal_dense_gamma_1_5"] = new FocalLoss(new FocalLossOptions { Gamma = 1.5 }), // against OneHotTargets: w^γ = e^(γ ln w) with a log
        ["tversky"] = new TverskyLoss(new TverskyLossOptions { Alpha = 0.3, Beta = 0.7 }),
        ["generalized_dice"] = new GeneralizedDiceLoss(),
        ["gwdl"] = new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = OrdinalDistances }), // MONAI's default weighting (background α 0)
        ["mcc"] = new MatthewsCorrelationLoss(), // sigmoid per channel, the batch pooled, classes averaged: smp's MCCLoss per channel
        ["lovasz_softmax"] = new LovaszSoftmaxLoss(),
        ["cldice"] = new ClDiceLoss(new ClDiceLossOptions { Activation = Activation.Softmax }), // MONAI's soft clDice (3 iterations) on the softmax
        ["hausdorff_dt"] = new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Activation = Activation.Softmax }), // MONAI's HausdorffDTLoss(softmax=True, to_onehot_y=True)
        ["boundary"] = new BoundaryLoss(), // Kervadec's surface loss on the softmax, its distance maps made each call
        ["lovasz_hinge"] = new LovaszHingeLoss(),
        ["binary_cross_entropy"] = new BinaryCrossEntropyLoss(),
        ["balanced_bce"] = new BalancedBinaryCrossEntropyLoss(), // mmseg's BoundaryLoss (PIDNet): BCE weighted by the other side's share, one channel
        ["unified_focal"] = new AsymmetricUnifiedFocalLoss(new AsymmetricUnifiedFocalLossOptions { Activation = Activation.Softmax }), // MONAI's AsymmetricUnifiedFocalLoss on a two-channel softmax
        ["binary_cross_entropy_dense"] = new BinaryCrossEntropyLoss(), // multilabel: 21 channels against OneHotTargets
        ["binary_cross_entropy_dense_weighted"] = new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { PositiveWeights = PositiveWeights }), // the same with PyTorch's pos_weight per channel
    };


    /// <summary>The shape a kernel runs on: binary losses take the first channel of the logits.</summary>
    public SegmentationShape ShapeOf(string name) => !Losses.TryGetValue(name, out ISegmentationLoss? loss) ? Shape
        : IsBinary(loss, name) ? BinaryShape
        : loss is AsymmetricUnifiedFocalLoss ? TwoClassShape
        : Shape;

    public double ForwardBackward(string name)
    {
        ISegmentationLoss loss = Losses[name];
        if (IsBinary(loss, name))
        {
            return loss.Compute<float>(BinaryLogits, BinaryShape, SegmentationTarget<float>.FromLabels(BinaryLabels), Gradient.AsSpan(0, BinaryShape.ElementCount));
        }

        if (loss is AsymmetricUnifiedFocalLoss)
        {
            return loss.Compute<float>(TwoClassLogits, TwoClassShape, SegmentationTarget<float>.FromLabels(BinaryLabels), Gradient.AsSpan(0, TwoClassShape.ElementCount));
        }

        SegmentationTarget<float> target = name.Contains("_dense", StringComparison.Ordinal) ? SegmentationTarget<float>.FromDense(OneHotTargets.Value)
            : IsMasked(name) ? SegmentationTarget<float>.FromLabels(MaskedLabels, MaskedIgnoreIndex)
            : SegmentationTarget<float>.FromLabels(Labels);
        return loss.Compute<float>(name.EndsWith("_confident", StringComparison.Ordinal) ? ConfidentLogits : Logits, Shape, target, Gradient);
    }

    private static bool IsBinary(ISegmentationLoss loss, string name) => (loss is LovaszHingeLoss or BinaryCrossEntropyLoss or BalancedBinaryCrossEntropyLoss) && !name.Contains("_dense", StringComparison.Ordinal);

    /// <summary>Whether a loss is measured against <see cref="MaskedLabels"/> (its name ends in <c>_masked</c>).</summary>
    private static bool IsMasked(string name) => name.EndsWith("_masked", StringComparison.Ordinal);
}
