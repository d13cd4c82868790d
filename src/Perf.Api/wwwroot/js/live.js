// The header's live indicator: pages report whether their stream is connected.
const badge = () => document.getElementById('live');

export function setLive(connected) {
  const live = badge();
  live.hidden = false;
  live.classList.toggle('down', !connected);
  live.textContent = connected ? 'live' : 'reconnecting';
}

export function hideLive() {
  badge().hidden = true;
}
