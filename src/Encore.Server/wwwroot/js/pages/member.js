// Member: pick a member and a device, see the homepage as rows of cards with each row's evidence, the timeline (events,
// sessions, signals), and send a play to watch the page change.
import { api, describe, hasKey } from '../api.js';
import { h, fmt, panel, loading, errorBox, emptyNote, titleLink, clear } from '../ui.js';
import { alertError, notify } from '../alerts.js';
import { titlesFor, members, remember } from '../catalog.js';
import { card, episodeLabel } from '../cards.js';
import { DEVICES } from './overview.js';

const TITLES_PER_ROW = 20;

export async function render(main, { args, query, signal }) {
  const memberId = args[0] || '';
  const device = DEVICES.includes(query.get('device')) ? query.get('device') : 'tv';

  const input = h('input', { id: 'member-id', name: 'member', list: 'member-list', value: memberId, placeholder: 'e.g. m0000001', autocomplete: 'off', spellcheck: 'false', required: true, testid: 'member-input' });
  const datalist = h('datalist', { id: 'member-list', testid: 'member-suggestions' });
  const deviceSelect = h('select', { id: 'member-device', name: 'device', testid: 'member-device' }, DEVICES.map(d => h('option', { value: d, selected: d === device }, d)));
  const hint = h('span', { class: 'muted small', testid: 'member-count' });
  let ids = [];
  const form = h('form', { class: 'picker', testid: 'member-form', onsubmit: e => {
    e.preventDefault();
    const id = input.value.trim();
    if (!id) { input.focus(); return; }
    go(id, deviceSelect.value);
  } },
    h('div', { class: 'field' }, h('label', { for: 'member-id' }, 'Member'), input, datalist),
    h('div', { class: 'field' }, h('label', { for: 'member-device' }, 'Device'), deviceSelect),
    h('button', { type: 'submit', class: 'button primary', testid: 'member-show' }, 'Show homepage'),
    h('button', { type: 'button', class: 'button ghost', testid: 'member-random', onclick: () => { if (ids.length) go(ids[Math.floor(Math.random() * ids.length)], deviceSelect.value); } }, 'Random member'),
    hint);
  deviceSelect.addEventListener('change', () => { if (input.value.trim()) go(input.value.trim(), deviceSelect.value); });

  main.append(h('div', { class: 'page-head' }, h('h1', {}, memberId ? `Member ${memberId}` : 'Member')), form);

  members().then(list => {
    ids = list.ids;
    ids.forEach(id => datalist.append(h('option', { value: id })));
    hint.textContent = `${fmt.int(list.total)} members${list.total > ids.length ? ` (suggesting the first ${fmt.int(ids.length)})` : ''}`;
  }, e => { hint.textContent = describe(e); });

  if (!memberId) {
    main.append(emptyNote('Pick a member to see their homepage, their timeline and to send a play.'));
    return;
  }
  const view = new MemberView(main, memberId, device, signal);
  await view.load();
}

function go(id, device) { location.hash = `#/member/${encodeURIComponent(id)}?device=${encodeURIComponent(device)}`; }

class MemberView {
  constructor(main, memberId, device, signal) {
    this.memberId = memberId;
    this.device = device;
    this.signal = signal;
    this.page = null;          // the homepage as last drawn
    this.meta = new Map();
    this.selected = null;      // {entry, row}
    this.sent = new Set();     // event ids this page sent (highlighted in the timeline)
    this.header = h('div', { class: 'member-head', testid: 'member-head' });
    this.changes = h('div', { class: 'changes-slot' });
    this.actions = h('div', { class: 'action-bar', testid: 'action-bar', hidden: true, role: 'region', 'aria-label': 'Selected title' });
    this.rows = h('div', { class: 'rows', testid: 'homepage' }, loading('Building the homepage…'));
    this.timeline = h('div', { class: 'timeline-slot' });
    main.append(this.header, this.changes,
      panel('Homepage', { wide: true, testid: 'homepage-panel', actions: h('button', { type: 'button', class: 'button ghost small', testid: 'homepage-refresh', onclick: () => this.refresh('Refreshed') }, 'Refresh') },
        h('p', { class: 'muted small' }, 'Select a card to send a play for it, see its score parts, or open its page.'), this.rows),
      this.actions, this.timeline);
  }

