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
        CampaignEstimateCommand.Create(),
    ];

    public static Command Create()
    {
        var command = new Command("campaign", "Campaigns before launch: estimate what a campaign or page policy would achieve from the impressions already logged.");
        foreach (var sub in Subcommands()) command.Subcommands.Add(sub);
        return command;
    }
}
