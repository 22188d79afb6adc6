namespace Encore.Analytics.OffPolicy;

/// <summary>
/// Logged impressions for off-policy estimation, struct-of-arrays: for each record, the member (the unit of the
/// bootstrap and of the reward model's folds), the slate it belongs to (one row shown in one session, records in the
/// order they were looked at), the action shown (a dense title index), the logging policy's propensity
/// π0(a|x) in (0, 1], the observed reward, the target policy's probability π(a|x) of the same action in the same
/// context, and a sample of the target's distribution (actions and weights summing to 1) over which the direct
/// method averages its reward model. Built with <see cref="BanditLogBuilder"/>.
/// </summary>
public sealed class BanditLog
{
    internal BanditLog(int[] cluster, int[] slate, int[] action, double[] propensity, double[] reward, double[] target,
        int[] targetStart, int[] targetActions, double[] targetWeights, int clusters, int slates, int actions)
    {
        Cluster = cluster;
        Slate = slate;
        Action = action;
        Propensity = propensity;
        Reward = reward;
        TargetProbability = target;
        TargetStart = targetStart;
        TargetActions = targetActions;
        TargetWeights = targetWeights;
        ClusterCount = clusters;
        SlateCount = slates;
        ActionCount = actions;
    }

    /// <summary>Records.</summary>
    public int Count => Action.Length;
    /// <summary>Dense member index per record (0..<see cref="ClusterCount"/>-1).</summary>
    public int[] Cluster { get; }
    /// <summary>Dense slate index per record (0..<see cref="SlateCount"/>-1); a slate's records are contiguous, in the order looked at.</summary>
    public int[] Slate { get; }
    /// <summary>Dense action (title) index per record.</summary>
    public int[] Action { get; }
    /// <summary>π0(a|x): the logging policy's probability of the action shown.</summary>
    public double[] Propensity { get; }
    /// <summary>The observed reward (e.g. 1 when the title was played from the impression).</summary>
    public double[] Reward { get; }
    /// <summary>π(a|x): the target policy's probability of the action shown, in the same context.</summary>
    public double[] TargetProbability { get; }
    /// <summary>CSR offsets (Count + 1) into <see cref="TargetActions"/> and <see cref="TargetWeights"/>.</summary>
    public int[] TargetStart { get; }
    /// <summary>Actions of the target distribution per record.</summary>
    public int[] TargetActions { get; }
    /// <summary>Weights of the target distribution per record (sum to 1 per record).</summary>
    public double[] TargetWeights { get; }
    public int ClusterCount { get; }
    public int SlateCount { get; }
    /// <summary>One more than the largest action index.</summary>
    public int ActionCount { get; }

    /// <summary>Importance weights π(a|x)/π0(a|x).</summary>
    public double[] Weights()
    {
        var w = new double[Count];
        for (int i = 0; i < w.Length; i++) w[i] = TargetProbability[i] / Propensity[i];
        return w;
    }
}

/// <summary>Collects records into a <see cref="BanditLog"/>, checking each (propensity in (0, 1], probabilities in [0, 1]).</summary>
public sealed class BanditLogBuilder
{
    private readonly List<int> _cluster = [], _slate = [], _action = [], _targetStart = [0], _targetActions = [];
    private readonly List<double> _propensity = [], _reward = [], _target = [], _targetWeights = [];
    private int _clusters, _actions, _lastSlateKey = int.MinValue, _slates;

    /// <summary>Records added.</summary>
    public int Count => _action.Count;

    /// <summary>
    /// Adds a record. <paramref name="slateKey"/> groups consecutive records into one slate (a new key starts a new slate);
    /// <paramref name="targetActions"/>/<paramref name="targetWeights"/> are the target's distribution (or an unbiased
    /// sample of it) for the direct method; leave them empty to use the shown action alone with weight 1.
    /// </summary>
    public void Add(int cluster, int slateKey, int action, double propensity, double reward, double targetProbability,
        ReadOnlySpan<int> targetActions = default, ReadOnlySpan<double> targetWeights = default)
    {
        int record = _action.Count;
        if (cluster < 0) throw new ArgumentOutOfRangeException(nameof(cluster), cluster, $"record {record}: the member index must be non-negative");
        if (action < 0) throw new ArgumentOutOfRangeException(nameof(action), action, $"record {record}: the action index must be non-negative");
        if (!(propensity > 0 && propensity <= 1)) throw new ArgumentOutOfRangeException(nameof(propensity), propensity, $"record {record}: the logging propensity must be in (0, 1]");
        if (!(targetProbability >= 0 && targetProbability <= 1)) throw new ArgumentOutOfRangeException(nameof(targetProbability), targetProbability, $"record {record}: the target probability must be in [0, 1]");
        if (!double.IsFinite(reward)) throw new ArgumentOutOfRangeException(nameof(reward), reward, $"record {record}: the reward must be finite");
        if (targetActions.Length != targetWeights.Length) throw new ArgumentException($"record {record}: {targetActions.Length} target actions but {targetWeights.Length} weights");
        if (!targetActions.IsEmpty)
        {
            double sum = 0;
            for (int k = 0; k < targetActions.Length; k++)
            {
                if (targetActions[k] < 0 || !(targetWeights[k] >= 0)) throw new ArgumentException($"record {record}: target action {k} is negative or has a negative weight");
                sum += targetWeights[k];
            }
            if (Math.Abs(sum - 1) > 1e-6) throw new ArgumentException($"record {record}: the target weights sum to {sum}, not 1");
        }
        _cluster.Add(cluster);
        _clusters = Math.Max(_clusters, cluster + 1);
        if (slateKey != _lastSlateKey || record == 0) { _slates++; _lastSlateKey = slateKey; }
        _slate.Add(_slates - 1);
        _action.Add(action);
        _actions = Math.Max(_actions, action + 1);
        _propensity.Add(propensity);
        _reward.Add(reward);
        _target.Add(targetProbability);
        if (targetActions.IsEmpty)
        {
            _targetActions.Add(action);
            _targetWeights.Add(1.0);
        }
        else
        {
            for (int k = 0; k < targetActions.Length; k++)
            {
                _targetActions.Add(targetActions[k]);
                _targetWeights.Add(targetWeights[k]);
                _actions = Math.Max(_actions, targetActions[k] + 1);
            }
        }
        _targetStart.Add(_targetActions.Count);
    }

    public BanditLog Build()
    {
        if (_action.Count == 0) throw new InvalidOperationException("the log has no records");
        return new BanditLog([.. _cluster], [.. _slate], [.. _action], [.. _propensity], [.. _reward], [.. _target],
            [.. _targetStart], [.. _targetActions], [.. _targetWeights], _clusters, _slates, _actions);
    }
}
