// Messages at the top of the page: problems (until dismissed) and notices (for a few seconds).
import { describe } from './api.js';
import { h } from './ui.js';

/** Shows a problem (an ApiError's detail, or text) until dismissed. */
export function alertError(error, context) {
  const text = typeof error === 'string' ? error : describe(error);
  const box = h('div', { class: 'alert error', role: 'alert', testid: 'error' },
    h('span', {}, context ? h('strong', {}, `${context}: `) : null, text),
    h('button', { type: 'button', class: 'button ghost small', onclick: () => box.remove() }, 'Dismiss'));
  document.getElementById('alerts').append(box);
  return box;
}

export function notify(text) {
  const box = h('div', { class: 'alert info', role: 'status', testid: 'notice' }, h('span', {}, text),
    h('button', { type: 'button', class: 'button ghost small', onclick: () => box.remove() }, 'Dismiss'));
  document.getElementById('alerts').append(box);
  setTimeout(() => box.remove(), 8000);
}

export function clearAlerts() {
  document.getElementById('alerts').querySelectorAll('.alert').forEach(a => a.remove());
}

/** What /health/ready said last: {ready, model}. */
export const server = { model: null, ready: false };
