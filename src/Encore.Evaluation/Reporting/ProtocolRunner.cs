using Encore.Core;
using Encore.Evaluation.Ranking;
using Encore.Evaluation.Rating;
using Encore.Evaluation.Tuning;
using Encore.Models;

namespace Encore.Evaluation.Reporting;

/// <summary>How <see cref="ProtocolRunner"/> splits and, for `--model auto`, how long it searches.</summary>
public sealed record RankingRunOptions
{
    /// <summary>Seed of P-TOPN-R's random split (and of the validation split auto carves from data without times).</summary>
    public ulong SplitSeed { get; init; } = SplitRule.DefaultSeed;

    /// <summary>The time budget of `--model auto`'s search.</summary>
    public TimeSpan Budget { get; init; } = ModelSelectionOptions.DefaultBudget;

    /// <summary>Each candidate `--model auto` scores, as it is scored.</summary>
    public IProgress<ModelCandidate>? Candidates { get; init; }
}

/// <summary>
/// Runs one protocol of PROTOCOLS.md for a catalogue model (or `auto`), end to end (what `encore eval` does): the
/// model and its parameters are checked before any data is read, then the data (<see cref="RankingData"/>, from any
/// source) is split by the protocol's rule, the model fitted on the train part and scored. P-TOPN splits in time
/// (the data must have times), P-TOPN-R at random per member (seeded), P-NEXT as P-TOPN; data that is a split made
/// elsewhere is evaluated as given under any of them.
/// </summary>
public static class ProtocolRunner
{
    /// <summary>The protocols this runner knows (P-SIM and P-SCALE run on simulated data elsewhere).</summary>
    public static readonly IReadOnlyList<string> Protocols =
        [TopNProtocol.ProtocolName, TopNProtocol.RandomProtocolName, RatingProtocol.ProtocolName, NextTitleProtocol.ProtocolName];

    /// <summary>The protocols that rank titles (<see cref="RankingData"/>); P-RATING reads a MovieLens folder's folds.</summary>
    public static readonly IReadOnlyList<string> RankingProtocols =
        [TopNProtocol.ProtocolName, TopNProtocol.RandomProtocolName, NextTitleProtocol.ProtocolName];

