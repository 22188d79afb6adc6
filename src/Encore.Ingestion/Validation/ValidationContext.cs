using Encore.Storage;

namespace Encore.Ingestion;

/// <summary>
/// What the rules check an event against: the options, the catalogue, the members known to the store (null
/// when unknown members register themselves, so membership is not checked) and the present time.
/// </summary>
internal sealed record ValidationContext(
    IngestionOptions Options,
    CatalogueSnapshot Catalogue,
    IReadOnlySet<string>? KnownMembers,
    DateTime NowUtc);
