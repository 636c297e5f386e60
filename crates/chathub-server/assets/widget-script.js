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
// unmounts its panel (timers, requests and the hub socket stopped); adding a
// tag or changing its `token` mounts a panel with that token, without a page
// reload.
//
// The panel talks to the server that served this script (the origin of
// import.meta.url). A token that expires, or a 401, shows "Token expired"
// and dispatches a window `error` event whose message contains
// "token expired"; a 403 (revoked token, inactive operator) or the hub's
// Close "Token revoked" shows "Token revoked" and dispatches one containing
// "token revoked". Nothing retries in a loop: a failed request stops the
// panel until Retry is pressed or the browser comes back online. Once the
// token has ended the panel makes no more requests.
//
// Chats (spec §7): the operator's organization's chats (GET /api/chat/chats)
// with their source, status, unread count and who they are assigned to; a
// chat opens to its messages (oldest first; photos shown, other media as
// links), its status (PUT /api/chat/status) and a reply box (POST
// /api/chat/{id}/message; Enter sends), off for Closed chats. Unread counts
// are the server's (re-read per chat after each event); a status is saved
// with "Set status" (not on every change of the select); each chat keeps its
// own unsent reply; messages that arrive while a chat is shown are announced
// to screen readers (the history is not). Live updates come through
// the hub `/chathub`, spoken here directly (SignalR's JSON hub protocol over
// a WebSocket: negotiate with the token in `Authorization`, upgrade with it
// in `access_token` since browsers cannot set headers on WebSockets, a ping
// every 15 s, a connection silent for 30 s counts as lost). The hub's Close
// "Token revoked" ends the panel as a 403 does, "Token expired" as an
// expired token does (the tag's token is the panel's only one, so
// reconnecting could not help). A lost connection, or another Close that
// allows reconnecting, reconnects after 0, 2, 10 and 30 s while the token
// lives (the delays start over once a connection has stayed up 15 s), then
// gives up until the next successful read of the operator list starts it
// again: the periodic one (`refresh-interval`), Refresh, or the browser
// coming back online. A negotiate refused with an `error` gives up at once.
// Each (re)connection reloads the chats, since events may have been missed.
// Refresh reads the chats again too; a failed chats load is tried again at
// each change of the panel's state, or by the Retry next to it.
//
// Optional tag attribute: `refresh-interval` (seconds, default 30, at least
// 1): how often the panel re-reads the operator list while connected, which
// is also how it notices a revocation when the hub is not connected.
//
// The panel's body is a list of views (see `registerView`): the operator,
// the organization and the chats. `diagnostics()` tells tests what runs.

const TAG_ID = 'operator-chat-panel-script';
const MODULE_URL = import.meta.url;
const API_ORIGIN = new URL(MODULE_URL).origin;
const DEFAULT_REFRESH_SECONDS = 30;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** What the panel's header says for each `state.connection`. */
const CONNECTION_TEXTS = {
  connecting: 'Connecting…',
  connected: 'Connected',
  disconnected: 'Disconnected',
  expired: 'Token expired',
  revoked: 'Token revoked',
  invalid: 'No valid token',
};
const STATUS_NAMES = new Map([[0, 'Active'], [1, 'Inactive'], [2, 'Deleted']]);

// Decisions 16-17.
const CHAT_STATUS_NAMES = new Map([[0, 'New'], [1, 'Open'], [2, 'Waiting'], [3, 'Paused'], [4, 'Closed']]);
const CHAT_CLOSED = 4;
const MESSAGE_STATUS_NAMES = new Map([[0, 'New'], [1, 'Sent'], [2, 'Rejected'], [3, 'Read']]);
const SOURCE_NAMES = new Map([
  [0, 'Viber'], [1, 'Viber Bot'], [2, 'Telegram Bot'], [3, 'WhatsApp'], [4, 'Widget'],
  [5, 'Instagram'], [6, 'Facebook'], [7, 'Rozetka'], [8, 'Prom.ua'],
]);
const AUTHOR_OPERATOR = 0;
const AUTHOR_CLIENT = 1;
/** The most chats one page of the list holds (Decision 21). */
const CHATS_PER_PAGE = 100;
/** The longest reply, in Unicode scalar values (Decisions 14 and 25). */
const MAX_REPLY_CHARS = 4096;
/** How many announcements of new messages the live region keeps. */
const MAX_ANNOUNCEMENTS = 5;

// The hub (§7.3): the record separator, @microsoft/signalr's keep-alive
// and timeout, and its default reconnect delays.
const RECORD_SEPARATOR = '\x1e';
/** The handshake and ping records the panel sends, separator included. */
const HUB_HANDSHAKE = JSON.stringify({ protocol: 'json', version: 1 }) + RECORD_SEPARATOR;
const HUB_PING = JSON.stringify({ type: 6 }) + RECORD_SEPARATOR;
const HUB_PING_MS = 15_000;
const HUB_SILENCE_MS = 30_000;
const HUB_RETRY_DELAYS_MS = [0, 2_000, 10_000, 30_000];
/** A connection up this long starts the delays over (a server that accepts then closes gets no storm). */
const HUB_STABLE_MS = 15_000;
const TOKEN_REVOKED = 'Token revoked';
const TOKEN_EXPIRED = 'Token expired';

/** Live timers, requests and hub sockets of every panel, for `diagnostics()`. */
const live = { timers: 0, requests: 0, sockets: 0 };

/** Registered views, by `order`. */
const views = [];

/** Mounted panels, by their tag. */
const panels = new Map();

// ---------------------------------------------------------------- helpers

function statusName(status) {
  return STATUS_NAMES.get(status) ?? `Status ${status}`;
}

function chatStatusName(status) {
  return CHAT_STATUS_NAMES.get(status) ?? `Status ${status}`;
}

function messageStatusName(status) {
  return MESSAGE_STATUS_NAMES.get(status) ?? `Status ${status}`;
}

function sourceName(source) {
  return SOURCE_NAMES.get(source) ?? `Source ${source}`;
}

/** `10:15`, or `28 Jan, 10:15` for another day; empty for no date. */
function formatTime(text) {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) return '';
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (at.toDateString() === new Date().toDateString()) return time;
  return `${at.toLocaleDateString([], { day: 'numeric', month: 'short' })}, ${time}`;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The text a ChatHub error answer carries: its `detail`, else its first field error. */
