using Encore.Core;
using Encore.Models.Ials;
using Encore.Signals;
using Encore.Storage;

namespace Encore.Analytics.Audience;

/// <summary>
/// What audience predictions and targeting start from: a factor model's member and title factors (rows padded to
/// <see cref="Stride"/> floats), every title's metadata (indexed like the model's titles), who began each title and who
/// finished it (member x title, from the signals), and each member's main device. Built from a store by
/// <see cref="LoadAsync"/>, or directly (backtests on data sets without a store).
/// </summary>
public sealed class AudienceData
{
    private InteractionMatrix? _startedByTitle, _finishedByTitle;

    public required IdMap MemberIds { get; init; }
    public required IdMap TitleIds { get; init; }
    /// <summary>Metadata of each title (null where the catalogue has none).</summary>
    public required IReadOnlyList<Title?> Titles { get; init; }
    /// <summary>Member factors, <see cref="Stride"/> floats per member (the first <see cref="Factors"/> used).</summary>
    public required float[] MemberFactors { get; init; }
    /// <summary>Title factors, <see cref="Stride"/> floats per title.</summary>
    public required float[] TitleFactors { get; init; }
    public required int Factors { get; init; }
    public required int Stride { get; init; }
    /// <summary>Who began each title (member x title; values unused).</summary>
    public required InteractionMatrix Started { get; init; }
    /// <summary>Who finished each title (member x title); null: finishing is not known (e.g. ratings data).</summary>
    public InteractionMatrix? Finished { get; init; }
    /// <summary>Each member's main device (the one most of their titles were played on), or null where unknown.</summary>
    public DeviceKind?[]? MemberDevices { get; init; }

    public int Members => MemberIds.Count;
    public int TitleCount => TitleIds.Count;

    public ReadOnlySpan<float> MemberFactor(int member) => MemberFactors.AsSpan(member * Stride, Factors);
    public ReadOnlySpan<float> TitleFactor(int title) => TitleFactors.AsSpan(title * Stride, Factors);

    /// <summary>Who began each title, title-major (title x member).</summary>
    public InteractionMatrix StartedByTitle => _startedByTitle ??= Started.Transpose();

    /// <summary>Who finished each title, title-major; null when unknown.</summary>
    public InteractionMatrix? FinishedByTitle => Finished is null ? null : _finishedByTitle ??= Finished.Transpose();

    /// <summary>Checks the shapes agree (a message naming what does not).</summary>
    public void Validate()
    {
        if (Factors < 1 || Stride < Factors) throw new ArgumentException($"factors {Factors} with stride {Stride}");
        if (MemberFactors.Length < (long)Members * Stride) throw new ArgumentException($"{MemberFactors.Length} member factor values for {Members} members of stride {Stride}");
        if (TitleFactors.Length < (long)TitleCount * Stride) throw new ArgumentException($"{TitleFactors.Length} title factor values for {TitleCount} titles of stride {Stride}");
        if (Titles.Count != TitleCount) throw new ArgumentException($"{Titles.Count} titles of metadata for {TitleCount} model titles");
        if (Started.Rows != Members || Started.Columns != TitleCount) throw new ArgumentException($"the started matrix is {Started.Rows} x {Started.Columns}, not {Members} x {TitleCount}");
        if (Finished is { } f && (f.Rows != Members || f.Columns != TitleCount)) throw new ArgumentException($"the finished matrix is {f.Rows} x {f.Columns}, not {Members} x {TitleCount}");
    }

    /// <summary>
    /// The audience data of <paramref name="store"/> under a trained iALS model: its factors, the catalogue's metadata, and
    /// who began and finished each title among the events before <paramref name="untilUtc"/> (all when null), read through
    /// the signals. Members and titles the model does not know (added after it was trained) are left out.
    /// </summary>
    public static async Task<AudienceData> LoadAsync(IEventStore store, IalsRecommender model, DateTime? untilUtc = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(model);
        var signals = await SignalSet.LoadAsync(store, query: new EventQuery { ToUtc = untilUtc }, ct: ct).ConfigureAwait(false);
        var byId = new Dictionary<string, Title>(StringComparer.Ordinal);
        await foreach (var t in store.ReadTitlesAsync(ct).ConfigureAwait(false)) byId[t.Id] = t;
        return FromSignals(signals, byId, model);
    }

