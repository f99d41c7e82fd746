/* The ε lab: where ε goes, and the number format Adam runs in.

   The arithmetic (the first half) is a port of snippets/epsilon_lab.py, operation for
   operation, and runs in node too, where tests/test_epsilon_lab.py checks it against the
   Python bit for bit: every operation is done in double precision and rounded to the
   format, which gives the format's own correctly rounded result (a double holds more than
   twice the bits of float32, bfloat16 and float16, so rounding twice changes nothing).
   float32 rounds with Math.fround; float16 and bfloat16 with round-to-nearest-even below.

   The page (the second half) builds the lab inside #epsilon-app: its controls, the plot
   of the first step against the gradient, a table of it, the first steps at one gradient
   and the link to the setting (settings.js, loaded before this file). */
(function (root, factory) {
  const lab = factory();
  if (typeof module === "object" && module.exports) module.exports = lab;
  else root.AdamEpsilonLab = lab;
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  // ---- rounding to a format ---------------------------------------------------------
  const bits = new DataView(new ArrayBuffer(8));
  function pow2(k) {  // 2^k exactly, for -1022 <= k <= 1023
    bits.setUint32(0, (k + 1023) << 20);
    bits.setUint32(4, 0);
    return bits.getFloat64(0);
  }

  // Round to nearest, ties to even, to `p` significant bits, with the smallest step
  // 2^qmin (the subnormals') and the largest finite number `max` (above it: infinity).
  function rounder(p, qmin, max) {
    return function (x) {
      if (x !== x || x === 0 || x === Infinity || x === -Infinity) return x;
      const a = Math.abs(x);
      bits.setFloat64(0, a);
      const e = (bits.getUint32(0) >>> 20) - 1023;  // a's exponent (-1023: subnormal)
      const q = pow2(Math.max(e - (p - 1), qmin));  // the format's step near a
      const y = a / q;  // exact: a power of two (or below 0.5, which rounds to 0 anyway)
      const f = Math.floor(y), d = y - f;
      const r = (d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f) * q;
      const out = r > max ? Infinity : r;
      return x < 0 ? -out : out;
    };
  }

  const ROUND = {
    float64: (x) => x,
    float32: Math.fround,
    bfloat16: rounder(8, -133, (2 - 2 ** -7) * 2 ** 127),
    float16: rounder(11, -24, 65504),
  };
  const FORMATS = Object.keys(ROUND);
  const PLACEMENTS = ["algorithm1", "eps_hat", "eps_root", "atan2"];
  const ALPHA = 1e-3, BETA1 = 0.9, BETA2 = 0.999;
  const READOUT_STEPS = [1, 2, 3, 10, 100, 1000];
  const GRID_MANTISSAS = ["1", "1.25", "1.6", "2", "2.5", "3.2", "4", "5", "6.3", "8"];
  const GRID_DECADES = [-12, 2];

  function gradientGrid() {
    const out = [];
    for (let e = GRID_DECADES[0]; e < GRID_DECADES[1]; e++) {
      for (const m of GRID_MANTISSAS) out.push(Number(`${m}e${e}`));
    }
    out.push(Number(`1e${GRID_DECADES[1]}`));
    return out;
  }

  // Adam on steady gradients, every operation in `fmt`: as run() in epsilon_lab.py.
  // Returns {m, v, step, theta}, each a Float64Array of steps x grads.length, row by step.
  function run(grads, eps, where, fmt, steps) {
    if (!PLACEMENTS.includes(where) || !FORMATS.includes(fmt)) {
      throw new Error(`epsilon.js: unknown placement ${where} or format ${fmt}`);
    }
    const R = ROUND[fmt];
    const n = grads.length;
    const out = { m: new Float64Array(steps * n), v: new Float64Array(steps * n),
      step: new Float64Array(steps * n), theta: new Float64Array(steps * n) };
    const b1 = R(BETA1), c1 = R(1 - BETA1), b2 = R(BETA2), c2 = R(1 - BETA2);
    const lr = R(ALPHA), e = R(eps);
    for (let i = 0; i < n; i++) {
      const g = R(grads[i]);
      const gg = R(g * g);
      let m = 0, v = 0, theta = 1, p1 = 1, p2 = 1;
      for (let t = 0; t < steps; t++) {
        p1 *= BETA1;
        p2 *= BETA2;
        m = R(R(b1 * m) + R(c1 * g));
        v = R(R(b2 * v) + R(c2 * gg));
        let step;
        if (where === "eps_hat") {
          const at = R(ALPHA * Math.sqrt(1 - p2) / (1 - p1));
          step = R(R(at * m) / R(R(Math.sqrt(v)) + e));
        } else {
          const mh = R(m / R(1 - p1)), vh = R(v / R(1 - p2));
          let u;
          if (where === "algorithm1") u = R(mh / R(R(Math.sqrt(vh)) + e));
          else if (where === "eps_root") u = R(mh / R(Math.sqrt(R(vh + e))));
          else u = R(Math.atan2(mh, R(Math.sqrt(vh))));
          step = R(lr * u);
        }
        theta = R(theta - step);
        const k = t * n + i;
        out.m[k] = m;
        out.v[k] = v;
        out.step[k] = step;
        out.theta[k] = theta;
      }
    }
    return out;
  }

  // The first step over α, for each gradient: what the plot draws.
  function firstStep(grads, eps, where, fmt) {
    return Array.from(run(grads, eps, where, fmt, 1).step, (s) => s / ALPHA);
  }

  // The lab's settings, as a link carries them (settings.js reads and writes them).
  const SPEC = {
    eps: { kind: "number", value: 1e-8, min: 1e-16, max: 1 },
    where: { kind: "choice", value: "algorithm1", options: PLACEMENTS },
    format: { kind: "choice", value: "float32", options: FORMATS },
    g: { kind: "number", value: 1e-6, min: 1e-12, max: 100 },
  };

  // 3 significant digits; NaN, ∞ and 0 as they are.
  function formatValue(x) {
    if (Number.isNaN(x)) return "NaN";
    if (x === Infinity) return "∞";
    if (x === -Infinity) return "−∞";
    if (x === 0) return "0";
    const a = Math.abs(x);
    const text = a >= 1e-3 && a < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
    return text.replace("-", "−");
  }

  return { ROUND, FORMATS, PLACEMENTS, ALPHA, BETA1, BETA2, READOUT_STEPS, SPEC,
    gradientGrid, run, firstStep, formatValue, rounder };
});

