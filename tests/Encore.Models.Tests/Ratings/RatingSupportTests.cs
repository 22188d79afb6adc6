using Encore.Models.Ratings;
using Xunit;

namespace Encore.Models.Tests.Ratings;

public sealed class RatingSupportTests
{
    [Fact]
    public void Cholesky_solves_and_inverts_a_positive_definite_matrix()
    {
        double[] a = [4, 2, 0.4, 2, 5, 1, 0.4, 1, 3];
        var l = (double[])a.Clone();
        Assert.True(DenseSpd.Cholesky(l, 3));
        var inverse = new double[9];
        DenseSpd.InverseFromCholesky(l, 3, inverse, new double[3]);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
            {
                double s = 0;
                for (int k = 0; k < 3; k++) s += a[r * 3 + k] * inverse[k * 3 + c];
                Assert.Equal(r == c ? 1 : 0, s, 10);
            }
        double[] b = [1, 2, 3];
        DenseSpd.SolveLower(l, 3, b);
        DenseSpd.SolveLowerTransposed(l, 3, b);
        for (int r = 0; r < 3; r++) Assert.Equal(r + 1, a[r * 3] * b[0] + a[r * 3 + 1] * b[1] + a[r * 3 + 2] * b[2], 10);
        double[] notPd = [1, 2, 2, 1];
        Assert.False(DenseSpd.Cholesky(notPd, 2));
    }

    [Fact]
    public void Random_streams_are_reproducible_and_draws_have_the_right_moments()
    {
        var a = SeededRandom.For(5, 1, 2);
        var b = SeededRandom.For(5, 1, 2);
        var c = SeededRandom.For(5, 1, 3);
        Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(a.NextUInt64(), c.NextUInt64());
        var r = new SeededRandom(11);
        const int n = 200_000;
        double gaussSum = 0, gaussSquares = 0, gammaSum = 0, smallGammaSum = 0;
        for (int k = 0; k < n; k++)
        {
            double g = r.NextGaussian();
            gaussSum += g;
            gaussSquares += g * g;
            gammaSum += r.NextGamma(3.5);
            smallGammaSum += r.NextGamma(0.5);
        }
        Assert.Equal(0, gaussSum / n, 2);
        Assert.Equal(1, gaussSquares / n, 1);
        Assert.Equal(3.5, gammaSum / n, 1);
        Assert.Equal(0.5, smallGammaSum / n, 1);
    }

    [Fact]
    public void A_holdout_partitions_the_training_ratings()
    {
        var data = SyntheticRatings.Create();
        var split = RatingHoldout.Split(data, 0.2, seed: 9);
        Assert.Equal(data.NonZeros, split.Train.NonZeros + split.Ratings.Length);
        Assert.InRange(split.Ratings.Length, data.NonZeros * 0.15, data.NonZeros * 0.25);
        Assert.Same(data.MemberIds, split.Train.MemberIds);
        var seen = new HashSet<(int, int)>();
        for (int u = 0; u < split.Train.Rows; u++)
            foreach (var t in split.Train.RowColumns(u)) seen.Add((u, t));
        for (int k = 0; k < split.Ratings.Length; k++) Assert.True(seen.Add((split.Members[k], split.Titles[k])), "a pair is on both sides");
        Assert.Equal(data.NonZeros, seen.Count);
        var again = RatingHoldout.Split(data, 0.2, seed: 9);
        Assert.Equal(split.Members, again.Members);
        Assert.Equal(split.Titles, again.Titles);
    }

    [Fact]
    public void A_file_that_is_not_a_rating_model_is_refused_with_its_name()
    {
        using var stream = new MemoryStream([1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.LoadRating(stream));
        Assert.Contains("not an Encore model file", e.Message);
        using var folder = new Encore.TestSupport.TempFolder();
        var path = folder.File("model.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("model.bin", Assert.Throws<InvalidDataException>(() => ModelFile.LoadRating(path)).Message);
        var unknown = Assert.Throws<ArgumentException>(() => ModelCatalog.CreateRatingTrainer("nope"));
        Assert.Contains("bpmf", unknown.Message);
    }
}
