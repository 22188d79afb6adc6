using Encore.Core;
using Xunit;

namespace Encore.Core.Tests;

public sealed class UnicodeTextTests
{
    [Fact]
    public void Clip_keeps_a_short_value_whole()
    {
        Assert.Equal("m1", UnicodeText.Clip("m1"));
        Assert.Equal(new string('x', UnicodeText.ClipLength), UnicodeText.Clip(new string('x', UnicodeText.ClipLength)));
        Assert.Equal("'m1'", UnicodeText.Quote("m1"));
        Assert.Equal("''", UnicodeText.Quote(""));
    }

    [Fact]
    public void Clip_cuts_a_long_value_and_says_how_long_it_was()
    {
        var id = new string('x', 1024 * 1024);

        var clipped = UnicodeText.Clip(id);
        var quoted = UnicodeText.Quote(id);

        Assert.Equal(new string('x', UnicodeText.ClipLength) + "... (1,048,576 characters)", clipped);
        Assert.Equal("'" + new string('x', UnicodeText.ClipLength) + "...' (1,048,576 characters)", quoted);
        Assert.Equal("abcde... (26 characters)", UnicodeText.Clip("abcdefghijklmnopqrstuvwxyz", 5));
    }

    [Fact]
    public void Clip_never_cuts_a_surrogate_pair_in_half()
    {
        // 59 letters, then an emoji (a surrogate pair) across the 60th and 61st characters.
        var text = new string('a', UnicodeText.ClipLength - 1) + "\U0001F3AC" + "tail";

        var clipped = UnicodeText.Clip(text);

        Assert.StartsWith(new string('a', UnicodeText.ClipLength - 1) + "...", clipped);
        Assert.True(UnicodeText.IsWellFormed(clipped));
        Assert.EndsWith($"({text.Length} characters)", clipped);
    }
}
