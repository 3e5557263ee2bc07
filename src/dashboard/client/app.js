// @ts-check
import { renderAccounts } from './accounts-view.js';
import { AdminApi, ApiError } from './api.js';
import { askForToken, storedToken } from './auth-dialog.js';
import { renderClients, renderModels } from './breakdown-view.js';
import { renderConfig } from './config-view.js';
import { byId } from './dom.js';
import { renderFeed } from './feed-view.js';
import { formatRelative } from './format.js';
import { renderKeys } from './keys-view.js';
import { FEED_LIMIT, RANGES, initialModel } from './model.js';
import { renderConnection, renderNotices, toast } from './notices-view.js';
import { renderOverview } from './overview-view.js';
import * as Q from './queries.js';
import { loadRangeLog, usageArgs } from './range-data.js';

/**
 * The dashboard: loads the state once, then keeps it current from four subscriptions (finished
 * requests, usage reports, config reloads, account changes). Views render from `model` only;
 * `render()` coalesces redraws into one frame and redraws only the panels whose data changed.
 */

/** @typedef {import('./types.js').DashboardState} DashboardState */
/** @typedef {import('./types.js').UsageReport} UsageReport */
/** @typedef {import('./types.js').RequestRecord} RequestRecord */
/** @typedef {import('./types.js').ReloadResult} ReloadResult */
/** @typedef {import('./types.js').Account} Account */
/** @typedef {import('./types.js').ConfigEvent} ConfigEvent */
/** @typedef {import('./types.js').AccountEvent} AccountEvent */
/** @typedef {'notices' | 'overview' | 'feed' | 'config' | 'keys' | 'accounts' | 'models' | 'clients' | 'connection'} Panel */

const model = initialModel();
let waitingForToken = false;

/** @type {import('./model.js').Actions} */
const actions = {
  setRange(range) {
    if (range === model.range) return;
    model.range = range;
    model.usage = null;
    model.rangeLog = { records: [], truncated: false, loaded: false };
    renderRangeButtons();
    startUsage();
    render('overview', 'keys', 'accounts', 'models', 'clients');
  },
  setMetric(metric) {
    model.metric = metric;
    render('overview');
  },
  reload: (force) =>
    busy('reload', async () => {
      const { reloadConfig } = /** @type {{ reloadConfig: ReloadResult }} */ (await api.request(Q.RELOAD_MUTATION, { force }));
      toast(`Reload ${reloadConfig.status.toLowerCase()}: ${reloadConfig.summary}`, reloadConfig.status === 'REJECTED' ? 'bad' : 'ok');
      await loadState();
    }),
  pause: (id) => accountMutation(id, Q.PAUSE_MUTATION, 'pauseAccount', { id, reason: 'paused from the dashboard' }),
  resume: (id) => accountMutation(id, Q.RESUME_MUTATION, 'resumeAccount', { id }),
  clearCooldown: (id) => accountMutation(id, Q.CLEAR_COOLDOWN_MUTATION, 'clearCooldown', { id }),
};

const api = new AdminApi({
  token: storedToken,
  onAuthRequired(reason) {
    model.connection = 'auth';
    render('connection', 'feed');
    // Several refused requests share one prompt (it only updates its reason) and one retry.
    const first = !waitingForToken;
    waitingForToken = true;
    const entered = askForToken(reason);
    if (first) {
      void entered.then(() => {
        waitingForToken = false;
        api.reconnect();
        void loadAll();
      });
    }
  },
  onConnection(state, reconnected) {
    model.connection = state;
    render('connection', 'feed');
    // Events sent while the socket was down are lost: read the current state again.
    if (reconnected) void loadAll();
  },
});

// ---- rendering ------------------------------------------------------------------------------

/** @type {Set<Panel>} */
const dirty = new Set();
/** @type {Readonly<Record<Panel, () => void>>} */
const PANELS = {
  connection: () => renderConnection(byId('connection'), model),
  notices: () => renderNotices(byId('notices'), model),
  overview: () => renderOverview(byId('overview'), model, actions),
  feed: () => renderFeed(byId('feed'), model),
  config: () => renderConfig(byId('config'), model, actions),
  keys: () => renderKeys(byId('keys'), model),
  accounts: () => renderAccounts(byId('accounts'), model, actions),
  models: () => renderModels(byId('models'), model),
  clients: () => renderClients(byId('clients'), model),
};

