using System.CommandLine;

namespace Encore.Cli.Commands;

/// <summary>
/// `encore campaign`: campaigns before launch. The parent of the campaign subcommands, one file each; a new one
/// (e.g. `encore campaign target`) is added with one line in <see cref="Subcommands"/>.
/// </summary>
internal static class CampaignCommand
{
    /// <summary>The subcommands of `encore campaign`.</summary>
    private static IEnumerable<Command> Subcommands() =>
    [
        CampaignTargetCommand.Create(),
        CampaignEstimateCommand.Create(),
    ];

    public static Command Create()
    {
        var command = new Command("campaign", "Campaigns before launch: whom to target (members ranked, with the response rate per decile), and what a campaign would achieve, estimated from the impressions already logged.");
        foreach (var sub in Subcommands()) command.Subcommands.Add(sub);
        return command;
    }
}
