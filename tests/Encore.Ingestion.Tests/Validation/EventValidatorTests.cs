using Encore.Core;
using Encore.Storage;
using Xunit;

namespace Encore.Ingestion.Tests.Validation;

/// <summary>Every validation rule, one behaviour per test: what passes, what fails, and the field it names.</summary>
public sealed class EventValidatorTests
{
    private static readonly DateTime Now = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private static readonly CatalogueSnapshot Catalogue = new(
        new Dictionary<string, int> { ["film-1"] = 6_000, ["series-1"] = 0, ["series-2"] = 0, ["bare"] = 0 },
        new Dictionary<string, EpisodeInfo>
        {
            ["s1e1"] = new("series-1", 3_000),
            ["s2e1"] = new("series-2", 1_800),
        });

    private static ValidationContext Context(IngestionOptions? options = null, IReadOnlySet<string>? knownMembers = null)
        => new(options ?? IngestionOptions.Default, Catalogue, knownMembers, Now);

    private static ViewingEvent Valid(EventKind kind)
    {
        var e = new ViewingEvent
        {
            EventId = "e-1",
            Kind = kind,
            MemberId = "m1",
            TitleId = "film-1",
            Device = DeviceKind.Phone,
            TimestampUtc = Now.AddHours(-1),
            SessionId = "s-1",
        };
        return kind switch
        {
            EventKind.Rating => e with { Rating = 4 },
            EventKind.Search => e with { TitleId = null, Query = "space opera", ResultsShown = ["film-1"] },
            EventKind.Pause => e with { PositionSeconds = 100, PauseSeconds = 30 },
            EventKind.Seek => e with { SeekFromSeconds = 100, PositionSeconds = 900 },
            EventKind.Impression => e with { Row = "top-picks", RowPosition = 0, Propensity = 0.5 },
            _ when kind.RequiresPosition() => e with { PositionSeconds = 10 },
            _ => e,
        };
    }

    private static List<ValidationError> Errors(ViewingEvent? e, ValidationContext? context = null)
    {
        var errors = new List<ValidationError>();
        EventValidator.Validate(e, context ?? Context(), errors);
        return errors;
    }

    private static void AssertRejected(ViewingEvent e, string field, string reasonPart, ValidationContext? context = null)
    {
        var errors = Errors(e, context);
        Assert.Contains(errors, x => x.Field == field && x.Reason.Contains(reasonPart, StringComparison.Ordinal));
    }

    public static TheoryData<EventKind> AllKinds => new(EventKinds.All);

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void A_well_formed_event_of_every_kind_passes(EventKind kind)
        => Assert.Empty(Errors(Valid(kind)));

    [Fact]
    public void A_missing_event_is_reported_not_thrown()
        => Assert.Equal([new ValidationError("event", "the event is missing (null)")], Errors(null));

    // Ids -------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(nameof(ViewingEvent.EventId))]
    [InlineData(nameof(ViewingEvent.MemberId))]
    [InlineData(nameof(ViewingEvent.SessionId))]
    public void Required_ids_must_be_present_not_blank_not_too_long_and_printable(string field)
    {
        ViewingEvent With(string? value) => field switch
        {
            nameof(ViewingEvent.EventId) => Valid(EventKind.PlayStart) with { EventId = value! },
            nameof(ViewingEvent.MemberId) => Valid(EventKind.PlayStart) with { MemberId = value! },
            _ => Valid(EventKind.PlayStart) with { SessionId = value! },
        };
        AssertRejected(With(null), field, "is required");
        AssertRejected(With("   "), field, "is blank");
        AssertRejected(With(new string('x', 129)), field, "129 characters");
        AssertRejected(With("a\u0000b"), field, "control characters");
        AssertRejected(With("a\ud800b"), field, "half of a surrogate pair");
        AssertRejected(With("a\udc00"), field, "half of a surrogate pair");
        Assert.Empty(Errors(With(new string('x', 128))));
        Assert.Empty(Errors(With("film-🎬")));
    }

