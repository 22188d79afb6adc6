using Encore.Core;
using Encore.Ranking;
using PageRequestOfEncore = Encore.Ranking.Pages.PageRequest;
using Encore.Ranking.Pages;
using Encore.Signals;
using Encore.Simulation;
using SimHomepage = Encore.Simulation.Homepage;
using SimPageRequest = Encore.Simulation.PageRequest;

namespace Encore.Evaluation.Simulation;

/// <summary>
/// Encore's page generator as the simulated service's homepage policy, so what a page is worth can be measured against
/// the service's own policies (popularity, random, oracle) on the same members: it sees every event the service records
/// as it happens (it is also a sink of the run), folds them into signals in real time, retrains its model every
/// <see cref="RetrainDays"/> days on everything seen so far (in <see cref="PrepareDay"/>, before the day's pages), and
/// fills each page with the rows of <see cref="HomepageBuilder"/> for the member and device (the service shows its own
/// Continue Watching and Watch Again rows first, so those two are left out). Every slot is shown with propensity 1:
/// the page is deterministic. Before the first model (day 0) the service's popularity page stands in.
/// </summary>
public sealed class EncorePagePolicy : IHomepagePolicy, ISimulationSink
{
    private readonly SimulatedService _service;
    private readonly TrainingRequest _training;
    private readonly PageOptions _options;
    private readonly bool _topPicksOnly;
    private readonly PopularityPolicy _fallback = new();
    private readonly RankingCatalogue _catalogue;
    private readonly SignalSet _signals;
    private readonly int[] _toSim;
    private HomepageService? _pages;
    private int _trainedOnDay = -1;

    /// <param name="topPicksOnly">Show only the Top Picks row (a long one): the reference that shows what page generation itself adds.</param>
    public EncorePagePolicy(SimulatedService service, TrainingRequest? training = null, PageOptions? options = null, bool topPicksOnly = false, int retrainDays = 7)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentOutOfRangeException.ThrowIfLessThan(retrainDays, 1);
        _service = service;
        _training = training ?? new TrainingRequest { Model = "ials" };
        _options = options ?? PageOptions.Default;
        _topPicksOnly = topPicksOnly;
        RetrainDays = retrainDays;
        var titles = service.Titles().ToList();
        _catalogue = RankingCatalogue.Build(new IdMap(titles.Select(t => t.Id)), new IdMap(titles.SelectMany(t => t.Episodes).Select(e => e.Id)), titles);
        _signals = new SignalSet(_catalogue.Signals, new IdMap(service.Members.Ids));
        _toSim = new int[_catalogue.Titles];
        for (int t = 0; t < _toSim.Length; t++) _toSim[t] = service.Catalogue.IndexOf(_catalogue.Signals.TitleIds[t]);
    }

    public string Name => _topPicksOnly ? "encore-top-picks" : "encore";

    public int RetrainDays { get; }

    public void PrepareDay(ServiceView service)
    {
        _fallback.PrepareDay(service);
        if (service.Day == 0 || _signals.Events == 0) return;
        if (_trainedOnDay >= 0 && service.Day - _trainedOnDay < RetrainDays) return;
        // Everything seen before this day; the model replaces the last one for every page from now on.
        var trained = ModelTraining.Fit(_signals, Models.ModelCatalog.CreateTrainer(_training.Model, _training.Parameters), _training, "simulated service");
        if (_pages is null) _pages = new HomepageService(_catalogue, _signals, trained, _options);
        else _pages.Swap(trained);
        _trainedOnDay = service.Day;
    }

    public void BuildPage(scoped in SimPageRequest request, ref SimRandom rng, SimHomepage page)
    {
        var pages = _pages;
        if (pages is null)
        {
            _fallback.BuildPage(request, ref rng, page);
            return;
        }
        var at = _service.Options.StartUtc.AddDays(request.Day).AddHours(12);
        var built = pages.Build(new PageRequestOfEncore
        {
            MemberId = request.MemberId, Device = request.Device, AtUtc = at,
            Rows = _topPicksOnly ? 1 : null, TitlesPerRow = _topPicksOnly ? _options.LayoutFor(request.Device).TitlesPerRow * 4 : null,
        });
        foreach (var row in built.Rows)
        {
            if (row.Kind is RowKind.ContinueWatching or RowKind.WatchAgain) continue;
            if (_topPicksOnly && row.Kind != RowKind.TopPicks) continue;
            page.BeginRow(row.Key);
            foreach (var entry in row.Titles)
            {
                int t = _catalogue.Signals.TitleIds.IndexOf(entry.TitleId);
                int sim = t < 0 ? -1 : _toSim[t];
                if (sim >= 0 && _service.View.IsAvailable(sim)) page.Add(sim, 1f);
            }
            page.DropEmptyLastRow();
        }
    }

    public ValueTask BeginAsync(SimulatedService service, CancellationToken ct) => ValueTask.CompletedTask;

    public ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var e in batch.Events)
        {
            var viewing = _service.ToViewingEvent(e);
            if (_pages is { } pages) pages.Apply(viewing);
            else _signals.Apply(viewing);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(CancellationToken ct) => ValueTask.CompletedTask;
}
