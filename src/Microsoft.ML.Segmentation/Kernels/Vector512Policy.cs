using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Whether SegML's explicitly wide kernels (cross-entropy and the sigmoid focal loss, written on
/// <see cref="ISimdFloat{TSelf}"/>) run at 512 bits: where <see cref="Vector512"/> is accelerated and the CPU executes
/// 512-bit operations at full width, not on AMD Zen 4, which splits each into two 256-bit halves.
/// </summary>
/// <remarks>
/// Why: on a Zen 4 EPYC the 512-bit loops ran slower than the same loops at 256 bits (cross-entropy and the sigmoid
/// focal loss, measured in one process; README <i>Speed</i>): each 512-bit operation costs two 256-bit ones there,
/// so the width gains nothing, while a comparison writes a mask register that the next bitwise operation needs as
/// a vector again, and the cross-lane permute of exp's table and the horizontal sums cost more. On an Intel VM with
/// AVX-512 the 512-bit paths were 1.10–1.41× faster, so they stay the default wherever the split is not known.
/// The runtime's own heuristic (<c>DOTNET_PreferredVectorBitWidth</c>, which turns <see cref="Vector512"/> off) is
/// about clock throttling on older Intel parts and leaves Zen 4 at 512 bits.
/// Override, read once per process: the <see cref="AppContext"/> switch <c>Microsoft.ML.Segmentation.Vector512</c>
/// (e.g. a <c>RuntimeHostConfigurationOption</c> in the application's project), else the environment variable
/// <c>SEGML_VECTOR512</c> (<c>1</c>/<c>true</c> or <c>0</c>/<c>false</c>); neither turns 512 bits on where
/// <see cref="Vector512"/> is not accelerated.
/// </remarks>
internal static class Vector512Policy
{
    /// <summary>The <see cref="AppContext"/> switch that overrides the choice.</summary>
    public const string SwitchName = "Microsoft.ML.Segmentation.Vector512";

    /// <summary>The environment variable that overrides the choice when the switch is not set.</summary>
    public const string EnvironmentVariable = "SEGML_VECTOR512";

    /// <summary>Whether the wide kernels take 512-bit vectors in this process.</summary>
    public static bool Use512 { get; } = Vector512.IsHardwareAccelerated && (Override(AppContext.TryGetSwitch(SwitchName, out bool on) ? on : null, Environment.GetEnvironmentVariable(EnvironmentVariable)) ?? !SplitsVector512());

    /// <summary>
    /// The override's value: the switch when set, else the environment variable's, else null (the CPU decides).
    /// </summary>
    /// <exception cref="InvalidOperationException">The environment variable is set to something other than 1, 0, true or false.</exception>
    internal static bool? Override(bool? appContextSwitch, string? environmentValue)
    {
        if (appContextSwitch is not null)
        {
            return appContextSwitch;
        }

        return environmentValue?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "1" or "true" => true,
            "0" or "false" => false,
            _ => throw new InvalidOperationException($"{EnvironmentVariable}='{environmentValue}' is not 1, 0, true or false; unset it to let SegML choose the vector width for this CPU."),
        };
    }

    /// <summary>
    /// Whether this x86 CPU is AMD family 19h with AVX-512 (Zen 4: 512-bit operations as two 256-bit halves). Family
    /// 19h before Zen 4 has no AVX-512; Zen 5 (family 1Ah) server and desktop parts execute 512 bits at full width.
    /// </summary>
    internal static bool SplitsVector512()
    {
        if (!X86Base.IsSupported || !Avx512F.IsSupported)
        {
            return false;
        }

        (int _, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163; // "Auth" "enti" "cAMD"
        return amd && Family(X86Base.CpuId(1, 0).Eax) == 0x19;
    }

    /// <summary>The display family of CPUID leaf 1's EAX: the base family, plus the extended family when the base is Fh.</summary>
    internal static int Family(int signature)
    {
        int baseFamily = (signature >> 8) & 0xF;
        return baseFamily == 0xF ? baseFamily + ((signature >> 20) & 0xFF) : baseFamily;
    }
}
