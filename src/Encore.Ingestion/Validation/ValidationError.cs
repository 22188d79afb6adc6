namespace Encore.Ingestion;

/// <summary>One broken rule: the <see cref="Encore.Core.ViewingEvent"/> property at fault and why.</summary>
public readonly record struct ValidationError(string Field, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}
