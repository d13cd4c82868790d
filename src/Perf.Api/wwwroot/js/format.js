// Small shared helpers for the pages: building DOM safely and formatting numbers and times.

/** h('td', {class: 'num', dataset: {metric: 'cpu.usage'}}, 'text', child) — text is never parsed as HTML. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children.flat().filter(c => c !== null && c !== undefined && c !== false));
  return element;
}

export function number(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e9) return (value / 1e9).toFixed(digits) + 'G';
  if (abs >= 1e6) return (value / 1e6).toFixed(digits) + 'M';
  if (abs >= 1e4) return (value / 1e3).toFixed(digits) + 'k';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

export function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '–';
}

export function ago(iso) {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

/** The API's durations: 90 -> "90s". */
export function seconds(value) {
  return `${Math.max(1, Math.round(value))}s`;
}

export function message(error) {
  return error?.field ? `${error.field}: ${error.message}` : String(error?.message ?? error);
}
