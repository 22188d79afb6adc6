// Analytics for the content and marketing teams (admin key): what members search for and cannot find, the audience of
// a title not yet made, a campaign's take-rate predicted before launch, and an experiment read from the log with its
// daily looks.
import { api, describe, hasKey } from '../api.js';
import { h, fmt, panel, loading, errorBox, emptyNote, titleLink, clear } from '../ui.js';
import { barList, lines } from '../charts.js';
import { alertError } from '../alerts.js';

const KINDS = { absent: 'Not in the catalogue', title: 'A title we have', person: 'A person', genre: 'A kind of title' };

export async function render(main, { signal }) {
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Analytics')));
  if (!hasKey('admin')) {
    main.append(panel('The admin key is needed', { testid: 'analytics-need-admin' },
      h('p', {}, 'Analytics read the whole service and need the admin key. Enter it under Keys.')));
    return;
  }
  const demand = panel('Search demand', {
    wide: true, testid: 'search-demand',
    description: 'What members searched for and did not play from the results, grouped (typos folded) and ranked by unmet demand: the members whose searches went unmet, weighted by how much they watch.',
  }, loading());
  const audience = panel('Audience of a title not yet made', {
    testid: 'audience',
    description: 'Describe a proposed title: its metadata is mapped into the active iALS model\'s title space and every member is scored. Starts and finishes come with a range, the audience is broken down by segment, and the existing audiences it draws on are named.',
  }, audienceForm(signal));
  const campaign = panel('Campaign before launch', {
    testid: 'campaign',
    description: 'The take-rate a campaign would get (its titles shown in a share of the slots), estimated from the impressions already logged with their propensities, beside what the logging policy got.',
  }, campaignForm(signal));
  const experiment = panel('Experiment', {
    testid: 'experiment',
    description: 'An A/B experiment read from the log: members assigned by hashing with its name, the sample-ratio check, each metric with its interval, and the always-valid sequential test after each day.',
  }, experimentForm(signal));
  main.append(h('div', { class: 'grid' }, demand, audience, campaign, experiment));
  try {
    const report = await api('GET', '/v1/analytics/search-demand?n=30', { role: 'admin', signal });
    if (signal.aborted) return;
    demand.lastChild.remove();
    demand.append(demandReport(report));
  } catch (e) {
    if (e.name !== 'AbortError') { demand.lastChild.remove(); demand.append(errorBox(describe(e), 'search-demand-error')); }
  }
}

function demandReport(report) {
  if (!report.groups.length) return emptyNote(`No query was searched by enough members yet (${fmt.int(report.searches)} searches in all).`);
  const summary = h('p', { class: 'small', testid: 'search-demand-summary' },
    `${fmt.int(report.searches)} searches, ${fmt.int(report.unmet_searches)} unmet (${fmt.pct(report.searches ? report.unmet_searches / report.searches : null)}), ${fmt.int(report.distinct_queries)} distinct queries.`);
  const top = report.groups.slice(0, 12);
  const chart = barList(top.map(g => ({ label: `${g.query} · ${KINDS[g.kind] || g.kind}`, value: g.demand })), { testid: 'search-demand-chart', format: v => fmt.num(v, 1) });
  const table = h('div', { class: 'table-scroll' }, h('table', { class: 'table', testid: 'search-demand-table' },
    h('thead', {}, h('tr', {}, ['Query', 'What it is', 'Spellings', 'Searches', 'Members', 'Unmet members', 'Engagement', 'Demand']
      .map((c, i) => h('th', { scope: 'col', class: i >= 3 ? 'num' : null }, c)))),
    h('tbody', {}, report.groups.map(g => h('tr', {},
      h('th', { scope: 'row' }, g.query),
      h('td', {}, g.kind === 'title' && g.target ? titleLink(g.target, KINDS.title) : (KINDS[g.kind] || g.kind), g.kind !== 'title' && g.target ? h('div', { class: 'muted small' }, g.target) : null),
      h('td', { class: 'small' }, g.spellings.slice(0, 4).map(s => `${s.query} (${fmt.int(s.searches)})`).join(', ')),
      h('td', { class: 'num' }, fmt.int(g.searches)),
      h('td', { class: 'num' }, fmt.int(g.members)),
      h('td', { class: 'num' }, fmt.int(g.unmet_members)),
      h('td', { class: 'num' }, fmt.num(g.engagement, 1)),
      h('td', { class: 'num' }, fmt.num(g.demand, 1)))))));
  return h('div', {}, summary, chart, table);
}

const ESTIMATORS = {
  ips: 'IPS', self_normalized_ips: 'Self-normalized IPS', direct_method: 'Direct method', doubly_robust: 'Doubly robust',
  switch_doubly_robust: 'Switch-DR', doubly_robust_shrinkage: 'DR with shrinkage', slate_independent_ips: 'Whole row (independent)', slate_cascade_ips: 'Whole row (cascade)',
};

function field(id, label, input) { return h('div', { class: 'field' }, h('label', { for: id }, label), input); }

function list(text) { return text.split(',').map(x => x.trim()).filter(Boolean); }

