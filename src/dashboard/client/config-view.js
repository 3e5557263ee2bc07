// @ts-check
import { code, fill, h, loading, panelHead } from './dom.js';
import { formatDateTime, formatMs } from './format.js';
import { pendingText } from './model.js';

/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./model.js').Actions} Actions */
/** @typedef {import('./types.js').ReloadResult} ReloadResult */
/** @typedef {import('./types.js').ConfigIssue} ConfigIssue */

/** @type {Readonly<Record<string, string>>} */
const RESULT_TONE = { APPLIED: 'ok', UNCHANGED: 'muted', REJECTED: 'bad' };

/** @param {ConfigIssue} issue */
function issueItem(issue) {
  const place = issue.line === null ? 'file' : `${issue.line}:${issue.column ?? 1}`;
  return h(
    'li',
    { class: `issue ${issue.severity === 'ERROR' ? 'bad' : 'warn'}` },
    h('span', { class: 'issue-place' }, place),
    issue.path ? code(issue.path) : null,
    h('span', { class: 'issue-message' }, issue.message),
  );
}

/**
 * @param {string} title
 * @param {ReloadResult} result
 */
function reloadBlock(title, result) {
  return h(
    'div',
    { class: 'reload', 'data-reload': result.status },
    h('div', { class: 'reload-head' }, h('span', { class: 'dt' }, title), h('span', { class: `badge ${RESULT_TONE[result.status] ?? 'muted'}` }, result.status.toLowerCase()), h('span', { class: 'sub' }, `${result.trigger.toLowerCase()} · ${formatDateTime(result.at)}${result.durationMs === undefined ? '' : ` · ${formatMs(result.durationMs)}`}`)),
    h('p', { class: 'summary' }, result.summary),
    result.issues.length ? h('ul', { class: 'issues' }, result.issues.map(issueItem)) : null,
  );
}

/**
 * @param {HTMLElement} root
 * @param {Model} model
 * @param {Actions} actions
 */
export function renderConfig(root, model, actions) {
  const busy = model.busy.has('reload');
  const head = panelHead(
    'Config',
    undefined,
    h('button', { type: 'button', class: 'btn primary', id: 'reload-button', disabled: busy, onclick: () => actions.reload(false) }, busy ? 'Reloading…' : 'Reload'),
    h('button', { type: 'button', class: 'btn', disabled: busy, title: 'Rebuild even if the file did not change (e.g. after changing the environment)', onclick: () => actions.reload(true) }, 'Force'),
  );
  const status = model.state?.configStatus;
  if (!status) {
    fill(root, head, loading(pendingText(model)));
    return;
  }
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Version'),
    h('dd', {}, h('span', { class: 'version', id: 'config-version', 'data-version': status.version }, `v${status.version}`), h('span', { class: `badge ${status.inSync ? 'ok' : 'bad'}` }, status.inSync ? 'in sync with the file' : 'file has errors')),
    h('dt', {}, 'File'),
    h('dd', {}, code(status.file)),
    h('dt', {}, 'Loaded at'),
    h('dd', {}, formatDateTime(status.loadedAt)),
    h('dt', {}, 'Hash'),
    h('dd', { title: status.hash }, code(status.hash.slice(0, 12))),
    h('dt', {}, 'Instance'),
    h('dd', {}, status.instanceId),
  );
  const rejected = status.lastRejected && status.lastRejected.at !== status.lastResult.at ? reloadBlock('Last rejected', status.lastRejected) : null;
  const reverted =
    status.inSync && status.lastResult.status === 'REJECTED' ? h('p', { class: 'note' }, 'The file has since been put back to the running version; nothing to apply.') : null;
  fill(root, head, facts, reloadBlock('Last reload', status.lastResult), reverted, rejected);
}
