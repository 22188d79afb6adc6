using System.Globalization;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Ranking.ContinueWatching;

/// <summary>Which learner fits the resume model.</summary>
public enum ResumeLearner
{
    /// <summary>Boosted trees by LightGBM (Microsoft.ML.LightGbm), scored by Encore's own tree walk.</summary>
    LightGbm = 0,
    /// <summary>L2-regularized logistic regression, fitted by Newton steps.</summary>
    Logistic = 1,
}

/// <summary>How the resume model is trained: the learner and its parameters tried, the cuts, the label window, and the threshold rule.</summary>
public sealed record ResumeTrainingOptions
{
    /// <summary>
    /// LightGBM by default: on P-SIM it beat the logistic model on the validation cut and on the test cut of both the default
    /// and a 5,000-member service (docs/CONTINUE_WATCHING.md).
    /// </summary>
    public ResumeLearner Learner { get; init; } = ResumeLearner.LightGbm;
    public LightGbmGrid LightGbm { get; init; } = new();
    /// <summary>A resume is a play begun within this long after the cut (7 days).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromDays(7);
    /// <summary>The first cut is at least this many days after the first event (members need a history to resume from).</summary>
    public int WarmupDays { get; init; } = 7;
    /// <summary>Days between cuts (2: a member's row changes little in a day, and examples of nearby cuts repeat).</summary>
    public int StepDays { get; init; } = 2;
    /// <summary>
    /// The threshold is the highest probability such that the validation candidates below it hold at most this share of
    /// the validation resumes (0.05: a title predicted abandoned is wrong for at most 1 resume in 20).
    /// </summary>
    public double MaxLostResumes { get; init; } = 0.05;
    /// <summary>L2 penalties tried by the logistic learner (on the mean log-loss, features standardized); the best validation AUC wins, ties to the larger.</summary>
    public IReadOnlyList<double> Lambdas { get; init; } = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1];
    public int MaxIterations { get; init; } = 30;
    /// <summary>The early-abandonment rule kept with the model: the signals' default (stopped before 15%, 14 days idle).</summary>
    public float AbandonShare { get; init; } = PreferenceOptions.Default.AbandonShare;
    public float AbandonDays { get; init; } = PreferenceOptions.Default.AbandonDays;

    public void Validate()
    {
        if (Window <= TimeSpan.Zero) throw new ArgumentException($"the resume window must be positive (got {Window})");
        if (WarmupDays < 0) throw new ArgumentException($"warm-up days must be >= 0 (got {WarmupDays})");
        if (StepDays < 1) throw new ArgumentException($"days between cuts must be >= 1 (got {StepDays})");
        if (!(MaxLostResumes >= 0 && MaxLostResumes < 1)) throw new ArgumentException($"max lost resumes must be in [0, 1) (got {MaxLostResumes})");
        if (Lambdas.Count == 0) throw new ArgumentException("at least one penalty is needed");
        foreach (var l in Lambdas) if (!(l >= 0) || !double.IsFinite(l)) throw new ArgumentException($"penalties must be finite and >= 0 (got {l})");
        if (MaxIterations < 1) throw new ArgumentException($"max iterations must be >= 1 (got {MaxIterations})");
        if (!Enum.IsDefined(Learner)) throw new ArgumentException($"unknown resume learner {Learner}");
        ArgumentNullException.ThrowIfNull(LightGbm);
        if (LightGbm.Leaves.Count == 0 || LightGbm.Iterations.Count == 0 || LightGbm.LearningRates.Count == 0)
            throw new ArgumentException("the LightGBM grid needs at least one value of each parameter");
        foreach (var v in LightGbm.Leaves) if (v < 2) throw new ArgumentException($"LightGBM leaves must be >= 2 (got {v})");
        foreach (var v in LightGbm.Iterations) if (v < 1) throw new ArgumentException($"LightGBM iterations must be >= 1 (got {v})");
        foreach (var v in LightGbm.LearningRates) if (!(v > 0 && v <= 1)) throw new ArgumentException($"LightGBM learning rates must be in (0, 1] (got {v})");
        if (LightGbm.MinimumExamplesPerLeaf < 1) throw new ArgumentException($"LightGBM's fewest examples per leaf must be >= 1 (got {LightGbm.MinimumExamplesPerLeaf})");
    }
}

