namespace Encore.Analytics;

/// <summary>
/// Analyses for the content and marketing teams, over what the store and the models hold: the audience of a title not
/// yet made, search demand, campaign targeting and prediction before launch (off-policy estimates), and experiments.
/// Each is validated against what actually happens (Encore.Evaluation runs the backtests and the simulated A/B tests).
/// </summary>
public static class AnalyticsAssembly;
