// Title: its metadata, similar titles, who watches it (viewers, finishers, devices, tastes, plays per day) and its trend.
import { api, describe } from '../api.js';
import { h, fmt, panel, loading, errorBox, emptyNote, clear, genreColour } from '../ui.js';
import { titlesFor, knownTitles } from '../catalog.js';
import { card } from '../cards.js';
import { columns, barList } from '../charts.js';

export async function render(main, { args, signal }) {
  const id = args[0] || '';
  const input = h('input', { id: 'title-id', list: 'title-list', value: id, placeholder: 'a title id, e.g. t000001', autocomplete: 'off', spellcheck: 'false', required: true, testid: 'title-input' });
  const datalist = h('datalist', { id: 'title-list' });
  main.append(h('div', { class: 'page-head' }, h('h1', { testid: 'title-heading' }, id ? 'Title' : 'Title')),
    h('form', { class: 'picker', testid: 'title-form', onsubmit: e => {
      e.preventDefault();
      const value = input.value.trim();
      // A suggestion reads "id · name"; the id is what counts.
      if (value) location.hash = `#/title/${encodeURIComponent(value.split(' · ')[0])}`;
    } },
      h('div', { class: 'field' }, h('label', { for: 'title-id' }, 'Title'), input, datalist),
      h('button', { type: 'submit', class: 'button primary', testid: 'title-show' }, 'Show title')));

  // Suggestions: the catalogue's titles as read so far (all of a small one), else the trending ones.
  titlesFor([]).then(() => {
    let list = knownTitles();
    const fill = items => items.slice(0, 1000).forEach(t => datalist.append(h('option', { value: t.id }, t.name)));
    if (list.length) fill(list);
    else api('GET', '/v1/trending?window=week&n=100').then(t => fill(t.titles.map(x => ({ id: x.title_id, name: x.name }))), () => {});
  }, () => {});

  if (!id) {
    main.append(trendingPicker(signal));
    return;
  }

  const head = h('div', { class: 'title-head', testid: 'title-head' }, loading());
  const grid = h('div', { class: 'grid' });
  main.append(head, grid);

  let meta;
  try {
    meta = await api('GET', `/v1/titles/${encodeURIComponent(id)}`, { signal });
  } catch (e) {
    if (e.name === 'AbortError') return;
    clear(head).append(errorBox(describe(e), 'title-error'));
    return;
  }
  drawHead(head, meta);
  main.querySelector('[data-testid="title-heading"]').textContent = meta.name;

  const similarPanel = panel('Similar titles', { wide: true, testid: 'similar', description: 'From the similar-titles model; not personalized.' }, loading());
  const audiencePanel = panel('Who watches it', { testid: 'audience' }, loading());
  const trendPanel = panel('Its trend', { testid: 'trend' }, loading());
  grid.append(similarPanel, audiencePanel, trendPanel);

  const similar = api('GET', `/v1/titles/${encodeURIComponent(id)}/similar?n=12`, { signal }).then(async s => {
    const metas = await titlesFor(s.titles.map(t => t.title_id));
    replaceBody(similarPanel, s.titles.length
      ? h('div', { class: 'row-cards wrap', role: 'list', testid: 'similar-cards' }, s.titles.map(t => h('div', { role: 'listitem' },
        card({ ...t, reason: `similarity ${fmt.num(t.score, 2)}` }, metas.get(t.title_id)))))
      : emptyNote('No similar titles yet.'));
  });
  const audience = api('GET', `/v1/titles/${encodeURIComponent(id)}/audience?days=28`, { signal }).then(a => {
    replaceBody(audiencePanel, drawAudience(a));
    replaceBody(trendPanel, drawTrend(a, null));
    return a;
  });
  const ranks = Promise.all(['hour', 'day', 'week'].map(w => api('GET', `/v1/trending?window=${w}&n=500`, { signal }).then(t => ({
    window: w, rank: t.titles.findIndex(x => x.title_id === id), entry: t.titles.find(x => x.title_id === id), count: t.titles.length,
  }))));
  const results = await Promise.allSettled([similar, audience, ranks]);
  if (signal.aborted) return;
  const [s, a, r] = results;
  if (s.status === 'rejected' && s.reason.name !== 'AbortError') replaceBody(similarPanel, errorBox(describe(s.reason)));
  if (a.status === 'rejected' && a.reason.name !== 'AbortError') { replaceBody(audiencePanel, errorBox(describe(a.reason))); }
  if (a.status === 'fulfilled') replaceBody(trendPanel, drawTrend(a.value, r.status === 'fulfilled' ? r.value : null));
  else if (r.status === 'fulfilled') replaceBody(trendPanel, drawTrend(null, r.value));
}

function replaceBody(section, content) {
  [...section.children].filter(c => c.tagName !== 'HEADER' && !c.classList.contains('panel-desc')).forEach(c => c.remove());
  section.append(content);
}

