using Encore.Core;

namespace Encore.Signals;

/// <summary>How much the context (device, hour) of a request moves a member's ranking, and how its affinities are smoothed.</summary>
public sealed record ContextOptions
{
    /// <summary>The tuned options: weight 0 (see <see cref="Weight"/>), prior 5.</summary>
    public static readonly ContextOptions Default = new();

    /// <summary>
    /// Weight of the context lift, in standard deviations of the member's scores (0: context is ignored). The default, 0,
    /// is what tuning on the P-SIM validation split chose, on both truths it was tried on: the titles begun over the next
    /// 7 days (scored with the context of the member's next session) and the titles begun in each session of those days
    /// (scored with that session's own device and hour); every weight tried (0.05 to 1, priors 1 to 50) lowered NDCG@20
    /// there (docs/SIGNALS.md, `signal-diagnostics`). A service whose own validation says otherwise sets it per request
    /// (`encore recommend --context-weight`).
    /// </summary>
    public float Weight { get; init; }

    /// <summary>
    /// Pseudo-plays that pull a member's affinity on one device (or part of the day) toward what the whole service
    /// plays there, so a member with few plays on a device gets the service's habits for it (phones: short episodes).
    /// </summary>
    public float Prior { get; init; } = 5f;

    /// <summary>Checks the options; throws an <see cref="ArgumentException"/> naming the first one out of range.</summary>
    public void Validate()
    {
        if (!(Weight >= 0) || !float.IsFinite(Weight)) throw new ArgumentException($"context weight must be a finite number >= 0 (got {Weight})", nameof(Weight));
        if (!(Prior > 0) || !float.IsFinite(Prior)) throw new ArgumentException($"context prior must be a finite number > 0 (got {Prior})", nameof(Prior));
    }
}

/// <summary>
/// Each member's affinity for genres and formats (film, series, short episodes) by device and by part of the day,
/// read from the titles they played (a title played on two devices counts half on each), smoothed toward what the
/// whole service plays in that context. Scoring with a context (<see cref="Adjust"/>) standardizes a member's
/// scores and adds the context lift of each title: how much more likely its genres and format are in this context
/// than in the member's viewing overall, as a log ratio. The service-wide tables are fixed when the model is built;
/// a member's own part is read from the <see cref="SignalSet"/> at each call, so it follows real-time updates.
/// </summary>
public sealed class ContextModel
{
    internal const int Devices = 5;
    internal const int Formats = 3;
    private readonly SignalSet _signals;
    private readonly int _genres;
    private readonly float[] _deviceGenre, _partGenre, _deviceFormat, _partFormat, _genreShare, _formatShare;

    private ContextModel(SignalSet signals, ContextShares shares, ContextOptions options)
    {
        if (shares.Genres != signals.Catalogue.Genres.Count)
            throw new ArgumentException($"the shares cover {shares.Genres} genres; the catalogue has {signals.Catalogue.Genres.Count}", nameof(shares));
        _signals = signals;
        Options = options;
        Shares = shares;
        _genres = shares.Genres;
        (_deviceGenre, _partGenre, _deviceFormat, _partFormat, _genreShare, _formatShare) =
            (shares.DeviceGenre, shares.PartGenre, shares.DeviceFormat, shares.PartFormat, shares.Genre, shares.Format);
    }

    /// <summary>What the whole service plays where and when (kept with a trained model, so one member's signals suffice to score).</summary>
    public ContextShares Shares { get; }

    /// <summary>The options the model was built with.</summary>
    public ContextOptions Options { get; }