async function problemText(response) {
  try {
    const problem = await response.json();
    if (typeof problem?.detail === 'string' && problem.detail) return problem.detail;
    const first = Object.values(problem?.errors ?? {}).flat()[0];
    if (typeof first === 'string') return first;
    if (typeof problem?.title === 'string') return problem.title;
  } catch {
    // not JSON: the status line says enough
  }
  return `${response.status} ${response.statusText}`.trim();
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
 * `{ element, update(state), destroy(), reload() }` (`reload`, optional:
 * Refresh was pressed). `update` gets the panel's state:
 * `{ connection, operator, organization, operators, operatorId, hub,
 * hubDetail }` (`hub`: off, connecting, live, reconnecting, offline,
 * closing, closed). A view may call `panel.api(path, init)` (the token and
 * an abort signal are added) and `panel.setTimer(fn, ms)`, both stopped
 * when the panel unmounts, and `panel.onHub(listener)`, which hears
 * `{ kind: 'event', target, arguments }` for each hub event and
 * `{ kind: 'live', reconnected }` each time the hub (re)connects.
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

// ------------------------------------------------------------------ chats

/** Whether `value` looks like a chat of Decision 18. */
function isChat(value) {
  return isObject(value) && Number.isInteger(value.id);
}

/** Whether `value` looks like a message of Decision 19. */
function isMessage(value) {
  return isObject(value) && Number.isInteger(value.id) && Number.isInteger(value.chatId);
}

/** A chat's unread count (0 when the server gave none). */
function unreadOf(chat) {
  return Number.isInteger(chat.countUnread) ? chat.countUnread : 0;
}

/** What a chat is called: its client's name, phone or Telegram id. */
function chatTitle(chat) {
  const client = isObject(chat.client) ? chat.client : {};
  if (typeof client.name === 'string' && client.name.trim()) return client.name;
  if (typeof client.phone === 'string' && client.phone) return `+${client.phone}`;
  if (client.tgUserId !== null && client.tgUserId !== undefined) return `Telegram user ${client.tgUserId}`;
  return `Chat #${chat.id}`;
}

/** A message's text for a one-line preview. */
function preview(message) {
  if (typeof message.message === 'string' && message.message.trim()) return message.message;
  if (isObject(message.media)) return `[${message.media.name ?? 'media'}]`;
  return '';
}

/**
 * The chats view: the list, the open chat and its reply box. It mirrors the
 * server: events change what they name at once, then the chat is read again
 * (`GET /api/chat/chats/{id}`) for what only the server counts
 * (`countUnread`: `ChatCreated` already counts the message whose
 * `ReceiveMessage` follows it, Decision 30).
 */
class ChatsView {
  constructor(panel) {
    this.panel = panel;
    /** Chats by id. */
    this.chats = new Map();
    this.total = 0;
    this.loaded = false;
    this.listError = '';
    this.listGeneration = 0;
    /** Chats an event touched while the list was loading (null: not loading). */
    this.touched = null;
    /** Per chat: a re-read in flight, and whether another is wanted after it. */
    this.rereads = new Map();
    /** The chat of each message seen, for MessageStatusChanged. */
    this.messageChats = new Map();
    /** The last message seen per chat, for the rows' previews. */
    this.lastMessages = new Map();
    this.listReloadTimer = null;
    /** The open chat: `{ id, messages: Map, loaded, queue, error }`, or null. */
    this.open = null;
    this.openGeneration = 0;
    /** Chats with a reply on its way. */
    this.sending = new Set();
    /** Unsent replies by chat: the reply box is the open chat's. */
    this.drafts = new Map();
    /** The status the select last took from the open chat (null: take it now). */
    this.statusShown = null;
    this.savingStatus = false;
    this.rows = new Map();

    this.summary = h('p', { class: 'label', 'data-part': 'chats-summary', 'aria-live': 'polite' }, '');
    this.listRetry = h('button', { type: 'button', 'data-part': 'chats-retry', hidden: true }, 'Retry');
    this.listRetry.addEventListener('click', () => this.loadChats());
    this.liveText = h('p', { class: 'live', 'data-part': 'live', role: 'status' }, '');
    this.list = h('ul', { class: 'chat-list', 'data-part': 'chats', 'aria-label': 'Chats' });
    this.messagesTitle = h('h3', { id: 'conversation-title', tabindex: '-1', 'data-part': 'chat-title' }, '');
    this.chatInfo = h('p', { class: 'label', 'data-part': 'chat-info' }, '');
    this.statusSelect = h(
      'select',
      { id: 'chat-status', 'data-part': 'status-select' },
      ...[...CHAT_STATUS_NAMES].map(([value, name]) => h('option', { value }, name)),
    );
    // Saved by the button only: arrow keys on a closed select fire `change`
    // in Chrome on Linux and Windows (WCAG 3.2.2).
    this.statusButton = h('button', { type: 'button', 'data-part': 'set-status' }, 'Set status');
    this.statusButton.addEventListener('click', () => this.setStatus(Number(this.statusSelect.value)));
    this.statusNote = h('span', { class: 'label', 'data-part': 'status-note', role: 'status' }, '');
    this.statusRow = h(
      'p',
      { class: 'status-row' },
      h('label', { for: 'chat-status', class: 'label' }, 'Status'),
      ' ',
      this.statusSelect,
      ' ',
      this.statusButton,
      ' ',
      this.statusNote,
    );
    // Not a live region: opening a chat would read its whole history.
    // Messages that arrive once it is shown are announced by `announcer`.
    this.messageList = h('ol', { class: 'messages', 'data-part': 'messages', 'aria-label': 'Messages', tabindex: '0' });
    this.announcer = h('div', { class: 'visually-hidden', 'data-part': 'announcer', 'aria-live': 'polite' });
    /** The open chat's message items by message id, kept so only new ones are added. */
    this.messageItems = new Map();
    this.closeButton = h('button', { type: 'button', 'data-part': 'close-chat' }, 'Back to the list');
    this.closeButton.addEventListener('click', () => this.closeChat());
    // No maxlength: it counts UTF-16 units, the server Unicode scalar values.
    this.replyText = h('textarea', { id: 'reply-text', rows: '2', 'data-part': 'reply-text', 'aria-describedby': 'reply-note' });
    this.replyText.addEventListener('input', () => this.checkLength());
    this.replyText.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.sendButton = h('button', { type: 'submit', 'data-part': 'send' }, 'Send');
    this.replyNote = h('p', { class: 'label', id: 'reply-note', 'data-part': 'reply-note', role: 'status' }, '');
    this.replyForm = h(
      'form',
      { class: 'reply', 'data-part': 'reply', 'aria-label': 'Reply' },
      h('label', { for: 'reply-text', class: 'label' }, 'Reply'),
      this.replyText,
      h('div', { class: 'reply-actions' }, this.replyNote, this.sendButton),
    );
    this.replyForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.conversation = h(
      'section',
      { class: 'conversation', 'data-part': 'conversation', 'aria-labelledby': 'conversation-title', hidden: true },
      h('div', { class: 'chats-head' }, this.messagesTitle, this.closeButton),
      this.chatInfo,
      this.statusRow,
      this.messageList,
      this.announcer,
      this.replyForm,
    );
    this.element = h(
      'div',
      { class: 'view', 'data-view': 'chats', hidden: true },
      h('div', { class: 'chats-head' }, h('h3', { id: 'chats-title' }, 'Chats'), this.liveText),
      h('div', { class: 'chats-head' }, this.summary, this.listRetry),
      this.list,
      this.conversation,
    );
    this.unsubscribe = panel.onHub((message) => this.onHub(message));
  }

  // ------------------------------------------------------------ panel side

  update(state) {
    if (state.connection === 'connected') this.element.hidden = false;
    // Until one load succeeds, whatever the hub does: each change of the
    // panel's state (its periodic refresh included) tries again.
    if (state.connection === 'connected' && !this.loaded && this.touched === null) this.loadChats();
    this.renderLive();
    this.renderList();
    this.renderConversation();
  }

  destroy() {
    this.unsubscribe();
  }

  /** Refresh was pressed: read the list (and the open chat) again. */
  reload() {
    if (this.touched === null) this.loadChats();
    if (this.open) this.openChat(this.open.id, false);
  }

  onHub(message) {
    if (message.kind === 'live') {
      this.loadChats();
      if (this.open) this.openChat(this.open.id, false);
      return;
    }
    const [first, second] = message.arguments;
    switch (message.target) {
      case 'ChatCreated':
        if (isChat(first)) this.chatCreated(first);
        break;
      case 'ReceiveMessage':
      case 'ReceiveMediaMessage':
        if (isMessage(first)) this.messageReceived(first);
        break;
      case 'ChatStatusChanged':
        if (Number.isInteger(first) && Number.isInteger(second)) this.chatStatusChanged(first, second);
        break;
      case 'MessageStatusChanged':
        if (Number.isInteger(first) && Number.isInteger(second)) this.messageStatusChanged(first, second);
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- events

  chatCreated(chat) {
    if (!this.chats.has(chat.id)) this.total += 1;
    this.chats.set(chat.id, chat);
    this.touched?.add(chat.id);
    if (this.rereads.has(chat.id)) this.reread(chat.id);
    this.renderList();
  }

  /**
   * A message from an event or a send's answer. They come in either order
   * (Decision 30), so the first copy stays: later changes come as
   * MessageStatusChanged, which a second copy must not undo.
   */
  messageReceived(message) {
    this.messageChats.set(message.id, message.chatId);
    const last = this.lastMessages.get(message.chatId);
    if (!last || last.id < message.id) this.lastMessages.set(message.chatId, message);
    const chat = this.chats.get(message.chatId);
    if (chat) {
      chat.lastMessageAt = message.createdAt ?? chat.lastMessageAt;
      // Decision 25: an operator's reply takes an unassigned chat.
      if (message.author === AUTHOR_OPERATOR && !chat.operator && Number.isInteger(message.operatorId)) {
        chat.operator = { id: message.operatorId, name: this.operatorName(message.operatorId), photo: null };
      }
    }
    this.touched?.add(message.chatId);
    const open = this.open;
    if (open?.id === message.chatId) {
      const add = () => {
        if (!open.messages.has(message.id)) open.messages.set(message.id, message);
      };
      if (open.loaded) add();
      else open.queue.push(add);
    }
    this.reread(message.chatId);
    this.renderList();
    this.renderConversation();
  }

  chatStatusChanged(chatId, status) {
    const chat = this.chats.get(chatId);
    if (chat) chat.chatStatus = status;
    // A re-read on its way may have been answered before this change: read once more.
    if (!chat || this.rereads.has(chatId)) this.reread(chatId);
    this.touched?.add(chatId);
    this.renderList();
    this.renderConversation();
  }

  messageStatusChanged(messageId, status) {
    const open = this.open;
    const apply = () => {
      const message = open?.messages.get(messageId);
      if (message) message.status = status;
    };
    if (open && !open.loaded) open.queue.push(apply);
    else apply();
    const chatId = this.messageChats.get(messageId);
    if (chatId === undefined) {
      // A message of a chat this panel has not read: its unread count may change.
      this.reloadListSoon();
    } else {
      const last = this.lastMessages.get(chatId);
      if (last?.id === messageId) last.status = status;
      this.touched?.add(chatId);
      this.reread(chatId);
    }
    this.renderConversation();
  }

  // ------------------------------------------------------------- requests

  async loadChats() {
    const generation = ++this.listGeneration;
    this.touched = new Set();
    this.renderList();
    let response;
    let body;
    try {
      response = await this.panel.api(`/api/chat/chats?per_page=${CHATS_PER_PAGE}`);
      if (response.ok) body = await response.json();
    } catch (error) {
      if (error?.name === 'AbortError' || generation !== this.listGeneration) return;
      this.touched = null;
      this.listError = 'The chats could not be loaded.';
      this.renderList();
      return;
    }
    if (generation !== this.listGeneration || this.panel.endsToken(response)) return;
    const touched = this.touched ?? new Set();
    this.touched = null;
    if (!response.ok || !isObject(body) || !Array.isArray(body.items)) {
      this.listError = response.ok ? 'The chats came in a shape the panel cannot read.' : await problemText(response);
      this.renderList();
      return;
    }
    const chats = new Map(body.items.filter(isChat).map((chat) => [chat.id, chat]));
    // What events said while the list was on its way: keep it, then read it again.
    for (const id of touched) {
      if (!chats.has(id) && this.chats.has(id)) chats.set(id, this.chats.get(id));
      this.reread(id);
    }
    this.chats = chats;
    this.total = Number.isInteger(body.total) ? Math.max(body.total, chats.size) : chats.size;
    this.loaded = true;
    this.listError = '';
    if (this.open && !this.chats.has(this.open.id) && !touched.has(this.open.id)) this.closeChat();
    this.renderList();
    this.renderConversation();
  }

  reloadListSoon() {
    if (this.listReloadTimer !== null) return;
    this.listReloadTimer = this.panel.setTimer(() => {
      this.listReloadTimer = null;
      this.loadChats();
    }, 250);
  }

  /** Reads one chat again; one request per chat at a time, and one more if asked meanwhile. */
  async reread(id) {
    const running = this.rereads.get(id);
    if (running) {
      running.again = true;
      return;
    }
    const entry = { again: false };
    this.rereads.set(id, entry);
    try {
      do {
        entry.again = false;
        let response;
        let chat;
        try {
          response = await this.panel.api(`/api/chat/chats/${id}`);
          if (response.ok) chat = await response.json();
        } catch {
          return;
        }
        if (this.panel.endsToken(response)) return;
        if (response.status === 404) {
          this.forgetChat(id);
        } else if (isChat(chat)) {
          this.chats.set(id, chat);
        }
        this.renderList();
        this.renderConversation();
      } while (entry.again);
    } finally {
      this.rereads.delete(id);
    }
  }

  /** Chat `id` is gone (a 404): drops it from the list, and closes it if it is open. */
  forgetChat(id) {
    if (this.chats.delete(id)) this.total = Math.max(0, this.total - 1);
    if (this.open?.id === id) this.closeChat();
  }

  /** Opens chat `id` and reads its messages (`focus`: move the keyboard there). */
  async openChat(id, focus = true) {
    if (this.panel.final || this.panel.destroyed) return;
    const generation = ++this.openGeneration;
    const previous = this.open?.id === id ? this.open : null;
    if (!previous) {
      this.swapDraft(id);
      this.replyNote.textContent = '';
      this.statusNote.textContent = '';
      this.statusShown = null;
      this.announcer.replaceChildren();
    }
    // `shown`: the messages were on screen once; later ones are announced.
    this.open = { id, messages: previous?.messages ?? new Map(), loaded: false, queue: [], error: '', shown: previous?.shown ?? false };
    this.checkLength();
    this.renderList();
    this.renderConversation();
    if (focus) this.messagesTitle.focus();
    let response;
    let list;
    try {
      response = await this.panel.api(`/api/chat/${id}/messages`);
      if (response.ok) list = await response.json();
    } catch (error) {
      if (error?.name === 'AbortError' || generation !== this.openGeneration) return;
      this.open.error = 'The messages could not be loaded.';
      this.renderConversation();
      return;
    }
    if (generation !== this.openGeneration || this.panel.endsToken(response)) return;
    if (response.status === 404) {
      this.forgetChat(id);
      this.renderList();
      return;
    }
    if (!response.ok || !Array.isArray(list)) {
      this.open.error = response.ok ? 'The messages came in a shape the panel cannot read.' : await problemText(response);
      this.renderConversation();
      return;
    }
    const open = this.open;
    open.messages = new Map();
    for (const message of list.filter(isMessage)) {
      open.messages.set(message.id, message);
      this.messageChats.set(message.id, id);
    }
    const newest = [...open.messages.values()].at(-1);
    const last = this.lastMessages.get(id);
    if (newest && (!last || last.id < newest.id)) this.lastMessages.set(id, newest);
    // Events that came while the messages were on their way, in order.
    for (const apply of open.queue) apply();
    open.queue = [];
    open.loaded = true;
    this.renderList();
    this.renderConversation();
    this.messageList.scrollTop = this.messageList.scrollHeight;
  }

  /**
   * `PUT /api/chat/status` for the open chat. The answer is not applied
   * here: a newer change by someone else may already be in; the event
   * shows it, and a re-read makes sure.
   */
  async setStatus(status) {
    const chat = this.open && this.chats.get(this.open.id);
    if (!chat || this.savingStatus) return;
    if (chat.chatStatus === status) {
      this.statusNote.textContent = `Already ${chatStatusName(status)}.`;
      return;
    }
    this.savingStatus = true;
    this.statusNote.textContent = 'Saving…';
    this.renderConversation();
    let response;
    try {
      response = await this.panel.api('/api/chat/status', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: chat.id, status }),
      });
    } catch (error) {
      if (error?.name === 'AbortError') return;
      this.statusNote.textContent = 'Not saved: ChatHub cannot be reached.';
      return;
    } finally {
      this.savingStatus = false;
      this.renderConversation();
    }
    if (this.panel.endsToken(response)) return;
    const here = this.open?.id === chat.id;
    if (!response.ok) {
      if (here) this.statusNote.textContent = `Not saved: ${await problemText(response)}`;
      return;
    }
    if (here) this.statusNote.textContent = 'Saved.';
    this.reread(chat.id);
  }

  /** The reply box becomes chat `id`'s (null: none), keeping the other chat's draft. */
  swapDraft(id) {
    const current = this.open?.id;
    if (current === id) return;
    if (current !== undefined) {
      if (this.replyText.value) this.drafts.set(current, this.replyText.value);
      else this.drafts.delete(current);
    }
    this.replyText.value = id === null ? '' : (this.drafts.get(id) ?? '');
  }

  closeChat() {
    const id = this.open?.id;
    this.swapDraft(null);
    this.statusNote.textContent = '';
    this.replyNote.textContent = '';
    this.announcer.replaceChildren();
    this.openGeneration += 1;
    this.open = null;
    this.renderList();
    this.renderConversation();
    if (id !== undefined) this.rows.get(id)?.button.focus();
  }

  /** Says when the reply is over the limit, counted as the server does (Unicode scalar values). */
  checkLength() {
    const count = [...this.replyText.value.trim()].length;
    const over = count > MAX_REPLY_CHARS;
    this.replyText.setAttribute('aria-invalid', String(over));
    if (over) this.replyNote.textContent = `Too long: ${count} of at most ${MAX_REPLY_CHARS} characters.`;
    else if (this.replyNote.textContent.startsWith('Too long')) this.replyNote.textContent = '';
    return !over;
  }

  async send() {
    const open = this.open;
    const chat = open && this.chats.get(open.id);
    const text = this.replyText.value.trim();
    if (!chat || this.sending.has(chat.id) || !this.canReply(chat)) return;
    if (!text) {
      this.replyNote.textContent = 'Write a message first.';
      return;
    }
    if (!this.checkLength()) return;
    this.sending.add(chat.id);
    this.replyNote.textContent = 'Sending…';
    this.renderConversation();
    // Notes about this reply, while its chat is the open one.
    const note = (text) => {
      if (this.open?.id === chat.id) this.replyNote.textContent = text;
    };
    let response;
    let message;
    try {
      response = await this.panel.api(`/api/chat/${chat.id}/message`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ textMessage: text }),
      });
      if (response.ok) message = await response.json();
    } catch (error) {
      if (error?.name === 'AbortError') return;
      note('Not sent: ChatHub cannot be reached.');
      return;
    } finally {
      this.sending.delete(chat.id);
      this.renderConversation();
    }
    if (this.panel.endsToken(response)) return;
    if (!response.ok) {
      note(`Not sent: ${await problemText(response)}`);
      return;
    }
    if (this.open?.id === chat.id) {
      if (this.replyText.value.trim() === text) this.replyText.value = '';
    } else if (this.drafts.get(chat.id)?.trim() === text) {
      this.drafts.delete(chat.id);
    }
    note('Sent.');
    if (isMessage(message)) this.messageReceived(message);
    else this.reread(chat.id);
  }

  // ------------------------------------------------------------- rendering

  operatorName(id) {
    if (id === this.panel.state.operatorId) return this.panel.state.operator?.name ?? 'You';
    return this.panel.state.operators.find((operator) => operator.id === id)?.name ?? `Operator #${id}`;
  }

  /** Whom chat is assigned to (`assigned`: none, self or other) and the words for it. */
  assignment(chat) {
    const operator = isObject(chat.operator) ? chat.operator : null;
    if (!operator) return { assigned: 'none', text: 'Unassigned' };
    if (operator.id === this.panel.state.operatorId) return { assigned: 'self', text: 'Assigned to you' };
    return { assigned: 'other', text: `Assigned to ${operator.name ?? `operator #${operator.id}`}` };
  }

  canReply(chat) {
    return this.panel.state.connection === 'connected' && chat.chatStatus !== CHAT_CLOSED;
  }

  renderLive() {
    const { hub, hubDetail } = this.panel.state;
    const texts = {
      off: '',
      connecting: 'Live updates: connecting…',
      live: 'Live updates: on',
      reconnecting: 'Live updates: reconnecting…',
      offline: `Live updates: off${hubDetail ? ` (${hubDetail})` : ''}. Refresh to try again.`,
      closing: 'Live updates: off',
      closed: 'Live updates: off',
    };
    this.liveText.textContent = texts[hub] ?? '';
    this.liveText.dataset.hub = hub;
  }

  renderList() {
    const chats = [...this.chats.values()].sort((a, b) => b.id - a.id);
    const unread = chats.reduce((sum, chat) => sum + unreadOf(chat), 0);
    const organization = this.panel.state.organization?.name;
    this.list.setAttribute('aria-label', organization ? `Chats of ${organization}` : 'Chats');
    if (this.listError) this.summary.textContent = this.listError;
    else if (!this.loaded && chats.length === 0) this.summary.textContent = 'Loading chats…';
    else if (chats.length === 0) this.summary.textContent = 'No chats yet.';
    else {
      const shown = this.total > chats.length ? `${chats.length} of ${this.total} chats` : `${chats.length} ${chats.length === 1 ? 'chat' : 'chats'}`;
      this.summary.textContent = `${shown}, ${unread} unread`;
    }
    this.listRetry.hidden = !this.listError || this.panel.final || this.panel.destroyed;
    this.listRetry.disabled = this.touched !== null;
    const active = this.element.getRootNode()?.activeElement ?? null;
    for (const [id, row] of this.rows) {
      if (!this.chats.has(id)) this.rows.delete(id);
      else row.seen = false;
    }
    const items = chats.map((chat) => {
      let row = this.rows.get(chat.id);
      if (!row) {
        const button = h('button', { type: 'button', class: 'chat-row' });
        button.addEventListener('click', () => {
          if (this.open?.id === chat.id) this.closeChat();
          else this.openChat(chat.id);
        });
        row = { item: h('li', { 'data-chat-id': chat.id }, button), button };
        this.rows.set(chat.id, row);
      }
      this.fillRow(row, chat);
      return row.item;
    });
    const same = items.length === this.list.children.length && items.every((item, i) => this.list.children[i] === item);
    if (!same) {
      this.list.replaceChildren(...items);
      if (active && this.list.contains(active)) active.focus();
    }
  }

  fillRow(row, chat) {
    const { item, button } = row;
    const unread = unreadOf(chat);
    const { assigned, text } = this.assignment(chat);
    const closed = chat.chatStatus === CHAT_CLOSED;
    item.dataset.status = String(chat.chatStatus);
    item.dataset.unread = String(unread);
    item.dataset.assigned = assigned;
    item.classList.toggle('closed', closed);
    button.setAttribute('aria-current', this.open?.id === chat.id ? 'true' : 'false');
    // Once the panel has ended nothing more is asked of the server.
    button.disabled = this.panel.final || this.panel.destroyed;
    const last = this.lastMessages.get(chat.id);
    // The row's content is replaced only when what it shows changed: a
    // click whose press and release land on different nodes is lost.
    const shown = JSON.stringify([
      chatTitle(chat), unread, chat.theme, chat.messSource, chat.chatStatus, assigned, text, last ? preview(last) : '',
    ]);
    if (row.shown === shown) return;
    row.shown = shown;
    const lines = [
      h(
        'span',
        { class: 'chat-line' },
        h('span', { class: 'chat-name', 'data-part': 'chat-name' }, chatTitle(chat)),
        // The word for screen readers is text: an aria-label on a plain span is not read.
        unread > 0 ? h('span', { class: 'badge unread', 'data-part': 'unread' }, String(unread)) : '',
        unread > 0 ? h('span', { class: 'visually-hidden' }, ' unread') : '',
      ),
    ];
    if (typeof chat.theme === 'string' && chat.theme) lines.push(h('span', { class: 'chat-theme', 'data-part': 'theme' }, chat.theme));
    const meta = h(
      'span',
      { class: 'chat-meta' },
      h('span', { 'data-part': 'source' }, sourceName(chat.messSource)),
      h('span', { class: 'badge chat-status', 'data-part': 'chat-status', 'data-chat-status': chat.chatStatus }, chatStatusName(chat.chatStatus)),
    );
    if (assigned !== 'none') meta.append(h('span', { 'data-part': 'assigned' }, text));
    lines.push(meta);
    if (last && preview(last)) lines.push(h('span', { class: 'chat-preview', 'data-part': 'preview' }, preview(last)));
    button.replaceChildren(...lines);
  }

  renderConversation() {
    const open = this.open;
    const chat = open && this.chats.get(open.id);
    this.conversation.hidden = !chat;
    if (!chat) return;
    this.conversation.dataset.chatId = String(chat.id);
    this.messagesTitle.textContent = `Chat with ${chatTitle(chat)}`;
    const who = this.assignment(chat).text;
    const theme = typeof chat.theme === 'string' && chat.theme ? `${chat.theme} · ` : '';
    this.chatInfo.textContent = `${theme}${sourceName(chat.messSource)} · ${chatStatusName(chat.chatStatus)} · ${who}`;
    // The select follows the chat's status as it changes; in between it
    // keeps the operator's choice until "Set status" saves it.
    if (this.statusShown !== chat.chatStatus) {
      this.statusSelect.value = String(chat.chatStatus);
      this.statusShown = chat.chatStatus;
    }
    this.statusSelect.disabled = this.panel.state.connection !== 'connected';
    this.statusButton.disabled = this.panel.state.connection !== 'connected' || this.savingStatus;
    if (open.error) {
      this.messageList.replaceChildren(h('li', { class: 'label' }, open.error));
    } else if (!open.loaded && open.messages.size === 0) {
      this.messageList.replaceChildren(h('li', { class: 'label' }, 'Loading messages…'));
    } else {
      const atBottom = this.messageList.scrollHeight - this.messageList.scrollTop - this.messageList.clientHeight < 24;
      const messages = [...open.messages.values()].sort((a, b) => a.id - b.id);
      const items = messages.map((message) => {
        let item = this.messageItems.get(message.id);
        if (!item || item.chatId !== chat.id) {
          item = { chatId: chat.id, element: this.messageItem(chat, message) };
          this.messageItems.set(message.id, item);
          if (open.shown) this.announce(chat, message);
        }
        const badge = item.element.querySelector('[data-part="message-status"]');
        item.element.dataset.status = String(message.status);
        if (badge) badge.textContent = messageStatusName(message.status);
        return item.element;
      });
      const current = [...this.messageList.children];
      const appended = current.length <= items.length && current.every((element, i) => element === items[i]);
      if (appended) this.messageList.append(...items.slice(current.length));
      else this.messageList.replaceChildren(...items);
      for (const id of this.messageItems.keys()) if (!open.messages.has(id)) this.messageItems.delete(id);
      if (atBottom) this.messageList.scrollTop = this.messageList.scrollHeight;
      if (open.loaded) open.shown = true;
    }
    const closed = chat.chatStatus === CHAT_CLOSED;
    const allowed = this.canReply(chat);
    this.replyText.disabled = !allowed;
    this.sendButton.disabled = !allowed || this.sending.has(chat.id);
    this.replyForm.dataset.closed = String(closed);
    if (closed) this.replyNote.textContent = 'This chat is closed: replies are off.';
    else if (['expired', 'revoked', 'invalid'].includes(this.panel.state.connection)) {
      this.replyNote.textContent = 'Replies need a valid operator token.';
    } else if (this.replyNote.textContent === 'This chat is closed: replies are off.') this.replyNote.textContent = '';
  }

  authorName(chat, message) {
    if (message.author === AUTHOR_CLIENT) return chatTitle(chat);
    if (message.author !== AUTHOR_OPERATOR) return 'System';
    if (!Number.isInteger(message.operatorId)) return 'Company';
    return message.operatorId === this.panel.state.operatorId ? 'You' : this.operatorName(message.operatorId);
  }

  /** Tells screen readers about a message that came while the chat is shown (not the operator's own). */
  announce(chat, message) {
    if (message.author === AUTHOR_OPERATOR && message.operatorId === this.panel.state.operatorId) return;
    const text = preview(message);
    if (!text) return;
    this.announcer.append(h('p', {}, `${this.authorName(chat, message)}: ${text}`));
    while (this.announcer.childElementCount > MAX_ANNOUNCEMENTS) this.announcer.firstElementChild.remove();
  }

  messageItem(chat, message) {
    const fromClient = message.author === AUTHOR_CLIENT;
    const author = this.authorName(chat, message);
    const body = [];
    if (typeof message.message === 'string' && message.message) body.push(h('p', { class: 'text', 'data-part': 'text' }, message.message));
    // Only http(s) links: a `javascript:` URI in an answer must never become a link.
    if (isObject(message.media) && typeof message.media.uri === 'string' && /^https?:\/\//i.test(message.media.uri)) {
      const media = message.media;
      const name = typeof media.name === 'string' ? media.name : 'attachment';
      const image = media.type === 1 && typeof media.format === 'string' && media.format.startsWith('image/');
      body.push(
        image
          ? h('a', { href: media.uri, target: '_blank', rel: 'noopener noreferrer', class: 'media' }, h('img', { src: media.uri, alt: name, loading: 'lazy' }))
          : h('p', { class: 'media' }, h('a', { href: media.uri, target: '_blank', rel: 'noopener noreferrer', download: name }, name)),
      );
    }
    return h(
      'li',
      {
        class: `message ${fromClient ? 'from-client' : 'from-operator'}`,
        'data-message-id': message.id,
        'data-author': message.author,
        'data-status': message.status,
      },
      h(
        'p',
        { class: 'message-meta' },
        h('span', { class: 'author' }, author),
        ' ',
        h('time', { datetime: message.createdAt ?? '' }, formatTime(message.createdAt)),
        ' ',
        h('span', { class: 'badge message-status', 'data-part': 'message-status' }, messageStatusName(message.status)),
      ),
      ...body,
    );
  }
}

