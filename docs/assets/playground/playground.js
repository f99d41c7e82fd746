/* The playground's page: controls, the contour map with the four paths, the
   loss plot, and the link to the current setting. The arithmetic is in
   core.js (loaded first); this file only draws it.

   The page holds an empty #playground-app, which this script fills and
   shows, and, in <noscript>, the build-time figure of the default setting:
   without JavaScript the reader gets the figure, with it the playground, and
   the figure's image is never downloaded. */
(function () {
  "use strict";
  const core = window.AdamPlaygroundCore;
  const root = document.getElementById("playground-app");
  if (!root) return;  // not the playground's page
  if (!core) throw new Error("playground.js: core.js did not load before it");

  const { SURFACES, RACERS, DEFAULTS, LIMITS } = core;
  const MAX_STEPS = LIMITS.steps[1];

  // ---- slider values: "nice" numbers, log-spaced where the scale is ---------
  const clean = (x) => Number(x.toPrecision(12));
  const ALPHAS = [];
  for (let e = -4; e < 0; e++) for (const m of [1, 1.5, 2, 3, 5, 7]) ALPHAS.push(clean(m * 10 ** e));
  ALPHAS.push(1);
  const EPSILONS = [];
  for (let e = -12; e <= 0; e++) EPSILONS.push(Number("1e" + e));
  const BETA1S = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99,
    0.995, 0.999];
  const BETA2S = [0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999];
  const NOISES = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];
  const logOf = (x) => Math.log(Math.max(x, 1e-300));
  const SLIDERS = [  // key, label (HTML), values or [min, max, step], how "near" is measured
    { key: "alpha", label: "Learning rate α", values: ALPHAS, scale: logOf },
    { key: "steps", label: "Steps", range: [LIMITS.steps[0], MAX_STEPS, 10] },
    { key: "beta1", label: "β<sub>1</sub>, decay of the average gradient m",
      values: BETA1S, scale: (b) => -logOf(1 - b) },
    { key: "beta2", label: "β<sub>2</sub>, decay of the average squared gradient v",
      values: BETA2S, scale: (b) => -logOf(1 - b) },
    { key: "eps", label: "ε, added to √v", values: EPSILONS, scale: logOf },
    { key: "noise", label: "Gradient noise (standard deviation)", values: NOISES,
      scale: (x) => logOf(x + 0.005), text: (x) => (x ? fmt(x) : "0, none") },
    { key: "rotate", label: "Turn the landscape", range: [0, 90, 15],
      shown: (x) => x + "°", text: (x) => x + " degrees" },
  ];

  const fmt = core.formatNumber;
  const fmtLoss = core.formatLoss;
  const WINDOW = core.LOSS_WINDOW;
  const fmtPoint = ([x, y]) => `(${fmt(x)}, ${fmt(y)})`;

  // ---- state ---------------------------------------------------------------
  let state = core.fromQuery(location.search);
  let paths = null;
  const noiseCache = new Map();  // seed -> noise for MAX_STEPS steps
  const noiseFor = (seed) => {
    if (!noiseCache.has(seed)) noiseCache.set(seed, core.gaussianNoise(seed, 2 * MAX_STEPS));
    return noiseCache.get(seed);
  };
  // The landscape the race runs on: turned by state.rotate, with the noise state.noise.
  const surface = () => core.landscape(state);
  const start = () => state.start || surface().start;

  // ---- the controls ----------------------------------------------------------
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "html") node.innerHTML = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  const mapCanvas = el("canvas", { class: "pg-map", role: "img" });
  const lossCanvas = el("canvas", { class: "pg-loss", role: "img" });
  const legend = el("ul", { class: "pg-legend", "aria-label": "Where each optimizer ends" });
  const legendItems = {}, swatches = {};
  for (const r of RACERS) {
    const swatch = el("span", { class: "pg-swatch", "aria-hidden": "true" });
    swatch.style.setProperty("--pg-color", r.color);
    const text = el("span");
    legendItems[r.key] = text;
    swatches[r.key] = swatch;
    legend.append(el("li", {}, [swatch, text]));
  }

  const surfaceSelect = el("select", { id: "pg-surface" },
    Object.values(SURFACES).map((s) => el("option", { value: s.name, text: s.label })));
  const controls = el("div", { class: "pg-controls" }, [
    el("div", { class: "pg-control" }, [
      el("label", { for: "pg-surface", text: "Landscape" }), surfaceSelect]),
  ]);

  const sliders = {};
  for (const spec of SLIDERS) {
    const id = "pg-" + spec.key;
    const input = spec.values
      ? el("input", { type: "range", id, min: 0, max: spec.values.length - 1, step: 1 })
      : el("input", { type: "range", id, min: spec.range[0], max: spec.range[1], step: spec.range[2] });
    const shown = el("span", { class: "pg-value", "aria-hidden": "true" });
    controls.append(el("div", { class: "pg-control pg-slider" }, [
      el("label", { for: id, html: spec.label }), shown, input]));
    sliders[spec.key] = { spec, input, shown };
  }

  const startInputs = {};
  const startBox = el("div", { class: "pg-control pg-start", role: "group",
    "aria-labelledby": "pg-start-label" }, [
    el("span", { class: "pg-start-label", id: "pg-start-label", text: "Start point" })]);
  for (const [i, axis] of ["x", "y"].entries()) {
    const input = el("input", { type: "number", id: "pg-start-" + axis, step: 0.1,
      inputmode: "decimal", "aria-label": "Start point " + axis });
    startInputs[axis] = { input, i };
    startBox.append(el("label", { for: input.id, text: axis }), input);
  }
  controls.append(startBox);

  const biasBox = el("input", { type: "checkbox", id: "pg-bias" });
  controls.append(el("div", { class: "pg-control pg-check" }, [
    biasBox, el("label", { for: "pg-bias", text: "Adam's bias correction" })]));

  const link = el("a", { class: "pg-link", href: "?", text: "Link to this setting" });
  const copyButton = el("button", { type: "button", class: "md-button", text: "Copy link" });
  const resetButton = el("button", { type: "button", class: "md-button", text: "Reset" });
  const noiseButton = el("button", { type: "button", class: "md-button", text: "New noise" });
  const actions = el("p", { class: "pg-actions" }, [link, copyButton, noiseButton, resetButton]);
  const status = el("p", { class: "pg-status", role: "status" });
  const hint = el("p", { class: "pg-hint", id: "pg-hint",
    text: "Click, tap or drag on the map to move the start point, or type it in below." });

  root.append(
    el("div", { class: "pg-plots" }, [
      el("div", { class: "pg-map-box" }, [mapCanvas]),
      el("div", { class: "pg-loss-box" }, [lossCanvas]),
    ]),
    legend, hint, controls, actions, status
  );
  mapCanvas.setAttribute("aria-describedby", "pg-hint");

  // ---- state <-> controls ------------------------------------------------------
  function nearestIndex(values, x, scale) {
    let best = 0;
    for (let i = 1; i < values.length; i++) {
      if (Math.abs(scale(values[i]) - scale(x)) < Math.abs(scale(values[best]) - scale(x))) best = i;
    }
    return best;
  }

  function showState() {
    surfaceSelect.value = state.surface;
    for (const { spec, input, shown } of Object.values(sliders)) {
      const x = state[spec.key];
      input.value = spec.values ? nearestIndex(spec.values, x, spec.scale) : x;
      shown.textContent = spec.shown ? spec.shown(x) : fmt(x);
      input.setAttribute("aria-valuetext", spec.text ? spec.text(x) : fmt(x));
    }
    const [[x0, x1], [y0, y1]] = surface().bounds;
    for (const [axis, { input, i }] of Object.entries(startInputs)) {
      input.min = axis === "x" ? x0 : y0;
      input.max = axis === "x" ? x1 : y1;
      if (document.activeElement !== input) input.value = start()[i];
    }
    biasBox.checked = state.biasCorrection;
    noiseButton.hidden = !surface().noise;
    link.href = location.pathname + core.toQuery(state);
  }

  function update(changes) {
    state = Object.assign({}, state, changes);
    showState();
    scheduleRender();
    scheduleHistory();
  }

  // A new landscape starts from its own start, with its own noise; it keeps the angle.
  surfaceSelect.addEventListener("change", () => update({ surface: surfaceSelect.value, start: null,
    noise: SURFACES[surfaceSelect.value].noise }));
  // A start the reader set turns with the landscape, about its minimum.
  function turnStart(degrees) {
    if (!state.start) return null;
    const [c0, s0] = core.ROTATIONS.get(state.rotate), [c1, s1] = core.ROTATIONS.get(degrees);
    const c = c1 * c0 + s1 * s0, s = s1 * c0 - c1 * s0;  // by degrees - state.rotate
    const [cx, cy] = surface().minimum, u = state.start[0] - cx, w = state.start[1] - cy;
    const bounds = core.rotated(SURFACES[state.surface], degrees).bounds;
    const round = (v) => Math.round(v * 100) / 100;
    return [cx + (c * u - s * w), cy + (s * u + c * w)].map((v, i) =>
      Math.min(bounds[i][1], Math.max(bounds[i][0], round(v))));
  }
  for (const { spec, input } of Object.values(sliders)) {
    input.addEventListener("input", () => {
      const i = Number(input.value);
      if (spec.key === "rotate") update({ rotate: i, start: turnStart(i) });
      else update({ [spec.key]: spec.values ? spec.values[i] : i });
    });
  }
  for (const { input, i } of Object.values(startInputs)) {
    input.addEventListener("input", () => {
      const x = Number(input.value);
      if (input.value === "" || !Number.isFinite(x)) return;
      const [lo, hi] = surface().bounds[i];
      const point = start().slice();
      point[i] = Math.min(hi, Math.max(lo, x));
      update({ start: point });
    });
  }
  biasBox.addEventListener("change", () => update({ biasCorrection: biasBox.checked }));
  resetButton.addEventListener("click", () => {
    update(Object.assign({}, DEFAULTS));
    say("Reset to the default setting.");
  });
  noiseButton.addEventListener("click", () => {
    update({ seed: (state.seed + 1) % LIMITS.seed[1] });
    say("New noise sample " + state.seed + ".");
  });
  copyButton.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(link.href);
      copyButton.textContent = "Copied";
      setTimeout(() => { copyButton.textContent = "Copy link"; }, 2000);
      say("Link copied.");
    } catch (e) {
      say("Could not copy: use the link's menu to copy it.");
    }
  });

  let historyTimer = 0;
  function scheduleHistory() {  // the address bar follows, a little behind
    clearTimeout(historyTimer);
    historyTimer = setTimeout(() => history.replaceState(null, "", link.href), 250);
  }

  let sayTimer = 0;
  function say(text) {
    clearTimeout(sayTimer);
    status.textContent = text;
  }
  function scheduleSummary() {  // announce where the racers end once the reader pauses
    clearTimeout(sayTimer);
    sayTimer = setTimeout(() => { status.textContent = summary(); }, 800);
  }

  // ---- theme: Material's colours, read again when the scheme changes ------------
  const probe = el("span", { "aria-hidden": "true" });
  probe.style.display = "none";
  root.append(probe);
  let theme = null;
  function readTheme() {
    const colour = (name) => {
      probe.style.color = `var(${name})`;
      return getComputedStyle(probe).color;
    };
    theme = {
      fg: colour("--md-default-fg-color"),
      light: colour("--md-default-fg-color--light"),
      lighter: colour("--md-default-fg-color--lighter"),
      lightest: colour("--md-default-fg-color--lightest"),
      font: getComputedStyle(root).fontFamily,
      scheme: document.body.getAttribute("data-md-color-scheme"),
    };
    background = null;
  }
  new MutationObserver(() => { readTheme(); scheduleRender(); })
    .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  // ---- geometry ------------------------------------------------------------------
  const PAD = { left: 34, right: 8, top: 8, bottom: 28 };
  let layout = null;  // CSS-pixel sizes and the data -> pixel map of the plot area
  let background = null;  // the contour map, drawn once per landscape, size and scheme

  function sizeCanvas(canvas, width, height) {  // resize only when needed: it reallocates
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(width * dpr), h = Math.round(height * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.style.height = height + "px";
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return ctx;
  }

  function layoutKey() {  // what the layout depends on
    return [state.surface, state.rotate, mapCanvas.parentElement.clientWidth, lossCanvas.parentElement.clientWidth,
      window.innerHeight, window.devicePixelRatio].join();
  }

  function measure() {
    const [[x0, x1], [y0, y1]] = surface().bounds;
    const width = Math.max(200, mapCanvas.parentElement.clientWidth);
    let plotW = width - PAD.left - PAD.right;
    let plotH = plotW * (y1 - y0) / (x1 - x0);
    const maxH = Math.max(220, Math.min(440, window.innerHeight * 0.55));
    if (plotH > maxH) { plotW *= maxH / plotH; plotH = maxH; }
    const left = PAD.left + (width - PAD.left - PAD.right - plotW) / 2;
    const height = Math.round(plotH + PAD.top + PAD.bottom);
    const lossWidth = Math.max(200, lossCanvas.parentElement.clientWidth);
    const side = lossCanvas.parentElement.offsetTop === mapCanvas.parentElement.offsetTop;
    layout = {
      width, height, left, top: PAD.top, plotW, plotH,
      sx: (x) => left + (x - x0) / (x1 - x0) * plotW,
      sy: (y) => PAD.top + (y1 - y) / (y1 - y0) * plotH,
      dx: (px) => x0 + (px - left) / plotW * (x1 - x0),
      dy: (py) => y1 - (py - PAD.top) / plotH * (y1 - y0),
      lossWidth, lossHeight: side ? Math.max(height, 220) : 200,
      key: layoutKey(),
    };
    background = null;
  }

  // ---- contours (marching squares on a grid of the loss) ----------------------------
  const contourCache = new Map();  // surface -> segments in data coordinates
  function contours(surf) {
    if (contourCache.has(surf.name)) return contourCache.get(surf.name);
    const [[x0, x1], [y0, y1]] = surf.bounds;
    const nx = 121, ny = Math.round(120 * (y1 - y0) / (x1 - x0)) + 1;
    const best = surf.loss(surf.minimum[0], surf.minimum[1]);
    const f = new Float64Array(nx * ny);
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        f[j * nx + i] = surf.loss(x0 + (x1 - x0) * i / (nx - 1), y0 + (y1 - y0) * j / (ny - 1)) - best;
      }
    }
    const sorted = Float64Array.from(f).sort();
    const lo = Math.max(sorted[Math.floor(0.004 * sorted.length)], 1e-6);
    const hi = sorted[Math.floor(0.97 * sorted.length)];
    const levels = [];
    for (let k = 0; k < 12; k++) levels.push(lo * (hi / lo) ** (k / 11));
    const segments = [];
    const X = (i) => x0 + (x1 - x0) * i / (nx - 1), Y = (j) => y0 + (y1 - y0) * j / (ny - 1);
    for (const c of levels) {
      for (let j = 0; j < ny - 1; j++) {
        for (let i = 0; i < nx - 1; i++) {
          const a = f[j * nx + i], b = f[j * nx + i + 1];
          const d = f[(j + 1) * nx + i], e = f[(j + 1) * nx + i + 1];
          const crossings = [];  // where the level crosses the cell's four edges
          if ((a < c) !== (b < c)) crossings.push(X(i + (c - a) / (b - a)), Y(j));
          if ((b < c) !== (e < c)) crossings.push(X(i + 1), Y(j + (c - b) / (e - b)));
          if ((d < c) !== (e < c)) crossings.push(X(i + (c - d) / (e - d)), Y(j + 1));
          if ((a < c) !== (d < c)) crossings.push(X(i), Y(j + (c - a) / (d - a)));
          for (let k = 0; k + 3 < crossings.length; k += 4) segments.push(...crossings.slice(k, k + 4));
        }
      }
    }
    const out = Float64Array.from(segments);
    contourCache.set(surf.name, out);
    return out;
  }

  function drawBackground() {
    const dpr = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(layout.width * dpr);
    canvas.height = Math.round(layout.height * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const surf = surface();
    const { sx, sy } = layout;
    ctx.strokeStyle = theme.lighter;
    ctx.lineWidth = 0.8;
    ctx.beginPath();
    const seg = contours(surf);
    for (let k = 0; k < seg.length; k += 4) {
      ctx.moveTo(sx(seg[k]), sy(seg[k + 1]));
      ctx.lineTo(sx(seg[k + 2]), sy(seg[k + 3]));
    }
    ctx.stroke();
    // frame and ticks
    const [[x0, x1], [y0, y1]] = surf.bounds;
    ctx.strokeStyle = theme.light;
    ctx.lineWidth = 1;
    ctx.strokeRect(layout.left, layout.top, layout.plotW, layout.plotH);
    ctx.fillStyle = theme.light;
    ctx.font = `12px ${theme.font}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let x = Math.ceil(x0); x <= x1; x++) {
      ctx.fillText(String(x).replace("-", "−"), sx(x), layout.top + layout.plotH + 4);
    }
    ctx.fillText("x", sx(x1 - 0.5), layout.top + layout.plotH + 4);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let y = Math.ceil(y0); y <= y1; y++) ctx.fillText(String(y).replace("-", "−"), layout.left - 5, sy(y));
    ctx.fillText("y", layout.left - 5, layout.top + 8);
    // the minimum: a star
    ctx.fillStyle = theme.fg;
    star(ctx, sx(surf.minimum[0]), sy(surf.minimum[1]), 6);
    background = { canvas, key: layout.key + theme.scheme + theme.fg };
  }

  function star(ctx, x, y, r) {
    ctx.beginPath();
    for (let k = 0; k < 10; k++) {
      const radius = k % 2 ? r * 0.45 : r, angle = -Math.PI / 2 + k * Math.PI / 5;
      ctx.lineTo(x + radius * Math.cos(angle), y + radius * Math.sin(angle));
    }
    ctx.closePath();
    ctx.fill();
  }

  // ---- drawing ---------------------------------------------------------------------
  const clampPx = (v) => Math.max(-1e4, Math.min(1e4, v));

  const DASH = [7, 5];  // a racer on the very path of one drawn before it

  function drawMap() {
    const ctx = sizeCanvas(mapCanvas, layout.width, layout.height);
    if (!background || background.key !== layout.key + theme.scheme + theme.fg) drawBackground();
    ctx.drawImage(background.canvas, 0, 0, layout.width, layout.height);
    const { sx, sy } = layout;
    ctx.save();
    ctx.beginPath();
    ctx.rect(layout.left, layout.top, layout.plotW, layout.plotH);
    ctx.clip();
    ctx.lineJoin = "round";
    for (const r of RACERS) {
      const path = paths[r.key];
      ctx.strokeStyle = ctx.fillStyle = r.color;
      ctx.lineWidth = 1.8;
      ctx.setLineDash(samePath[r.key] ? DASH : []);
      ctx.beginPath();
      let last = 0;
      for (let k = 0; 2 * k < path.length && !Number.isNaN(path[2 * k]); k++) {
        ctx.lineTo(clampPx(sx(path[2 * k])), clampPx(sy(path[2 * k + 1])));
        last = k;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      const n = path.length / 2;
      if (n <= 201) {  // a dot per step while they can be told apart
        ctx.beginPath();
        for (let k = 1; k <= last; k++) {
          ctx.rect(clampPx(sx(path[2 * k])) - 1.25, clampPx(sy(path[2 * k + 1])) - 1.25, 2.5, 2.5);
        }
        ctx.fill();
      }
      ctx.beginPath();  // where it ends
      ctx.arc(clampPx(sx(path[2 * last])), clampPx(sy(path[2 * last + 1])), 4, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.restore();
    // the start point: a ring
    const [x, y] = start();
    ctx.strokeStyle = theme.fg;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(sx(x), sy(y), 6, 0, 2 * Math.PI);
    ctx.stroke();
  }

  // The loss plot's title, and on a noisy landscape what its lines are.
  const lossTitle = "loss − minimum (log scale)";
  const lossNote = () => smoothed
    ? `bold: moving average of the last ${WINDOW} steps; faint: each step` : "";

  function drawLoss(losses) {
    const W = layout.lossWidth, H = layout.lossHeight;
    const ctx = sizeCanvas(lossCanvas, W, H);
    const pad = { left: 44, right: 14, top: smoothed ? 40 : 24, bottom: 28 };
    const w = W - pad.left - pad.right, h = H - pad.top - pad.bottom;
    // decades: from the start's loss (and a little above) down to the lowest value, at most 16
    // (on a noisy landscape, the lowest average: each step's loss may dip below the plot)
    const first = Math.max(losses.adam[0], 1e-300);
    let top = Math.ceil(Math.log10(first)) + 1;
    let low = top;
    for (const r of RACERS) {
      for (const v of (smoothed || losses)[r.key]) if (v > 0) low = Math.min(low, Math.floor(Math.log10(v)));
    }
    low = Math.max(low, top - 16);
    if (top - low < 2) low = top - 2;
    const steps = losses.adam.length - 1;
    const px = (k) => pad.left + k / steps * w;
    const py = (v) => pad.top + (top - Math.log10(Math.max(v, 10 ** (low - 1)))) / (top - low) * h;
    ctx.font = `12px ${theme.font}`;
    ctx.fillStyle = theme.fg;
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText(lossTitle, pad.left, 4);
    if (smoothed) {
      ctx.fillStyle = theme.light;
      ctx.fillText(lossNote(), pad.left, 20, W - pad.left - 4);
    }
    ctx.strokeStyle = theme.lightest;
    ctx.fillStyle = theme.light;
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const every = Math.ceil((top - low) / 6);
    ctx.beginPath();
    for (let d = top; d >= low; d--) {
      if ((top - d) % every) continue;
      const y = py(10 ** d);
      ctx.moveTo(pad.left, y);
      ctx.lineTo(pad.left + w, y);
      ctx.fillText(d === 0 ? "1" : "1e" + String(d).replace("-", "−"), pad.left - 4, y);
    }
    ctx.stroke();
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const k of [0, steps / 2, steps]) ctx.fillText(String(k), px(k), pad.top + h + 4);
    ctx.fillText("step", pad.left + w / 2, pad.top + h + 15);
    ctx.strokeStyle = theme.light;
    ctx.strokeRect(pad.left, pad.top, w, h);
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.left, pad.top - 1, w, h + 2);
    ctx.clip();
    ctx.lineJoin = "round";
    const curve = (v) => {
      ctx.beginPath();
      for (let k = 0; k <= steps && !Number.isNaN(v[k]); k++) ctx.lineTo(px(k), Math.max(-10, py(v[k])));
      ctx.stroke();
    };
    if (smoothed) {  // each step's loss, faint, behind the averages
      ctx.globalAlpha = 0.25;
      ctx.lineWidth = 1;
      ctx.lineJoin = "bevel";  // round joins on a thousand zig-zags cost a phone milliseconds
      for (const r of RACERS) {
        ctx.strokeStyle = r.color;
        ctx.setLineDash(samePath[r.key] ? DASH : []);
        curve(losses[r.key]);
      }
      ctx.globalAlpha = 1;
      ctx.lineJoin = "round";
    }
    ctx.lineWidth = smoothed ? 2 : 1.6;
    for (const r of RACERS) {
      ctx.strokeStyle = r.color;
      ctx.setLineDash(samePath[r.key] ? DASH : []);
      curve(smoothed ? smoothed[r.key] : losses[r.key]);
    }
    ctx.setLineDash([]);
    ctx.restore();
  }

  // ---- what the racers did, in words -------------------------------------------------
  let outcome = {};
  let smoothed = null;  // on a noisy landscape: {key: moving average of its loss}
  let samePath = {};  // {key: the racer drawn before it whose path it runs, or null}
  function describe(losses) {
    outcome = {};
    for (const r of RACERS) {
      const path = paths[r.key], v = losses[r.key];
      let last = 0;
      while (2 * (last + 1) < path.length && !Number.isNaN(path[2 * (last + 1)])) last++;
      outcome[r.key] = last < state.steps
        ? `diverged at step ${last + 1}`
        : smoothed
          ? `loss ${fmtLoss(smoothed[r.key][last])} above the minimum (average of the last ${WINDOW} steps)`
          : `loss ${fmtLoss(v[last])} above the minimum`;
      const twin = samePath[r.key] && RACERS.find((e) => e.key === samePath[r.key]);
      if (twin) outcome[r.key] += `; the same path as ${twin.label}, drawn dashed over it`;
      legendItems[r.key].textContent = `${r.label}: ${outcome[r.key]}`;
      swatches[r.key].classList.toggle("pg-dashed", Boolean(twin));
    }
    const turned = state.rotate ? `, turned by ${state.rotate} degrees,` : ",";
    mapCanvas.setAttribute("aria-label",
      `Contour map of the ${surface().label.toLowerCase()} landscape${turned} with the paths of SGD, ` +
      `momentum, RMSProp and Adam from ${fmtPoint(start())}; where each ends is listed below.`);
    lossCanvas.setAttribute("aria-label",
      `Loss above the minimum against the step, on a log scale, for ${state.steps} steps ` +
      `of the four optimizers` +
      (smoothed ? `, each drawn as its moving average over the last ${WINDOW} steps over ` +
        `the faint loss of each step` : "") + `; the final values are listed below.`);
  }
  function summary() {
    return `After ${state.steps} steps: ` +
      RACERS.map((r) => `${r.label} ${outcome[r.key]}`).join("; ") + ".";
  }

  // ---- render ---------------------------------------------------------------------------
  const timings = [];
  let frame = 0;
  function scheduleRender() {
    if (!frame) frame = requestAnimationFrame(render);
  }
  function render() {
    frame = 0;
    const t0 = performance.now();
    if (!layout || layout.key !== layoutKey()) measure();
    paths = core.race(Object.assign({}, state, { start: start() }), noiseFor(state.seed));
    const losses = {};
    for (const r of RACERS) losses[r.key] = core.lossAbove(surface(), paths[r.key]);
    samePath = core.samePathAs(paths);
    smoothed = null;
    if (surface().noise) {
      smoothed = {};
      for (const r of RACERS) smoothed[r.key] = core.movingAverage(losses[r.key], WINDOW);
    }
    drawMap();
    drawLoss(losses);
    describe(losses);
    const ms = performance.now() - t0;
    timings.push(ms);
    if (timings.length > 500) timings.shift();
    if (timings.length > 1) scheduleSummary();  // not on page load: only after a change
    return ms;
  }

  // ---- the start point, by pointer ---------------------------------------------------
  function pointFromEvent(event) {
    const box = mapCanvas.getBoundingClientRect();
    const [[x0, x1], [y0, y1]] = surface().bounds;
    const round = (v) => Math.round(v * 100) / 100;
    const x = round(layout.dx(event.clientX - box.left));
    const y = round(layout.dy(event.clientY - box.top));
    return [Math.min(x1, Math.max(x0, x)), Math.min(y1, Math.max(y0, y))];
  }
  let dragging = false;
  mapCanvas.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "touch") return;  // a tap is a click; a swipe scrolls
    dragging = true;
    mapCanvas.setPointerCapture(event.pointerId);
    update({ start: pointFromEvent(event) });
  });
  mapCanvas.addEventListener("pointermove", (event) => {
    if (dragging) update({ start: pointFromEvent(event) });
  });
  const stopDragging = () => { dragging = false; };
  mapCanvas.addEventListener("pointerup", stopDragging);
  mapCanvas.addEventListener("pointercancel", stopDragging);
  mapCanvas.addEventListener("click", (event) => update({ start: pointFromEvent(event) }));

  // ---- go ------------------------------------------------------------------------------
  // The controls now; the colours, the contours and the first drawing each in a task
  // of their own, so that a phone loading the page is never busy for long at a stretch.
  root.hidden = false;
  showState();
  const later = (work) => new Promise((done) => setTimeout(() => done(work()), 0));
  later(readTheme)
    .then(() => later(() => contours(surface())))
    .then(() => later(() => {
      render();
      let width = root.clientWidth;
      new ResizeObserver(() => {
        if (root.clientWidth !== width) { width = root.clientWidth; scheduleRender(); }
      }).observe(root);
      window.addEventListener("resize", scheduleRender);
    }));

  // For the tests: the state, the paths and how long each redraw took.
  window.adamPlayground = {
    state: () => Object.assign({}, state),
    paths: () => paths,
    timings,
    render,
    theme: () => Object.assign({}, theme),
    toPixels: (x, y) => [layout.sx(x), layout.sy(y)],
    lossPlot: () => ({ title: lossTitle, note: lossNote(), smoothed: Boolean(smoothed),
      window: WINDOW, dashed: RACERS.filter((r) => samePath[r.key]).map((r) => r.key) }),
  };
})();
