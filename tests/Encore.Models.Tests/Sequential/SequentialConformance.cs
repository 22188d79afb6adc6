namespace Encore.Models.Tests.Sequential;

/// <summary>The shared model contract, with separate EASE solves for top-N and similar titles.</summary>
public sealed class SequentialConformance : RecommenderConformance
{
    protected override string Model => "sequential";

    protected override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["lambda"] = "5", ["similar-lambda"] = "20", ["window"] = "4", ["similar-window"] = "2", ["transition-weight"] = "0.5",
    };

    protected override TrainingWeights FoldInWeights => TrainingWeights.None;
}

/// <summary>The shared model contract with one EASE for both parts and one transition matrix.</summary>
public sealed class SequentialSharedConformance : RecommenderConformance
{
    protected override string Model => "sequential";

    protected override IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["lambda"] = "5", ["similar-lambda"] = "0", ["window"] = "3", ["similar-window"] = "3", ["decay"] = "0.5", ["similar-decay"] = "0.5",
    };

    protected override TrainingWeights FoldInWeights => TrainingWeights.None;
}
