// The engine's HTTP API as the pages use it: every request carries the signed-in key, problems become ApiError.
const KEY = 'perf.apiKey';

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  signIn(key) { sessionStorage.setItem(KEY, key); },
  signOut() { sessionStorage.removeItem(KEY); },
};

/** A problem+json answer: its status, detail and the field it names. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.field = problem?.field;
  }
}

function headers(extra = {}) {
  return { 'X-Api-Key': session.key ?? '', ...extra };
}

/** JSON in, JSON out; `raw` returns the Response (downloads). A 401 ends the session. */
export async function api(path, { method = 'GET', body, raw = false } = {}) {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    session.signOut();
    location.hash = '#/signin';
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

/**
 * Follows a Server-Sent Events endpoint. EventSource cannot send the key in a header, so the stream is read with
 * fetch; it reconnects after a drop, from the last id it saw (Last-Event-ID), as EventSource would.
 * Returns a function that stops it. `onState(true|false)` reports whether the stream is connected.
 */
export function follow(path, onEvent, { lastEventId = null, onState = () => {}, onRefused = () => {} } = {}) {
  const stop = new AbortController();
  let last = lastEventId;
  (async () => {
    while (!stop.signal.aborted) {
      try {
        const extra = { Accept: 'text/event-stream' };
        if (last !== null) extra['Last-Event-ID'] = String(last);
        const response = await fetch(path, { headers: headers(extra), signal: stop.signal });
        if (response.status === 401) { session.signOut(); location.hash = '#/signin'; return; }
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          // Refused for good (403: this key may not see it): retrying would not change the answer.
          onState(false);
          onRefused(new ApiError(response.status, await response.json().catch(() => null)));
          return;
        }
        if (!response.ok) throw new ApiError(response.status, null);
        onState(true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = parseFrame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (frame.id !== undefined) last = frame.id;
            if (frame.data === undefined) continue;
            // A page's handler failing on one event must not look like a dropped connection (the event would be skipped).
            try { onEvent(frame.event ?? 'message', JSON.parse(frame.data), frame.id); }
            catch (error) { console.error('handling', frame.event, error); }
          }
        }
      } catch (error) {
        if (stop.signal.aborted) return;
        console.warn('stream dropped', path, error);
      }
      onState(false);
      await new Promise(resolve => setTimeout(resolve, 2000));
    }
  })();
  return () => stop.abort();
}

function parseFrame(text) {
  const frame = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) continue; // comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') frame.data = frame.data === undefined ? value : frame.data + '\n' + value;
    else if (field === 'event' || field === 'id') frame[field] = value;
  }
  return frame;
}

/** Saves a response as a file the way a link with `download` would (the key cannot ride on a plain link). */
export async function download(path, fallbackName) {
  const response = await api(path, { raw: true });
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const raw = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  let name = fallbackName;
  try { if (raw) name = decodeURIComponent(raw); } catch { name = raw; }
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
