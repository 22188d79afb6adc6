using Encore.Evaluation.Ranking;
using Encore.TestSupport;
using Xunit;

[assembly: AssemblyFixture(typeof(Encore.Evaluation.Tests.Ml100kFixture))]

namespace Encore.Evaluation.Tests;

/// <summary>
/// MovieLens 100K's P-TOPN split and its validation split, made once per test run and shared (read-only) by the
/// tests that need them. Tests call <see cref="Split"/> only after <see cref="SharedData.RequireMl100k"/>, so a
/// machine without the data skips them with the reason.
/// </summary>
public sealed class Ml100kFixture
{
    private readonly Lazy<(RankingData Data, RankingSplit Split, RankingSplit Validation)> _loaded = new(() =>
    {
        var data = RankingData.Load(SharedData.RequireMl100k());
        var split = RankingSplit.Create(data, SplitRule.Chronological);
        return (data, split, split.Validation());
    });

    public RankingData Data => Require().Data;
    public RankingSplit Split => Require().Split;
    public RankingSplit Validation => Require().Validation;

    private (RankingData Data, RankingSplit Split, RankingSplit Validation) Require()
    {
        SharedData.RequireMl100k(); // skips the calling test when the data is absent
        return _loaded.Value;
    }
}
