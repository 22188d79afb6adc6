// Charts drawn as SVG in the page: stacked bars, lines, and bar lists. No library; every mark has a <title> for its value.
import { h, fmt, PALETTE } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

/** Round tick values from 0 to at least max: about `count` of them at 1, 2 or 5 times a power of ten. */
export function ticks(max, count = 4) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map(m => m * power).find(v => v >= raw);
  const result = [];
  for (let v = 0; v < max + step * 0.999; v += step) result.push(+v.toFixed(10));
  return result;
}

const PAD = { left: 48, right: 12, top: 12, bottom: 28 };
// The drawing's width: narrower on a phone, so that its text stays readable when the chart fills the screen.
let W = 760;
function measure(width) { W = window.innerWidth < 700 ? 440 : (width || 760); }

/** How many x labels fit along a chart on this screen. */
export function labelRoom() { return window.innerWidth < 700 ? 6 : 12; }

/** Which x labels to print so they do not crowd: every nth. */
function labelEvery(n, room) { return Math.max(1, Math.ceil(n / room)); }

function frame(height, label, testid) {
  return s('svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img', 'aria-label': label, 'data-testid': testid, preserveAspectRatio: 'xMidYMid meet' });
}

function yAxis(svg, max, height, format = fmt.compact) {
  const t = ticks(max);
  const top = t[t.length - 1];
  const plotH = height - PAD.top - PAD.bottom;
  const y = v => PAD.top + plotH - (v / top) * plotH;
  const g = s('g', { class: 'axis y' });
  for (const v of t) {
    g.append(s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: v === 0 ? 'baseline' : 'gridline' }));
    g.append(s('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, format(v)));
  }
  svg.append(g);
  return y;
}

function legend(series, testid) {
  return h('ul', { class: 'legend', testid: testid ? `${testid}-legend` : undefined },
    series.map(x => h('li', {}, h('span', { class: 'swatch', style: `background:${x.colour}`, 'aria-hidden': 'true' }), x.href ? h('a', { href: x.href }, x.name) : x.name)));
}

/**
 * Stacked bars: one bar per x (labels), each the sum of the series' values there. `series`: [{name, values, colour?}].
 * Answers a figure with the SVG, its legend and a caption.
 */
export function stackedBars({ labels, series, height = 220, label, testid, xFormat = x => x, caption, labelAt, width }) {
  measure(width);
  series = series.map((x, i) => ({ ...x, colour: x.colour || PALETTE[i % PALETTE.length] }));
  const totals = labels.map((_, i) => series.reduce((sum, x) => sum + (x.values[i] || 0), 0));
  const max = Math.max(1, ...totals);
  const svg = frame(height, label, testid);
  const y = yAxis(svg, max, height);
  const plotW = W - PAD.left - PAD.right;
  const band = plotW / Math.max(1, labels.length);
  const barW = Math.max(1, band * 0.78);
  const every = labelEvery(labels.length, labelRoom());
  const shows = labelAt || (i => i % every === 0);
  labels.forEach((x, i) => {
    const g = s('g', { class: 'bar' });
    let base = 0;
    const x0 = PAD.left + i * band + (band - barW) / 2;
    for (const ser of series) {
      const v = ser.values[i] || 0;
      if (v <= 0) continue;
      g.append(s('rect', { x: x0, y: y(base + v), width: barW, height: Math.max(0.5, y(base) - y(base + v)), fill: ser.colour },
        s('title', {}, `${xFormat(x)} · ${ser.name}: ${fmt.int(v)}`)));
      base += v;
    }
    g.append(s('rect', { x: PAD.left + i * band, y: PAD.top, width: band, height: height - PAD.top - PAD.bottom, class: 'hit' },
      s('title', {}, `${xFormat(x)}: ${fmt.int(totals[i])} in all\n${series.filter(ser => ser.values[i]).map(ser => `${ser.name}: ${fmt.int(ser.values[i])}`).join('\n')}`)));
    svg.append(g);
    if (shows(i, x)) svg.append(s('text', { x: PAD.left + i * band + band / 2, y: height - 8, 'text-anchor': 'middle', class: 'axis x' }, xFormat(x)));
  });
  return h('figure', { class: 'chart-figure' }, svg, legend(series, testid), caption ? h('figcaption', { class: 'muted small' }, caption) : null);
}

