// @ts-check
import { code, emptyState, fill, h, loading, panelHead, table } from './dom.js';
import { formatInt, formatPercent, formatRelative, formatSpan } from './format.js';
import { pendingText } from './model.js';
import { emptyTotals, sumBy } from './usage-math.js';

/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./model.js').Actions} Actions */
/** @typedef {import('./types.js').Account} Account */
/** @typedef {import('./types.js').QuotaWindow} QuotaWindow */

/** @type {Readonly<Record<string, { label: string, tone: string }>>} */
const STATUS = {
  AVAILABLE: { label: 'available', tone: 'ok' },
  COOLING_DOWN: { label: 'cooling down', tone: 'warn' },
  PAUSED: { label: 'paused', tone: 'info' },
  DISABLED: { label: 'disabled', tone: 'muted' },
  UNAVAILABLE: { label: 'unavailable', tone: 'bad' },
};

/**
 * How to bring an account back, by why it is out.
 * @param {Account} account
 * @returns {import('./dom.js').Child}
 */
export function accountFix(account) {
  switch (account.status) {
    case 'DISABLED':
      return ['Set ', code('enabled: true'), ` for ${account.id} in gateway.yaml and save.`];
    case 'PAUSED':
      return 'Paused from the admin API; press Resume to offer it again.';
    case 'COOLING_DOWN':
      return 'Offered again when the cooldown ends; Clear cooldown offers it at once.';
    case 'UNAVAILABLE':
      return account.kind === 'CHATGPT'
        ? ['Sign in so that ', code('authFile'), ' exists, or give ', code('tokens'), ' in gateway.yaml.']
        : ['Put the key in ', code('apiKey'), ' and save gateway.yaml; a key from an environment variable needs a restart with the variable set.'];
    default:
      return null;
  }
}

/** @param {QuotaWindow} q */
function quotaLabel(q) {
  if (q.windowMinutes === 300) return '5h';
  if (q.windowMinutes === 10_080) return 'weekly';
  return q.windowMinutes ? formatSpan(q.windowMinutes * 60_000) : q.name;
}

/** @param {QuotaWindow} q */
function quotaBar(q) {
  const used = Math.max(0, Math.min(100, q.usedPercent ?? 0));
  const level = used >= 90 ? 'bad' : used >= 70 ? 'warn' : 'ok';
  const meter = h('span', { class: 'meter', title: `${q.name}: ${q.usedPercent === null ? 'unknown' : `${used.toFixed(0)}% used`}` }, h('span', { class: `meter-fill ${level}` }));
  /** @type {HTMLElement} */ (meter.firstChild).style.width = `${used.toFixed(1)}%`;
  return h(
    'div',
    { class: 'limit' },
    h('span', { class: 'limit-name' }, quotaLabel(q)),
    meter,
    h('span', { class: 'limit-left' }, q.usedPercent === null ? '—' : `${formatPercent(used / 100)} used`),
    q.resetsAt ? h('span', { class: 'sub', 'data-countdown': q.resetsAt, 'data-prefix': 'resets ' }, formatRelative(q.resetsAt)) : null,
  );
}

/**
 * @param {Model} model
 * @param {Actions} actions
 * @param {Account} account
 * @param {import('./types.js').Totals | null} totals
 */
function accountRow(model, actions, account, totals) {
  const status = STATUS[account.status] ?? { label: account.status.toLowerCase(), tone: 'muted' };
  const busy = model.busy.has(account.id);
  const pauseButton = account.pause
    ? h('button', { type: 'button', class: 'btn', disabled: busy, onclick: () => actions.resume(account.id) }, 'Resume')
    : h('button', { type: 'button', class: 'btn', disabled: busy || !account.enabled, onclick: () => actions.pause(account.id) }, 'Pause');
  const cooldown = account.cooldown
    ? h(
        'div',
        {},
        h('span', { 'data-countdown': account.cooldown.until, 'data-prefix': 'ends ' }, formatRelative(account.cooldown.until)),
        account.cooldown.reason ? h('span', { class: 'sub' }, account.cooldown.reason) : null,
        h('button', { type: 'button', class: 'btn small', disabled: busy, onclick: () => actions.clearCooldown(account.id) }, 'Clear cooldown'),
      )
    : h('span', { class: 'muted' }, 'none');
  const fix = account.available ? null : accountFix(account);
  // A cooldown's reason and end are in their own column; an error already said there is not repeated.
  const reason = account.status === 'COOLING_DOWN' ? null : account.unavailableReason;
  const lastError = account.lastError && account.lastError.message !== account.cooldown?.reason && !reason?.includes(account.lastError.message) ? account.lastError : null;
  return h(
    'tr',
    { 'data-account-id': account.id, 'data-status': account.status },
    h('td', {}, h('span', { class: 'key-name' }, account.name), h('span', { class: 'sub' }, [account.name !== account.id ? account.id : null, account.kind.toLowerCase(), account.plan].filter(Boolean).join(' · '))),
    h(
      'td',
      { class: 'status-cell' },
      h('span', { class: `badge ${status.tone}` }, status.label),
      reason ? h('span', { class: 'sub' }, reason) : null,
      fix ? h('span', { class: 'sub hint' }, fix) : null,
      lastError ? h('span', { class: 'sub', title: lastError.at ?? undefined }, `last error: ${lastError.message}`) : null,
    ),
    h('td', {}, cooldown),
    h('td', { class: 'limits' }, account.quota.length === 0 ? h('span', { class: 'muted' }, account.kind === 'CHATGPT' ? 'not reported yet' : 'n/a') : account.quota.map(quotaBar)),
    h('td', { class: 'num', 'data-col': 'requests' }, totals ? formatInt(totals.requests) : '—'),
    h('td', { class: 'num', 'data-col': 'errors' }, totals ? formatInt(totals.errors) : '—'),
    h('td', { class: 'num', 'data-col': 'inflight' }, formatInt(account.inFlight)),
    h('td', { class: 'actions' }, pauseButton),
  );
}