    [Fact]
    public void Search_and_impression_text_must_be_valid_unicode()
    {
        AssertRejected(Valid(EventKind.Search) with { Query = "space \ud83c opera" }, "Query", "half of a surrogate pair");
        AssertRejected(Valid(EventKind.Search) with { ResultsShown = ["film-1", "\udfff"] }, "ResultsShown", "result 1");
        AssertRejected(Valid(EventKind.Impression) with { Row = "top-\ud800" }, "Row", "half of a surrogate pair");
    }

    [Fact]
    public void The_id_length_limit_is_an_option()
        => AssertRejected(Valid(EventKind.PlayStart) with { EventId = "123456" }, "EventId", "limit is 5", Context(new IngestionOptions { MaxIdLength = 5 }));

    // Kind and device ----------------------------------------------------------------------------------------

    [Fact]
    public void Kind_and_device_must_be_defined_values()
    {
        AssertRejected(Valid(EventKind.PlayStart) with { Kind = (EventKind)99 }, "Kind", "99 is not an event kind");
        AssertRejected(Valid(EventKind.PlayStart) with { Device = (DeviceKind)42 }, "Device", "42 is not a device kind");
    }

    // Timestamps ---------------------------------------------------------------------------------------------

    [Fact]
    public void Timestamps_before_1990_are_rejected()
    {
        AssertRejected(Valid(EventKind.PlayStart) with { TimestampUtc = new DateTime(1989, 12, 31, 23, 59, 59, DateTimeKind.Utc) }, "TimestampUtc", "before 1990-01-01");
        Assert.Empty(Errors(Valid(EventKind.PlayStart) with { TimestampUtc = new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc) }));
        AssertRejected(Valid(EventKind.PlayStart) with { TimestampUtc = default }, "TimestampUtc", "broken clock");
    }

    [Fact]
    public void Timestamps_beyond_the_allowed_future_skew_are_rejected()
    {
        Assert.Empty(Errors(Valid(EventKind.PlayStart) with { TimestampUtc = Now.AddHours(23) }));
        AssertRejected(Valid(EventKind.PlayStart) with { TimestampUtc = Now.AddHours(25) }, "TimestampUtc", "in the future");
        var strict = Context(new IngestionOptions { MaxFutureSkew = TimeSpan.FromMinutes(5) });
        AssertRejected(Valid(EventKind.PlayStart) with { TimestampUtc = Now.AddMinutes(6) }, "TimestampUtc", "in the future", strict);
    }

    [Fact]
    public void Local_times_are_rejected_and_unspecified_ones_read_as_UTC()
    {
        AssertRejected(Valid(EventKind.PlayStart) with { TimestampUtc = DateTime.SpecifyKind(Now.AddHours(-1), DateTimeKind.Local) }, "TimestampUtc", "local time");
        Assert.Empty(Errors(Valid(EventKind.PlayStart) with { TimestampUtc = DateTime.SpecifyKind(Now.AddHours(-1), DateTimeKind.Unspecified) }));
    }

    // Members ------------------------------------------------------------------------------------------------

    [Fact]
    public void Unknown_members_are_rejected_only_when_a_known_set_is_given()
    {
        var known = new HashSet<string> { "m1" };
        Assert.Empty(Errors(Valid(EventKind.PlayStart), Context(knownMembers: known)));
        AssertRejected(Valid(EventKind.PlayStart) with { MemberId = "m2" }, "MemberId", "unknown member 'm2'", Context(knownMembers: known));
        Assert.Empty(Errors(Valid(EventKind.PlayStart) with { MemberId = "m2" }));
    }

    [Fact]
    public void Messages_echo_at_most_a_readable_part_of_an_id()
    {
        // A limit raised far beyond the default lets megabyte ids through the length rule to the lookups.
        var options = new IngestionOptions { MaxIdLength = 2_000_000, UnknownTitles = UnknownTitlePolicy.Reject };
        var huge = new string('x', 1024 * 1024);
        var member = Errors(Valid(EventKind.PlayStart) with { MemberId = huge }, Context(options, new HashSet<string> { "m1" }));
        var title = Errors(Valid(EventKind.PlayStart) with { TitleId = huge }, Context(options));
        var episode = Errors(Valid(EventKind.PlayStart) with { TitleId = "series-1", EpisodeId = huge }, Context(options));
        var wrongSeries = Errors(Valid(EventKind.PlayStart) with { TitleId = "film-1" + huge, EpisodeId = "s1e1" },
            Context(options with { UnknownTitles = UnknownTitlePolicy.Register }));

        foreach (var (errors, field, what) in new[] { (member, "MemberId", "unknown member"), (title, "TitleId", "unknown title"),
                     (episode, "EpisodeId", "unknown episode"), (wrongSeries, "EpisodeId", "belongs to title") })
        {
            var error = Assert.Single(errors);
            Assert.Equal(field, error.Field);
            Assert.Contains(what, error.Reason);
            Assert.Matches(@"\.\.\.' \(1,048,5(76|82) characters\)", error.Reason);
            Assert.True(error.Reason.Length < 300, $"{error.Reason.Length} characters: {error.Reason[..Math.Min(200, error.Reason.Length)]}");
        }
    }

    // Titles and episodes --------------------------------------------------------------------------------------

    [Fact]
    public void Every_kind_but_search_must_name_a_title()
    {
        foreach (var kind in EventKinds.All.Where(k => k != EventKind.Search))
            AssertRejected(Valid(kind) with { TitleId = null }, "TitleId", $"is required for {kind.WireName()} events");
        Assert.Empty(Errors(Valid(EventKind.Search) with { TitleId = null }));
        Assert.Empty(Errors(Valid(EventKind.Search) with { TitleId = "film-1" }));
    }

    [Fact]
    public void Unknown_titles_follow_the_title_policy()
    {
        AssertRejected(Valid(EventKind.PlayStart) with { TitleId = "nope" }, "TitleId", "unknown title 'nope'");
        AssertRejected(Valid(EventKind.Search) with { TitleId = "nope" }, "TitleId", "unknown title");
        Assert.Empty(Errors(Valid(EventKind.PlayStart) with { TitleId = "nope" }, Context(new IngestionOptions { UnknownTitles = UnknownTitlePolicy.Register })));
        AssertRejected(Valid(EventKind.PlayStart) with { TitleId = new string('t', 200) }, "TitleId", "200 characters");
    }

    [Fact]
    public void An_episode_must_be_catalogued_and_belong_to_the_title()
    {
        var e = Valid(EventKind.PlayStart) with { TitleId = "series-1" };
        Assert.Empty(Errors(e with { EpisodeId = "s1e1" }));
        AssertRejected(e with { EpisodeId = "s9e9" }, "EpisodeId", "unknown episode 's9e9'");
        AssertRejected(e with { EpisodeId = "s2e1" }, "EpisodeId", "belongs to title 'series-2', not 'series-1'");
        AssertRejected(Valid(EventKind.Search) with { TitleId = null, EpisodeId = "s1e1" }, "EpisodeId", "without a TitleId");
        // Registering unknown titles does not invent episodes: an episode needs its season and number.
        AssertRejected(e with { TitleId = "new-series", EpisodeId = "x1" }, "EpisodeId", "unknown episode",
            Context(new IngestionOptions { UnknownTitles = UnknownTitlePolicy.Register }));
    }

    // Numbers --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Every_number_must_be_finite(double bad)
    {
        AssertRejected(Valid(EventKind.Stop) with { PositionSeconds = bad }, "PositionSeconds", "not a finite number");
        AssertRejected(Valid(EventKind.Rating) with { Rating = bad }, "Rating", "not a finite number");
        AssertRejected(Valid(EventKind.Pause) with { PauseSeconds = bad }, "PauseSeconds", "not a finite number");
        AssertRejected(Valid(EventKind.Seek) with { SeekFromSeconds = bad }, "SeekFromSeconds", "not a finite number");
        AssertRejected(Valid(EventKind.Impression) with { Propensity = bad }, "Propensity", "not a finite number");
        // A number on a kind that does not use it must still be a number.
        AssertRejected(Valid(EventKind.PlayStart) with { Rating = bad }, "Rating", "not a finite number");
    }

    // Kind-specific fields ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(5.0, true)]
    [InlineData(3.5, true)]
    [InlineData(0.0, false)]
    [InlineData(0.49, false)]
    [InlineData(5.01, false)]
    [InlineData(10.0, false)]
    [InlineData(-1.0, false)]
    public void Ratings_are_stars_from_half_to_five(double rating, bool valid)
    {
        var errors = Errors(Valid(EventKind.Rating) with { Rating = rating });
        if (valid) Assert.Empty(errors);
        else Assert.Contains(errors, x => x.Field == "Rating" && x.Reason.Contains("outside 0.5..5", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rating_event_needs_its_rating_and_the_scale_is_an_option()
    {
        AssertRejected(Valid(EventKind.Rating) with { Rating = null }, "Rating", "is required for rating events");
        Assert.Empty(Errors(Valid(EventKind.Rating) with { Rating = 9 }, Context(new IngestionOptions { MinRating = 0, MaxRating = 10 })));
    }

    [Fact]
    public void A_search_needs_a_sane_query_and_sane_results()
    {
        AssertRejected(Valid(EventKind.Search) with { Query = null }, "Query", "is required for search events");
        AssertRejected(Valid(EventKind.Search) with { Query = "  " }, "Query", "is required");
        AssertRejected(Valid(EventKind.Search) with { Query = new string('q', 1001) }, "Query", "1001 characters");
        AssertRejected(Valid(EventKind.Search) with { ResultsShown = Enumerable.Range(0, 1001).Select(i => $"t{i}").ToArray() }, "ResultsShown", "1001 titles");
        AssertRejected(Valid(EventKind.Search) with { ResultsShown = ["film-1", " "] }, "ResultsShown", "result 1");
        Assert.Empty(Errors(Valid(EventKind.Search) with { ResultsShown = null }));
        Assert.Empty(Errors(Valid(EventKind.Search) with { ResultsShown = [] }));
    }

    [Fact]
    public void A_pause_lasts_from_zero_to_under_a_day()
    {
        AssertRejected(Valid(EventKind.Pause) with { PauseSeconds = null }, "PauseSeconds", "is required for pause events");
        AssertRejected(Valid(EventKind.Pause) with { PauseSeconds = -1 }, "PauseSeconds", "negative");
        AssertRejected(Valid(EventKind.Pause) with { PauseSeconds = 86_400 }, "PauseSeconds", "not under 86400");
        Assert.Empty(Errors(Valid(EventKind.Pause) with { PauseSeconds = 0 }));
        Assert.Empty(Errors(Valid(EventKind.Pause) with { PauseSeconds = 86_399.9 }));
    }

    [Fact]
    public void An_impression_names_its_row_and_slot()
    {
        AssertRejected(Valid(EventKind.Impression) with { Row = null }, "Row", "is required for impression events");
        AssertRejected(Valid(EventKind.Impression) with { Row = new string('r', 201) }, "Row", "201 characters");
        AssertRejected(Valid(EventKind.Impression) with { RowPosition = null }, "RowPosition", "is required");
        AssertRejected(Valid(EventKind.Impression) with { RowPosition = -1 }, "RowPosition", "outside 0..10000");
        AssertRejected(Valid(EventKind.Impression) with { RowPosition = 10_001 }, "RowPosition", "outside");
    }

    [Theory]
    [InlineData(1.0, true)]
    [InlineData(0.001, true)]
    [InlineData(0.0, false)]
    [InlineData(-0.5, false)]
    [InlineData(1.5, false)]
    public void An_impressions_propensity_lies_in_zero_exclusive_to_one(double propensity, bool valid)
    {
        var errors = Errors(Valid(EventKind.Impression) with { Propensity = propensity });
        if (valid) Assert.Empty(errors);
        else Assert.Contains(errors, x => x.Field == "Propensity" && x.Reason.Contains("outside (0, 1]", StringComparison.Ordinal));
    }

    [Fact]
    public void Propensity_is_optional_unless_the_options_require_it()
    {
        Assert.Empty(Errors(Valid(EventKind.Impression) with { Propensity = null }));
        AssertRejected(Valid(EventKind.Impression) with { Propensity = null }, "Propensity", "is required",
            Context(new IngestionOptions { RequirePropensity = true }));
    }

    // Positions --------------------------------------------------------------------------------------------------

    [Fact]
    public void Kinds_with_a_position_must_carry_one_and_a_seek_its_origin()
    {
        foreach (var kind in EventKinds.All.Where(k => k.RequiresPosition()))
            AssertRejected(Valid(kind) with { PositionSeconds = null }, "PositionSeconds", $"is required for {kind.WireName()} events");
        AssertRejected(Valid(EventKind.Seek) with { SeekFromSeconds = null }, "SeekFromSeconds", "is required for seek events");
        Assert.Empty(Errors(Valid(EventKind.PlayStart) with { PositionSeconds = null }));
    }

    [Fact]
    public void Positions_are_never_negative()
    {
        AssertRejected(Valid(EventKind.Stop) with { PositionSeconds = -0.5 }, "PositionSeconds", "negative");
        AssertRejected(Valid(EventKind.Seek) with { SeekFromSeconds = -3 }, "SeekFromSeconds", "negative");
        AssertRejected(Valid(EventKind.PlayStart) with { PositionSeconds = -1 }, "PositionSeconds", "negative");
    }

    [Fact]
    public void Positions_stay_within_the_films_runtime_plus_the_tolerance()
    {
        // film-1 runs 6,000 s; the default tolerance is 5 minutes.
        Assert.Empty(Errors(Valid(EventKind.Stop) with { PositionSeconds = 6_300 }));
        AssertRejected(Valid(EventKind.Stop) with { PositionSeconds = 6_301 }, "PositionSeconds", "beyond the runtime");
        AssertRejected(Valid(EventKind.Seek) with { SeekFromSeconds = 7_000 }, "SeekFromSeconds", "beyond the runtime");
        var tight = Context(new IngestionOptions { RuntimeTolerance = TimeSpan.Zero });
        AssertRejected(Valid(EventKind.Stop) with { PositionSeconds = 6_001 }, "PositionSeconds", "beyond the runtime", tight);
    }

    [Fact]
    public void An_episodes_own_runtime_bounds_its_positions_and_a_series_alone_does_not()
    {
        var e = Valid(EventKind.Stop) with { TitleId = "series-1" };
        Assert.Empty(Errors(e with { EpisodeId = "s1e1", PositionSeconds = 3_200 }));
        AssertRejected(e with { EpisodeId = "s1e1", PositionSeconds = 3_400 }, "PositionSeconds", "beyond the runtime");
        // Without an episode, a series has no single runtime: only non-negativity is checked.
        Assert.Empty(Errors(e with { PositionSeconds = 20_000 }));
        // A title whose runtime is unknown (0) is not bounded either.
        Assert.Empty(Errors(Valid(EventKind.Stop) with { TitleId = "bare", PositionSeconds = 50_000 }));
    }

    [Fact]
    public void Validate_reports_every_broken_rule_in_a_fixed_order()
    {
        var e = Valid(EventKind.Pause) with { EventId = "", TitleId = "nope", PauseSeconds = -1, PositionSeconds = double.NaN };
        var errors = Errors(e);
        Assert.Equal(["EventId", "TitleId", "PositionSeconds", "PauseSeconds"], errors.Select(x => x.Field));
        Assert.False(EventValidator.Validate(e, Context(), new List<ValidationError>()));
        Assert.True(EventValidator.Validate(Valid(EventKind.Pause), Context(), new List<ValidationError>()));
    }
}