    /// <summary>Builds the service-wide tables from every member's plays in <paramref name="signals"/>.</summary>
    public static ContextModel Build(SignalSet signals, ContextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signals);
        return new ContextModel(signals, ContextShares.Of(signals), Checked(options));
    }

    /// <summary>
    /// A context model over <paramref name="signals"/> (which may hold only the members to score) with service-wide
    /// <paramref name="shares"/> measured earlier (e.g. at training) over the same catalogue.
    /// </summary>
    public static ContextModel With(SignalSet signals, ContextShares shares, ContextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(shares);
        return new ContextModel(signals, shares, Checked(options));
    }

    private static ContextOptions Checked(ContextOptions? options)
    {
        options ??= ContextOptions.Default;
        options.Validate();
        return options;
    }

    /// <summary>
    /// The lift of every title for <paramref name="member"/> in the context (<paramref name="device"/>, UTC
    /// <paramref name="hour"/>): log of its genres' (mean) and its format's share in this context over their share
    /// overall, for the member, smoothed toward the service. 0 where the context says nothing.
    /// </summary>
    public void Lifts(int member, DeviceKind device, int hour, Span<float> lifts)
    {
        var catalogue = _signals.Catalogue;
        if (lifts.Length != catalogue.Titles) throw new ArgumentException($"lifts has {lifts.Length} slots for {catalogue.Titles} titles", nameof(lifts));
        var (d, part) = Slot(device, hour);
        var own = MemberTables(member);
        // The member's shares overall, smoothed toward the service's; in this context, smoothed toward the service's there.
        float prior = Options.Prior;
        var memberGenre = new float[_genres];
        var deviceGenre = new float[_genres];
        var partGenre = new float[_genres];
        for (int g = 0; g < _genres; g++)
            (memberGenre[g], deviceGenre[g], partGenre[g]) = GenreShares(own, d, part, g);
        Span<float> formatLift = stackalloc float[Formats];
        for (int f = 0; f < Formats; f++)
        {
            float overall = Smooth(own.Format[f], own.Total, _formatShare[f], prior);
            float onDevice = Smooth(own.DeviceFormat[d * Formats + f], own.Device[d], _deviceFormat[d * Formats + f], prior);
            float inPart = Smooth(own.PartFormat[part * Formats + f], own.Part[part], _partFormat[part * Formats + f], prior);
            formatLift[f] = MathF.Log(onDevice / overall) + MathF.Log(inPart / overall);
        }
        for (int t = 0; t < lifts.Length; t++)
        {
            float lift = formatLift[(int)catalogue.Formats[t]];
            var genres = catalogue.TitleGenres[t];
            if (genres.Length > 0)
            {
                float sum = 0;
                foreach (var g in genres) sum += MathF.Log(deviceGenre[g] / memberGenre[g]) + MathF.Log(partGenre[g] / memberGenre[g]);
                lift += sum / genres.Length;
            }
            lifts[t] = lift;
        }
    }

    /// <summary>
    /// Each genre's affinity for <paramref name="member"/> in the context (<paramref name="device"/>, UTC
    /// <paramref name="hour"/>): the log of its share among the member's plays there (smoothed toward the service's
    /// share there), so genres the member plays on this device at this time come first. A member with no plays gets
    /// the service's habits for the context.
    /// </summary>
    public void GenreAffinities(int member, DeviceKind device, int hour, Span<float> affinities)
    {
        if (affinities.Length != _genres) throw new ArgumentException($"affinities has {affinities.Length} slots for {_genres} genres", nameof(affinities));
        var (d, part) = Slot(device, hour);
        var own = MemberTables(member);
        for (int g = 0; g < _genres; g++)
        {
            var (overall, onDevice, inPart) = GenreShares(own, d, part, g);
            // The member's taste for the genre, moved by how much more (or less) of it this context holds.
            affinities[g] = MathF.Log(overall) + MathF.Log(onDevice / overall) + MathF.Log(inPart / overall);
        }
    }

    /// <summary>
    /// Adds <see cref="ContextOptions.Weight"/> times each title's lift to <paramref name="scores"/>, which should be
    /// standardized first (<see cref="ScoreBlend.Standardize"/>) so the weight means the same for every model.
    /// Masked titles (-infinity) stay masked.
    /// </summary>
    public void Adjust(int member, DeviceKind device, int hour, Span<float> scores)
    {
        if (Options.Weight == 0) return;
        var lifts = new float[scores.Length];
        Lifts(member, device, hour, lifts);
        for (int t = 0; t < scores.Length; t++)
            if (float.IsFinite(scores[t])) scores[t] += Options.Weight * lifts[t];
    }

    private static (int Device, int Part) Slot(DeviceKind device, int hour)
        => ((int)device < Devices ? (int)device : 0, Dayparts.Of(((hour % 24) + 24) % 24));

    /// <summary>The member's plays counted by genre, format, device and part of day.</summary>
    private Tables MemberTables(int member)
    {
        var own = new Tables(_genres);
        foreach (var title in _signals.TitlesOf(member))
        {
            var s = _signals.Get(member, title);
            if (s.Played) own.Add(_signals.Catalogue, title, s);
        }
        return own;
    }

    /// <summary>A genre's share among the member's plays overall, on the device and in the part of day, each smoothed toward the service's.</summary>
    private (float Overall, float OnDevice, float InPart) GenreShares(Tables own, int d, int part, int g)
    {
        float prior = Options.Prior;
        return (Smooth(own.Genre[g], own.Total, _genreShare[g], prior),
            Smooth(own.DeviceGenre[d * _genres + g], own.Device[d], _deviceGenre[d * _genres + g], prior),
            Smooth(own.PartGenre[part * _genres + g], own.Part[part], _partGenre[part * _genres + g], prior));
    }

    private static float Smooth(float count, float total, float prior, float strength)
        => (count + strength * prior) / (total + strength);

    /// <summary>Play counts by genre and format, overall, per device and per part of the day.</summary>
    internal sealed class Tables(int genres)
    {
        public readonly float[] Genre = new float[genres], Format = new float[Formats];
        public readonly float[] DeviceGenre = new float[Devices * genres], PartGenre = new float[Dayparts.Count * genres];
        public readonly float[] DeviceFormat = new float[Devices * Formats], PartFormat = new float[Dayparts.Count * Formats];
        public readonly float[] Device = new float[Devices], Part = new float[Dayparts.Count];
        public float Total;

        public void Add(SignalCatalogue catalogue, int title, in TitleSignals s)
        {
            var titleGenres = catalogue.TitleGenres[title];
            int format = (int)catalogue.Formats[title];
            int devices = System.Numerics.BitOperations.PopCount(s.Devices), parts = System.Numerics.BitOperations.PopCount(s.DayParts);
            Total++;
            Format[format]++;
            foreach (var g in titleGenres) Genre[g] += 1f / titleGenres.Length;
            for (int d = 0; d < Devices; d++)
            {
                if ((s.Devices & (1 << d)) == 0) continue;
                float w = 1f / devices;
                Device[d] += w;
                DeviceFormat[d * Formats + format] += w;
                foreach (var g in titleGenres) DeviceGenre[d * genres + g] += w / titleGenres.Length;
            }
            for (int p = 0; p < Dayparts.Count; p++)
            {
                if ((s.DayParts & (1 << p)) == 0) continue;
                float w = 1f / parts;
                Part[p] += w;
                PartFormat[p * Formats + format] += w;
                foreach (var g in titleGenres) PartGenre[p * genres + g] += w / titleGenres.Length;
            }
        }

        // Shares with one pseudo-count per cell, so that no share is 0 (its log would be -infinity).
        public float[] GenreShares() => Shares(Genre, 1, genres, [Total]);
        public float[] FormatShares() => Shares(Format, 1, Formats, [Total]);
        public float[] DeviceGenreShares() => Shares(DeviceGenre, Devices, genres, Device);
        public float[] PartGenreShares() => Shares(PartGenre, Dayparts.Count, genres, Part);
        public float[] DeviceFormatShares() => Shares(DeviceFormat, Devices, Formats, Device);
        public float[] PartFormatShares() => Shares(PartFormat, Dayparts.Count, Formats, Part);

        private static float[] Shares(float[] counts, int rows, int width, float[] totals)
        {
            var shares = new float[rows * width];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < width; c++)
                    shares[r * width + c] = (counts[r * width + c] + 1f) / (totals[r] + width);
            return shares;
        }
    }
}

