// The console's shell: keys (fragment, settings dialog), hash routing to the pages, the server's status, alerts.
import { keysFromFragment, loadKeys, saveKeys, open, describe } from './api.js';
import { h, clear } from './ui.js';
import { clearAlerts, server } from './alerts.js';
import * as catalog from './catalog.js';
import * as overview from './pages/overview.js';
import * as member from './pages/member.js';
import * as title from './pages/title.js';
import * as models from './pages/models.js';
import * as analytics from './pages/analytics.js';

const PAGES = { overview, member, title, models, analytics };
const main = document.getElementById('main');
let current = null;   // the page's AbortController

function parseRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const page = PAGES[parts[0]] ? parts[0] : 'overview';
  return { page, args: parts.slice(1), query: new URLSearchParams(query) };
}

function route() {
  const taken = keysFromFragment(location.hash);
  if (taken) {
    // The keys leave the address bar (and the history) at once.
    catalog.reset();
    history.replaceState(null, '', `${location.pathname}#/${taken.route.replace(/^[#/]+/, '') || 'overview'}`);
  }
  if (current) current.abort();
  current = new AbortController();
  const { page, args, query } = parseRoute();
  document.querySelectorAll('nav a[data-page]').forEach(a => a.setAttribute('aria-current', a.dataset.page === page ? 'page' : 'false'));
  clear(main);
  clearAlerts();
  main.dataset.page = page;
  if (!loadKeys().read) {
    main.append(h('div', { class: 'panel', testid: 'need-keys' },
      h('h2', {}, 'Enter your API keys'),
      h('p', {}, 'The console needs at least the read key (the ingest key sends plays, the admin key manages models). ',
        h('code', {}, 'encore demo'), ' prints a link that carries the keys; or enter them here.'),
      h('button', { type: 'button', class: 'button primary', testid: 'enter-keys', onclick: openSettings }, 'Enter keys')));
    return;
  }
  const signal = current.signal;
  Promise.resolve(PAGES[page].render(main, { args, query, signal })).catch(e => {
    if (e && e.name === 'AbortError') return;
    main.append(h('div', { class: 'problem', role: 'alert', testid: 'page-error' }, describe(e)));
  });
}

// ---- settings ----

const dialog = document.getElementById('settings');
const form = document.getElementById('settings-form');

function openSettings() {
  const keys = loadKeys();
  for (const role of ['read', 'ingest', 'admin']) form.elements[role].value = keys[role];
  if (typeof dialog.showModal === 'function') dialog.showModal(); else dialog.setAttribute('open', '');
  form.elements.read.focus();
}

document.getElementById('open-settings').addEventListener('click', openSettings);
document.getElementById('cancel-settings').addEventListener('click', () => dialog.close());
document.getElementById('show-keys').addEventListener('change', e => {
  for (const role of ['read', 'ingest', 'admin']) form.elements[role].type = e.target.checked ? 'text' : 'password';
});
document.getElementById('forget-keys').addEventListener('click', () => {
  saveKeys({});
  for (const role of ['read', 'ingest', 'admin']) form.elements[role].value = '';
});
form.addEventListener('submit', () => {
  saveKeys({ read: form.elements.read.value, ingest: form.elements.ingest.value, admin: form.elements.admin.value });
  catalog.reset();
  updateKeyBadge();
  route();
});

function updateKeyBadge() {
  const keys = loadKeys();
  const held = ['read', 'ingest', 'admin'].filter(r => keys[r]);
  const button = document.getElementById('open-settings');
  button.textContent = held.length ? `Keys: ${held.join(', ')}` : 'Enter keys';
  button.classList.toggle('warn', !keys.read);
}

// ---- server status ----

async function checkServer() {
  const status = document.querySelector('.server-status');
  try {
    const ready = await open('/health/ready');
    server.ready = ready && ready.status === 'ready';
    server.model = ready && ready.model || null;
    status.textContent = server.ready ? `ready · model ${server.model || 'none'}` : `${ready && ready.status || 'unknown'}: ${ready && ready.detail || ''}`;
    status.className = `server-status ${server.ready ? 'ok' : 'wait'}`;
  } catch (e) {
    server.ready = false;
    status.textContent = 'server not answering';
    status.className = 'server-status bad';
  }
  setTimeout(checkServer, server.ready ? 15000 : 2000);
}

window.addEventListener('hashchange', route);
updateKeyBadge();
route();
updateKeyBadge();
checkServer();
