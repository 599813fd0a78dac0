// The router: #/flaky, #/test/<id>, #/durations, #/instances. Asks for a token on 401, retries a 503.
import { api, token, setToken, forgetToken, ApiError } from './api.js';
import { esc } from './format.js';
import { flakyPage, testPage, durationsPage, instancesPage } from './pages.js';

const main = document.getElementById('main');
const tokenPanel = document.getElementById('token-panel');
const tokenWhy = document.getElementById('token-why');
const whoBox = document.getElementById('who');
let who = null;
let current = null; // { controller, leave: [] } of the page shown
let retryTimer = null;

function askForToken(message) {
  tokenPanel.hidden = false;
  if (message) tokenWhy.textContent = message;
  main.innerHTML = '<p class="muted">Enter a token above to see this page.</p>';
  main.dataset.state = 'token';
  document.title = 'Token needed · testpulse';
  document.getElementById('token').focus();
}

async function loadWho() {
  who = await api('/api/v1/whoami');
  whoBox.innerHTML = `${esc(who.tenant)} · ${esc(who.role)} <button type="button" id="forget">Forget token</button>`;
  document.getElementById('forget').addEventListener('click', () => {
    forgetToken();
    who = null;
    whoBox.textContent = '';
    leave();
    askForToken('Token forgotten. Enter a token to continue.');
  });
}

function leave() {
  clearTimeout(retryTimer);
  if (current) {
    current.controller.abort();
    current.leave.forEach((fn) => fn());
  }
  current = null;
}

function report(error) {
  if (error.name === 'AbortError') return;
  if (error instanceof ApiError && error.status === 401) {
    forgetToken();
    askForToken('testpulse refused this token (401: missing or unknown). Enter a read or admin token of your tenant.');
    return;
  }
  if (error instanceof ApiError && (error.status === 503 || error.status === 429)) {
    const seconds = error.retryAfter || 5;
    main.innerHTML = `<p class="warn" role="status">${error.status === 503
      ? 'The store is restoring or rebalancing (503), so testpulse cannot answer yet.'
      : 'Too many requests for your tenant right now (429).'} Retrying in ${seconds} s…</p>
      <p class="muted">${esc(error.detail || '')}</p>`;
    main.dataset.state = 'retrying';
    retryTimer = setTimeout(route, seconds * 1000);
    return;
  }
  const what = error instanceof ApiError
    ? (error.status === 404 ? 'Not found (404): this test or suite is unknown to your tenant.'
      : error.status === 403 ? `Forbidden (403): ${error.detail}`
        : error.status === 0 ? error.message : `testpulse answered ${error.status}: ${error.detail}`)
    : `Unexpected problem: ${error.message}`;
  main.innerHTML = `<p class="error" role="alert">${esc(what)}</p><p><a href="#/flaky">Back to the flaky tests</a></p>`;
  main.dataset.state = 'error';
}

async function route() {
  leave();
  const hash = window.location.hash.replace(/^#/, '') || '/flaky';
  const [path, search] = hash.split('?');
  const params = new URLSearchParams(search || '');
  const parts = path.split('/').filter(Boolean);
  document.querySelectorAll('[data-nav]').forEach((a) => {
    if (a.dataset.nav === parts[0]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  if (!token()) {
    askForToken();
    return;
  }
  tokenPanel.hidden = true;
  const page = { controller: new AbortController(), leave: [] };
  current = page;
  const ctx = {
    main,
    params,
    who,
    signal: page.controller.signal,
    setTitle: (title) => { document.title = `${title} · testpulse`; },
    onLeave: (fn) => page.leave.push(fn),
    rerender: () => route(),
    report,
  };
  main.dataset.state = 'loading';
  delete main.dataset.live;
  try {
    if (!who) await loadWho();
    ctx.who = who;
    if (parts[0] === 'test' && parts[1]) await testPage(ctx, parts[1]);
    else if (parts[0] === 'durations') await durationsPage(ctx);
    else if (parts[0] === 'instances') await instancesPage(ctx);
    else await flakyPage(ctx);
    if (current === page) main.dataset.state = 'ready';
  } catch (e) {
    if (current === page) report(e);
  }
}

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('token');
  setToken(input.value.trim());
  input.value = '';
  who = null;
  route();
});
window.addEventListener('hashchange', route);
route();
