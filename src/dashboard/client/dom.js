// @ts-check
/**
 * Tiny DOM builders. Every value from the API is put into the page as text (never as HTML), so
 * a key name or an upstream error message cannot inject markup.
 */

/** @typedef {string | number | Node | null | undefined | false} Leaf */
/** @typedef {Leaf | ReadonlyArray<Leaf | ReadonlyArray<Leaf>>} Child */
/** @typedef {Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>} Props */

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @param {Element} element
 * @param {Props} props
 */
function applyProps(element, props) {
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.setAttribute('class', String(value));
    else element.setAttribute(name, value === true ? '' : String(value));
  }
}

/**
 * @param {Node} parent
 * @param {ReadonlyArray<Child>} children
 */
function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (child instanceof Node) parent.appendChild(child);
    else if (typeof child === 'object') append(parent, child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/**
 * An HTML element: `h('td', { class: 'num' }, '12')`. Props named `on…` are listeners.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  applyProps(element, props);
  append(element, children);
  return element;
}

/**
 * An SVG element, same calling convention as `h`.
 * @param {string} tag
 * @param {Props} [props]
 * @param {...Child} children
 * @returns {SVGElement}
 */
export function s(tag, props = {}, ...children) {
  const element = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  applyProps(element, props);
  append(element, children);
  return element;
}

/**
 * Replaces the children of `parent`.
 * @param {Element} parent
 * @param {...Child} children
 */
export function fill(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  return element;
}

/**
 * A panel's heading row: title, an optional note and optional controls on the right.
 * @param {string} title
 * @param {Child} [note]
 * @param {...Child} controls
 */
export function panelHead(title, note, ...controls) {
  return h('header', { class: 'panel-head' }, h('h2', {}, title), note ? h('span', { class: 'note' }, note) : null, h('div', { class: 'controls' }, ...controls));
}

/**
 * An empty state: what is missing and what to do about it.
 * @param {string} title
 * @param {...Child} body
 */
export function emptyState(title, ...body) {
  return h('div', { class: 'empty' }, h('strong', {}, title), ...body.map((line) => (typeof line === 'string' ? h('p', {}, line) : line)));
}

/**
 * A `<table>` with a header row; `columns` may mark numeric columns with a leading `#`.
 * @param {string[]} columns
 * @param {Node[]} rows
 * @param {Props} [props]
 */
export function table(columns, rows, props = {}) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      props,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.startsWith('#') ? 'num' : undefined, scope: 'col' }, c.replace(/^#/, ''))))),
      h('tbody', {}, rows),
    ),
  );
}

/**
 * A panel's placeholder while its data is on the way.
 * @param {string} text
 */
export function loading(text) {
  return h('p', { class: 'loading' }, text);
}

/**
 * Inline code.
 * @param {string} text
 */
export function code(text) {
  return h('code', {}, text);
}
