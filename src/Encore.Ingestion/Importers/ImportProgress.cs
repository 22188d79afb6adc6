namespace Encore.Ingestion.Importers;

/// <summary>
/// How far an import is: <see cref="Done"/> of <see cref="Total"/> in the stage's <see cref="Unit"/>
/// (Total 0 when unknown), and the events stored so far in the whole import.
/// </summary>
public readonly record struct ImportProgress(string Stage, long Done, long Total, string Unit, long EventsImported)
{
    /// <summary>How much of the stage is done, 0..1 (0 while the total is unknown).</summary>
    public double Fraction => Total > 0 ? Math.Clamp((double)Done / Total, 0, 1) : 0;
}
