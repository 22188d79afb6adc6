// Title cards drawn from metadata: a colour per genre, the name, the year; no images.
import { h, fmt, genreBackground, genreColour } from './ui.js';

/** Which episode an id names in a title's seasons: "S1 E8", or null. */
export function episodeLabel(meta, episodeId) {
  if (!meta || !episodeId) return null;
  for (const season of meta.seasons || [])
    for (const e of season.episodes || [])
      if (e.id === episodeId) return `S${season.number} E${e.number}`;
  return null;
}

/**
 * A card for a title: `entry` {title_id, name, episode_id?, reason?, score?, scores?}, `meta` the title's metadata (or
 * undefined). A button when `onselect` is given (it selects the title), else a link to the title's page.
 */
export function card(entry, meta, { onselect, selected, badge, testid } = {}) {
  const genres = meta ? meta.genres : [];
  const facts = [meta && meta.year, meta && (meta.kind === 'series' ? 'Series' : 'Film'), episodeLabel(meta, entry.episode_id)].filter(Boolean).join(' · ');
  const scoreText = entry.scores ? Object.entries(entry.scores).map(([k, v]) => `${k} ${fmt.num(v, 2)}`).join(', ') : null;
  const tip = [entry.name, facts, genres.join(', '), entry.reason, entry.score !== undefined ? `score ${fmt.num(entry.score, 3)}${scoreText ? ` (${scoreText})` : ''}` : null].filter(Boolean).join('\n');
  const content = [
    h('span', { class: 'card-art', style: `background:${genreBackground(genres)}` },
      h('span', { class: 'card-genres' }, genres.slice(0, 2).map(g => h('span', { class: 'genre-dot', style: `background:${genreColour(g)}` })), genres.slice(0, 2).join(' · ') || 'Unknown genre'),
      h('span', { class: 'card-art-name card-name' }, entry.name)),
    h('span', { class: 'card-meta muted small' }, facts || entry.title_id),
    entry.reason ? h('span', { class: 'card-reason small' }, entry.reason) : null,
    badge ? h('span', { class: 'card-badge', testid: 'card-badge' }, badge) : null,
  ];
  const attrs = {
    class: `card${selected ? ' selected' : ''}${badge ? ' changed' : ''}`,
    title: tip,
    testid: testid || `card-${entry.title_id}`,
    dataset: { titleId: entry.title_id },
  };
  if (onselect) return h('button', { ...attrs, type: 'button', 'aria-pressed': selected ? 'true' : 'false', onclick: () => onselect(entry) }, content);
  return h('a', { ...attrs, href: `#/title/${encodeURIComponent(entry.title_id)}` }, content);
}
