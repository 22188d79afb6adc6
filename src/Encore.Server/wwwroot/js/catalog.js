// The titles' metadata (name, genres, year, runtime, episodes) for drawing cards: the whole catalogue when it is small,
// else each title once as it is needed. Members' ids for the pickers.
import { api } from './api.js';

const titles = new Map();
let whole = null;          // the promise of the whole small catalogue, once tried
let memberIds = null;

const WHOLE_LIMIT = 2000;  // catalogues up to this many titles are read at once (two pages)

async function loadWhole() {
  const first = await api('GET', '/v1/titles?offset=0&limit=1000');
  if (first.total > WHOLE_LIMIT) { first.items.forEach(remember); return false; }
  first.items.forEach(remember);
  for (let offset = first.items.length; offset < first.total; offset += 1000) {
    const page = await api('GET', `/v1/titles?offset=${offset}&limit=1000`);
    page.items.forEach(remember);
    if (page.items.length === 0) break;
  }
  return true;
}

/** Keeps what is known of titles (a title, or a list of them), without replacing a fuller record. */
export function remember(t) {
  if (Array.isArray(t)) { t.forEach(x => { if (!titles.has(x.id)) remember(x); }); return; }
  const year = t.release_date ? Number(String(t.release_date).slice(0, 4)) : null;
  titles.set(t.id, { ...t, year: Number.isFinite(year) ? year : null, genres: t.genres || [] });
}

/** Metadata for these ids (a Map); titles that cannot be read are left out. */
export async function titlesFor(ids) {
  if (!whole) whole = loadWhole().catch(e => { whole = null; throw e; });
  const all = await whole;
  const missing = [...new Set(ids)].filter(id => !titles.has(id));
  if (missing.length && !all) {
    let next = 0;
    const worker = async () => {
      while (next < missing.length) {
        const id = missing[next++];
        try { remember(await api('GET', `/v1/titles/${encodeURIComponent(id)}`)); } catch { /* drawn without metadata */ }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
  } else if (missing.length) {
    // Added since the catalogue was read.
    await Promise.all(missing.map(id => api('GET', `/v1/titles/${encodeURIComponent(id)}`).then(remember, () => {})));
  }
  return new Map(ids.filter(id => titles.has(id)).map(id => [id, titles.get(id)]));
}

export async function title(id) {
  return (await titlesFor([id])).get(id) || null;
}

/** A known title list for suggestions (what has been read so far). */
export function knownTitles() { return [...titles.values()]; }

/** Member ids for the picker (the first 1,000; the box takes any id). */
export async function members() {
  if (!memberIds) memberIds = api('GET', '/v1/members?offset=0&limit=1000').then(p => ({ ids: p.items.map(m => m.id), total: p.total }))
    .catch(e => { memberIds = null; throw e; });
  return memberIds;
}

/** Forget what was read (after the keys change). */
export function reset() { titles.clear(); whole = null; memberIds = null; }
