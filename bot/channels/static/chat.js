// The web chat page: talks to the JSON API (/api/chat/...), keeps the recent history in this
// browser, shows which flow is open after a reload, and never loses what the person typed.
// Reply text is only ever inserted as text nodes (links are built element by element).
'use strict';

const TEXT = {
  typing: 'Trợ lý đang trả lời…',
  failed: 'Chưa gửi được tin này.',
  offline: 'Không kết nối được với máy chủ. Anh/chị kiểm tra mạng rồi bấm "Gửi lại".',
  retry: 'Gửi lại',
  wait: 'Trợ lý đang trả lời tin trước, anh/chị đợi một chút rồi gửi tiếp nhé.',
  notLoaded: 'Chưa tải được cuộc trò chuyện.',
  imageNotKept: '(Ảnh không lưu trên thiết bị này; anh/chị gõ lại lệnh để xem.)',
  fileNotKept: '(Tệp không lưu trên thiết bị này; anh/chị gõ lại lệnh để tải.)',
  clearConfirm: 'Xóa lịch sử trò chuyện đã lưu trên thiết bị này? Hồ sơ và việc đang làm dở vẫn được giữ.',
};
const STORE = { token: 'cdsbot-session', history: 'cdsbot-history', draft: 'cdsbot-draft', seen: 'cdsbot-seen' };
const HISTORY_ENTRIES = 80; // the last messages kept in this browser
const HISTORY_BYTES = 1500000; // well under the ~5 MB localStorage quota
const KEPT_MEDIA_BYTES = 300000; // larger images and files are not kept in the history
const POLL_MS = 20000; // pushed messages (reminders) are fetched on load, then this often
const POLL_MAX_MS = 300000; // back-off ceiling while the server is busy or unreachable
const CONFIRM_MS = 1000; // pushed messages just shown are confirmed this soon (the next poll)
const IMAGE_WAIT_MS = 4000;

const app = document.getElementById('app');
const log = document.getElementById('log');
const form = document.getElementById('f');
const input = document.getElementById('q');
const sendButton = document.getElementById('send');
const flowBox = document.getElementById('flow');
const hint = document.getElementById('hint');
const touchFirst = window.matchMedia('(pointer: coarse)').matches;

let token = readStore(STORE.token);
let history = loadHistory();
let busy = false;
let pollTimer = null;
let pollDelay = POLL_MS;
let polling = false;
let renewed = false; // a new session replaced an expired one: registration starts again

// ---------- storage ----------

function readStore(key) {
  try { return localStorage.getItem(key); } catch (e) { return null; }
}

function writeStore(key, value) {
  try {
    if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
    return true;
  } catch (e) { return false; }
}

function loadHistory() {
  try {
    const items = JSON.parse(readStore(STORE.history) || '[]');
    return Array.isArray(items) ? items : [];
  } catch (e) { return []; }
}

function saveHistory() {
  history = history.slice(-HISTORY_ENTRIES);
  let json = JSON.stringify(history);
  while (history.length && (json.length > HISTORY_BYTES || !writeStore(STORE.history, json))) {
    history = history.slice(Math.ceil(history.length / 4));
    json = JSON.stringify(history);
  }
  if (!history.length) writeStore(STORE.history, null);
}

function keptReply(reply) {
  const kept = Object.assign({}, reply);
  if (kept.image_url && kept.image_url.length > KEPT_MEDIA_BYTES) { kept.image_url = null; kept.image_dropped = true; }
  if (kept.images && kept.images.reduce((size, url) => size + url.length, 0) > KEPT_MEDIA_BYTES) { kept.images = []; kept.image_dropped = true; }
  if (kept.document && kept.document.url.length > KEPT_MEDIA_BYTES) { kept.document = null; kept.document_dropped = true; }
  return kept;
}

function remember(entry) {
  history.push(entry);
  saveHistory();
}

// ---------- rendering ----------

const LINK = /\bhttps?:\/\/[^\s<>"'“”]+|\b(?:[a-z0-9-]+\.)+(?:vn|com|org|net|gov|edu|int|info)\b(?:\/[^\s<>"'“”]*)?/gi;
const TRAILING = /[.,;:!?)\]}»"'…]+$/;