registerView({
  name: 'chats',
  order: 30,
  create(panel) {
    return new ChatsView(panel);
  },
});

// ------------------------------------------------------------------ style

const STYLE = `
:host { all: initial; display: block; margin: 0.75rem 0; }
* { box-sizing: border-box; }
.panel {
  --bg: #ffffff; --fg: #1f2328; --muted: #57606a; --border: #8c959f; --accent: #0a58ca;
  --ok: #116329; --warn: #7d4e00; --bad: #b3261e; --badge-bg: #eef1f4; --focus: #0a58ca;
  --on-accent: #ffffff; --mine: #e7f0ff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--fg); background: var(--bg); border: 1px solid var(--border); border-radius: 10px;
  padding: 0.9rem 1rem; max-width: 30rem;
}
@media (prefers-color-scheme: dark) {
  .panel {
    --bg: #1e1f22; --fg: #e8eaed; --muted: #b4bac2; --border: #6e7681; --accent: #8ab4f8;
    --ok: #7ee2a8; --warn: #f2cc60; --bad: #ffb4ab; --badge-bg: #2d3036; --focus: #8ab4f8;
    --on-accent: #1e1f22; --mine: #23324a;
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
ul, ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.2rem; }
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
button:disabled { color: var(--muted); border-color: var(--muted); cursor: not-allowed; }
button:disabled:hover { background: transparent; }
a { color: var(--accent); }
a:focus-visible, textarea:focus-visible, h3:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
h3:focus:not(:focus-visible) { outline: none; }
.chats-head { display: flex; justify-content: space-between; align-items: baseline; gap: 0.5rem; flex-wrap: wrap; }
.live { font-size: 0.85rem; color: var(--muted); }
.live[data-hub="live"]::before { content: ""; display: inline-block; width: 0.5rem; height: 0.5rem; border-radius: 50%; background: var(--ok); margin-right: 0.3rem; }
.chat-list { gap: 0.35rem; margin-top: 0.35rem; }
.chat-row {
  display: grid; gap: 0.1rem; width: 100%; text-align: left; color: var(--fg); background: var(--bg);
  border: 1px solid var(--border); border-radius: 8px; padding: 0.4rem 0.6rem; font-size: 0.95rem;
}
.chat-row[aria-current="true"] { border-color: var(--accent); box-shadow: inset 4px 0 0 var(--accent); }
li.closed .chat-row { background: var(--badge-bg); border-style: dashed; }
li.closed .chat-name { font-weight: 400; }
.chat-line { display: flex; justify-content: space-between; gap: 0.5rem; }
.chat-name { font-weight: 600; }
.chat-theme, .chat-preview { color: var(--fg); font-size: 0.85rem; }
.chat-preview { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.chat-meta { display: flex; gap: 0.45rem; flex-wrap: wrap; align-items: baseline; font-size: 0.85rem; color: var(--muted); }
.badge.unread { background: var(--accent); color: var(--on-accent); font-weight: 600; }
.chat-status[data-chat-status="0"] { color: var(--ok); }
.chat-status[data-chat-status="4"] { color: var(--bad); }
.conversation { display: grid; gap: 0.45rem; border-top: 1px solid var(--border); padding-top: 0.7rem; }
.conversation[hidden] { display: none; }
.messages { max-height: 20rem; overflow-y: auto; gap: 0.4rem; padding: 0.1rem; }
.message { padding: 0.35rem 0.6rem; border-radius: 8px; background: var(--badge-bg); max-width: 88%; justify-self: start; }
.message.from-operator { justify-self: end; background: var(--mine); }
.message-meta { font-size: 0.8rem; color: var(--muted); display: flex; gap: 0.35rem; align-items: baseline; flex-wrap: wrap; }
.message-meta .author { color: var(--fg); font-weight: 600; }
.message-meta time { color: var(--fg); }
.message .text { white-space: pre-wrap; overflow-wrap: anywhere; }
.message .badge { background: transparent; color: var(--fg); padding: 0; }
.message[data-status="3"] .message-status { color: var(--ok); }
.message[data-status="2"] .message-status { color: var(--bad); }
.message img { display: block; max-width: 100%; max-height: 12rem; border-radius: 6px; margin-top: 0.25rem; }
.reply { display: grid; gap: 0.3rem; }
.reply textarea {
  width: 100%; font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--border);
  border-radius: 6px; padding: 0.35rem 0.5rem; resize: vertical;
}
.reply textarea:disabled { background: var(--badge-bg); cursor: not-allowed; }
.status-row { display: flex; align-items: baseline; gap: 0.4rem; flex-wrap: wrap; }
select {
  font: inherit; font-size: 0.9rem; color: var(--fg); background: var(--bg); border: 1px solid var(--border);
  border-radius: 6px; padding: 0.1rem 0.3rem;
}
select:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.reply-actions { display: flex; justify-content: space-between; align-items: center; gap: 0.6rem; }
.messages:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
}
`;

