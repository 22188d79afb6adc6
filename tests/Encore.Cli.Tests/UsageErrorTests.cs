using Encore.TestSupport;
using Xunit;

namespace Encore.Cli.Tests;

/// <summary>
/// A wrong command line is answered as the README promises: one line "encore: reason" on stderr, nothing on
/// stdout (no help text), exit code 1, and no .NET internals (type names, parameter names, "Actual value was").
/// </summary>
public sealed class UsageErrorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private Task<EncoreRun> Encore(params string[] args) => EncoreProcess.RunAsync(_temp.File("data-home"), Ct, args);

    [Theory]
    [InlineData("encore: --members: 'abc' is not a whole number (see `encore demo --help`)", "demo", "--members", "abc")]
    [InlineData("encore: --seed: '-1' is not a whole number >= 0 (see `encore simulate --help`)", "simulate", "--seed", "-1")]
    [InlineData("encore: --policy: 'bogus' is not one of popularity, random, oracle, encore, encore-top-picks (see `encore simulate --help`)", "simulate", "--policy", "bogus")]
    [InlineData("encore: --on-error: 'maybe' is not one of stop, skip (see `encore import --help`)", "import", "x.csv", "--on-error", "maybe")]
    [InlineData("encore: unknown command or option 'frobnicate' (see `encore --help`)", "frobnicate")]
    [InlineData("encore: unknown command or option '--frobnicate' (see `encore stats --help`)", "stats", "--frobnicate")]
    [InlineData("encore: missing <path> (see `encore import --help`)", "import")]
    [InlineData("encore: --db needs a value (see `encore stats --help`)", "stats", "--db")]
    public async Task Parse_errors_are_one_line_without_the_help_text(string expected, params string[] args)
    {
        var run = await Encore(args);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("", run.Output);
        Assert.Equal(expected, run.Error.TrimEnd('\n'));
    }

    /// <summary>A huge value on the command line is echoed cut short with its length, never whole.</summary>
    [Theory]
    [InlineData("demo", "--members", "{long}")]
    [InlineData("simulate", "--policy", "{long}")]
    [InlineData("stats", "--{long}")]
    [InlineData("{long}")]
    [InlineData("homepage", "--member", "m1", "--device", "{long}")]
    [InlineData("eval", "--protocol", "p-topn", "--model", "{long}", "--data", "x.csv")]
    public async Task Huge_values_are_echoed_cut_short_with_their_length(params string[] args)
    {
        var huge = new string('x', 100_000);
        var run = await Encore([.. args.Select(a => a.Replace("{long}", huge, StringComparison.Ordinal))]);

        Assert.True(run.ExitCode is 1 or 2 or 3, run.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var line = run.Error.TrimEnd('\n');
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("encore: ", line, StringComparison.Ordinal);
        Assert.Contains("characters)", line, StringComparison.Ordinal);
        Assert.True(line.Length < 400, $"{line.Length} characters: {line[..Math.Min(400, line.Length)]}");
    }

    [Theory]
    [InlineData("encore: ials: factors must be in 1..1024 (got 0)", "ials", "factors=0")]
    [InlineData("encore: ease: lambda must be a finite number > 0 (got -5)", "ease", "lambda=-5")]
    [InlineData("encore: ials: unobserved-weight must be a finite number > 0 (got 0)", "ials", "unobserved-weight=0")]
    [InlineData("encore: unknown parameter 'lamda' for model 'ease'; known: lambda, max-titles, binary", "ease", "lamda=3")]
    [InlineData("encore: itemknn: parameter 'neighbours': 'many' is not a valid integer", "itemknn", "neighbours=many")]
    public async Task Model_parameter_errors_name_the_model_and_the_parameter_as_typed(string expected, string model, string parameter)
    {
        Directory.CreateDirectory(_temp.File("data"));

        var run = await Encore("eval", "--protocol", "p-topn", "--data", _temp.File("data"), "--model", model, "--param", parameter);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal(expected, run.Error.TrimEnd('\n'));
    }

    [Fact]
    public async Task Encore_alone_shows_its_commands()
    {
        var run = await Encore();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Commands:", run.Output);
        Assert.Contains("import", run.Output);
    }
}