/// <summary>
/// Trains the resume model from a store through time cuts. The cuts lie in the training period only: the latest cut
/// whose 7-day window ends by <c>untilMs</c> is the validation cut; the cuts whose windows end by it are fitted with each
/// penalty, the penalty with the best validation AUC is kept, the threshold is chosen on the validation predictions
/// (<see cref="ResumeTrainingOptions.MaxLostResumes"/>), and the model is fitted again, with that penalty, on every cut
/// up to the validation cut. The learner is LightGBM (each combination of <see cref="LightGbmGrid"/> tried the same way), or
/// L2-regularized logistic regression fitted by Newton's method (the log-loss is convex and the features few, so it
/// converges in a few exact steps).
/// </summary>
public static class ResumeTraining
{
    private const long DayMs = 86_400_000L;

    /// <summary>
    /// The cuts for data from <paramref name="firstMs"/> to <paramref name="untilMs"/>: the validation cut at
    /// <c>untilMs - window</c>, then every <see cref="ResumeTrainingOptions.StepDays"/> days back to the warm-up.
    /// </summary>
    public static IReadOnlyList<long> Cuts(long firstMs, long untilMs, ResumeTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        long window = (long)options.Window.TotalMilliseconds;
        long earliest = firstMs + options.WarmupDays * DayMs;
        var cuts = new List<long>();
        for (long t = untilMs - window; t >= earliest; t -= options.StepDays * DayMs) cuts.Add(t);
        cuts.Reverse();
        return cuts;
    }

    /// <summary>Reads the store once and trains on every event (the cuts end where the log does).</summary>
    /// <exception cref="ArgumentException">The store spans too few days for a training and a validation cut.</exception>
    public static async Task<(ResumeModel Model, SignalSet Signals)> TrainAsync(IEventStore store, ResumeTrainingOptions? options = null,
        SignalOptions? signalOptions = null, IProgress<string>? progress = null, CancellationToken ct = default, IQueryResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new ResumeTrainingOptions();
        var stats = await store.GetStatisticsAsync(ct).ConfigureAwait(false);
        if (stats.FirstEventUtc is not { } first || stats.LastEventUtc is not { } last)
            throw new InsufficientResumeDataException($"{store.Location} holds no events to learn from");
        long firstMs = ToMs(first), untilMs = ToMs(last) + 1;
        var cuts = Cuts(firstMs, untilMs, options);
        var (examples, signals) = await ResumeExampleCollector.LoadAsync(store, cuts, options.Window, signalOptions, ct, resolver).ConfigureAwait(false);
        return (Fit(examples, untilMs, options, progress), signals);
    }

    private sealed record Candidate(string Parameters, Func<int[], float, ResumeModelInfo, ResumeModel> Fit);

    private static List<Candidate> Candidates(ResumeExamples examples, ResumeTrainingOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        var list = new List<Candidate>();
        if (options.Learner == ResumeLearner.Logistic)
        {
            // The strongest penalty first: a tie keeps the simpler model.
            foreach (var lambda in options.Lambdas.OrderDescending())
                list.Add(new(string.Create(c, $"lambda={lambda:G3}"), (idx, threshold, info) => FitLogistic(examples, idx, lambda, threshold, options, info)));
            return list;
        }
        var grid = options.LightGbm;
        // The smallest ensembles first: a tie keeps the simpler model.
        foreach (var leaves in grid.Leaves.Order())
            foreach (var iterations in grid.Iterations.Order())
                foreach (var rate in grid.LearningRates.Order())
                    list.Add(new(string.Create(c, $"leaves={leaves} iterations={iterations} rate={rate:G3}"), (idx, threshold, info)
                        => new ResumeModel(LightGbmResume.Fit(examples, idx, leaves, iterations, rate, grid), threshold, info, options.AbandonShare, options.AbandonDays)));
        return list;
    }