// Text with its web addresses as links: only http(s), opened in a new tab without an opener.
function linkified(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const before = text[match.index - 1] || '';
    if (before === '@' || before === '.' || before === '/' || /\w/.test(before)) continue;
    const found = match[0].replace(TRAILING, '');
    const href = /^https?:\/\//i.test(found) ? found : 'https://' + found;
    let url;
    try { url = new URL(href); } catch (e) { continue; }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') continue;
    fragment.append(text.slice(last, match.index));
    const a = document.createElement('a');
    a.href = url.href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    a.textContent = found;
    fragment.append(a);
    last = match.index + found.length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

function bubble(who) {
  const div = document.createElement('div');
  div.className = 'msg ' + who;
  log.appendChild(div);
  return div;
}

function showMine(text) {
  const div = bubble('me');
  div.textContent = text;
  return div;
}

function note(text) {
  const span = document.createElement('span');
  span.className = 'note';
  span.textContent = text;
  return span;
}

function showReply(reply) {
  const div = bubble('bot');
  div.append(linkified(reply.text || ''));
  if (reply.image_url) {
    const img = document.createElement('img');
    img.src = reply.image_url;
    img.alt = reply.text || '';
    div.appendChild(img);
  } else if (reply.images && reply.images.length) {
    const gallery = document.createElement('div');
    gallery.className = 'gallery';
    reply.images.forEach((url, index) => {
      const img = document.createElement('img');
      img.src = url;
      img.alt = (reply.text || '') + ' (' + (index + 1) + '/' + reply.images.length + ')';
      gallery.appendChild(img);
    });
    div.appendChild(gallery);
  } else if (reply.image_dropped) {
    div.appendChild(note(TEXT.imageNotKept));
  }
  if (reply.document) {
    const a = document.createElement('a');
    a.href = reply.document.url;
    a.download = reply.document.file_name;
    a.textContent = '📎 ' + reply.document.file_name;
    div.append(document.createElement('br'), a);
  } else if (reply.document_dropped) {
    div.appendChild(note(TEXT.fileNotKept));
  }
  if (reply.buttons && reply.buttons.length) {
    const box = document.createElement('div');
    box.className = 'buttons';
    for (const row of reply.buttons) {
      const line = document.createElement('div');
      line.className = 'row';
      for (const b of row) line.appendChild(actionButton(b.label, b.action));
      box.appendChild(line);
    }
    div.appendChild(box);
  }
  return div;
}

function actionButton(label, action) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.addEventListener('click', () => press(label, action));
  return button;
}

// Wait until the pictures in `element` are laid out (or failed), so that scrolling afterwards
// reaches the real end of the conversation.
function settled(element) {
  const pending = [...element.querySelectorAll('img')].filter((img) => !img.complete);
  if (!pending.length) return Promise.resolve();
  const loads = pending.map((img) => new Promise((done) => {
    img.addEventListener('load', done, { once: true });
    img.addEventListener('error', done, { once: true });
  }));
  return Promise.race([Promise.all(loads), new Promise((done) => setTimeout(done, IMAGE_WAIT_MS))]);
}

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
}

function nearEnd() {
  return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
}

// While the person is at the end of the conversation, keep them there when the visible part of
// the log changes size (keyboard, toolbars, the flow notice or a hint appearing).
let stuck = true;
log.addEventListener('scroll', () => { stuck = nearEnd(); }, { passive: true });
new ResizeObserver(() => { if (stuck) scrollToEnd(); }).observe(log);

// Show replies, then scroll once everything (text, buttons, pictures) is in place: the last
// reply's buttons end up inside the visible area.
async function showReplies(replies, keep = true) {
  for (const reply of replies) {
    showReply(reply);
    if (keep) remember({ who: 'bot', reply: keptReply(reply) });
  }
  scrollToEnd();
  await settled(log);
  scrollToEnd();
}

let typing = null;

function setBusy(on) {
  busy = on;
  sendButton.disabled = on;
  if (on && !typing) {
    typing = bubble('bot typing');
    typing.textContent = TEXT.typing;
    scrollToEnd();
  } else if (!on && typing) {
    typing.remove();
    typing = null;
  }
  if (!on) showHint('');
}