/** @param {...Panel} panels */
function render(...panels) {
  if (dirty.size === 0 && !pointerHeld) requestAnimationFrame(flush);
  for (const panel of panels) dirty.add(panel);
}

// Panels are rebuilt whole. A rebuild between a button's mousedown and its mouseup (a live update
// landing mid-click) would replace the button, and the browser then fires no click: the user's
// click would be lost. So nothing is redrawn while a pointer button is held (at most 5 s: a press
// whose release the page never sees must not freeze it).
let pointerHeld = false;
let pointerTimer = 0;
document.addEventListener(
  'pointerdown',
  () => {
    pointerHeld = true;
    clearTimeout(pointerTimer);
    pointerTimer = window.setTimeout(() => {
      pointerHeld = false;
      if (dirty.size > 0) requestAnimationFrame(flush);
    }, 5000);
  },
  true,
);
for (const type of ['pointerup', 'pointercancel']) {
  document.addEventListener(
    type,
    () => {
      pointerHeld = false;
      clearTimeout(pointerTimer);
      // After the click event of this press has run.
      if (dirty.size > 0) setTimeout(() => requestAnimationFrame(flush), 0);
    },
    true,
  );
}

function flush() {
  if (pointerHeld) return;
  const panels = [...dirty];
  dirty.clear();
  for (const panel of panels) PANELS[panel]();
  tickCountdowns();
}

function renderRangeButtons() {
  for (const button of byId('ranges').querySelectorAll('button')) button.setAttribute('aria-pressed', String(button.dataset.range === model.range));
}

/** Countdowns (cooldowns, limit resets) tick in place, so rows and their buttons stay put. */
function tickCountdowns() {
  for (const element of document.querySelectorAll('[data-countdown]')) {
    if (!(element instanceof HTMLElement)) continue;
    element.textContent = `${element.dataset.prefix ?? ''}${formatRelative(element.dataset.countdown)}`;
  }
}

// ---- loading --------------------------------------------------------------------------------

/** @param {unknown} error */
function message(error) {
  return error instanceof Error ? error.message : String(error);
}

async function loadState() {
  try {
    model.state = /** @type {DashboardState} */ (await api.request(Q.STATE_QUERY));
    model.stateError = null;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') return;
    model.stateError = message(error);
  }
  render('notices', 'config', 'keys', 'accounts', 'models', 'feed', 'overview');
  // A broken file reverted to the running text is a no-op reload that no event reports: while
  // out of sync, look again every few seconds.
  if (model.state?.configStatus.inSync === false) refreshStateSoon(3000);
}

/** Keys' remaining limits and accounts' in-flight counts change with every request: re-read them, at most once a second. */
let stateTimer = /** @type {number | null} */ (null);
function refreshStateSoon(delayMs = 1000) {
  if (stateTimer !== null) return;
  stateTimer = window.setTimeout(() => {
    stateTimer = null;
    void loadState();
  }, delayMs);
}

async function loadFeed() {
  try {
    const { requests } = /** @type {{ requests: { nodes: RequestRecord[] } }} */ (await api.request(Q.REQUESTS_QUERY, { first: 50 }));
    const known = new Set(model.feed.map((r) => r.requestId));
    model.feed = [...model.feed, ...requests.nodes.filter((r) => !known.has(r.requestId))].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, FEED_LIMIT);
    model.feedError = null;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') return;
    model.feedError = message(error);
  }
  render('feed');
}

let usageGeneration = 0;
/** @type {(() => void) | null} */
let stopUsage = null;

/** The range's report (once, to learn whether usage is available at all), then its live updates. */
async function startUsage() {
  const generation = ++usageGeneration;
  stopUsage?.();
  stopUsage = null;
  const args = usageArgs(model.range);
  /** @type {UsageReport} */
  let usage;
  try {
    usage = /** @type {{ usage: UsageReport }} */ (await api.request(Q.USAGE_QUERY, args)).usage;
    if (generation !== usageGeneration) return;
    model.usage = usage;
    model.usageError = null;
  } catch (error) {
    if (generation !== usageGeneration || (error instanceof ApiError && error.code === 'UNAUTHENTICATED')) return;
    model.usageError = message(error);
    render('overview', 'keys', 'accounts', 'models', 'clients');
    return;
  }
  render('overview', 'keys', 'accounts', 'models');
  stopUsage = api.subscribe(Q.USAGE_SUBSCRIPTION, args, (data) => {
    if (generation !== usageGeneration) return;
    model.usage = /** @type {{ usageUpdated: UsageReport }} */ (data).usageUpdated;
    render('overview', 'keys', 'accounts', 'models');
  });
  const log = await loadRangeLog(api, usage.range.from).catch(() => null);
  if (generation !== usageGeneration || log === null) return;
  // Requests that ended while the log was read arrived through the live feed: keep them.
  const seen = new Set(log.records.map((r) => r.requestId));
  model.rangeLog = { records: [...model.rangeLog.records.filter((r) => !seen.has(r.requestId)), ...log.records], truncated: log.truncated, loaded: true };
  render('clients', 'overview');
}

