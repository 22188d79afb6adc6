using Encore.Core;

namespace Encore.Models.Popularity;

/// <summary>The fitted popularity model: one score per title, the same for every member.</summary>
internal sealed class PopularityRecommender : IRecommender, IMemberHistory
{
    private const int Version = 1;
    private readonly float[] _scores;
    private readonly MemberHistory _history;

    internal PopularityRecommender(IdMap members, IdMap titles, float[] scores, MemberHistory history)
    {
        MemberIds = members;
        TitleIds = titles;
        _scores = scores;
        _history = history;
    }

    public string Name => PopularityTrainer.ModelName;
    public IdMap MemberIds { get; }
    public IdMap TitleIds { get; }

    /// <summary>The popularity score of every title.</summary>
    public ReadOnlySpan<float> Scores => _scores;

    public void ScoreMember(int member, Span<float> scores) => _scores.CopyTo(scores);

    public void ScoreHistory(ReadOnlySpan<int> titles, ReadOnlySpan<float> weights, Span<float> scores) => _scores.CopyTo(scores);

    /// <summary>Not personalized: the most popular titles are "similar" to any title.</summary>
    public void SimilarTitles(int title, Span<float> scores) => _scores.CopyTo(scores);

    public ReadOnlySpan<int> TrainingTitles(int member) => _history.TrainingTitles(member);

    public void Save(BinaryWriter writer)
    {
        writer.Write(Version);
        ModelIo.WriteIds(writer, MemberIds);
        ModelIo.WriteIds(writer, TitleIds);
        ModelIo.WriteArray<float>(writer, _scores);
        _history.Save(writer);
    }

    public static PopularityRecommender Load(BinaryReader reader)
    {
        PayloadVersion.Check(reader, PopularityTrainer.ModelName, Version);
        var members = ModelIo.ReadIds(reader);
        var titles = ModelIo.ReadIds(reader);
        var scores = ModelIo.ReadArray<float>(reader);
        ModelIo.ExpectLength(scores, titles.Count, "popularity scores");
        var history = MemberHistory.Load(reader, members.Count);
        return new PopularityRecommender(members, titles, scores, history);
    }
}
