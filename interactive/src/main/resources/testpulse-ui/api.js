// The public JSON API, with the token the viewer entered (session storage, Authorization header only).

const TOKEN_KEY = 'testpulse.token';

/** The plugin's mount point: the page is served at <prefix>/ui/, the API at <prefix>/api/v1/. */
export const BASE = window.location.pathname.replace(/\/ui(\/.*)?$/, '');

export function token() {
  return window.sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  window.sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  window.sessionStorage.removeItem(TOKEN_KEY);
}

/** An answer that is not a 2xx: status, the problem's detail, and Retry-After seconds for a 503/429. */
export class ApiError extends Error {
  constructor(status, detail, retryAfter) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }
}

function headers(extra = {}) {
  const h = { Accept: 'application/json', ...extra };
  const t = token();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

/** Calls the API; resolves to the JSON body of a 2xx, rejects with an ApiError otherwise. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  if (!token()) throw new ApiError(401, 'no token yet');
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      signal,
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'testpulse cannot be reached; check that it is running');
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const retry = Number(response.headers.get('Retry-After')) || 5;
    throw new ApiError(response.status, json && json.detail ? json.detail : text.slice(0, 200), retry);
  }
  return json;
}

/**
 * The live transitions (Server-Sent Events) read with fetch, because EventSource cannot send the
 * Authorization header and the token must not go into a URL. Calls onEvent(name, data) per event,
 * onOpen() when the server said "ready", reconnects with Last-Event-ID after a drop. Returns stop().
 */
export function liveTransitions({ onEvent, onOpen, onClosed }) {
  const controller = new AbortController();
  let lastEventId = null;
  let stopped = false;

  async function connect() {
    while (!stopped) {
      try {
        const response = await fetch(`${BASE}/api/v1/transitions/stream`, {
          headers: headers(lastEventId ? { Accept: 'text/event-stream', 'Last-Event-ID': lastEventId }
            : { Accept: 'text/event-stream' }),
          signal: controller.signal,
          cache: 'no-store',
        });
        if (!response.ok) {
          const retry = Number(response.headers.get('Retry-After')) || 5;
          onClosed(new ApiError(response.status, `live stream refused (HTTP ${response.status})`, retry));
          if (response.status === 401 || response.status === 403) return;
          await wait(retry * 1000, controller.signal);
          continue;
        }
        await read(response.body.getReader());
        onClosed(null);
      } catch (e) {
        if (stopped || e.name === 'AbortError') return;
        onClosed(new ApiError(0, 'live stream interrupted; reconnecting'));
      }
      await wait(2000, controller.signal).catch(() => {});
    }
  }

  async function read(reader) {
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        dispatch(block);
      }
    }
  }

  function dispatch(block) {
    let name = 'message';
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') lastEventId = value;
    }
    if (data.length === 0) return;
    if (name === 'ready') {
      onOpen();
      return;
    }
    try {
      onEvent(name, JSON.parse(data.join('\n')));
    } catch (e) {
      // a malformed event is skipped; the next one still arrives
    }
  }

  connect();
  return () => {
    stopped = true;
    controller.abort();
  };
}

export function wait(millis, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, millis);
    if (signal) {
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new DOMException('aborted', 'AbortError'));
      }, { once: true });
    }
  });
}
