using Encore.Core;
using Encore.Storage;

namespace Encore.Analytics.OffPolicy;

/// <summary>
/// A campaign to estimate before launch: its titles (by id, or every title of a genre), the share of slots it takes, the
/// rows it applies to, and the period of logged impressions to estimate from.
/// </summary>
public sealed record CampaignRequest
{
    /// <summary>The campaign's titles by id (exactly one of this and <see cref="Genre"/>).</summary>
    public IReadOnlyList<string>? Titles { get; init; }
    /// <summary>Every title of this genre (case-insensitive).</summary>
    public string? Genre { get; init; }
    /// <summary>Share of the slots the campaign takes, in (0, 1].</summary>
    public double Share { get; init; } = 0.2;
    /// <summary>Only these rows (null: every row the page policy chooses).</summary>
    public IReadOnlySet<string>? Rows { get; init; }
    public DateTime? FromUtc { get; init; }
    public DateTime? ToUtc { get; init; }
    /// <summary>Bootstrap resamples of members for the intervals.</summary>
    public int BootstrapSamples { get; init; } = 500;
}

/// <summary>A campaign's estimate: the policy it was read as, how many titles it names, and every estimator's value.</summary>
public sealed record CampaignEstimate(string Campaign, int Titles, double Share, IReadOnlyList<string>? Rows, PolicyValueEstimate Estimate);

/// <summary>
/// The one way from a store and a <see cref="CampaignRequest"/> to a <see cref="CampaignEstimate"/>, shared by
/// `encore campaign estimate` and the server. A request that cannot be estimated (no titles, no impressions with
/// propensities, a share out of range) is an <see cref="ArgumentException"/> whose message says why, in the user's terms.
/// </summary>
public static class CampaignEstimation
{
    public static async Task<CampaignEstimate> EstimateAsync(IEventStore store, CampaignRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        if ((request.Titles is null) == (request.Genre is null)) throw new ArgumentException("name the campaign's titles with exactly one of titles or genre");
        if (request.Share is not (> 0 and <= 1)) throw new ArgumentException($"share must be in (0, 1] (got {request.Share.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        if (request.BootstrapSamples is < 20 or > 100_000) throw new ArgumentException($"bootstrap must be in 20..100000 (got {request.BootstrapSamples})");
        if (request.FromUtc is { } f && request.ToUtc is { } t && t <= f) throw new ArgumentException($"to ({t:O}) must be after from ({f:O})");

        var titles = new HashSet<string>(StringComparer.Ordinal);
        if (request.Titles is not null)
        {
            foreach (var id in request.Titles)
                if (!string.IsNullOrWhiteSpace(id)) titles.Add(id.Trim());
            if (titles.Count == 0) throw new ArgumentException("titles names no title");
        }
        else
        {
            await foreach (var title in store.ReadTitlesAsync(ct))
                foreach (var g in title.Genres)
                    if (string.Equals(g, request.Genre, StringComparison.OrdinalIgnoreCase)) { titles.Add(title.Id); break; }
            if (titles.Count == 0) throw new ArgumentException($"genre {UnicodeText.Quote(request.Genre!)}: no title of the catalogue has that genre");
        }
        var log = await ImpressionLog.ReadAsync(store, request.FromUtc, request.ToUtc, ct);
        if (log.Count == 0)
            throw new ArgumentException($"no impressions with propensities in that period (impressions without one: {log.SkippedWithoutPropensity}); the logging policy must record them");
        var campaign = new CampaignPolicy(request.Titles is not null ? "titles" : "genre:" + request.Genre, titles, request.Share) { Rows = request.Rows };
        var estimate = PolicyValueEstimator.Estimate(campaign.ToBanditLog(log), new PolicyValueOptions { BootstrapSamples = request.BootstrapSamples });
        return new CampaignEstimate(campaign.Name, titles.Count, request.Share, request.Rows?.Order(StringComparer.Ordinal).ToList(), estimate);
    }
}
