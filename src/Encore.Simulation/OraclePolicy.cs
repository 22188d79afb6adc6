namespace Encore.Simulation;

/// <summary>
/// A homepage that knows each member's hidden utility: the upper bound a recommender can approach. Used to
/// check that a better policy leads to more hours watched, and as the ceiling in experiments.
/// </summary>
internal sealed class OraclePolicy(SimCatalogue catalogue, GroundTruth truth, double exploration = 0.10)
    : ScoredPolicy(catalogue, exploration)
{
    public override string Name => "oracle";

    protected override void Score(scoped in PageRequest request, Span<float> scores) => truth.Utilities(request.Member, scores);
}
