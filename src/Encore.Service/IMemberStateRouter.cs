using Encore.Core;
using Encore.Ranking.Pages;

namespace Encore.Service;

/// <summary>
/// Where members' real-time state lives when it is not in this process alone: a cluster whose member grains hold each
/// member's signals (Encore.Cluster's front implements it). Attached with <see cref="EncoreService.AttachCluster"/>.
/// </summary>
public interface IMemberStateRouter
{
    /// <summary>Folds events already stored (stored now, or found stored before) into their members' state.</summary>
    Task FoldAsync(IReadOnlyList<ViewingEvent> events, CancellationToken ct = default);

    /// <summary>The member's page built where the member's state lives, with the cluster's active model (request time <c>default</c>: the serving node's clock).</summary>
    Task<Homepage> HomepageAsync(PageRequest request, CancellationToken ct = default);
}