function showHint(text) {
  hint.textContent = text;
  hint.hidden = !text;
}

function focusInput() {
  // On touch screens focusing would pop up the keyboard over the buttons just pressed.
  if (!touchFirst) input.focus({ preventScroll: true });
}

// ---------- the API ----------

class SendError extends Error {}

function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function newSession() {
  let res;
  try {
    res = await fetch('/api/chat/sessions', { method: 'POST' });
  } catch (e) { throw new SendError(TEXT.offline); }
  if (!res.ok) throw new SendError(await problem(res));
  renewed = token !== null;
  token = (await res.json()).session;
  writeStore(STORE.token, token);
}

async function problem(res) {
  try {
    const body = await res.json();
    if (typeof body.detail === 'string') return body.detail;
  } catch (e) { /* not JSON */ }
  return TEXT.failed;
}

async function api(method, path, body) {
  if (!token) await newSession();
  const call = () => fetch(path, {
    method,
    headers: Object.assign({ Authorization: 'Bearer ' + token }, body ? { 'Content-Type': 'application/json' } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  let res;
  try {
    res = await call();
    if (res.status === 401) { // the session expired: open a new one and try once more
      await newSession();
      res = await call();
    }
  } catch (e) {
    if (e instanceof SendError) throw e;
    throw new SendError(TEXT.offline);
  }
  if (!res.ok) throw new SendError(await problem(res));
  return res.json();
}

// Send one message. `shown` is its bubble (none for the page's own /start or /menu). The body
// carries a client_id: "Gửi lại" repeats it, so a message whose answer was lost is not handled
// twice by the server.
async function deliver(body, shown, retried = false) {
  setBusy(true);
  log.setAttribute('aria-busy', 'true');
  try {
    const data = await api('POST', '/api/chat/messages', body);
    if (shown) remember({ who: 'me', text: shown.textContent });
    hideFlow();
    setBusy(false);
    await showReplies(data.replies);
    // A retry of a message the server had already handled may come back without its replies:
    // then say where the conversation stands.
    if (retried && !data.replies.length) await showState();
  } catch (e) {
    setBusy(false);
    failed(body, shown, e instanceof SendError ? e.message : TEXT.failed);
  } finally {
    log.setAttribute('aria-busy', 'false'); // the conversation is complete and scrolled
  }
}

function failed(body, shown, reason) {
  const target = shown || bubble('bot');
  target.classList.add('failed');
  const box = document.createElement('div');
  box.className = 'error';
  box.setAttribute('role', 'alert');
  const message = document.createElement('span');
  message.textContent = reason;
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.textContent = TEXT.retry;
  retry.addEventListener('click', () => {
    if (busy) { showHint(TEXT.wait); return; }
    box.remove();
    target.classList.remove('failed');
    if (body.text !== undefined && input.value === body.text) { input.value = ''; saveDraft(); }
    if (!shown) target.remove();
    deliver(body, shown, true);
  });
  box.append(message, retry);
  target.appendChild(box);
  // What the person typed is kept: in its bubble, and back in the box if the box is empty.
  if (body.text !== undefined && shown && !input.value) { input.value = body.text; saveDraft(); }
  scrollToEnd();
}

function dropFailed() {
  for (const element of log.querySelectorAll('.msg.failed')) element.remove();
}

function press(label, action) {
  if (busy) { showHint(TEXT.wait); return; }
  dropFailed();
  deliver({ action, client_id: newId() }, showMine(label));
  focusInput();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  if (busy) { showHint(TEXT.wait); return; } // no double sends: the text stays in the box
  dropFailed();
  input.value = '';
  saveDraft();
  deliver({ text, client_id: newId() }, showMine(text));
  input.focus();
});

function saveDraft() {
  writeStore(STORE.draft, input.value || null);
}
input.addEventListener('input', saveDraft);

// ---------- the open flow ----------

function showFlow(flow) {
  flowBox.replaceChildren();
  const p = document.createElement('p');
  p.textContent = flow.notice;
  flowBox.appendChild(p);
  for (const b of flow.buttons) flowBox.appendChild(actionButton(b.label, b.action));
  flowBox.hidden = false;
}

function hideFlow() {
  flowBox.hidden = true;
  flowBox.replaceChildren();
}

// ---------- pushed messages ----------

function schedulePoll(delay) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, delay * (0.8 + Math.random() * 0.4));
}

