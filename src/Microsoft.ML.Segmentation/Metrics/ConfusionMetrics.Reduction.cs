using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Metrics;

/// <content>The reductions of <see cref="MetricReduction"/>.</content>
public static partial class ConfusionMetrics
{
    /// <summary>A score and whether it is skipped by means.</summary>
    private readonly record struct Scored(double Value, bool Skipped);

    private sealed class Scorer
    {
        private readonly ConfusionMetric _metric;
        private readonly MetricOptions _options;
        private readonly IReadOnlyList<ConfusionCounts> _images;
        private readonly int _classes;
        private Scored[,]? _grid;
        private ConfusionCounts? _total;

        public Scorer(ConfusionMetric metric, MetricOptions options, IReadOnlyList<ConfusionCounts> images)
        {
            _metric = metric;
            _options = options;
            _images = images;
            _classes = images[0].ClassCount;
        }

        private int ImageCount => _images.Count;

        private ConfusionCounts Total => _total ??= ConfusionCounts.Sum(_images);

        private Scored[,] Grid
        {
            get
            {
                if (_grid is null)
                {
                    _grid = new Scored[ImageCount, _classes];
                    for (int n = 0; n < ImageCount; n++)
                    {
                        for (int c = 0; c < _classes; c++)
                        {
                            _grid[n, c] = Entry(_images[n][c]);
                        }
                    }
                }

                return _grid;
            }
        }

        public double[] Reduce()
        {
            int n = ImageCount;
            int k = _classes;
            switch (_options.Reduction)
            {
                case MetricReduction.None:
                {
                    var result = new double[n * k];
                    for (int i = 0; i < n; i++)
                    {
                        for (int c = 0; c < k; c++)
                        {
                            result[(i * k) + c] = Report(Grid[i, c]);
                        }
                    }

                    return result;
                }

                case MetricReduction.PerClass:
                    return Each(k, c => Report(Entry(Total[c])));
                case MetricReduction.PerClassImagewise:
                    return Each(k, c => Report(ImageMean(c)));
                case MetricReduction.PerImage:
                    return Each(n, i => ClassMean(i, weights: null).Value);
                case MetricReduction.Micro:
                    return new[] { Report(Entry(SumClasses(Total))) };
                case MetricReduction.Macro:
                    return new[] { Average(k, c => Entry(Total[c]), null).Value };
                case MetricReduction.Weighted:
                    return new[] { Average(k, c => Entry(Total[c]), Weights(Total)).Value };
                case MetricReduction.MicroImagewise:
                    return new[] { Average(n, i => Entry(SumClasses(_images[i])), null).Value };
                case MetricReduction.MacroImagewise:
                    return new[] { Average(k, ImageMean, null).Value };
                case MetricReduction.WeightedImagewise:
                    return new[] { Average(k, ImageMean, Weights(Total)).Value };
                case MetricReduction.MacroPerImage:
                    return new[] { Average(n, i => ClassMean(i, null), null).Value };
                case MetricReduction.WeightedPerImage:
                    return new[] { Average(n, i => ClassMean(i, Weights(_images[i])), null).Value };
                case MetricReduction.PooledImagewise:
                    return new[] { Average(n * k, j => Grid[j / k, j % k], null).Value };
                default:
                    throw new ArgumentOutOfRangeException(nameof(MetricOptions.Reduction), _options.Reduction, "Unknown reduction.");
            }
        }

        private static double[] Each(int count, Func<int, double> value)
        {
            var result = new double[count];
            for (int i = 0; i < count; i++)
            {
                result[i] = value(i);
            }

            return result;
        }

        private static ClassConfusion SumClasses(ConfusionCounts counts)
        {
            var sum = default(ClassConfusion);
            foreach (ClassConfusion k in counts.Classes)
            {
                sum += k;
            }

            return sum;
        }

        private Scored ImageMean(int c) => Average(ImageCount, i => Grid[i, c], null);

        private Scored ClassMean(int image, double[]? weights) => Average(_classes, c => Grid[image, c], weights);

        private double[] Weights(ConfusionCounts counts)
        {
            var weights = new double[_classes];
            for (int c = 0; c < _classes; c++)
            {
                weights[c] = _options.ClassWeights is { } given ? given[c] : counts[c].Support;
            }

            return weights;
        }

        private double Report(Scored score) => score.Skipped ? _options.SkippedValue : score.Value;

        private Scored Average(int count, Func<int, Scored> item, double[]? weights)
        {
            double sum = 0, weightSum = 0;
            bool anyScored = false;
            for (int i = 0; i < count; i++)
            {
                double w = weights is null ? 1 : weights[i];
                Scored s = item(i);
                if (s.Skipped)
                {
                    continue;
                }

                anyScored = true;
                if (w == 0)
                {
                    continue;
                }

                sum += w * s.Value;
                weightSum += w;
            }

            if (weightSum == 0)
            {
                // Scores that exist but weigh nothing are not the same as no scores at all (torchmetrics' weighted Dice).
                double empty = anyScored && _options.ZeroWeightAverageValue is double z ? z : _options.EmptyAverageValue;
                return new Scored(empty, double.IsNaN(empty));
            }

            return new Scored(sum / weightSum, false);
        }

        private Scored Entry(ClassConfusion counts)
        {
            double raw = ScoreUnchecked(_metric, counts, _options);
            bool absent = _options.Absence switch
            {
                AbsenceCriterion.EmptyTruth => counts.Support == 0,
                AbsenceCriterion.EmptyTruthAndPrediction => counts.IsAbsent,
                _ => double.IsNaN(raw),
            };
            if (absent)
            {
                return _options.AbsentClass switch
                {
                    AbsentClassPolicy.Skip => new Scored(double.NaN, true),
                    AbsentClassPolicy.Zero => new Scored(0, false),
                    AbsentClassPolicy.One => new Scored(1, false),
                    _ => new Scored(double.NaN, false),
                };
            }

            return double.IsNaN(raw) ? new Scored(_options.ZeroDivisionValue, false) : new Scored(raw, false);
        }
    }
}
