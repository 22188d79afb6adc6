using System.Diagnostics;
using Encore.Core;
using Encore.Models;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Ranking;

/// <summary>What to train: a catalogue model with its parameters, on signals weighed by <see cref="Preferences"/>.</summary>
public sealed record TrainingRequest
{
    public required string Model { get; init; }
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    public PreferenceOptions Preferences { get; init; } = PreferenceOptions.Default;
    public SignalOptions Signals { get; init; } = SignalOptions.Default;

    /// <summary>
    /// The model fitted beside the main one for similar titles ("Because you watched"), or null for the main model
    /// itself. Default: sequential, the best of Encore's models on P-NEXT (docs/RESULTS.md).
    /// </summary>
    public string? SimilarModel { get; init; } = DefaultSimilarModel;

    public const string DefaultSimilarModel = "sequential";

    /// <summary>How the Continue Watching resume model is trained beside the main one, or null to order that row by recency.</summary>
    public ContinueWatching.ResumeTrainingOptions? Resume { get; init; }
}

/// <summary>
/// Fits a model from a store through Signals, the one road from events to what a model learns: reads the log once,
/// folds it into signals, weighs every pair as of the last event, fits, and keeps what ranking needs beside the model.
/// </summary>
public static class ModelTraining
{
    /// <exception cref="ArgumentException">Unknown model or parameter, bad preferences, or a store with nothing to learn from.</exception>
    public static async Task<TrainedModel> TrainAsync(IEventStore store, TrainingRequest request, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        request.Preferences.Validate();
        var trainer = ModelCatalog.CreateTrainer(request.Model, request.Parameters); // a bad name or parameter fails before the log is read
        var clock = Stopwatch.StartNew();
        var (signals, resume) = await LoadAsync(store, request, progress, ct).ConfigureAwait(false);
        progress?.Report($"signals: {signals.Events:N0} events, {signals.MemberIds.Count:N0} members, {signals.Catalogue.Titles:N0} titles, {signals.Pairs:N0} pairs in {clock.Elapsed.TotalSeconds:F1} s");
        return WithResume(Fit(signals, trainer, request, store.Location, progress, ct), resume);
    }

    /// <summary>
    /// The store's signals, read once; where the request asks for a resume model, the same read also cuts its training
    /// examples and the model is fitted (<see cref="ContinueWatching.ResumeTraining"/>).
    /// </summary>
    public static async Task<(SignalSet Signals, ContinueWatching.ResumeModel? Resume)> LoadAsync(IEventStore store, TrainingRequest request,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        // Searches tell the profile which title they named (search intent), as they will when the model serves.
        var resolver = await Search.SearchIntentResolver.LoadAsync(store, ct).ConfigureAwait(false);
        if (request.Resume is not { } resumeOptions)
            return (await SignalSet.LoadAsync(store, request.Signals, ct: ct, resolver: resolver).ConfigureAwait(false), null);
        try
        {
            var (model, signals) = await ContinueWatching.ResumeTraining.TrainAsync(store, resumeOptions, request.Signals, progress, ct, resolver).ConfigureAwait(false);
            progress?.Report($"continue watching: {model.Info.Learner} resume model, validation AUC {model.Info.ValidationAuc:F4} (recency {model.Info.ValidationRecencyAuc:F4})");
            return (signals, model);
        }
        catch (ContinueWatching.InsufficientResumeDataException e)
        {
            // A store too short for a training and a validation cut: Continue Watching falls back to recency.
            progress?.Report($"continue watching: ordered by recency ({e.Message})");
            return (await SignalSet.LoadAsync(store, request.Signals, ct: ct, resolver: resolver).ConfigureAwait(false), null);
        }
    }

    /// <summary>The same trained model with <paramref name="resume"/> beside it.</summary>
    public static TrainedModel WithResume(TrainedModel model, ContinueWatching.ResumeModel? resume)
    {
        ArgumentNullException.ThrowIfNull(model);
        return resume is null ? model : new TrainedModel(model.Recommender, model.Preferences, model.ContextShares, model.Info,
            ReferenceEquals(model.Similar, model.Recommender) ? null : model.Similar, model.TitleSupport, resume);
    }

    /// <summary>Fits on signals already folded (the server keeps them in memory), weighed as of the last event.</summary>
    public static TrainedModel Fit(SignalSet signals, IRecommenderTrainer trainer, TrainingRequest request, string source,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return Fit(signals, request, source, (matrix, ct) => (trainer.Fit(matrix, ct), request.Parameters, null), progress, ct);
    }

    /// <summary>
    /// The training matrix of <paramref name="signals"/> under <paramref name="request"/>'s preferences (weighed as of the
    /// last event), handed to <paramref name="fit"/>, which returns the fitted model, its parameters and why it was chosen
    /// (`--model auto` chooses one there); the result is kept with what ranking needs beside it.
    /// </summary>
    /// <exception cref="ArgumentException">No events, or no positive evidence.</exception>
    public static TrainedModel Fit(SignalSet signals, TrainingRequest request, string source,
        Func<InteractionMatrix, CancellationToken, (IRecommender Model, IReadOnlyDictionary<string, string> Parameters, string? Choice)> fit,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(fit);
        if (signals.Events == 0) throw new ArgumentException($"{source} holds no events to learn from; import or simulate some first");
        long asOf = signals.LastEventMs;
        var matrix = signals.ToMatrix(request.Preferences, asOf);
        long negatives = 0;
        foreach (var v in matrix.Values) if (v < 0) negatives++;
        if (matrix.NonZeros - negatives == 0)
            throw new ArgumentException($"{source}: no member began any title or rated one 4 or more, so there is no positive evidence to learn from");
        var clock = Stopwatch.StartNew();
        var (recommender, parameters, choice) = fit(matrix, ct);
        double seconds = clock.Elapsed.TotalSeconds;
        progress?.Report($"{recommender.Name}: fitted on {matrix.NonZeros - negatives:N0} positive and {negatives:N0} negative pairs in {seconds:F1} s");
        IRecommender? similar = null;
        if (request.SimilarModel is { } similarModel && !string.Equals(similarModel, recommender.Name, StringComparison.OrdinalIgnoreCase))
        {
            similar = ModelCatalog.CreateTrainer(similarModel).Fit(matrix, ct);
            progress?.Report($"{similarModel}: fitted for similar titles");
        }
        var info = new TrainingInfo
        {
            Model = recommender.Name,
            Parameters = parameters,
            Preferences = request.Preferences.Describe(),
            Source = source,
            Events = signals.Events,
            Members = signals.MemberIds.Count,
            Titles = signals.Catalogue.Titles,
            Positives = matrix.NonZeros - negatives,
            Negatives = negatives,
            TrainedUntilUtc = DateTime.UnixEpoch.AddMilliseconds(asOf),
            TrainedAtUtc = DateTime.UtcNow,
            FitSeconds = seconds,
            Choice = choice,
            SimilarModel = similar?.Name,
        };
        // Positive evidence per title, by the model's title order (the matrix's columns).
        var support = new int[recommender.TitleIds.Count];
        for (int p = 0; p < matrix.NonZeros; p++)
        {
            if (!(matrix.Values[p] > 0)) continue;
            int t = recommender.TitleIds.IndexOf(matrix.TitleIds[matrix.ColumnIndices[p]]);
            if (t >= 0) support[t]++;
        }
        return new TrainedModel(recommender, request.Preferences, ContextShares.Of(signals), info, similar, support);
    }
}
