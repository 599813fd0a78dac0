// Formatting shared by the pages: every number with its unit, every time local with UTC on hover.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML. Every value from the API goes through this before it reaches innerHTML. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const LOCAL = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit',
});
const DAY = new Intl.DateTimeFormat(undefined, { month: 'short', day: '2-digit' });

/** A <time> in the viewer's zone, its UTC value in the title. */
export function time(millis) {
  if (millis === null || millis === undefined) return '<span class="muted">–</span>';
  const d = new Date(millis);
  const utc = d.toISOString().replace('.000Z', 'Z');
  return `<time datetime="${utc}" title="UTC ${utc}">${esc(LOCAL.format(d))}</time>`;
}

/** A day label in the viewer's zone (for chart axes). */
export function day(millis) {
  return DAY.format(new Date(millis));
}

/** "in 3 d", "2 h ago": for expiries and state ages. */
export function relative(millis, now = Date.now()) {
  const diff = millis - now;
  const abs = Math.abs(diff);
  const units = [['d', 86400000], ['h', 3600000], ['min', 60000], ['s', 1000]];
  for (const [unit, size] of units) {
    if (abs >= size || unit === 's') {
      const n = Math.round(abs / size);
      return diff >= 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
    }
  }
  return '';
}

/** Milliseconds with a unit fit for the size: 850 ms, 12.3 s, 4.1 min. */
export function ms(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (value === 0) return '0 ms';
  if (value < 1) return `${value.toFixed(2)} ms`;
  if (value < 1000) return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
  if (value < 60000) return `${(value / 1000).toFixed(value < 10000 ? 2 : 1)} s`;
  return `${(value / 60000).toFixed(1)} min`;
}

/** A share in [0,1] as a percentage. */
export function pct(value) {
  if (value === null || value === undefined) return '–';
  return `${(value * 100).toFixed(value < 0.1 ? 1 : 0)} %`;
}

/** A score in [0,1] with three decimals. */
export function score(value) {
  return value === null || value === undefined ? '–' : value.toFixed(3);
}

export function count(value) {
  return value === null || value === undefined ? '–' : Number(value).toLocaleString();
}

/** A state as a badge. */
export function state(value) {
  const s = (value || 'unknown').toLowerCase();
  return `<span class="badge state-${esc(s)}">${esc(s)}</span>`;
}
