using Encore.Core;
using Encore.Ranking;
using Encore.Ranking.Pages;
using Encore.Ranking.Search;

namespace Encore.Service;

/// <summary>
/// Where members' real-time state lives when it is not in this process alone: a cluster whose member grains hold each
/// member's signals (Encore.Cluster's front implements it). Attached with <see cref="EncoreService.AttachCluster"/>.
/// Every member-specific read goes there and is built by the same code as on a single node (<see cref="HomepageBuilder"/>,
/// <see cref="MemberReads"/>), so it is the single node's answer for the same events. A bad request fails with
/// <see cref="ArgumentException"/>, an unknown title with <see cref="KeyNotFoundException"/>, as <see cref="MemberReads"/> does.
/// </summary>
public interface IMemberStateRouter
{
    /// <summary>Folds events already stored (stored now, or found stored before) into their members' state.</summary>
    Task FoldAsync(IReadOnlyList<ViewingEvent> events, CancellationToken ct = default);

    /// <summary>The member's page built where the member's state lives, with the cluster's active model (request time <c>default</c>: the serving node's clock).</summary>
    Task<Homepage> HomepageAsync(PageRequest request, CancellationToken ct = default);

    /// <summary>The member's top titles (<see cref="MemberReads.TopN"/>) where the member's state lives, with the cluster's active model.</summary>
    Task<IReadOnlyList<RankedTitle>> TopNAsync(TopNRequest request, CancellationToken ct = default);

    /// <summary>Why a title is or is not on the member's page (<see cref="MemberReads.Explain"/>), where the member's state lives.</summary>
    Task<PageExplanation> ExplainAsync(ExplainRequest request, CancellationToken ct = default);

    /// <summary>The member's latest events and signals (<see cref="MemberReads.Timeline"/>), where the member's state lives.</summary>
    Task<MemberTimeline> TimelineAsync(TimelineRequest request, CancellationToken ct = default);

    /// <summary>A search ranked for the member (<see cref="MemberReads.Search"/>), where the member's state lives.</summary>
    Task<SearchResult> SearchAsync(MemberSearchRequest request, CancellationToken ct = default);

    /// <summary>
    /// Members whose profile changed in the store (created, given another maturity limit, removed): where each member's
    /// state lives, the profile is read again, so that every node's answers hold the member to it (and refuse a removed
    /// member, with <see cref="KeyNotFoundException"/>) at once.
    /// </summary>
    Task ProfilesChangedAsync(IReadOnlyList<string> memberIds, CancellationToken ct = default);

    /// <summary>
    /// Makes a registered version the cluster's active model: stored as <see cref="EncoreService.ActiveModelProperty"/>
    /// and switched at once for every node's pages (those asked for after this returns are built by it).
    /// </summary>
    Task ActivateAsync(string version, CancellationToken ct = default);
}