function drawHead(head, t) {
  const year = t.release_date ? String(t.release_date).slice(0, 4) : null;
  const seasons = t.seasons || [];
  const episodes = seasons.reduce((n, s) => n + (s.episodes || []).length, 0);
  clear(head).append(
    h('div', { class: 'title-art', style: `background:linear-gradient(135deg, ${(t.genres || ['none']).map(genreColour).join(', ')}${(t.genres || []).length < 2 ? ', #222' : ''})`, 'aria-hidden': 'true' }, h('span', {}, t.name)),
    h('div', { class: 'title-facts' },
      h('h2', { testid: 'title-name' }, t.name),
      h('p', { class: 'chips' }, (t.genres || []).map(g => h('span', { class: 'chip', style: `border-color:${genreColour(g)}` }, g))),
      h('dl', { class: 'facts inline' },
        h('dt', {}, 'Id'), h('dd', {}, t.id),
        h('dt', {}, 'Kind'), h('dd', {}, t.kind === 'series' ? `Series, ${seasons.length} season${seasons.length === 1 ? '' : 's'}, ${episodes} episodes` : 'Film'),
        year ? [h('dt', {}, 'Year'), h('dd', {}, year)] : null,
        t.runtime_seconds ? [h('dt', {}, t.kind === 'series' ? 'Episode length' : 'Runtime'), h('dd', {}, fmt.duration(t.runtime_seconds))] : null,
        t.maturity_rating ? [h('dt', {}, 'Rated'), h('dd', {}, t.maturity_rating)] : null,
        t.language ? [h('dt', {}, 'Language'), h('dd', {}, t.language)] : null),
      (t.cast || []).length ? h('p', { class: 'small' }, h('span', { class: 'muted' }, 'Cast: '), t.cast.join(', ')) : null,
      (t.directors || []).length ? h('p', { class: 'small' }, h('span', { class: 'muted' }, 'Directed by: '), t.directors.join(', ')) : null));
}

function drawAudience(a) {
  const devices = Object.entries(a.by_device).sort((x, y) => y[1] - x[1]);
  const tastes = Object.entries(a.by_taste).slice(0, 10);
  return h('div', { testid: 'audience-body' },
    h('div', { class: 'tiles' },
      h('div', { class: 'tile', testid: 'audience-viewers' }, h('div', { class: 'tile-label' }, 'Viewers'), h('div', { class: 'tile-value' }, fmt.int(a.viewers))),
      h('div', { class: 'tile' }, h('div', { class: 'tile-label' }, 'Finished'), h('div', { class: 'tile-value' }, fmt.int(a.finished)),
        h('div', { class: 'tile-note muted small' }, a.viewers ? `${fmt.pct(a.finished / a.viewers, 0)} of viewers` : ''))),
    h('h3', {}, 'By device'), devices.length ? barList(devices.map(([d, n]) => ({ label: d, value: n })), { testid: 'audience-devices' }) : emptyNote('No viewers yet.'),
    h('h3', {}, 'By taste', h('span', { class: 'muted small' }, ' (each viewer\'s most played genre)')),
    tastes.length ? barList(tastes.map(([g, n]) => ({ label: g, value: n, colour: genreColour(g) })), { testid: 'audience-tastes' }) : emptyNote('No viewers yet.'));
}

function drawTrend(a, ranks) {
  const parts = [];
  if (a) {
    const from = Date.parse(a.from_utc);
    const labels = a.plays_per_day.map((_, i) => new Date(from + i * 86400000).toISOString());
    const total = a.plays_per_day.reduce((x, y) => x + y, 0);
    parts.push(h('p', { class: 'small' }, `${fmt.int(total)} plays began in the last ${a.plays_per_day.length} days.`),
      columns({ labels, values: a.plays_per_day, name: 'plays', label: `Plays per day of ${a.name} over ${a.plays_per_day.length} days`, testid: 'chart-plays', xFormat: fmt.day, height: 150, width: 520 }));
  }
  if (ranks) {
    parts.push(h('table', { class: 'table compact', testid: 'trend-ranks' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Trending window'), h('th', { scope: 'col', class: 'num' }, 'Rank'), h('th', { scope: 'col', class: 'num' }, 'Strength'), h('th', { scope: 'col', class: 'num' }, 'Plays (weighted)'))),
      h('tbody', {}, ranks.map(r => h('tr', {}, h('th', { scope: 'row' }, `last ${r.window}`),
        h('td', { class: 'num' }, r.rank >= 0 ? `#${r.rank + 1}` : 'not trending'),
        h('td', { class: 'num' }, r.entry ? fmt.num(r.entry.strength, 2) : '–'),
        h('td', { class: 'num' }, r.entry ? fmt.num(r.entry.plays, 1) : '–'))))));
  }
  return h('div', {}, parts.length ? parts : emptyNote('No trend to show.'));
}

function trendingPicker(signal) {
  const section = panel('Trending this week', { wide: true, testid: 'title-suggestions', description: 'Or pick one of the titles trending now.' }, loading());
  api('GET', '/v1/trending?window=week&n=12', { signal }).then(async t => {
    const metas = await titlesFor(t.titles.map(x => x.title_id));
    replaceBody(section, h('div', { class: 'row-cards wrap', role: 'list' }, t.titles.map(x => h('div', { role: 'listitem' },
      card({ title_id: x.title_id, name: x.name, reason: `strength ${fmt.num(x.strength, 2)}` }, metas.get(x.title_id))))));
  }, e => { if (e.name !== 'AbortError') replaceBody(section, errorBox(describe(e))); });
  return section;
}
