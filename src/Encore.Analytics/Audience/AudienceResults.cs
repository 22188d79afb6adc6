namespace Encore.Analytics.Audience;

/// <summary>A title not yet made: its metadata, and optionally existing titles it resembles and the one it stands for (a sequel's original, a remake's source).</summary>
public sealed record ProposedTitle
{
    /// <summary>The proposed title's metadata (its id and name are labels only).</summary>
    public required Core.Title Metadata { get; init; }
    /// <summary>Ids of existing titles it resembles: their factors are blended into the prediction.</summary>
    public IReadOnlyList<string> Resembles { get; init; } = [];
    /// <summary>The id of the existing title it stands for (also blended in, and its audience analysed), or null.</summary>
    public string? Original { get; init; }
}

/// <summary>An expected count of members with its uncertainty range (<see cref="AudienceOptions.RangeCoverage"/> of held-out titles fell inside such ranges).</summary>
public sealed record AudienceEstimate(double Expected, double Low, double High);

/// <summary>A member likely to watch: their id, the model's score, and the calibrated probability that they start the title.</summary>
public sealed record AudienceMember(string MemberId, double Score, double Probability);

/// <summary>The kinds of member segment an audience is broken down by.</summary>
public enum SegmentKind
{
    /// <summary>A taste cluster (k-means over the members' factors).</summary>
    Taste,
    /// <summary>The member's main device.</summary>
    Device,
    /// <summary>The genre the member has begun most titles of.</summary>
    Genre,
}

/// <summary>
/// A segment of members and how much of the predicted audience falls in it: <see cref="ExpectedStarts"/> is the sum of the
/// segment's members' probabilities, <see cref="Share"/> that over the whole expected audience, and <see cref="Lift"/> the
/// share over the segment's share of all members (above 1: over-represented).
/// </summary>
public sealed record AudienceSegment(SegmentKind Kind, string Name, int Members, double ExpectedStarts, double Share, double Lift);

/// <summary>What kind of existing audience an overlap names.</summary>
public enum ExistingAudienceKind
{
    /// <summary>Members who finished a title by the proposed title's director.</summary>
    Director,
    /// <summary>Members who began a title with the proposed title's lead actor.</summary>
    LeadActor,
    /// <summary>Members who began the original.</summary>
    Original,
}

/// <summary>An existing audience the proposed title draws on: its members, the titles that define it, and the predicted starters from it.</summary>
public sealed record ExistingAudience(ExistingAudienceKind Kind, string Label, IReadOnlyList<string> Titles, int Members, double ExpectedStarts);

/// <summary>Two existing audiences' overlap: members in both, and their Jaccard index.</summary>
public sealed record AudiencePairOverlap(string First, string Second, int Both, double Jaccard);

/// <summary>The existing audiences a proposed title draws on, with their sizes and pairwise overlaps (and members in all of them).</summary>
public sealed record AudienceOverlap(IReadOnlyList<ExistingAudience> Audiences, IReadOnlyList<AudiencePairOverlap> Pairs, int InAll);

/// <summary>The predicted audience of a proposed title.</summary>
/// <param name="Members">The members scored.</param>
/// <param name="UnknownFeatures">Metadata the model has not seen on enough titles (unused by the prediction).</param>
/// <param name="Blended">The existing titles whose factors were blended in.</param>
public sealed record AudiencePrediction(string Name, int Members, AudienceEstimate Starts, AudienceEstimate Finishes, double FinishShare,
    IReadOnlyList<AudienceMember> TopMembers, IReadOnlyList<AudienceSegment> Segments, AudienceOverlap Overlap,
    IReadOnlyList<string> UnknownFeatures, IReadOnlyList<string> Blended);

/// <summary>How the audience model fitted: the ridge penalty chosen, and its cross-validated figures on the training titles.</summary>
/// <param name="SizeSpearman">Spearman of the sample's predicted against actual audiences (cross-validated).</param>
/// <param name="RangeLow">The low quantile of ln((actual + 1) / (predicted + 1)) over the sample (the range's lower end).</param>
public sealed record AudienceFitReport(int Titles, int Features, double Penalty, double FactorError, double SizeSpearman, double RangeLow, double RangeHigh)
{
    /// <summary>Whether the expected audience's calibration groups members by their starts in the title's genres (chosen on the sample).</summary>
    public bool SizeByGenre { get; init; }
    /// <summary>Whether the ranking's calibration groups members by their starts in the title's genres (chosen on the sample).</summary>
    public bool RankByGenre { get; init; }
    /// <summary>The sample's mean Recall@100 under the ranking chosen (cross-validated).</summary>
    public double RecallAt100 { get; init; }
}

/// <summary>The settings of <see cref="AudienceModel.Fit"/>.</summary>
public sealed record AudienceOptions
{
    /// <summary>The ridge penalties tried; the one with the least cross-validated factor error on the training titles is kept.</summary>
    public IReadOnlyList<double> Penalties { get; init; } = [0.3, 1, 3, 10, 30];
    /// <summary>Cross-validation folds over the training titles (penalty, calibration and range).</summary>
    public int Folds { get; init; } = 5;
    /// <summary>A metadata feature must be carried by this many training titles to be used.</summary>
    public int MinFeatureTitles { get; init; } = 2;
    /// <summary>Training titles at most used for the probability calibration (a seeded sample).</summary>
    public int CalibrationTitles { get; init; } = 400;
    /// <summary>How much the resembled titles' (and the original's) mean factors weigh against the metadata's prediction.</summary>
    public double ResemblanceWeight { get; init; } = 0.5;
    /// <summary>The share of held-out titles whose audience should fall in the uncertainty range.</summary>
    public double RangeCoverage { get; init; } = 0.8;
    /// <summary>Taste clusters (k-means over the member factors).</summary>
    public int TasteClusters { get; init; } = 8;
    /// <summary>Members listed as most likely to watch.</summary>
    public int TopMembers { get; init; } = 20;
    public int Seed { get; init; } = 13;

    public void Validate()
    {
        if (Penalties.Count == 0 || Penalties.Any(p => !(p > 0))) throw new ArgumentException("the ridge penalties must be positive and at least one");
        if (Folds < 2) throw new ArgumentException($"Folds must be at least 2 (got {Folds})");
        if (MinFeatureTitles < 1) throw new ArgumentException($"MinFeatureTitles must be at least 1 (got {MinFeatureTitles})");
        if (CalibrationTitles < 10) throw new ArgumentException($"CalibrationTitles must be at least 10 (got {CalibrationTitles})");
        if (ResemblanceWeight is < 0 or > 1) throw new ArgumentException($"ResemblanceWeight must be in [0, 1] (got {ResemblanceWeight})");
        if (RangeCoverage is <= 0 or >= 1) throw new ArgumentException($"RangeCoverage must be in (0, 1) (got {RangeCoverage})");
        if (TasteClusters < 1) throw new ArgumentException($"TasteClusters must be at least 1 (got {TasteClusters})");
        if (TopMembers < 0) throw new ArgumentException($"TopMembers must not be negative (got {TopMembers})");
    }
}
