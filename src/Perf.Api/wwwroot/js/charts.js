// Charts: uPlot (vendor/uplot, loaded by index.html as the global uPlot) for time series, a canvas for sparklines and
// the correlation heat map.

const palette = ['#2f6fdf', '#d2693a', '#2e9d5b', '#8a4fd6', '#c23a7a', '#3aa5b8'];

/** A tiny line of the last hour, no axes. `values` may hold nulls (gaps). */
export function sparkline(canvas, values, color = palette[0]) {
  // Drawn at the CSS size (fixed in dashboard.css) times the pixel ratio, so redrawing never grows the canvas.
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.width = 120 * ratio;
  const height = canvas.height = 28 * ratio;
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, width, height);
  const finite = values.filter(v => v !== null && Number.isFinite(v));
  canvas.dataset.points = String(finite.length);
  if (finite.length < 2) return;
  const min = Math.min(...finite), max = Math.max(...finite);
  const span = max - min || 1;
  context.strokeStyle = color;
  context.lineWidth = 1.5 * ratio;
  context.beginPath();
  let drawing = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) { drawing = false; return; }
    const x = (i / (values.length - 1)) * (width - 2) + 1;
    const y = height - 2 - ((v - min) / span) * (height - 4);
    if (drawing) context.lineTo(x, y); else context.moveTo(x, y);
    drawing = true;
  });
  context.stroke();
}

/**
 * One series over time with the detectors' findings drawn over it: anomaly markers (circles at the anomalous
 * points), change-point lines (dashed verticals), the ensemble score as a band on its own 0-1 axis, and a trend line.
 * Drag across the chart to zoom in; double-click to zoom out.
 */
export function seriesChart(container, { metric, times, values, trend, scoreTimes, scores, anomalies, changePoints }) {
  container.replaceChildren();
  // The score band is drawn on the series' own x values: each score goes to the nearest plotted time.
  const band = alignTo(times, scoreTimes, scores);
  const data = [times, values, trend ?? times.map(() => null), band];
  // The y axis also reaches the anomalies' own values: at 24h or 7d the line shows step averages, the markers raw points.
  const marked = anomalies.map(a => a.v).filter(Number.isFinite);
  let zoomed = false;
  const options = {
    width: Math.max(320, container.clientWidth),
    height: 340,
    cursor: { drag: { x: true, y: false } },
    scales: {
      x: { time: true },
      y: { range: (u, min, max) => uPlot.rangeNum(Math.min(min, ...marked), Math.max(max, ...marked), 0.1, true) },
      score: { range: [0, 1] },
    },
    series: [
      {},
      { label: metric, stroke: palette[0], width: 1.5, spanGaps: false },
      { label: 'trend', stroke: '#888', width: 1, dash: [6, 4], points: { show: false } },
      { label: 'ensemble score', scale: 'score', stroke: 'rgba(210, 58, 58, 0.5)', fill: 'rgba(210, 58, 58, 0.12)', width: 1, points: { show: false } },
    ],
    axes: [{}, { label: metric }, { scale: 'score', side: 1, grid: { show: false }, label: 'score' }],
    hooks: {
      draw: [u => drawFindings(u, anomalies, changePoints)],
      setSelect: [u => { if (u.select.width > 0) zoomed = true; }],
    },
  };
  const chart = new uPlot(options, data, container);
  chart.over.addEventListener('dblclick', () => { zoomed = false; });
  container.dataset.points = String(values.filter(v => v !== null).length);
  container.dataset.lastValue = values.length > 0 ? String(values[values.length - 1]) : '';
  container.dataset.anomalies = String(anomalies.length);
  container.dataset.changepoints = String(changePoints.length);
  const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(320, container.clientWidth), height: 340 }));
  resize.observe(container);
  return {
    chart,
    /**
     * Appends a live point and slides the window when the range is relative to now. With a step (the chart shows one
     * point per step), a value in the step still filling replaces its point, and one in a new step starts the next.
     */
    append(t, v, slide, step = 0) {
      const [xs, ys, tr, sc] = chart.data;
      const x = step > 0 ? Math.floor(t / step) * step : t;
      const last = xs.length > 0 ? xs[xs.length - 1] : -Infinity;
      if (x < last || (x === last && step === 0)) return;
      const next = x === last
        ? [xs, [...ys.slice(0, -1), v], tr, sc]
        : [[...xs, x], [...ys, v], [...tr, null], [...sc, null]];
      if (slide) while (next[0].length > 1 && next[0][0] < t - slide) next.forEach(column => column.shift());
      chart.setData(next, !zoomed); // a zoomed-in view stays where the user put it
      container.dataset.points = String(next[1].filter(x => x !== null).length);
      container.dataset.lastValue = String(v);
    },
    destroy() { resize.disconnect(); chart.destroy(); },
  };
}

