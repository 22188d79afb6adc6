using System.Numerics.Tensors;
using Encore.Core;

namespace Encore.Analytics.Audience;

/// <summary>
/// Predicts the audience of a title not yet made. A ridge regression (<see cref="RidgeRegression"/>) maps a title's
/// metadata (<see cref="TitleFeatureSpace"/>) into the factor model's title space, fitted on the factors of the titles
/// the model was trained on (and, as one more output, the share of each title's starters who finished it). A proposed
/// title's predicted factors (blended with those of the titles it resembles) score every member; the scores become
/// probabilities of starting it through a calibration learned by cross-validation over the training titles (each
/// title's factors predicted by a regression that never saw it, against who actually began it), and the spread of those
/// titles' actual audiences around their predictions gives the uncertainty range. The ridge penalty is chosen on the
/// same folds. Nothing here looks at the titles being predicted.
/// </summary>
public sealed class AudienceModel
{
    private readonly AudienceData _data;
    private readonly RidgeRegression _regression;
    private readonly IsotonicCalibration _size, _rank; // probabilities for the expected audience; propensities members are ranked by
    private readonly bool _sizeByGenre, _rankByGenre; // whether each calibration groups members by their starts in the title's genres
    private readonly GenreCounts _genres;
    private readonly int[] _taste; // each member's taste cluster
    private readonly string[] _tasteNames;
    private readonly int[] _memberGenre; // each member's most-begun genre (-1: none)
    private readonly string[] _genreNames;

    private AudienceModel(AudienceData data, TitleFeatureSpace space, RidgeRegression regression, AudienceOptions options,
        GenreCounts genres, (IsotonicCalibration Calibration, bool ByGenre) size, (IsotonicCalibration Calibration, bool ByGenre) rank, AudienceFitReport report, int[] taste, string[] tasteNames, int[] memberGenre, string[] genreNames)
    {
        _data = data;
        Space = space;
        _regression = regression;
        Options = options;
        _genres = genres;
        (_size, _sizeByGenre) = size;
        (_rank, _rankByGenre) = rank;
        Report = report;
        _taste = taste;
        _tasteNames = tasteNames;
        _memberGenre = memberGenre;
        _genreNames = genreNames;
    }

    public AudienceData Data => _data;
    public TitleFeatureSpace Space { get; }
    public AudienceOptions Options { get; }
    /// <summary>The penalty chosen and the cross-validated figures on the training titles.</summary>
    public AudienceFitReport Report { get; }

