using System.Globalization;

namespace Encore.Evaluation.Ranking;

/// <summary>How a <see cref="RankingSplit"/> sends each member's positives to train or test.</summary>
public enum SplitKind
{
    /// <summary>P-TOPN: the latest max(1, round(0.2 n)) of each member with at least 5 positives, by (time, title id), go to test.</summary>
    Chronological,
    /// <summary>P-TOPN-R: the same counts, drawn at random per member (a seeded shuffle of the member's titles in id order).</summary>
    Random,
    /// <summary>A split made elsewhere: the data's train and test parts as given (<see cref="RankingData.IsGivenSplit"/>).</summary>
    Given,
}

/// <summary>A split rule and, for <see cref="SplitKind.Random"/>, its seed.</summary>
public sealed record SplitRule(SplitKind Kind, ulong Seed = SplitRule.DefaultSeed)
{
    /// <summary>The seed of P-TOPN-R unless one is given (stated with every result).</summary>
    public const ulong DefaultSeed = 1;

    public static SplitRule Chronological { get; } = new(SplitKind.Chronological);
    public static SplitRule Given { get; } = new(SplitKind.Given);
    public static SplitRule Random(ulong seed = DefaultSeed) => new(SplitKind.Random, seed);

    /// <summary>"chronological", "random", "given": the rule's name in reports.</summary>
    public string Name => Kind switch
    {
        SplitKind.Chronological => "chronological",
        SplitKind.Random => "random",
        _ => "given",
    };

    /// <summary>The rule in words, with the seed where it has one.</summary>
    public string Describe() => Kind switch
    {
        SplitKind.Chronological => "chronological per member (latest 20% to test)",
        SplitKind.Random => string.Create(CultureInfo.InvariantCulture, $"random per member (20% to test, seed {Seed})"),
        _ => "given (the train and test files as they are)",
    };
}
