using System.Diagnostics;
using System.Globalization;
using Encore.Core;
using Encore.Evaluation.Ranking;
using Encore.Models;

namespace Encore.Evaluation.Tuning;

/// <summary>What <see cref="ModelSelector"/> searches, for how long, and by which figure.</summary>
public sealed record ModelSelectionOptions
{
    /// <summary>The search's time budget unless one is given: enough on 2 cores for every main model's defaults and a local search around the best on ML-100K.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(60);

    /// <summary>Wall time the search may take (fits and scoring on the validation split; the refit of the winner comes after it).</summary>
    public TimeSpan Budget { get; init; } = DefaultBudget;

    /// <summary>What the chosen model is for: top-N lists (p-topn, p-topn-r) or similar titles (p-next).</summary>
    public string Protocol { get; init; } = TopNProtocol.ProtocolName;

    /// <summary>The validation figure to maximize; null: the protocol's default (<see cref="RankingTuner.DefaultMetric"/>).</summary>
    public string? Metric { get; init; }

    /// <summary>Seed of the random validation split, used when the training data has no times.</summary>
    public ulong Seed { get; init; } = SplitRule.DefaultSeed;

    /// <summary>The model families to choose from; null: <see cref="ModelCatalog.Main"/>.</summary>
    public IReadOnlyList<string>? Models { get; init; }

    /// <summary>
    /// The relative gain on the validation figure a changed parameter needs over the family's current best to be taken
    /// (a smaller one is as likely the validation split's noise as a better setting).
    /// </summary>
    public double MinGain { get; init; } = 0.01;

    /// <summary>
    /// The families tuned after the first round: the best at defaults, and those whose defaults score within this share
    /// of it (a near tie), best first, while the budget lasts. The others are out: see <see cref="ModelSelector"/> for why.
    /// </summary>
    public double TuneWithin { get; init; } = 0.02;

    public string EffectiveMetric => Metric ?? RankingTuner.DefaultMetric(Protocol);

    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Budget < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Budget), Budget.TotalSeconds, "budget must be >= 0 seconds");
        if (Protocol != TopNProtocol.ProtocolName && Protocol != TopNProtocol.RandomProtocolName && Protocol != NextTitleProtocol.ProtocolName)
            throw new ArgumentException($"model selection scores {TopNProtocol.ProtocolName}, {TopNProtocol.RandomProtocolName} or {NextTitleProtocol.ProtocolName}, not {UnicodeText.Quote(Protocol)}");
        var names = RankingTuner.MetricNames(Protocol);
        if (!names.Contains(EffectiveMetric))
            throw new ArgumentException($"metric {EffectiveMetric} does not apply to {Protocol}; use one of {string.Join(", ", names)}");
        if (!(MinGain >= 0) || !double.IsFinite(MinGain)) throw new ArgumentException($"min-gain must be a finite number >= 0 (got {MinGain})");
        if (!(TuneWithin >= 0) || !double.IsFinite(TuneWithin)) throw new ArgumentException($"tune-within must be a finite number >= 0 (got {TuneWithin})");
        foreach (var m in Models ?? ModelCatalog.Main) ModelCatalog.Get(m);
    }
}

/// <summary>What became of one candidate setting.</summary>
public enum CandidateStatus
{
    /// <summary>Fitted and scored on the validation split.</summary>
    Scored,
    /// <summary>Not tried: the model cannot use this data (the note says why).</summary>
    Skipped,
    /// <summary>Begun, and stopped when the budget ran out.</summary>
    StoppedAtBudget,
}

/// <summary>
/// One setting the search considered: the model, the parameters it changed from the defaults, its validation figures
/// and fit time (when scored), and a note (why it was skipped, or what it tried).
/// </summary>
public sealed record ModelCandidate(string Model, IReadOnlyDictionary<string, string> Parameters, CandidateStatus Status,
    IReadOnlyDictionary<string, double> Metrics, double FitSeconds, double Seconds, string Note)
{
    public double this[string metric] => Metrics.TryGetValue(metric, out var v) ? v : double.NaN;
}

