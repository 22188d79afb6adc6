namespace Encore.Ingestion.Importers;

/// <summary>
/// Thrown by the field parsers with the reason only; the line loop that knows the file and line number
/// turns it into an <see cref="ImportException"/> (or a skip).
/// </summary>
internal sealed class MalformedLineException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}
