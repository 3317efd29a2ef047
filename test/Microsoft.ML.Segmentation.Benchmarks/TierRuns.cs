using System.Diagnostics;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// <c>--tiers</c>: runs the quick mode once per SIMD tier in one command, re-launching this assembly under
/// <c>dotnet</c> with the runtime switches that turn the wider tiers off (the JIT reads them at start-up, so a
/// tier needs its own process). Each line gains <c>"env"</c>: the switch it ran under.
/// </summary>
/// <remarks>
/// .NET 10 reads <c>DOTNET_EnableAVX512</c>; it ignores the older <c>DOTNET_EnableAVX512F</c> (Vector512 stays
/// accelerated under it), so both are set. <c>DOTNET_EnableAVX2=0</c> also turns FMA off (the runtime switches AVX2,
/// FMA, BMI and LZCNT together), which no ARM64 server lacks: the fourth tier keeps FMA and caps the vectors at 128
/// bits (<c>DOTNET_PreferredVectorBitWidth=128</c>), the closer stand-in for NEON. On AVX-512 hardware a fifth tier forces
/// SegML's wide kernels to 512 bits (<c>SEGML_VECTOR512=1</c>), so a CPU where they stay at 256 shows what that choice is worth. Each line's <c>"simd"</c> is read
/// back from the runtime, not assumed.
/// </remarks>
internal static class TierRuns
{
    private static readonly (string Label, (string Name, string Value)[] Variables)[] Tiers =
    [
        ("default", []),
        ("DOTNET_EnableAVX512=0", [("DOTNET_EnableAVX512", "0"), ("DOTNET_EnableAVX512F", "0")]),
        ("DOTNET_EnableAVX2=0", [("DOTNET_EnableAVX2", "0")]),
        ("DOTNET_EnableAVX512=0 DOTNET_PreferredVectorBitWidth=128", [("DOTNET_EnableAVX512", "0"), ("DOTNET_EnableAVX512F", "0"), ("DOTNET_PreferredVectorBitWidth", "128")]),
        ("SEGML_VECTOR512=1", [("SEGML_VECTOR512", "1")]),
    ];

    /// <summary>
    /// Whether a tier tells this machine anything: <c>SEGML_VECTOR512=1</c> (SegML's wide kernels at 512 bits where
    /// <c>Vector512Policy</c> keeps 256, e.g. on Zen 4) only where AVX-512 is accelerated.
    /// </summary>
    private static bool Applies(string label) => label != "SEGML_VECTOR512=1" || System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;

    /// <param name="output">Where the tagged lines go.</param>
    /// <param name="only">The kernels to time (passed on as <c>--kernels</c>), or null for all.</param>
    public static int Run(TextWriter output, IReadOnlyCollection<string>? only = null)
    {
        string assembly = typeof(TierRuns).Assembly.Location;
        foreach ((string label, (string Name, string Value)[] variables) in Tiers.Where(t => Applies(t.Label)))
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(assembly);
            start.ArgumentList.Add("--quick");
            if (only is not null)
            {
                start.ArgumentList.Add("--kernels");
                start.ArgumentList.Add(string.Join(',', only));
            }

            // The parent's own switches must not leak into the tiers it did not ask for.
            foreach ((string other, _) in Tiers.SelectMany(t => t.Variables))
            {
                start.Environment.Remove(other);
            }

            foreach ((string name, string value) in variables)
            {
                start.Environment[name] = value;
            }

            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start 'dotnet {assembly} --quick'.");
            while (process.StandardOutput.ReadLine() is string line)
            {
                output.WriteLine(line.StartsWith('{') ? $"{{\"env\":\"{label}\",{line[1..]}" : line);
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                output.WriteLine($"quick mode under {label} exited with code {process.ExitCode}");
                return process.ExitCode;
            }
        }

        return 0;
    }
}
