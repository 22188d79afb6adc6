using System.CommandLine;
using System.Globalization;
using Encore.Cli.Terminal;
using Encore.Evaluation.Reporting;
using Encore.Evaluation.Simulation;
using Encore.Models;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore eval --protocol p-topn|p-rating|p-next --data FOLDER --model NAME [--param k=v]... [--json]`: trains a
/// model on a protocol's split of a MovieLens release, evaluates it, prints a table, and with --json ends with
/// one line of JSON (the shape of <see cref="EvaluationReport.ToJson"/>).
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var protocol = new Option<string?>("--protocol") { Description = "p-topn (implicit top-N), p-rating (explicit ratings), p-next (similar titles) on --data, or p-sim on a simulated --db; see ../shared/docs/PROTOCOLS.md.", HelpName = "p-topn|p-rating|p-next|p-sim" };
        var data = new Option<string?>("--data") { Description = "A MovieLens release folder (100K, 1M or latest), e.g. ../shared/data/ml-100k.", HelpName = "FOLDER" };
        var model = new Option<string?>("--model") { Description = "The model: a top-N model (" + string.Join(", ", ModelCatalog.Names) + ") or, for p-rating, a rating model.", HelpName = "NAME" };
        var param = new Option<string[]>("--param") { Description = "A model parameter, key=value (repeat for several).", HelpName = "k=v", DefaultValueFactory = _ => [] };
        var json = new Option<bool>("--json") { Description = "End the output with the result as one line of JSON." };
        var db = DatabaseOption.Create(); // p-sim: the simulated database
        var command = new Command("eval", "Train a model on a protocol's split of a MovieLens release and report its accuracy.")
        {
            protocol, data, model, param, json, db,
        };
        command.SetAction((parseResult, ct) => CommandGuard.RunAsync(parseResult, ct, ct =>
        {
            var p = Required(parseResult.GetValue(protocol), "--protocol", "p-topn, p-rating, p-next or p-sim");
            if (string.Equals(p, PSimProtocol.ProtocolName, StringComparison.OrdinalIgnoreCase))
                return SimulateCommand.EvaluateAsync(parseResult, DatabaseOption.Resolve(parseResult, db), parseResult.GetValue(model), parseResult.GetValue(param) ?? [], parseResult.GetValue(json), ct);
            if (!ProtocolRunner.Protocols.Contains(p))
                throw new CliException(ExitCodes.Usage, $"unknown protocol '{p}'; known: {string.Join(", ", ProtocolRunner.Protocols)}, {PSimProtocol.ProtocolName}");
            var folder = Required(parseResult.GetValue(data), "--data", "a MovieLens folder");
            var name = Required(parseResult.GetValue(model), "--model", "a model name");
            var parameters = CliArguments.Pairs(parseResult.GetValue(param) ?? []);
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var report = CliArguments.Guard(() => ProtocolRunner.Run(p, folder, name, parameters, new LineProgress(error), ct));
            Write(report, output);
            if (parseResult.GetValue(json)) output.WriteLine(report.ToJson());
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    internal static string Required(string? value, string option, string what)
        => string.IsNullOrWhiteSpace(value) ? throw new CliException(ExitCodes.Usage, $"{option} is required ({what})") : value;

    private static void Write(EvaluationReport r, TextWriter output)
    {
        output.WriteLine($"{r.Protocol} on {r.Dataset}: {r.Model} {CliArguments.Describe(r.Parameters)}");
        var table = new TextTable(2);
        table.Add(r.Protocol == "p-rating" ? "train ratings (mean of folds)" : "train positives", r.Split.Train);
        table.Add(r.Protocol == "p-rating" ? "test ratings (mean of folds)" : "test positives", r.Split.Test);
        table.Add(r.Protocol == "p-rating" ? "test members (mean of folds)" : "test members", r.Split.TestUsers);
        foreach (var m in r.Metrics)
        {
            if (m.Values is null) table.Add(m.Name, Math.Round(m.Value, 4));
            else table.Add(m.Name, string.Join(" ", m.Values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))));
        }
        table.Add("fit seconds", Math.Round(r.FitSeconds, 3));
        table.WriteTo(output, "  ");
    }
}

/// <summary>Parsing and error translation shared by `encore eval` and `encore tune`.</summary>
internal static class CliArguments
{
    public static IReadOnlyDictionary<string, string> Pairs(IEnumerable<string> pairs)
        => Guard(() => ModelParameters.ParsePairs(pairs));

    /// <summary>Runs <paramref name="work"/>, turning a bad argument (unknown model, bad parameter) into a one-line usage error.</summary>
    public static T Guard<T>(Func<T> work)
    {
        try { return work(); }
        catch (ArgumentException e) { throw CliException.Usage(e); }
    }

    /// <inheritdoc cref="Guard{T}"/>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> work)
    {
        try { return await work().ConfigureAwait(false); }
        catch (ArgumentException e) { throw CliException.Usage(e); }
    }

    /// <summary>
    /// A usage error for an option value out of range, naming the option as typed: "--days 5: P-SIM needs at least
    /// 15 simulated days ..." (the library's parameter names are the options' names).
    /// </summary>
    public static CliException OutOfRange(ArgumentOutOfRangeException e)
    {
        var reason = CliException.PlainMessage(e);
        var option = e.ParamName is { Length: > 0 } name ? "--" + name.ToLowerInvariant() : "an option";
        var value = e.ActualValue is null ? "" : " " + Convert.ToString(e.ActualValue, CultureInfo.InvariantCulture);
        return new CliException(ExitCodes.Usage, $"{option}{value}: {reason}", e);
    }

    public static string Describe(IReadOnlyDictionary<string, string> parameters)
        => parameters.Count == 0 ? "(defaults)" : string.Join(" ", parameters.Select(p => $"{p.Key}={p.Value}"));
}

/// <summary>Progress lines of the evaluation library on standard error, so that standard output stays the result.</summary>
internal sealed class LineProgress(TextWriter error) : IProgress<string>
{
    public void Report(string value) => error.WriteLine(value);
}
