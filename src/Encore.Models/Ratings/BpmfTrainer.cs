using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Encore.Core;

namespace Encore.Models.Ratings;

/// <summary>
/// Bayesian probabilistic matrix factorization by Gibbs sampling (Salakhutdinov and Mnih, ICML 2008), with
/// optional member and title biases sampled jointly with the factors and the noise precision sampled too
/// (as libFM's MCMC), and by default SVD++'s implicit term (Koren 2008) on the member side: the model is
/// <c>r ≈ μ + b_u + b_i + (p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j) · q_i</c> with N(u) the titles the member rated in
/// training. Each sweep draws the Gaussian-Wishart hyper-parameters of members, every member's vector from
/// its Gaussian conditional, then the same for titles, then for the y_j, then α. The prediction is the mean over
/// the kept samples, which <see cref="FactorRatingModel"/> holds exactly as stacked factors.
/// Members (then titles) are sampled in parallel; each draws from its own (seed, sweep, index) stream, so
/// the result does not depend on the thread count.
/// </summary>
internal sealed class BpmfTrainer(BpmfOptions? options = null) : IRatingTrainer
{
    public const string ModelName = "bpmf";

    public static ModelDescriptor Descriptor { get; } = ModelDescriptor.CreateRating<BpmfOptions>(
        ModelName, "Bayesian probabilistic MF by Gibbs sampling, with biases and an SVD++ implicit term", o => new BpmfTrainer(o),
        r => FactorRatingModel.Load(r, ModelName));

    private const double Beta0 = 2;        // prior strength of the hyper-mean (paper: β0 = 2, μ0 = 0, W0 = I, ν0 = D)
    private const double GammaShape0 = 1;  // Gamma(1, 1) hyper-priors of the bias and noise precisions
    private const double GammaRate0 = 1;

    public BpmfOptions Options { get; } = options ?? new BpmfOptions();
    public string Name => ModelName;

