// Overview: every host with its current cpu, memory, disk and network figures, a sparkline of the last hour each,
// its health colour and its active alerts. The stream updates the figures without a reload.
import { api, follow } from '../api.js';
import { sparkline } from '../charts.js';
import { h, number, ago } from '../format.js';
import { setLive } from '../live.js';

const labels = { 'cpu.usage': 'CPU %', 'memory.usage': 'Memory %', 'disk.usage': 'Disk %', 'network.bytes_in': 'Net in' };

export async function render(main) {
  const overview = await api('/api/v1/dashboard/overview');
  const body = h('tbody');
  const rows = new Map();
  main.append(
    h('h1', {}, 'Overview'),
    h('div', { class: 'panel' },
      h('table', { id: 'hosts' },
        h('thead', {}, h('tr', {},
          h('th', {}, 'Host'), h('th', {}, 'Health'),
          overview.metrics.map(m => h('th', {}, labels[m] ?? m)),
          h('th', {}, 'Active alerts'), h('th', {}, 'Last seen'))),
        body),
      overview.hosts.length === 0 ? h('p', { class: 'muted' }, 'No host has sent metrics yet.') : null));

  for (const host of overview.hosts) {
    const row = hostRow(host, overview.metrics);
    rows.set(host.host, row);
    body.append(row.element);
  }

  const stop = follow('/api/v1/dashboard/stream', (event, data) => {
    if (event !== 'overview') return;
    for (const host of data.hosts) {
      let row = rows.get(host.host);
      if (!row) {
        row = hostRow(host, data.metrics);
        rows.set(host.host, row);
        body.append(row.element);
      }
      row.update(host);
    }
  }, { onState: setLive });
  return stop;
}

function hostRow(host, metrics) {
  const health = h('span', { class: 'badge' });
  const alerts = h('td', { class: 'alerts' });
  const seen = h('td', { class: 'muted' });
  const cells = new Map();
  const tds = metrics.map(metric => {
    const value = h('span', { class: 'value' });
    const canvas = h('canvas', { class: 'spark', width: 120, height: 28 });
    // One point per minute, as the overview's sparklines come: a live value replaces its minute's point or starts the next.
    const history = { times: [...(host.sparklines?.[metric]?.[0] ?? [])], values: [...(host.sparklines?.[metric]?.[1] ?? [])] };
    sparkline(canvas, history.values);
    cells.set(metric, { value, canvas, history });
    return h('td', { dataset: { metric } }, value, canvas);
  });
  const element = h('tr', { dataset: { host: host.host } },
    h('td', {}, h('a', { href: `#/hosts/${encodeURIComponent(host.host)}` }, h('span', { class: 'dot' }), host.host)),
    h('td', {}, health), tds, alerts, seen);

  function update(current) {
    element.dataset.health = current.health;
    element.querySelector('.dot').className = `dot ${current.health}`;
    health.className = `badge ${current.health}`;
    health.textContent = current.health;
    for (const [metric, cell] of cells) {
      const figure = current.metrics[metric];
      cell.value.textContent = number(figure?.value);
      cell.value.dataset.value = figure ? String(figure.value) : '';
      if (figure && cell.value.dataset.timestamp !== figure.timestamp) {
        if (cell.value.dataset.timestamp) {
          const minute = Math.floor(Date.parse(figure.timestamp) / 60000) * 60000;
          const { times, values } = cell.history;
          if (times.length > 0 && times[times.length - 1] >= minute) values[values.length - 1] = figure.value;
          else { times.push(minute); values.push(figure.value); }
          while (times.length > 60) { times.shift(); values.shift(); }
          sparkline(cell.canvas, values);
        }
        cell.value.dataset.timestamp = figure.timestamp;
      }
    }
    alerts.replaceChildren(...current.active_alerts.map(a =>
      h('div', { class: 'active-alert' }, h('span', { class: `badge ${a.severity}` }, a.severity), ' ', a.metric, ' ', h('span', { class: 'muted' }, a.state))));
    if (current.active_alerts.length === 0) alerts.append(h('span', { class: 'muted' }, 'none'));
    seen.textContent = ago(current.last_seen);
  }
  update(host);
  return { element, update };
}
