// Small SVG charts (no library): a line chart with one marker per point, and grouped bars.
// Markers carry data attributes, so a person hovering and a browser test counting see the same points.
import { esc, ms, day } from './format.js';

const COLORS = { p50: '#2f6fdf', p95: '#e08a00', p99: '#c0392b' };
const W = 640;
const H = 240;
const PAD = { left: 64, right: 32, top: 16, bottom: 36 };

function niceMax(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

function legend(names) {
  return `<ul class="legend">${names.map((n) => `<li><span class="swatch swatch-${esc(n)}"></span>${esc(n)}</li>`).join('')}</ul>`;
}

/**
 * A line per series over time. points: [{x: epoch millis (bucket start), values: {p50, p95, p99}}],
 * sorted by x. Returns the HTML of a <figure>.
 */
export function lineChart(points, { title, names = ['p50', 'p95', 'p99'] }) {
  const max = niceMax(Math.max(...points.flatMap((p) => names.map((n) => p.values[n] || 0))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const xs = points.map((p, i) => PAD.left + (points.length === 1 ? plotW / 2 : (i * plotW) / (points.length - 1)));
  const y = (v) => PAD.top + plotH - (v / max) * plotH;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const gy = y(max * f);
    return `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${gy}" y2="${gy}"/>`
      + `<text class="axis" x="${PAD.left - 6}" y="${gy + 4}" text-anchor="end">${esc(ms(max * f))}</text>`;
  }).join('');
  const step = Math.max(1, Math.ceil(points.length / 8));
  const xLabels = points.map((p, i) => (i % step === 0
    ? `<text class="axis" x="${xs[i]}" y="${H - 12}" text-anchor="middle">${esc(day(p.x))}</text>` : '')).join('');
  const lines = names.map((n) => {
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${xs[i].toFixed(1)},${y(p.values[n] || 0).toFixed(1)}`).join(' ');
    const dots = points.map((p, i) => `<circle class="pt" data-series="${n}" data-x="${p.x}" cx="${xs[i].toFixed(1)}" `
      + `cy="${y(p.values[n] || 0).toFixed(1)}" r="3.5" fill="${COLORS[n]}"><title>${esc(n)} ${esc(day(p.x))}: `
      + `${esc(ms(p.values[n]))} (${p.count} runs)</title></circle>`).join('');
    return `<path class="line" d="${path}" stroke="${COLORS[n]}"/>${dots}`;
  }).join('');
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption>${legend(names)}`
    + `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${grid}${xLabels}${lines}</svg></figure>`;
}

/** Horizontal grouped bars: rows [{label, values: {p50, p95, p99}}]. */
export function barChart(rows, { title, names = ['p50', 'p95', 'p99'] }) {
  const max = niceMax(Math.max(...rows.flatMap((r) => names.map((n) => r.values[n] || 0))));
  const barH = 8;
  const rowH = names.length * barH + 14;
  const left = 230;
  const width = W - left - 70;
  const height = rows.length * rowH + 24;
  const body = rows.map((r, i) => {
    const top = 8 + i * rowH;
    const bars = names.map((n, j) => {
      const w = Math.max(1, ((r.values[n] || 0) / max) * width);
      return `<rect class="bar" data-series="${n}" x="${left}" y="${top + j * barH}" width="${w.toFixed(1)}" height="${barH - 1}" `
        + `fill="${COLORS[n]}"><title>${esc(r.label)} ${n}: ${esc(ms(r.values[n]))}</title></rect>`
        + (j === names.length - 1 ? `<text class="axis" x="${left + w + 4}" y="${top + j * barH + 7}">${esc(ms(r.values[n]))}</text>` : '');
    }).join('');
    return `<text class="axis" x="${left - 6}" y="${top + (names.length * barH) / 2 + 4}" text-anchor="end">${esc(r.label.length > 34 ? `${r.label.slice(0, 33)}…` : r.label)}</text>${bars}`;
  }).join('');
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption>${legend(names)}`
    + `<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(title)}">${body}</svg></figure>`;
}
