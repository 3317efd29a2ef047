using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// Progress on stderr: on a terminal, one line rewritten in place (<c>\r[ 12/240]   5% name</c>); otherwise nothing
/// until the final count line.
/// </summary>
internal sealed class ProgressReporter(TextWriter writer, int total, bool interactive, string verb)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _lastLength;

    public void Report(int done, string name)
    {
        if (!interactive)
        {
            return;
        }

        int width = total.ToString(CultureInfo.InvariantCulture).Length;
        string line = string.Create(CultureInfo.InvariantCulture, $"[{done.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{total}] {100 * done / Math.Max(total, 1),3}% {name}");
        writer.Write("\r" + line.PadRight(_lastLength));
        _lastLength = line.Length;
        writer.Flush();
    }

    public void Finish(int done)
    {
        if (interactive && _lastLength > 0)
        {
            writer.Write("\r" + new string(' ', _lastLength) + "\r");
        }

        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{verb} {done} of {total} images in {_clock.Elapsed.TotalSeconds:F1} s."));
        writer.Flush();
    }
}