/**
 * @param {HTMLElement} root
 * @param {Model} model
 * @param {Actions} actions
 */
export function renderAccounts(root, model, actions) {
  const accounts = model.state?.accounts ?? [];
  const available = accounts.filter((a) => a.available).length;
  const head = panelHead('By account', accounts.length ? `${available} of ${accounts.length} available` : undefined);
  if (model.state === null) return fill(root, head, loading(pendingText(model)));
  if (accounts.length === 0) {
    fill(
      root,
      head,
      emptyState(
        'No accounts configured',
        h('p', {}, 'Nothing can serve /v1 until gateway.yaml lists an upstream under ', code('accounts:'), ', e.g.'),
        h('pre', {}, 'accounts:\n  - { id: codex-pro-1, kind: chatgpt, authFile: ~/.codex/auth.json }\n  - { id: openai-main, kind: openai, apiKey: ${OPENAI_API_KEY} }'),
      ),
    );
    return;
  }
  const byAccount = model.usage ? sumBy(model.usage.rows, 'accountId') : null;
  const rows = accounts.map((account) => accountRow(model, actions, account, byAccount ? (byAccount.get(account.id) ?? emptyTotals()) : null));
  const refused = byAccount?.get(null);
  if (refused) {
    rows.push(
      h(
        'tr',
        { class: 'muted-row', 'data-account-id': '' },
        h('td', {}, 'no account', h('span', { class: 'sub' }, 'refused before routing (auth, limits, no account free)')),
        h('td', {}),
        h('td', {}),
        h('td', {}),
        h('td', { class: 'num' }, formatInt(refused.requests)),
        h('td', { class: 'num' }, formatInt(refused.errors)),
        h('td', {}),
        h('td', {}),
      ),
    );
  }
  fill(root, head, table(['Account', 'Status', 'Cooldown', 'Quota', '#Requests', '#Errors', '#In flight', ''], rows, { class: 'accounts' }));
}

/**
 * Why an account is out, in one line; a cooldown with a live countdown instead of its timestamp.
 * @param {Account} account
 * @returns {import('./dom.js').Child}
 */
function whyNot(account) {
  const cooldown = account.cooldown;
  if (account.status === 'COOLING_DOWN' && cooldown) {
    return [h('span', { 'data-countdown': cooldown.until, 'data-prefix': 'cooling down, ends ' }, `cooling down, ends ${formatRelative(cooldown.until)}`), cooldown.reason ? `: ${cooldown.reason}.` : '.'];
  }
  return `${account.unavailableReason ?? account.status.toLowerCase()}.`;
}

/**
 * The top-of-page notice when no account can take a request, with each one's reason.
 * @param {Model} model
 */
export function noAccountsNotice(model) {
  const accounts = model.state?.accounts ?? [];
  if (model.state === null || accounts.some((a) => a.available)) return null;
  return h(
    'div',
    { class: 'notice bad', role: 'alert', 'data-notice': 'no-accounts' },
    h('strong', {}, 'No account can serve requests right now'),
    accounts.length === 0
      ? h('p', {}, 'gateway.yaml has no accounts. Add one under ', code('accounts:'), ' and save; the gateway reloads it live.')
      : h('ul', {}, accounts.map((a) => h('li', {}, h('b', {}, a.name), ' — ', whyNot(a), ' ', accountFix(a)))),
    h('p', {}, 'Until then /v1 answers 503 ', code('no_accounts'), ' (or 429 ', code('usage_limit_reached'), ' while every account rests from a rate limit).'),
  );
}
