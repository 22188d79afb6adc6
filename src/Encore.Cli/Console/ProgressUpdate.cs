namespace Encore.Cli.Terminal;

/// <summary>One step of long work: <see cref="Done"/> of <see cref="Total"/> (0: unknown) in a named stage.</summary>
public readonly record struct ProgressUpdate(string Stage, double Done, double Total, string Unit = "", string? Detail = null);