function drawFindings(u, anomalies, changePoints) {
  const context = u.ctx;
  const { left, top, width, height } = u.bbox;
  context.save();
  context.beginPath();
  context.rect(left, top, width, height);
  context.clip();
  context.setLineDash([4, 4]);
  context.strokeStyle = '#8a4fd6';
  context.lineWidth = 1.5 * devicePixelRatio;
  for (const t of changePoints) {
    const x = u.valToPos(t, 'x', true);
    context.beginPath();
    context.moveTo(x, top);
    context.lineTo(x, top + height);
    context.stroke();
  }
  context.setLineDash([]);
  context.fillStyle = '#d23a3a';
  for (const a of anomalies) {
    const x = u.valToPos(a.t, 'x', true), y = u.valToPos(a.v, 'y', true);
    context.beginPath();
    context.arc(x, y, 4.5 * devicePixelRatio, 0, 2 * Math.PI);
    context.fill();
  }
  context.restore();
}

function alignTo(times, scoreTimes, scores) {
  const band = times.map(() => null);
  if (!scoreTimes?.length || !times.length) return band;
  let j = 0;
  for (let i = 0; i < scoreTimes.length; i++) {
    while (j + 1 < times.length && Math.abs(times[j + 1] - scoreTimes[i]) <= Math.abs(times[j] - scoreTimes[i])) j++;
    band[j] = Math.max(band[j] ?? 0, scores[i]);
  }
  return band;
}

/** A live line chart of a few figures over time (the operators' page). */
export function liveChart(container, labels, { height = 220, units = '' } = {}) {
  container.replaceChildren();
  const chart = new uPlot({
    width: Math.max(300, container.clientWidth),
    height,
    scales: { x: { time: true } },
    series: [{}, ...labels.map((label, i) => ({ label, stroke: palette[i % palette.length], width: 1.5 }))],
    axes: [{}, { label: units }],
  }, [[], ...labels.map(() => [])], container);
  return {
    push(t, values) {
      const data = chart.data.map((column, i) => [...column, i === 0 ? t : values[i - 1]]);
      if (data[0].length > 360) data.forEach(column => column.shift());
      chart.setData(data);
      container.dataset.points = String(data[0].length);
      container.dataset.last = values.map(v => (v === null ? '' : String(Math.round(v * 1000) / 1000))).join(',');
    },
    destroy() { chart.destroy(); },
  };
}

/** The correlation matrix of the analysis as coloured cells: blue for -1, white for 0, red for +1. */
export function heatmap(canvas, names, correlation) {
  const cell = 64, labelWidth = 150, ratio = window.devicePixelRatio || 1;
  const size = labelWidth + cell * names.length + 80; // room for the last rotated label
  canvas.width = size * ratio;
  canvas.height = (cell * names.length + labelWidth) * ratio;
  canvas.style.width = `${size}px`;
  const context = canvas.getContext('2d');
  context.scale(ratio, ratio);
  context.font = '12px system-ui, sans-serif';
  context.textBaseline = 'middle';
  names.forEach((row, i) => {
    context.fillStyle = '#1d2330';
    context.textAlign = 'right';
    context.fillText(row, labelWidth - 8, i * cell + cell / 2);
    names.forEach((column, j) => {
      const r = correlation(row, column);
      context.fillStyle = colour(r);
      context.fillRect(labelWidth + j * cell, i * cell, cell - 2, cell - 2);
      context.fillStyle = Math.abs(r ?? 0) > 0.6 ? '#fff' : '#1d2330';
      context.textAlign = 'center';
      context.fillText(r === null ? '–' : r.toFixed(2), labelWidth + j * cell + cell / 2, i * cell + cell / 2);
    });
  });
  names.forEach((column, j) => {
    context.save();
    context.translate(labelWidth + j * cell + cell / 2, names.length * cell + 8);
    context.rotate(Math.PI / 4);
    context.textAlign = 'left';
    context.fillStyle = '#1d2330';
    context.fillText(column, 0, 0);
    context.restore();
  });
  canvas.dataset.cells = String(names.length * names.length);
}

function colour(r) {
  if (r === null || r === undefined || Number.isNaN(r)) return '#eee';
  const t = Math.min(1, Math.abs(r));
  const [red, green, blue] = r >= 0 ? [210, 58, 58] : [47, 111, 223];
  const mix = c => Math.round(255 + (c - 255) * t);
  return `rgb(${mix(red)}, ${mix(green)}, ${mix(blue)})`;
}

/** Theil-Sen: the median of the pairwise slopes and the median intercept; robust to the spikes the chart shows. */
export function theilSen(times, values) {
  const xs = [], ys = [];
  times.forEach((t, i) => { if (values[i] !== null && Number.isFinite(values[i])) { xs.push(t); ys.push(values[i]); } });
  if (xs.length < 3) return null;
  // Past a few hundred points, a regular sample of them keeps the pairs (n^2) cheap.
  const stride = Math.ceil(xs.length / 300);
  const sx = xs.filter((_, i) => i % stride === 0), sy = ys.filter((_, i) => i % stride === 0);
  const slopes = [];
  for (let i = 0; i < sx.length; i++)
    for (let j = i + 1; j < sx.length; j++)
      if (sx[j] !== sx[i]) slopes.push((sy[j] - sy[i]) / (sx[j] - sx[i]));
  const slope = median(slopes);
  const intercept = median(xs.map((x, i) => ys[i] - slope * x));
  return times.map(t => intercept + slope * t);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
