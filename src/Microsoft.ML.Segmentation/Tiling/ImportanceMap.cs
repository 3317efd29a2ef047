using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// The per-window weight map of a sliding-window pass, as MONAI 1.5.0's <c>compute_importance_map</c> computes it in
/// float32: ones, or the outer product over axes of exp(−x² / 2σ²), x from −(n−1)/2 to (n−1)/2, σ = sigmaScale·n, then
/// clamped below at max(its minimum, 1e-3) so that no pixel weighs (nearly) nothing.
/// </summary>
public static class ImportanceMap
{
    /// <summary>The weights for a window of <paramref name="tileSize"/> (row-major, last axis fastest).</summary>
    /// <param name="tileSize">The window size per spatial axis, each 1 or more.</param>
    /// <param name="blend">Constant (all ones) or Gaussian.</param>
    /// <param name="sigmaScale">σ / tile size, one value or one per axis (Gaussian only).</param>
    /// <exception cref="ArgumentException">A size is below 1, or the sigma scales do not fit the rank or are not above 0.</exception>
    public static float[] Create(IReadOnlyList<int> tileSize, TileBlend blend, IReadOnlyList<double> sigmaScale)
    {
        ArgumentNullException.ThrowIfNull(tileSize);
        ArgumentNullException.ThrowIfNull(sigmaScale);
        if (tileSize.Count == 0 || tileSize.Any(n => n < 1))
        {
            throw new ArgumentException($"Importance map size [{string.Join(", ", tileSize)}] needs 1 or more axes, each 1 or more.", nameof(tileSize));
        }

        int count = tileSize.Aggregate(1, (n, d) => checked(n * d));
        var map = new float[count];
        if (blend == TileBlend.Constant)
        {
            Array.Fill(map, 1f);
            return map;
        }

        if (blend != TileBlend.Gaussian)
        {
            throw new ArgumentOutOfRangeException(nameof(blend), blend, "Blend must be Constant or Gaussian.");
        }

        if (sigmaScale.Count != 1 && sigmaScale.Count != tileSize.Count)
        {
            throw new ArgumentException($"Give one sigma scale or one per axis ({tileSize.Count}); {sigmaScale.Count} were given.", nameof(sigmaScale));
        }

        float[][] profiles = new float[tileSize.Count][];
        for (int a = 0; a < tileSize.Count; a++)
        {
            double scale = sigmaScale.Count == 1 ? sigmaScale[0] : sigmaScale[a];
            if (!(scale > 0 && double.IsFinite(scale)))
            {
                throw new ArgumentException($"Sigma scale must be finite and above 0; axis {a} has {scale}.", nameof(sigmaScale));
            }

            profiles[a] = GaussianProfile(tileSize[a], tileSize[a] * scale);
        }

        // Outer product in axis order, as MONAI builds it: ((g0 ⊗ g1) ⊗ g2) …, every product rounded to float32.
        map[0] = 1f;
        int filled = 1;
        for (int a = 0; a < profiles.Length; a++)
        {
            float[] g = profiles[a];
            for (int i = filled - 1; i >= 0; i--)
            {
                float head = map[i];
                for (int j = g.Length - 1; j >= 0; j--)
                {
                    map[(i * g.Length) + j] = head * g[j];
                }
            }

            filled *= g.Length;
        }

        // Clamp below at max(min, 1e-3): tiny corner weights would make the blend divide by almost nothing.
        float floor = Math.Max(map.Min(), (float)1e-3);
        for (int i = 0; i < map.Length; i++)
        {
            map[i] = Math.Max(map[i], floor);
        }

        return map;
    }

    /// <summary>
    /// Resizes a weight map by nearest neighbour with PyTorch's <c>nearest-exact</c> rule (source index
    /// floor((i + 0.5) · in / out), capped at in − 1), for outputs stitched at another scale than the tile.
    /// </summary>
    internal static float[] ResizeNearestExact(float[] map, int[] from, int[] to)
    {
        int rank = from.Length;
        int[][] source = new int[rank][];
        for (int a = 0; a < rank; a++)
        {
            float scale = (float)from[a] / to[a];
            source[a] = new int[to[a]];
            for (int i = 0; i < to[a]; i++)
            {
                source[a][i] = Math.Min((int)MathF.Floor((i + 0.5f) * scale), from[a] - 1);
            }
        }

        int count = to.Aggregate(1, (n, d) => checked(n * d));
        var resized = new float[count];
        var index = new int[rank];
        for (int o = 0; o < count; o++)
        {
            int rest = o;
            for (int a = rank - 1; a >= 0; a--)
            {
                index[a] = rest % to[a];
                rest /= to[a];
            }

            int src = 0;
            for (int a = 0; a < rank; a++)
            {
                src = (src * from[a]) + source[a][index[a]];
            }

            resized[o] = map[src];
        }

        return resized;
    }

    /// <summary>exp(x² / (−2σ²)) in float32 over x = −(n−1)/2 … (n−1)/2 (half-integers for even n).</summary>
    private static float[] GaussianProfile(int n, double sigma)
    {
        // torch divides the float32 x² by the Python scalar −2σ² taken to float32, then takes a float32 exp.
        float divisor = (float)(-2 * sigma * sigma);
        var g = new float[n];
        for (int i = 0; i < n; i++)
        {
            float x = (float)(i - ((n - 1) / 2.0));
            float q = (x * x) / divisor;
            g[i] = (float)Math.Exp(q);
        }

        return g;
    }
}