// -------------------------------------------------------------------- hub

/**
 * One panel's connection to the hub `/chathub` (§7.3), in SignalR's JSON
 * hub protocol. It reports its state to the panel (`state.hub`) and hands
 * records to the panel's hub listeners; every timer is the panel's, so
 * unmounting stops it.
 */
class HubConnection {
  constructor(panel) {
    this.panel = panel;
    this.socket = null;
    /** Sockets not yet closed (ours, closing included). */
    this.sockets = new Set();
    this.generation = 0;
    this.attempt = 0;
    this.everLive = false;
    /** Handshakes completed: 1 once live, more after reconnecting. */
    this.connects = 0;
    this.stopped = false;
    this.pingTimer = null;
    this.silenceTimer = null;
    this.retryTimer = null;
    this.stableTimer = null;
  }

  report(hub, hubDetail = '') {
    if (!this.panel.destroyed) this.panel.setState({ hub, hubDetail });
  }

  /** Connects unless connected, connecting or waiting to reconnect. */
  start() {
    if (this.stopped || !['off', 'offline'].includes(this.panel.state.hub)) return;
    this.attempt = 0;
    this.connect();
  }

  async connect() {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.report(this.everLive ? 'reconnecting' : 'connecting');
    let response;
    let answer;
    try {
      response = await this.panel.api('/chathub/negotiate?negotiateVersion=1', { method: 'POST' });
      if (response.ok) answer = await response.json();
    } catch (error) {
      if (error?.name === 'AbortError' || generation !== this.generation) return;
      this.lost('the hub cannot be reached');
      return;
    }
    if (this.stopped || generation !== this.generation || this.panel.endsToken(response)) return;
    if (response.ok && typeof answer?.error === 'string') {
      // The server's refusal (as @microsoft/signalr, which does not retry it).
      this.giveUp(answer.error);
      return;
    }
    if (!response.ok || typeof answer?.connectionToken !== 'string') {
      this.lost(`negotiation answered ${response.status}`);
      return;
    }
    const url = new URL('/chathub', API_ORIGIN);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('id', answer.connectionToken);
    url.searchParams.set('access_token', this.panel.token);
    this.open(url);
  }

