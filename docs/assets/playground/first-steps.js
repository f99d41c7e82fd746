/* The first steps, step by step: Algorithm 1's numbers for each of the first steps.

   The arithmetic (the presets, the reading of typed gradients, the table, its CSV and the
   lab's settings) is a port of snippets/first_steps_lab.py, checked against it in node by
   tests/test_first_steps_lab.py; it runs in node (require) and in the browser, where the
   rest of this file builds the lab inside #first-steps-app: the controls, the table, a
   plot of the step against t and the link to the current setting. settings.js (loaded
   first in the browser) reads and writes the link. */
(function (root) {
  "use strict";
  const inNode = typeof module === "object" && module.exports;
  const settings = inNode ? require("./settings.js") : root.AdamLabSettings;

  // ---- the arithmetic: a port of snippets/first_steps_lab.py ----------------------------
  const MAX_STEPS = 50;
  const PRESETS = ["constant", "noisy", "growing", "outlier"];
  const OUTLIER_STEP = 5, OUTLIER = 100;
  const NOISY = [
    1.65, 0.64, -0.86, 0.11, -0.04, 0.07, 0.9, -0.98, 1.27, -0.83,
    0.11, 1.19, 0.96, -0.39, 2.07, 0.67, -0.65, 0.34, -0.53, 0.73,
    -1.04, 0.78, -1.47, 1.4, 0.57, 1.66, -0.41, -1.79, -1.07, 0.06,
    2.26, 0.87, 1.61, -0.58, -0.23, -0.03, 1.47, -0.26, 0.01, 1.92,
    -0.57, 0.27, -1.04, 0.06, 1.13, 1.49, -1.09, -2.23, 0.84, 1.97,
  ];
  const COLUMNS = ["t", "g", "m", "v", "m_hat", "v_hat", "step", "step_uncorrected"];
  const GRAD_LIMIT = 1e6;

  // What a link may carry (settings.js): any query string gives a state within these.
  const SPEC = {
    preset: { kind: "choice", value: "constant", options: PRESETS.concat(["typed"]) },
    steps: { kind: "number", value: 20, min: 1, max: MAX_STEPS, integer: true },
    grads: { kind: "list", value: [1, 0.5, -1, 2], min: -GRAD_LIMIT, max: GRAD_LIMIT,
      length: [1, MAX_STEPS] },
    alpha: { kind: "number", value: 0.001, min: 1e-6, max: 1 },
    beta1: { kind: "number", value: 0.9, min: 0, max: 0.999 },
    beta2: { kind: "number", value: 0.999, min: 0, max: 0.9999 },
    eps: { kind: "number", value: 1e-8, min: 1e-16, max: 1 },
  };

  function presetGradients(name, steps) {
    const out = [];
    for (let t = 1; t <= steps; t++) {
      if (name === "constant") out.push(1);
      else if (name === "noisy") out.push(NOISY[t - 1]);
      else if (name === "growing") out.push(0.1 * t);
      else if (name === "outlier") out.push(t === OUTLIER_STEP ? OUTLIER : 1);
      else throw new Error(`unknown preset ${JSON.stringify(name)}`);
    }
    return out;
  }

  const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

  // {grads} from comma-separated text, or {error}: what to fix, in the Python's words.
  function parseGradients(text) {
    if (text.trim() === "") return { error: "Type at least one number, for example 1, 0.5, -2." };
    const items = text.split(",");
    if (items.length > MAX_STEPS) {
      return { error: `That is ${items.length} numbers: the table shows at most ${MAX_STEPS}.` };
    }
    const grads = [];
    for (let i = 1; i <= items.length; i++) {
      const item = items[i - 1].trim();
      if (item === "") return { error: `Number ${i} is missing: remove the extra comma or type a number.` };
      if (!NUMBER.test(item)) {
        return { error: `Number ${i}, “${item}”, is not a number: write it as 2, -0.5 or 1e-3.` };
      }
      const x = Number(item);
      if (!(x >= -GRAD_LIMIT && x <= GRAD_LIMIT)) {
        return { error: `Number ${i}, ${item}, is too large: keep each gradient from -1e6 to 1e6.` };
      }
      grads.push(x);
    }
    return { grads };
  }

  // Algorithm 1 step by step: {column: Float64Array}, one entry a step, as the Python's.
  function firstStepsTable(grads, alpha, beta1, beta2, eps) {
    const n = grads.length;
    const out = {};
    for (const c of COLUMNS) out[c] = new Float64Array(n);
    let m = 0, v = 0;
    for (let k = 0; k < n; k++) {
      const t = k + 1, g = grads[k];
      m = beta1 * m + (1 - beta1) * g;
      v = beta2 * v + (1 - beta2) * (g * g);
      const mHat = m / (1 - Math.pow(beta1, t));
      const vHat = v / (1 - Math.pow(beta2, t));
      out.t[k] = t;
      out.g[k] = g;
      out.m[k] = m;
      out.v[k] = v;
      out.m_hat[k] = mHat;
      out.v_hat[k] = vHat;
      out.step[k] = alpha * mHat / (Math.sqrt(vHat) + eps);
      out.step_uncorrected[k] = alpha * m / (Math.sqrt(v) + eps);
    }
    return out;
  }

  // The table as CSV: a header, then one line a step, each number to full precision.
  function tableCsv(table) {
    const lines = [COLUMNS.join(",")];
    for (let k = 0; k < table.t.length; k++) lines.push(COLUMNS.map((c) => String(table[c][k])).join(","));
    return lines.join("\n") + "\n";
  }

  const gradientsOf = (s) => (s.preset === "typed" ? s.grads.slice() : presetGradients(s.preset, s.steps));
  const tableOf = (s) => firstStepsTable(gradientsOf(s), s.alpha, s.beta1, s.beta2, s.eps);

  // The link carries what the table depends on: a preset's length, or the typed numbers.
  function specFor(s) {
    const spec = Object.assign({}, SPEC);
    if (s.preset === "typed") delete spec.steps;
    else delete spec.grads;
    return spec;
  }
  const fromQuery = (search) => settings.fromQuery(search, SPEC);
  const toQuery = (s) => settings.toQuery(s, specFor(s));

  // A number for the table: four significant digits, powers of ten written as 1e-8.
  function show(x) {
    if (x === 0) return "0";
    if (!Number.isFinite(x)) return String(x);
    const a = Math.abs(x);
    if (a >= 1e-4 && a < 1e5) return String(Number(x.toPrecision(4)));
    const [mantissa, exponent] = x.toExponential(3).split("e");
    return String(Number(mantissa)) + "e" + exponent.replace("+", "");
  }
  // A number for a text field: short, and read back as (about) the same number.
  const short = (x) => String(Number(x.toPrecision(12)));

  const lab = { MAX_STEPS, PRESETS, OUTLIER_STEP, OUTLIER, NOISY, COLUMNS, SPEC, presetGradients,
    parseGradients, firstStepsTable, tableCsv, gradientsOf, tableOf, fromQuery, toQuery, show };
  if (inNode) {
    module.exports = lab;
    return;
  }
  root.AdamFirstStepsLab = lab;
  const app = document.getElementById("first-steps-app");
  if (!app) return;
  if (!settings) throw new Error("first-steps.js: settings.js did not load before it");

  // ---- the page: controls ---------------------------------------------------------------
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

  const clean = (x) => Number(x.toPrecision(12));
  const ALPHAS = [];
  for (let e = -6; e < 0; e++) for (const m of [1, 2, 3, 5]) ALPHAS.push(clean(m * 10 ** e));
  ALPHAS.push(1);
  const EPSILONS = [];
  for (let e = -16; e <= 0; e++) EPSILONS.push(Number("1e" + e));
  const BETA1S = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99,
    0.995, 0.999];
  const BETA2S = [0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999];
  const logOf = (x) => Math.log(Math.max(x, 1e-300));
  const SLIDERS = [
    { key: "steps", label: "Steps shown", range: [1, MAX_STEPS] },
    { key: "alpha", label: "Learning rate α", values: ALPHAS, scale: logOf },
    { key: "beta1", label: "β<sub>1</sub>, decay of m", values: BETA1S, scale: (b) => -logOf(1 - b) },
    { key: "beta2", label: "β<sub>2</sub>, decay of v", values: BETA2S, scale: (b) => -logOf(1 - b) },
    { key: "eps", label: "ε, added to √v̂", values: EPSILONS, scale: logOf },
  ];
  const PRESET_LABELS = {
    constant: "Constant: 1 at every step",
    noisy: "Noisy: mean about 0.3, spread about 1",
    growing: "Growing: 0.1 t",
    outlier: `One outlier: ${OUTLIER} at step ${OUTLIER_STEP}, 1 elsewhere`,
    typed: "Your own numbers",
  };

  let state = fromQuery(location.search);
  let table = null;

  const presetSelect = el("select", { id: "fs-preset" },
    SPEC.preset.options.map((p) => el("option", { value: p, text: PRESET_LABELS[p] })));
  const gradsInput = el("input", { type: "text", id: "fs-grads", inputmode: "decimal",
    autocomplete: "off", spellcheck: "false", "aria-describedby": "fs-grads-help fs-grads-error" });
  const gradsHelp = el("p", { class: "fs-help", id: "fs-grads-help",
    text: `Comma-separated, g₁ first, at most ${MAX_STEPS} numbers; typing here makes them your own sequence.` });
  const gradsError = el("p", { class: "fs-error", id: "fs-grads-error", "aria-live": "assertive" });

  const controls = el("div", { class: "pg-controls" }, [
    el("div", { class: "pg-control fs-wide" }, [el("label", { for: "fs-preset", text: "Gradient sequence" }), presetSelect]),
    el("div", { class: "pg-control fs-wide fs-grads" }, [
      el("label", { for: "fs-grads", text: "Gradients g₁, g₂, …" }), gradsInput, gradsHelp, gradsError]),
  ]);
  const sliders = {};
  for (const spec of SLIDERS) {
    const id = "fs-" + spec.key;
    const input = spec.values
      ? el("input", { type: "range", id, min: 0, max: spec.values.length - 1, step: 1 })
      : el("input", { type: "range", id, min: spec.range[0], max: spec.range[1], step: 1 });
    const shown = el("span", { class: "pg-value", "aria-hidden": "true" });
    controls.append(el("div", { class: "pg-control pg-slider" }, [
      el("label", { for: id, html: spec.label }), shown, input]));
    sliders[spec.key] = { spec, input, shown };
  }

  const link = el("a", { class: "pg-link", href: "?", text: "Link to this setting" });
  const csvButton = el("button", { type: "button", class: "md-button", text: "Copy the table as CSV" });
  const resetButton = el("button", { type: "button", class: "md-button", text: "Reset" });
  const copied = el("p", { class: "fs-copied", role: "status" });
  const csvFallback = el("textarea", { class: "fs-csv", readonly: "", rows: 6,
    "aria-label": "The table as CSV: select it and copy" });
  csvFallback.hidden = true;
  const status = el("p", { class: "pg-status", role: "status" });

  const canvas = el("canvas", { class: "fs-plot", role: "img" });
  const legend = el("ul", { class: "pg-legend", "aria-hidden": "true" }, [
    el("li", {}, [el("span", { class: "pg-swatch fs-corrected" }), el("span", { text: "with bias correction (Adam)" })]),
    el("li", {}, [el("span", { class: "pg-swatch pg-dashed fs-uncorrected" }), el("span", { text: "without" })]),
  ]);

  // The caption, read by screen readers with the table; the same words shown above its box,
  // which scrolls sideways on a narrow screen.
  const caption = el("caption", { class: "fs-sr" });
  const captionShown = el("p", { class: "fs-caption", "aria-hidden": "true" });
  const head = el("thead", { html: "<tr>" + [
    ["t", "step t"], ["g<sub>t</sub>", "gradient g"], ["m<sub>t</sub>", "m"], ["v<sub>t</sub>", "v"],
    ["m̂<sub>t</sub>", "m hat"], ["v̂<sub>t</sub>", "v hat"],
    ["step, corrected<br><small>α m̂ / (√v̂ + ε)</small>", "step with bias correction"],
    ["step, uncorrected<br><small>α m / (√v + ε)</small>", "step without bias correction"],
  ].map(([html, spoken]) => `<th scope="col"><span aria-hidden="true">${html}</span>` +
    `<span class="fs-sr">${spoken}</span></th>`).join("") + "</tr>" });
  const body = el("tbody");
  const tableBox = el("div", { class: "fs-table-box", tabindex: "0", role: "region",
    "aria-labelledby": "fs-caption" }, [el("table", { class: "fs-table" }, [caption, head, body])]);
  caption.id = "fs-caption";

  app.append(controls,
    el("p", { class: "pg-actions" }, [link, csvButton, resetButton]), copied, csvFallback,
    captionShown, tableBox, el("div", { class: "fs-plot-box" }, [canvas, legend]), status);

  function nearestIndex(values, x, scale) {
    let best = 0;
    for (let i = 1; i < values.length; i++) {
      if (Math.abs(scale(values[i]) - scale(x)) < Math.abs(scale(values[best]) - scale(x))) best = i;
    }
    return best;
  }
  const fmt = settings.formatNumber;

  function showState() {
    presetSelect.value = state.preset;
    const typed = state.preset === "typed";
    if (document.activeElement !== gradsInput) {
      gradsInput.value = gradientsOf(state).map(short).join(", ");
      gradsError.textContent = "";
      gradsInput.removeAttribute("aria-invalid");
    }
    for (const { spec, input, shown } of Object.values(sliders)) {
      const x = spec.key === "steps" && typed ? state.grads.length : state[spec.key];
      input.value = spec.values ? nearestIndex(spec.values, x, spec.scale) : x;
      shown.textContent = fmt(x);
      input.setAttribute("aria-valuetext", fmt(x));
    }
    sliders.steps.input.disabled = typed;  // your sequence sets the length
    link.href = location.pathname + toQuery(state);
  }

  function update(changes) {
    state = Object.assign({}, state, changes);
    copied.textContent = "";
    csvFallback.hidden = true;
    showState();
    scheduleRender();
    scheduleHistory();
  }

  presetSelect.addEventListener("change", () => {
    const preset = presetSelect.value;
    if (preset === "typed") update({ preset, grads: gradientsOf(state).slice(0, MAX_STEPS) });
    else update({ preset });
  });
  gradsInput.addEventListener("input", () => {
    const read = parseGradients(gradsInput.value);
    if (read.error) {
      gradsError.textContent = read.error + " The table still shows the last numbers that could be read.";
      gradsInput.setAttribute("aria-invalid", "true");
      return;
    }
    gradsError.textContent = "";
    gradsInput.removeAttribute("aria-invalid");
    update({ preset: "typed", grads: read.grads });
  });
  gradsInput.addEventListener("change", () => { if (!gradsInput.getAttribute("aria-invalid")) showState(); });
  for (const { spec, input } of Object.values(sliders)) {
    input.addEventListener("input", () => {
      const i = Number(input.value);
      update({ [spec.key]: spec.values ? spec.values[i] : i });
    });
  }
  resetButton.addEventListener("click", () => {
    update(settings.defaults(SPEC));
    gradsInput.value = gradientsOf(state).map(short).join(", ");
    gradsError.textContent = "";
    gradsInput.removeAttribute("aria-invalid");
    say("Reset to the default setting.");
  });
  csvButton.addEventListener("click", async () => {
    const csv = tableCsv(table);
    const rows = table.t.length;
    try {
      await navigator.clipboard.writeText(csv);
      copied.textContent = `Copied: ${rows} ${rows === 1 ? "row" : "rows"} and a header, as CSV.`;
    } catch (e) {
      csvFallback.value = csv;
      csvFallback.hidden = false;
      csvFallback.focus();
      csvFallback.select();
      copied.textContent = "This browser did not let the page copy: the CSV is selected below, copy it with Ctrl+C or ⌘C.";
    }
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

  // ---- theme: Material's colours, read again when the scheme changes ----------------------
  const probe = el("span", { "aria-hidden": "true" });
  probe.style.display = "none";
  app.append(probe);
  let theme = null;
  function readTheme() {
    const colour = (name) => {
      probe.style.color = `var(${name})`;
      return getComputedStyle(probe).color;
    };
    const style = getComputedStyle(app);
    theme = {
      fg: colour("--md-default-fg-color"),
      light: colour("--md-default-fg-color--light"),
      lightest: colour("--md-default-fg-color--lightest"),
      corrected: style.getPropertyValue("--fs-corrected").trim(),
      uncorrected: style.getPropertyValue("--fs-uncorrected").trim(),
      font: style.fontFamily,
      scheme: document.body.getAttribute("data-md-color-scheme"),
    };
  }
  new MutationObserver(() => { readTheme(); scheduleRender(); })
    .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  // ---- the table and the plot -------------------------------------------------------------
  function describeSettings() {
    return `α = ${fmt(state.alpha)}, β1 = ${fmt(state.beta1)}, β2 = ${fmt(state.beta2)}, ε = ${fmt(state.eps)}`;
  }
  // The table's rows, made when their number changes; a redraw then only rewrites the text
  // of the cells whose number changed (cheaper, on a phone, than parsing a new table body).
  const cellText = [];  // per row: the text nodes of its cells after the row header
  function drawTable() {
    const n = table.t.length;
    const what = state.preset === "typed" ? "your gradients" : `the ${state.preset} gradient`;
    captionShown.textContent = caption.textContent = `Algorithm 1's numbers for the first ${n} ` +
      `${n === 1 ? "step" : "steps"} of ${what}, with ${describeSettings()}. A step is what ` +
      "Adam subtracts from the parameter.";
    while (cellText.length > n) {
      cellText.pop();
      body.lastChild.remove();
    }
    while (cellText.length < n) {
      const row = el("tr", {}, [el("th", { scope: "row", text: String(cellText.length + 1) })]);
      const texts = [];
      for (let c = 1; c < COLUMNS.length; c++) {
        const text = document.createTextNode("");
        row.append(el("td", {}, [text]));
        texts.push(text);
      }
      body.append(row);
      cellText.push(texts);
    }
    for (let k = 0; k < n; k++) {
      const texts = cellText[k];
      for (let c = 1; c < COLUMNS.length; c++) {
        const shown = show(table[COLUMNS[c]][k]);
        if (texts[c - 1].data !== shown) texts[c - 1].data = shown;
      }
    }
  }

  function sizeCanvas(width, height) {
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

  function drawPlot() {
    const W = Math.max(200, plotWidth), H = 220;
    const ctx = sizeCanvas(W, H);
    const pad = { left: 44, right: 12, top: 24, bottom: 36 };
    const w = W - pad.left - pad.right, h = H - pad.top - pad.bottom;
    const n = table.t.length;
    const a = (x) => x / state.alpha;  // in alphas
    let lo = 0, hi = 1;
    for (let k = 0; k < n; k++) {
      for (const x of [a(table.step[k]), a(table.step_uncorrected[k])]) {
        if (Number.isFinite(x)) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
      }
    }
    hi += 0.05 * (hi - lo);
    const px = (t) => pad.left + (n === 1 ? w / 2 : (t - 1) / (n - 1) * w);
    const py = (y) => pad.top + (hi - y) / (hi - lo) * h;
    ctx.font = `12px ${theme.font}`;
    ctx.fillStyle = theme.fg;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText("step / α", pad.left, 4);
    // grid: a few round values, and 0 and 1 (a step of α)
    const span = hi - lo, raw = span / 4, mag = 10 ** Math.floor(Math.log10(raw));
    const tick = [1, 2, 5, 10].map((f) => f * mag).find((x) => x >= raw);
    ctx.strokeStyle = theme.lightest;
    ctx.fillStyle = theme.light;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let y = Math.ceil(lo / tick) * tick; y <= hi; y += tick) {
      const yy = py(y);
      ctx.moveTo(pad.left, yy);
      ctx.lineTo(pad.left + w, yy);
      ctx.fillText(String(Number(y.toPrecision(6))).replace("-", "−"), pad.left - 4, yy);
    }
    ctx.stroke();
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const ticks = n === 1 ? [1] : [1, Math.round((n + 1) / 2), n];
    for (const t of ticks) ctx.fillText(String(t), px(t), pad.top + h + 4);
    ctx.fillText("step t", pad.left + w / 2, pad.top + h + 19);
    ctx.strokeStyle = theme.light;
    ctx.strokeRect(pad.left, pad.top, w, h);
    const curve = (column, colour, dash) => {
      ctx.strokeStyle = ctx.fillStyle = colour;
      ctx.setLineDash(dash);
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let k = 0; k < n; k++) ctx.lineTo(px(k + 1), py(a(table[column][k])));
      ctx.stroke();
      ctx.setLineDash([]);
      if (n <= 50) {
        ctx.beginPath();
        for (let k = 0; k < n; k++) ctx.rect(px(k + 1) - 2, py(a(table[column][k])) - 2, 4, 4);
        ctx.fill();
      }
    };
    curve("step_uncorrected", theme.uncorrected, [6, 4]);
    curve("step", theme.corrected, []);
    canvas.setAttribute("aria-label", `The step divided by α against t, for t from 1 to ${n}, ` +
      `with bias correction (solid) and without (dashed); the table gives every value.`);
  }

  function summary() {
    const n = table.t.length;
    const last = n - 1;
    return `${n} ${n === 1 ? "step" : "steps"}, ${describeSettings()}. Step 1: ${show(table.step[0])} ` +
      `with bias correction, ${show(table.step_uncorrected[0])} without. Step ${n}: ` +
      `${show(table.step[last])} with, ${show(table.step_uncorrected[last])} without.`;
  }

  const timings = [];
  let frame = 0;
  function scheduleRender() {
    if (!frame) frame = requestAnimationFrame(render);
  }
  function render() {
    frame = 0;
    const t0 = performance.now();
    table = tableOf(state);
    drawTable();
    drawPlot();
    const ms = performance.now() - t0;
    timings.push(ms);
    if (timings.length > 500) timings.shift();
    if (timings.length > 1) {  // not on page load: only after a change
      clearTimeout(sayTimer);
      sayTimer = setTimeout(() => { status.textContent = summary(); }, 800);
    }
    return ms;
  }

  app.hidden = false;
  showState();
  readTheme();
  let plotWidth = canvas.parentElement.clientWidth;
  render();
  // The plot's width, read only when the page's width changes: reading it after the table
  // changed would make the browser lay the page out at once, inside the redraw.
  new ResizeObserver(() => {
    const width = canvas.parentElement.clientWidth;
    if (width !== plotWidth) { plotWidth = width; scheduleRender(); }
  }).observe(app);

  // For the tests: the state, the table, the CSV and how long each redraw took.
  window.adamFirstSteps = {
    state: () => JSON.parse(JSON.stringify(state)),
    table: () => Object.fromEntries(COLUMNS.map((c) => [c, Array.from(table[c])])),
    csv: () => tableCsv(table),
    theme: () => Object.assign({}, theme),
    timings,
    render,
  };
})(typeof globalThis !== "undefined" ? globalThis : this);
