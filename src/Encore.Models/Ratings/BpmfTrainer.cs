using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// Bayesian probabilistic matrix factorization by Gibbs sampling (Salakhutdinov and Mnih, ICML 2008), with
/// optional member and title biases sampled jointly with the factors and the noise precision sampled too
/// (as libFM's MCMC). Each sweep draws the Gaussian-Wishart hyper-parameters of members, every member's
/// vector from its Gaussian conditional, then the same for titles, then α. The prediction is the mean over
/// the kept samples, which <see cref="FactorRatingModel"/> holds exactly as stacked factors.
/// Members (then titles) are sampled in parallel; each draws from its own (seed, sweep, index) stream, so
/// the result does not depend on the thread count.
/// </summary>
public sealed class BpmfTrainer(BpmfOptions? options = null) : IRatingTrainer
{
    public const string ModelName = "bpmf";
    private const double Beta0 = 2;        // prior strength of the hyper-mean (paper: β0 = 2, μ0 = 0, W0 = I, ν0 = D)
    private const double GammaShape0 = 1;  // Gamma(1, 1) hyper-priors of the bias and noise precisions
    private const double GammaRate0 = 1;

    public BpmfOptions Options { get; } = options ?? new BpmfOptions();
    public string Name => ModelName;

    public IRatingPredictor Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        var d = new RatingTrainingData(data);
        var o = Options;
        int factors = o.Factors;
        int width = factors + (o.Biases ? 1 : 0);
        var members = new GibbsSide(d.Members, width, factors, o.Biases);
        var titles = new GibbsSide(d.Titles, width, factors, o.Biases);
        Initialize(d, members, titles);

        int samples = o.Samples;
        int stacked = factors * samples;
        var memberStack = new float[(long)d.Members * stacked];
        var titleStack = new float[(long)d.Titles * stacked];
        var memberBiasSum = new double[d.Members];
        var titleBiasSum = new double[d.Titles];
        double alpha = o.NoisePrecision;
        var parallel = new ParallelOptions
        {
            CancellationToken = ct,
            MaxDegreeOfParallelism = o.Threads > 0 ? o.Threads : Environment.ProcessorCount,
        };

        for (int sweep = 0; sweep < o.BurnIn + samples; sweep++)
        {
            ct.ThrowIfCancellationRequested();
            var hyperRandom = SeededRandom.For(o.Seed, sweep, -1);
            members.SampleHyperParameters(ref hyperRandom);
            members.SampleVectors(titles, d.MemberPointers, d.MemberTitles, d.MemberRatings, d.Mean, alpha,
                o.Seed, 2L * sweep, parallel);
            titles.SampleHyperParameters(ref hyperRandom);
            titles.SampleVectors(members, d.TitlePointers, d.TitleMembers, d.TitleRatings, d.Mean, alpha,
                o.Seed, 2L * sweep + 1, parallel);
            if (o.SampleNoise)
            {
                double sse = SquaredError(d, members, titles, parallel);
                alpha = hyperRandom.NextGamma(GammaShape0 + d.Count / 2.0) / (GammaRate0 + sse / 2);
            }
            if (sweep >= o.BurnIn)
            {
                int s = sweep - o.BurnIn;
                members.AddSample(memberStack, stacked, s * factors, 1f / samples, memberBiasSum);
                titles.AddSample(titleStack, stacked, s * factors, 1f, titleBiasSum);
            }
        }

