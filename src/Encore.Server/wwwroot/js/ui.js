// Small DOM helpers, formatting and the colours of genres, kinds and devices.

/** Creates an element: h('div', {class: 'x', onclick: f, dataset: {testid: 'y'}}, 'text', child, [more]). Text is never parsed as HTML. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'testid') el.setAttribute('data-testid', value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value') el.value = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

export const fmt = {
  int: n => (n === undefined || n === null || Number.isNaN(n)) ? '–' : integer.format(n),
  compact: n => compact.format(n),
  num: (n, digits = 3) => (n === undefined || n === null || !Number.isFinite(n)) ? '–' : Number(n).toFixed(digits),
  pct: (n, digits = 1) => (n === undefined || n === null || !Number.isFinite(n)) ? '–' : `${(n * 100).toFixed(digits)}%`,
  /** "27 Jan 04:26" in UTC (the service's clock may follow the events, so times are shown as the server has them). */
  time: iso => {
    if (!iso) return '–';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  },
  dateTime: iso => {
    if (!iso) return '–';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
  },
  day: iso => { const d = new Date(iso); return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`; },
  hour: iso => `${String(new Date(iso).getUTCHours()).padStart(2, '0')}:00`,
  duration: seconds => {
    if (seconds === undefined || seconds === null) return '–';
    const s = Math.max(0, Math.round(seconds));
    const hours = Math.floor(s / 3600), minutes = Math.floor((s % 3600) / 60), rest = s % 60;
    return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${String(rest).padStart(2, '0')}` : `${minutes}:${String(rest).padStart(2, '0')}`;
  },
  label: text => String(text || '').replace(/[_-]+/g, ' ').replace(/^./, c => c.toUpperCase()),
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Hues chosen so that neighbouring genres differ; anything else gets a hue from its name.
const GENRE_HUES = {
  Action: 8, Adventure: 28, Animation: 48, Anime: 300, Comedy: 52, Crime: 215, Documentary: 160, Drama: 265,
  Family: 95, Fantasy: 285, Horror: 350, Kids: 120, Music: 325, Mystery: 235, Reality: 185, Romance: 335,
  'Sci-Fi': 195, Thriller: 0, War: 70, Western: 33,
};

export function hueOf(name) {
  if (name in GENRE_HUES) return GENRE_HUES[name];
  let hash = 0;
  for (const c of String(name)) hash = (hash * 31 + c.codePointAt(0)) >>> 0;
  return hash % 360;
}

/** The card's background for a title's genres: its first genre's colour, blended toward the second's. */
export function genreBackground(genres) {
  const [a, b] = [genres && genres[0] || 'none', genres && (genres[1] || genres[0]) || 'none'];
  const ha = hueOf(a), hb = hueOf(b);
  return `linear-gradient(135deg, hsl(${ha} 55% 34%) 0%, hsl(${hb} 50% 22%) 100%)`;
}

export function genreColour(genre) { return `hsl(${hueOf(genre)} 60% 55%)`; }

/** A colour for the nth series of a chart (a qualitative palette readable on dark and light backgrounds). */
export const PALETTE = ['#4e9af1', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac', '#86bcb6', '#d37295'];

export function colourOf(name, names) {
  const i = names.indexOf(name);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}

/** A section with a heading, for the pages' panels. */
export function panel(title, { testid, wide, actions, description } = {}, ...content) {
  const id = `h-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${Math.random().toString(36).slice(2, 7)}`;
  return h('section', { class: `panel${wide ? ' wide' : ''}`, testid, 'aria-labelledby': id },
    h('header', { class: 'panel-head' }, h('h2', { id }, title), actions || null),
    description ? h('p', { class: 'muted small panel-desc' }, description) : null,
    ...content);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading muted', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

export function errorBox(message, testid = 'inline-error') {
  return h('div', { class: 'problem', role: 'alert', testid }, h('strong', {}, 'Problem: '), message);
}

export function emptyNote(text) { return h('p', { class: 'muted empty' }, text); }

export function titleLink(id, name) {
  return h('a', { href: `#/title/${encodeURIComponent(id)}`, class: 'title-link' }, name || id);
}

export function memberLink(id) {
  return h('a', { href: `#/member/${encodeURIComponent(id)}` }, id);
}