    /// <summary>Fits the metadata regression, the calibration and the segments on <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than 10 titles with metadata and an audience to learn from.</exception>
    public static AudienceModel Fit(AudienceData data, AudienceOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new AudienceOptions();
        options.Validate();
        data.Validate();
        int k = data.Factors, outputs = k + 1;
        var byTitle = data.StartedByTitle;
        var finished = data.FinishedByTitle;
        var known = new List<int>();
        for (int t = 0; t < data.TitleCount; t++)
            if (data.Titles[t] is not null && byTitle.RowLength(t) > 0) known.Add(t);
        if (known.Count < 10)
            throw new ArgumentException($"the audience model needs at least 10 titles with metadata that members began; the data has {known.Count}");
        var space = TitleFeatureSpace.Build(known.Select(t => data.Titles[t]), options.MinFeatureTitles);
        var rows = new (int[], float[])[known.Count];
        var targets = new double[known.Count * outputs];
        var starts = new double[known.Count];
        for (int i = 0; i < known.Count; i++)
        {
            int t = known[i];
            rows[i] = space.Encode(data.Titles[t]!);
            var y = data.TitleFactor(t);
            for (int c = 0; c < k; c++) targets[i * outputs + c] = y[c];
            starts[i] = byTitle.RowLength(t);
            targets[i * outputs + k] = finished is null ? 0 : finished.RowLength(t) / starts[i];
        }

        // Folds over the training titles (seeded): the penalty with the least held-out factor error.
        var fold = new int[known.Count];
        var rng = new Random(options.Seed);
        var order = Enumerable.Range(0, known.Count).ToArray();
        rng.Shuffle(order);
        for (int i = 0; i < order.Length; i++) fold[order[i]] = i % options.Folds;
        double bestError = double.PositiveInfinity, bestPenalty = options.Penalties[0];
        double[]? bestHeldOut = null;
        foreach (var penalty in options.Penalties)
        {
            ct.ThrowIfCancellationRequested();
            var heldOut = CrossPredict(rows, targets, fold, options.Folds, space.Count, outputs, penalty);
            double error = 0;
            for (int i = 0; i < known.Count; i++)
                for (int c = 0; c < k; c++) { double d = heldOut[i * outputs + c] - targets[i * outputs + c]; error += d * d; }
            error /= known.Count;
            if (error < bestError) { bestError = error; bestPenalty = penalty; bestHeldOut = heldOut; }
        }

        // Calibration: scores of every member for a sample of training titles, from factors predicted out of fold.
        var sample = order.Take(Math.Min(options.CalibrationTitles, known.Count)).ToArray();
        int members = data.Members;
        var scores = new float[(long)sample.Length * members];
        var vector = new float[k];
        for (int s = 0; s < sample.Length; s++)
        {
            for (int c = 0; c < k; c++) vector[c] = (float)bestHeldOut![sample[s] * outputs + c];
            ScoreAll(data, vector, scores.AsSpan(s * members, members));
        }
        // Two calibrations, each with and without grouping members by their starts in the title's genres; the expected
        // audience takes the one whose sizes rank the sample's actual audiences best, the ranking the one with the best Recall@100.
        var genres = GenreCounts.Count(data);
        var started = new bool[scores.Length];
        var groups = new byte[sample.Length][];
        for (int s = 0; s < sample.Length; s++)
        {
            foreach (int m in byTitle.RowColumns(known[sample[s]])) started[(long)s * members + m] = true;
            genres.Groups(data.Titles[known[sample[s]]]!, groups[s] = new byte[members]);
        }
        var plain = IsotonicCalibration.Fit(scores, started, null, 1, members);
        var byGenre = IsotonicCalibration.Fit(scores, started, groups, GenreCounts.GroupCount, members);
        var actual = new double[sample.Length];
        for (int s = 0; s < sample.Length; s++) actual[s] = starts[sample[s]];
        (double Spearman, double Recall, double[] Predicted) Check(IsotonicCalibration c, bool grouped)
        {
            var predicted = new double[sample.Length];
            double recall = 0;
            int withViewers = 0;
            var keys = new float[members];
            var top = new int[Math.Min(100, members)];
            for (int s = 0; s < sample.Length; s++)
            {
                var span = scores.AsSpan(s * members, members);
                for (int m = 0; m < members; m++)
                {
                    double p = c.Rate(grouped ? groups[s][m] : 0, span[m]);
                    predicted[s] += p;
                    keys[m] = (float)p + 1e-6f * span[m];
                }
                if (actual[s] == 0) continue;
                int found = Encore.Models.TopN.Select(keys, top.Length, top);
                int hits = 0;
                for (int i = 0; i < found; i++) if (started[(long)s * members + top[i]]) hits++;
                recall += hits / Math.Min(top.Length, actual[s]);
                withViewers++;
            }
            return (RankCorrelation.Spearman(predicted, actual), withViewers == 0 ? 0 : recall / withViewers, predicted);
        }
        var plainCheck = Check(plain, false);
        var genreCheck = Check(byGenre, true);
        bool sizeByGenre = genreCheck.Spearman > plainCheck.Spearman, rankByGenre = genreCheck.Recall > plainCheck.Recall;
        var predicted = sizeByGenre ? genreCheck.Predicted : plainCheck.Predicted;
        var logRatio = new double[sample.Length];
        for (int s = 0; s < sample.Length; s++) logRatio[s] = Math.Log((actual[s] + 1) / (predicted[s] + 1));
        Array.Sort(logRatio);
        double low = Quantile(logRatio, (1 - options.RangeCoverage) / 2), high = Quantile(logRatio, (1 + options.RangeCoverage) / 2);
        var report = new AudienceFitReport(known.Count, space.Count, bestPenalty, bestError, RankCorrelation.Spearman(predicted, actual), low, high)
        {
            SizeByGenre = sizeByGenre, RankByGenre = rankByGenre, RecallAt100 = rankByGenre ? genreCheck.Recall : plainCheck.Recall,
        };

        var regression = RidgeRegression.Fit(rows, targets, space.Count, outputs, bestPenalty);
        var (taste, tasteNames, memberGenre, genreNames) = Segments(data, genres, options, ct);
        return new AudienceModel(data, space, regression, options, genres, (sizeByGenre ? byGenre : plain, sizeByGenre), (rankByGenre ? byGenre : plain, rankByGenre), report, taste, tasteNames, memberGenre, genreNames);
    }