  open(url) {
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.lost('the hub URL was refused');
      return;
    }
    this.socket = socket;
    this.sockets.add(socket);
    live.sockets += 1;
    let buffer = '';
    let handshaken = false;
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      socket.send(HUB_HANDSHAKE);
      this.watch();
    });
    socket.addEventListener('message', (event) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      this.watch();
      buffer += event.data;
      const records = buffer.split(RECORD_SEPARATOR);
      buffer = records.pop() ?? '';
      for (const text of records) {
        if (this.socket !== socket) return;
        let record;
        try {
          record = JSON.parse(text);
        } catch {
          this.lost('the hub sent a record the panel cannot read');
          return;
        }
        if (!isObject(record)) continue;
        if (!handshaken) {
          if (record.type === 7) {
            // A Close instead of the handshake's answer ("Token revoked" included).
            this.onRecord(record);
            return;
          }
          if (typeof record.error === 'string') {
            this.giveUp(record.error);
            return;
          }
          handshaken = true;
          this.onLive();
        } else {
          this.onRecord(record);
        }
      }
    });
    socket.addEventListener('close', () => {
      this.sockets.delete(socket);
      live.sockets -= 1;
      if (this.socket === socket) {
        this.socket = null;
        this.lost('the connection dropped');
      } else if (this.stopped && this.sockets.size === 0) {
        this.report('closed');
      }
    });
  }

  onLive() {
    const reconnected = this.everLive;
    this.everLive = true;
    this.connects += 1;
    this.panel.clearTimer(this.stableTimer);
    this.stableTimer = this.panel.setTimer(() => {
      this.stableTimer = null;
      this.attempt = 0;
    }, HUB_STABLE_MS);
    this.report('live');
    this.schedulePing();
    this.panel.emitHub({ kind: 'live', reconnected });
    // The server is back: the operator list (and the panel's state) too.
    if (this.panel.state.connection === 'disconnected') this.panel.refresh();
  }

  onRecord(record) {
    switch (record.type) {
      case 1:
        if (typeof record.target === 'string' && Array.isArray(record.arguments)) {
          this.panel.emitHub({ kind: 'event', target: record.target, arguments: record.arguments });
        }
        break;
      case 7: {
        const reason = typeof record.error === 'string' && record.error ? record.error : '';
        if (reason === TOKEN_REVOKED) {
          this.detach();
          this.panel.revoke();
        } else if (reason === TOKEN_EXPIRED) {
          // The server's word, whatever this clock says: the tag's token is
          // the panel's only one, so reconnecting could not help.
          this.detach();
          this.panel.expire();
        } else if (record.allowReconnect === true) {
          this.lost(reason || 'the hub closed the connection');
        } else {
          this.giveUp(reason || 'the hub closed the connection');
        }
        break;
      }
      default:
        // 6 Ping: `watch` already counted it; 3 Completion: the panel invokes nothing.
        break;
    }
  }

  /** Sends a ping every 15 s, as @microsoft/signalr does. */
  schedulePing() {
    this.panel.clearTimer(this.pingTimer);
    this.pingTimer = this.panel.setTimer(() => {
      this.pingTimer = null;
      if (this.socket?.readyState !== WebSocket.OPEN) return;
      this.socket.send(HUB_PING);
      this.schedulePing();
    }, HUB_PING_MS);
  }

  /** Restarts the 30 s silence clock: the server pings every 15 s. */
  watch() {
    this.panel.clearTimer(this.silenceTimer);
    this.silenceTimer = this.panel.setTimer(() => {
      this.silenceTimer = null;
      this.lost('no word from the hub for 30 s');
    }, HUB_SILENCE_MS);
  }

  /** Lets go of the socket (closing it) and its timers. */
  detach() {
    for (const timer of [this.pingTimer, this.silenceTimer, this.retryTimer, this.stableTimer]) this.panel.clearTimer(timer);
    this.pingTimer = null;
    this.silenceTimer = null;
    this.retryTimer = null;
    this.stableTimer = null;
    this.generation += 1;
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    // Closing a socket still connecting makes Chromium log an error: close it once open.
    if (socket.readyState === WebSocket.CONNECTING) socket.addEventListener('open', () => socket.close(1000));
    else if (socket.readyState === WebSocket.OPEN) socket.close(1000);
  }

  /** The connection is gone but may come back: the next delay, or offline once they are used up. */
  lost(reason) {
    this.detach();
    if (this.stopped) return;
    if (this.panel.expiresAtMs !== null && Date.now() >= this.panel.expiresAtMs) {
      this.panel.expire();
      return;
    }
    if (this.attempt >= HUB_RETRY_DELAYS_MS.length) {
      this.giveUp(reason);
      return;
    }
    const delay = HUB_RETRY_DELAYS_MS[this.attempt];
    this.attempt += 1;
    this.report('reconnecting', reason);
    this.retryTimer = this.panel.setTimer(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  /** No more attempts until the panel's next successful refresh. */
  giveUp(reason) {
    this.detach();
    if (!this.stopped) this.report('offline', reason);
  }

  /** For good: the panel ended or unmounted. */
  stop() {
    if (this.stopped) return;
    this.stopped = true;
    this.detach();
    this.report(this.sockets.size > 0 ? 'closing' : this.panel.state.hub === 'off' ? 'off' : 'closed');
  }
}

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
    this.state = {
      connection: 'connecting',
      operator: null,
      organization: null,
      operators: [],
      operatorId: null,
      hub: 'off',
      hubDetail: '',
    };
    this.hubListeners = new Set();
    this.hub = new HubConnection(this);
    this.onOnline = () => {
      if (this.state.connection === 'disconnected') this.refresh();
      else if (this.state.connection === 'connected') this.hub.start();
    };

    this.host = h('div', { 'data-operator-chat-panel': tag.id });
    const root = this.host.attachShadow({ mode: 'open' });
    this.connectionText = h('span', { 'data-part': 'connection-text' }, 'Connecting…');
    this.notice = h('div', { class: 'notice', role: 'alert', 'data-part': 'notice', hidden: true });
    this.lifetime = h('p', { class: 'lifetime', 'data-part': 'lifetime' }, '');
    this.refreshButton = h('button', { type: 'button', 'data-part': 'refresh' }, 'Refresh');
    this.refreshButton.addEventListener('click', () => this.refresh(true));
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
    this.host.dataset.hub = this.state.hub;
    this.connectionText.textContent = CONNECTION_TEXTS[connection] ?? connection;
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

  /** Listens to the hub (see `registerView`); returns the way to stop listening. */
  onHub(listener) {
    this.hubListeners.add(listener);
    return () => this.hubListeners.delete(listener);
  }

  emitHub(message) {
    for (const listener of [...this.hubListeners]) listener(message);
  }

  stopAll() {
    this.hub.stop();
    for (const id of this.timers) clearTimeout(id);
    live.timers -= this.timers.size;
    this.timers.clear();
    for (const controller of this.controllers) controller.abort();
    this.refreshTimer = null;
  }

  /** `fetch` against the server that served this script, with the token; stopped on unmount. */
  async api(path, init = {}) {
    // An ended panel asks nothing more (a re-read's loop, a click, a timer).
    if (this.destroyed || this.final) throw new DOMException('The panel has ended.', 'AbortError');
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

  /** Reads the operator list (`manual`: pressed, so the views read theirs again too). */
  async refresh(manual = false) {
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
    if (this.destroyed || this.final || generation !== this.generation || this.endsToken(response)) return;
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
    this.hub.start();
    if (manual) for (const { instance } of this.views) instance.reload?.();
  }

  disconnect(text) {
    const retry = h('button', { type: 'button', 'data-part': 'retry' }, 'Retry');
    retry.addEventListener('click', () => this.refresh(true));
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

  /** An answer that ends the token (401: expired, 403: revoked) ends the panel: true when it did. */
  endsToken(response) {
    if (response.status === 401) this.expire();
    else if (response.status === 403) this.revoke();
    else return false;
    return true;
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

/** What is running now: mounted panels, live timers, in-flight requests and open (or closing) hub sockets. */
export function diagnostics() {
  const mounted = [...panels.values()].filter((panel) => !panel.destroyed);
  return {
    panels: mounted.length,
    timers: live.timers,
    requests: live.requests,
    sockets: live.sockets,
    states: mounted.map((panel) => ({
      id: panel.tag.id,
      state: panel.state.connection,
      hub: panel.state.hub,
      hubConnects: panel.hub.connects,
    })),
  };
}

new MutationObserver(sync).observe(document, {
  subtree: true,
  childList: true,
  attributes: true,
  attributeFilter: ['token', 'id', 'src'],
});
sync();
