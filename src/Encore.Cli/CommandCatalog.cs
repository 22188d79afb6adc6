using System.CommandLine;

namespace Encore.Cli;

/// <summary>The subcommands of `encore`, one file each under Commands/.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> Create() =>
    [
        Commands.ImportCommand.Create(),
        Commands.StatsCommand.Create(),
        Commands.EvalCommand.Create(),
        Commands.TuneCommand.Create(),
        Commands.SimulateCommand.Create(),
        Commands.DemoCommand.Create(),
        Commands.TrainCommand.Create(),
        Commands.RecommendCommand.Create(),
        Commands.SimilarCommand.Create(),
        Commands.SearchCommand.Create(),
        Commands.SignalsCommand.Create(),
        Commands.HomepageCommand.Create(),
        Commands.ServeCommand.Create(),
        Commands.SearchDemandCommand.Create(),
        Commands.AudienceCommand.Create(),
        Commands.CampaignCommand.Create(),
        Commands.ExperimentCommand.Create(),
        Commands.MigrateStoreCommand.Create(),
    ];
}