/// <summary>What <see cref="ModelSelector.Select"/> chose and why.</summary>
/// <param name="Model">The chosen family.</param>
/// <param name="Parameters">The parameters it changed from the family's defaults (empty: the defaults).</param>
/// <param name="Fitted">The chosen setting refitted on the whole training data.</param>
/// <param name="Metric">The validation figure compared.</param>
/// <param name="Score">The chosen setting's validation figure.</param>
/// <param name="Candidates">Every setting considered, in the order tried.</param>
/// <param name="Validation">The validation split's sizes and rule (carved out of the training data).</param>
/// <param name="Budget">The search's budget.</param>
/// <param name="SearchSeconds">Wall time of the search.</param>
/// <param name="BudgetSpent">Whether the search stopped because the budget was spent (else it tried every setting it planned).</param>
/// <param name="RefitSeconds">Wall time of the refit on the whole training data.</param>
/// <param name="Reason">Why this one, in words.</param>
public sealed record ModelSelection(string Model, IReadOnlyDictionary<string, string> Parameters, IRecommender Fitted, string Metric, double Score,
    IReadOnlyList<ModelCandidate> Candidates, SplitSizes Validation, TimeSpan Budget, double SearchSeconds, bool BudgetSpent, double RefitSeconds,
    string Reason);

/// <summary>
/// `--model auto`: chooses a model family (<see cref="ModelCatalog.Main"/>: popularity, itemknn, ease, ials, sequential)
/// and its parameters for the training data at hand, in bounded time, then refits the winner on all of it.
/// <list type="number">
/// <item>A validation split is carved out of the training data only (<see cref="RankingSplit.Carve"/>: P-TOPN's
/// chronological rule when the data has times, P-TOPN-R's random rule otherwise); the caller's test data is never seen.</item>
/// <item>Every family is fitted at its defaults on the validation split's train part and scored on its held-out part.
/// A family that needs time order (sequential: its histories and "what comes next" counts follow the timestamps) is
/// skipped on data without times.</item>
/// <item>The family best at its defaults, and any within <see cref="ModelSelectionOptions.TuneWithin"/> of it (a near tie),
/// is tuned by a local search from the defaults: one parameter at a time, halving and doubling numbers (and trying
/// the other values of a choice), moving while the figure gains more than <see cref="ModelSelectionOptions.MinGain"/>,
/// in passes until one moves nothing. Families are compared at their defaults, each after one fit, rather than at
/// their best after a search: the best of a dozen settings of a family whose figure swings widely between neighbouring
/// settings (iALS's regularization) overstates what it does on data it was not tuned on, and a search across every
/// family would compare one family's luckiest setting with another's defaults. On the default simulated service a
/// search that tuned every family chose iALS (alpha 0.5, regularization 0.01: validation NDCG@20 0.2339 against the
/// sequential model's 0.2227), which then scored 0.2626 on the P-TOPN test split against the sequential defaults'
/// 0.2678 (docs/RESULTS.md). It also spends the budget on the one family that matters, which on large data is all
/// a budget allows.</item>
/// <item>The search stops when every planned setting is tried or the budget is spent (a fit under way is stopped
/// then; the first setting is always scored, so there is always a winner). The family with the best figure wins,
/// with its best setting, and is refitted on the whole training data.</item>
/// </list>
/// </summary>
public static class ModelSelector
{
    /// <summary>The name `encore eval --model auto` (and later `encore train --model auto`) takes.</summary>
    public const string AutoName = "auto";

    /// <summary>Models whose fit orders each member's history by time (they are skipped on data without times).</summary>
    public static readonly IReadOnlyList<string> NeedTimeOrder = [Models.Sequential.SequentialTrainer.ModelName];

    private const int MaxStepsPerDirection = 3;
    private const int MaxPasses = 3;

