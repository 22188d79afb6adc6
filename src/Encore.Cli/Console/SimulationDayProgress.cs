using System.Globalization;
using Encore.Simulation;

namespace Encore.Cli.Terminal;

/// <summary>Relays the simulator's progress (days done, events so far) to the console renderer.</summary>
internal sealed class SimulationDayProgress(IProgress<ProgressUpdate> target) : IProgress<SimulationProgress>
{
    public void Report(SimulationProgress value)
    {
        double done = value.Day + (double)value.MembersDone / Math.Max(1, value.Members);
        target.Report(new ProgressUpdate("simulate", done, value.Days, "days",
            string.Create(CultureInfo.InvariantCulture, $"[{value.Events:N0} events]")));
    }
}
