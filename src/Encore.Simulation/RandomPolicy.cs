namespace Encore.Simulation;

/// <summary>A homepage of uniformly drawn available titles: the floor any policy should beat, and unbiased logging data.</summary>
internal sealed class RandomPolicy : IHomepagePolicy
{
    private const int Rows = 7;
    private const int RowLength = 18;
    private ServiceView? _service;

    public string Name => "random";

    public void PrepareDay(ServiceView service) => _service = service;

    public void BuildPage(scoped in PageRequest request, ref SimRandom rng, Homepage page)
    {
        var service = _service ?? throw new InvalidOperationException("PrepareDay must be called before BuildPage");
        foreach (ref readonly var entry in request.History)
            if (entry.State == ViewingState.Finished) page.Exclude(entry.Title);
        for (int row = 0; row < Rows; row++)
        {
            page.BeginRow(row == 0 ? "random" : $"random-{row + 1}");
            RowFiller.Fill(page, [], RowLength, 1.0, service.Available, ref rng);
            page.DropEmptyLastRow();
        }
    }
}
