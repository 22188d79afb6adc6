using System.Diagnostics;
using System.Globalization;
using Encore.Cluster.Training;
using Encore.Models.Ials;
using Encore.Models.Numerics;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Encore.Bench;

/// <summary>
/// The distributed iALS fit (Encore.Cluster.Training) against the single-node fit in the same run: wall seconds of the
/// whole fit with 1 and with 2 silos (Orleans TestCluster silos in this process, talking over loopback TCP, one shard per
/// silo), and how far the distributed model is from the single-node one (largest score difference against the largest
/// score, share of members with the same top 20, over up to 2,000 members), and the bytes of payload the coordinator
/// exchanged with the shards in one iteration, against what the previous scheme (the whole other side's factors to
/// every shard each half-iteration, the solved rows back: a fixed size, computed) sent. On ML-100K (u.data) and on the first
/// MEMBERS member rows of the P-SCALE file. All silos share this machine's cores, so 2 silos cannot be faster than 1
/// here: the figures measure the cost of the exchange, not a cluster's speed-up.
/// Usage: ials-distributed [members=100000] [iterations=5] [factors=64] [csv=/tmp/pscale/interactions.csv]
/// </summary>
public sealed class IalsDistributedBench : IBench
{
    public string Name => "ials-distributed";
    public string Description => "distributed iALS over 1 and 2 in-process Orleans silos vs the single-node fit: [members] [iterations] [factors] [csv]";

    public async Task<int> RunAsync(string[] args)
    {
        int members = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        int factors = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
        string csv = args.Length > 3 ? args[3] : "/tmp/pscale/interactions.csv";
        var options = new IalsOptions { Factors = factors, Iterations = iterations, UseRatings = false };
        var sets = new List<(string Name, SparseMatrix Matrix)>
        {
            ("ML-100K", Encore.Evaluation.Interactions.InteractionsFile.LoadCsr(Path.Combine(ModelsTopNData.DataFolder(), "u.data"))),
        };
        if (File.Exists(csv))
        {
            var all = Encore.Evaluation.Interactions.InteractionsFile.LoadCsr(csv);
            int n = Math.Min(members, all.Rows);
            sets.Add(($"P-SCALE first {n:N0} members", CsrSlice.Of(all, 0, n).ToMatrix()));
        }
        else Console.WriteLine($"{csv} not found: P-SCALE skipped (gen_synth.py --csv writes it)");

        var single = new Dictionary<string, (double Seconds, float[] X, float[] Y, int Kp)>();
        foreach (var (name, m) in sets)
        {
            IalsTrainer.Train(m, options with { Iterations = 1 }); // warm-up (JIT)
            var sw = Stopwatch.StartNew();
            var (x, y, kp) = IalsTrainer.Train(m, options);
            single[name] = (sw.Elapsed.TotalSeconds, x, y, kp);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {m.Rows:N0} x {m.Columns:N0}, {m.NonZeros:N0} interactions; single-node fit {single[name].Seconds:F2} s ({iterations} iterations, {factors} factors)"));
        }
        foreach (int silos in new[] { 1, 2 })
        {
            var sw = Stopwatch.StartNew();
            await using var cluster = new TestClusterBuilder((short)silos)
                .AddSiloBuilderConfigurator<SiloConfigurator>()
                .AddClientBuilderConfigurator<ClientConfigurator>()
                .Build();
            await cluster.DeployAsync();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{silos} silo(s) started in {sw.Elapsed.TotalSeconds:F1} s"));
            var coordinator = new DistributedIals(cluster.Client);
            foreach (var (name, m) in sets)
            {
                await coordinator.TrainAsync(m, options with { Iterations = 1 }, silos); // warm-up (JIT, activations)
                sw.Restart();
                var fit = await coordinator.TrainAsync(m, options, silos);
                double seconds = sw.Elapsed.TotalSeconds;
                var reference = single[name];
                var (maxDiff, maxScore, sameTop) = Agreement(m, reference.X, fit.Members, reference.Y, fit.Titles, reference.Kp);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}, {silos} silo(s), {fit.ShardSilos.Count} shard(s) on {fit.ShardSilos.Distinct().Count()} silo(s): {seconds:F2} s = {seconds / reference.Seconds:F2}x the single-node fit; largest score difference {maxDiff:E2} ({maxDiff / maxScore:E2} of the largest score), same top 20 for {sameTop:P1} of members"));
                long perIteration = fit.Exchange.Iterations.Sum() / Math.Max(1, fit.Exchange.Iterations.Count);
                long previous = WholeMatrixBytes(m.Rows, m.Columns, reference.Kp, fit.ShardSilos.Count);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  exchanged per iteration {perIteration / 1e6:F2} MB (previous scheme {previous / 1e6:F2} MB: {(double)perIteration / previous:F2}x); member factors {(long)m.Rows * reference.Kp * sizeof(float) / 1e6:F2} MB, collected once ({fit.Exchange.Collect / 1e6:F2} MB); set-up {fit.Exchange.SetUp / 1e6:F2} MB"));
            }
        }
        Console.WriteLine($"load average {IalsScale.LoadAverage()} (other work may be running: compare the ratios, not the seconds)");
        return 0;
    }

    /// <summary>
    /// Payload bytes of one iteration of the previous scheme: per half-iteration the other side's factors and Gramian to
    /// every shard, and the solved rows and a partial Gramian from every shard back.
    /// </summary>
    private static long WholeMatrixBytes(long members, long titles, int kp, int shards)
    {
        long row = kp * sizeof(float), gramian = (long)kp * kp * sizeof(float);
        long memberHalf = shards * (titles * row + gramian) + members * row + shards * gramian;
        long titleHalf = shards * (members * row + gramian) + titles * row + shards * gramian;
        return memberHalf + titleHalf;
    }

    /// <summary>Largest |score difference|, largest |score| and the share of members with the same top 20, over up to 2,000 members.</summary>
    private static (double MaxDiff, double MaxScore, double SameTop) Agreement(SparseMatrix m, float[] x1, float[] x2, float[] y1, float[] y2, int kp)
    {
        var r = FactorAgreement.Compare(m, x1, y1, x2, y2, kp, memberStep: Math.Max(1, m.Rows / 2000));
        return (r.MaxDifference, r.MaxScore, r.SameTopShare);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
            => siloBuilder.AddIalsTraining().Configure<SiloMessagingOptions>(o =>
            {
                o.ResponseTimeout = TimeSpan.FromMinutes(10);
                o.MaxMessageBodySize = 1 << 30;
            });
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
            => clientBuilder.Configure<ClientMessagingOptions>(o =>
            {
                o.ResponseTimeout = TimeSpan.FromMinutes(10);
                o.MaxMessageBodySize = 1 << 30;
            });
    }
}
