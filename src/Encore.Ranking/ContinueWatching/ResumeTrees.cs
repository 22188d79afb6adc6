using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace Encore.Ranking.ContinueWatching;

/// <summary>
/// A boosted tree ensemble as the resume model keeps it: every tree's numerical splits (feature, threshold, the child
/// taken at or below it and above it; a negative child is the leaf ~child) and leaf values, the tree weights, the bias,
/// and the Platt calibration of the summed score: P = 1 / (1 + exp(slope * score + offset)). Trained by LightGBM through
/// Microsoft.ML.LightGbm (<see cref="LightGbmResume"/>) and read out of it, so that scoring a row needs neither ML.NET
/// nor the native library, allocates nothing, and the model file is Encore's own.
/// </summary>
public sealed class ResumeTrees
{
    private readonly int[] _nodeStart, _leafStart, _feature, _left, _right;
    private readonly float[] _threshold;
    private readonly double[] _leafValue, _treeWeight;

    public ResumeTrees(int[] nodeStart, int[] leafStart, int[] feature, float[] threshold, int[] left, int[] right, double[] leafValue,
        double[] treeWeight, double bias, double slope, double offset)
    {
        ArgumentNullException.ThrowIfNull(nodeStart);
        ArgumentNullException.ThrowIfNull(leafStart);
        ArgumentNullException.ThrowIfNull(feature);
        ArgumentNullException.ThrowIfNull(threshold);
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(leafValue);
        ArgumentNullException.ThrowIfNull(treeWeight);
        int trees = treeWeight.Length;
        if (nodeStart.Length != trees + 1 || leafStart.Length != trees + 1)
            throw new ArgumentException($"{trees} trees need {trees + 1} node and leaf offsets");
        if (nodeStart[^1] != feature.Length || feature.Length != threshold.Length || feature.Length != left.Length || feature.Length != right.Length
            || leafStart[^1] != leafValue.Length)
            throw new ArgumentException("the node and leaf arrays do not match their offsets");
        for (int t = 0; t < trees; t++)
        {
            int nodes = nodeStart[t + 1] - nodeStart[t], leaves = leafStart[t + 1] - leafStart[t];
            if (nodes < 0 || leaves < 1 || (nodes > 0 && leaves != nodes + 1)) throw new ArgumentException($"tree {t} has {nodes} splits and {leaves} leaves");
            for (int n = nodeStart[t]; n < nodeStart[t + 1]; n++)
            {
                if ((uint)feature[n] >= (uint)ResumeFeatures.Count) throw new ArgumentException($"tree {t} splits on feature {feature[n]}, which does not exist");
                foreach (int child in (ReadOnlySpan<int>)[left[n], right[n]])
                    if (child >= nodes || (child < 0 && ~child >= leaves)) throw new ArgumentException($"tree {t} has a child {child} outside the tree");
            }
        }
        foreach (var v in leafValue) if (!double.IsFinite(v)) throw new ArgumentException("leaf values must be finite");
        foreach (var v in treeWeight) if (!double.IsFinite(v)) throw new ArgumentException("tree weights must be finite");
        if (!double.IsFinite(bias) || !double.IsFinite(slope) || !double.IsFinite(offset)) throw new ArgumentException("bias and calibration must be finite");
        (_nodeStart, _leafStart, _feature, _threshold, _left, _right, _leafValue, _treeWeight) = (nodeStart, leafStart, feature, threshold, left, right, leafValue, treeWeight);
        (Bias, Slope, Offset) = (bias, slope, offset);
    }

    public int Trees => _treeWeight.Length;
    public double Bias { get; }
    public double Slope { get; }
    public double Offset { get; }

    /// <summary>The calibrated probability of one candidate's features.</summary>
    public float Predict(ReadOnlySpan<float> x)
    {
        double score = Bias;
        for (int t = 0; t < _treeWeight.Length; t++)
        {
            int start = _nodeStart[t];
            int node = _nodeStart[t + 1] > start ? 0 : ~0;
            while (node >= 0)
            {
                int n = start + node;
                node = x[_feature[n]] <= _threshold[n] ? _left[n] : _right[n];
            }
            score += _treeWeight[t] * _leafValue[_leafStart[t] + ~node];
        }
        return (float)(1.0 / (1.0 + Math.Exp(Slope * score + Offset)));
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(Trees);
        writer.Write(_feature.Length);
        writer.Write(_leafValue.Length);
        foreach (var v in _nodeStart) writer.Write(v);
        foreach (var v in _leafStart) writer.Write(v);
        for (int n = 0; n < _feature.Length; n++)
        {
            writer.Write(_feature[n]);
            writer.Write(_threshold[n]);
            writer.Write(_left[n]);
            writer.Write(_right[n]);
        }
        foreach (var v in _leafValue) writer.Write(v);
        foreach (var v in _treeWeight) writer.Write(v);
        writer.Write(Bias);
        writer.Write(Slope);
        writer.Write(Offset);
    }