  async fetchPage() {
    const page = await api('GET', `/v1/members/${encodeURIComponent(this.memberId)}/homepage?device=${this.device}&explain=true&titlesPerRow=${TITLES_PER_ROW}`, { signal: this.signal });
    // Entries carry what a card shows (kind, genres, year); titles read only where an entry lacks it.
    remember(page.rows.flatMap(r => r.titles).filter(t => t.genres).map(t => ({ id: t.title_id, name: t.name, kind: t.kind, genres: t.genres, release_date: t.year ? `${t.year}-01-01` : null })));
    const ids = page.rows.flatMap(r => r.titles.map(t => t.title_id));
    this.meta = await titlesFor(ids);
    return page;
  }

  async load() {
    const [page, profile] = await Promise.all([
      this.fetchPage().catch(e => e),
      api('GET', `/v1/members/${encodeURIComponent(this.memberId)}`, { signal: this.signal }).catch(() => null),
    ]);
    if (this.signal.aborted) return;
    if (page instanceof Error) {
      if (page.name === 'AbortError') return;
      clear(this.rows).append(errorBox(describe(page), 'homepage-error'));
      return;
    }
    this.profile = profile;
    this.drawPage(page, null);
    this.loadTimeline();
  }

  drawHeader() {
    const p = this.page, profile = this.profile;
    clear(this.header).append(h('dl', { class: 'facts inline' },
      h('dt', {}, 'Member'), h('dd', { testid: 'member-id' }, p.member_id),
      h('dt', {}, 'Device'), h('dd', {}, p.device),
      profile ? [h('dt', {}, 'Joined'), h('dd', {}, String(profile.joined || '').slice(0, 10) || '–'),
        h('dt', {}, 'Country'), h('dd', {}, profile.country || '–'),
        profile.maturity_limit ? [h('dt', {}, 'Maturity limit'), h('dd', {}, profile.maturity_limit)] : null] : null,
      h('dt', {}, 'Page at'), h('dd', { testid: 'page-at' }, fmt.dateTime(p.at)),
      h('dt', {}, 'Model'), h('dd', { testid: 'page-model' }, p.model_version || 'none', h('span', { class: 'muted small' }, ` ${p.model || ''}`)),
      h('dt', {}, 'Rows'), h('dd', {}, fmt.int(p.rows.length))));
  }

  /** Draws the page; with `before`, marks what changed since (new rows, titles new to a row) and says so. */
  drawPage(page, before) {
    this.page = page;
    this.drawHeader();
    const diff = before ? compare(before, page) : null;
    clear(this.rows);
    if (!page.rows.length) this.rows.append(emptyNote('The page has no rows.'));
    for (const row of page.rows) {
      const change = diff && diff.rows.get(row.key);
      const cards = row.titles.map(entry => card(entry, this.meta.get(entry.title_id), {
        onselect: e => this.select(e, row),
        selected: this.selected && this.selected.entry.title_id === entry.title_id && this.selected.row.key === row.key,
        badge: change && (change.added === 'row' || change.added.has(entry.title_id)) ? 'new' : null,
      }));
      this.rows.append(h('section', { class: `row${change && change.added === 'row' ? ' changed-row' : ''}`, testid: `row-${row.key}`, dataset: { kind: row.kind }, 'aria-label': row.label },
        h('header', { class: 'row-head' },
          h('h3', {}, row.label),
          h('span', { class: 'kind-badge' }, fmt.label(row.kind)),
          h('span', { class: 'row-evidence muted', testid: 'row-evidence' }, row.evidence),
          change && change.added === 'row' ? h('span', { class: 'change-badge' }, 'new row') : null),
        h('div', { class: 'row-cards', role: 'list' }, cards.map(c => h('div', { role: 'listitem' }, c)))));
    }
    if (diff) this.drawChanges(diff);
    if (this.selected) {
      const again = page.rows.find(r => r.key === this.selected.row.key)?.titles.find(t => t.title_id === this.selected.entry.title_id);
      const anywhere = again ? null : page.rows.flatMap(r => r.titles.map(t => ({ t, r }))).find(x => x.t.title_id === this.selected.entry.title_id);
      if (again) this.select(again, page.rows.find(r => r.key === this.selected.row.key));
      else if (anywhere) this.select(anywhere.t, anywhere.r);
      else this.drawActions();
    }
  }