    /// <summary>Chooses a model for <paramref name="train"/> (the training data; a validation split is carved out of it) and refits it on all of it.</summary>
    public static ModelSelection Select(InteractionMatrix train, ModelSelectionOptions? options = null, IProgress<ModelCandidate>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new ModelSelectionOptions();
        options.Validate();
        var clock = Stopwatch.StartNew();
        var validation = RankingSplit.Carve(train, options.Seed, ct);
        if (options.Protocol == NextTitleProtocol.ProtocolName) NextTitleProtocol.RequireTimes(validation);
        var search = new Search(validation, options, clock, progress, ct);
        search.Run();
        var (winner, score) = search.Winner();
        double searchSeconds = clock.Elapsed.TotalSeconds;

        var refit = Stopwatch.StartNew();
        var fitted = ModelCatalog.CreateTrainer(winner.Model, winner.Parameters).Fit(train, ct);
        double refitSeconds = refit.Elapsed.TotalSeconds;
        return new ModelSelection(winner.Model, winner.Parameters, fitted, options.EffectiveMetric, score, search.Candidates, SplitSizes.Of(validation),
            options.Budget, searchSeconds, search.BudgetSpent, refitSeconds, search.Reason(winner, score, searchSeconds));
    }

    /// <summary>One parameter the local search moves: by halving and doubling, or through a list of values.</summary>
    private sealed record Axis(string Key, string[]? Values = null);

    /// <summary>The parameters worth moving per family (and protocol); keys a family does not have are passed over.</summary>
    private static IReadOnlyList<Axis> AxesOf(string model, string protocol, bool hasTimes)
    {
        bool next = protocol == NextTitleProtocol.ProtocolName;
        return model switch
        {
            "popularity" => hasTimes ? [new Axis("half-life-days", ["7", "30"])] : [],
            "itemknn" => [new Axis("weighting"), new Axis("neighbours")],
            "ease" => [new Axis("lambda")],
            "ials" => [new Axis("factors"), new Axis("regularization"), new Axis("alpha")],
            "sequential" => next
                ? [new Axis("similar-lambda"), new Axis("similar-transition-weight"), new Axis("similar-window")]
                : [new Axis("lambda"), new Axis("transition-weight"), new Axis("recency-scale"), new Axis("popularity-exponent"), new Axis("window")],
            _ => [],
        };
    }

