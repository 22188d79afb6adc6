using Encore.Core;
namespace Encore.Simulation;

/// <summary>The homepage policies a simulation can be run under by name (a fitted model plugs in through <see cref="RecommenderPolicy"/>).</summary>
public static class PolicyCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["popularity", "random", "oracle"];

    public static IHomepagePolicy Create(string name, SimulatedService service, double? exploration = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        double epsilon = exploration ?? service.Options.Calibration.PolicyExploration;
        return name.ToLowerInvariant() switch
        {
            "popularity" => new PopularityPolicy(epsilon),
            "random" => new RandomPolicy(),
            "oracle" => new OraclePolicy(service.Catalogue, service.Truth, epsilon),
            _ => throw new ArgumentException($"unknown policy {UnicodeText.Quote(name)}; known: {string.Join(", ", Names)}", nameof(name)),
        };
    }
}
