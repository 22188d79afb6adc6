using System.Globalization;
using Encore.Core;
using Encore.Models.Ials;
using Encore.Storage;

namespace Encore.Analytics.Audience;

/// <summary>Loading the audience model for a store, and its results as text.</summary>
public static class AudienceReport
{
    /// <summary>
    /// The audience model of <paramref name="store"/> under its trained iALS <paramref name="model"/>: who began and finished
    /// each title (through the signals), the metadata regression and calibrations fitted on them.
    /// </summary>
    /// <exception cref="ArgumentException">The store holds no events, or too few titles with metadata and viewers.</exception>
    public static async Task<AudienceModel> FitAsync(IEventStore store, IalsRecommender model, AudienceOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(model);
        var stats = await store.GetStatisticsAsync(ct).ConfigureAwait(false);
        if (stats.Events == 0) throw new ArgumentException($"the store at {store.Location} holds no events: there is no audience to learn from");
        var data = await AudienceData.LoadAsync(store, model, ct: ct).ConfigureAwait(false);
        return AudienceModel.Fit(data, options, ct);
    }

    /// <summary>The genres of <paramref name="model"/>'s catalogue a proposed title names but no title carries (each in the catalogue's spelling otherwise).</summary>
    public static IReadOnlyList<string> UnknownGenres(AudienceModel model, IEnumerable<string> genres)
    {
        ArgumentNullException.ThrowIfNull(model);
        var known = new HashSet<string>(Targeting.MemberTargeting.KnownGenres(model.Data), StringComparer.Ordinal);
        return genres.Where(g => !known.Contains(TitleFeatureSpace.Key(g))).ToList();
    }

    /// <summary>The prediction as lines of text.</summary>
    public static IEnumerable<string> Describe(AudiencePrediction p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"Predicted audience of \"{p.Name}\" among {p.Members:N0} members:");
        yield return string.Create(c, $"  start:  {p.Starts.Expected:N0} (range {p.Starts.Low:N0} to {p.Starts.High:N0})");
        yield return string.Create(c, $"  finish: {p.Finishes.Expected:N0} (range {p.Finishes.Low:N0} to {p.Finishes.High:N0}; {p.FinishShare:P0} of starters)");
        if (p.Blended.Count > 0) yield return $"  blended with: {string.Join(", ", p.Blended)}";
        if (p.UnknownFeatures.Count > 0) yield return $"  not used (seen on too few titles): {string.Join(", ", p.UnknownFeatures)}";
        yield return "Members most likely to watch:";
        foreach (var m in p.TopMembers) yield return string.Create(c, $"  {m.MemberId}  p={m.Probability:F3}  score={m.Score:F3}");
        foreach (var kind in Enum.GetValues<SegmentKind>())
        {
            var segments = p.Segments.Where(s => s.Kind == kind).Take(5).ToList();
            if (segments.Count == 0) continue;
            yield return $"By {kind.ToString().ToLowerInvariant()}:";
            foreach (var s in segments)
                yield return string.Create(c, $"  {s.Name}: {s.ExpectedStarts:N1} expected of {s.Members:N0} members ({s.Share:P0} of the audience, lift {s.Lift:F2})");
        }
        if (p.Overlap.Audiences.Count > 0)
        {
            yield return "Existing audiences it draws on:";
            foreach (var a in p.Overlap.Audiences)
                yield return string.Create(c, $"  {a.Label}: {a.Members:N0} members over {a.Titles.Count} title(s), {a.ExpectedStarts:N1} expected to start it");
            foreach (var o in p.Overlap.Pairs)
                yield return string.Create(c, $"  both \"{o.First}\" and \"{o.Second}\": {o.Both:N0} (Jaccard {o.Jaccard:F2})");
            if (p.Overlap.Audiences.Count > 2) yield return string.Create(c, $"  in all of them: {p.Overlap.InAll:N0}");
        }
    }

    /// <summary>A targeting report as lines of text.</summary>
    public static IEnumerable<string> Describe(Targeting.TargetingReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"Members most likely to respond to {r.Target} ({r.MatchingTitles.Count:N0} matching title(s); {r.Members:N0} members ranked, {r.Excluded:N0} left out who already began it):");
        foreach (var m in r.Top) yield return string.Create(c, $"  {m.MemberId}  decile {m.Decile}  p={m.Probability:F3}  score={m.Score:F3}");
        yield return string.Create(c, $"Expected response per decile (held-out check: trained before {r.Check.TrainedBeforeUtc:yyyy-MM-dd}, responses to {r.Check.HeldOutUntilUtc:yyyy-MM-dd}; {r.Check.Responders:N0} of {r.Check.Members:N0} responded, base rate {r.Check.BaseRate:P2}, AUC {r.Check.Auc:F3}):");
        yield return "  decile  members  expected rate  held-out responders  lift";
        foreach (var d in r.Deciles)
            yield return string.Create(c, $"  {d.Decile,6}  {d.Members,7:N0}  {d.ExpectedRate,13:P2}  {d.HeldOutResponders,19:N0}  {d.Lift,4:F2}");
    }
}