    /// <summary>Runs <paramref name="protocol"/> on the MovieLens release in <paramref name="dataFolder"/>.</summary>
    /// <exception cref="ArgumentException">Unknown protocol or model, or a bad parameter (the message says which).</exception>
    /// <exception cref="DirectoryNotFoundException">The data folder does not exist.</exception>
    public static EvaluationReport Run(string protocol, string dataFolder, string model, IReadOnlyDictionary<string, string> parameters,
        IProgress<string>? progress = null, CancellationToken ct = default, RankingRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataFolder);
        protocol = CheckProtocol(protocol);
        if (protocol == RatingProtocol.ProtocolName)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(parameters);
            ModelCatalog.CreateRatingTrainer(model, parameters); // a bad model or parameter fails before the data is read
            RequireFolder(dataFolder);
            var name = ModelCatalog.Get(model).Name;
            return EvaluationReport.FromRating(RatingProtocol.Run(dataFolder, name, EvaluationReport.EffectiveParameters(name, parameters), progress, ct));
        }
        CheckModel(model, parameters);
        RequireFolder(dataFolder);
        return Run(protocol, RankingData.Load(dataFolder, ct), model, parameters, options, progress, ct);
    }

    /// <summary>Runs a ranking protocol (p-topn, p-topn-r, p-next) on <paramref name="data"/> for a catalogue model or <see cref="ModelSelector.AutoName"/>.</summary>
    /// <exception cref="ArgumentException">
    /// Unknown protocol or model, a bad parameter, or a protocol the data cannot serve (P-TOPN or P-NEXT without timestamps).
    /// </exception>
    public static EvaluationReport Run(string protocol, RankingData data, string model, IReadOnlyDictionary<string, string> parameters,
        RankingRunOptions? options = null, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        protocol = CheckRankingProtocol(protocol);
        var trainer = CheckModel(model, parameters);
        options ??= new RankingRunOptions();
        var split = Split(protocol, data, options.SplitSeed, progress, ct);
        bool next = protocol == NextTitleProtocol.ProtocolName;
        if (trainer is null)
        {
            var selection = ModelSelector.Select(split.Train, new ModelSelectionOptions { Budget = options.Budget, Protocol = protocol, Seed = options.SplitSeed },
                options.Candidates, ct);
            var chosen = EvaluationReport.EffectiveParameters(selection.Model, selection.Parameters);
            var report = next
                ? EvaluationReport.FromNext(new NextTitleResult(data.Name, selection.Model, chosen, SplitSizes.Of(split),
                    NextTitleProtocol.Evaluate(selection.Fitted, split, ct: ct), selection.RefitSeconds))
                : EvaluationReport.FromTopN(new TopNResult(data.Name, selection.Model, chosen, SplitSizes.Of(split),
                    TopNProtocol.Evaluate(selection.Fitted, split, ct: ct), selection.RefitSeconds), protocol);
            return report with { Selection = selection };
        }
        var descriptor = ModelCatalog.Get(model);
        var effective = EvaluationReport.EffectiveParameters(descriptor.Name, parameters);
        if (next)
        {
            var (metrics, fit, _) = NextTitleProtocol.Run(trainer, split, ct: ct);
            return EvaluationReport.FromNext(new NextTitleResult(data.Name, descriptor.Name, effective, SplitSizes.Of(split), metrics, fit));
        }
        var (topN, topNFit, _) = TopNProtocol.Run(trainer, split, ct: ct);
        return EvaluationReport.FromTopN(new TopNResult(data.Name, descriptor.Name, effective, SplitSizes.Of(split), topN, topNFit), protocol);
    }

    /// <summary>
    /// The split a ranking protocol makes of <paramref name="data"/>: as given for a split made elsewhere; else
    /// chronological for p-topn and p-next, random (seeded) for p-topn-r. Reports the data and the split's sizes.
    /// </summary>
    /// <exception cref="ArgumentException">P-TOPN or P-NEXT on data without timestamps (the message suggests p-topn-r).</exception>
    public static RankingSplit Split(string protocol, RankingData data, ulong seed, IProgress<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        protocol = CheckRankingProtocol(protocol);
        var rule = data.IsGivenSplit ? SplitRule.Given
            : protocol == TopNProtocol.RandomProtocolName ? SplitRule.Random(seed)
            : SplitRule.Chronological;
        var split = RankingSplit.Create(data, rule, ct);
        if (protocol == NextTitleProtocol.ProtocolName) NextTitleProtocol.RequireTimes(split);
        progress?.Report(data.Describe());
        progress?.Report(System.FormattableString.Invariant(
            $"split, {rule.Describe()}: {split.TrainPositives:N0} train / {split.TestPositives:N0} test positives, {split.TestUsers:N0} test members"));
        return split;
    }

    /// <summary>Loads a MovieLens folder and makes its P-TOPN split, reporting the sizes.</summary>
    public static RankingSplit LoadSplit(string dataFolder, IProgress<string>? progress, CancellationToken ct, out string dataset)
    {
        RequireFolder(dataFolder);
        var data = RankingData.Load(dataFolder, ct);
        dataset = data.Name;
        return Split(TopNProtocol.ProtocolName, data, SplitRule.DefaultSeed, progress, ct);
    }

    /// <summary>
    /// Checks a top-N model name and its parameters before any data is read: the trainer, or null for
    /// <see cref="ModelSelector.AutoName"/> (which takes no parameters: it chooses them).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown model, bad parameter, or parameters given to auto.</exception>
    public static IRecommenderTrainer? CheckModel(string model, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        if (string.Equals(model, ModelSelector.AutoName, StringComparison.OrdinalIgnoreCase))
        {
            if (parameters.Count > 0)
                throw new ArgumentException($"--model {ModelSelector.AutoName} chooses the parameters itself; --param needs a model name ({string.Join(", ", ModelCatalog.TopNNames)})");
            return null;
        }
        if (!ModelCatalog.TryGet(model, out var descriptor) || descriptor.Task != ModelTask.TopN)
            throw new ArgumentException($"unknown top-N model {UnicodeText.Quote(model)}; known: {string.Join(", ", ModelCatalog.TopNNames)}, or {ModelSelector.AutoName}");
        return descriptor.CreateTrainer(parameters);
    }

    private static string CheckProtocol(string protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        protocol = protocol.ToLowerInvariant();
        if (!Protocols.Contains(protocol))
            throw new ArgumentException($"unknown protocol {UnicodeText.Quote(protocol)}; known: {string.Join(", ", Protocols)}");
        return protocol;
    }

    private static string CheckRankingProtocol(string protocol)
    {
        protocol = CheckProtocol(protocol);
        if (!RankingProtocols.Contains(protocol))
            throw new ArgumentException($"{protocol} does not rank titles; the ranking protocols are {string.Join(", ", RankingProtocols)}");
        return protocol;
    }

    private static void RequireFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"no such data folder: {folder}");
    }
}
