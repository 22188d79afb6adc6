// Overview: counts, events per hour by kind and device, the active model, rows' take-rates, trending titles over time.
import { api, open, hasKey, describe } from '../api.js';
import { h, fmt, panel, loading, errorBox, emptyNote, titleLink, clear, PALETTE } from '../ui.js';
import { stackedBars, lines, barList, labelRoom } from '../charts.js';

export const KINDS = ['play_start', 'completion', 'stop', 'pause', 'resume', 'seek', 'replay', 'skip_intro', 'skip_credits', 'impression', 'search', 'rating'];
export const DEVICES = ['tv', 'phone', 'tablet', 'web', 'console'];
const DEVICE_COLOURS = { tv: '#4e9af1', phone: '#f28e2b', tablet: '#59a14f', web: '#b07aa1', console: '#edc948' };

function hourLabel(iso) {
  const d = new Date(iso);
  return d.getUTCHours() === 0 ? fmt.day(iso) : fmt.hour(iso);
}

/** Labels on round hours (every 1, 2, 3, 4, 6, 12 or 24 hours, whichever keeps about a dozen), so midnight gets its date. */
function hourTicks(count) {
  const step = [1, 2, 3, 4, 6, 12, 24, 48].find(s => count / s <= labelRoom()) || 48;
  return (_, iso) => {
    const d = new Date(iso);
    return step <= 24 ? d.getUTCHours() % step === 0 : d.getUTCHours() === 0 && Math.floor(d.getTime() / 86400000) % (step / 24) === 0;
  };
}

export async function render(main, { query, signal }) {
  const hours = Math.min(336, Math.max(1, Number(query.get('hours')) || 48));
  const select = h('select', { id: 'overview-hours', testid: 'overview-hours', onchange: e => { location.hash = `#/overview?hours=${e.target.value}`; } },
    [12, 24, 48, 72, 168, 336].map(n => h('option', { value: n, selected: n === hours }, n < 72 ? `last ${n} hours` : `last ${n / 24} days`)));
  const auto = h('input', { type: 'checkbox', id: 'overview-auto', checked: true });
  const body = h('div', { class: 'grid' }, loading('Reading the last hours of events…'));
  main.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Overview'),
      h('div', { class: 'toolbar' },
        h('label', { for: 'overview-hours' }, 'Window'), select,
        h('label', { class: 'check' }, auto, 'Refresh every 30 s'),
        h('button', { type: 'button', class: 'button', testid: 'overview-refresh', onclick: () => load() }, 'Refresh'))),
    body);

  let timer = null;
  signal.addEventListener('abort', () => clearTimeout(timer));

  async function load() {
    clearTimeout(timer);
    try {
      const [overview, model] = await Promise.all([
        api('GET', `/v1/stats/overview?hours=${hours}`, { signal }),
        activeModel(signal),
      ]);
      if (signal.aborted) return;
      clear(body);
      draw(body, overview, model, hours);
    } catch (e) {
      if (e.name === 'AbortError') return;
      clear(body).append(errorBox(describe(e), 'overview-error'));
    }
    if (auto.checked && !signal.aborted) timer = setTimeout(load, 30000);
  }
  auto.addEventListener('change', () => { clearTimeout(timer); if (auto.checked) timer = setTimeout(load, 30000); });
  await load();
}

/** The active model: the admin key reads its metrics; without it, the version /health/ready names. */
async function activeModel(signal) {
  if (hasKey('admin')) {
    try {
      const versions = await api('GET', '/v1/models', { role: 'admin', signal });
      return { version: (versions.find(v => v.active) || {}).version, details: versions.find(v => v.active) || null, count: versions.length };
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      const ready = await open('/health/ready').catch(() => null);
      return { version: ready && ready.model, details: null, problem: describe(e) };
    }
  }
  const ready = await open('/health/ready').catch(() => null);
  return { version: ready && ready.model, details: null };
}

