// ChatHub operator chat panel: chathub-server's stand-in for the vendor's
// widget (spec §3.9). Plain modern JavaScript, no framework, no build step.
//
//   <script type="module" id="operator-chat-panel-script"
//     src="http://127.0.0.1:8080/operator-chat-panel/widget-script.js"
//     token="OPERATOR_TOKEN"></script>
//
// One module instance serves every tag on the page that loads this very URL
// and whose id starts with `operator-chat-panel-script` (the vendor's
// multi-organization sample uses `operator-chat-panel-script-<orgId>`). Each
// tag gets its own panel, mounted right after the tag (or at the end of
// <body> when the tag sits in <head>) inside a shadow root. A
// MutationObserver keeps panels in step with the page: removing a tag
// unmounts its panel (timers and requests stopped); adding a tag or changing
// its `token` mounts a panel with that token, without a page reload.
//
// The panel talks to the server that served this script (the origin of
// import.meta.url). A token that expires, or a 401, shows "Token expired"
// and dispatches a window `error` event whose message contains
// "token expired"; a 403 (revoked token, inactive operator) shows
// "Token revoked" and dispatches one containing "token revoked". Nothing
// retries in a loop: a failed request stops the panel until Retry is pressed
// or the browser comes back online.
//
// Optional tag attribute: `refresh-interval` (seconds, default 30, at least
// 1): how often the panel re-reads the operator list while connected, which
// is also how it notices a revocation.
//
// The panel's body is a list of views (see `registerView`); the operator and
// the organization are the two built in, so chats can be added as another
// view without touching the panel.

const TAG_ID = 'operator-chat-panel-script';
const MODULE_URL = import.meta.url;
const API_ORIGIN = new URL(MODULE_URL).origin;
const DEFAULT_REFRESH_SECONDS = 30;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const STATUS_NAMES = new Map([[0, 'Active'], [1, 'Inactive'], [2, 'Deleted']]);

/** Live timers and requests of every panel, for `diagnostics()`. */
const live = { timers: 0, requests: 0 };

/** Registered views, by `order`. */
const views = [];

/** Mounted panels, by their tag. */
const panels = new Map();

// ---------------------------------------------------------------- helpers

function statusName(status) {
  return STATUS_NAMES.get(status) ?? `Status ${status}`;
}

/** The claims of a JWT, read without checking its signature (the server does that). */
function decodeClaims(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** `1 h 05 min`, `4 min 09 s`, `9 s`. */
function formatRemaining(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n) => String(n).padStart(2, '0');
  if (hours > 0) return `${hours} h ${two(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${two(seconds)} s`;
  return `${seconds} s`;
}

