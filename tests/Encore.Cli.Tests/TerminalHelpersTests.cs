using Encore.Cli.Terminal;
using Xunit;

namespace Encore.Cli.Tests;

public sealed class TerminalHelpersTests
{
    [Fact]
    public void TextTable_pads_labels_and_right_aligns_numbers()
    {
        var writer = new StringWriter { NewLine = "\n" };

        new TextTable(3).Add("members", 943, "people").Add("events", 100000, "ratings").Add("first", "1997-09-20", "").WriteTo(writer, "  ");

        Assert.Equal(
            "  members         943  people\n" +
            "  events       100000  ratings\n" +
            "  first    1997-09-20\n",
            writer.ToString());
    }

    [Theory]
    [InlineData(5000, 100000, "ratings", "5,000/100,000 ratings (5%)")]
    [InlineData(0, 0, "files", "")]
    [InlineData(12, 0, "events", "12 events")]
    [InlineData(1536, 3 * 1024 * 1024, "bytes", "1.5 KiB/3.0 MiB (0%)")]
    public void Progress_text_reads_naturally(double done, double total, string unit, string expected)
    {
        Assert.Equal(expected, ConsoleProgress.Describe(new ProgressUpdate("stage", done, total, unit)));
    }
}
