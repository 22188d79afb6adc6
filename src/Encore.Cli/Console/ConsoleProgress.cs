using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Encore.Cli.Terminal;

/// <summary>
/// Shows the progress of long work: Spectre.Console bars (one per stage) on an interactive terminal, and
/// plain "stage: done/total (n%)" lines on standard error otherwise (CI logs, redirected output), at most
/// one a second per stage plus its last, so that a log stays short and standard output stays clean.
/// </summary>
public static class ConsoleProgress
{
    /// <summary>Whether the command runs on a terminal that can draw progress bars.</summary>
    public static bool IsInteractive(ParseResult parseResult)
        => ReferenceEquals(parseResult.InvocationConfiguration.Output, Console.Out)
           && !Console.IsOutputRedirected && !Console.IsErrorRedirected
           && AnsiConsole.Profile.Capabilities.Interactive;

    public static async Task<T> RunAsync<T>(ParseResult parseResult, Func<IProgress<ProgressUpdate>, Task<T>> work)
    {
        if (!IsInteractive(parseResult))
            return await work(new PlainLines(parseResult.InvocationConfiguration.Error)).ConfigureAwait(false);
        return await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(context => work(new SpectreBars(context)))
            .ConfigureAwait(false);
    }

    /// <summary>A "1,234/5,678 unit (21%)" text, shared by both renderings; empty while nothing is counted yet.</summary>
    public static string Describe(ProgressUpdate update)
    {
        bool bytes = update.Unit == "bytes";
        string Amount(double v) => bytes ? Bytes(v) : string.Create(CultureInfo.InvariantCulture, $"{v:N0}");
        var unit = update.Unit.Length > 0 && !bytes ? " " + update.Unit : "";
        if (update.Total > 0)
            return string.Create(CultureInfo.InvariantCulture, $"{Amount(update.Done)}/{Amount(update.Total)}{unit} ({100 * update.Done / update.Total:F0}%)");
        return update.Done > 0 ? Amount(update.Done) + unit : "";
    }

    private static string Bytes(double bytes) => bytes switch
    {
        >= 1 << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 30):F1} GiB"),
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 20):F1} MiB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 10):F1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:F0} B"),
    };

    private sealed class PlainLines(TextWriter error) : IProgress<ProgressUpdate>
    {
        private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
        private string? _stage;

        public void Report(ProgressUpdate update)
        {
            bool newStage = update.Stage != _stage;
            bool finished = update.Total > 0 && update.Done >= update.Total;
            if (!newStage && !finished && _sinceLast.ElapsedMilliseconds < 1000) return;
            _stage = update.Stage;
            _sinceLast.Restart();
            var detail = update.Detail is null ? "" : " " + update.Detail;
            var amount = Describe(update);
            error.WriteLine(amount.Length > 0 ? $"{update.Stage}: {amount}{detail}" : $"{update.Stage}...{detail}");
        }
    }

    private sealed class SpectreBars(ProgressContext context) : IProgress<ProgressUpdate>
    {
        private ProgressTask? _task;
        private string? _stage;

        public void Report(ProgressUpdate update)
        {
            if (update.Stage != _stage || _task is null)
            {
                if (_task is not null)
                {
                    _task.IsIndeterminate = false;
                    _task.Value = _task.MaxValue;
                    _task.StopTask();
                }
                _stage = update.Stage;
                _task = context.AddTask(Markup.Escape(update.Stage), maxValue: update.Total > 0 ? update.Total : 1);
            }
            _task.IsIndeterminate = update.Total <= 0;
            if (update.Total > 0)
            {
                _task.MaxValue = update.Total;
                _task.Value = update.Done;
            }
            _task.Description = Markup.Escape(update.Detail is null ? update.Stage : $"{update.Stage} {update.Detail}");
        }
    }
}