/** An element with attributes and children (strings become text, never HTML). */
function h(name, attributes = {}, ...children) {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

function reportError(message) {
  window.dispatchEvent(new ErrorEvent('error', { message, filename: MODULE_URL, error: new Error(message) }));
}

// ------------------------------------------------------------------ views

/**
 * Adds a view to every panel, present and future. A view is
 * `{ name, order, create(panel) }`; `create` returns
 * `{ element, update(state), destroy() }`. `update` gets the panel's state:
 * `{ connection, operator, organization, operators, operatorId }`. A view
 * may call `panel.api(path, init)` (the token and an abort signal are added)
 * and `panel.setTimer(fn, ms)`, both stopped when the panel unmounts.
 */
export function registerView(view) {
  views.push(view);
  views.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  for (const panel of panels.values()) panel.addView(view);
}

registerView({
  name: 'operator',
  order: 10,
  create() {
    const name = h('p', { class: 'operator-name', 'data-part': 'operator-name' }, '…');
    const status = h('span', { class: 'badge', 'data-part': 'operator-status' }, '…');
    const element = h(
      'div',
      { class: 'view', 'data-view': 'operator' },
      h('p', { class: 'label', id: 'operator-label' }, 'Operator'),
      name,
      h('p', { class: 'line' }, h('span', { class: 'label' }, 'Status '), status),
    );
    return {
      element,
      update(state) {
        if (state.operator) {
          name.textContent = state.operator.name;
          status.textContent = statusName(state.operator.status);
          status.dataset.status = String(state.operator.status);
        } else if (state.operatorId !== null) {
          name.textContent = `Operator #${state.operatorId}`;
        }
      },
      destroy() {},
    };
  },
});

registerView({
  name: 'organization',
  order: 20,
  create() {
    const title = h('h3', { class: 'organization-name', 'data-part': 'organization-name' }, '…');
    const list = h('ul', { class: 'operators', 'data-part': 'operators' });
    const element = h(
      'div',
      { class: 'view', 'data-view': 'organization' },
      h('p', { class: 'label' }, 'Organization'),
      title,
      list,
    );
    return {
      element,
      update(state) {
        if (!state.organization) return;
        title.textContent = state.organization.name;
        list.setAttribute('aria-label', `Operators of ${state.organization.name}`);
        list.replaceChildren(
          ...state.operators.map((operator) => {
            const self = operator.id === state.operatorId;
            return h(
              'li',
              { 'data-operator-id': operator.id, 'aria-current': self ? 'true' : null },
              h('span', { class: 'name' }, operator.name + (self ? ' (you)' : '')),
              ' ',
              h('span', { class: 'badge', 'data-status': operator.status }, statusName(operator.status)),
            );
          }),
        );
      },
      destroy() {},
    };
  },
});

// ------------------------------------------------------------------ style

const STYLE = `
:host { all: initial; display: block; margin: 0.75rem 0; }
* { box-sizing: border-box; }
.panel {
  --bg: #ffffff; --fg: #1f2328; --muted: #57606a; --border: #8c959f; --accent: #0a58ca;
  --ok: #116329; --warn: #7d4e00; --bad: #b3261e; --badge-bg: #eef1f4; --focus: #0a58ca;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--fg); background: var(--bg); border: 1px solid var(--border); border-radius: 10px;
  padding: 0.9rem 1rem; max-width: 30rem;
}
@media (prefers-color-scheme: dark) {
  .panel {
    --bg: #1e1f22; --fg: #e8eaed; --muted: #b4bac2; --border: #6e7681; --accent: #8ab4f8;
    --ok: #7ee2a8; --warn: #f2cc60; --bad: #ffb4ab; --badge-bg: #2d3036; --focus: #8ab4f8;
  }
}
header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
h2 { font-size: 1.05rem; margin: 0; }
h3 { font-size: 1rem; margin: 0 0 0.3rem; }
p { margin: 0; }
.label { color: var(--muted); font-size: 0.85rem; }
.connection { font-size: 0.9rem; color: var(--fg); }
.dot { display: inline-block; width: 0.6rem; height: 0.6rem; border-radius: 50%; margin-right: 0.35rem; background: var(--muted); }
.panel[data-connection="connected"] .dot { background: var(--ok); }
.panel[data-connection="disconnected"] .dot { background: var(--warn); }
.panel[data-connection="expired"] .dot, .panel[data-connection="revoked"] .dot,
.panel[data-connection="invalid"] .dot { background: var(--bad); }
.notice { margin: 0.6rem 0 0; padding: 0.5rem 0.7rem; border-left: 4px solid var(--bad); background: var(--badge-bg); }
.notice strong { color: var(--bad); }
.views { display: grid; gap: 0.8rem; margin-top: 0.7rem; }
.operator-name { font-size: 1.15rem; font-weight: 600; }
.line { margin-top: 0.15rem; }
.badge { display: inline-block; padding: 0 0.45rem; border-radius: 999px; background: var(--badge-bg); color: var(--fg); font-size: 0.85rem; }
.badge[data-status="0"] { color: var(--ok); }
.badge[data-status="1"] { color: var(--warn); }
.badge[data-status="2"] { color: var(--bad); }
ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.2rem; }
li[aria-current="true"] .name { font-weight: 600; }
footer { display: flex; justify-content: space-between; align-items: center; gap: 1rem; margin-top: 0.8rem; flex-wrap: wrap; }
.lifetime { color: var(--muted); font-size: 0.85rem; }
button {
  font: inherit; font-size: 0.9rem; color: var(--accent); background: transparent; cursor: pointer;
  border: 1px solid var(--accent); border-radius: 6px; padding: 0.2rem 0.75rem;
}
button:hover { background: var(--badge-bg); }
button:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
button[hidden], [hidden] { display: none; }
`;

// ------------------------------------------------------------------ panel

/** One panel: the UI of one tag and its token. */
class Panel {
  constructor(tag) {
    this.tag = tag;
    this.token = tag.getAttribute('token') ?? '';
    this.refreshMs = Math.max(1, Number(tag.getAttribute('refresh-interval')) || DEFAULT_REFRESH_SECONDS) * 1000;
    this.timers = new Set();
    this.controllers = new Set();
    this.views = [];
    this.destroyed = false;
    this.final = false;
    this.expiresAtMs = null;
    this.refreshTimer = null;
    this.generation = 0;
    this.state = { connection: 'connecting', operator: null, organization: null, operators: [], operatorId: null };
    this.onOnline = () => {
      if (this.state.connection === 'disconnected') this.refresh();
    };

    this.host = h('div', { 'data-operator-chat-panel': tag.id });
    const root = this.host.attachShadow({ mode: 'open' });
    this.connectionText = h('span', { 'data-part': 'connection-text' }, 'Connecting…');
    this.notice = h('div', { class: 'notice', role: 'alert', 'data-part': 'notice', hidden: true });
    this.lifetime = h('p', { class: 'lifetime', 'data-part': 'lifetime' }, '');
    this.refreshButton = h('button', { type: 'button', 'data-part': 'refresh' }, 'Refresh');
    this.refreshButton.addEventListener('click', () => this.refresh());
    this.viewsBox = h('div', { class: 'views' });
    this.section = h(
      'section',
      { class: 'panel', 'aria-label': 'Operator chat panel', 'data-connection': 'connecting' },
      h(
        'header',
        {},
        h('h2', {}, 'Operator chat panel'),
        h(
          'p',
          { class: 'connection', role: 'status', 'data-part': 'connection' },
          h('span', { class: 'dot', 'aria-hidden': 'true' }),
          this.connectionText,
        ),
      ),
      this.notice,
      this.viewsBox,
      h('footer', {}, this.lifetime, this.refreshButton),
    );
    root.append(h('style', {}, STYLE), this.section);
    for (const view of views) this.addView(view);
    this.place();
    window.addEventListener('online', this.onOnline);
    this.start();
  }

  /** Inserts the host after the tag, or at the end of <body> when the tag is not rendered there. */
  place() {
    const body = document.body;
    if (body && body.contains(this.tag)) this.tag.after(this.host);
    else (body ?? document.documentElement).append(this.host);
  }

  addView(view) {
    if (this.destroyed) return;
    const instance = view.create(this);
    this.views.push({ view, instance });
    this.views.sort((a, b) => views.indexOf(a.view) - views.indexOf(b.view));
    this.viewsBox.replaceChildren(...this.views.map((entry) => entry.instance.element));
    instance.update(this.state);
  }

  setState(changes) {
    Object.assign(this.state, changes);
    const { connection } = this.state;
    this.section.dataset.connection = connection;
    this.host.dataset.state = connection;
    const names = {
      connecting: 'Connecting…',
      connected: 'Connected',
      disconnected: 'Disconnected',
      expired: 'Token expired',
      revoked: 'Token revoked',
      invalid: 'No valid token',
    };
    this.connectionText.textContent = names[connection] ?? connection;
    const organization = this.state.organization?.name;
    this.section.setAttribute('aria-label', organization ? `Operator chat panel, ${organization}` : 'Operator chat panel');
    for (const { instance } of this.views) instance.update(this.state);
  }

  showNotice(title, text, action) {
    this.notice.replaceChildren(h('strong', {}, title), ' ', text);
    if (action) this.notice.append(' ', action);
    this.notice.hidden = false;
  }

  hideNotice() {
    this.notice.hidden = true;
    this.notice.replaceChildren();
  }

  setTimer(callback, ms) {
    if (this.destroyed) return null;
    const id = setTimeout(() => {
      if (this.timers.delete(id)) live.timers -= 1;
      callback();
    }, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS));
    this.timers.add(id);
    live.timers += 1;
    return id;
  }

  clearTimer(id) {
    if (id !== null && this.timers.delete(id)) {
      clearTimeout(id);
      live.timers -= 1;
    }
  }

  stopAll() {
    for (const id of this.timers) clearTimeout(id);
    live.timers -= this.timers.size;
    this.timers.clear();
    for (const controller of this.controllers) controller.abort();
    this.refreshTimer = null;
  }

  /** `fetch` against the server that served this script, with the token; stopped on unmount. */
  async api(path, init = {}) {
    const controller = new AbortController();
    this.controllers.add(controller);
    live.requests += 1;
    try {
      const headers = new Headers(init.headers ?? {});
      headers.set('Authorization', `Bearer ${this.token}`);
      if (!headers.has('Accept')) headers.set('Accept', 'application/json');
      return await fetch(new URL(path, API_ORIGIN), {
        ...init,
        headers,
        signal: controller.signal,
        mode: 'cors',
        credentials: 'omit',
        cache: 'no-store',
      });
    } finally {
      this.controllers.delete(controller);
      live.requests -= 1;
    }
  }

  start() {
    if (!this.token) {
      this.fail('No token.', 'The script tag has no token attribute.', 'operator chat panel: missing token');
      return;
    }
    const claims = decodeClaims(this.token);
    const operatorId = Number(claims?.sub);
    if (!claims || !Number.isInteger(operatorId) || typeof claims.exp !== 'number' || (claims.kind && claims.kind !== 'operator')) {
      this.fail('Invalid token.', 'The token attribute does not hold an operator token.', 'operator chat panel: invalid token');
      return;
    }
    this.host.dataset.tokenId = typeof claims.jti === 'string' ? claims.jti : '';
    this.expiresAtMs = claims.exp * 1000;
    this.setState({ operatorId });
    if (Date.now() >= this.expiresAtMs) {
      this.expire();
      return;
    }
    this.setTimer(() => this.expire(), this.expiresAtMs - Date.now());
    this.tick();
    this.refresh();
  }

  /** Updates the remaining lifetime once a second, aligned to the token's whole seconds. */
  tick() {
    if (this.final || this.destroyed) return;
    const remaining = this.expiresAtMs - Date.now();
    if (remaining <= 0) {
      this.expire();
      return;
    }
    const at = new Date(this.expiresAtMs);
    this.lifetime.replaceChildren(
      'Token expires in ',
      h('time', { datetime: at.toISOString(), title: at.toLocaleString() }, formatRemaining(remaining)),
    );
    this.setTimer(() => this.tick(), remaining % 1000 || 1000);
  }

  async refresh() {
    if (this.final || this.destroyed) return;
    this.clearTimer(this.refreshTimer);
    this.refreshTimer = null;
    // A newer refresh wins; an older answer still on its way is ignored.
    const generation = ++this.generation;
    if (this.state.connection !== 'connected') this.setState({ connection: 'connecting' });
    let response;
    let list;
    try {
      response = await this.api('/api/operator');
      if (response.ok) list = await response.json();
    } catch (error) {
      if (this.destroyed || generation !== this.generation || error?.name === 'AbortError') return;
      this.disconnect(`Cannot reach ChatHub at ${API_ORIGIN}: the server is down, or it does not allow this page's origin (--cors-allow-origin).`);
      return;
    }
    if (this.destroyed || this.final || generation !== this.generation) return;
    if (response.status === 401) {
      this.expire();
      return;
    }
    if (response.status === 403) {
      this.revoke();
      return;
    }
    if (!response.ok) {
      this.disconnect(`ChatHub answered ${response.status} ${response.statusText}.`.trim());
      return;
    }
    if (!Array.isArray(list)) {
      this.disconnect('ChatHub sent an answer the panel cannot read.');
      return;
    }
    const operators = list.filter((operator) => operator && typeof operator === 'object');
    const operator = operators.find((candidate) => candidate.id === this.state.operatorId) ?? null;
    const organization = operator?.organization ?? operators[0]?.organization ?? null;
    this.hideNotice();
    this.setState({ connection: 'connected', operator, organization, operators });
    this.refreshTimer = this.setTimer(() => this.refresh(), this.refreshMs);
  }

  disconnect(text) {
    const retry = h('button', { type: 'button', 'data-part': 'retry' }, 'Retry');
    retry.addEventListener('click', () => this.refresh());
    this.showNotice('Disconnected.', text, retry);
    this.setState({ connection: 'disconnected' });
    reportError(`operator chat panel: cannot reach ChatHub at ${API_ORIGIN}`);
  }

  /** The end of this token: stops everything, says so, tells the page once. */
  finish(connection, title, text, message) {
    if (this.final || this.destroyed) return;
    this.final = true;
    this.stopAll();
    this.lifetime.textContent = '';
    this.refreshButton.hidden = true;
    this.showNotice(title, text);
    this.setState({ connection });
    reportError(message);
  }

  expire() {
    this.finish(
      'expired',
      'Token expired.',
      'Reload the panel with a fresh operator token.',
      'operator chat panel: token expired',
    );
  }

  revoke() {
    this.finish(
      'revoked',
      'Token revoked.',
      'The operator was deactivated or the token was revoked; a new token is needed.',
      'operator chat panel: token revoked',
    );
  }

  fail(title, text, message) {
    this.finish('invalid', title, text, message);
  }

  destroy() {
    if (this.destroyed) return;
    this.stopAll();
    this.destroyed = true;
    window.removeEventListener('online', this.onOnline);
    for (const { instance } of this.views) instance.destroy();
    this.views = [];
    this.host.remove();
  }
}

