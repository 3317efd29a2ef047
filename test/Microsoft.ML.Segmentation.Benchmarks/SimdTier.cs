using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// The SIMD tier a kernel actually ran on, by how its code picks a vector width: <c>TensorPrimitives</c> takes the
/// widest accelerated <see cref="Vector512"/>/<see cref="Vector256"/>/<see cref="Vector128"/>; SegML's
/// <c>ISimdFloat</c> kernels (cross-entropy and the sigmoid focal loss, binary cross-entropy on it) do too, except that
/// they stay at 256 bits where AVX-512 is split into halves (<see cref="Vector512Policy"/>: Zen 4), reported as
/// <c>avx512_256</c>; <see cref="Vector{T}"/> stays 256 bits on AVX-512 hardware unless the process starts with
/// <c>DOTNET_MaxVectorTBitWidth=512</c>.
/// </summary>
internal static class SimdTier
{
    /// <summary>The tier of <see cref="System.Numerics.Tensors.TensorPrimitives"/> and explicit VectorN code.</summary>
    public static string Widest =>
        Vector512.IsHardwareAccelerated ? "avx512"
        : Vector256.IsHardwareAccelerated && Avx2.IsSupported ? "avx2"
        : Vector128.IsHardwareAccelerated ? Vector128Tier
        : "scalar";

    /// <summary>The tier of SegML's <c>ISimdFloat</c> kernels (<see cref="Vector512Policy"/>).</summary>
    public static string Wide => Vector512.IsHardwareAccelerated && !Vector512Policy.Use512 ? "avx512_256" : Widest;

    /// <summary>The tier of <see cref="Vector{T}"/> code (its width, or scalar when not accelerated).</summary>
    public static string VectorOfT =>
        !Vector.IsHardwareAccelerated ? "scalar"
        : Vector<byte>.Count switch { >= 64 => "avx512", 32 => "avx2", _ => Vector128Tier };

    /// <summary>
    /// 128-bit vectors with fused multiply-add (<c>vector128_fma</c>: ARM64's NEON, or x86 with
    /// <c>DOTNET_PreferredVectorBitWidth=128</c>) or without it (<c>vector128</c>: x86 under <c>DOTNET_EnableAVX2=0</c>,
    /// which turns FMA off too, so each multiply-add is two instructions).
    /// </summary>
    private static string Vector128Tier => Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "vector128_fma" : "vector128";

    /// <summary>Kernels whose hot loop is written with <see cref="Vector{T}"/> (the Dice family: RegionFusedKernel on label maps and dense targets; WassersteinDiceKernel); every other kernel uses TensorPrimitives or ISimdFloat.</summary>
    private static readonly HashSet<string> VectorOfTKernels = ["argmax", "argmax_confusion", "dice", "dice_sigmoid", "dice_dense", "tversky", "generalized_dice", "mcc", "gwdl", "unified_focal", "cldice"];

    /// <summary>Kernels whose hot loop is written with SegML's <c>ISimdFloat</c> (cross-entropy, the sigmoid focal loss and binary cross-entropy on it); the rest use TensorPrimitives.</summary>
    private static readonly HashSet<string> WideKernels = ["cross_entropy", "cross_entropy_confident", "focal", "focal_masked", "focal_confident", "focal_gamma_1_5", "focal_reduced", "focal_dense", "focal_dense_confident", "focal_dense_gamma_1_5", "binary_cross_entropy", "binary_cross_entropy_dense", "binary_cross_entropy_dense_weighted", "balanced_bce"];

    /// <summary>The tier of the named kernel of the quick mode.</summary>
    public static string Of(string kernel) => VectorOfTKernels.Contains(kernel) ? VectorOfT : WideKernels.Contains(kernel) ? Wide : Widest;
}