    /// <summary>The title's predicted factors (length <see cref="AudienceData.Factors"/>) and finish share from its metadata alone.</summary>
    public (float[] Factors, double FinishShare) PredictFactors(Title metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var (idx, val) = Space.Encode(metadata);
        var result = new double[_regression.Outputs];
        _regression.Predict(idx, val, result);
        var f = new float[_data.Factors];
        for (int c = 0; c < f.Length; c++) f[c] = (float)result[c];
        return (f, Math.Clamp(result[^1], 0, 1));
    }

    /// <summary>
    /// The vector that scores members for <paramref name="proposal"/>: its metadata's predicted factors, blended (by
    /// <see cref="AudienceOptions.ResemblanceWeight"/>) with the mean factors of the titles it resembles and its original.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A resembled title or the original is not one of the model's titles (the message names it).</exception>
    public (float[] Vector, double FinishShare, IReadOnlyList<string> Blended) TitleVector(ProposedTitle proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var (vector, finishShare) = PredictFactors(proposal.Metadata);
        var blended = new List<string>();
        foreach (var id in proposal.Resembles.Append(proposal.Original))
        {
            if (id is null || blended.Contains(id)) continue;
            if (!_data.TitleIds.TryGetIndex(id, out _)) throw new KeyNotFoundException($"title '{UnicodeText.Clip(id)}' is not in the model's catalogue");
            blended.Add(id);
        }
        if (blended.Count > 0)
        {
            var mean = new float[vector.Length];
            foreach (var id in blended) TensorPrimitives.Add(mean, _data.TitleFactor(_data.TitleIds.IndexOf(id)), mean);
            TensorPrimitives.Multiply(mean, (float)(Options.ResemblanceWeight / blended.Count), mean);
            TensorPrimitives.Multiply(vector, (float)(1 - Options.ResemblanceWeight), vector);
            TensorPrimitives.Add(vector, mean, vector);
        }
        return (vector, finishShare, blended);
    }

    /// <summary>Every member's score for a title vector (length <see cref="AudienceData.Factors"/>).</summary>
    public void Score(ReadOnlySpan<float> vector, Span<float> scores) => ScoreAll(_data, vector, scores);

    /// <summary>A title's audience as the model sees it: every member's score, calibrated probability of starting it and ranking key, and the expected starters.</summary>
    /// <param name="Keys">What members are ranked by: a calibrated propensity, ties broken by the raw score.</param>
    public sealed record TitleScores(float[] Scores, double[] Probabilities, float[] Keys, double Expected);