    internal static ResumeTrees Read(BinaryReader reader)
    {
        int trees = reader.ReadInt32(), nodes = reader.ReadInt32(), leaves = reader.ReadInt32();
        if (trees < 0 || nodes < 0 || leaves < 0 || trees > 100_000 || nodes > 10_000_000 || leaves > 10_000_000)
            throw new InvalidDataException($"the tree ensemble's sizes are damaged ({trees} trees, {nodes} splits, {leaves} leaves)");
        var nodeStart = new int[trees + 1];
        var leafStart = new int[trees + 1];
        for (int i = 0; i <= trees; i++) nodeStart[i] = reader.ReadInt32();
        for (int i = 0; i <= trees; i++) leafStart[i] = reader.ReadInt32();
        var feature = new int[nodes];
        var threshold = new float[nodes];
        var left = new int[nodes];
        var right = new int[nodes];
        for (int n = 0; n < nodes; n++)
        {
            feature[n] = reader.ReadInt32();
            threshold[n] = reader.ReadSingle();
            left[n] = reader.ReadInt32();
            right[n] = reader.ReadInt32();
        }
        var leafValue = new double[leaves];
        for (int i = 0; i < leaves; i++) leafValue[i] = reader.ReadDouble();
        var treeWeight = new double[trees];
        for (int i = 0; i < trees; i++) treeWeight[i] = reader.ReadDouble();
        double bias = reader.ReadDouble(), slope = reader.ReadDouble(), offset = reader.ReadDouble();
        try { return new ResumeTrees(nodeStart, leafStart, feature, threshold, left, right, leafValue, treeWeight, bias, slope, offset); }
        catch (ArgumentException e) { throw new InvalidDataException($"the tree ensemble is damaged: {e.Message}", e); }
    }

    /// <summary>Reads the trees and the calibration out of a model Microsoft.ML.LightGbm trained.</summary>
    internal static ResumeTrees From(CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator> model)
    {
        var ensemble = model.SubModel.TrainedTreeEnsemble;
        int trees = ensemble.Trees.Count;
        var nodeStart = new int[trees + 1];
        var leafStart = new int[trees + 1];
        var feature = new List<int>();
        var threshold = new List<float>();
        var left = new List<int>();
        var right = new List<int>();
        var leafValue = new List<double>();
        for (int t = 0; t < trees; t++)
        {
            var tree = ensemble.Trees[t];
            nodeStart[t] = feature.Count;
            leafStart[t] = leafValue.Count;
            for (int n = 0; n < tree.NumberOfNodes; n++)
            {
                if (tree.CategoricalSplitFlags[n]) throw new InvalidOperationException("LightGBM made a categorical split; the resume features are all numerical");
                feature.Add(tree.NumericalSplitFeatureIndexes[n]);
                threshold.Add(tree.NumericalSplitThresholds[n]);
                left.Add(tree.LeftChild[n]);
                right.Add(tree.RightChild[n]);
            }
            for (int l = 0; l < tree.NumberOfLeaves; l++) leafValue.Add(tree.LeafValues[l]);
        }
        nodeStart[trees] = feature.Count;
        leafStart[trees] = leafValue.Count;
        var treeWeight = new double[trees];
        for (int t = 0; t < trees; t++) treeWeight[t] = ensemble.TreeWeights[t];
        return new ResumeTrees(nodeStart, leafStart, [.. feature], [.. threshold], [.. left], [.. right], [.. leafValue], treeWeight,
            ensemble.Bias, model.Calibrator.Slope, model.Calibrator.Offset);
    }
}

/// <summary>The LightGBM parameters tried for the resume model: each combination is fitted and the best validation AUC kept.</summary>
public sealed record LightGbmGrid
{
    public IReadOnlyList<int> Leaves { get; init; } = [7, 15, 31];
    public IReadOnlyList<int> Iterations { get; init; } = [100, 300];
    public IReadOnlyList<double> LearningRates { get; init; } = [0.03, 0.1];
    /// <summary>Fewest examples in a leaf (50: a leaf speaks for a few dozen member-title pairs at least).</summary>
    public int MinimumExamplesPerLeaf { get; init; } = 50;
    /// <summary>LightGBM's threads (0: one per core).</summary>
    public int Threads { get; init; }
    public int Seed { get; init; } = 20250106;
}

/// <summary>Fits LightGBM (Microsoft.ML.LightGbm) on resume examples and reads the result out as <see cref="ResumeTrees"/>.</summary>
internal static class LightGbmResume
{
    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    /// <summary>One fit with the given parameters; the trees are checked against ML.NET's own probabilities on a sample of the examples.</summary>
    /// <exception cref="InvalidOperationException">The trees read out do not reproduce ML.NET's probabilities (a change in the library).</exception>
    public static ResumeTrees Fit(ResumeExamples examples, int[] indices, int leaves, int iterations, double learningRate, LightGbmGrid grid)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(grid);
        var ml = new MLContext(seed: grid.Seed);
        var view = View(ml, examples, indices);
        var options = new LightGbmBinaryTrainer.Options
        {
            NumberOfLeaves = leaves,
            NumberOfIterations = iterations,
            LearningRate = learningRate,
            MinimumExampleCountPerLeaf = grid.MinimumExamplesPerLeaf,
            Seed = grid.Seed,
            Silent = true,
        };
        if (grid.Threads > 0) options.NumberOfThreads = grid.Threads;
        var transformer = ml.BinaryClassification.Trainers.LightGbm(options).Fit(view);
        var trees = ResumeTrees.From(transformer.Model);

        // The trees must give ML.NET's probabilities: check a sample.
        var sample = indices.Length <= 500 ? indices : indices[..500];
        var expected = transformer.Transform(View(ml, examples, sample)).GetColumn<float>("Probability").ToArray();
        for (int i = 0; i < sample.Length; i++)
        {
            float mine = trees.Predict(examples.Features(sample[i]));
            if (Math.Abs(mine - expected[i]) > 1e-4f)
                throw new InvalidOperationException($"the trees read out of LightGBM give {mine} where ML.NET gives {expected[i]}: the model cannot be kept");
        }
        return trees;
    }

    private static IDataView View(MLContext ml, ResumeExamples examples, int[] indices)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ResumeFeatures.Count);
        var rows = new Row[indices.Length];
        for (int i = 0; i < rows.Length; i++) rows[i] = new Row { Features = examples.Features(indices[i]).ToArray(), Label = examples.Label(indices[i]) };
        return ml.Data.LoadFromEnumerable(rows, schema);
    }
}
