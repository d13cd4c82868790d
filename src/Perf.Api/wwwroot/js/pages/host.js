// One host: any of its series over 1h, 24h, 7d or a custom range, zoomable, with the detectors' findings over it
// (anomaly markers, change-point lines, the ensemble score band), a trend line, and the optimizer's recommendations.
// The stream appends each new value while the range ends now.
import { api, follow, ApiError } from '../api.js';
import { seriesChart, theilSen } from '../charts.js';
import { h, number, time, seconds, message } from '../format.js';
import { setLive } from '../live.js';

const ranges = { '1h': 3600, '24h': 86400, '7d': 604800 };
const markerKinds = new Set(['spike', 'anomaly', 'host_anomaly']);

export async function render(main, host) {
  const view = await api(`/api/v1/hosts/${encodeURIComponent(host)}`);
  const metrics = view.series.map(s => s.metric);
  const state = { metric: metrics.includes('cpu.usage') ? 'cpu.usage' : metrics[0], range: '1h', from: null, to: null };
  let chart = null;
  let loads = 0; // only the latest load draws: an earlier one finishing last would put the wrong range on screen

  const select = h('select', { id: 'metric', 'aria-label': 'Series' }, metrics.map(m => h('option', { value: m, selected: m === state.metric }, m)));
  select.addEventListener('change', () => { state.metric = select.value; load(); });
  const rangeButtons = Object.keys(ranges).map(name =>
    h('button', { dataset: { range: name }, onclick: () => { state.range = name; load(); } }, name));
  const from = h('input', { type: 'datetime-local', id: 'from', 'aria-label': 'From' });
  const to = h('input', { type: 'datetime-local', id: 'to', 'aria-label': 'To' });
  const custom = h('button', { dataset: { range: 'custom' }, onclick: () => {
    if (!from.value || !to.value) return;
    state.range = 'custom'; state.from = new Date(from.value); state.to = new Date(to.value); load();
  } }, 'Apply');
  const chartBox = h('div', { class: 'chart', id: 'series-chart' });
  const status = h('p', { class: 'muted legend-note' });
  const findings = h('tbody');
  const recommendations = h('div', { id: 'recommendations' });

  main.append(
    h('h1', {}, h('a', { href: '#/' }, 'Overview'), ' / ', host),
    h('div', { class: 'panel' },
      h('div', { class: 'row' }, select, ...rangeButtons, h('span', { class: 'muted' }, 'or'), from, to, custom),
      chartBox,
      status),
    h('div', { class: 'grid2' },
      h('div', { class: 'panel' }, h('h2', {}, 'Findings in range'),
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'Detector'), h('th', {}, 'Kind'), h('th', {}, 'Value'))), findings)),
      h('div', { class: 'panel' }, h('h2', {}, 'Recommendations'), recommendations)));

  async function load() {
    const mine = ++loads;
    for (const b of rangeButtons.concat(custom)) b.classList.toggle('selected', b.dataset.range === state.range);
    const end = state.range === 'custom' ? state.to : new Date();
    const start = state.range === 'custom' ? state.from : new Date(end.getTime() - ranges[state.range] * 1000);
    const stepSeconds = Math.max(1, Math.round((end - start) / 1000 / 600));
    const step = seconds(stepSeconds);
    const query = `start=${start.toISOString()}&end=${end.toISOString()}&step=${step}`;
    const path = `/api/v1/series/${encodeURIComponent(host)}/${encodeURIComponent(state.metric)}`;
    status.textContent = 'Loading…';
    try {
      const [series, found, scores] = await Promise.all([
        api(`${path}?${query}`),
        api(`${path}/anomalies?start=${start.toISOString()}&end=${end.toISOString()}`),
        api(`${path}/scores?${query}`).catch(e => (e instanceof ApiError && e.status === 404 ? { points: [] } : Promise.reject(e))),
      ]);
      if (mine !== loads) return;
      const times = series.points.map(p => Date.parse(p.timestamp) / 1000);
      const values = series.points.map(p => p.value);
      const anomalies = found.anomalies.filter(a => markerKinds.has(a.kind)).map(a => ({ t: Date.parse(a.timestamp) / 1000, v: a.value }));
      const changePoints = [...new Set(found.anomalies.filter(a => a.kind === 'changepoint').map(a => Date.parse(a.timestamp) / 1000))];
      chart?.destroy();
      chart = seriesChart(chartBox, {
        metric: state.metric, times, values, trend: theilSen(times, values),
        scoreTimes: scores.points.map(p => Date.parse(p.timestamp) / 1000), scores: scores.points.map(p => p.score),
        anomalies, changePoints,
      });
      chart.metric = state.metric;
      chart.range = state.range;
      chart.step = stepSeconds;
      status.textContent = `${values.length} points (step ${series.step ?? 'raw'}), ${anomalies.length} anomalies, ${changePoints.length} change points. ` +
        'Red dots: anomalies; purple dashes: change points; red band: ensemble score (0-1, right axis, replayed over the range); ' +
        'grey dashes: Theil-Sen trend. Drag to zoom, double-click to reset. The table lists the latest 50 findings.';
      findings.replaceChildren(...found.anomalies.slice(-50).reverse().map(a =>
        h('tr', {}, h('td', {}, time(a.timestamp)), h('td', {}, a.detector), h('td', {}, a.kind), h('td', { class: 'num' }, number(a.value, 2)))));
    } catch (error) {
      if (mine === loads) status.textContent = message(error);
    }
  }

  async function loadRecommendations() {
    const answer = await api(`/api/v1/recommendations?host=${encodeURIComponent(host)}`);
    const mine = answer.recommendations.filter(r => r.host === host);
    recommendations.replaceChildren(mine.length === 0
      ? h('p', { class: 'muted' }, 'The optimizer has nothing to recommend for this host now.')
      : h('ul', {}, mine.map(r => h('li', {}, h('strong', {}, r.action), ` (${r.kind}): ${r.reason}`))));
  }

  await Promise.all([load(), loadRecommendations().catch(e => recommendations.replaceChildren(h('p', { class: 'error' }, message(e))))]);

  const stop = follow(`/api/v1/dashboard/stream?host=${encodeURIComponent(host)}`, (event, data) => {
    // Live points go on the chart only while it shows the latest load of a range that ends now.
    if (event !== 'host' || state.range === 'custom' || !chart || chart.metric !== state.metric || chart.range !== state.range) return;
    const latest = data.series.find(s => s.metric === state.metric);
    if (latest) chart.append(Date.parse(latest.timestamp) / 1000, latest.value, ranges[state.range], chart.step);
  }, { onState: setLive, onRefused: error => { status.textContent = message(error); } });
  return () => { stop(); chart?.destroy(); };
}
