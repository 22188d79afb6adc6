using System.Diagnostics;
using System.Globalization;
using Encore.Ranking.ContinueWatching;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace Encore.Bench;

/// <summary>
/// LightGBM (Microsoft.ML.LightGbm) as the resume model, for the comparison with the logistic model: trained on the same
/// examples (the cuts whose windows end by the validation cut), its parameters chosen on the validation cut by AUC,
/// refitted on every cut up to the validation cut, and scored on the test indices.
/// </summary>
internal static class LightGbmResume
{
    internal sealed record Result(float[] Scores, string Parameters, double ValidationAuc, double FitSeconds);

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    public static Result TrainAndScore(ResumeExamples examples, long untilMs, int[] test, Action<string> log)
    {
        var c = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();
        int validationCut = -1;
        for (int k = 0; k < examples.CutsMs.Count; k++) if (examples.CutsMs[k] + examples.WindowMs <= untilMs) validationCut = k;
        long validationMs = examples.CutsMs[validationCut];
        var train = examples.IndicesBefore(validationMs);
        var validation = examples.IndicesOfCut(validationCut);
        var ml = new MLContext(seed: 20250106);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ResumeFeatures.Count);
        IDataView View(int[] indices) => ml.Data.LoadFromEnumerable(indices.Select(i => new Row { Features = examples.Features(i).ToArray(), Label = examples.Label(i) }), schema);
        var validationLabels = validation.Select(examples.Label).ToArray();

        (int Leaves, int Iterations, double Rate, int MinLeaf) best = default;
        double bestAuc = double.NegativeInfinity;
        var trainView = View(train);
        var validationView = View(validation);
        foreach (var leaves in new[] { 7, 15, 31 })
        {
            foreach (var iterations in new[] { 100, 300 })
            {
                foreach (var rate in new[] { 0.03, 0.1 })
                {
                    var options = Options(leaves, iterations, rate, 50);
                    var model = ml.BinaryClassification.Trainers.LightGbm(options).Fit(trainView);
                    var scores = model.Transform(validationView).GetColumn<float>("Probability").ToArray();
                    double auc = ResumeMetrics.Auc(scores, validationLabels);
                    log(string.Create(c, $"lightgbm leaves={leaves} iterations={iterations} rate={rate}: validation AUC {auc:F4}"));
                    if (auc > bestAuc) (bestAuc, best) = (auc, (leaves, iterations, rate, 50));
                }
            }
        }
        var all = examples.IndicesBefore(untilMs);
        var final = ml.BinaryClassification.Trainers.LightGbm(Options(best.Leaves, best.Iterations, best.Rate, best.MinLeaf)).Fit(View(all));
        var testScores = final.Transform(View(test)).GetColumn<float>("Probability").ToArray();
        return new Result(testScores, string.Create(c, $"leaves={best.Leaves} iterations={best.Iterations} rate={best.Rate}"), bestAuc, clock.Elapsed.TotalSeconds);
    }

    private static LightGbmBinaryTrainer.Options Options(int leaves, int iterations, double rate, int minLeaf) => new()
    {
        NumberOfLeaves = leaves,
        NumberOfIterations = iterations,
        LearningRate = rate,
        MinimumExampleCountPerLeaf = minLeaf,
        NumberOfThreads = 2,
        Seed = 20250106,
        Silent = true,
    };
}
