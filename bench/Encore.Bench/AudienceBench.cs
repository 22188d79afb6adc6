using Encore.Evaluation.Audience;
using Encore.Storage;

namespace Encore.Bench;

/// <summary>
/// The audience backtest (<see cref="AudienceBacktest"/>): titles hidden from training predicted from their metadata,
/// against genre popularity and a LightFM-style hybrid; Spearman of predicted against actual audience size across the
/// hidden titles and Recall@100 of their actual viewers. On MovieLens (a seeded 20% of the rated titles hidden with all
/// their ratings) and, given a store, on it (the titles that arrive during the simulated run hidden with all their events).
/// Usage: audience ML_FOLDER [DB]
/// </summary>
public sealed class AudienceBench : IBench
{
    public string Name => "audience";
    public string Description => "audience of hidden titles from metadata vs genre popularity vs LightFM-style hybrid (Spearman, Recall@100): ML_FOLDER [DB]";

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: audience ML_FOLDER [DB]   (e.g. ../shared/data/ml-100k and a store made by `encore simulate`)");
            return 2;
        }
        var progress = new Progress<string>(Console.Error.WriteLine);
        if (args[0] != "-") // "-": the store only
        {
            var ml = AudienceBacktest.Run(AudienceBacktest.FromMovieLens(args[0]), progress: progress);
            foreach (var line in ml.Describe()) Console.WriteLine(line);
        }
        if (args.Length > 1)
        {
            await using var store = await SqliteEventStore.OpenReadOnlyAsync(args[1]);
            var sim = AudienceBacktest.Run(await AudienceBacktest.FromStoreAsync(store), progress: progress);
            foreach (var line in sim.Describe()) Console.WriteLine(line);
        }
        return 0;
    }
}