        var memberBias = new float[d.Members];
        var titleBias = new float[d.Titles];
        for (int u = 0; u < d.Members; u++) memberBias[u] = (float)(memberBiasSum[u] / samples);
        for (int i = 0; i < d.Titles; i++) titleBias[i] = (float)(titleBiasSum[i] / samples);
        return new FactorRatingModel(Name, data.MemberIds, data.TitleIds, d.Mean, memberBias, titleBias, stacked,
            memberStack, titleStack, d.MinRating, d.MaxRating);
    }

    private void Initialize(RatingTrainingData d, GibbsSide members, GibbsSide titles)
    {
        var random = SeededRandom.For(Options.Seed, -1, -1);
        members.InitializeFactors(ref random, Options.InitStd);
        titles.InitializeFactors(ref random, Options.InitStd);
        if (Options.Biases)
        {
            // Start the biases at the damped baseline so the chain begins near the mode.
            var (memberBias, titleBias) = BaselineTrainer.FitBiases(d, new BaselineOptions(), CancellationToken.None);
            members.SetBiases(memberBias);
            titles.SetBiases(titleBias);
        }
    }

    private static double SquaredError(RatingTrainingData d, GibbsSide members, GibbsSide titles, ParallelOptions parallel)
    {
        const int chunkSize = 128;
        int chunks = (d.Members + chunkSize - 1) / chunkSize;
        var partial = new double[chunks];
        Parallel.For(0, chunks, parallel, chunk =>
        {
            double sse = 0;
            int end = Math.Min(d.Members, (chunk + 1) * chunkSize);
            for (int u = chunk * chunkSize; u < end; u++)
            {
                for (int p = d.MemberPointers[u]; p < d.MemberPointers[u + 1]; p++)
                {
                    double e = d.MemberRatings[p] - d.Mean - members.Predict(u, titles, d.MemberTitles[p]);
                    sse += e * e;
                }
            }
            partial[chunk] = sse;
        });
        double total = 0;
        foreach (var x in partial) total += x; // fixed order: the sum is the same on any thread count
        return total;
    }

    /// <summary>
    /// One side (members or titles) of the sampler: each entity's vector [factors..., bias] in doubles, and
    /// the hyper-parameters of its prior: a Gaussian-Wishart draw for the factors, a Gamma-distributed
    /// precision (mean 0) for the bias.
    /// </summary>
    private sealed class GibbsSide
    {
        private readonly int _count, _width, _factors;
        private readonly bool _biases;
        private readonly double[] _priorPrecision; // width x width, block-diagonal
        private readonly double[] _priorLinear;    // prior precision x prior mean
        private readonly double[] _scratchA, _scratchB, _scratchC, _column, _solveColumn;

        public GibbsSide(int count, int width, int factors, bool biases)
        {
            _count = count;
            _width = width;
            _factors = factors;
            _biases = biases;
            Vectors = new double[(long)count * width];
            _priorPrecision = new double[width * width];
            _priorLinear = new double[width];
            for (int k = 0; k < width; k++) _priorPrecision[k * width + k] = 1;
            _scratchA = new double[factors * factors];
            _scratchB = new double[factors * factors];
            _scratchC = new double[factors * factors];
            _column = new double[factors];
            _solveColumn = new double[factors];
        }

        public double[] Vectors { get; }

        public void InitializeFactors(ref SeededRandom random, float std)
        {
            for (int e = 0; e < _count; e++)
                for (int k = 0; k < _factors; k++)
                    Vectors[(long)e * _width + k] = std * random.NextGaussian();
        }

        public void SetBiases(float[] bias)
        {
            for (int e = 0; e < _count; e++) Vectors[(long)e * _width + _factors] = bias[e];
        }

        /// <summary>The centred prediction (biases + dot product) of entity <paramref name="e"/> with <paramref name="j"/> of the other side.</summary>
        public double Predict(int e, GibbsSide other, int j)
        {
            var a = new ReadOnlySpan<double>(Vectors, e * _width, _factors);
            var b = new ReadOnlySpan<double>(other.Vectors, j * _width, _factors);
            double r = TensorPrimitives.Dot(a, b);
            if (_biases) r += Vectors[(long)e * _width + _factors] + other.Vectors[(long)j * _width + _factors];
            return r;
        }

        /// <summary>Draws (μ, Λ) of the factors from their Gaussian-Wishart posterior, and the bias precision.</summary>
        public void SampleHyperParameters(ref SeededRandom random)
        {
            int f = _factors;
            var mean = _column.AsSpan(0, f);
            mean.Clear();
            for (int e = 0; e < _count; e++)
                TensorPrimitives.Add(mean, new ReadOnlySpan<double>(Vectors, e * _width, f), mean);
            TensorPrimitives.Divide(mean, _count, mean);

            // W*⁻¹ = W0⁻¹ + Σ (x - x̄)(x - x̄)ᵀ + β0 N / (β0 + N) x̄ x̄ᵀ, with W0 = I and μ0 = 0.
            var wInverse = _scratchA.AsSpan();
            wInverse.Clear();
            for (int e = 0; e < _count; e++)
            {
                var x = new ReadOnlySpan<double>(Vectors, e * _width, f);
                for (int a = 0; a < f; a++)
                {
                    double xa = x[a] - mean[a];
                    for (int b = 0; b <= a; b++) wInverse[a * f + b] += xa * (x[b] - mean[b]);
                }
            }
            double shrink = Beta0 * _count / (Beta0 + _count);
            for (int a = 0; a < f; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    double v = wInverse[a * f + b] + shrink * mean[a] * mean[b] + (a == b ? 1 : 0);
                    wInverse[a * f + b] = v;
                    wInverse[b * f + a] = v;
                }
            }
            if (!DenseSpd.Cholesky(wInverse, f)) throw new InvalidOperationException("BPMF: the Wishart scale matrix is not positive definite (the chain diverged)");
            var w = _scratchB.AsSpan();
            DenseSpd.InverseFromCholesky(wInverse, f, w, _solveColumn);
            if (!DenseSpd.Cholesky(w, f)) throw new InvalidOperationException("BPMF: the Wishart scale matrix is not positive definite");

            // Bartlett: Λ = (C A)(C A)ᵀ with C = chol(W*), A lower with A_ii² ~ χ²(ν* - i), A_ij ~ N(0, 1).
            double nu = f + _count;
            var ca = _scratchC.AsSpan();
            ca.Clear();
            var a2 = wInverse; // reuse as A
            a2.Clear();
            for (int i = 0; i < f; i++)
            {
                a2[i * f + i] = Math.Sqrt(2 * random.NextGamma((nu - i) / 2));
                for (int j = 0; j < i; j++) a2[i * f + j] = random.NextGaussian();
            }
            for (int i = 0; i < f; i++)
                for (int j = 0; j <= i; j++)
                {
                    double s = 0;
                    for (int k = j; k <= i; k++) s += w[i * f + k] * a2[k * f + j];
                    ca[i * f + j] = s;
                }
            var lambda = a2; // Λ = (CA)(CA)ᵀ
            for (int i = 0; i < f; i++)
                for (int j = 0; j <= i; j++)
                {
                    double s = 0;
                    for (int k = 0; k <= j; k++) s += ca[i * f + k] * ca[j * f + k];
                    lambda[i * f + j] = s;
                    lambda[j * f + i] = s;
                }
            for (int i = 0; i < f; i++)
                for (int j = 0; j < f; j++)
                    _priorPrecision[i * _width + j] = lambda[i * f + j];

            // μ ~ N(μ*, (β* Λ)⁻¹), μ* = N x̄ / (β0 + N).
            double betaStar = Beta0 + _count;
            var chol = _scratchC.AsSpan();
            for (int i = 0; i < f * f; i++) chol[i] = betaStar * lambda[i];
            if (!DenseSpd.Cholesky(chol, f)) throw new InvalidOperationException("BPMF: the sampled precision is not positive definite");
            Span<double> z = stackalloc double[f];
            for (int i = 0; i < f; i++) z[i] = random.NextGaussian();
            DenseSpd.SolveLowerTransposed(chol, f, z);
            double meanScale = _count / (Beta0 + _count);
            Span<double> mu = stackalloc double[f];
            for (int i = 0; i < f; i++) mu[i] = meanScale * mean[i] + z[i];
            for (int i = 0; i < f; i++)
            {
                double s = 0;
                for (int j = 0; j < f; j++) s += lambda[i * f + j] * mu[j];
                _priorLinear[i] = s;
            }

            if (_biases)
            {
                double sumSquares = 0;
                for (int e = 0; e < _count; e++)
                {
                    double b = Vectors[(long)e * _width + _factors];
                    sumSquares += b * b;
                }
                double precision = random.NextGamma(GammaShape0 + _count / 2.0) / (GammaRate0 + sumSquares / 2);
                _priorPrecision[_factors * _width + _factors] = precision;
                _priorLinear[_factors] = 0;
            }
        }

        /// <summary>Draws every entity's vector from its Gaussian conditional given the other side.</summary>
        public void SampleVectors(GibbsSide other, int[] pointers, int[] indices, float[] ratings, float mean,
            double alpha, long seed, long stream, ParallelOptions parallel)
        {
            const int chunkSize = 32;
            int chunks = (_count + chunkSize - 1) / chunkSize;
            int width = _width, factors = _factors;
            // Rows of the data Gram matrix are padded to whole 4-double vectors: α x xᵀ is then width x
            // (stride / 4) vector multiply-adds per rating, the cost that dominates a sweep.
            int stride = (width + 3) & ~3;
            Parallel.For(0, chunks, parallel, chunk =>
            {
                var precision = new double[width * width];
                var gram = new double[width * stride];
                var linear = new double[width];
                var x = new double[stride];
                int end = Math.Min(_count, (chunk + 1) * chunkSize);
                for (int e = chunk * chunkSize; e < end; e++)
                {
                    Array.Clear(gram);
                    Array.Clear(linear);
                    for (int p = pointers[e]; p < pointers[e + 1]; p++)
                    {
                        int j = indices[p];
                        new ReadOnlySpan<double>(other.Vectors, j * width, factors).CopyTo(x);
                        double target = ratings[p] - mean;
                        if (_biases)
                        {
                            x[factors] = 1;
                            target -= other.Vectors[(long)j * width + factors];
                        }
                        AddOuterProduct(gram, x, width, stride, alpha);
                        for (int a = 0; a < width; a++) linear[a] += alpha * target * x[a];
                    }
                    for (int a = 0; a < width; a++)
                    {
                        for (int b = 0; b < width; b++) precision[a * width + b] = _priorPrecision[a * width + b] + gram[a * stride + b];
                        linear[a] += _priorLinear[a];
                    }
                    if (!DenseSpd.Cholesky(precision, width))
                        throw new InvalidOperationException("BPMF: a conditional precision is not positive definite (the chain diverged)");
                    DenseSpd.SolveLower(precision, width, linear);
                    var random = SeededRandom.For(seed, stream, e);
                    for (int k = 0; k < width; k++) linear[k] += random.NextGaussian();
                    DenseSpd.SolveLowerTransposed(precision, width, linear);
                    linear.CopyTo(Vectors.AsSpan(e * width, width));
                }
            });
        }

        /// <summary>gram += α x xᵀ over padded rows (x's padding is zero, so the padding columns stay zero).</summary>
        private static void AddOuterProduct(double[] gram, double[] x, int width, int stride, double alpha)
        {
            ref double x0 = ref MemoryMarshal.GetArrayDataReference(x);
            ref double g0 = ref MemoryMarshal.GetArrayDataReference(gram);
            for (int a = 0; a < width; a++)
            {
                var ax = Vector256.Create(alpha * x[a]);
                ref double row = ref Unsafe.Add(ref g0, a * stride);
                for (int v = 0; v < stride; v += 4)
                {
                    var sum = Vector256.LoadUnsafe(ref row, (nuint)v) + ax * Vector256.LoadUnsafe(ref x0, (nuint)v);
                    sum.StoreUnsafe(ref row, (nuint)v);
                }
            }
        }

        /// <summary>Copies the current factors (scaled) into sample slot <paramref name="offset"/> of the stack, and adds the biases.</summary>
        public void AddSample(float[] stack, int stride, int offset, float scale, double[] biasSum)
        {
            for (int e = 0; e < _count; e++)
            {
                var source = new ReadOnlySpan<double>(Vectors, e * _width, _factors);
                var target = stack.AsSpan((int)((long)e * stride + offset), _factors);
                for (int k = 0; k < _factors; k++) target[k] = (float)(scale * source[k]);
                if (_biases) biasSum[e] += Vectors[(long)e * _width + _factors];
            }
        }
    }
}
