using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// Progress on stderr, never stdout (stdout holds the results): on a terminal a Spectre.Console bar; otherwise (CI logs)
/// a plain line at every tenth of the work and at most every <see cref="PlainInterval"/>; with <c>--quiet</c> nothing.
/// Ends with one count line (<c>Evaluated 24 of 24 images in 1.2 s.</c>) unless quiet.
/// </summary>
internal sealed class ProgressReporter : IDisposable
{
    /// <summary>The longest a redirected log goes without a line while work is in progress.</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    private readonly TextWriter _writer;
    private readonly int _total;
    private readonly string _verb;
    private readonly string _unit;
    private readonly bool _quiet;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TerminalBar? _bar;
    private int _lastTenth;
    private TimeSpan _lastLine;

    public ProgressReporter(TextWriter writer, int total, bool interactive, string verb, bool quiet = false, string unit = "images")
    {
        _writer = writer;
        _total = total;
        _verb = verb;
        _unit = unit;
        _quiet = quiet;
        if (interactive && !quiet)
        {
            _bar = new TerminalBar(writer, total, verb);
        }
    }

    public void Report(int done, string name)
    {
        if (_quiet)
        {
            return;
        }

        if (_bar is not null)
        {
            _bar.Update(done, name);
            return;
        }

        // A line per tenth (and per interval on slow runs) keeps CI logs short yet shows a run is alive.
        int tenth = 10 * done / Math.Max(_total, 1);
        TimeSpan now = _clock.Elapsed;
        if (done < _total && (tenth > _lastTenth || now - _lastLine >= PlainInterval))
        {
            _lastTenth = tenth;
            _lastLine = now;
            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_verb} {done}/{_total} ({100 * done / Math.Max(_total, 1)}%) {name}"));
            _writer.Flush();
        }
    }

    public void Finish(int done)
    {
        _bar?.Stop(done);
        if (_quiet)
        {
            return;
        }

        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_verb} {done} of {_total} {_unit} in {_clock.Elapsed.TotalSeconds:F1} s."));
        _writer.Flush();
    }

    /// <summary>Stops the bar when the work ended early (an exception), so its render thread does not outlive the run.</summary>
    public void Dispose() => _bar?.Stop(null);

    /// <summary>
    /// A Spectre.Console progress bar. Spectre drives a bar from inside a callback, while the commands report from their
    /// own loops, so the bar lives on a thread of its own until <see cref="Stop"/>.
    /// </summary>
    private sealed class TerminalBar
    {
        private readonly ManualResetEventSlim _ready = new();
        private readonly ManualResetEventSlim _stop = new();
        private readonly Thread _thread;
        private readonly string _verb;
        private ProgressTask? _task;

        public TerminalBar(TextWriter writer, int total, string verb)
        {
            _verb = verb;
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer),
                Interactive = InteractionSupport.Yes,
            });
            _thread = new Thread(() =>
            {
                try
                {
                    console.Progress()
                        .AutoClear(true)
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                        .Start(context =>
                        {
                            _task = context.AddTask(Markup.Escape(verb), maxValue: Math.Max(total, 1));
                            _ready.Set();
                            _stop.Wait();
                        });
                }
                finally
                {
                    // Should the bar fail to start, the run goes on without it rather than waiting forever.
                    _ready.Set();
                }
            })
            {
                IsBackground = true,
                Name = "segml progress",
            };
            _thread.Start();
            _ready.Wait();
        }

        public void Update(int done, string name)
        {
            if (_task is { } task)
            {
                task.Description = Markup.Escape($"{_verb} {name}");
                task.Value = done;
            }
        }

        public void Stop(int? done)
        {
            if (_stop.IsSet)
            {
                return;
            }

            if (done is int d && _task is { } task)
            {
                task.Value = d;
            }

            _stop.Set();
            _thread.Join();
        }
    }
}
