using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using Encore.Core;

namespace Encore.Cli.Terminal;

/// <summary>
/// Reports what is wrong with a command line as the README promises: one line on standard error,
/// <c>encore: reason (see `encore CMD --help`)</c>, and <see cref="ExitCodes.Usage"/>, instead of System.CommandLine's
/// whole help text. Values are named by their option and described in words ("a whole number"), never by a .NET type.
/// </summary>
public static partial class UsageErrors
{
    /// <summary>Writes the first parse error of <paramref name="parseResult"/> and returns <see cref="ExitCodes.Usage"/>.</summary>
    public static int Report(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var error = parseResult.InvocationConfiguration.Error;
        var command = CommandPath(parseResult.CommandResult);
        // "foo" gives both "no command given" and "unknown 'foo'": the second says more.
        var first = parseResult.Errors.FirstOrDefault(e => !IsNoCommand(e)) ?? parseResult.Errors[0];
        var reason = Describe(first);
        return CommandGuard.Fail(error, $"{reason} (see `{command} --help`)", ExitCodes.Usage);
    }

    /// <summary>One parse error in words.</summary>
    public static string Describe(ParseError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message.ReplaceLineEndings(" ").Trim();
        var option = OptionOf(error.SymbolResult);

        var notParsed = CannotParse().Match(message);
        if (notParsed.Success)
        {
            var name = option?.Name ?? notParsed.Groups["option"].Value;
            var type = option?.ValueType ?? typeof(string);
            return $"{name}: '{UnicodeText.Clip(notParsed.Groups["value"].Value)}' is not {InWords(type)}";
        }
        var notAmong = NotAmong().Match(message);
        if (notAmong.Success)
        {
            var allowed = Quoted().Matches(notAmong.Groups["allowed"].Value).Select(m => m.Groups[1].Value);
            var subject = option is null ? "" : option.Name + ": ";
            return $"{subject}'{UnicodeText.Clip(notAmong.Groups["value"].Value)}' is not one of {string.Join(", ", allowed)}";
        }
        if (IsNoCommand(error)) return "no command given";
        var unrecognized = Unrecognized().Match(message);
        if (unrecognized.Success)
            return $"unknown command or option '{UnicodeText.Clip(unrecognized.Groups["value"].Value)}'";
        var noArgument = MissingArgument().Match(message);
        if (noArgument.Success)
            return $"missing <{noArgument.Groups["argument"].Value}>";
        var noValue = MissingOptionValue().Match(message);
        if (noValue.Success)
            return $"{noValue.Groups["option"].Value} needs a value";
        // Anything else System.CommandLine says, as one line.
        return message.TrimEnd('.');
    }

    private static bool IsNoCommand(ParseError error) => error.Message.StartsWith("Required command was not provided", StringComparison.Ordinal);

    /// <summary>What a value of <paramref name="type"/> must look like, in words.</summary>
    public static string InWords(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(int) || t == typeof(long) || t == typeof(short)) return "a whole number";
        if (t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort)) return "a whole number >= 0";
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return "a number";
        if (t == typeof(bool)) return "true or false";
        if (t.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(t)).ToLowerInvariant();
        return "a valid value";
    }

    private static Option? OptionOf(SymbolResult? result)
    {
        for (var r = result; r is not null; r = r.Parent)
            if (r is OptionResult o) return o.Option;
        return null;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is CommandResult c) names.Add(c.Command is RootCommand ? "encore" : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (option|command) '(?<option>[^']*)' as expected type '[^']*'")]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Argument '(?<value>.*)' not recognized\. Must be one of:(?<allowed>.*)$")]
    private static partial Regex NotAmong();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"^Unrecognized command or argument '(?<value>.*)'\.?$")]
    private static partial Regex Unrecognized();

    [GeneratedRegex(@"^Required argument '(?<argument>[^']*)' missing")]
    private static partial Regex MissingArgument();

    [GeneratedRegex(@"^Required argument missing for option: '(?<option>[^']*)'")]
    private static partial Regex MissingOptionValue();
}