async function poll() {
  clearTimeout(pollTimer);
  if (!token || document.hidden) return; // visibilitychange starts it again
  if (polling) return; // one poll at a time: two would both be handed what is not yet confirmed
  polling = true;
  let confirmSoon = false;
  try {
    // A pushed message stays waiting on the server until a poll names it in `seen`: a page
    // closed or reloaded before the answer arrived gets it again, and nothing is lost.
    const seen = encodeURIComponent(readStore(STORE.seen) || '');
    const res = await fetch('/api/chat/messages?seen=' + seen, { headers: { Authorization: 'Bearer ' + token } });
    if (res.ok) {
      pollDelay = POLL_MS;
      const data = await res.json();
      const shown = data.replies.length ? showReplies(data.replies) : null;
      // showReplies keeps every reply in the history before it returns: they can be confirmed.
      writeStore(STORE.seen, data.message_ids.join(',') || null);
      if (shown) {
        log.setAttribute('aria-busy', 'true');
        await shown;
        log.setAttribute('aria-busy', 'false');
      }
      confirmSoon = data.message_ids.length > 0;
    } else {
      // Busy (503) or refused: ask less often, at least as late as the server says.
      const after = Number(res.headers.get('Retry-After')) * 1000 || 0;
      pollDelay = Math.min(Math.max(pollDelay * 2, after), POLL_MAX_MS);
    }
  } catch (e) {
    pollDelay = Math.min(pollDelay * 2, POLL_MAX_MS);
  } finally {
    polling = false;
  }
  schedulePoll(confirmSoon ? CONFIRM_MS : pollDelay);
}

document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });

// ---------- the visible area ----------

// On phones the on-screen keyboard and the browser's toolbars change the visible height: the page
// takes exactly that height, so the input and the newest buttons stay in view.
function fitVisibleArea() {
  const viewport = window.visualViewport;
  if (!viewport) return;
  document.documentElement.style.setProperty('--visible-height', viewport.height + 'px');
  app.classList.add('fit');
  window.scrollTo(0, 0);
}

if (window.visualViewport) window.visualViewport.addEventListener('resize', fitVisibleArea);

document.getElementById('clear').addEventListener('click', () => {
  if (!window.confirm(TEXT.clearConfirm)) return;
  history = [];
  writeStore(STORE.history, null);
  for (const element of log.querySelectorAll('.msg:not(.typing)')) element.remove();
  focusInput();
});

// ---------- start ----------

async function restore() {
  log.setAttribute('aria-busy', 'true');
  for (const entry of history) {
    if (entry.who === 'me') showMine(entry.text);
    else if (entry.reply) showReply(entry.reply);
  }
  scrollToEnd();
  await settled(log);
  scrollToEnd();
}

async function start() {
  if (!token) {
    await deliver({ text: '/start', client_id: newId() }, null);
    return;
  }
  let state;
  try {
    state = await api('GET', '/api/chat/state');
  } catch (e) {
    failedStart(e instanceof SendError ? e.message : TEXT.notLoaded);
    return;
  }
  if (renewed) await deliver({ text: '/start', client_id: newId() }, null);
  else if (state.flow) showFlow(state.flow);
  else if (!history.length) await deliver({ text: '/menu', client_id: newId() }, null);
}

async function showState() {
  try {
    const state = await api('GET', '/api/chat/state');
    if (state.flow) showFlow(state.flow);
  } catch (e) { /* the next message will tell */ }
}

function failedStart(reason) {
  const target = bubble('bot failed');
  const box = document.createElement('div');
  box.className = 'error';
  box.setAttribute('role', 'alert');
  const message = document.createElement('span');
  message.textContent = reason;
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.textContent = TEXT.retry;
  retry.addEventListener('click', () => { target.remove(); start().then(() => poll()); });
  box.append(message, retry);
  target.appendChild(box);
  scrollToEnd();
}

fitVisibleArea();
input.value = readStore(STORE.draft) || '';
input.focus();
restore().then(start).finally(() => { log.setAttribute('aria-busy', 'false'); poll(); });
