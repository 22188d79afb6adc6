// Analytics for the content and marketing teams (admin key): what members search for and cannot find.
import { api, describe, hasKey } from '../api.js';
import { h, fmt, panel, loading, errorBox, emptyNote, titleLink } from '../ui.js';
import { barList } from '../charts.js';

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
  main.append(h('div', { class: 'grid' }, demand));
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