/** Lines over the same x labels: `series`: [{name, values, colour?, href?}]. */
export function lines({ labels, series, height = 220, label, testid, xFormat = x => x, caption, labelAt }) {
  measure();
  series = series.map((x, i) => ({ ...x, colour: x.colour || PALETTE[i % PALETTE.length] }));
  const max = Math.max(1, ...series.flatMap(x => x.values));
  const svg = frame(height, label, testid);
  const y = yAxis(svg, max, height);
  const plotW = W - PAD.left - PAD.right;
  const step = plotW / Math.max(1, labels.length - 1);
  const x = i => PAD.left + i * step;
  const every = labelEvery(labels.length, labelRoom());
  const shows = labelAt || (i => i % every === 0);
  labels.forEach((l, i) => { if (shows(i, l)) svg.append(s('text', { x: x(i), y: height - 8, 'text-anchor': 'middle', class: 'axis x' }, xFormat(l))); });
  for (const ser of series) {
    const points = ser.values.map((v, i) => `${x(i).toFixed(1)},${y(v || 0).toFixed(1)}`).join(' ');
    const g = s('g', { class: 'series' }, s('title', {}, `${ser.name}: ${fmt.int(ser.values.reduce((a, b) => a + b, 0))} in all`));
    g.append(s('polyline', { points, fill: 'none', stroke: ser.colour, 'stroke-width': 2.2, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }));
    ser.values.forEach((v, i) => { if (v > 0) g.append(s('circle', { cx: x(i), cy: y(v), r: 2.6, fill: ser.colour }, s('title', {}, `${ser.name} · ${xFormat(labels[i])}: ${fmt.int(v)}`))); });
    svg.append(g);
  }
  return h('figure', { class: 'chart-figure' }, svg, legend(series, testid), caption ? h('figcaption', { class: 'muted small' }, caption) : null);
}

/** Columns of one series (plays per day): `values` over `labels`. */
export function columns({ labels, values, height = 180, label, testid, xFormat = x => x, colour = PALETTE[0], name = 'value', labelAt, width }) {
  return stackedBars({ labels, series: [{ name, values, colour }], height, label, testid, xFormat, labelAt, width }).firstChild;
}

/** A list of labelled horizontal bars (HTML, so it reflows on narrow screens): items [{label, value, note?, colour?, href?}]. */
export function barList(items, { testid, format = fmt.int, max } = {}) {
  const top = max ?? Math.max(1, ...items.map(i => i.value));
  return h('ul', { class: 'bar-list', testid },
    items.map((item, i) => h('li', {},
      h('span', { class: 'bar-label' }, item.href ? h('a', { href: item.href }, item.label) : item.label),
      h('span', { class: 'bar-track', 'aria-hidden': 'true' },
        h('span', { class: 'bar-fill', style: `width:${Math.max(0.5, 100 * item.value / top).toFixed(1)}%;background:${item.colour || PALETTE[i % PALETTE.length]}` })),
      h('span', { class: 'bar-value' }, format(item.value), item.note ? h('span', { class: 'muted small' }, ` ${item.note}`) : null))));
}

/** A tiny line for a table cell. */
export function sparkline(values, { width = 120, height = 28, colour = PALETTE[0], label } = {}) {
  const max = Math.max(1, ...values);
  const step = width / Math.max(1, values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  return s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'sparkline', role: 'img', 'aria-label': label || `trend, peak ${max}` },
    s('polyline', { points, fill: 'none', stroke: colour, 'stroke-width': 1.6 }));
}
