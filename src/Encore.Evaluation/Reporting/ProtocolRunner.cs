using Encore.Evaluation.Ranking;
using Encore.Evaluation.Rating;
using Encore.Models;

namespace Encore.Evaluation.Reporting;

/// <summary>
/// Runs one protocol of PROTOCOLS.md on a MovieLens folder for a catalogue model, end to end (what `encore eval`
/// does): the model and its parameters are checked before any data is read, then the data is loaded, split,
/// the model fitted on the train part and scored.
/// </summary>
public static class ProtocolRunner
{
    /// <summary>The protocols this runner knows (P-SIM and P-SCALE run on simulated data elsewhere).</summary>
    public static readonly IReadOnlyList<string> Protocols = [TopNProtocol.ProtocolName, RatingProtocol.ProtocolName, NextTitleProtocol.ProtocolName];

    /// <exception cref="ArgumentException">Unknown protocol or model, or a bad parameter (the message says which).</exception>
    /// <exception cref="DirectoryNotFoundException">The data folder does not exist.</exception>
    public static EvaluationReport Run(string protocol, string dataFolder, string model, IReadOnlyDictionary<string, string> parameters,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(dataFolder);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        protocol = protocol.ToLowerInvariant();
        if (!Protocols.Contains(protocol))
            throw new ArgumentException($"unknown protocol '{protocol}'; known: {string.Join(", ", Protocols)}");
        if (protocol == RatingProtocol.ProtocolName)
        {
            Models.Ratings.RatingModelCatalog.Create(model, parameters); // a bad model or parameter fails before the data is read
            RequireFolder(dataFolder);
            return EvaluationReport.FromRating(RatingProtocol.Run(dataFolder, model, parameters, progress, ct));
        }

        if (!ModelCatalog.TryGet(model, out var descriptor))
            throw new ArgumentException($"unknown top-N model '{model}'; known: {string.Join(", ", ModelCatalog.Names)}");
        var trainer = descriptor.CreateTrainer(parameters);
        RequireFolder(dataFolder);
        var split = LoadSplit(dataFolder, progress, ct, out var dataset);
        var effective = EvaluationReport.EffectiveParameters(descriptor.Name, parameters);
        if (protocol == TopNProtocol.ProtocolName)
        {
            var (metrics, fit, _) = TopNProtocol.Run(trainer, split, ct: ct);
            return EvaluationReport.FromTopN(new TopNResult(dataset, descriptor.Name, effective, SplitSizes.Of(split), metrics, fit));
        }
        var (next, nextFit, _) = NextTitleProtocol.Run(trainer, split, ct: ct);
        return EvaluationReport.FromNext(new NextTitleResult(dataset, descriptor.Name, effective, SplitSizes.Of(split), next, nextFit));
    }

    /// <summary>Loads a MovieLens folder and makes its P-TOPN split, reporting the sizes.</summary>
    public static ChronologicalSplit LoadSplit(string dataFolder, IProgress<string>? progress, CancellationToken ct, out string dataset)
    {
        RequireFolder(dataFolder);
        var data = RankingData.Load(dataFolder, ct);
        dataset = data.Name;
        var split = ChronologicalSplit.Create(data.Positives, data.Catalogue, ct);
        progress?.Report($"{data.Name}: {data.Ratings:N0} ratings, {data.Positives.Count:N0} positives, {data.Catalogue.Count:N0} titles; "
            + $"split: {split.TrainPositives:N0} train / {split.TestPositives:N0} test positives, {split.TestUsers:N0} test members");
        return split;
    }

    private static void RequireFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"no such data folder: {folder}");
    }
}
