using Encore.Simulation;
using Xunit;

namespace Encore.Simulation.Tests;

public sealed class TruthTests
{
    private static readonly SimulatedService Service = new(new SimulationOptions { Members = 200, Titles = 300, Days = 30, Seed = 21 });

    [Fact]
    public void True_top_k_is_the_best_utilities_in_order()
    {
        var truth = Service.Truth;
        for (int m = 0; m < 20; m++)
        {
            var top = truth.TrueTopK(m, 20);
            var expected = Enumerable.Range(0, Service.Catalogue.Count).OrderByDescending(t => truth.Utility(m, t)).ThenBy(t => t).Take(20).ToArray();
            Assert.Equal(expected.Select(t => truth.Utility(m, t)), top.Select(t => truth.Utility(m, t)));
        }
    }

    [Fact]
    public void True_top_k_honours_availability_and_exclusions()
    {
        var truth = Service.Truth;
        var exclude = new HashSet<int>(truth.TrueTopK(0, 5));
        var top = truth.TrueTopK(0, 30, day: 0, exclude: exclude);
        Assert.All(top, t => Assert.True(Service.Catalogue.IsAvailable(t, 0)));
        Assert.DoesNotContain(top, exclude.Contains);
    }

    [Fact]
    public void Utilities_are_standardized_and_differ_between_members()
    {
        var truth = Service.Truth;
        var values = new List<double>();
        for (int m = 0; m < Service.Members.Count; m++)
            for (int t = 0; t < Service.Catalogue.Count; t += 3) values.Add(truth.Utility(m, t));
        double mean = values.Average();
        double sd = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.2, 0.2);
        Assert.InRange(sd, 0.8, 1.2);
        // Tastes differ: two members' top-20 lists overlap only partly.
        var a = truth.TrueTopK(0, 20).ToHashSet();
        var b = truth.TrueTopK(1, 20);
        Assert.True(b.Count(a.Contains) < 15);
        Assert.Equal(truth.Utility(3, 4), truth.Utility(Service.Members.Ids[3], Service.Catalogue.Ids[4]));
    }

    [Fact]
    public void The_catalogue_has_films_series_genres_people_and_arrivals()
    {
        var c = Service.Catalogue;
        Assert.Contains(c.Kinds, k => k == Encore.Core.TitleKind.Series);
        Assert.Contains(c.Kinds, k => k == Encore.Core.TitleKind.Film);
        Assert.Contains(c.GenreMasks, m => System.Numerics.BitOperations.PopCount(m) >= 2);
        Assert.Contains(c.AvailableFromDay, d => d > 0);
        Assert.Equal(c.Count, c.Names.Distinct().Count());
        for (int t = 0; t < c.Count; t++)
        {
            var title = c.ToTitle(t, Service.Options.StartUtc);
            Assert.NotEmpty(title.Genres);
            Assert.NotEmpty(title.Directors);
            if (c.IsSeries(t))
            {
                Assert.NotEmpty(title.Seasons);
                Assert.All(title.Episodes, e => Assert.InRange(e.RuntimeSeconds, 1, title.RuntimeSeconds));
            }
        }
        // Release dates spread over years.
        var years = c.ReleaseDates.Select(d => d.Year).Distinct().Count();
        Assert.True(years > 10, $"{years} release years");
    }

    [Fact]
    public void Options_out_of_range_are_rejected_with_the_option_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedService(new SimulationOptions { Members = 0 }));
        Assert.Equal("Members", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedService(new SimulationOptions { Titles = 5 }));
        Assert.Equal("Titles", e.ParamName);
    }
}
