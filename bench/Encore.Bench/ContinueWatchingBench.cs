using System.Diagnostics;
using System.Globalization;
using Encore.Evaluation.Simulation;
using Encore.Ranking.ContinueWatching;
using Encore.Simulation;
using Encore.Storage;

namespace Encore.Bench;

/// <summary>
/// Continue Watching on P-SIM (issue 11): the resume model is trained on cuts of the training days only (its penalty and
/// threshold chosen on the last of them, the validation cut), then scored at the cut at the P-SIM test split, with labels
/// from the 7 test days after it: the AUC of resume-within-7-days and the NDCG@10 of each member's row, for the learned
/// order against ordering by recency (most recently played first), and the +0.05 AUC target. Both learners are trained
/// on the same cuts, their parameters chosen on the same validation cut: LightGBM (the default) and the logistic model.
/// With "truth", diagnostics of the ceiling from the simulator's hidden truth (never used by the model).
/// Usage: continue-watching DB [truth] [step-days=2]
/// </summary>
public sealed class ContinueWatchingBench : IBench
{
    public string Name => "continue-watching";
    public string Description => "Continue Watching on P-SIM: learned resume model vs recency (AUC, row NDCG): DB [truth] [step-days]";

    private const int RowK = 10;

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: continue-watching DB [truth] [step-days=2]");
            return 2;
        }
        var c = CultureInfo.InvariantCulture;
        var step = args.Skip(1).FirstOrDefault(a => a.All(char.IsDigit));
        var options = new ResumeTrainingOptions { StepDays = step is null ? 2 : int.Parse(step, c) };
        var clock = Stopwatch.StartNew();
        await using var store = await SqliteEventStore.OpenReadOnlyAsync(args[0]);
        var manifest = await SimulatedDatabase.RequireFinishedAsync(store);
        long startMs = new DateTimeOffset(DateTime.SpecifyKind(manifest.StartUtc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
        long testMs = startMs + (manifest.Days - PSimProtocol.TestDays) * 86_400_000L;
        var cuts = new List<long>(ResumeTraining.Cuts(startMs, testMs, options)) { testMs };
        var (examples, _) = await ResumeExampleCollector.LoadAsync(store, cuts, options.Window);
        double readSeconds = clock.Elapsed.TotalSeconds;
        var log = new Progress<string>(Console.Error.WriteLine);
        var fitClock = Stopwatch.StartNew();
        var logistic = ResumeTraining.Fit(examples, testMs, options with { Learner = ResumeLearner.Logistic }, log);
        double logisticSeconds = fitClock.Elapsed.TotalSeconds;
        fitClock.Restart();
        var model = ResumeTraining.Fit(examples, testMs, options with { Learner = ResumeLearner.LightGbm }, log);
        double lightGbmSeconds = fitClock.Elapsed.TotalSeconds;

        var test = examples.IndicesOfCut(cuts.Count - 1);
        int n = test.Length;
        var labels = new bool[n];
        var members = new int[n];
        var recency = new float[n];
        var all = new bool[n];
        int resumes = 0;
        for (int i = 0; i < n; i++)
        {
            int e = test[i];
            labels[i] = examples.Label(e);
            members[i] = examples.Member(e);
            recency[i] = -examples.DaysIdle(e);
            all[i] = true;
            if (labels[i]) resumes++;
        }
        double aucRecency = ResumeMetrics.Auc(recency, labels);
        double ndcgRecency = ResumeMetrics.RowNdcg(members, recency, labels, all, RowK);
        int membersWithResume = CountMembersWithResume(members, labels);

        Console.WriteLine(string.Create(c, $"Continue Watching on P-SIM: {manifest.Describe()}"));
        Console.WriteLine(string.Create(c,
            $"command: dotnet run -c Release --project bench/Encore.Bench -- continue-watching {string.Join(' ', args)} (cuts every {options.StepDays} days)"));
        Console.WriteLine(string.Create(c,
            $"test cut {DateTime.UnixEpoch.AddMilliseconds(testMs):yyyy-MM-dd} (the P-SIM split), labels from the 7 test days after it: {n:N0} candidates of {CountMembers(members):N0} members, {resumes:N0} resumed ({(double)resumes / n:P1}); {membersWithResume:N0} members resumed something"));
        Console.WriteLine(string.Create(c,
            $"training: {model.Info.Cuts} cuts from {DateTime.UnixEpoch.AddMilliseconds(cuts[0]):yyyy-MM-dd} every {options.StepDays} days, windows ending by the split; validation cut {model.Info.ValidationCutUtc:yyyy-MM-dd} (recency AUC there {model.Info.ValidationRecencyAuc:F4}); {model.Info.Examples:N0} examples, {model.Info.Positives:N0} resumed"));
        Console.WriteLine();
        Console.WriteLine("| order | chosen on validation | validation AUC | AUC resume-within-7-days | NDCG@10 of the row | row | fit |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Console.WriteLine(string.Create(c, $"| recency (most recently played first) | | {model.Info.ValidationRecencyAuc:F4} | {aucRecency:F4} | {ndcgRecency:F4} | every candidate | |"));
        var scores = new Dictionary<string, float[]>();
        foreach (var (name, m, seconds) in new[] { ("logistic", logistic, logisticSeconds), ("LightGBM (the default)", model, lightGbmSeconds) })
        {
            var p = new float[n];
            var shown = new bool[n];
            int dropped = 0, droppedResumes = 0, rule = 0;
            for (int i = 0; i < n; i++)
            {
                var x = examples.Features(test[i]);
                p[i] = m.Predict(x);
                shown[i] = m.Keeps(x, p[i], examples.DaysIdle(test[i]));
                if (m.AbandonedEarly(x, examples.DaysIdle(test[i]))) rule++;
                if (!shown[i]) { dropped++; if (labels[i]) droppedResumes++; }
            }
            scores[name] = p;
            double auc = ResumeMetrics.Auc(p, labels);
            Console.WriteLine(string.Create(c,
                $"| {name} | {m.Info.Parameters} | {m.Info.ValidationAuc:F4} | {auc:F4} ({auc - aucRecency:+0.0000;-0.0000}) | {ResumeMetrics.RowNdcg(members, p, labels, all, RowK):F4} | every candidate | {seconds:F1} s |"));
            Console.WriteLine(string.Create(c,
                $"| {name}, predicted abandoned left out | threshold {m.Threshold:F4} | | | {ResumeMetrics.RowNdcg(members, p, labels, shown, RowK):F4} | {n - dropped:N0} of {n:N0}: {dropped:N0} left out ({(double)dropped / n:P1}; {rule:N0} by the early-abandonment rule), {droppedResumes:N0} of them resumed ({(resumes == 0 ? 0 : (double)droppedResumes / resumes):P1} of all resumes) | |"));
        }
        var learned = scores["LightGBM (the default)"];

        if (args.Skip(1).Any(a => a.Equals("truth", StringComparison.OrdinalIgnoreCase)))
        {
            // How much the hidden taste could add (a diagnostic of the ceiling, never used by the model): the learned
            // log-odds plus a times the member's hidden utility of the title less the member's choosiness, a chosen on the validation cut.
            var world = new SimulatedService(manifest.ToOptions());
            var signals = (await ResumeExampleCollector.LoadAsync(store, [], options.Window)).Signals;
            // The member's hidden choosiness (internal to the simulator; read by reflection for this diagnostic only).
            var choosiness = (float[])typeof(SimMembers).GetProperty("Choosiness", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(world.Members)!;
            float Margin(int e) => world.Truth.Utility(signals.MemberIds[examples.Member(e)], signals.Catalogue.TitleIds[examples.Title(e)])
                - choosiness[world.Members.IndexOf(signals.MemberIds[examples.Member(e)])];
            var validation = examples.IndicesOfCut(cuts.Count - 2);
            var validationLabels = validation.Select(examples.Label).ToArray();
            double bestA = 0, bestAuc = 0;
            foreach (var a in new[] { 0.0, 0.25, 0.5, 1, 2, 4 })
            {
                var sv = validation.Select(e => (float)(Logit(model.Predict(examples.Features(e))) + a * Margin(e))).ToArray();
                double auc = ResumeMetrics.Auc(sv, validationLabels);
                if (auc > bestAuc) (bestA, bestAuc) = (a, auc);
            }
            var st = new float[n];
            for (int i = 0; i < n; i++) st[i] = (float)(Logit(learned[i]) + bestA * Margin(test[i]));
            Console.WriteLine(string.Create(c, $"| diagnostic: hidden utility - choosiness alone | | | {ResumeMetrics.Auc(test.Select(Margin).ToArray(), labels):F4} | | | |"));
            Console.WriteLine(string.Create(c, $"| diagnostic: LightGBM + {bestA} x (hidden utility - choosiness) | | {bestAuc:F4} | {ResumeMetrics.Auc(st, labels):F4} | {ResumeMetrics.RowNdcg(members, st, labels, all, RowK):F4} | | |"));
            // And whether the member came back at all in the 7 days (known only afterwards).
            var back = new HashSet<int>();
            await foreach (var row in store.ReadInteractionsAsync(new EventQuery { FromUtc = DateTime.UnixEpoch.AddMilliseconds(testMs), ToUtc = DateTime.UnixEpoch.AddMilliseconds(testMs + examples.WindowMs) }))
                back.Add(row.Member);
            var sb = new float[n];
            for (int i = 0; i < n; i++) sb[i] = (float)(Logit(learned[i]) + (back.Contains(members[i]) ? 20 : 0));
            var onlyBack = Enumerable.Range(0, n).Where(i => back.Contains(members[i])).ToArray();
            Console.WriteLine(string.Create(c, $"| diagnostic: LightGBM, members who came back in the 7 days first (future knowledge; {back.Count:N0} came back) | | | {ResumeMetrics.Auc(sb, labels):F4} | | | |"));
            Console.WriteLine(string.Create(c, $"| diagnostic: among the members who came back, LightGBM / recency | | | {ResumeMetrics.Auc(onlyBack.Select(i => learned[i]).ToArray(), onlyBack.Select(i => labels[i]).ToArray()):F4} / {ResumeMetrics.Auc(onlyBack.Select(i => recency[i]).ToArray(), onlyBack.Select(i => labels[i]).ToArray()):F4} | | | |"));
        }
        Console.WriteLine();
        double gain = ResumeMetrics.Auc(learned, labels) - aucRecency;
        Console.WriteLine(string.Create(c, $"target +0.05 AUC over recency: {(gain >= 0.05 ? "met" : "NOT met")} ({gain:+0.0000;-0.0000}; logistic {ResumeMetrics.Auc(scores["logistic"], labels) - aucRecency:+0.0000;-0.0000})"));
        Console.WriteLine(string.Create(c,
            $"read and cut the log {readSeconds:F1} s, total {clock.Elapsed.TotalSeconds:F1} s; load average {LoadAverage()} on {Environment.ProcessorCount} cores"));
        Console.WriteLine();
        Console.WriteLine("logistic weights (standardized features, largest first):");
        var order = Enumerable.Range(0, ResumeFeatures.Count).OrderByDescending(j => Math.Abs(logistic.Weights[j])).ToArray();
        foreach (int j in order) Console.WriteLine(string.Create(c, $"  {ResumeFeatures.Names[j],-34} {logistic.Weights[j],8:+0.000;-0.000}"));
        return 0;
    }

    private static double Logit(float p) => Math.Log(Math.Max(p, 1e-6) / Math.Max(1 - p, 1e-6));

    private static int CountMembers(int[] members)
    {
        int count = 0;
        for (int i = 0; i < members.Length; i++) if (i == 0 || members[i] != members[i - 1]) count++;
        return count;
    }

    private static int CountMembersWithResume(int[] members, bool[] labels)
    {
        var set = new HashSet<int>();
        for (int i = 0; i < members.Length; i++) if (labels[i]) set.Add(members[i]);
        return set.Count;
    }

    internal static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }
}