  drawChanges(diff) {
    const lines = [];
    for (const [key, c] of diff.rows) {
      const row = this.page.rows.find(r => r.key === key);
      if (c.added === 'row') lines.push(h('li', {}, h('strong', {}, row.label), ' is a new row'));
      else if (c.added.size || c.removed.size) {
        const names = [...c.added].map(id => row.titles.find(t => t.title_id === id)?.name || id);
        lines.push(h('li', {}, h('strong', {}, row.label), ': ',
          names.length ? `+ ${names.slice(0, 4).join(', ')}${names.length > 4 ? ` and ${names.length - 4} more` : ''}` : '',
          names.length && c.removed.size ? '; ' : '', c.removed.size ? `− ${c.removed.size} title${c.removed.size > 1 ? 's' : ''}` : ''));
      }
    }
    for (const label of diff.gone) lines.push(h('li', {}, h('strong', {}, label), ' left the page'));
    clear(this.changes).append(h('div', { class: 'changes', role: 'status', testid: 'changes' },
      h('strong', {}, `${diff.reason}: `), lines.length ? `${lines.length} change${lines.length > 1 ? 's' : ''} on the page` : 'the page did not change',
      lines.length ? h('ul', {}, lines) : null));
  }

  select(entry, row) {
    this.selected = { entry, row };
    this.rows.querySelectorAll('.card.selected').forEach(c => { c.classList.remove('selected'); c.setAttribute('aria-pressed', 'false'); });
    const rowEl = [...this.rows.querySelectorAll('section.row')].find(s => s.dataset.testid === `row-${row.key}`);
    const cardEl = rowEl && [...rowEl.querySelectorAll('.card')].find(c => c.dataset.titleId === entry.title_id);
    if (cardEl) { cardEl.classList.add('selected'); cardEl.setAttribute('aria-pressed', 'true'); }
    this.drawActions();
  }

  drawActions() {
    const { entry, row } = this.selected;
    const meta = this.meta.get(entry.title_id);
    const episode = this.episodeFor(entry, meta);
    const runtime = episode?.runtime_seconds || meta?.runtime_seconds || 0;
    const canSend = hasKey('ingest');
    this.actions.hidden = false;
    clear(this.actions).append(
      h('div', { class: 'action-title' },
        h('strong', { testid: 'selected-title' }, entry.name),
        h('span', { class: 'muted small' }, ` in ${row.label}`, episode ? ` · ${episodeLabel(meta, episode.id) || episode.id}` : '', runtime ? ` · ${fmt.duration(runtime)}` : ''),
        entry.scores ? h('div', { class: 'score-parts small', testid: 'score-parts' },
          `score ${fmt.num(entry.score, 3)}: `, Object.entries(entry.scores).map(([k, v]) => h('span', { class: 'chip' }, `${k} ${fmt.num(v, 2)}`))) : null),
      h('div', { class: 'action-buttons' },
        h('button', { type: 'button', class: 'button primary', testid: 'play-partial', disabled: !canSend, onclick: e => this.play(entry, 'partial', e.currentTarget) },
          `▶ Watch ${runtime ? fmt.duration(Math.round(runtime * 0.4)) : 'a part'} and stop`),
        h('button', { type: 'button', class: 'button', testid: 'play-complete', disabled: !canSend, onclick: e => this.play(entry, 'complete', e.currentTarget) }, '▶ Watch to the end'),
        h('a', { class: 'button ghost', href: `#/title/${encodeURIComponent(entry.title_id)}`, testid: 'open-title' }, 'Title page'),
        h('button', { type: 'button', class: 'button ghost', onclick: () => { this.actions.hidden = true; this.selected = null; this.rows.querySelectorAll('.card.selected').forEach(c => c.classList.remove('selected')); } }, 'Close'),
        canSend ? null : h('span', { class: 'muted small' }, 'Enter the ingest key (Keys) to send plays.')));
  }