    /// <summary>Fits on the cuts of <paramref name="examples"/> whose windows end by <paramref name="untilMs"/> (see the class).</summary>
    /// <exception cref="ArgumentException">Fewer than two such cuts, or a cut with no resume or no candidate left unresumed.</exception>
    public static ResumeModel Fit(ResumeExamples examples, long untilMs, ResumeTrainingOptions? options = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new ResumeTrainingOptions();
        options.Validate();
        var c = CultureInfo.InvariantCulture;
        int validationCut = -1;
        for (int k = 0; k < examples.CutsMs.Count; k++) if (examples.CutsMs[k] + examples.WindowMs <= untilMs) validationCut = k;
        if (validationCut < 1)
            throw new InsufficientResumeDataException("the resume model needs at least two cuts whose windows lie in the training data (a training and a validation cut): the log spans too few days");
        long validationMs = examples.CutsMs[validationCut];
        var train = examples.IndicesBefore(validationMs);
        var validation = examples.IndicesOfCut(validationCut);
        Require(examples, train, "the training cuts");
        Require(examples, validation, "the validation cut");

        var labels = Labels(examples, validation);
        var recency = new float[validation.Length];
        for (int i = 0; i < validation.Length; i++) recency[i] = -examples.DaysIdle(validation[i]);
        double recencyAuc = ResumeMetrics.Auc(recency, labels);
        double bestAuc = double.NegativeInfinity;
        Candidate? best = null;
        float[]? bestProbabilities = null;
        var probabilities = new float[validation.Length];
        string learner = options.Learner == ResumeLearner.LightGbm ? "lightgbm" : "logistic";
        foreach (var candidate in Candidates(examples, options))
        {
            var model = candidate.Fit(train, 0f, new ResumeModelInfo());
            for (int i = 0; i < validation.Length; i++) probabilities[i] = model.Predict(examples.Features(validation[i]));
            double auc = ResumeMetrics.Auc(probabilities, labels);
            progress?.Report(string.Create(c, $"resume model: {learner} {candidate.Parameters}: validation AUC {auc:F4} (recency {recencyAuc:F4})"));
            if (auc > bestAuc + 1e-9)
            {
                (bestAuc, best) = (auc, candidate);
                bestProbabilities = (float[])probabilities.Clone();
            }
        }
        float threshold = ChooseThreshold(bestProbabilities!, labels, options.MaxLostResumes);
        var all = examples.IndicesBefore(untilMs);
        int positives = 0;
        foreach (int i in all) if (examples.Label(i)) positives++;
        var info = new ResumeModelInfo
        {
            Learner = learner,
            Parameters = best!.Parameters,
            WindowDays = options.Window.TotalDays,
            Cuts = validationCut + 1,
            Examples = all.Length,
            Positives = positives,
            TrainedUntilUtc = DateTime.UnixEpoch.AddMilliseconds(validationMs + examples.WindowMs),
            ValidationCutUtc = DateTime.UnixEpoch.AddMilliseconds(validationMs),
            ValidationAuc = bestAuc,
            ValidationRecencyAuc = recencyAuc,
            ThresholdRule = string.Create(c,
                $"highest probability whose validation candidates below it hold at most {options.MaxLostResumes:P0} of the validation resumes: {threshold:F4}"),
        };
        progress?.Report(string.Create(c, $"resume model: {learner} {best.Parameters} chosen; threshold {threshold:F4}; refitting on {all.Length:N0} examples of {validationCut + 1} cuts"));
        return best.Fit(all, threshold, info);
    }

    /// <summary>
    /// The highest probability such that the resumed candidates below it are at most <paramref name="maxLost"/> of all
    /// resumed candidates (ties at the threshold stay in the row); 0 when there are none.
    /// </summary>
    public static float ChooseThreshold(ReadOnlySpan<float> probabilities, ReadOnlySpan<bool> labels, double maxLost)
    {
        if (probabilities.Length != labels.Length) throw new ArgumentException("one label per probability");
        var resumed = new List<float>();
        for (int i = 0; i < labels.Length; i++) if (labels[i]) resumed.Add(probabilities[i]);
        if (resumed.Count == 0) return 0f;
        resumed.Sort();
        int lost = (int)Math.Floor(maxLost * resumed.Count);
        return resumed[Math.Min(lost, resumed.Count - 1)];
    }

