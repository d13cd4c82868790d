// Alerts: every alert's current state, filtered by state, severity and host, with acknowledge and silence buttons,
// and the live feed of transitions from the alert stream (GET /api/v1/alerts/stream), newest first.
import { api, follow } from '../api.js';
import { h, number, time, message } from '../format.js';
import { setLive } from '../live.js';

const states = ['', 'firing', 'pending', 'flapping', 'resolved', 'inactive', 'silenced'];

export async function render(main) {
  const listed = await api('/api/v1/alerts');
  const alerts = new Map(listed.alerts.map(a => [a.id, a]));
  const filter = {
    state: h('select', { id: 'filter-state', 'aria-label': 'State' }, states.map(s => h('option', { value: s }, s || 'any state'))),
    severity: h('select', { id: 'filter-severity', 'aria-label': 'Severity' }, ['', 'critical', 'warning'].map(s => h('option', { value: s }, s || 'any severity'))),
    host: h('input', { id: 'filter-host', placeholder: 'host (e.g. web-*)', 'aria-label': 'Host' }),
  };
  Object.values(filter).forEach(input => input.addEventListener('input', draw));
  const body = h('tbody');
  const feed = h('ul', { class: 'feed', id: 'feed' });
  const problem = h('p', { class: 'error', role: 'alert' });

  main.append(
    h('h1', {}, 'Alerts'),
    h('div', { class: 'panel' },
      h('h2', {}, 'Live feed'),
      feed,
      h('p', { class: 'muted legend-note' }, 'Each transition appears here as it is stored, without a reload.')),
    h('div', { class: 'panel' },
      h('div', { class: 'row' }, filter.state, filter.severity, filter.host),
      problem,
      h('table', { id: 'alerts' },
        h('thead', {}, h('tr', {}, ['State', 'Severity', 'Host', 'Metric', 'Value', 'Threshold', 'Since', 'Acknowledged', ''].map(t => h('th', {}, t)))),
        body)));

  function matches(alert) {
    const hostPattern = filter.host.value.trim();
    const hostRegex = hostPattern && new RegExp('^' + hostPattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
    return (!filter.state.value || alert.state === filter.state.value)
      && (!filter.severity.value || alert.severity === filter.severity.value)
      && (!hostRegex || hostRegex.test(alert.host));
  }

  function draw() {
    const shown = [...alerts.values()].filter(matches).sort((a, b) => (b.last_event_id ?? 0) - (a.last_event_id ?? 0));
    body.replaceChildren(...shown.map(alert => h('tr', { dataset: { alert: alert.id, state: alert.state } },
      h('td', {}, h('span', { class: `badge ${alert.state}` }, alert.state)),
      h('td', {}, h('span', { class: `badge ${alert.severity}` }, alert.severity)),
      h('td', {}, h('a', { href: `#/hosts/${encodeURIComponent(alert.host)}` }, alert.host)),
      h('td', {}, alert.metric),
      h('td', { class: 'num' }, number(alert.value, 2)),
      h('td', { class: 'num' }, number(alert.threshold, 2)),
      h('td', {}, time(alert.started_at)),
      h('td', { class: 'acknowledged' }, alert.acknowledged ? `by ${alert.acknowledged.by || 'someone'}` : '–'),
      h('td', {},
        h('button', { class: 'ack', disabled: Boolean(alert.acknowledged), onclick: () => acknowledge(alert) }, 'Acknowledge'), ' ',
        h('button', { class: 'silence', onclick: () => silence(alert) }, 'Silence 1h')))));
    if (shown.length === 0) body.append(h('tr', {}, h('td', { colspan: 9, class: 'muted' }, 'No alert matches.')));
  }

  async function acknowledge(alert) {
    problem.textContent = '';
    try {
      await api(`/api/v1/alerts/${encodeURIComponent(alert.id)}/ack`, { method: 'POST', body: { comment: 'acknowledged from the dashboard' } });
      await refresh();
    } catch (error) { problem.textContent = message(error); }
  }

  async function silence(alert) {
    problem.textContent = '';
    try {
      await api('/api/v1/silences', { method: 'POST', body: { matchers: { host: alert.host, metric: alert.metric }, duration: '1h', comment: `silenced from the dashboard (${alert.id})` } });
      await refresh();
    } catch (error) { problem.textContent = message(error); }
  }

  async function refresh() {
    const answer = await api('/api/v1/alerts');
    for (const alert of answer.alerts) alerts.set(alert.id, alert);
    draw();
  }

  draw();
  const lastSeen = Math.max(0, ...listed.alerts.map(a => a.last_event_id ?? 0));
  return follow('/api/v1/alerts/stream', (event, transition) => {
    if (event !== 'alert') return;
    feed.prepend(h('li', { class: 'new', dataset: { alert: transition.alert_id, to: transition.to } },
      h('span', { class: `badge ${transition.to}` }, transition.to), ' ',
      h('strong', {}, `${transition.host} ${transition.metric}`), ` ${transition.rule_name}: ${number(transition.value, 2)} `,
      h('span', { class: 'muted' }, `(${transition.severity}, ${time(transition.timestamp)})`)));
    while (feed.children.length > 200) feed.lastChild.remove();
    // The list's row follows the transition at once; acknowledgements and silences come with the next refresh.
    const known = alerts.get(transition.alert_id);
    alerts.set(transition.alert_id, {
      ...(known ?? { started_at: transition.timestamp, acknowledged: null }),
      id: transition.alert_id, host: transition.host, metric: transition.metric, severity: transition.severity,
      // A silence still covers a live alert that moves on (pending to firing); the list's next refresh says when it ends.
      state: known?.state === 'silenced' && ['pending', 'firing', 'flapping'].includes(transition.to) ? 'silenced' : transition.to,
      value: transition.value, threshold: transition.threshold, last_event_id: transition.id,
    });
    draw();
  }, { lastEventId: lastSeen, onState: setLive });
}