    public IRatingPredictor Fit(InteractionMatrix data, CancellationToken ct = default)
    {
        Options.Validate();
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

        // SVD++'s implicit term: y_j per title and z_u = |N(u)|^-½ Σ_{j∈N(u)} y_j per member, N(u) being the
        // titles the member rated in training; "effective" holds p_u + z_u, what the titles and predictions see.
        var implicitVectors = o.Implicit ? new GibbsSide(d.Titles, factors, factors, biases: false) : null;
        var offsets = o.Implicit ? new double[(long)d.Members * factors] : null;
        var effective = o.Implicit ? new GibbsSide(d.Members, width, factors, o.Biases) : members;

        for (int sweep = 0; sweep < o.BurnIn + samples; sweep++)
        {
            ct.ThrowIfCancellationRequested();
            var hyperRandom = SeededRandom.For(o.Seed, sweep, -1);
            members.SampleHyperParameters(ref hyperRandom);
            members.SampleVectors(titles, d.MemberPointers, d.MemberTitles, d.MemberRatings, d.Mean, alpha,
                o.Seed, 2L * sweep, parallel, offsets);
            if (offsets is not null) effective.SetToSum(members, offsets);
            titles.SampleHyperParameters(ref hyperRandom);
            titles.SampleVectors(effective, d.TitlePointers, d.TitleMembers, d.TitleRatings, d.Mean, alpha,
                o.Seed, 2L * sweep + 1, parallel);
            if (implicitVectors is not null && offsets is not null)
            {
                implicitVectors.SampleHyperParameters(ref hyperRandom);
                implicitVectors.SampleImplicitVectors(d, members, titles, offsets, alpha, o.Seed, -2L - sweep, parallel);
                effective.SetToSum(members, offsets);
            }
            if (o.SampleNoise)
            {
                double sse = SquaredError(d, effective, titles, parallel);
                alpha = hyperRandom.NextGamma(GammaShape0 + d.Count / 2.0) / (GammaRate0 + sse / 2);
            }
            if (sweep >= o.BurnIn)
            {
                int s = sweep - o.BurnIn;
                effective.AddSample(memberStack, stacked, s * factors, 1f / samples, memberBiasSum);
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
        /// <param name="other">The other side (titles when this is the members' side), whose vectors are held fixed.</param>
        /// <param name="pointers">Where each entity's ratings start in <paramref name="indices"/> and <paramref name="ratings"/>.</param>
        /// <param name="indices">The other side's entity of each rating.</param>
        /// <param name="ratings">The ratings, in this side's order.</param>
        /// <param name="mean">The global mean, subtracted from every rating.</param>
        /// <param name="alpha">The precision of the rating noise.</param>
        /// <param name="seed">The sampler's seed.</param>
        /// <param name="stream">The stream id of this draw (sample and side), so that each draw has its own random stream.</param>
        /// <param name="parallel">How many threads draw.</param>
        /// <param name="ownOffsets">Optional per-entity vectors added to this side's factors in the model (the
        /// implicit term z_u of SVD++), held fixed here: each rating's target loses z · q.</param>
        public void SampleVectors(GibbsSide other, int[] pointers, int[] indices, float[] ratings, float mean,
            double alpha, long seed, long stream, ParallelOptions parallel, double[]? ownOffsets = null)
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
                        if (ownOffsets is not null)
                            target -= TensorPrimitives.Dot(new ReadOnlySpan<double>(ownOffsets, e * factors, factors), new ReadOnlySpan<double>(x, 0, factors));
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

        /// <summary>Sets this side's vectors to <paramref name="source"/>'s with <paramref name="offsets"/> added to the factors.</summary>
        public void SetToSum(GibbsSide source, double[] offsets)
        {
            Array.Copy(source.Vectors, Vectors, Vectors.Length);
            for (int e = 0; e < _count; e++)
            {
                var v = Vectors.AsSpan(e * _width, _factors);
                TensorPrimitives.Add(v, new ReadOnlySpan<double>(offsets, e * _factors, _factors), v);
            }
        }

        /// <summary>
        /// Draws the implicit-feedback vectors y_j (this side: titles, factors only) one title after another from
        /// their Gaussian conditionals, given members (p_u, b_u), titles (q_i, b_i) and the rest of y; keeps the
        /// members' implicit terms <paramref name="offsets"/> (z_u = |N(u)|^-½ Σ y_j) current. With
        /// A_u = Σ_{i∈R(u)} q_i q_iᵀ and g_u = Σ_i q_i e_ui, title j's conditional has precision
        /// Λ_y + α Σ_{u∋j} c_u² A_u and linear term Λ_y μ_y + α Σ_{u∋j} c_u (g_u + c_u A_u y_j). Sequential over
        /// titles (each draw changes the residuals of the next), so it is deterministic on any thread count.
        /// </summary>
        public void SampleImplicitVectors(RatingTrainingData d, GibbsSide members, GibbsSide titles, double[] offsets,
            double alpha, long seed, long stream, ParallelOptions parallel)
        {
            int f = _factors, memberWidth = members._width;
            var outer = new double[(long)d.Members * f * f];
            var gradient = new double[(long)d.Members * f];
            var scale = new double[d.Members];
            Parallel.For(0, d.Members, parallel, u =>
            {
                int count = d.MemberPointers[u + 1] - d.MemberPointers[u];
                if (count == 0) return;
                scale[u] = 1 / Math.Sqrt(count);
                var a = outer.AsSpan(u * f * f, f * f);
                var g = gradient.AsSpan(u * f, f);
                var pu = new ReadOnlySpan<double>(members.Vectors, u * memberWidth, f);
                var zu = new ReadOnlySpan<double>(offsets, u * f, f);
                for (int n = d.MemberPointers[u]; n < d.MemberPointers[u + 1]; n++)
                {
                    int i = d.MemberTitles[n];
                    var qi = new ReadOnlySpan<double>(titles.Vectors, i * titles._width, f);
                    double e = d.MemberRatings[n] - d.Mean - TensorPrimitives.Dot(pu, qi) - TensorPrimitives.Dot(zu, qi);
                    if (members._biases) e -= members.Vectors[(long)u * memberWidth + f] + titles.Vectors[(long)i * titles._width + f];
                    TensorPrimitives.MultiplyAdd(qi, e, g, g);
                    for (int r = 0; r < f; r++) TensorPrimitives.MultiplyAdd(qi, qi[r], a.Slice(r * f, f), a.Slice(r * f, f));
                }
            });
            var precision = new double[f * f];
            var linear = new double[f];
            var previous = new double[f];
            var delta = new double[f];
            for (int j = 0; j < _count; j++)
            {
                int start = d.TitlePointers[j], end = d.TitlePointers[j + 1];
                if (start == end) continue; // no member has j in N(u): y_j never enters a prediction
                var yj = Vectors.AsSpan(j * _width, f);
                yj.CopyTo(previous);
                for (int k = 0; k < f * f; k++) precision[k] = _priorPrecision[(k / f) * _width + k % f];
                for (int k = 0; k < f; k++) linear[k] = _priorLinear[k];
                for (int n = start; n < end; n++)
                {
                    int u = d.TitleMembers[n];
                    double c = scale[u];
                    var a = new ReadOnlySpan<double>(outer, u * f * f, f * f);
                    TensorPrimitives.MultiplyAdd(a, alpha * c * c, precision, precision);
                    for (int r = 0; r < f; r++)
                        linear[r] += alpha * c * (gradient[(long)u * f + r] + c * TensorPrimitives.Dot(a.Slice(r * f, f), previous));
                }
                if (!DenseSpd.Cholesky(precision, f))
                    throw new InvalidOperationException("BPMF: an implicit-feedback conditional precision is not positive definite");
                DenseSpd.SolveLower(precision, f, linear);
                var random = SeededRandom.For(seed, stream, j);
                for (int k = 0; k < f; k++) linear[k] += random.NextGaussian();
                DenseSpd.SolveLowerTransposed(precision, f, linear);
                linear.CopyTo(yj);
                TensorPrimitives.Subtract(linear, previous, delta);
                for (int n = start; n < end; n++)
                {
                    int u = d.TitleMembers[n];
                    double c = scale[u];
                    var a = new ReadOnlySpan<double>(outer, u * f * f, f * f);
                    var g = gradient.AsSpan(u * f, f);
                    for (int r = 0; r < f; r++) g[r] -= c * TensorPrimitives.Dot(a.Slice(r * f, f), delta);
                    var z = offsets.AsSpan(u * f, f);
                    TensorPrimitives.MultiplyAdd(delta, c, z, z);
                }
            }
            // Recompute z exactly, so rounding does not drift across sweeps.
            Array.Clear(offsets);
            for (int u = 0; u < d.Members; u++)
            {
                var z = offsets.AsSpan(u * f, f);
                for (int n = d.MemberPointers[u]; n < d.MemberPointers[u + 1]; n++)
                    TensorPrimitives.Add(z, new ReadOnlySpan<double>(Vectors, d.MemberTitles[n] * _width, f), z);
                TensorPrimitives.Multiply(z, scale[u], z);
            }
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