/// <summary>
/// The service-wide shares of each genre and format, overall, per device and per part of the day (one pseudo-play per
/// cell), from every member's plays: what a member with few plays in a context is smoothed toward. Saved with a
/// trained model (<see cref="Write"/>, <see cref="Read"/>).
/// </summary>
public sealed class ContextShares
{
    private ContextShares(int genres, float[] genre, float[] format, float[] deviceGenre, float[] partGenre, float[] deviceFormat, float[] partFormat)
    {
        Genres = genres;
        Genre = genre;
        Format = format;
        DeviceGenre = deviceGenre;
        PartGenre = partGenre;
        DeviceFormat = deviceFormat;
        PartFormat = partFormat;
    }

    /// <summary>How many genres the tables cover (those of the catalogue the shares were counted over).</summary>
    public int Genres { get; }
    internal float[] Genre { get; }
    internal float[] Format { get; }
    internal float[] DeviceGenre { get; }
    internal float[] PartGenre { get; }
    internal float[] DeviceFormat { get; }
    internal float[] PartFormat { get; }

    /// <summary>The shares of every member's plays in <paramref name="signals"/>.</summary>
    public static ContextShares Of(SignalSet signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        int genres = signals.Catalogue.Genres.Count;
        var tables = new ContextModel.Tables(genres);
        foreach (var (_, title, s) in signals.AllPairs())
            if (s.Played) tables.Add(signals.Catalogue, title, s);
        return new ContextShares(genres, tables.GenreShares(), tables.FormatShares(), tables.DeviceGenreShares(), tables.PartGenreShares(),
            tables.DeviceFormatShares(), tables.PartFormatShares());
    }

    /// <summary>Writes the shares in the binary form that <see cref="Read"/> reads (kept in a trained model's file).</summary>
    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Genres);
        foreach (var table in new[] { Genre, Format, DeviceGenre, PartGenre, DeviceFormat, PartFormat })
        {
            writer.Write(table.Length);
            foreach (var v in table) writer.Write(v);
        }
    }

    /// <exception cref="InvalidDataException">The tables do not have the sizes their genre count implies.</exception>
    public static ContextShares Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int genres = reader.ReadInt32();
        if (genres < 0 || genres > 1_000_000) throw new InvalidDataException($"context shares: {genres} genres");
        int[] sizes = [genres, ContextModel.Formats, ContextModel.Devices * genres, Dayparts.Count * genres,
            ContextModel.Devices * ContextModel.Formats, Dayparts.Count * ContextModel.Formats];
        var tables = new float[sizes.Length][];
        for (int i = 0; i < sizes.Length; i++)
        {
            int n = reader.ReadInt32();
            if (n != sizes[i]) throw new InvalidDataException($"context shares: table {i} holds {n} values, expected {sizes[i]}");
            var t = new float[n];
            for (int j = 0; j < n; j++) t[j] = reader.ReadSingle();
            tables[i] = t;
        }
        return new ContextShares(genres, tables[0], tables[1], tables[2], tables[3], tables[4], tables[5]);
    }
}
