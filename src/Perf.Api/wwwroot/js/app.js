// The dashboard's shell: sign-in, navigation between pages (#/..., one module each), and the live indicator.
import { session } from './api.js';
import { h, message } from './format.js';
import { hideLive } from './live.js';
import * as overview from './pages/overview.js';
import * as hostPage from './pages/host.js';
import * as alerts from './pages/alerts.js';
import * as analysis from './pages/analysis.js';
import * as operators from './pages/operators.js';

const routes = [
  { pattern: /^#\/?$/, page: overview, name: 'overview' },
  { pattern: /^#\/hosts\/([^/]+)$/, page: hostPage, name: 'overview' },
  { pattern: /^#\/alerts$/, page: alerts, name: 'alerts' },
  { pattern: /^#\/analysis$/, page: analysis, name: 'analysis' },
  { pattern: /^#\/operators$/, page: operators, name: 'operators' },
];

const main = document.getElementById('page');
let leave = () => {};

let shown = 0;

async function show() {
  leave();
  leave = () => {};
  hideLive();
  const signedIn = Boolean(session.key);
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('signout').hidden = !signedIn;
  if (!signedIn || location.hash === '#/signin') return signIn();
  const route = routes.find(r => r.pattern.test(location.hash || '#/'));
  if (!route) { location.hash = '#/'; return; }
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('active', link.dataset.page === route.name);
  const params = (location.hash.match(route.pattern) ?? []).slice(1).map(decodeURIComponent);
  // Each visit renders into its own container: a page still loading when the next one is shown fills a detached
  // element, and is stopped as soon as it is ready.
  const visit = ++shown;
  const container = h('div', { class: 'view' });
  main.replaceChildren(container);
  let stop = () => {};
  try {
    stop = (await route.page.render(container, ...params)) ?? stop;
  } catch (error) {
    container.append(h('p', { class: 'error', role: 'alert' }, message(error)));
  }
  if (visit === shown) leave = stop;
  else stop();
}

function signIn() {
  const input = h('input', { type: 'password', id: 'api-key', autocomplete: 'current-password', placeholder: 'perf_…', required: true });
  const problem = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'panel signin' },
    h('h1', {}, 'Sign in to Perf'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { class: 'primary', type: 'submit' }, 'Sign in'),
    problem,
    h('p', { class: 'muted' }, 'The key stays in this tab (session storage) and goes with each request as X-Api-Key.'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    // Checked with a plain fetch: api() would treat the 401 as a session that ended and show this form again.
    const answer = await fetch('/api/v1/hosts', { headers: { 'X-Api-Key': input.value.trim() } }).catch(error => error);
    if (!(answer instanceof Response) || !answer.ok) {
      problem.textContent = answer.status === 401 ? 'This key is not valid.'
        : answer.status === 403 ? 'This key may not read metrics (it needs the read role or above).'
        : `The engine did not answer (${answer.status ?? message(answer)}).`;
      return;
    }
    session.signIn(input.value.trim());
    if (location.hash === '#/') await show();
    else location.hash = '#/'; // hashchange shows it
  });
  main.replaceChildren(form);
  input.focus();
}

document.getElementById('signout').addEventListener('click', () => {
  session.signOut();
  location.hash = '#/signin';
});
window.addEventListener('hashchange', show);
show();