  /** The episode a play of this entry is for: the row's next episode, else the first; null for a film. */
  episodeFor(entry, meta) {
    if (!meta || meta.kind !== 'series') return null;
    const episodes = (meta.seasons || []).flatMap(s => s.episodes || []);
    return episodes.find(e => e.id === entry.episode_id) || episodes[0] || null;
  }

  /**
   * Sends a play: play_start just after the latest event (the server's clock may follow the events: the page's "at"),
   * then a stop at 40% or a completion at the end, in a session of its own; then builds the page again and shows what changed.
   */
  async play(entry, how, button) {
    const meta = this.meta.get(entry.title_id) || (await titlesFor([entry.title_id])).get(entry.title_id);
    const episode = this.episodeFor(entry, meta);
    const runtime = episode?.runtime_seconds || meta?.runtime_seconds || 3600;
    const latest = Math.max(Date.parse(this.page.at) || 0, this.latestEvent || 0);
    const start = latest + 60_000;
    const watched = how === 'partial' ? Math.max(60, Math.round(runtime * 0.4)) : runtime;
    const tag = `console-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const base = { member_id: this.memberId, title_id: entry.title_id, device: this.device, session_id: tag };
    if (episode) base.episode_id = episode.id;
    const events = [
      { ...base, event_id: `${tag}-start`, kind: 'play_start', timestamp: new Date(start).toISOString(), position: 0 },
      { ...base, event_id: `${tag}-${how === 'partial' ? 'stop' : 'end'}`, kind: how === 'partial' ? 'stop' : 'completion', timestamp: new Date(start + watched * 1000).toISOString(), position: watched },
    ];
    const label = button.textContent;
    button.disabled = true;
    button.textContent = 'Sending and rebuilding…';
    try {
      const result = await api('POST', '/v1/events', { role: 'ingest', body: events });
      if (result.rejected) {
        const first = result.events.find(e => e.status === 'rejected');
        alertError(`${result.rejected} of ${events.length} events were rejected; ${first.field}: ${first.reason}`, 'Play');
      }
      events.forEach(e => this.sent.add(e.event_id));
      await this.refresh(`After watching ${entry.name}${how === 'partial' ? ` for ${fmt.duration(watched)}` : ' to the end'}`);
      notify(`Sent ${entry.name}: play_start and ${events[1].kind} at ${fmt.duration(watched)} (${result.stored} stored); the page was built again.`);
    } catch (e) {
      if (e.name !== 'AbortError') alertError(e, 'Sending the play');
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  async refresh(reason) {
    const before = this.page;
    try {
      const page = await this.fetchPage();
      if (this.signal.aborted) return;
      this.drawPage(page, before ? { ...before, reason } : null);
      this.loadTimeline();
    } catch (e) {
      if (e.name !== 'AbortError') alertError(e, 'Building the homepage');
    }
  }

  async loadTimeline() {
    try {
      const t = await api('GET', `/v1/members/${encodeURIComponent(this.memberId)}/timeline?events=200`, { signal: this.signal });
      if (this.signal.aborted) return;
      this.latestEvent = Math.max(0, ...t.events.map(e => Date.parse(e.timestamp) || 0));
      const meta = await titlesFor([...new Set([...t.events.map(e => e.title_id).filter(Boolean), ...t.signals.map(s => s.title_id)])]);
      clear(this.timeline).append(h('div', { class: 'grid timeline-grid' }, sessionsPanel(t, meta, this.sent), signalsPanel(t)));
    } catch (e) {
      if (e.name !== 'AbortError') clear(this.timeline).append(errorBox(describe(e), 'timeline-error'));
    }
  }
}

/** What changed between two pages: per row key, titles added and removed (or the whole row new); rows gone. */
function compare(before, after) {
  const old = new Map(before.rows.map(r => [r.key, new Set(r.titles.map(t => t.title_id))]));
  const rows = new Map();
  for (const row of after.rows) {
    const prior = old.get(row.key);
    if (!prior) { rows.set(row.key, { added: 'row', removed: new Set() }); continue; }
    const now = new Set(row.titles.map(t => t.title_id));
    const added = new Set([...now].filter(id => !prior.has(id)));
    const removed = new Set([...prior].filter(id => !now.has(id)));
    if (added.size || removed.size) rows.set(row.key, { added, removed });
  }
  const keys = new Set(after.rows.map(r => r.key));
  const gone = before.rows.filter(r => !keys.has(r.key)).map(r => r.label);
  return { rows, gone, reason: before.reason || 'Changed' };
}

function sessionsPanel(t, meta, sent) {
  const events = [...t.events].sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
  const sessions = [];
  for (const e of events) {
    const last = sessions[sessions.length - 1];
    if (last && last.id === e.session_id) last.events.push(e);
    else sessions.push({ id: e.session_id, device: e.device, events: [e] });
  }
  return panel('Timeline', {
    testid: 'timeline',
    description: `${fmt.int(t.sessions)} sessions in all; the latest ${fmt.int(t.events.length)} events, newest first, by session.`,
  }, sessions.length ? h('ol', { class: 'sessions' }, sessions.slice(0, 30).map(s => {
    const first = s.events[s.events.length - 1], last = s.events[0];
    return h('li', { class: `session${s.events.some(e => sent.has(e.event_id)) ? ' changed' : ''}` },
      h('div', { class: 'session-head small' }, h('strong', {}, fmt.time(first.timestamp)), ` – ${fmt.time(last.timestamp).split(' ').pop()} · ${s.device} · ${s.events.length} events`,
        h('span', { class: 'muted' }, ` · ${s.id}`)),
      h('ul', { class: 'events' }, s.events.map(e => h('li', { class: sent.has(e.event_id) ? 'sent' : null, testid: sent.has(e.event_id) ? 'sent-event' : null },
        h('span', { class: 'event-time muted' }, fmt.time(e.timestamp).split(' ').pop()),
        h('span', { class: `event-kind k-${e.kind}` }, e.kind),
        e.title_id ? titleLink(e.title_id, meta.get(e.title_id)?.name) : h('span', { class: 'muted' }, e.query ? `“${e.query}”` : ''),
        e.episode_id ? h('span', { class: 'muted small' }, ` ${episodeLabel(meta.get(e.title_id), e.episode_id) || e.episode_id}`) : null,
        e.position !== undefined && e.position !== null && e.kind !== 'impression' ? h('span', { class: 'muted small' }, ` @ ${fmt.duration(e.position)}`) : null,
        e.row ? h('span', { class: 'muted small' }, ` in ${e.row}${e.row_position !== undefined ? ` #${e.row_position}` : ''}`) : null,
        e.rating !== undefined ? h('span', { class: 'muted small' }, ` rated ${e.rating}`) : null))));
  })) : emptyNote('No events yet.'));
}

function signalsPanel(t) {
  const signals = [...t.signals].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return panel('Signals', {
    testid: 'signals',
    description: 'How each title\'s events became a signal and a weight (the rule and its terms).',
  }, signals.length ? h('div', { class: 'table-scroll tall' }, h('table', { class: 'table', testid: 'signals-table' },
    h('thead', {}, h('tr', {}, ['Title', 'Evidence', 'Weight', 'Watched', 'Sessions', 'Rule and terms'].map((c, i) => h('th', { scope: 'col', class: i === 2 || i === 4 ? 'num' : null }, c)))),
    h('tbody', {}, signals.map(s => h('tr', {},
      h('th', { scope: 'row' }, titleLink(s.title_id, s.name)),
      h('td', {}, h('span', { class: `evidence e-${s.evidence}` }, s.evidence)),
      h('td', { class: 'num weight' }, h('span', { class: `weight-bar${s.weight < 0 || s.evidence === 'negative' ? ' neg' : ''}`, style: `width:${Math.min(60, Math.abs(s.weight) * 60).toFixed(0)}px`, 'aria-hidden': 'true' }), fmt.num(s.weight, 2)),
      h('td', {}, s.completed ? 'finished' : s.played ? `${fmt.pct(s.watch_share, 0)}` : 'not played', s.rating !== undefined ? ` · rated ${s.rating}` : ''),
      h('td', { class: 'num' }, fmt.int(s.sessions)),
      h('td', { class: 'small' }, s.rule, h('span', { class: 'muted' }, Object.keys(s.terms).length ? ` (${Object.entries(s.terms).map(([k, v]) => `${k} ${v >= 0 ? '+' : ''}${fmt.num(v, 2)}`).join(', ')})` : ''))))))) 
    : emptyNote('No signals yet.'));
}
