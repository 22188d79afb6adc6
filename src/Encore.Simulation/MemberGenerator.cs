namespace Encore.Simulation;

/// <summary>
/// Draws the members of a simulated service: tastes grouped in communities (so that collaborative
/// filtering has structure to find), a liking for some directors and actors, device, hour and binge
/// habits, patience, rating propensity, joining and churn.
/// </summary>
internal static class MemberGenerator
{
    private const ulong Purpose = 0x3E3BE125;
    private const int Communities = 14;

    private static readonly (string Code, float Weight)[] Languages =
    [
        ("en", 0.66f), ("es", 0.09f), ("ko", 0.04f), ("fr", 0.05f), ("hi", 0.06f), ("ja", 0.03f), ("de", 0.03f),
        ("it", 0.02f), ("pt", 0.01f), ("sv", 0.01f),
    ];

    /// <summary>Devices owned: tv, phone, tablet, web, console.</summary>
    private static readonly double[] Ownership = [0.9, 0.95, 0.45, 0.55, 0.22];

    public static SimMembers Generate(SimulationOptions options, SimCatalogue catalogue)
    {
        int n = options.Members, d = options.LatentDimensions, g = Genres.Count;
        var cal = options.Calibration;
        var rng = SimRandom.Create(options.Seed, Purpose);

        // Communities: a genre profile with a few strong likes and dislikes, and a latent centre.
        var communityAffinity = new float[Communities * g];
        var communityCentre = new float[Communities * d];
        for (int c = 0; c < Communities; c++)
        {
            var aff = communityAffinity.AsSpan(c * g, g);
            for (int k = 0; k < g; k++) aff[k] = (float)rng.Normal(-0.25, 0.35);
            for (int k = 0; k < 3; k++) aff[rng.PickWeighted(Genres.MainGenreWeights)] += 0.9f;
            aff[rng.NextInt(g)] -= 0.8f;
            CatalogueGenerator.FillGaussian(ref rng, communityCentre.AsSpan(c * d, d), 0.9 / Math.Sqrt(d));
        }

        var ids = new string[n];
        var latent = new float[n * d];
        var affinity = new float[n * g];
        var favDirectors = new int[n * SimMembers.FavoriteDirectorSlots];
        var favActors = new int[n * SimMembers.FavoriteActorSlots];
        var language = new string[n];
        var openness = new float[n];
        var kids = new bool[n];
        var deviceWeights = new float[n * 5];
        var deviceHabit = new int[n];
        var peak = new float[n];
        var weekend = new float[n];
        var sessions = new float[n];
        var binge = new float[n];
        var patienceSeconds = new float[n];
        var patienceTitles = new byte[n];
        var choosiness = new float[n];
        var rating = new float[n];
        var pauses = new float[n];
        var joinDay = new int[n];
        var churnDay = new int[n];
        var joined = new DateTime[n];
        double churnHazard = cal.MonthlyChurn / 30.0;
        Span<float> noise = stackalloc float[d];

        for (int m = 0; m < n; m++)
        {
            var r = SimRandom.Create(options.Seed, Purpose, (ulong)m + 1);
            ids[m] = $"m{m + 1:D7}";
            int community = r.Zipf(Communities, 0.7);
            int second = r.NextInt(Communities);
            float mix = (float)r.Uniform(0.0, 0.35);
            kids[m] = r.Chance(0.25);

            var aff = affinity.AsSpan(m * g, g);
            for (int k = 0; k < g; k++)
                aff[k] = (1 - mix) * communityAffinity[community * g + k] + mix * communityAffinity[second * g + k] + (float)r.Normal(0, 0.3);
            if (kids[m])
            {
                aff[Genres.Kids] += 0.9f;
                aff[Genres.Family] += 0.6f;
                aff[Genres.Animation] += 0.6f;
            }
            else aff[Genres.Kids] -= 0.8f;

            // The latent taste leans toward the liked genres' directions and the community centre.
            var u = latent.AsSpan(m * d, d);
            for (int k = 0; k < g; k++)
                CatalogueGenerator.Axpy(u, catalogue.GenreDirection.AsSpan(k * d, d), 0.25f * aff[k]);
            CatalogueGenerator.Axpy(u, communityCentre.AsSpan(community * d, d), 1f - mix);
            CatalogueGenerator.Axpy(u, communityCentre.AsSpan(second * d, d), mix);
            CatalogueGenerator.FillGaussian(ref r, noise, 0.5 / Math.Sqrt(d));
            CatalogueGenerator.Axpy(u, noise, 1f);

            int directorCount = catalogue.DirectorNames.Length, actorCount = catalogue.ActorNames.Length;
            for (int k = 0; k < SimMembers.FavoriteDirectorSlots; k++)
                favDirectors[m * SimMembers.FavoriteDirectorSlots + k] = r.Chance(0.6) ? r.Zipf(directorCount, 1.0) : -1;
            for (int k = 0; k < SimMembers.FavoriteActorSlots; k++)
                favActors[m * SimMembers.FavoriteActorSlots + k] = r.Chance(0.55) ? r.Zipf(actorCount, 0.9) : -1;

            double x = r.NextDouble();
            language[m] = Languages[^1].Code;
            for (int i = 0; i < Languages.Length; i++)
            {
                x -= Languages[i].Weight;
                if (x < 0) { language[m] = Languages[i].Code; break; }
            }
            openness[m] = (float)Math.Pow(r.NextDouble(), 0.7);

            bool anyDevice = false;
            for (int k = 0; k < 5; k++)
            {
                double own = k == 2 && kids[m] ? 0.8 : Ownership[k];
                bool owns = r.Chance(own);
                deviceWeights[m * 5 + k] = owns ? (float)(cal.DeviceSessionWeights[k] * r.LogNormal(1.0, 0.45)) : 0f;
                anyDevice |= owns && cal.DeviceSessionWeights[k] > 0;
            }
            if (!anyDevice) deviceWeights[m * 5 + 1] = Math.Max(0.01f, cal.DeviceSessionWeights[1]);
            deviceHabit[m] = r.NextInt(5) * g + r.PickWeighted(Genres.MainGenreWeights);

            peak[m] = (float)Math.Clamp(r.Normal(20.5, 1.6), 16, 23.5);
            weekend[m] = (float)r.Uniform(1.0, 1.8);
            sessions[m] = (float)r.LogNormal(cal.SessionsPerDayMedian, cal.ActivitySpread);
            binge[m] = (float)Math.Pow(r.NextDouble(), 0.8);
            patienceSeconds[m] = (float)r.Uniform(cal.PatienceSeconds.Min, cal.PatienceSeconds.Max);
            patienceTitles[m] = (byte)r.NextInt(cal.PatienceTitles.Min, cal.PatienceTitles.Max);
            choosiness[m] = (float)r.Normal(1.05, 0.25);
            rating[m] = r.Chance(cal.RaterShare) ? (float)r.Uniform(0.15, 0.6) : 0.004f;
            pauses[m] = (float)r.LogNormal(1.1, 0.5);

            joinDay[m] = options.Days > 1 && r.Chance(cal.JoiningShare) ? r.NextInt(1, options.Days - 1) : 0;
            joined[m] = joinDay[m] > 0
                ? options.StartUtc.AddDays(joinDay[m]).AddHours(peak[m] - 1)
                : options.StartUtc.AddDays(-r.NextInt(1, 2500));
            int churn = (int)(joinDay[m] + r.Exponential(1.0 / churnHazard));
            churnDay[m] = churn >= options.Days || churn < 0 ? int.MaxValue : Math.Max(churn, joinDay[m] + 1);
        }

        // Tastes differ more than they agree: remove the population's shared latent direction and most of the
        // shared genre bias, so no title is loved by nearly everyone (popularity then comes from exposure too).
        Center(latent, n, d, 1.0f);
        Center(affinity, n, g, 0.7f);

        return new SimMembers(n, d)
        {
            Ids = ids, Latent = latent, GenreAffinity = affinity, FavoriteDirectors = favDirectors, FavoriteActors = favActors,
            Language = language, LanguageOpenness = openness, KidsHousehold = kids, DeviceWeights = deviceWeights,
            DeviceGenreHabit = deviceHabit, PeakHour = peak, WeekendBoost = weekend, SessionsPerDay = sessions,
            BingePropensity = binge, PatienceSeconds = patienceSeconds, PatienceTitles = patienceTitles, Choosiness = choosiness,
            RatingPropensity = rating, PausesPerHour = pauses, JoinDay = joinDay, ChurnDay = churnDay, JoinedUtc = joined,
        };
    }

    private static void Center(float[] rows, int n, int width, float share)
    {
        var mean = new double[width];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < width; k++) mean[k] += rows[i * width + k];
        for (int k = 0; k < width; k++) mean[k] = share * mean[k] / n;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < width; k++) rows[i * width + k] -= (float)mean[k];
    }
}
