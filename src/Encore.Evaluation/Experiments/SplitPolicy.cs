using Encore.Analytics.Experiments;
using Encore.Simulation;

namespace Encore.Evaluation.Experiments;

/// <summary>
/// Runs several homepage policies side by side in one simulated service: each member is assigned to an arm by
/// <see cref="VariantAssigner"/> (the same hash <c>encore experiment</c> uses, so a store written by such a run can be
/// analysed as the experiment it was) and gets that arm's pages from day <see cref="StartDay"/> on; before it (the
/// pre-period) and in the holdout every member gets the first arm's policy. Every policy prepares every day.
/// </summary>
internal sealed class SplitPolicy : IHomepagePolicy
{
    private readonly IHomepagePolicy[] _arms;
    private readonly int[] _armOf;

    public SplitPolicy(SimulatedService service, VariantAssigner assigner, IReadOnlyList<IHomepagePolicy> arms, int startDay = 0)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(assigner);
        ArgumentNullException.ThrowIfNull(arms);
        if (arms.Count != assigner.Variants.Count) throw new ArgumentException($"{arms.Count} policies for {assigner.Variants.Count} variants of '{assigner.Experiment}'", nameof(arms));
        if (startDay < 0) throw new ArgumentOutOfRangeException(nameof(startDay), startDay, "the start day must be non-negative");
        _arms = [.. arms];
        Assigner = assigner;
        StartDay = startDay;
        _armOf = new int[service.Members.Count];
        for (int m = 0; m < _armOf.Length; m++) _armOf[m] = assigner.Assign(service.Members.Ids[m]);
    }

    public VariantAssigner Assigner { get; }
    public int StartDay { get; }
    public string Name => "split(" + string.Join(",", Array.ConvertAll(_arms, a => a.Name)) + ")";

    /// <summary>The arm of member <paramref name="member"/> (<see cref="VariantAssigner.Holdout"/> for the holdout).</summary>
    public int ArmOf(int member) => _armOf[member];

    public void PrepareDay(ServiceView service)
    {
        var done = new HashSet<IHomepagePolicy>(ReferenceEqualityComparer.Instance);
        foreach (var arm in _arms) if (done.Add(arm)) arm.PrepareDay(service);
    }

    public void BuildPage(scoped in PageRequest request, ref SimRandom rng, Homepage page)
    {
        int arm = request.Day < StartDay ? 0 : Math.Max(0, _armOf[request.Member]);
        _arms[arm].BuildPage(request, ref rng, page);
    }
}
