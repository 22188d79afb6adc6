using Encore.Core;
using Encore.Ranking.ContinueWatching;
using Encore.Signals;
using Encore.Storage;
using Xunit;
using static Encore.Ranking.Tests.Fixtures;

namespace Encore.Ranking.Tests;

/// <summary>Training data through time cuts, the threshold rule, the metrics, and the model file.</summary>
public sealed class ResumeTrainingTests(ResumeModelFixture fixture) : IClassFixture<ResumeModelFixture>
{
    [Fact]
    public void A_cut_sees_only_the_events_before_it_and_labels_a_play_begun_in_its_window()
    {
        var rows = new List<InteractionRow>
        {
            Row(EventKind.PlayStart, Heat, 0, position: 0), Row(EventKind.Stop, Heat, 30, position: 1_800),
            Row(EventKind.PlayStart, Cats, 60, position: 0), Row(EventKind.Stop, Cats, 70, position: 600),
            // Heat is resumed three days after the first cut; Cats only after its window.
            Row(EventKind.PlayStart, Heat, 4 * 24 * 60, position: 1_800), Row(EventKind.Stop, Heat, 4 * 24 * 60 + 20, position: 3_000),
            Row(EventKind.PlayStart, Cats, 9 * 24 * 60, position: 600),
        };
        var collector = new ResumeExampleCollector(new SignalSet(Catalogue(), new IdMap(["m0", "m1"])), [Days(1), Days(5)], TimeSpan.FromDays(7));
        foreach (var row in rows) collector.Apply(row);
        var examples = collector.Finish();

        var first = examples.IndicesOfCut(0).ToDictionary(examples.Title);
        Assert.Equal([Heat, Cats], first.Keys.Order());
        Assert.True(examples.Label(first[Heat]));
        Assert.False(examples.Label(first[Cats]));
        // The progress feature of the first cut is where Heat stood then (30 of 100 minutes), not after the resume.
        Assert.Equal(0.3f, examples.Features(first[Heat])[0], 3);
        var second = examples.IndicesOfCut(1).ToDictionary(examples.Title);
        Assert.Equal(0.5f, examples.Features(second[Heat])[0], 3);
        Assert.True(examples.Label(second[Cats]));
        Assert.Equal((24 * 60 - 20) / (24f * 60), examples.DaysIdle(second[Heat]), 3); // a day less the 20 minutes of the resume
        Assert.Throws<ArgumentException>(() => collector.Apply(Row(EventKind.PlayStart, Heat, 0)));
    }

    [Fact]
    public void The_threshold_loses_at_most_the_allowed_share_of_resumes()
    {
        float[] p = [0.05f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 0.15f, 0.25f];
        bool[] y = [false, true, true, true, true, true, true, true, true, true, false, false];

        Assert.Equal(0.1f, ResumeTraining.ChooseThreshold(p, y, 0.05)); // 9 resumes: none may be lost
        Assert.Equal(0.3f, ResumeTraining.ChooseThreshold(p, y, 0.25)); // 2 of 9 may be lost
        Assert.Equal(0f, ResumeTraining.ChooseThreshold(p, new bool[p.Length], 0.05));
    }

    [Fact]
    public void Auc_and_row_ndcg_measure_the_order()
    {
        bool[] y = [true, false, true, false];
        Assert.Equal(1.0, ResumeMetrics.Auc([0.9f, 0.1f, 0.8f, 0.2f], y));
        Assert.Equal(0.0, ResumeMetrics.Auc([0.1f, 0.9f, 0.2f, 0.8f], y));
        Assert.Equal(0.5, ResumeMetrics.Auc([0.5f, 0.5f, 0.5f, 0.5f], y));
        Assert.True(double.IsNaN(ResumeMetrics.Auc([0.5f], [true])));

        int[] members = [0, 0, 1, 1];
        bool[] all = [true, true, true, true];
        Assert.Equal(1.0, ResumeMetrics.RowNdcg(members, [0.9f, 0.1f, 0.8f, 0.2f], y, all, 10), 9);
        // Member 0's resume second: 1/log2(3); member 1's first: 1.
        Assert.Equal((1 / Math.Log2(3) + 1) / 2, ResumeMetrics.RowNdcg(members, [0.1f, 0.9f, 0.8f, 0.2f], y, all, 10), 9);
        // A resumed title left out of the row is a loss.
        Assert.Equal(0.5, ResumeMetrics.RowNdcg(members, [0.9f, 0.1f, 0.8f, 0.2f], y, [false, true, true, true], 10), 9);
    }

    [Fact]
    public void The_trained_models_were_chosen_on_their_validation_cut_and_beat_recency_there()
    {
        foreach (var model in new[] { fixture.Model, fixture.Logistic })
        {
            var info = model.Info;
            Assert.True(info.ValidationAuc > info.ValidationRecencyAuc, $"{info.Learner}: validation AUC {info.ValidationAuc} vs recency {info.ValidationRecencyAuc}");
            Assert.InRange(model.Threshold, 0.001f, 0.9f);
            Assert.True(info.Positives > 0 && info.Positives < info.Examples);
            Assert.Contains("validation resumes", info.ThresholdRule);
            Assert.NotEmpty(info.Parameters);
        }
    }