    /// <summary>The audience data of folded <paramref name="signals"/> under <paramref name="model"/> (see <see cref="LoadAsync"/>).</summary>
    public static AudienceData FromSignals(SignalSet signals, IReadOnlyDictionary<string, Title> titles, IalsRecommender model)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(titles);
        ArgumentNullException.ThrowIfNull(model);
        var memberIds = model.MemberIds;
        var titleIds = model.TitleIds;
        // Signal indices to model indices (the same store gives the same dense indices; map by id all the same).
        var memberMap = Map(signals.MemberIds, memberIds);
        var titleMap = Map(signals.Catalogue.TitleIds, titleIds);
        var started = new InteractionMatrixBuilder(memberIds, titleIds);
        var finished = new InteractionMatrixBuilder(memberIds, titleIds);
        var deviceCounts = new int[memberIds.Count * 5];
        var cat = signals.Catalogue;
        foreach (var (m, t, s) in signals.AllPairs())
        {
            if ((uint)m >= (uint)memberMap.Length || (uint)t >= (uint)titleMap.Length) continue;
            int mm = memberMap[m], tt = titleMap[t];
            if (mm < 0 || tt < 0 || !s.Played) continue;
            started.Add(mm, tt, 1f);
            if (IsFinished(s, cat, t)) finished.Add(mm, tt, 1f);
            for (int d = 0; d < 5; d++) if ((s.Devices & (1 << d)) != 0) deviceCounts[mm * 5 + d]++;
        }
        var devices = new DeviceKind?[memberIds.Count];
        for (int m = 0; m < devices.Length; m++)
        {
            int best = -1, most = 0;
            for (int d = 0; d < 5; d++) if (deviceCounts[m * 5 + d] > most) { most = deviceCounts[m * 5 + d]; best = d; }
            devices[m] = best < 0 ? null : (DeviceKind)best;
        }
        var meta = new Title?[titleIds.Count];
        for (int t = 0; t < meta.Length; t++) meta[t] = titles.GetValueOrDefault(titleIds[t]);
        return FromModel(model, meta, started.Build(), finished.Build(), devices);
    }

    /// <summary>The audience data of a trained iALS model with the titles' metadata and who began and finished each (indexed like the model).</summary>
    public static AudienceData FromModel(IalsRecommender model, IReadOnlyList<Title?> titles, InteractionMatrix started, InteractionMatrix? finished,
        DeviceKind?[]? devices = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var memberIds = model.MemberIds;
        var titleIds = model.TitleIds;
        int kp = Encore.Models.Numerics.FactorKernels.Stride(model.Options.Factors);
        var x = new float[(long)memberIds.Count * kp];
        var y = new float[(long)titleIds.Count * kp];
        for (int m = 0; m < memberIds.Count; m++) model.MemberFactors(m).CopyTo(x.AsSpan(m * kp, kp));
        for (int t = 0; t < titleIds.Count; t++) model.TitleFactors(t).CopyTo(y.AsSpan(t * kp, kp));
        var data = new AudienceData
        {
            MemberIds = memberIds, TitleIds = titleIds, Titles = titles, MemberFactors = x, TitleFactors = y,
            Factors = model.Options.Factors, Stride = kp, Started = started, Finished = finished, MemberDevices = devices,
        };
        data.Validate();
        return data;
    }

    /// <summary>A film watched to the end (a completion), or a series whose episodes were mostly (80%) completed.</summary>
    public static bool IsFinished(in TitleSignals s, SignalCatalogue catalogue, int title)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        if (catalogue.Kinds[title] != TitleKind.Series) return s.Completions > 0;
        int episodes = catalogue.EpisodeCount[title];
        return episodes <= 0 ? s.Completions > 0 : s.EpisodesCompleted >= Math.Max(1, (int)Math.Ceiling(0.8 * episodes));
    }

    private static int[] Map(IdMap from, IdMap to)
    {
        var map = new int[from.Count];
        for (int i = 0; i < map.Length; i++)
            map[i] = i < to.Count && string.Equals(to[i], from[i], StringComparison.Ordinal) ? i : to.IndexOf(from[i]);
        return map;
    }
}
