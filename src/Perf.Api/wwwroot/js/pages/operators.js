// Operators: the cluster's members with their roles, status and shard distribution (GET /api/v1/cluster), and this
// node's ingestion rate and journal write latency from its Prometheus metrics (GET /metrics), charted live: each
// tick of the dashboard stream (?tick=true) refreshes both.
import { api, follow } from '../api.js';
import { liveChart } from '../charts.js';
import { h, number, message } from '../format.js';
import { setLive } from '../live.js';

export async function render(main) {
  const members = h('tbody');
  const shards = h('div', { id: 'shards' });
  const figures = h('p', { class: 'muted', id: 'node-figures' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const rateBox = h('div', { id: 'ingest-chart' });
  const latencyBox = h('div', { id: 'journal-chart' });
  main.append(
    h('h1', {}, 'Operators'),
    problem,
    h('div', { class: 'panel' },
      h('h2', {}, 'Cluster members'),
      h('table', { id: 'members' },
        h('thead', {}, h('tr', {}, ['Address', 'Roles', 'Status', 'Reachable', 'Leader', 'Series shards', 'Series entities', 'Host entities'].map(t => h('th', {}, t)))),
        members),
      h('h2', {}, 'Series entities per member'),
      shards),
    h('div', { class: 'grid2' },
      h('div', { class: 'panel' }, h('h2', {}, 'Ingestion rate (this node)'), rateBox),
      h('div', { class: 'panel' }, h('h2', {}, 'Journal write latency (this node)'), latencyBox)),
    figures);

  const rate = liveChart(rateBox, ['points/s'], { units: 'points/s' });
  const latency = liveChart(latencyBox, ['mean ms', 'p99 ms'], { units: 'ms' });
  let previous = null;
  let refreshing = false;

  async function refresh() {
    if (refreshing) return; // a slow answer is not overtaken by the next tick's
    refreshing = true;
    try {
      const [cluster, metricsText] = await Promise.all([
        api('/api/v1/cluster'),
        api('/metrics', { raw: true }).then(r => r.text()),
      ]);
      drawMembers(cluster);
      const now = Date.now() / 1000;
      const sample = readMetrics(metricsText);
      if (previous) {
        const seconds = now - previous.t;
        const count = sample.journalCount - previous.sample.journalCount;
        rate.push(now, [Math.max(0, (sample.ingested - previous.sample.ingested) / seconds)]);
        latency.push(now, [count > 0 ? (sample.journalSum - previous.sample.journalSum) / count : null,
          quantile(sample.journalBuckets, previous.sample.journalBuckets, 0.99)]);
      }
      previous = { t: now, sample };
      figures.textContent = `Points ingested by this node: ${number(sample.ingested, 2)}; active series: ${number(sample.activeSeries, 0)}; ` +
        `resident memory: ${number(sample.rss, 1)}B.`;
      problem.textContent = '';
    } catch (error) {
      problem.textContent = message(error);
    } finally {
      refreshing = false;
    }
  }

  function drawMembers(cluster) {
    members.replaceChildren(...cluster.members.map(m => h('tr', { dataset: { address: m.address, status: m.status } },
      h('td', {}, m.address, m.self ? h('span', { class: 'muted' }, ' (this node)') : null),
      h('td', {}, m.roles.join(', ')),
      h('td', {}, h('span', { class: `badge ${m.status === 'up' ? 'ok' : 'warning'}` }, m.status)),
      h('td', {}, m.reachable ? 'yes' : h('span', { class: 'badge critical' }, 'unreachable')),
      h('td', {}, m.leader ? 'yes' : ''),
      h('td', { class: 'num' }, String(m.series?.shards ?? 0)),
      h('td', { class: 'num' }, String(m.series?.entities ?? 0)),
      h('td', { class: 'num' }, String(m.hosts?.entities ?? 0)))));
    const total = cluster.members.reduce((sum, m) => sum + (m.series?.entities ?? 0), 0) || 1;
    shards.replaceChildren(...cluster.members.filter(m => m.roles.includes('worker')).map(m => {
      const bar = h('div', { class: 'bar' });
      bar.style.width = `${Math.round(100 * (m.series?.entities ?? 0) / total)}%`;
      return h('div', { class: 'shard', dataset: { address: m.address } }, h('span', { class: 'muted' }, `${m.address}: ${m.series?.entities ?? 0}`), bar);
    }));
  }

  await refresh();
  const stop = follow('/api/v1/dashboard/stream?tick=true', event => { if (event === 'tick') refresh(); }, { onState: setLive });
  return () => { stop(); rate.destroy(); latency.destroy(); };
}

/** The few figures the page charts, from the Prometheus text format. */
function readMetrics(text) {
  const sample = { ingested: 0, journalSum: 0, journalCount: 0, journalBuckets: new Map(), activeSeries: 0, rss: 0 };
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, labels = '', raw] = match;
    const value = Number(raw);
    if (name === 'perf_points_ingested_total') sample.ingested += value;
    else if (name === 'perf_journal_write_duration_milliseconds_sum') sample.journalSum += value;
    else if (name === 'perf_journal_write_duration_milliseconds_count') sample.journalCount += value;
    else if (name === 'perf_journal_write_duration_milliseconds_bucket') {
      const le = /le="([^"]+)"/.exec(labels)?.[1];
      if (le) sample.journalBuckets.set(le, (sample.journalBuckets.get(le) ?? 0) + value);
    }
    else if (name === 'perf_series_active') sample.activeSeries += value;
    else if (name === 'perf_process_resident_memory_bytes') sample.rss = value;
  }
  return sample;
}

/** The q-quantile of the writes between two scrapes, as Prometheus' histogram_quantile estimates it (upper bucket bound). */
function quantile(now, before, q) {
  const bounds = [...now.keys()].map(le => ({ le, bound: le === '+Inf' ? Infinity : Number(le) })).sort((a, b) => a.bound - b.bound);
  const counts = bounds.map(({ le }) => (now.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts[counts.length - 1];
  if (!total) return null;
  const index = counts.findIndex(c => c >= q * total);
  const bound = bounds[index]?.bound;
  return Number.isFinite(bound) ? bound : bounds[bounds.length - 2]?.bound ?? null;
}
