// @ts-check
import { byId } from './dom.js';

/**
 * The admin token prompt. The token lives in sessionStorage: it survives a reload of the tab and
 * is gone when the tab closes; it is never written to localStorage or a cookie.
 */
const STORAGE_KEY = 'codex-lb.admin-token';

/** @returns {string | null} */
export function storedToken() {
  return window.sessionStorage.getItem(STORAGE_KEY);
}

/** @param {string} token */
function storeToken(token) {
  window.sessionStorage.setItem(STORAGE_KEY, token);
}

/** @type {Promise<string> | null} */
let pending = null;

/**
 * Shows the prompt (once, however many requests were refused) and resolves with the token the
 * user entered, already stored for the session.
 * @param {string | null} reason why the admin API refused, as it said it (null: not said)
 * @returns {Promise<string>}
 */
export function askForToken(reason) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('token-dialog'));
  const form = /** @type {HTMLFormElement} */ (byId('token-form'));
  const input = /** @type {HTMLInputElement} */ (byId('token-input'));
  const said = byId('token-reason');
  if (reason !== null || !dialog.open) {
    const text = reason ?? 'admin token required';
    said.textContent = storedToken() === null ? text : `${text} (the token of this session was refused)`;
  }
  if (pending !== null) return pending;
  pending = new Promise((resolve) => {
    const submit = (/** @type {SubmitEvent} */ event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (token === '') return;
      form.removeEventListener('submit', submit);
      dialog.removeEventListener('cancel', keepOpen);
      storeToken(token);
      input.value = '';
      dialog.close();
      pending = null;
      resolve(token);
    };
    // Escape would leave the page without data and no way back: keep the prompt open.
    const keepOpen = (/** @type {Event} */ event) => event.preventDefault();
    form.addEventListener('submit', submit);
    dialog.addEventListener('cancel', keepOpen);
    dialog.showModal();
    input.focus();
  });
  return pending;
}
