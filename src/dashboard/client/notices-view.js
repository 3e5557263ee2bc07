// @ts-check
import { noAccountsNotice } from './accounts-view.js';
import { fill, h } from './dom.js';

/** @typedef {import('./model.js').Model} Model */

/**
 * Page-wide notices above the panels: what needs the operator's attention first.
 * @param {HTMLElement} root
 * @param {Model} model
 */
export function renderNotices(root, model) {
  const status = model.state?.configStatus;
  const outOfSync =
    status && !status.inSync
      ? h(
          'div',
          { class: 'notice warn', 'data-notice': 'out-of-sync' },
          h('strong', {}, 'gateway.yaml has errors'),
          h('p', {}, `Version ${status.version} keeps serving until the file is fixed; see the issues in the Config panel.`),
        )
      : null;
  const failed = model.stateError ? h('div', { class: 'notice bad', 'data-notice': 'state-error' }, h('strong', {}, 'The admin API did not answer'), h('p', {}, model.stateError)) : null;
  fill(root, failed, noAccountsNotice(model), outOfSync);
}

/** @type {Readonly<Record<string, { text: string, tone: string }>>} */
const CONNECTION = {
  live: { text: 'Live', tone: 'ok' },
  connecting: { text: 'Connecting…', tone: 'muted' },
  reconnecting: { text: 'Reconnecting…', tone: 'warn' },
  auth: { text: 'Admin token needed', tone: 'bad' },
};

/**
 * @param {HTMLElement} root
 * @param {Model} model
 */
export function renderConnection(root, model) {
  const state = CONNECTION[model.connection] ?? CONNECTION.connecting;
  root.className = `pill ${state.tone}`;
  root.textContent = state.text;
  root.dataset.state = model.connection;
}

/**
 * A short message in the corner, gone after a few seconds.
 * @param {string} text
 * @param {'ok' | 'bad' | 'warn' | 'info'} tone
 */
export function toast(text, tone) {
  const host = document.getElementById('toasts');
  if (host === null) return;
  const item = h('div', { class: `toast ${tone}`, role: 'status' }, text);
  host.appendChild(item);
  setTimeout(() => item.remove(), 6000);
}
