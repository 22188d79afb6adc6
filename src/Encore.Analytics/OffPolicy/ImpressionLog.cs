using Encore.Core;
using Encore.Storage;

namespace Encore.Analytics.OffPolicy;

/// <summary>
/// The impressions of a store with their logged propensities and whether each was taken (the title played from it),
/// struct-of-arrays in (member, session, row, position) order. A take is a play start of the impression's title in the
/// same session at the impression's instant (the simulator and the API log a homepage play that way); the row
/// "continue-watching" and "watch-again" rows, which no policy chooses, are left out.
/// </summary>
public sealed class ImpressionLog
{
    /// <summary>Rows the page policy does not choose (their propensity is 1 and they are not the policy's to change).</summary>
    public static readonly IReadOnlySet<string> FixedRows = new HashSet<string>(StringComparer.Ordinal) { "continue-watching", "watch-again" };

    internal ImpressionLog(string[] members, string[] titles, string[] rows, int[] member, int[] session, int[] row, int[] position, int[] title, double[] propensity, double[] taken, int skipped)
    {
        MemberIds = members;
        TitleIds = titles;
        RowNames = rows;
        Member = member;
        Session = session;
        Row = row;
        Position = position;
        Title = title;
        Propensity = propensity;
        Taken = taken;
        SkippedWithoutPropensity = skipped;
    }

    public int Count => Title.Length;
    public string[] MemberIds { get; }
    public string[] TitleIds { get; }
    public string[] RowNames { get; }
    public int[] Member { get; }
    /// <summary>Dense session index (sessions of the log, in order).</summary>
    public int[] Session { get; }
    public int[] Row { get; }
    public int[] Position { get; }
    public int[] Title { get; }
    public double[] Propensity { get; }
    /// <summary>1 when the title was played from this impression, else 0.</summary>
    public double[] Taken { get; }
    /// <summary>Impressions left out because they carry no propensity (logged by a client that does not send one).</summary>
    public int SkippedWithoutPropensity { get; }

    /// <summary>Reads the impressions in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) and the play starts that took them.</summary>
    public static async Task<ImpressionLog> ReadAsync(IEventStore store, DateTime? fromUtc = null, DateTime? toUtc = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var plays = new HashSet<(string Session, string Title, long Ms)>();
        var raw = new List<(string Member, string Session, string Row, int Position, string Title, double Propensity, long Ms, long Order)>();
        int skipped = 0;
        long order = 0;
        var query = new EventQuery { Kinds = [EventKind.Impression, EventKind.PlayStart, EventKind.Replay], FromUtc = fromUtc, ToUtc = toUtc };
        await foreach (var e in store.ReadEventsAsync(query, ct).ConfigureAwait(false))
        {
            if (e.TitleId is null) continue;
            long ms = new DateTimeOffset(e.TimestampUtc).ToUnixTimeMilliseconds();
            if (e.Kind != EventKind.Impression)
            {
                plays.Add((e.SessionId, e.TitleId, ms));
                continue;
            }
            if (e.Row is { } rowName && FixedRows.Contains(rowName)) continue;
            if (e.Propensity is not { } p || !(p > 0 && p <= 1)) { skipped++; continue; }
            raw.Add((e.MemberId, e.SessionId, e.Row ?? "", e.RowPosition ?? 0, e.TitleId, p, ms, order++));
        }
        raw.Sort((a, b) =>
        {
            int c = string.CompareOrdinal(a.Member, b.Member);
            if (c != 0) return c;
            c = string.CompareOrdinal(a.Session, b.Session);
            if (c != 0) return c;
            return a.Order.CompareTo(b.Order);
        });
        var memberIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var sessionIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var titleIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var rowIds = new Dictionary<string, int>(StringComparer.Ordinal);
        int n = raw.Count;
        var member = new int[n];
        var session = new int[n];
        var row = new int[n];
        var position = new int[n];
        var title = new int[n];
        var propensity = new double[n];
        var taken = new double[n];
        for (int i = 0; i < n; i++)
        {
            var r = raw[i];
            member[i] = Index(memberIds, r.Member);
            session[i] = Index(sessionIds, r.Session);
            row[i] = Index(rowIds, r.Row);
            position[i] = r.Position;
            title[i] = Index(titleIds, r.Title);
            propensity[i] = r.Propensity;
            taken[i] = plays.Contains((r.Session, r.Title, r.Ms)) ? 1 : 0;
        }
        return new ImpressionLog(Keys(memberIds), Keys(titleIds), Keys(rowIds), member, session, row, position, title, propensity, taken, skipped);
    }

