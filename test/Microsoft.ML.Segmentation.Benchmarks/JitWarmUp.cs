using System.Diagnostics;
using System.Runtime;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// Warm-up until the tiered JIT has finished with the code being timed, so that the quick modes time the optimized
/// code a long-running application ends up with rather than the first tiers.
/// </summary>
/// <remarks>
/// A method with a loop starts at tier 0 and runs its loop in on-stack-replacement code until it has been called 30
/// times after the runtime's call-counting delay (100 ms without new tier-0 compilations); only then is it compiled
/// at tier 1. A fixed warm-up (a few calls, then a 200 ms pause) left the Lovász hinge's loops in their OSR code for
/// the whole timed run (<c>DOTNET_JitDisasmSummary=1</c>: no tier-1 compilation of <c>GroupTerm</c> or
/// <c>RadixSort</c>), 1.10–1.25× slower than after tier-up (a probe calling the loss for 6 s on Zen 5: 4.1–4.4 ms a
/// call in the first second, 3.5–3.7 after it); the sigmoid focal kernel and binary cross-entropy were also faster
/// with <c>DOTNET_TC_QuickJitForLoops=0</c> (0.92–0.96×).
/// So each round calls every action for at least <see cref="RoundSecondsPerAction"/> (a cheap kernel many times: the
/// 30 counted calls come within a round or two), then pauses past the call-counting delay, and the warm-up ends
/// after two rounds in which nothing was compiled. The runtime multiplies that delay by 10 on a single processor
/// (<c>DOTNET_PROCESSOR_COUNT=1</c> included): with 200 ms pauses there, two rounds passed quiet before counting had
/// begun and the timed run was still the OSR code (8.5 ms against 3.4 on two cores for the Lovász hinge), so the pause
/// is 1.2 s on one processor.
/// </remarks>
internal static class JitWarmUp
{
    /// <summary>How long each round keeps calling one action (at least once).</summary>
    public const double RoundSecondsPerAction = 0.05;

    private const int QuietRoundsNeeded = 2;

    /// <summary>Longer than the call-counting delay: 100 ms, times 10 on a single processor.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(Environment.ProcessorCount == 1 ? 1200 : 200);

    /// <summary>
    /// Calls the actions in rounds until two rounds in a row compiled no method, or <paramref name="maximumSeconds"/>
    /// have passed; returns the number of rounds.
    /// </summary>
    public static int UntilSteady(IReadOnlyList<Action> actions, int minimumRounds = 3, double maximumSeconds = 30)
    {
        var watch = Stopwatch.StartNew();
        long compiled = JitInfo.GetCompiledMethodCount();
        int quiet = 0;
        int rounds = 0;
        while (rounds < minimumRounds || (quiet < QuietRoundsNeeded && watch.Elapsed.TotalSeconds < maximumSeconds))
        {
            foreach (Action action in actions)
            {
                var calls = Stopwatch.StartNew();
                do
                {
                    action();
                }
                while (calls.Elapsed.TotalSeconds < RoundSecondsPerAction);
            }

            Thread.Sleep(Pause); // past the call-counting delay, and time for the background compiler
            rounds++;
            long now = JitInfo.GetCompiledMethodCount();
            quiet = now == compiled ? quiet + 1 : 0;
            compiled = now;
        }

        return rounds;
    }
}