// ---- the page ---------------------------------------------------------------------------
(function () {
  "use strict";
  if (typeof document === "undefined") return;  // node: the arithmetic only
  const root = document.getElementById("epsilon-app");
  if (!root) return;
  const lab = window.AdamEpsilonLab;
  const settings = window.AdamLabSettings;
  if (!settings) throw new Error("epsilon.js: settings.js did not load before it");
  const { SPEC, PLACEMENTS, FORMATS, ALPHA, READOUT_STEPS } = lab;
  const fmt = lab.formatValue;
  const short = settings.formatNumber;  // 1e-8, 0.002: as the link writes it

  const LABELS = {
    algorithm1: "Algorithm 1 (PyTorch, Optax, MLX): α m̂ / (√v̂ + ε)",
    eps_hat: "the paper's ε̂ (Keras): α_t m / (√v + ε)",
    eps_root: "inside the root (Optax's eps_root): α m̂ / √(v̂ + ε)",
    atan2: "none (Adam-atan2): α atan2(m̂, √v̂)",
  };
  const NAMES = { algorithm1: "Algorithm 1", eps_hat: "ε̂ (Keras)", eps_root: "in the root",
    atan2: "atan2" };  // the table's column heads
  const TITLES = { algorithm1: "Algorithm 1", eps_hat: "ε̂ (Keras)", eps_root: "inside the root",
    atan2: "Adam-atan2" };
  const DASHES = { algorithm1: [], eps_hat: [7, 4], eps_root: [2, 3], atan2: [10, 3, 2, 3] };
  const ladder = (lo, hi) => {  // 1, 2, 5 in each decade
    const out = [];
    for (let e = lo; e < hi; e++) for (const m of [1, 2, 5]) out.push(Number(`${m}e${e}`));
    out.push(Number(`1e${hi}`));
    return out;
  };
  const SLIDERS = {
    eps: { label: "ε", values: ladder(-16, 0) },
    g: { label: "Gradient |g| for the first steps", values: ladder(-12, 2) },
  };
  const GRID = lab.gradientGrid();
  const TABLE_GRADS = [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1, 100];

  let state = settings.fromQuery(location.search, SPEC);

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else if (k === "html") node.innerHTML = v;
      else node.setAttribute(k, v);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  // ---- controls ---------------------------------------------------------------------
  const sliders = {};
  const controls = el("div", { class: "pg-controls eps-controls" });
  for (const [key, spec] of Object.entries(SLIDERS)) {
    const id = "eps-" + key;
    const input = el("input", { type: "range", id, min: 0, max: spec.values.length - 1, step: 1 });
    const shown = el("span", { class: "pg-value", "aria-hidden": "true" });
    controls.append(el("div", { class: "pg-control pg-slider" }, [
      el("label", { for: id, text: spec.label }), shown, input]));
    sliders[key] = { spec, input, shown };
  }
  const radios = {};
  function radioGroup(key, legend, labels) {
    const box = el("fieldset", { class: "eps-radios" }, [el("legend", { text: legend })]);
    radios[key] = {};
    for (const option of SPEC[key].options) {
      const id = `eps-${key}-${option}`;
      const input = el("input", { type: "radio", name: "eps-" + key, id, value: option });
      radios[key][option] = input;
      box.append(el("div", { class: "eps-radio" }, [input,
        el("label", { for: id, text: labels[option] })]));
      input.addEventListener("change", () => { if (input.checked) update({ [key]: option }); });
    }
    return box;
  }
  controls.append(radioGroup("where", "Where ε goes", LABELS));
  controls.append(radioGroup("format", "Number format of every operation",
    Object.fromEntries(FORMATS.map((f) => [f, f]))));

  const canvas = el("canvas", { class: "eps-plot", role: "img", id: "eps-plot" });
  const legend = el("ul", { class: "pg-legend eps-legend", "aria-hidden": "true" });
  for (const key of PLACEMENTS) {
    const swatch = el("span", { class: "eps-swatch", "data-where": key });
    legend.append(el("li", {}, [swatch, el("span", { text: TITLES[key] })]));
  }
  const firstTable = el("table", { class: "eps-table", id: "eps-first" });
  const firstCaption = el("caption");
  firstTable.append(firstCaption);
  const firstHead = el("tr", {}, [el("th", { scope: "col", text: "|g|" }),
    ...PLACEMENTS.map((k) => el("th", { scope: "col", text: NAMES[k] }))]);
  const firstBody = el("tbody");
  firstTable.append(el("thead", {}, [firstHead]), firstBody);
  const firstCells = TABLE_GRADS.map((g) => {
    const cells = PLACEMENTS.map(() => el("td"));
    firstBody.append(el("tr", {}, [el("th", { scope: "row", text: short(g) }), ...cells]));
    return cells;
  });

  const readTable = el("table", { class: "eps-table", id: "eps-steps" });
  const readCaption = el("caption");
  const readBody = el("tbody");
  readTable.append(readCaption, el("thead", {}, [el("tr", {}, ["t", "m", "v", "step / α", "θ"]
    .map((h) => el("th", { scope: "col", text: h })))]), readBody);
  const readCells = READOUT_STEPS.map((t) => {
    const cells = [0, 1, 2, 3].map(() => el("td"));
    readBody.append(el("tr", {}, [el("th", { scope: "row", text: String(t) }), ...cells]));
    return cells;
  });
  const stored = el("p", { class: "eps-stored" });

  const link = el("a", { class: "pg-link", href: "?", text: "Link to this setting" });
  const copyButton = el("button", { type: "button", class: "md-button", text: "Copy link" });
  const resetButton = el("button", { type: "button", class: "md-button", text: "Reset" });
  const status = el("p", { class: "pg-status", role: "status" });

  root.append(
    controls,
    el("div", { class: "eps-plot-box" }, [canvas]), legend,
    el("div", { class: "eps-scroll", role: "region", tabindex: "0",
      "aria-label": "First steps at a few gradients" }, [firstTable]),
    el("div", { class: "eps-scroll", role: "region", tabindex: "0",
      "aria-label": "The first steps at one gradient" }, [readTable]), stored,
    el("p", { class: "pg-actions" }, [link, copyButton, resetButton]), status);

  // ---- state <-> controls ----------------------------------------------------------------
  function nearest(values, x) {
    let best = 0;
    for (let i = 1; i < values.length; i++) {
      if (Math.abs(Math.log(values[i] / x)) < Math.abs(Math.log(values[best] / x))) best = i;
    }
    return best;
  }
  function showState() {
    for (const [key, { spec, input, shown }] of Object.entries(sliders)) {
      input.value = nearest(spec.values, state[key]);
      shown.textContent = short(state[key]);
      input.setAttribute("aria-valuetext", short(state[key]));
    }
    for (const key of ["where", "format"]) {
      for (const [option, input] of Object.entries(radios[key])) input.checked = option === state[key];
    }
    link.href = location.pathname + settings.toQuery(state, SPEC);
  }
  function update(changes) {
    state = Object.assign({}, state, changes);
    showState();
    scheduleRender();
    scheduleHistory();
  }
  for (const [key, { spec, input }] of Object.entries(sliders)) {
    input.addEventListener("input", () => update({ [key]: spec.values[Number(input.value)] }));
  }
  resetButton.addEventListener("click", () => {
    update(settings.defaults(SPEC));
    status.textContent = "Reset to the default setting.";
  });
  copyButton.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(link.href);
      status.textContent = "Link copied.";
    } catch (e) {
      status.textContent = "Could not copy: use the link's menu to copy it.";
    }
  });
  let historyTimer = 0;
  function scheduleHistory() {
    clearTimeout(historyTimer);
    historyTimer = setTimeout(() => history.replaceState(null, "", link.href), 250);
  }
  let sayTimer = 0;
  function scheduleSummary() {
    clearTimeout(sayTimer);
    sayTimer = setTimeout(() => { status.textContent = summary; }, 800);
  }

  // ---- colours from the page's scheme ------------------------------------------------------
  const probe = el("span", { "aria-hidden": "true" });
  probe.style.display = "none";
  root.append(probe);
  let theme = null;
  function readTheme() {
    const colour = (value) => {
      probe.style.color = value;
      return getComputedStyle(probe).color;
    };
    theme = {
      fg: colour("var(--md-default-fg-color)"),
      light: colour("var(--md-default-fg-color--light)"),
      lightest: colour("var(--md-default-fg-color--lightest)"),
      font: getComputedStyle(root).fontFamily,
      scheme: document.body.getAttribute("data-md-color-scheme"),
      lines: Object.fromEntries(PLACEMENTS.map((k) => [k, colour(`var(--eps-${k})`)])),
    };
  }
  new MutationObserver(() => { readTheme(); scheduleRender(); })
    .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  // ---- the plot ------------------------------------------------------------------------------
  const Y_TOP = 1, Y_BOTTOM = -14;  // decades of step / α
  const X_LO = -12, X_HI = 2;
  function drawPlot(curves) {
    const dpr = window.devicePixelRatio || 1;
    const W = Math.max(240, canvas.parentElement.clientWidth);
    const H = Math.round(Math.min(360, Math.max(240, W * 0.6)));
    if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(H * dpr)) {
      canvas.width = Math.round(W * dpr);
      canvas.height = Math.round(H * dpr);
      canvas.style.height = H + "px";
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const pad = { left: 60, right: 14, top: 30, bottom: 52 };
    const band = 16;  // the strips for NaN / ∞ (top) and 0 (bottom)
    const w = W - pad.left - pad.right, h = H - pad.top - pad.bottom;
    const px = (g) => pad.left + (Math.log10(g) - X_LO) / (X_HI - X_LO) * w;
    const inner = h - 2 * band;
    const py = (y) => {
      if (Number.isNaN(y) || !Number.isFinite(y)) return pad.top + band / 2;
      if (y <= 0) return pad.top + h - band / 2;
      const d = Math.max(Y_BOTTOM, Math.min(Y_TOP, Math.log10(y)));
      return pad.top + band + (Y_TOP - d) / (Y_TOP - Y_BOTTOM) * inner;
    };
    ctx.font = `12px ${theme.font}`;
    ctx.fillStyle = theme.fg;
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText(`first step / α, in ${state.format}, ε = ${short(state.eps)}`, pad.left, 6);
    ctx.strokeStyle = theme.lightest;
    ctx.fillStyle = theme.light;
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.beginPath();
    for (let d = Y_TOP; d >= Y_BOTTOM; d--) {
      if (d % 3) continue;
      const y = py(10 ** d);
      ctx.moveTo(pad.left, y);
      ctx.lineTo(pad.left + w, y);
      ctx.fillText(d === 0 ? "1" : "1e" + String(d).replace("-", "−"), pad.left - 4, y);
    }
    ctx.fillText("NaN/∞", pad.left - 4, pad.top + band / 2);
    ctx.fillText("0", pad.left - 4, pad.top + h - band / 2);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const every = w > 480 ? 2 : 4;  // labels: every second or fourth decade
    for (let d = X_LO; d <= X_HI; d += 2) {
      const x = px(10 ** d);
      ctx.moveTo(x, pad.top);
      ctx.lineTo(x, pad.top + h);
      if ((d - X_LO) % every === 0) {
        ctx.fillText(d === 0 ? "1" : "1e" + String(d).replace("-", "−"), x, pad.top + h + 4);
      }
    }
    ctx.stroke();
    ctx.fillText("gradient |g| (log scale)", pad.left + w / 2, pad.top + h + 22);
    ctx.strokeStyle = theme.light;
    ctx.strokeRect(pad.left, pad.top, w, h);
    ctx.beginPath();
    ctx.moveTo(pad.left, pad.top + band);
    ctx.lineTo(pad.left + w, pad.top + band);
    ctx.moveTo(pad.left, pad.top + h - band);
    ctx.lineTo(pad.left + w, pad.top + h - band);
    ctx.stroke();
    // the readout's gradient
    ctx.strokeStyle = theme.fg;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(px(state.g), pad.top);
    ctx.lineTo(px(state.g), pad.top + h);
    ctx.stroke();
    ctx.setLineDash([]);
    // the curves: the chosen placement last and bold; a NaN, ∞ or 0 as a dot in its strip
    const order = PLACEMENTS.filter((k) => k !== state.where).concat([state.where]);
    ctx.lineJoin = "round";
    for (const key of order) {
      const ys = curves[key];
      const chosen = key === state.where;
      ctx.strokeStyle = ctx.fillStyle = theme.lines[key];
      ctx.lineWidth = chosen ? 3 : 1.5;
      ctx.setLineDash(DASHES[key]);
      ctx.beginPath();
      let open = false;
      for (let i = 0; i < GRID.length; i++) {
        const y = ys[i];
        if (Number.isFinite(y) && y > 0) {
          const x = px(GRID[i]), yy = py(y);
          if (open) ctx.lineTo(x, yy); else ctx.moveTo(x, yy);
          open = true;
        } else open = false;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      const r = chosen ? 2.2 : 1.4;
      ctx.beginPath();
      for (let i = 0; i < GRID.length; i++) {
        const y = ys[i];
        if (!(Number.isFinite(y) && y > 0)) ctx.rect(px(GRID[i]) - r, py(y) - r, 2 * r, 2 * r);
      }
      ctx.fill();
    }
  }

  // ---- what the plot shows, in words ----------------------------------------------------------
  const kind = (y) => (Number.isNaN(y) ? "NaN" : !Number.isFinite(y) ? "infinite" : y === 0 ? "0" : "finite");
  function describeCurve(ys) {  // the runs of NaN, ∞, 0 and finite steps over the grid
    const runs = [];
    for (let i = 0; i < GRID.length; i++) {
      const k = kind(ys[i]);
      if (runs.length && runs[runs.length - 1].k === k) runs[runs.length - 1].to = i;
      else runs.push({ k, from: i, to: i });
    }
    return runs.map((r) => {
      const range = r.from === r.to ? `at ${short(GRID[r.from])}`
        : `from ${short(GRID[r.from])} to ${short(GRID[r.to])}`;
      if (r.k !== "finite") return `${r.k} ${range}`;
      return `finite ${range} (${fmt(ys[r.from])} to ${fmt(ys[r.to])} times α)`;
    }).join("; ");
  }

  let summary = "";
  const timings = [];
  let frame = 0;
  function scheduleRender() {
    if (!frame) frame = requestAnimationFrame(render);
  }
  let curves = null, readout = null;
  function render() {
    frame = 0;
    const t0 = performance.now();
    curves = {};
    for (const key of PLACEMENTS) curves[key] = lab.firstStep(GRID, state.eps, key, state.format);
    const steps = READOUT_STEPS[READOUT_STEPS.length - 1];
    readout = lab.run([state.g], state.eps, state.where, state.format, steps);
    drawPlot(curves);
    // the table of first steps at a few gradients
    const table = {};
    for (const key of PLACEMENTS) table[key] = lab.firstStep(TABLE_GRADS, state.eps, key, state.format);
    firstCaption.textContent = `First step / α for a steady gradient |g|, in ${state.format}, ` +
      `ε = ${short(state.eps)}, α = ${short(ALPHA)}`;
    TABLE_GRADS.forEach((g, i) => PLACEMENTS.forEach((key, j) => {
      firstCells[i][j].textContent = fmt(table[key][i]);
      firstCells[i][j].classList.toggle("eps-chosen", key === state.where);
    }));
    readCaption.textContent = `The first steps of ${TITLES[state.where]} at |g| = ${short(state.g)}, ` +
      `in ${state.format}, from m = v = 0 and θ = 1`;
    READOUT_STEPS.forEach((t, i) => {
      const k = t - 1;
      [readout.m[k], readout.v[k], readout.step[k] / ALPHA, readout.theta[k]]
        .forEach((x, j) => { readCells[i][j].textContent = fmt(x); });
    });
    const R = lab.ROUND[state.format];
    stored.textContent = `In ${state.format}: ε = ${short(state.eps)} is stored as ${fmt(R(state.eps))}, ` +
      `|g| = ${short(state.g)} as ${fmt(R(state.g))}, β2 = 0.999 as ${fmt(R(lab.BETA2))}, ` +
      `1 − β2 as ${fmt(R(1 - lab.BETA2))}, α as ${fmt(R(ALPHA))}.`;
    summary = `In ${state.format} with ε = ${short(state.eps)}, the first step of ` +
      `${TITLES[state.where]} over gradients from 1e-12 to 100 is ` +
      `${describeCurve(curves[state.where])}. At |g| = ${short(state.g)}, step ` +
      `${READOUT_STEPS[READOUT_STEPS.length - 1]} is ${fmt(readout.step[steps - 1] / ALPHA)} times α.`;
    canvas.setAttribute("aria-label", `Log-log plot of the first step over α against the ` +
      `gradient, one curve for each place of ε, in ${state.format}. ${summary}`);
    const ms = performance.now() - t0;
    timings.push(ms);
    if (timings.length > 500) timings.shift();
    if (timings.length > 1) scheduleSummary();
    return ms;
  }

  root.hidden = false;
  showState();
  readTheme();
  render();
  let width = root.clientWidth;
  new ResizeObserver(() => {
    if (root.clientWidth !== width) { width = root.clientWidth; scheduleRender(); }
  }).observe(root);

  window.adamEpsilonLab = {
    state: () => Object.assign({}, state),
    curves: () => curves,
    readout: () => readout,
    summary: () => summary,
    timings,
    render,
  };
})();
