using Encore.Core;
using Xunit;

namespace Encore.Core.Tests;

public sealed class EventKindTests
{
    [Fact]
    public void Every_kind_round_trips_through_its_wire_name()
    {
        foreach (var kind in EventKinds.All)
        {
            Assert.True(EventKinds.TryParseWireName(kind.WireName(), out var parsed));
            Assert.Equal(kind, parsed);
        }
    }

    [Fact]
    public void Wire_names_are_unique_and_unknown_names_are_refused()
    {
        Assert.Equal(EventKinds.All.Length, EventKinds.All.Select(k => k.WireName()).Distinct().Count());
        Assert.False(EventKinds.TryParseWireName("teleport", out _));
        Assert.False(EventKinds.TryParseWireName(null, out _));
    }

    [Fact]
    public void Only_search_may_omit_a_title()
    {
        Assert.False(EventKind.Search.RequiresTitle());
        Assert.All(EventKinds.All.Where(k => k != EventKind.Search), k => Assert.True(k.RequiresTitle()));
    }

    [Fact]
    public void IdMap_assigns_dense_indices_in_first_seen_order()
    {
        var map = new IdMap(["b", "a", "b", "c"]);
        Assert.Equal(3, map.Count);
        Assert.Equal(0, map.IndexOf("b"));
        Assert.Equal(2, map.IndexOf("c"));
        Assert.Equal(-1, map.IndexOf("zzz"));
        Assert.Equal("a", map[1]);
    }
}
