namespace Encore.Ingestion;

/// <summary>One broken rule: the <see cref="Encore.Core.ViewingEvent"/> property at fault and why.</summary>
public readonly record struct ValidationError(string Field, string Reason)
{
    /// <summary>The error in words: "FIELD: REASON".</summary>
    public override string ToString() => $"{Field}: {Reason}";
}
