// Models: every version with its offline metrics, training jobs (start one, follow it) and activation; the admin key.
import { api, describe, hasKey } from '../api.js';
import { h, fmt, panel, loading, errorBox, emptyNote, clear } from '../ui.js';
import { alertError, notify } from '../alerts.js';

const MODELS = [
  ['ials', 'iALS: implicit matrix factorisation'],
  ['ease', 'EASE: item-item regression'],
  ['itemknn', 'ItemKNN: neighbours'],
  ['popularity', 'Popularity (baseline)'],
  ['sequential', 'Sequential: what comes next'],
  ['auto', 'Auto: search the families within a budget'],
];

export async function render(main, { signal }) {
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Models')));
  if (!hasKey('admin')) {
    main.append(panel('The admin key is needed', { testid: 'models-need-admin' },
      h('p', {}, 'Models, their metrics, training and activation need the admin key. Enter it under Keys.')));
    return;
  }
  const versions = panel('Versions', { wide: true, testid: 'versions', description: 'Newest first. Offline metrics: the same family fitted on each member\'s older 80% of signals, measured on the rest.' }, loading());
  const train = panel('Train a model', { testid: 'train' }, trainForm(signal, () => loadVersions()));
  const jobs = panel('Training jobs of this run', { testid: 'jobs' }, loading());
  main.append(h('div', { class: 'grid' }, versions, train, jobs));

  async function loadVersions() {
    try {
      const [list, jobList] = await Promise.all([api('GET', '/v1/models', { role: 'admin', signal }), api('GET', '/v1/models/jobs', { role: 'admin', signal })]);
      if (signal.aborted) return;
      replace(versions, list.length ? versionTable(list, loadVersions) : emptyNote('No model versions yet: train one.'));
      replace(jobs, jobList.length ? jobTable(jobList) : emptyNote('No training jobs since the server started.'));
    } catch (e) {
      if (e.name !== 'AbortError') replace(versions, errorBox(describe(e), 'models-error'));
    }
  }
  await loadVersions();
}

function replace(section, content) {
  [...section.children].filter(c => c.tagName !== 'HEADER' && !c.classList.contains('panel-desc')).forEach(c => c.remove());
  section.append(content);
}

function versionTable(list, reload) {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'table', testid: 'versions-table' },
    h('thead', {}, h('tr', {}, ['Version', 'Model', 'Recall', 'NDCG', 'Trained on', 'Until', 'Fit', 'Registered', ''].map((c, i) => h('th', { scope: 'col', class: [2, 3, 6].includes(i) ? 'num' : null }, c)))),
    h('tbody', {}, list.map(v => h('tr', { class: v.active ? 'active' : null, testid: `version-${v.version}` },
      h('th', { scope: 'row' }, v.version, v.active ? h('span', { class: 'badge ok', testid: 'active-badge' }, 'active') : null),
      h('td', {}, h('strong', {}, v.model), Object.keys(v.parameters || {}).length ? h('div', { class: 'muted small' }, Object.entries(v.parameters).map(([k, x]) => `${k}=${x}`).join(', ')) : null,
        v.choice ? h('div', { class: 'muted small' }, v.choice) : null, h('div', { class: 'muted small' }, v.origin)),
      h('td', { class: 'num' }, v.metrics ? fmt.num(v.metrics.recall, 4) : '–', v.metrics ? h('div', { class: 'muted small' }, `@${v.metrics.k}`) : null),
      h('td', { class: 'num' }, v.metrics ? fmt.num(v.metrics.ndcg, 4) : '–'),
      h('td', { class: 'small' }, `${fmt.int(v.events)} events`, h('div', { class: 'muted' }, `${fmt.int(v.members)} members · ${fmt.int(v.titles)} titles`)),
      h('td', { class: 'small' }, fmt.dateTime(v.trained_until)),
      h('td', { class: 'num small' }, `${fmt.num(v.fit_seconds, 1)} s`),
      h('td', { class: 'small' }, fmt.dateTime(v.registered)),
      h('td', {}, v.active ? h('span', { class: 'muted small' }, 'serving') : h('button', { type: 'button', class: 'button small', testid: `activate-${v.version}`, onclick: async e => {
        const button = e.currentTarget;
        button.disabled = true;
        button.textContent = 'Activating…';
        try {
          await api('POST', `/v1/models/${encodeURIComponent(v.version)}/activate`, { role: 'admin' });
          notify(`${v.version} (${v.model}) is now the active model.`);
          await reload();
        } catch (err) {
          alertError(err, `Activating ${v.version}`);
          button.disabled = false;
          button.textContent = 'Activate';
        }
      } }, 'Activate'))))),
  ));
}