    private static int Index(Dictionary<string, int> map, string key)
    {
        if (!map.TryGetValue(key, out int i)) map[key] = i = map.Count;
        return i;
    }

    private static string[] Keys(Dictionary<string, int> map)
    {
        var keys = new string[map.Count];
        foreach (var (k, v) in map) keys[v] = k;
        return keys;
    }
}

/// <summary>
/// A campaign as a target policy over logged impressions: in every slot of the rows it applies to, with probability
/// <see cref="Share"/> it shows one of its titles (uniformly), otherwise what the logging policy would have shown:
/// π(a|x) = (1 − q) π0(a|x) + q [a ∈ S]/|S|. Its importance weight needs only the logged propensity:
/// w = (1 − q) + q [a ∈ S] / (|S| π0(a|x)).
/// </summary>
internal sealed record CampaignPolicy(string Name, IReadOnlySet<string> Titles, double Share)
{
    /// <summary>Rows the campaign applies to (null: every policy row).</summary>
    public IReadOnlySet<string>? Rows { get; init; }

    /// <summary>The bandit log for estimating this campaign's take rate per impression from <paramref name="log"/>.</summary>
    public BanditLog ToBanditLog(ImpressionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (Share is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(Share), Share, $"campaign '{Name}': the share of slots must be within (0, 1]");
        if (Titles.Count == 0) throw new ArgumentException($"campaign '{Name}' has no titles");
        if (log.Count == 0) throw new ArgumentException("the store has no impressions with propensities to estimate from");
        // Campaign titles the log never shows still take their share of the target (as unseen actions).
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int t = 0; t < log.TitleIds.Length; t++) index[log.TitleIds[t]] = t;
        var campaign = new List<int>();
        int next = log.TitleIds.Length;
        foreach (string id in Titles) campaign.Add(index.TryGetValue(id, out int t) ? t : next++);
        campaign.Sort();
        var isCampaign = new bool[next];
        foreach (int t in campaign) isCampaign[t] = true;
        var rowApplies = new bool[log.RowNames.Length];
        for (int r = 0; r < rowApplies.Length; r++) rowApplies[r] = Rows is null || Rows.Contains(log.RowNames[r]);

        var builder = new BanditLogBuilder();
        int sizeS = campaign.Count;
        var actions = new int[sizeS + 1];
        var weights = new double[sizeS + 1];
        int slate = 0;
        for (int i = 0; i < log.Count; i++)
        {
            int a = log.Title[i];
            double p0 = log.Propensity[i];
            // A slate is one row looked at in one session (records of a session are contiguous, rows in the order looked at).
            if (i > 0 && (log.Session[i] != log.Session[i - 1] || log.Row[i] != log.Row[i - 1])) slate++;
            if (!rowApplies[log.Row[i]])
            {
                builder.Add(log.Member[i], slate, a, p0, log.Taken[i], p0);
                continue;
            }
            double target = (1 - Share) * p0 + (isCampaign[a] ? Share / sizeS : 0);
            // The direct method's distribution: the logged action stands for the logging policy's part (an unbiased sample of it).
            actions[0] = a;
            weights[0] = 1 - Share;
            for (int k = 0; k < sizeS; k++) { actions[k + 1] = campaign[k]; weights[k + 1] = Share / sizeS; }
            builder.Add(log.Member[i], slate, a, p0, log.Taken[i], Math.Min(1, target), actions, weights);
        }
        return builder.Build();
    }
}