function audienceForm(signal) {
  const name = h('input', { id: 'audience-name', testid: 'audience-name', value: 'A new drama', autocomplete: 'off' });
  const genres = h('input', { id: 'audience-genres', testid: 'audience-genres', value: 'Drama', autocomplete: 'off' });
  const cast = h('input', { id: 'audience-cast', testid: 'audience-cast', autocomplete: 'off' });
  const director = h('input', { id: 'audience-director', testid: 'audience-director', autocomplete: 'off' });
  const original = h('input', { id: 'audience-original', testid: 'audience-original', autocomplete: 'off', placeholder: 'a title id' });
  const out = h('div', { testid: 'audience-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button primary', testid: 'audience-submit' }, 'Predict');
  return h('form', { class: 'stack', onsubmit: async e => {
    e.preventDefault();
    submit.disabled = true;
    clear(out).append(loading('Scoring every member…'));
    try {
      const body = { name: name.value.trim() || 'untitled', genres: list(genres.value), cast: list(cast.value), directors: list(director.value) };
      if (original.value.trim()) body.original = original.value.trim();
      const prediction = await api('POST', '/v1/analytics/audience', { role: 'admin', signal, body });
      clear(out).append(audienceResult(prediction));
    } catch (err) {
      clear(out);
      if (err.name !== 'AbortError') out.append(errorBox(describe(err), 'audience-error'));
    } finally { submit.disabled = false; }
  } }, field('audience-name', 'Working name', name), field('audience-genres', 'Genres (comma-separated)', genres),
    field('audience-cast', 'Cast, the lead first', cast), field('audience-director', 'Director', director),
    field('audience-original', 'The original it stands for', original), h('div', { class: 'form-actions' }, submit), out);
}

function audienceResult(p) {
  const range = x => `${fmt.int(Math.round(x.expected))} (${fmt.int(Math.round(x.low))}–${fmt.int(Math.round(x.high))})`;
  const byKind = kind => p.segments.filter(s => s.kind === kind).sort((a, b) => b.expected_starts - a.expected_starts).slice(0, 8)
    .map(s => ({ label: s.name, value: s.expected_starts, note: `lift ${fmt.num(s.lift, 2)}` }));
  const charts = ['taste', 'device', 'genre'].filter(k => p.segments.some(s => s.kind === k)).map(k =>
    h('div', {}, h('h3', {}, `By ${k === 'taste' ? 'taste cluster' : k}`), barList(byKind(k), { testid: `audience-segments-${k}`, format: v => fmt.num(v, 1) })));
  const overlap = p.overlap.audiences.length ? h('ul', { class: 'small', testid: 'audience-overlap' },
    p.overlap.audiences.map(a => h('li', {}, `${a.label}: ${fmt.int(a.members)} members, ${fmt.num(a.expected_starts, 1)} expected to start`)),
    p.overlap.pairs.map(x => h('li', { class: 'muted' }, `${x.first} and ${x.second}: ${fmt.int(x.both)} in both (Jaccard ${fmt.num(x.jaccard, 2)})`))) : null;
  return h('div', {},
    h('p', { testid: 'audience-summary' }, h('strong', {}, p.name), `: ${range(p.starts)} of ${fmt.int(p.members)} members expected to start it, ${range(p.finishes)} to finish it.`),
    ...charts, overlap,
    h('p', { class: 'muted small' }, 'Likeliest to watch: ', p.top_members.slice(0, 8).map(m => `${m.member_id} (${fmt.pct(m.probability, 0)})`).join(', ')),
    p.unknown_features.length ? h('p', { class: 'muted small' }, `Not used (seen on too few titles): ${p.unknown_features.join(', ')}`) : null);
}

function campaignForm(signal) {
  const genre = h('input', { id: 'campaign-genre', testid: 'campaign-genre', value: 'Drama', autocomplete: 'off' });
  const share = h('input', { id: 'campaign-share', testid: 'campaign-share', type: 'number', min: 0.01, max: 1, step: 0.01, value: 0.2 });
  const out = h('div', { testid: 'campaign-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button primary', testid: 'campaign-submit' }, 'Estimate');
  return h('form', { class: 'stack', onsubmit: async e => {
    e.preventDefault();
    submit.disabled = true;
    clear(out).append(loading('Estimating…'));
    try {
      const result = await api('POST', '/v1/analytics/campaigns/estimate', { role: 'admin', signal, body: { genre: genre.value.trim(), share: Number(share.value) } });
      clear(out).append(campaignResult(result));
    } catch (err) {
      clear(out);
      if (err.name !== 'AbortError') out.append(errorBox(describe(err), 'campaign-error'));
    } finally { submit.disabled = false; }
  } }, field('campaign-genre', 'Genre of the campaign\'s titles', genre), field('campaign-share', 'Share of the slots', share),
    h('div', { class: 'form-actions' }, submit), out);
}