function jobTable(list) {
  return h('ul', { class: 'jobs' }, [...list].reverse().map(j => h('li', { testid: `job-${j.id}` },
    h('strong', {}, j.id), ` · ${j.model} · `, h('span', { class: `badge ${stateClass(j.state)}` }, j.state),
    j.version ? ` → ${j.version}` : '', j.error ? h('div', { class: 'problem small' }, j.error) : null,
    h('div', { class: 'muted small' }, `queued ${fmt.dateTime(j.queued)}${j.finished ? `, finished ${fmt.dateTime(j.finished)}` : ''} · ${j.reason}`))));
}

function stateClass(state) { return state === 'succeeded' ? 'ok' : state === 'failed' ? 'bad' : 'wait'; }

function trainForm(signal, reload) {
  const model = h('select', { id: 'train-model', testid: 'train-model' }, MODELS.map(([id, label]) => h('option', { value: id }, label)));
  const activate = h('input', { type: 'checkbox', id: 'train-activate', checked: true, testid: 'train-activate' });
  const budget = h('input', { type: 'number', id: 'train-budget', min: 5, max: 3600, value: 60, testid: 'train-budget' });
  const budgetField = h('div', { class: 'field', hidden: true }, h('label', { for: 'train-budget' }, 'Budget (seconds, for auto)'), budget);
  model.addEventListener('change', () => { budgetField.hidden = model.value !== 'auto'; });
  const progress = h('div', { class: 'job-progress', testid: 'job-progress', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button primary', testid: 'train-submit' }, 'Train');
  const form = h('form', { class: 'stack', testid: 'train-form', onsubmit: async e => {
    e.preventDefault();
    submit.disabled = true;
    const body = { model: model.value, activate: activate.checked };
    if (model.value === 'auto') body.budget = Number(budget.value) || 60;
    try {
      const job = await api('POST', '/v1/models/train', { role: 'admin', body });
      await follow(job, progress, signal);
      await reload();
    } catch (err) {
      if (err.name !== 'AbortError') alertError(err, 'Training');
    } finally {
      submit.disabled = false;
    }
  } },
    h('div', { class: 'field' }, h('label', { for: 'train-model' }, 'Model'), model),
    budgetField,
    h('label', { class: 'check' }, activate, 'Activate it when trained (an atomic swap: pages keep being served)'),
    h('div', { class: 'form-actions' }, submit),
    progress);
  return form;
}

/** Polls a job until it ends, drawing its state and progress lines. */
async function follow(job, box, signal) {
  for (;;) {
    clear(box).append(h('div', {}, h('p', {}, h('strong', {}, job.id), ` ${job.model}: `, h('span', { class: `badge ${stateClass(job.state)}`, testid: 'job-state' }, job.state),
      job.version ? ` → ${job.version}` : ''),
      job.progress?.length ? h('ol', { class: 'progress-lines small' }, job.progress.slice(-8).map(p => h('li', {}, p))) : null,
      job.error ? errorBox(job.error) : null));
    if (['succeeded', 'failed', 'cancelled', 'canceled'].includes(job.state)) {
      if (job.state === 'succeeded') notify(`${job.id} made ${job.version}${job.activate ? ' and activated it' : ''}.`);
      else alertError(job.error || `the job ${job.state}`, `Training ${job.model}`);
      return job;
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
    if (signal.aborted) return job;
    job = await api('GET', `/v1/models/jobs/${encodeURIComponent(job.id)}`, { role: 'admin', signal });
  }
}
