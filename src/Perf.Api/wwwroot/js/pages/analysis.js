// Analysis: runs POST /api/v1/performance/analyze for a host (trends, patterns, anomalies, correlations shown as a
// heat map), and generates reports (POST /api/v1/performance/reports), downloadable once done.
import { api, download } from '../api.js';
import { heatmap } from '../charts.js';
import { h, number, time, message } from '../format.js';

export async function render(main) {
  let left = false; // set when the user leaves the page: report polling stops
  const { hosts } = await api('/api/v1/hosts');
  const host = h('select', { id: 'analysis-host', 'aria-label': 'Host' }, hosts.map(x => h('option', { value: x }, x)));
  const metrics = h('input', { id: 'analysis-metrics', value: 'cpu_usage, memory_usage, disk_usage', size: 40, 'aria-label': 'Metrics' });
  const range = h('select', { id: 'analysis-range', 'aria-label': 'Time range' }, ['1h', '6h', '24h', '7d'].map(r => h('option', { value: r, selected: r === '24h' }, r)));
  const run = h('button', { class: 'primary', id: 'run-analysis' }, 'Analyze');
  const results = h('div', { id: 'analysis-results' });

  const reportType = h('select', { id: 'report-type', 'aria-label': 'Report type' },
    ['performance_summary', 'trend', 'anomaly', 'capacity'].map(t => h('option', { value: t }, t)));
  const reportFormat = h('select', { id: 'report-format', 'aria-label': 'Format' }, ['pdf', 'html', 'csv', 'json'].map(f => h('option', { value: f }, f)));
  const generate = h('button', { class: 'primary', id: 'generate-report' }, 'Generate report');
  const reports = h('ul', { id: 'reports' });

  main.append(
    h('h1', {}, 'Analysis'),
    h('div', { class: 'panel' }, h('div', { class: 'row' }, host, metrics, range, run), results),
    h('div', { class: 'panel' },
      h('h2', {}, 'Reports'),
      h('div', { class: 'row' }, reportType, reportFormat, h('span', { class: 'muted' }, 'over the metrics and range above, every host'), generate),
      reports));

  const names = () => metrics.value.split(',').map(m => m.trim()).filter(Boolean);

  run.addEventListener('click', async () => {
    run.disabled = true;
    results.replaceChildren(h('p', { class: 'muted' }, 'Analyzing…'));
    try {
      const answer = await api('/api/v1/performance/analyze', {
        method: 'POST',
        body: { analysis_type: 'full', host: host.value, metrics: names(), time_range: range.value,
          options: { detect_anomalies: true, identify_patterns: true, calculate_correlations: true } },
      });
      results.replaceChildren(...analysisView(answer));
    } catch (error) {
      results.replaceChildren(h('p', { class: 'error', role: 'alert' }, message(error)));
    } finally { run.disabled = false; }
  });

  generate.addEventListener('click', async () => {
    generate.disabled = true;
    const item = h('li', {}, 'Queued…');
    reports.prepend(item);
    try {
      let job = await api('/api/v1/performance/reports', {
        method: 'POST',
        body: { report_type: reportType.value, format: reportFormat.value, time_range: range.value, metrics: names(), include_graphs: true },
      });
      const id = job.id ?? job.report_id;
      const giveUpAt = Date.now() + 10 * 60 * 1000;
      while ((job.status === 'queued' || job.status === 'running') && !left) {
        if (Date.now() > giveUpAt) throw new Error(`report ${id} is still ${job.status} after 10 minutes; see GET /api/v1/reports/${id}`);
        item.textContent = `${id}: ${job.status}…`;
        await new Promise(resolve => setTimeout(resolve, 500));
        job = await api(`/api/v1/reports/${encodeURIComponent(id)}`);
      }
      if (left) return;
      if (job.status !== 'done') throw new Error(`report ${id} ${job.status}${job.error ? ': ' + job.error : ''}`);
      const name = `perf-${reportType.value}-${id}.${reportFormat.value}`;
      item.replaceChildren(`${reportType.value} (${reportFormat.value}) ready: `,
        h('button', { class: 'download', dataset: { report: id }, onclick: () => download(`/api/v1/reports/${encodeURIComponent(id)}/content`, name) }, 'Download'));
    } catch (error) {
      item.replaceChildren(h('span', { class: 'error' }, message(error)));
    } finally { generate.disabled = false; }
  });
  return () => { left = true; };
}

function analysisView(answer) {
  const trends = Object.entries(answer.trends ?? {});
  const rows = trends.map(([name, t]) => h('tr', {},
    h('td', {}, name), h('td', {}, t.trend), h('td', { class: 'num' }, number(t.slope_per_hour, 3)),
    h('td', { class: 'num' }, number(t.confidence, 2)), h('td', { class: 'num' }, String(t.anomalies?.length ?? 0)),
    h('td', {}, (t.patterns ?? []).map(p => `${p.type}${p.time ? ' ' + p.time : ''} (${number(p.confidence, 2)})`).join(', ') || '–')));
  const views = [
    h('h2', {}, `Trends, ${time(answer.start)} – ${time(answer.end)} (bucket ${answer.bucket})`),
    h('table', { id: 'trends' },
      h('thead', {}, h('tr', {}, ['Metric', 'Trend', 'Slope / hour', 'Confidence', 'Anomalies', 'Patterns'].map(t => h('th', {}, t)))),
      h('tbody', {}, rows)),
  ];
  const correlations = answer.correlations ?? [];
  if (correlations.length > 0) {
    const names = [...new Set(correlations.flatMap(c => c.metrics))];
    const lookup = (a, b) => a === b ? 1 : correlations.find(c => c.metrics.includes(a) && c.metrics.includes(b) && a !== b)?.correlation ?? null;
    const canvas = h('canvas', { class: 'heatmap', id: 'correlations' });
    heatmap(canvas, names, lookup);
    views.push(h('h2', {}, 'Correlations (Pearson)'), canvas);
  }
  const hostAnomalies = answer.host_anomalies?.anomalies ?? [];
  if (hostAnomalies.length > 0)
    views.push(h('h2', {}, 'Host anomalies'), h('ul', {}, hostAnomalies.map(a => h('li', {}, `${time(a.timestamp)}: most unusual ${a.most_unusual}`))));
  return views;
}