function campaignResult(result) {
  const e = result.estimate;
  const perImpression = e.estimates.filter(x => !x.estimator.startsWith('slate'));
  const items = [{ label: 'Logged policy (observed)', value: e.logged_value, note: '', colour: '#8a8f98' }]
    .concat(perImpression.map(x => ({ label: ESTIMATORS[x.estimator] || x.estimator, value: x.value, note: `[${fmt.num(x.lower, 4)}, ${fmt.num(x.upper, 4)}]` })));
  return h('div', {},
    h('p', { class: 'small', testid: 'campaign-summary' }, `${fmt.int(result.titles)} titles in ${fmt.pct(result.share, 0)} of the slots; ${fmt.int(e.records)} impressions of ${fmt.int(e.members)} members; effective sample size ${fmt.int(Math.round(e.effective_sample_size))}.`),
    barList(items, { testid: 'campaign-chart', format: v => fmt.num(v, 4), max: Math.max(...items.map(i => i.value)) * 1.1 }),
    h('p', { class: 'muted small' }, 'Take-rate per impression, with 95% bootstrap intervals over members. Whole-row estimators:',
      e.estimates.filter(x => x.estimator.startsWith('slate')).map(x => ` ${ESTIMATORS[x.estimator]} ${fmt.num(x.value, 4)} per row (logged ${fmt.num(e.logged_slate_value, 4)}).`).join('')),
    ...e.warnings.map(w => h('p', { class: 'problem small', testid: 'campaign-warning' }, w)));
}

function experimentForm(signal) {
  const name = h('input', { id: 'experiment-name', testid: 'experiment-name', value: 'homepage-test', autocomplete: 'off' });
  const start = h('input', { id: 'experiment-start', testid: 'experiment-start', type: 'date' });
  const days = h('input', { id: 'experiment-days', testid: 'experiment-days', type: 'number', min: 1, max: 3650, value: 14 });
  const out = h('div', { testid: 'experiment-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button primary', testid: 'experiment-submit' }, 'Read');
  return h('form', { class: 'stack', onsubmit: async e => {
    e.preventDefault();
    submit.disabled = true;
    clear(out).append(loading('Reading the experiment…'));
    try {
      const query = new URLSearchParams({ start: start.value, days: days.value });
      const report = await api('GET', `/v1/analytics/experiments/${encodeURIComponent(name.value.trim())}?${query}`, { role: 'admin', signal });
      clear(out).append(experimentResult(report));
    } catch (err) {
      clear(out);
      if (err.name !== 'AbortError') out.append(errorBox(describe(err), 'experiment-error'));
    } finally { submit.disabled = false; }
  } }, field('experiment-name', 'Name (the salt of its assignment)', name), field('experiment-start', 'First day (UTC)', start),
    field('experiment-days', 'Days', days), h('div', { class: 'form-actions' }, submit), out);
}

function experimentResult(report) {
  const srm = report.sample_ratio;
  const comparison = report.comparisons[0];
  const table = h('div', { class: 'table-scroll' }, h('table', { class: 'table', testid: 'experiment-table' },
    h('thead', {}, h('tr', {}, ['Variant', 'Members', 'Take-rate', 'Hours a member', 'Completion', 'Retention'].map((c, i) => h('th', { scope: 'col', class: i ? 'num' : null }, c)))),
    h('tbody', {}, report.variants.map(v => h('tr', {}, h('th', { scope: 'row' }, v.name), h('td', { class: 'num' }, fmt.int(v.members)),
      h('td', { class: 'num' }, fmt.num(v.take_rate, 4)), h('td', { class: 'num' }, fmt.num(v.hours_per_member, 2)),
      h('td', { class: 'num' }, fmt.pct(v.completion_rate)), h('td', { class: 'num' }, fmt.pct(v.retention)))))));
  const metrics = h('ul', { class: 'small', testid: 'experiment-metrics' }, comparison.metrics.map(m =>
    h('li', {}, `${m.metric}: ${m.difference >= 0 ? '+' : ''}${fmt.num(m.difference, 4)} [${fmt.num(m.lower, 4)}, ${fmt.num(m.upper, 4)}], p = ${fmt.num(m.p_value, 3)}`)));
  const chart = lines({
    labels: comparison.daily.map(d => d.day),
    series: [{ name: 'take-rate p (always valid)', values: comparison.daily.map(d => d.take_rate_p_value) }, { name: 'hours p (always valid)', values: comparison.daily.map(d => d.hours_p_value) }],
    label: 'Always-valid p-values after each day', testid: 'experiment-chart', xFormat: d => `day ${d}`,
    caption: 'The sequential test may be read every day: it stops when a line falls below 0.05.',
  });
  return h('div', {},
    h('p', { class: srm.alert ? 'problem small' : 'small', testid: 'experiment-srm' },
      `Sample ratio ${srm.observed.join(' / ')}: chi-square ${fmt.num(srm.chi_square, 2)}, p = ${fmt.num(srm.p_value, 3)}${srm.alert ? ' — mismatch: do not trust this split' : ' — sound'}.`),
    table, h('h3', {}, `${comparison.treatment} against ${report.variants[0].name}`), metrics, chart,
    ...report.warnings.map(w => h('p', { class: 'muted small' }, w)));
}
