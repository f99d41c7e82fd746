/* The weight-decay lab: three ways to decay Adam's weights under three schedules.

   The arithmetic (the first part) ports snippets/weight_decay_lab.py's run() operation for
   operation; tests/test_weight_decay_lab.py runs it in node and checks it against the
   Python to 1e-9. The page (the second part) runs only in a browser, on a page that holds
   #weight-decay-app, and reads and writes its settings with settings.js. */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.AdamWeightDecayLab = factory();
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  const SCALES = [1e-3, 1, 1e3];
  const METHODS = [
    { key: "l2", label: "L2 in Adam" },
    { key: "adamw", label: "AdamW (frameworks)" },
    { key: "paper", label: "AdamW (paper)" },
  ];
  const SCHEDULES = [
    { key: "constant", label: "constant" },
    { key: "cosine", label: "cosine" },
    { key: "warmup-cosine", label: "warmup, then cosine" },
  ];
  const BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;
  // The settings a link may carry (settings.js's spec): the Python's DEFAULTS and LIMITS.
  const SPEC = {
    lam: { kind: "number", value: 0.01, min: 1e-5, max: 0.1 },
    lr: { kind: "number", value: 0.01, min: 1e-4, max: 0.1 },
    steps: { kind: "number", value: 1000, min: 100, max: 2000, integer: true },
    warmup: { kind: "number", value: 100, min: 0, max: 1000, integer: true },
    schedule: { kind: "choice", value: "warmup-cosine", options: SCHEDULES.map((s) => s.key) },
  };

  // eta_t, the schedule's multiplier of the learning rate at step t (1 to steps).
  function multiplier(t, steps, schedule, warmup) {
    if (schedule === "constant") return 1.0;
    const w = schedule === "warmup-cosine" ? Math.min(warmup, steps - 1) : 0;
    if (t <= w) return t / w;
    return 0.5 * (1.0 + Math.cos(Math.PI * (t - w) / (steps - w)));
  }

  // Each method from theta = 1: its weights after each step (row 0 the start, 3 a row)
  // and the effective decay of each step (3 a row), and eta_t for each step.
  function run(s) {
    const { lam, lr, steps, schedule, warmup } = s;
    const n = SCALES.length;
    const eta = new Float64Array(steps);
    for (let t = 1; t <= steps; t++) eta[t - 1] = multiplier(t, steps, schedule, warmup);
    const out = { eta };
    // Each weight on its own: the Python's arithmetic is element by element.
    for (const { key } of METHODS) {
      const kind = key === "l2" ? 0 : key === "adamw" ? 1 : 2;
      const theta = new Float64Array((steps + 1) * n), decay = new Float64Array(steps * n);
      for (let i = 0; i < n; i++) {
        const scale = SCALES[i];
        let th = 1.0, m = 0.0, v = 0.0, md = 0.0, b1t = 1.0, b2t = 1.0;
        theta[i] = th;
        for (let t = 1; t <= steps; t++) {
          const e = eta[t - 1];
          const lrT = lr * e;
          b1t *= BETA1;
          b2t *= BETA2;
          const flip = t % 2 ? 1.0 : -1.0;
          let g = scale * ((th - 1.0) + flip);
          if (kind === 0) {
            g = g + lam * th;
            md = BETA1 * md + (1 - BETA1) * (lam * th);
          }
          m = BETA1 * m + (1 - BETA1) * g;
          v = BETA2 * v + (1 - BETA2) * (g * g);
          const mHat = m / (1 - b1t);
          const den = Math.sqrt(v / (1 - b2t)) + EPS;
          let d, next;
          if (kind === 0) {
            d = lrT * (md / (1 - b1t)) / den / th;
            next = th - lrT * mHat / den;
          } else if (kind === 1) {
            d = lrT * lam;
            next = th - lrT * lam * th - lrT * mHat / den;
          } else {
            d = e * lam;
            next = th - e * (lr * mHat / den + lam * th);
          }
          th = next;
          theta[t * n + i] = next;
          decay[(t - 1) * n + i] = d;
        }
      }
      out[key] = { theta, decay };
    }
    return out;
  }

  // What decay alone would leave of weight i over the run: the product of (1 - d_t).
  function keptByDecay(decay, i) {
    const n = SCALES.length;
    let kept = 1.0;
    for (let k = i; k < decay.length; k += n) kept *= 1.0 - decay[k];
    return kept;
  }

  return { SCALES, METHODS, SCHEDULES, SPEC, BETA1, BETA2, EPS, multiplier, run, keptByDecay };
});