    /// <summary>
    /// Scores every member for a title vector and calibrates the scores into probabilities of starting the title (and the
    /// keys members are ranked by), grouping members by their starts in <paramref name="metadata"/>'s genres where the
    /// calibration chosen on the training titles does.
    /// </summary>
    public TitleScores Evaluate(Title metadata, ReadOnlySpan<float> vector)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        int members = _data.Members;
        var scores = new float[members];
        Score(vector, scores);
        var groups = new byte[members];
        _genres.Groups(metadata, groups);
        var probability = new double[members];
        var keys = new float[members];
        double expected = 0;
        for (int m = 0; m < members; m++)
        {
            expected += probability[m] = _size.Rate(_sizeByGenre ? groups[m] : 0, scores[m]);
            keys[m] = (float)_rank.Rate(_rankByGenre ? groups[m] : 0, scores[m]) + 1e-6f * scores[m];
        }
        return new TitleScores(scores, probability, keys, expected);
    }

    /// <summary>The uncertainty range around an expected count, from the held-out titles' spread.</summary>
    public AudienceEstimate Range(double expected) =>
        new(expected, Math.Max(0, (expected + 1) * Math.Exp(Report.RangeLow) - 1), Math.Min(_data.Members, (expected + 1) * Math.Exp(Report.RangeHigh) - 1));

    /// <summary>The predicted audience of a proposed title: starts and finishes with ranges, the likeliest members, segments and overlaps.</summary>
    public AudiencePrediction Predict(ProposedTitle proposal, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var (vector, finishShare, blended) = TitleVector(proposal);
        int members = _data.Members;
        var evaluated = Evaluate(proposal.Metadata, vector);
        ct.ThrowIfCancellationRequested();
        var (scores, probability, keys, expected) = (evaluated.Scores, evaluated.Probabilities, evaluated.Keys, evaluated.Expected);
        var starts = Range(expected);
        var finishes = new AudienceEstimate(starts.Expected * finishShare, starts.Low * finishShare, starts.High * finishShare);

        int top = Math.Min(Options.TopMembers, members);
        var topIdx = new int[top];
        var topScores = new float[top];
        int found = Encore.Models.TopN.Select(keys, top, topIdx, topScores);
        var topMembers = new AudienceMember[found];
        for (int i = 0; i < found; i++) topMembers[i] = new AudienceMember(_data.MemberIds[topIdx[i]], scores[topIdx[i]], probability[topIdx[i]]);

        var segments = new List<AudienceSegment>();
        AddSegments(segments, SegmentKind.Taste, _taste, _tasteNames, probability, expected);
        if (_data.MemberDevices is { } devices)
        {
            var of = new int[members];
            for (int m = 0; m < members; m++) of[m] = devices[m] is { } d ? (int)d : -1;
            AddSegments(segments, SegmentKind.Device, of, Enum.GetNames<DeviceKind>().Select(n => n.ToLowerInvariant()).ToArray(), probability, expected);
        }
        AddSegments(segments, SegmentKind.Genre, _memberGenre, _genreNames, probability, expected);
        var overlap = Overlap(proposal, probability);
        return new AudiencePrediction(proposal.Metadata.Name, members, starts, finishes, finishShare, topMembers, segments, overlap,
            Space.Unknown(proposal.Metadata), blended);
    }

    private static void AddSegments(List<AudienceSegment> into, SegmentKind kind, int[] of, string[] names, double[] probability, double expected)
    {
        var size = new int[names.Length];
        var sum = new double[names.Length];
        int assigned = 0;
        for (int m = 0; m < of.Length; m++)
        {
            if (of[m] < 0) continue;
            size[of[m]]++;
            sum[of[m]] += probability[m];
            assigned++;
        }
        var list = new List<AudienceSegment>();
        for (int s = 0; s < names.Length; s++)
        {
            if (size[s] == 0) continue;
            double share = expected > 0 ? sum[s] / expected : 0;
            double base_ = (double)size[s] / Math.Max(1, assigned);
            list.Add(new AudienceSegment(kind, names[s], size[s], sum[s], share, base_ > 0 ? share / base_ : 0));
        }
        list.Sort((a, b) => b.ExpectedStarts.CompareTo(a.ExpectedStarts));
        into.AddRange(list);
    }

    /// <summary>The existing audiences (director's finishers, lead actor's viewers, the original's viewers), their sizes and overlaps.</summary>
    private AudienceOverlap Overlap(ProposedTitle proposal, double[] probability)
    {
        var meta = proposal.Metadata;
        var audiences = new List<(ExistingAudience Info, bool[] In)>();
        var finished = _data.FinishedByTitle ?? _data.StartedByTitle;
        foreach (var director in meta.Directors)
        {
            string key = TitleFeatureSpace.Key(director);
            var titles = Matching(t => t.Directors.Any(d => TitleFeatureSpace.Key(d) == key));
            audiences.Add(Audience(ExistingAudienceKind.Director, $"finished {director}'s titles", titles, finished, probability));
        }
        if (meta.Cast.Count > 0)
        {
            string key = TitleFeatureSpace.Key(meta.Cast[0]);
            var titles = Matching(t => t.Cast.Any(c => TitleFeatureSpace.Key(c) == key));
            audiences.Add(Audience(ExistingAudienceKind.LeadActor, $"watched {meta.Cast[0]}'s titles", titles, _data.StartedByTitle, probability));
        }
        if (proposal.Original is { } original && _data.TitleIds.TryGetIndex(original, out int o))
            audiences.Add(Audience(ExistingAudienceKind.Original, $"watched the original ({_data.Titles[o]?.Name ?? original})", [o], _data.StartedByTitle, probability));

        var pairs = new List<AudiencePairOverlap>();
        for (int a = 0; a < audiences.Count; a++)
            for (int b = a + 1; b < audiences.Count; b++)
            {
                int both = 0, either = 0;
                for (int m = 0; m < probability.Length; m++)
                {
                    bool x = audiences[a].In[m], y = audiences[b].In[m];
                    if (x && y) both++;
                    if (x || y) either++;
                }
                pairs.Add(new AudiencePairOverlap(audiences[a].Info.Label, audiences[b].Info.Label, both, either == 0 ? 0 : (double)both / either));
            }
        int inAll = 0;
        if (audiences.Count > 0)
            for (int m = 0; m < probability.Length; m++)
            {
                bool all = true;
                foreach (var (_, set) in audiences) all &= set[m];
                if (all) inAll++;
            }
        return new AudienceOverlap(audiences.Select(a => a.Info).ToList(), pairs, inAll);
    }

    private List<int> Matching(Func<Title, bool> predicate)
    {
        var titles = new List<int>();
        for (int t = 0; t < _data.TitleCount; t++)
            if (_data.Titles[t] is { } title && predicate(title)) titles.Add(t);
        return titles;
    }

    private (ExistingAudience, bool[]) Audience(ExistingAudienceKind kind, string label, List<int> titles, InteractionMatrix byTitle, double[] probability)
    {
        var set = new bool[probability.Length];
        int size = 0;
        double expected = 0;
        foreach (int t in titles)
            foreach (int m in byTitle.RowColumns(t))
                if (!set[m]) { set[m] = true; size++; expected += probability[m]; }
        return (new ExistingAudience(kind, label, titles.Select(t => _data.TitleIds[t]).ToList(), size, expected), set);
    }

    internal static void ScoreAll(AudienceData data, ReadOnlySpan<float> vector, Span<float> scores)
    {
        var v = vector[..data.Factors].ToArray();
        var x = data.MemberFactors;
        int stride = data.Factors == 0 ? 0 : data.Stride, k = data.Factors, members = data.Members;
        var result = new float[members];
        Parallel.For(0, (members + 255) / 256, block =>
        {
            int end = Math.Min(members, (block + 1) * 256);
            for (int m = block * 256; m < end; m++) result[m] = TensorPrimitives.Dot(x.AsSpan(m * stride, k), v);
        });
        result.CopyTo(scores);
    }

    /// <summary>Held-out predictions of every row's targets: each fold predicted by a regression fitted on the others.</summary>
    internal static double[] CrossPredict((int[], float[])[] rows, double[] targets, int[] fold, int folds, int features, int outputs, double penalty)
    {
        var heldOut = new double[targets.Length];
        Parallel.For(0, folds, f =>
        {
            var trainRows = new List<(int[], float[])>();
            var trainTargets = new List<double>();
            for (int i = 0; i < rows.Length; i++)
            {
                if (fold[i] == f) continue;
                trainRows.Add(rows[i]);
                for (int o = 0; o < outputs; o++) trainTargets.Add(targets[i * outputs + o]);
            }
            var r = RidgeRegression.Fit(trainRows, trainTargets.ToArray(), features, outputs, penalty);
            for (int i = 0; i < rows.Length; i++)
                if (fold[i] == f) r.Predict(rows[i].Item1, rows[i].Item2, heldOut.AsSpan(i * outputs, outputs));
        });
        return heldOut;
    }

    private static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0) return 0;
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Taste clusters (k-means over the member factors) named by their most over-represented genre, and each member's top genre.</summary>
    private static (int[] Taste, string[] TasteNames, int[] MemberGenre, string[] GenreNames) Segments(AudienceData data, GenreCounts genres,
        AudienceOptions options, CancellationToken ct)
    {
        int members = data.Members, gc = genres.Names.Length;
        var memberGenreCounts = genres.Counts;
        var genreNames = genres.Names;
        var memberGenre = new int[members];
        for (int m = 0; m < members; m++)
        {
            int best = -1, most = 0;
            for (int g = 0; g < gc; g++) if (memberGenreCounts[m * gc + g] > most) { most = memberGenreCounts[m * gc + g]; best = g; }
            memberGenre[m] = best;
        }
        var taste = TasteClusters.Assign(data, Math.Min(options.TasteClusters, Math.Max(1, members)), options.Seed, ct);
        int clusters = taste.Length == 0 ? 0 : taste.Max() + 1;
        var names = new string[clusters];
        var total = new double[Math.Max(1, gc)];
        var perCluster = new double[clusters * Math.Max(1, gc)];
        for (int m = 0; m < members; m++)
            for (int g = 0; g < gc; g++)
            {
                total[g] += memberGenreCounts[m * gc + g];
                perCluster[taste[m] * gc + g] += memberGenreCounts[m * gc + g];
            }
        double all = total.Sum();
        for (int c = 0; c < clusters; c++)
        {
            double sum = 0;
            for (int g = 0; g < gc; g++) sum += perCluster[c * gc + g];
            var ranked = Enumerable.Range(0, gc).Where(g => total[g] > 0 && perCluster[c * gc + g] > 0)
                .OrderByDescending(g => perCluster[c * gc + g] / Math.Max(1, sum) / (total[g] / all)).Take(2).Select(g => genreNames[g]);
            var label = string.Join("+", ranked);
            names[c] = $"taste {c + 1}" + (label.Length > 0 ? $" ({label})" : "");
        }
        return (taste, names, memberGenre, genreNames);
    }

    /// <summary>
    /// Each member's starts per genre, and the calibration's groups: a member's starts among titles of a title's genres
    /// (summed over its genres) in doubling buckets 0, 1, 2-3, 4-7, ..., 256+.
    /// </summary>
    private sealed class GenreCounts
    {
        public const int GroupCount = 10;
        public required Dictionary<string, int> Index { get; init; }
        public required string[] Names { get; init; }
        /// <summary>Members x genres.</summary>
        public required int[] Counts { get; init; }

        public static GenreCounts Count(AudienceData data)
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            var names = new List<string>();
            var titleGenres = new int[data.TitleCount][];
            for (int t = 0; t < data.TitleCount; t++)
            {
                var genres = data.Titles[t]?.Genres ?? [];
                titleGenres[t] = new int[genres.Count];
                for (int g = 0; g < genres.Count; g++)
                {
                    string key = TitleFeatureSpace.Key(genres[g]);
                    if (!index.TryGetValue(key, out int gi)) { index[key] = gi = names.Count; names.Add(key); }
                    titleGenres[t][g] = gi;
                }
            }
            int gc = names.Count;
            var counts = new int[data.Members * gc];
            for (int m = 0; m < data.Members; m++)
                foreach (int t in data.Started.RowColumns(m))
                    foreach (int g in titleGenres[t]) counts[m * gc + g]++;
            return new GenreCounts { Index = index, Names = names.ToArray(), Counts = counts };
        }

        /// <summary>Each member's group for <paramref name="title"/>: the doubling bucket of their starts in its genres.</summary>
        public void Groups(Title title, Span<byte> groups)
        {
            int gc = Names.Length;
            Span<int> genres = stackalloc int[Math.Min(64, title.Genres.Count)];
            int n = 0;
            foreach (var g in title.Genres)
                if (n < genres.Length && Index.TryGetValue(TitleFeatureSpace.Key(g), out int gi) && genres[..n].IndexOf(gi) < 0) genres[n++] = gi;
            for (int m = 0; m < groups.Length; m++)
            {
                int c = 0;
                for (int i = 0; i < n; i++) c += Counts[m * gc + genres[i]];
                groups[m] = (byte)(c == 0 ? 0 : Math.Min(GroupCount - 1, 1 + System.Numerics.BitOperations.Log2((uint)c)));
            }
        }
    }
}