    private sealed class Search(RankingSplit validation, ModelSelectionOptions options, Stopwatch clock, IProgress<ModelCandidate>? progress,
        CancellationToken ct)
    {
        private readonly string _metric = options.EffectiveMetric;
        private readonly Dictionary<string, (ModelCandidate Candidate, double Score)> _best = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (ModelCandidate Candidate, double Score)> _scored = new(StringComparer.Ordinal);
        private readonly List<string> _skipped = [];

        public List<ModelCandidate> Candidates { get; } = [];
        public bool BudgetSpent { get; private set; }

        private bool Scored => _best.Count > 0;

        public void Run()
        {
            var families = options.Models ?? ModelCatalog.Main;
            foreach (var name in families)
            {
                var model = ModelCatalog.Get(name).Name;
                if (!validation.HasTimes && NeedTimeOrder.Contains(model))
                {
                    Add(new ModelCandidate(model, Empty, CandidateStatus.Skipped, NoMetrics, 0, 0,
                        "needs time order (each member's history by timestamp), and the training data has no timestamps"));
                    _skipped.Add(model);
                    continue;
                }
                if (!Try(model, Empty, "defaults", out _)) return;
            }
            if (!Scored) return;
            double top = 0;
            foreach (var (_, s) in _best.Values) top = Math.Max(top, Finite(s));
            var order = _best.Keys.OrderByDescending(k => Finite(_best[k].Score)).ToList(); // stable: catalogue order on ties
            foreach (var model in order)
            {
                if (Finite(_best[model].Score) < top * (1 - options.TuneWithin)) continue;
                if (!Tune(model)) return;
            }
        }

        /// <summary>
        /// The local search of one family from its defaults: passes over its parameters until a pass moves none (at
        /// most <see cref="MaxPasses"/>); false when the budget ran out.
        /// </summary>
        private bool Tune(string model)
        {
            for (int pass = 0; pass < MaxPasses; pass++)
            {
                var before = _best[model].Candidate;
                if (!Pass(model)) return false;
                if (ReferenceEquals(before, _best[model].Candidate)) break;
            }
            return true;
        }

        /// <summary>One pass over a family's parameters (a setting already scored is not scored again).</summary>
        private bool Pass(string model)
        {
            var descriptor = ModelCatalog.Get(model);
            foreach (var axis in AxesOf(model, options.Protocol, validation.HasTimes))
            {
                var parameter = descriptor.Parameters.FirstOrDefault(p => p.Key == axis.Key);
                if (parameter is null) continue;
                var current = _best[model].Candidate;
                string start = current.Parameters.TryGetValue(axis.Key, out var v) ? v : parameter.Default;
                var choices = axis.Values ?? Choices(parameter);
                if (choices is not null)
                {
                    // A choice: try each other value once from the current best.
                    foreach (var value in choices)
                    {
                        if (value == start) continue;
                        if (!TryMove(model, axis.Key, value, out _)) return false;
                    }
                    continue;
                }
                if (!double.TryParse(start, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !(number > 0)) continue;
                bool integer = parameter.Type == "integer";
                bool moved = false;
                foreach (double factor in (ReadOnlySpan<double>)[2.0, 0.5])
                {
                    if (moved) break; // it went up: no need to try down
                    double value = number;
                    for (int step = 0; step < MaxStepsPerDirection; step++)
                    {
                        value *= factor;
                        string text = integer ? Math.Max(1, (long)Math.Round(value)).ToString(CultureInfo.InvariantCulture) : value.ToString("G6", CultureInfo.InvariantCulture);
                        if (text == start) break;
                        if (!TryMove(model, axis.Key, text, out bool gained)) return false;
                        if (!gained) break;
                        moved = true;
                        start = text;
                    }
                }
            }
            return true;
        }

        /// <summary>Tries the family's current best with one parameter changed; <paramref name="gained"/> when it became the new best.</summary>
        private bool TryMove(string model, string key, string value, out bool gained)
        {
            var (current, currentScore) = _best[model];
            var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in current.Parameters) parameters[k] = v;
            parameters[key] = value;
            gained = false;
            if (!Try(model, parameters, $"{key} {(current.Parameters.TryGetValue(key, out var was) ? was : "default")} -> {value}", out var tried)) return false;
            var (candidate, score) = tried;
            if (Finite(score) > Finite(currentScore) * (1 + options.MinGain) && Finite(score) > Finite(currentScore))
            {
                _best[model] = (candidate, score);
                gained = true;
            }
            return true;
        }

        /// <summary>
        /// Fits and scores one setting within the budget (or recalls it, when it was scored before); false when the budget
        /// is spent (before or during it).
        /// </summary>
        private bool Try(string model, IReadOnlyDictionary<string, string> parameters, string note, out (ModelCandidate Candidate, double Score) result)
        {
            result = default;
            var key = model + " " + ParameterGrid.Describe(parameters);
            if (_scored.TryGetValue(key, out result)) return true;
            var remaining = options.Budget - clock.Elapsed;
            if (Scored && remaining <= TimeSpan.Zero)
            {
                BudgetSpent = true;
                return false;
            }
            var trainer = ModelCatalog.CreateTrainer(model, parameters);
            var started = clock.Elapsed;
            // Until one setting is scored the budget does not apply: there is always a winner.
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (Scored) budget.CancelAfter(remaining);
            RankingTrial trial;
            try
            {
                trial = RankingTuner.Trial(validation, options.Protocol, trainer, parameters, budget.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Add(new ModelCandidate(model, parameters, CandidateStatus.StoppedAtBudget, NoMetrics, 0, (clock.Elapsed - started).TotalSeconds,
                    note + "; stopped: the budget ran out"));
                BudgetSpent = true;
                return false;
            }
            var candidate = new ModelCandidate(model, parameters, CandidateStatus.Scored, trial.Metrics, trial.FitSeconds,
                (clock.Elapsed - started).TotalSeconds, note);
            Add(candidate);
            result = (candidate, trial[_metric]);
            _scored[key] = result;
            _best.TryAdd(model, result);
            return true;
        }

        private void Add(ModelCandidate candidate)
        {
            Candidates.Add(candidate);
            progress?.Report(candidate);
        }

        /// <summary>The family whose best setting has the best figure (the earlier family on a tie).</summary>
        public (ModelCandidate Winner, double Score) Winner()
        {
            (ModelCandidate Candidate, double Score)? winner = null;
            foreach (var c in Candidates)
            {
                if (c.Status != CandidateStatus.Scored || !_best.TryGetValue(c.Model, out var best) || !ReferenceEquals(best.Candidate, c)) continue;
                if (winner is null || Finite(best.Score) > Finite(winner.Value.Score)) winner = best;
            }
            return winner ?? throw new InvalidOperationException("no setting was scored");
        }

        public string Reason(ModelCandidate winner, double score, double seconds)
        {
            var c = CultureInfo.InvariantCulture;
            int scored = Candidates.Count(x => x.Status == CandidateStatus.Scored);
            var text = new System.Text.StringBuilder();
            if (!double.IsFinite(score))
            {
                text.Append(c, $"the validation split has no member to compare on, so the first model scored ({winner.Model}) is kept");
            }
            else
            {
                var defaults = Candidates.Where(x => x.Status == CandidateStatus.Scored && x.Parameters.Count == 0).OrderByDescending(x => Finite(x[_metric]));
                text.Append(c, $"validation {_metric} at the defaults: ");
                text.AppendJoin(", ", defaults.Select(x => string.Create(c, $"{x.Model} {x[_metric]:F4}")));
                var tuned = Candidates.Where(x => x.Status == CandidateStatus.Scored && x.Parameters.Count > 0).Select(x => x.Model).Distinct().ToList();
                if (tuned.Count > 0)
                {
                    text.Append(c, $"; tuned the best (and any within {100 * options.TuneWithin:0.#}% of it): ");
                    text.AppendJoin(", ", tuned.Select(model =>
                    {
                        var (best, bestScore) = _best[model];
                        int n = Candidates.Count(x => x.Model == model && x.Status == CandidateStatus.Scored && x.Parameters.Count > 0);
                        var start = Candidates.First(x => x.Model == model && x.Parameters.Count == 0)[_metric];
                        return best.Parameters.Count == 0
                            ? string.Create(c, $"{model} ({n} setting(s); none gained more than {100 * options.MinGain:0.#}%, defaults kept)")
                            : string.Create(c, $"{model} ({n} setting(s); best {ParameterGrid.Describe(best.Parameters)} {bestScore:F4}, {100 * (bestScore / start - 1):+0.0;-0.0}%)");
                    }));
                }
                text.Append(c, $"; chose {winner.Model} ({(winner.Parameters.Count == 0 ? "defaults" : ParameterGrid.Describe(winner.Parameters))}) at {score:F4}");
            }
            text.Append(c, $". {scored} setting(s) scored in {seconds:F1} s; ");
            text.Append(BudgetSpent
                ? string.Create(c, $"the {options.Budget.TotalSeconds:0.#} s budget was spent and the search stopped there (--budget SECONDS gives it more)")
                : string.Create(c, $"every planned setting was tried within the {options.Budget.TotalSeconds:0.#} s budget"));
            if (_skipped.Count > 0) text.Append($"; skipped {string.Join(", ", _skipped)} (the data has no timestamps)");
            return text.ToString();
        }

        private static double Finite(double v) => double.IsNaN(v) ? double.NegativeInfinity : v;

        /// <summary>The values of a parameter that is a choice ("one of a|b|c"), or null for a number.</summary>
        private static string[]? Choices(ModelParameter parameter)
            => parameter.Type.StartsWith("one of ", StringComparison.Ordinal) ? parameter.Type["one of ".Length..].Split('|') : null;
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new SortedDictionary<string, string>(StringComparer.Ordinal);
    private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();
}
