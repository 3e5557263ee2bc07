// @ts-check
import { code, emptyState, fill, h, loading, panelHead, table } from './dom.js';
import { formatInt, formatMs, formatTime, formatUsd } from './format.js';
import { accountName, keyName, pendingText } from './model.js';
import { clientFamily } from './ua-family.js';

/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./types.js').RequestRecord} RequestRecord */

/** @param {number} status */
function statusClass(status) {
  if (status >= 500) return 'bad';
  if (status === 429) return 'warn';
  if (status >= 400) return 'bad';
  return 'ok';
}

/**
 * @param {Model} model
 * @param {RequestRecord} r
 */
function row(model, r) {
  const name = keyName(model, r.keyId);
  const usage = r.usage;
  const tokens = usage
    ? h(
        'span',
        { title: `input ${formatInt(usage.inputTokens)} (cached ${formatInt(usage.cachedInputTokens)}) · output ${formatInt(usage.outputTokens)} (reasoning ${formatInt(usage.reasoningTokens)})` },
        `${formatInt(usage.inputTokens)} / ${formatInt(usage.outputTokens)}`,
      )
    : h('span', { class: 'muted', title: 'the upstream reported no usage' }, '—');
  return h(
    'tr',
    { class: model.fresh.has(r.requestId) ? 'fresh' : undefined, 'data-request-id': r.requestId, 'data-key-id': r.keyId },
    h('td', { class: 'nowrap', title: r.startedAt }, formatTime(r.startedAt)),
    h('td', {}, h('span', { class: 'key-name' }, name), name !== r.keyId ? h('span', { class: 'sub' }, r.keyId) : null),
    h('td', { title: r.userAgent ?? 'no user-agent' }, clientFamily(r.userAgent)),
    h('td', {}, accountName(model, r.accountId), r.attempts > 1 ? h('span', { class: 'sub' }, `${r.attempts} attempts`) : null),
    h('td', {}, r.model, r.stream ? h('span', { class: 'tag' }, 'stream') : null),
    h('td', {}, h('span', { class: `badge ${statusClass(r.status)}`, title: r.errorCode ?? undefined }, String(r.status)), r.errorCode ? h('span', { class: 'sub' }, r.errorCode) : null),
    h('td', { class: 'num' }, tokens),
    h('td', { class: 'num' }, formatUsd(r.costUsd)),
    h('td', { class: 'num' }, formatMs(r.latencyMs)),
    h('td', { class: 'num' }, formatMs(r.ttftMs)),
  );
}

/**
 * @param {HTMLElement} root
 * @param {Model} model
 */
export function renderFeed(root, model) {
  const live = model.connection === 'live';
  const head = panelHead(
    'Live requests',
    `newest first · last ${model.feed.length === 0 ? 0 : formatInt(model.feed.length)}`,
    h('span', { class: `pill ${live ? 'ok' : 'warn'}` }, live ? 'live' : 'not live'),
  );
  if (model.feed.length === 0 && model.state === null) return fill(root, head, loading(pendingText(model)));
  if (model.feed.length === 0) {
    const origin = window.location.origin;
    fill(
      root,
      head,
      emptyState(
        'No requests yet',
        'Requests appear here the moment they end. Point a client at this gateway, for example:',
        h('pre', {}, `curl ${origin}/v1/chat/completions \\\n  -H 'Authorization: Bearer <API key>' -H 'content-type: application/json' \\\n  -d '{"model":"<model id>","messages":[{"role":"user","content":"hi"}]}'`),
        model.feedError ? h('p', { class: 'muted' }, `Earlier requests could not be read: ${model.feedError}`) : null,
      ),
    );
    return;
  }
  const columns = ['Time', 'Key', 'Client', 'Account', 'Model', 'Status', '#Tokens in / out', '#Cost', '#Latency', '#TTFT'];
  fill(root, head, table(columns, model.feed.map((r) => row(model, r)), { class: 'feed' }), model.feedError ? h('p', { class: 'note' }, 'History unavailable (', code(model.feedError), '); showing live requests only.') : null);
}
