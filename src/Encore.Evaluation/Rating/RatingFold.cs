using Encore.Ingestion.Importers;

namespace Encore.Evaluation.Rating;

/// <summary>One train/test fold of P-RATING: its name (e.g. "u1") and both sides' ratings.</summary>
public sealed record RatingFold(string Name, IReadOnlyList<RatingRecord> Train, IReadOnlyList<RatingRecord> Test);