(function () {
  "use strict";
  if (typeof document === "undefined") return;  // node: the arithmetic only
  const root = document.getElementById("weight-decay-app");
  if (!root) return;
  const lab = window.AdamWeightDecayLab, settings = window.AdamLabSettings;
  if (!settings) throw new Error("weight-decay.js: settings.js did not load before it");
  const { SCALES, METHODS, SCHEDULES, SPEC } = lab;

  // ---- numbers in words -----------------------------------------------------------------
  const fmt = (x) => {
    if (!Number.isFinite(x)) return Number.isNaN(x) ? "not a number" : x > 0 ? "∞" : "−∞";
    if (x === 0) return "0";
    const a = Math.abs(x);
    const s = a >= 1e-3 && a < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(1);
    return s.replace("-", "−");
  };
  const scaleName = (s) => (s === 1 ? "1" : s < 1 ? "1e−3" : "1e3");
  const clean = (x) => Number(x.toPrecision(12));
  const logValues = (lo, hi) => {
    const out = [];
    for (let e = -6; e <= 0; e++) {
      for (const m of [1, 2, 5]) {
        const x = clean(m * 10 ** e);
        if (x >= lo * (1 - 1e-9) && x <= hi * (1 + 1e-9)) out.push(x);
      }
    }
    return out;
  };
  const SLIDERS = [
    { key: "lam", label: "Weight decay λ", values: logValues(SPEC.lam.min, SPEC.lam.max) },
    { key: "lr", label: "Peak learning rate α", values: logValues(SPEC.lr.min, SPEC.lr.max) },
    { key: "steps", label: "Steps", range: [SPEC.steps.min, SPEC.steps.max, 100] },
    { key: "warmup", label: "Warmup steps (warmup, then cosine)",
      range: [SPEC.warmup.min, SPEC.warmup.max, 10] },
  ];

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  // ---- state -------------------------------------------------------------------------------
  let state = settings.fromQuery(location.search, SPEC);
  let result = null;

  // ---- the page's parts ----------------------------------------------------------------------
  const weightsCanvas = el("canvas", { class: "wd-weights", role: "img" });
  const decayCanvas = el("canvas", { class: "wd-decay", role: "img" });
  const legend = el("ul", { class: "pg-legend wd-legend", "aria-label": "Line colours" });
  const swatch = (key, dash) => {
    const s = el("span", { class: "pg-swatch wd-swatch wd-" + key + (dash ? " wd-dash-" + dash : ""),
      "aria-hidden": "true" });
    return s;
  };
  for (const m of METHODS) legend.append(el("li", {}, [swatch(m.key), el("span", { text: m.label })]));
  legend.append(el("li", {}, [swatch("l2", "short"),
    el("span", { text: "decay plot: L2, s = 1e−3 (dotted)" })]));
  legend.append(el("li", {}, [swatch("l2", "long"),
    el("span", { text: "decay plot: L2, s = 1e3 (dashed)" })]));

  const scheduleSelect = el("select", { id: "wd-schedule" },
    SCHEDULES.map((s) => el("option", { value: s.key, text: s.label })));
  const controls = el("div", { class: "pg-controls" }, [
    el("div", { class: "pg-control" }, [
      el("label", { for: "wd-schedule", text: "Learning-rate schedule" }), scheduleSelect]),
  ]);
  const sliders = {};
  for (const spec of SLIDERS) {
    const id = "wd-" + spec.key;
    const input = spec.values
      ? el("input", { type: "range", id, min: 0, max: spec.values.length - 1, step: 1 })
      : el("input", { type: "range", id, min: spec.range[0], max: spec.range[1], step: spec.range[2] });
    const shown = el("span", { class: "pg-value", "aria-hidden": "true" });
    controls.append(el("div", { class: "pg-control pg-slider" }, [
      el("label", { for: id, text: spec.label }), shown, input]));
    sliders[spec.key] = { spec, input, shown };
  }
  const link = el("a", { class: "pg-link", href: "?", text: "Link to this setting" });
  const resetButton = el("button", { type: "button", class: "md-button", text: "Reset" });
  const actions = el("p", { class: "pg-actions" }, [link, resetButton]);
  const status = el("p", { class: "pg-status", role: "status" });

  const finalTable = el("table", { class: "wd-table" });
  const decayTable = el("table", { class: "wd-table" });
  // Each table in a box that scrolls sideways if a narrow screen needs it (focusable, so a
  // keyboard can scroll it too).
  const tables = el("div", { class: "wd-tables" }, [
    el("div", { class: "wd-table-box", tabindex: "0", role: "region",
      "aria-label": "The weights after the last step" }, [finalTable]),
    el("div", { class: "wd-table-box", tabindex: "0", role: "region",
      "aria-label": "The effective decay per step" }, [decayTable]),
  ]);

  root.append(
    el("div", { class: "wd-plots" }, [
      el("div", { class: "wd-plot" }, [weightsCanvas]),
      el("div", { class: "wd-plot" }, [decayCanvas]),
    ]),
    legend, controls, actions, status, tables
  );

  // ---- state <-> controls -------------------------------------------------------------------
  const nearestIndex = (values, x) => {
    let best = 0;
    for (let i = 1; i < values.length; i++) {
      if (Math.abs(Math.log(values[i] / x)) < Math.abs(Math.log(values[best] / x))) best = i;
    }
    return best;
  };
  const shownValue = (key) => settings.formatNumber(state[key]);

  function showState() {
    scheduleSelect.value = state.schedule;
    for (const { spec, input, shown } of Object.values(sliders)) {
      const x = state[spec.key];
      input.value = spec.values ? nearestIndex(spec.values, x) : x;
      let text = shownValue(spec.key);
      if (spec.key === "warmup" && state.schedule !== "warmup-cosine") text += " (not used)";
      shown.textContent = text;
      input.setAttribute("aria-valuetext", text);
    }
    link.href = location.pathname + settings.toQuery(state, SPEC);
  }

  function update(changes) {
    state = Object.assign({}, state, changes);
    showState();
    scheduleRender();
    scheduleHistory();
  }

  scheduleSelect.addEventListener("change", () => update({ schedule: scheduleSelect.value }));
  for (const { spec, input } of Object.values(sliders)) {
    input.addEventListener("input", () => {
      const i = Number(input.value);
      update({ [spec.key]: spec.values ? spec.values[i] : i });
    });
  }
  resetButton.addEventListener("click", () => {
    update(settings.defaults(SPEC));
    say("Reset to the default setting.");
  });

  let historyTimer = 0;
  function scheduleHistory() {
    clearTimeout(historyTimer);
    historyTimer = setTimeout(() => history.replaceState(null, "", link.href), 250);
  }
  let sayTimer = 0;
  function say(text) {
    clearTimeout(sayTimer);
    status.textContent = text;
  }
  function scheduleSummary() {
    clearTimeout(sayTimer);
    sayTimer = setTimeout(() => { status.textContent = summary(); }, 800);
  }

  // ---- theme ------------------------------------------------------------------------------
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
      lightest: colour("--md-default-fg-color--lightest"),
      font: getComputedStyle(root).fontFamily,
      scheme: document.body.getAttribute("data-md-color-scheme"),
    };
    for (const m of METHODS) theme[m.key] = colour("--wd-" + m.key);
  }
  new MutationObserver(() => { readTheme(); scheduleRender(); })
    .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  // ---- drawing ------------------------------------------------------------------------------
  // At most two device pixels per CSS pixel: sharp enough for lines, and a phone at three
  // would fill more than twice as many pixels for each redraw.
  const pixelRatio = () => Math.min(2, window.devicePixelRatio || 1);
  function sizeCanvas(canvas, width, height) {
    const dpr = pixelRatio();
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

  const DASHES = [[1.5, 3], [], [8, 4]];  // gradients 1e-3, 1, 1e3 (L2's lines)
  const minus = (s) => s.replace("-", "−");
  const decade = (d) => (d === 0 ? "1" : minus("1e" + d));

  // A panel: its frame, title, grid and ticks (drawn once into a background canvas, again
  // only when the layout, the scheme or the axes change), then its curves at every redraw.
  function geometry(box, y) {
    const pad = { left: y.log ? 44 : 34, right: 16, top: 18, bottom: 22 };
    const w = box.w - pad.left - pad.right, h = box.h - pad.top - pad.bottom;
    const x0 = box.x + pad.left, y0 = box.y + pad.top;
    const yOf = y.log
      ? (v) => y0 + (y.hi - Math.log10(v)) / (y.hi - y.lo) * h
      : (v) => y0 + (y.hi - v) / (y.hi - y.lo) * h;
    return { w, h, x0, y0, yOf };
  }

  function drawFrame(ctx, box, title, y, steps) {
    const { w, h, x0, y0, yOf } = geometry(box, y);
    ctx.font = `12px ${theme.font}`;
    ctx.fillStyle = theme.fg;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(title, x0, box.y + 2, w);
    ctx.strokeStyle = theme.lightest;
    ctx.fillStyle = theme.light;
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.beginPath();
    const ticks = [];
    if (y.log) {
      const every = Math.ceil((y.hi - y.lo) / 5);
      for (let d = y.hi; d >= y.lo; d--) if ((y.hi - d) % every === 0) ticks.push([10 ** d, decade(d)]);
    } else {
      const step = y.hi - y.lo > 2 ? 1 : y.hi - y.lo > 1 ? 0.5 : 0.25;
      for (let v = y.lo; v <= y.hi + 1e-9; v += step) ticks.push([v, String(Number(v.toPrecision(3)))]);
    }
    for (const [v, label] of ticks) {
      const py = yOf(v);
      ctx.moveTo(x0, py);
      ctx.lineTo(x0 + w, py);
      ctx.fillText(label, x0 - 4, py);
    }
    ctx.stroke();
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const k of [0, steps / 2, steps]) ctx.fillText(String(k), x0 + k / steps * w, y0 + h + 4);
    ctx.strokeStyle = theme.light;
    ctx.strokeRect(x0, y0, w, h);
  }

  // series: [{values, stride, offset, count, first, colour, dash}], at most one point a pixel
  function curves(ctx, box, series, y, steps) {
    const { w, h, x0, y0, yOf } = geometry(box, y);
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, y0 - 1, w, h + 2);
    ctx.clip();
    ctx.lineWidth = 1.8;
    ctx.lineJoin = "bevel";
    for (const s of series) {
      let every = Math.max(1, Math.floor(s.count / w));
      if (every > 1 && every % 2) every++;  // even steps only: the gradient's flip is no zig-zag
      ctx.strokeStyle = s.colour;
      ctx.setLineDash(s.dash || []);
      ctx.beginPath();
      let pen = false;
      for (let k = 0; k < s.count; k += every) {
        const v = s.values[k * s.stride + s.offset];
        if (!Number.isFinite(v) || (y.log && v <= 0)) { pen = false; continue; }
        const px = x0 + (k + s.first) / steps * w;
        const py = Math.max(y0 - 10, Math.min(y0 + h + 10, yOf(v)));
        if (pen) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
        pen = true;
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.restore();
  }

  // The background of a canvas: drawn by draw(ctx) when its key changes, else reused.
  const backgrounds = new Map();
  function withBackground(ctx, canvas, key, width, height, draw) {
    let bg = backgrounds.get(canvas);
    if (!bg || bg.key !== key) {
      const dpr = pixelRatio();
      const c = bg ? bg.canvas : document.createElement("canvas");
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
      const bctx = c.getContext("2d");
      bctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      draw(bctx);
      bg = { key, canvas: c };
      backgrounds.set(canvas, bg);
    }
    ctx.drawImage(bg.canvas, 0, 0, width, height);
  }
  const themeKey = () => [theme.scheme, theme.fg, theme.light, theme.font, pixelRatio()].join();

  function drawWeights() {
    const width = Math.max(260, weightsCanvas.parentElement.clientWidth);
    const columns = 2, panelH = width < 500 ? 130 : 150;
    const height = 2 * panelH;
    const ctx = sizeCanvas(weightsCanvas, width, height);
    const n = SCALES.length, steps = state.steps;
    let hi = 1;
    for (const m of METHODS) {
      const th = result[m.key].theta;
      for (let k = 0; k < th.length; k++) if (th[k] > hi && th[k] < Infinity) hi = th[k];
    }
    hi = Math.min(Math.ceil(hi * 10) / 10, 3);
    let normHi = Math.sqrt(3);
    for (const m of METHODS) {
      const v = norms[m.key];
      for (let k = 0; k < v.length; k++) if (v[k] > normHi && v[k] < Infinity) normHi = v[k];
    }
    normHi = Math.min(Math.ceil(normHi * 5) / 5, 5);
    const boxes = [];
    for (let p = 0; p < 4; p++) {
      boxes.push({ x: (p % columns) * width / columns, y: Math.floor(p / columns) * panelH,
        w: width / columns, h: panelH });
    }
    const axes = [0, 1, 2].map(() => ({ log: false, lo: 0, hi })).concat(
      [{ log: false, lo: 0, hi: normHi }]);
    const titles = SCALES.map((scale) => `weight, s = ${scaleName(scale)}`).concat(
      ["norm of the three weights"]);
    withBackground(ctx, weightsCanvas, [width, height, hi, normHi, steps, themeKey()].join(),
      width, height, (bctx) => boxes.forEach((box, p) => drawFrame(bctx, box, titles[p], axes[p], steps)));
    SCALES.forEach((_, i) => {
      curves(ctx, boxes[i], METHODS.map((m) => ({ values: result[m.key].theta, stride: n, offset: i,
        count: steps + 1, first: 0, colour: theme[m.key] })), axes[i], steps);
    });
    curves(ctx, boxes[3], METHODS.map((m) => ({ values: norms[m.key], stride: 1, offset: 0,
      count: steps + 1, first: 0, colour: theme[m.key] })), axes[3], steps);
  }

  function drawDecay() {
    const width = Math.max(260, decayCanvas.parentElement.clientWidth);
    const height = width < 500 ? 220 : 300;
    const ctx = sizeCanvas(decayCanvas, width, height);
    const n = SCALES.length, steps = state.steps;
    let largest = 0, smallest = Infinity;  // of the positive, finite decays
    for (const m of METHODS) {
      const d = result[m.key].decay;
      for (let k = 0; k < d.length; k++) {
        const v = d[k];
        if (v > 0 && v < Infinity) {
          if (v > largest) largest = v;
          if (v < smallest) smallest = v;
        }
      }
    }
    let top = 0, low = -1;
    if (largest > 0) { top = Math.ceil(Math.log10(largest)); low = Math.floor(Math.log10(smallest)); }
    top = Math.min(top, 2);
    low = Math.max(low, top - 12);
    if (top - low < 2) low = top - 2;
    const series = [];
    SCALES.forEach((_, i) => series.push({ values: result.l2.decay, stride: n, offset: i,
      count: steps, first: 1, colour: theme.l2, dash: DASHES[i] }));
    for (const key of ["adamw", "paper"]) {
      series.push({ values: result[key].decay, stride: n, offset: 0, count: steps, first: 1,
        colour: theme[key] });
    }
    const box = { x: 0, y: 0, w: width, h: height }, axis = { log: true, lo: low, hi: top };
    withBackground(ctx, decayCanvas, [width, height, low, top, steps, themeKey()].join(),
      width, height, (bctx) => drawFrame(bctx, box,
        "effective decay per step (log scale): the fraction decay alone takes off", axis, steps));
    curves(ctx, box, series, axis, steps);
  }

  // ---- tables and words -----------------------------------------------------------------
  let norms = {};
  const methodLabel = (key) => METHODS.find((m) => m.key === key).label;

  function head(cells) {
    return el("thead", {}, [el("tr", {}, cells.map((c) => el("th", { scope: "col", text: c })))]);
  }

  // The two tables: built once (their rows do not change), their cells filled at each redraw.
  const finalCaption = el("caption");
  const finalCells = {};
  const decayCells = [];
  const decayCaption = el("caption", { text: "The effective decay per step: the fraction of a " +
    "weight that decay alone takes off; kept: what decay alone leaves of it over the run" });
  const lastStepHeader = el("th", { scope: "col" });
  function buildTables() {
    const finalBody = el("tbody");
    for (const m of METHODS) {
      const cells = [0, 1, 2, 3].map(() => el("td"));
      finalCells[m.key] = cells;
      finalBody.append(el("tr", {}, [el("th", { scope: "row", text: m.label }), ...cells]));
    }
    finalTable.append(finalCaption,
      head(["method", ...SCALES.map((s) => `s = ${scaleName(s)}`), "norm"]), finalBody);
    const decayHead = head(["method, weight", "step 1", "largest (at step)"]);
    decayHead.firstChild.append(lastStepHeader, el("th", { scope: "col", text: "kept" }));
    const decayBody = el("tbody");
    for (const m of METHODS) {
      const which = m.key === "l2" ? SCALES.map((s, i) => [i, `s = ${scaleName(s)}`])
        : [[0, "every weight"]];
      for (const [i, name] of which) {
        const cells = [0, 1, 2, 3].map(() => el("td"));
        decayCells.push({ key: m.key, i, name, cells });
        decayBody.append(el("tr", {}, [el("th", { scope: "row", text: `${m.label}, ${name}` }),
          ...cells]));
      }
    }
    decayTable.append(decayCaption, decayHead, decayBody);
  }
  const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };

  let facts = null;
  function describe() {
    const n = SCALES.length, steps = state.steps;
    facts = {};
    setText(finalCaption, `The weights after step ${steps}, each started at 1, for gradients ` +
      "of scale s");
    for (const m of METHODS) {
      const last = Array.from(result[m.key].theta.subarray(steps * n, steps * n + n));
      facts[m.key] = { last, norm: norms[m.key][steps], decay: [] };
      [...last, norms[m.key][steps]].forEach((x, k) => setText(finalCells[m.key][k], fmt(x)));
    }
    setText(lastStepHeader, `step ${steps}`);
    for (const { key, i, name, cells } of decayCells) {
      const d = result[key].decay;
      let best = 0;
      for (let k = 1; k < steps; k++) if (d[k * n + i] > d[best * n + i]) best = k;
      facts[key].decay.push({ name, peak: d[best * n + i], at: best + 1 });
      const texts = [fmt(d[i]), `${fmt(d[best * n + i])} (${best + 1})`,
        fmt(d[(steps - 1) * n + i]), fmt(lab.keptByDecay(d, i))];
      texts.forEach((text, k) => setText(cells[k], text));
    }

    const schedule = SCHEDULES.find((s) => s.key === state.schedule).label;
    setAttr(weightsCanvas, "aria-label",
      `Four plots of the weights against the step, ${steps} steps, ${schedule} schedule: ` +
      "one for each gradient scale, with a line for each method, and one of the norm of the " +
      "three weights; the values after the last step are in the first table below.");
    setAttr(decayCanvas, "aria-label",
      "The effective decay per step against the step, on a log scale: L2 in Adam for each " +
      "gradient scale, and each AdamW, the same for every weight; the numbers are in the " +
      "second table below.");
  }
  const setAttr = (node, name, text) => {
    if (node.getAttribute(name) !== text) node.setAttribute(name, text);
  };

  function summary() {
    const schedule = SCHEDULES.find((s) => s.key === state.schedule).label;
    const parts = METHODS.map((m) => {
      const f = facts[m.key];
      const weights = m.key === "l2" ? f.last.map(fmt).join(", ") + " (gradients 1e−3, 1, 1e3)"
        : `${fmt(f.last[1])} for every weight`;
      const peak = f.decay.map((d) => fmt(d.peak)).join(", ");
      return `${m.label}: ${weights}, largest decay per step ${peak}`;
    });
    return `λ ${shownValue("lam")}, peak learning rate ${shownValue("lr")}, ${schedule}, ` +
      `${state.steps} steps. After the last step: ${parts.join("; ")}.`;
  }

  // ---- render -----------------------------------------------------------------------------
  const timings = [];
  let frame = 0;
  function scheduleRender() {
    if (!frame) frame = requestAnimationFrame(render);
  }
  function render() {
    frame = 0;
    const t0 = performance.now();
    result = lab.run(state);
    const n = SCALES.length;
    norms = {};
    for (const m of METHODS) {
      const th = result[m.key].theta, out = new Float64Array(state.steps + 1);
      for (let k = 0; k <= state.steps; k++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += th[k * n + i] * th[k * n + i];
        out[k] = Math.sqrt(sum);
      }
      norms[m.key] = out;
    }
    drawWeights();
    drawDecay();
    describe();
    const ms = performance.now() - t0;
    timings.push(ms);
    if (timings.length > 500) timings.shift();
    if (timings.length > 1) scheduleSummary();
    return ms;
  }

  // ---- go ---------------------------------------------------------------------------------
  root.hidden = false;
  buildTables();
  showState();
  setTimeout(() => {
    readTheme();
    render();
    let width = root.clientWidth;
    new ResizeObserver(() => {
      if (root.clientWidth !== width) { width = root.clientWidth; scheduleRender(); }
    }).observe(root);
  }, 0);

  window.adamWeightDecayLab = {
    state: () => Object.assign({}, state),
    result: () => result,
    timings,
    render,
    theme: () => Object.assign({}, theme),
  };
})();
