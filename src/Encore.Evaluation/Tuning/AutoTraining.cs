using Encore.Core;
using Encore.Models;
using Encore.Ranking;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Evaluation.Tuning;

/// <summary>
/// `encore train --model auto`: the store's signals read once, then <see cref="ModelSelector"/> chooses the model family
/// and its parameters on a validation split carved out of them, within a time budget, and the winner (refitted on all
/// of it) is kept as a <see cref="TrainedModel"/> that records the choice and why.
/// </summary>
public static class AutoTraining
{
    public static async Task<TrainedModel> TrainAsync(IEventStore store, TrainingRequest request, ModelSelectionOptions? selection = null,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        request.Preferences.Validate();
        selection ??= new ModelSelectionOptions();
        selection.Validate();
        var (signals, resume) = await ModelTraining.LoadAsync(store, request, progress, ct).ConfigureAwait(false);
        progress?.Report($"signals: {signals.Events:N0} events, {signals.MemberIds.Count:N0} members, {signals.Catalogue.Titles:N0} titles");
        return ModelTraining.WithResume(Fit(signals, request, selection, store.Location, progress, ct), resume);
    }

    public static TrainedModel Fit(SignalSet signals, TrainingRequest request, ModelSelectionOptions selection, string source,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var candidates = progress is null ? null : new Progress<ModelCandidate>(c =>
            progress.Report($"auto: {c.Model} {string.Join(" ", c.Parameters.Select(kv => kv.Key + "=" + kv.Value))} -> {c.Status} {c[selection.EffectiveMetric]:F4}"));
        return ModelTraining.Fit(signals, request, source, (matrix, token) =>
        {
            var chosen = ModelSelector.Select(matrix, selection, candidates, token);
            return (chosen.Fitted, chosen.Parameters, chosen.Reason);
        }, progress, ct);
    }
}

/// <summary>
/// `--model auto` as a trainer: each fit runs <see cref="ModelSelector"/> on the data it is given (a validation split
/// carved out of that data only) and returns the winner refitted on all of it; <see cref="LastSelection"/> says what
/// was chosen and why. For protocols that take a trainer (P-SIM).
/// </summary>
internal sealed class AutoTrainer(ModelSelectionOptions? options = null) : IRecommenderTrainer
{
    private readonly ModelSelectionOptions _options = options ?? new ModelSelectionOptions();

    public string Name => ModelSelector.AutoName;

    /// <summary>The selection of the latest fit.</summary>
    public ModelSelection? LastSelection { get; private set; }

    public IRecommender Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        LastSelection = ModelSelector.Select(data, _options, null, ct);
        return LastSelection.Fitted;
    }
}
