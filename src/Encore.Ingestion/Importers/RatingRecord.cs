namespace Encore.Ingestion.Importers;

/// <summary>One explicit rating as a MovieLens file holds it: who, what, how many stars, when (Unix seconds).</summary>
public readonly record struct RatingRecord(string MemberId, string TitleId, float Rating, long UnixSeconds);
