using System.Globalization;
using ImbalancedLosses;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

// Every loss of the library on one generated, class-imbalanced batch: value, gradient norm, and how much of the
// gradient reaches the rarest class. Run: dotnet run -c Release --project samples/ImbalancedLosses
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var scene = new ImbalancedScene();
double[] frequencies = scene.Frequencies();
Console.WriteLine($"Scene {scene.Shape}: " + string.Join(", ", ImbalancedScene.ClassNames.Select((name, k) => $"{name} {frequencies[k]:P2}")));
Console.WriteLine();

double[] inverseFrequency = frequencies.Select(f => 1 / (f * frequencies.Length)).ToArray();
var losses = new (string Label, ISegmentationLoss Loss)[]
{
    ("cross-entropy", new CrossEntropyLoss()),
    ("cross-entropy, inverse-frequency weights", new CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = inverseFrequency })),
    ("cross-entropy, label smoothing 0.1", new CrossEntropyLoss(new CrossEntropyLossOptions { LabelSmoothing = 0.1 })),
    ("focal (sigmoid one-vs-rest, γ=2, α=0.25)", new FocalLoss(new FocalLossOptions { Alpha = 0.25 })),
    ("focal (softmax, γ=2)", new FocalLoss(new FocalLossOptions { Activation = Activation.Softmax })),
    ("Dice (batch-pooled, smp defaults)", new DiceLoss()),
    ("Dice (per image, MONAI smoothing)", new DiceLoss(new DiceLossOptions { PerImage = true, SmoothNumerator = 1e-5, SmoothDenominator = 1e-5, EmptyTarget = EmptyTargetPolicy.Compute })),
    ("log-Dice", new DiceLoss(new DiceLossOptions { LogLoss = true })),
    ("squared-denominator Dice (V-Net)", new DiceLoss(new DiceLossOptions { Denominator = OverlapDenominator.Squared })),
    ("generalized Dice (1/V²)", new GeneralizedDiceLoss()),
    ("Jaccard", new JaccardLoss()),
    ("Tversky (α=0.3, β=0.7)", new TverskyLoss(new TverskyLossOptions { Alpha = 0.3, Beta = 0.7 })),
    ("focal Tversky (smp, γ=0.75)", new TverskyLoss(new TverskyLossOptions { Alpha = 0.3, Beta = 0.7, Gamma = 0.75 })),
    ("focal Tversky (mmseg, γ=1.33)", new TverskyLoss(new TverskyLossOptions { Alpha = 0.3, Beta = 0.7, Gamma = 4.0 / 3, GammaForm = FocalTverskyForm.PerRegionInverseGamma })),
    ("Lovász-Softmax", new LovaszSoftmaxLoss()),
    ("cross-entropy + Dice", new CombinedLoss((new CrossEntropyLoss(), 1.0), (new DiceLoss(), 1.0))),
    ("Dice + focal", new CombinedLoss((new DiceLoss(), 1.0), (new FocalLoss(), 1.0))),
};

int rare = ImbalancedScene.ClassNames.Length - 1;
Console.WriteLine($"{"loss",-44} {"value",9} {"|∇|",10} {"∇ on " + ImbalancedScene.ClassNames[rare] + " px",16}");
Console.WriteLine(new string('-', 82));
var gradient = new float[scene.Shape.ElementCount];
foreach ((string label, ISegmentationLoss loss) in losses)
{
    double value = loss.Compute<float>(scene.Logits, scene.Shape, SegmentationTarget<float>.FromLabels(scene.Labels), gradient);
    (double norm, double rareShare) = GradientSummary(gradient, scene, rare);
    Console.WriteLine($"{label,-44} {value,9:F4} {norm,10:E2} {rareShare,16:P1}");
}

Console.WriteLine();
Console.WriteLine($"'∇ on {ImbalancedScene.ClassNames[rare]} px': share of the gradient's L1 mass on the {frequencies[rare]:P2} of pixels labelled {ImbalancedScene.ClassNames[rare]}.");
Console.WriteLine("Plain cross-entropy spends its gradient where the pixels are; class weights and region losses (log-Dice, V-Net Dice, generalized Dice, Lovász) shift it towards the rare class.");