function tile(label, value, note, testid) {
  return h('div', { class: 'tile', testid }, h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value' }, value), note ? h('div', { class: 'tile-note muted small' }, note) : null);
}

function draw(body, o, model, hours) {
  const labels = o.hours.map(x => x.hour_utc);
  const inWindow = o.hours.reduce((sum, x) => sum + Object.values(x.by_kind).reduce((a, b) => a + b, 0), 0);
  const plays = o.hours.reduce((sum, x) => sum + (x.by_kind.play_start || 0), 0);
  const m = model.details;
  body.append(h('div', { class: 'tiles wide', testid: 'overview-counts' },
    tile('Members', fmt.int(o.store.members), null, 'count-members'),
    tile('Titles', fmt.int(o.store.titles), null, 'count-titles'),
    tile('Events', fmt.int(o.store.events), o.store.last_event_utc ? `latest ${fmt.dateTime(o.store.last_event_utc)}` : 'none yet', 'count-events'),
    tile(`Events, last ${hours} h`, fmt.int(inWindow), `${fmt.int(plays)} plays began`, 'count-window'),
    tile('Active model', model.version || 'none', m ? `${m.model} · recall@${m.metrics?.k ?? 20} ${fmt.num(m.metrics?.recall)}` : (hasKey('admin') ? null : 'enter the admin key for its metrics'), 'active-model')));

  const kinds = [...KINDS, ...new Set(o.hours.flatMap(x => Object.keys(x.by_kind)).filter(k => !KINDS.includes(k)))]
    .filter(k => o.hours.some(x => x.by_kind[k]));
  const caption = `${fmt.dateTime(o.from_utc)} to ${fmt.dateTime(o.to_utc)}, per hour`;
  body.append(panel('Events per hour by kind', { testid: 'chart-kinds-panel', wide: true },
    kinds.length ? stackedBars({ labels, series: kinds.map((k, i) => ({ name: k, values: o.hours.map(x => x.by_kind[k] || 0), colour: PALETTE[KINDS.indexOf(k) >= 0 ? KINDS.indexOf(k) % PALETTE.length : i] })),
      label: `Events per hour by kind, ${caption}`, testid: 'chart-kinds', xFormat: hourLabel, labelAt: hourTicks(labels.length), caption })
      : emptyNote('No events in this window.')));

  const devices = DEVICES.filter(d => o.hours.some(x => x.by_device[d]));
  body.append(panel('Events per hour by device', { testid: 'chart-devices-panel', wide: true },
    devices.length ? stackedBars({ labels, series: devices.map(d => ({ name: d, values: o.hours.map(x => x.by_device[d] || 0), colour: DEVICE_COLOURS[d] })),
      label: `Events per hour by device, ${caption}`, testid: 'chart-devices', xFormat: hourLabel, labelAt: hourTicks(labels.length), height: 180 })
      : emptyNote('No events in this window.')));

  body.append(panel('Rows: impressions and plays', {
    testid: 'row-kpis',
    description: 'From logged impressions: a play counts for the row a member saw the title in when it began within an hour.',
  }, o.rows.length ? rowTable(o.rows) : emptyNote('No impressions logged in this window.')));

  body.append(panel('Active model', { testid: 'model-panel' }, modelSummary(model)));

  const trendLabels = labels;
  body.append(panel('Trending titles over time', { testid: 'trending-panel', wide: true, description: 'Plays begun per hour of the titles trending now.' },
    o.trending.length && o.trending.some(t => t.plays.some(v => v > 0))
      ? lines({ labels: trendLabels, series: o.trending.map(t => ({ name: t.name, values: t.plays, href: `#/title/${encodeURIComponent(t.title_id)}` })),
        label: `Plays per hour of the ${o.trending.length} trending titles`, testid: 'chart-trending', xFormat: hourLabel, labelAt: hourTicks(labels.length) })
      : emptyNote('Nothing is trending in this window.')));

  const totals = Object.entries(o.store.events_by_kind || {}).sort((a, b) => b[1] - a[1]);
  body.append(panel('All events by kind', { testid: 'kinds-total' },
    totals.length ? barList(totals.map(([k, v]) => ({ label: k, value: v, colour: PALETTE[Math.max(0, KINDS.indexOf(k)) % PALETTE.length] })), { testid: 'kinds-total-bars' })
      : emptyNote('The store holds no events.')));
}

function rowTable(rows) {
  const best = Math.max(0.0001, ...rows.map(r => r.take_rate));
  return h('div', { class: 'table-scroll' }, h('table', { class: 'table', testid: 'row-kpi-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Row kind'), h('th', { scope: 'col', class: 'num' }, 'Impressions'),
      h('th', { scope: 'col', class: 'num' }, 'Plays'), h('th', { scope: 'col', class: 'num' }, 'Take-rate'))),
    h('tbody', {}, rows.map(r => h('tr', {},
      h('th', { scope: 'row' }, fmt.label(r.row)),
      h('td', { class: 'num' }, fmt.int(r.impressions)),
      h('td', { class: 'num' }, fmt.int(r.plays)),
      h('td', { class: 'num rate' }, h('span', { class: 'rate-bar', style: `width:${(60 * r.take_rate / best).toFixed(0)}px`, 'aria-hidden': 'true' }), fmt.pct(r.take_rate)))))));
}

function modelSummary(model) {
  const m = model.details;
  if (!m) {
    return h('div', {},
      h('p', {}, 'Version ', h('strong', { testid: 'model-version' }, model.version || 'none'), ' serves the pages.'),
      model.problem ? errorBox(model.problem) : h('p', { class: 'muted small' }, 'Enter the admin key (Keys) to see its offline metrics and the other versions.'));
  }
  const metrics = m.metrics;
  return h('dl', { class: 'facts' },
    h('dt', {}, 'Version'), h('dd', { testid: 'model-version' }, m.version, ' ', h('a', { href: '#/models', class: 'small' }, 'all versions')),
    h('dt', {}, 'Model'), h('dd', {}, m.model, Object.keys(m.parameters || {}).length ? h('span', { class: 'muted small' }, ` ${Object.entries(m.parameters).map(([k, v]) => `${k}=${v}`).join(', ')}`) : null),
    h('dt', {}, 'Trained on'), h('dd', {}, `${fmt.int(m.events)} events, ${fmt.int(m.members)} members, ${fmt.int(m.titles)} titles`),
    h('dt', {}, 'Until'), h('dd', {}, fmt.dateTime(m.trained_until)),
    metrics ? [h('dt', {}, `Recall@${metrics.k}`), h('dd', { testid: 'model-recall' }, fmt.num(metrics.recall, 4)),
      h('dt', {}, `NDCG@${metrics.k}`), h('dd', {}, fmt.num(metrics.ndcg, 4)),
      h('dt', {}, 'Protocol'), h('dd', { class: 'small' }, `${metrics.protocol}, ${fmt.int(metrics.test_members)} test members`)]
      : [h('dt', {}, 'Metrics'), h('dd', { class: 'muted' }, 'not measured')]);
}