async function loadAll() {
  await Promise.all([loadState(), loadFeed(), startUsage()]);
}

// ---- live events ----------------------------------------------------------------------------

/** @param {RequestRecord} record */
function onRequest(record) {
  if (model.feed.some((r) => r.requestId === record.requestId)) return;
  model.feed = [record, ...model.feed].slice(0, FEED_LIMIT);
  model.fresh.add(record.requestId);
  setTimeout(() => model.fresh.delete(record.requestId), 2500);
  const from = model.usage ? Date.parse(model.usage.range.from) : Number.POSITIVE_INFINITY;
  if (model.rangeLog.loaded && Date.parse(record.startedAt) >= from) model.rangeLog.records = [record, ...model.rangeLog.records];
  render('feed', 'clients', ...(RANGES[model.range].bucket === null ? /** @type {Panel[]} */ (['overview']) : []));
  refreshStateSoon();
}

/** @param {ConfigEvent} event */
function onConfigEvent(event) {
  const rejected = event.status === 'REJECTED';
  toast(rejected ? `gateway.yaml rejected (${event.issues.length} issue${event.issues.length === 1 ? '' : 's'}): v${event.version} keeps serving` : `Config v${event.version} applied: ${event.summary}`, rejected ? 'bad' : 'ok');
  void loadState();
}

/** @param {AccountEvent} event */
function onAccountEvent(event) {
  const accounts = model.state?.accounts;
  const index = accounts?.findIndex((a) => a.id === event.accountId) ?? -1;
  if (accounts && event.account && index >= 0) accounts[index] = event.account;
  render('accounts', 'notices', 'models');
  // Limits and in-flight counts are not in the event: the next state read brings them.
  refreshStateSoon();
}

/**
 * @param {string} key what is busy (disables its buttons meanwhile)
 * @param {() => Promise<void>} work
 */
async function busy(key, work) {
  model.busy.add(key);
  render('config', 'accounts');
  try {
    await work();
  } catch (error) {
    toast(message(error), 'bad');
  } finally {
    model.busy.delete(key);
    render('config', 'accounts');
  }
}

/**
 * @param {string} id
 * @param {string} mutation
 * @param {'pauseAccount' | 'resumeAccount' | 'clearCooldown'} field
 * @param {Record<string, unknown>} variables
 */
function accountMutation(id, mutation, field, variables) {
  return busy(id, async () => {
    const data = /** @type {Record<string, Account>} */ (await api.request(mutation, variables));
    const account = data[field];
    if (account !== undefined) onAccountEvent({ accountId: id, changes: [], status: account.status, account });
  });
}

// ---- start ----------------------------------------------------------------------------------

for (const button of byId('ranges').querySelectorAll('button')) {
  button.addEventListener('click', () => actions.setRange(/** @type {import('./model.js').RangeKey} */ (button.dataset.range)));
}
renderRangeButtons();
render(...(/** @type {Panel[]} */ (Object.keys(PANELS))));
setInterval(tickCountdowns, 1000);
api.subscribe(Q.REQUESTS_SUBSCRIPTION, {}, (data) => onRequest(/** @type {{ requestCompleted: RequestRecord }} */ (data).requestCompleted));
api.subscribe(Q.CONFIG_SUBSCRIPTION, {}, (data) => onConfigEvent(/** @type {{ configEvents: ConfigEvent }} */ (data).configEvents));
api.subscribe(Q.ACCOUNT_SUBSCRIPTION, {}, (data) => onAccountEvent(/** @type {{ accountEvents: AccountEvent }} */ (data).accountEvents));
void loadAll();