// -------------------------------------------------------------- lifecycle

function isOurs(tag) {
  try {
    return new URL(tag.src, document.baseURI).href === MODULE_URL;
  } catch {
    return false;
  }
}

/** Mounts, remounts and unmounts panels to match the tags on the page. */
function sync() {
  const tags = new Set([...document.querySelectorAll(`script[id^="${TAG_ID}"]`)].filter(isOurs));
  for (const [tag, panel] of panels) {
    if (!tags.has(tag)) {
      panel.destroy();
      panels.delete(tag);
    } else if (panel.token !== (tag.getAttribute('token') ?? '')) {
      panel.destroy();
      panels.set(tag, new Panel(tag));
    } else if (!panel.destroyed && !panel.host.isConnected) {
      // The page removed the panel itself: stay unmounted until the token changes.
      panel.destroy();
    }
  }
  for (const tag of tags) {
    if (!panels.has(tag)) panels.set(tag, new Panel(tag));
  }
}

/** What is running now: mounted panels, live timers and in-flight requests. */
export function diagnostics() {
  const mounted = [...panels.values()].filter((panel) => !panel.destroyed);
  return {
    panels: mounted.length,
    timers: live.timers,
    requests: live.requests,
    states: mounted.map((panel) => ({ id: panel.tag.id, state: panel.state.connection })),
  };
}

new MutationObserver(sync).observe(document, {
  subtree: true,
  childList: true,
  attributes: true,
  attributeFilter: ['token', 'id', 'src'],
});
sync();