    /// <summary>
    /// L2-regularized logistic regression on <paramref name="indices"/> of the examples: features standardized by their
    /// mean and standard deviation there, mean log-loss + lambda / 2 * |w|^2 (the bias unpenalized), Newton steps until
    /// no weight moves by 1e-6.
    /// </summary>
    public static ResumeModel FitLogistic(ResumeExamples examples, int[] indices, double lambda, float threshold, ResumeTrainingOptions options, ResumeModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(options);
        if (indices.Length == 0) throw new ArgumentException("no examples to fit on");
        int f = ResumeFeatures.Count, d = f + 1;
        var mean = new double[f];
        var sq = new double[f];
        foreach (int i in indices)
        {
            var x = examples.Features(i);
            for (int j = 0; j < f; j++)
            {
                mean[j] += x[j];
                sq[j] += (double)x[j] * x[j];
            }
        }
        var means = new float[f];
        var scales = new float[f];
        for (int j = 0; j < f; j++)
        {
            double m = mean[j] / indices.Length;
            double variance = Math.Max(0, sq[j] / indices.Length - m * m);
            means[j] = (float)m;
            scales[j] = variance > 1e-12 ? (float)Math.Sqrt(variance) : 1f;
        }

        var w = new double[d]; // weights, then the bias
        var g = new double[d];
        var h = new double[d * d];
        var z = new double[d];
        var step = new double[d];
        for (int iteration = 0; iteration < options.MaxIterations; iteration++)
        {
            Array.Clear(g);
            Array.Clear(h);
            foreach (int i in indices)
            {
                var x = examples.Features(i);
                double s = w[f];
                for (int j = 0; j < f; j++)
                {
                    z[j] = (x[j] - means[j]) / scales[j];
                    s += w[j] * z[j];
                }
                z[f] = 1;
                double p = 1.0 / (1.0 + Math.Exp(-s));
                double r = p - (examples.Label(i) ? 1 : 0);
                double v = Math.Max(p * (1 - p), 1e-9);
                for (int a = 0; a < d; a++)
                {
                    double za = z[a];
                    g[a] += r * za;
                    double vza = v * za;
                    int row = a * d;
                    for (int b = a; b < d; b++) h[row + b] += vza * z[b];
                }
            }
            double n = indices.Length;
            for (int a = 0; a < d; a++)
            {
                g[a] /= n;
                for (int b = a; b < d; b++) h[a * d + b] /= n;
            }
            for (int j = 0; j < f; j++)
            {
                g[j] += lambda * w[j];
                h[j * d + j] += lambda;
            }
            h[f * d + f] += 1e-9;
            for (int a = 0; a < d; a++) for (int b = 0; b < a; b++) h[a * d + b] = h[b * d + a];
            Cholesky.Solve(h, g, step, d);
            double moved = 0;
            for (int a = 0; a < d; a++)
            {
                w[a] -= step[a];
                moved = Math.Max(moved, Math.Abs(step[a]));
            }
            if (moved < 1e-6) break;
        }
        var weights = new float[f];
        for (int j = 0; j < f; j++) weights[j] = (float)w[j];
        return new ResumeModel(means, scales, weights, (float)w[f], threshold, info, options.AbandonShare, options.AbandonDays);
    }

    private static bool[] Labels(ResumeExamples examples, int[] indices)
    {
        var labels = new bool[indices.Length];
        for (int i = 0; i < indices.Length; i++) labels[i] = examples.Label(indices[i]);
        return labels;
    }

    private static void Require(ResumeExamples examples, int[] indices, string what)
    {
        int positives = 0;
        foreach (int i in indices) if (examples.Label(i)) positives++;
        if (positives == 0 || positives == indices.Length)
            throw new InsufficientResumeDataException($"{what} hold {indices.Length:N0} Continue Watching candidates and {positives:N0} resumes: the resume model needs both resumed and unresumed titles");
    }

    private static long ToMs(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    /// <summary>Solves a small symmetric positive definite system in place (the Newton step).</summary>
    private static class Cholesky
    {
        public static void Solve(double[] a, double[] b, double[] x, int n)
        {
            var l = new double[n * n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double sum = a[i * n + j];
                    for (int k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
                    if (i == j) l[i * n + i] = Math.Sqrt(Math.Max(sum, 1e-12));
                    else l[i * n + j] = sum / l[j * n + j];
                }
            }
            for (int i = 0; i < n; i++)
            {
                double sum = b[i];
                for (int k = 0; k < i; k++) sum -= l[i * n + k] * x[k];
                x[i] = sum / l[i * n + i];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double sum = x[i];
                for (int k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
                x[i] = sum / l[i * n + i];
            }
        }
    }
}

/// <summary>The data is too short or too uniform to learn a resume model from (a training and a validation cut, each with resumes and titles left).</summary>
public sealed class InsufficientResumeDataException(string message) : ArgumentException(message);