PrintMetrics(scene);

// The model's predicted masks (argmax over classes) scored against the truth: per-class metrics and the usual summaries.
static void PrintMetrics(ImbalancedScene scene)
{
    var predicted = new int[scene.Shape.PixelCount];
    MaskPrediction.Argmax<float>(scene.Logits, scene.Shape, predicted);
    var matrix = new ConfusionMatrix(scene.Shape.Classes, keepImageCounts: true);
    matrix.Add(predicted, scene.Labels, scene.Shape);
    ConfusionCounts counts = matrix.ToCounts();
    var perClass = new MetricOptions { Reduction = MetricReduction.PerClass };
    double[] iou = ConfusionMetrics.Compute(ConfusionMetric.Iou, counts, perClass);
    double[] dice = ConfusionMetrics.Compute(ConfusionMetric.Dice, counts, perClass);
    double[] precision = ConfusionMetrics.Compute(ConfusionMetric.Precision, counts, perClass);
    double[] recall = ConfusionMetrics.Compute(ConfusionMetric.Recall, counts, perClass);

    Console.WriteLine();
    Console.WriteLine($"{"class",-12} {"support",9} {"IoU",8} {"Dice",8} {"precision",10} {"recall",8}");
    Console.WriteLine(new string('-', 60));
    for (int k = 0; k < scene.Shape.Classes; k++)
    {
        Console.WriteLine($"{ImbalancedScene.ClassNames[k],-12} {counts[k].Support,9} {iou[k],8:F4} {dice[k],8:F4} {precision[k],10:F4} {recall[k],8:F4}");
    }

    IReadOnlyList<ConfusionCounts> images = matrix.ToImageCounts();
    double Reduced(ConfusionMetric metric, MetricReduction reduction) => ConfusionMetrics.Compute(metric, images, new MetricOptions { Reduction = reduction })[0];
    Console.WriteLine();
    Console.WriteLine($"pixel accuracy {ConfusionMetrics.PixelAccuracy(counts):F4}   mean class accuracy {ConfusionMetrics.MeanClassAccuracy(counts):F4}");
    Console.WriteLine($"mIoU (macro) {Reduced(ConfusionMetric.Iou, MetricReduction.Macro):F4}   micro IoU {Reduced(ConfusionMetric.Iou, MetricReduction.Micro):F4}   frequency-weighted IoU {ConfusionMetrics.FrequencyWeightedIou(counts):F4}");
    Console.WriteLine($"mean per-image IoU (macro-imagewise) {Reduced(ConfusionMetric.Iou, MetricReduction.MacroImagewise):F4}   mDice {Reduced(ConfusionMetric.Dice, MetricReduction.Macro):F4}");
    Console.WriteLine($"Matthews correlation {ConfusionMetrics.MatthewsCorrelation(matrix):F4}   Cohen's kappa {ConfusionMetrics.CohenKappa(matrix):F4}");
    Console.WriteLine("Pixel accuracy looks excellent because background and road dominate; the rare class's IoU and recall tell the real story.");
}

static (double Norm, double RareShare) GradientSummary(float[] gradient, ImbalancedScene scene, int rareClass)
{
    int s = scene.Shape.PixelsPerImage, c = scene.Shape.Classes;
    double squares = 0, total = 0, rare = 0;
    for (int n = 0; n < scene.Shape.Batch; n++)
    {
        for (int k = 0; k < c; k++)
        {
            for (int i = 0; i < s; i++)
            {
                double g = gradient[(((n * c) + k) * s) + i];
                squares += g * g;
                total += Math.Abs(g);
                if (scene.Labels[(n * s) + i] == rareClass)
                {
                    rare += Math.Abs(g);
                }
            }
        }
    }

    return (Math.Sqrt(squares), total > 0 ? rare / total : 0);
}