    [Fact]
    public void Too_short_a_log_is_refused_with_the_reason()
    {
        var collector = new ResumeExampleCollector(new SignalSet(Catalogue(), new IdMap(["m0"])), [Days(1)], TimeSpan.FromDays(7));
        collector.Apply(Row(EventKind.PlayStart, Heat, 0, position: 0));
        var e = Assert.Throws<InsufficientResumeDataException>(() => ResumeTraining.Fit(collector.Finish(), Days(30)));
        Assert.Contains("at least two cuts", e.Message);
    }

    [Fact]
    public void The_model_file_round_trips_both_learners()
    {
        using var folder = new TempFolder();
        foreach (var model in new[] { fixture.Model, fixture.Logistic })
        {
            var path = folder.File(model.Info.Learner + ".model");
            ResumeModelFile.Save(model, path);
            var loaded = ResumeModelFile.Load(path);

            Assert.Equal(model.Info, loaded.Info);
            Assert.Equal((model.Threshold, model.Bias, model.AbandonShare, model.AbandonDays), (loaded.Threshold, loaded.Bias, loaded.AbandonShare, loaded.AbandonDays));
            Assert.Equal(model.Weights.ToArray(), loaded.Weights.ToArray());
            Assert.Equal(model.Trees?.Trees, loaded.Trees?.Trees);
            var x = new float[ResumeFeatures.Count];
            for (int k = 0; k < 20; k++)
            {
                for (int j = 0; j < x.Length; j++) x[j] = (float)Math.Sin(k * 7 + j);
                Assert.Equal(model.Predict(x), loaded.Predict(x));
            }
            Assert.False(File.Exists(path + ".tmp"));
        }
        Assert.Equal(("lightgbm", "logistic"), (fixture.Model.Info.Learner, fixture.Logistic.Info.Learner));
        Assert.NotNull(fixture.Model.Trees);
        Assert.Null(fixture.Logistic.Trees);
    }

    [Fact]
    public void A_damaged_model_file_is_refused_with_a_clear_message()
    {
        using var folder = new TempFolder();
        var path = folder.File("resume.model");
        ResumeModelFile.Save(fixture.Model, path);
        var bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);
        var truncated = Assert.Throws<InvalidDataException>(() => ResumeModelFile.Load(path));
        Assert.Contains(path, truncated.Message);
        Assert.Contains("truncated", truncated.Message);

        var marker = (byte[])bytes.Clone();
        marker[^1] ^= 0xFF;
        File.WriteAllBytes(path, marker);
        Assert.Contains("end marker", Assert.Throws<InvalidDataException>(() => ResumeModelFile.Load(path)).Message);

        var magic = (byte[])bytes.Clone();
        magic[0] = (byte)'X';
        File.WriteAllBytes(path, magic);
        Assert.Contains("not an Encore resume model", Assert.Throws<InvalidDataException>(() => ResumeModelFile.Load(path)).Message);

        File.WriteAllBytes(path, "ENCORETM"u8.ToArray());
        Assert.Contains("not an Encore resume model", Assert.Throws<InvalidDataException>(() => ResumeModelFile.Load(path)).Message);
    }
}

/// <summary>Encore's own walk of a tree ensemble read out of LightGBM.</summary>
public sealed class ResumeTreesTests
{
    [Fact]
    public void A_stump_goes_left_at_or_below_its_threshold_and_the_calibration_makes_a_probability()
    {
        int f = ResumeFeatures.Count;
        // One split on feature 3 at 0.5: leaf 0 (-1) at or below, leaf 1 (+1) above; a second tree that is a single leaf (0.5, weight 2).
        var trees = new ResumeTrees([0, 1, 1], [0, 2, 3], [3], [0.5f], [~0], [~1], [-1, 1, 0.5], [1, 2], bias: 0.25, slope: -1, offset: 0);
        var x = new float[f];

        x[3] = 0.5f;
        Assert.Equal(1 / (1 + Math.Exp(-(0.25 - 1 + 1))), trees.Predict(x), 6);
        x[3] = 0.51f;
        Assert.Equal(1 / (1 + Math.Exp(-(0.25 + 1 + 1))), trees.Predict(x), 6);
    }

    [Fact]
    public void A_tree_pointing_outside_itself_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new ResumeTrees([0, 1], [0, 2], [3], [0.5f], [~0], [~2], [-1, 1], [1], 0, -1, 0));
        Assert.Contains("outside the tree", e.Message);
        Assert.Throws<ArgumentException>(() => new ResumeTrees([0, 1], [0, 2], [ResumeFeatures.Count], [0.5f], [~0], [~1], [-1, 1], [1], 0, -1, 0));
    }
}
