/* The translator of /frameworks/: a port of snippets/translate.py, and its form.

   translate(framework, optimizer, to, hyperparameters) returns what the Python returns
   ({framework, optimizer, kwargs, code, exact, notes}), or throws the same message; a test
   runs both on every case of the grid of tests/test_translate.py and compares them. Runs in
   node (require) and in the browser (window.AdamTranslate), where the form below uses it
   and keeps its state in the link through settings.js. */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.AdamTranslate = factory();
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  // snippets/framework_defaults.json (a test checks that the two are the same)
  const DEFAULTS = {
    versions: { torch: "2.13.0", optax: "0.2.8", keras: "3.15.1", mlx: "0.32.4" },
    optimizers: {
      torch: {
        Adam: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-08, weight_decay: 0, amsgrad: false, maximize: false, decoupled_weight_decay: false },
        AdamW: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-08, weight_decay: 0.01, amsgrad: false, maximize: false },
      },
      optax: {
        adam: { learning_rate: "required", b1: 0.9, b2: 0.999, eps: 1e-08, eps_root: 0.0 },
        adamw: { learning_rate: "required", b1: 0.9, b2: 0.999, eps: 1e-08, eps_root: 0.0, weight_decay: 0.0001 },
      },
      keras: {
        Adam: { learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-07, amsgrad: false, weight_decay: null },
        AdamW: { learning_rate: 0.001, weight_decay: 0.004, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-07, amsgrad: false },
      },
      mlx: {
        Adam: { learning_rate: "required", betas: [0.9, 0.999], eps: 1e-08, bias_correction: false },
        AdamW: { learning_rate: "required", betas: [0.9, 0.999], eps: 1e-08, weight_decay: 0.01, bias_correction: false },
      },
      numpy: {
        Adam: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-08, weight_decay: 0.0, amsgrad: false, maximize: false, decoupled_weight_decay: false },
      },
    },
  };
  const FRAMEWORKS = ["torch", "optax", "keras", "mlx", "numpy"];
  const REQUIRED = "required";
  const NAMES = { torch: "PyTorch", optax: "Optax", keras: "Keras", mlx: "MLX", numpy: "the reference Adam" };
  const PREFIX = { torch: "torch.optim.", optax: "optax.", keras: "keras.optimizers.", mlx: "mlx.optimizers.", numpy: "" };
  const TAKES_PARAMS = ["torch", "numpy"];
  const STEPS = 1000;
  const EPS32 = Math.pow(2, -23);
  const own = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  const optimizersOf = (fw) => Object.keys(DEFAULTS.optimizers[fw]);

  // ---- numbers as Python writes them -------------------------------------------------------
  function floatRepr(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const [mantissa, exp] = x.toExponential().split("e");  // the shortest digits, as Python
    const e = Number(exp), sign = mantissa[0] === "-" ? "-" : "";
    const digits = mantissa.replace("-", "").replace(".", "");
    if (e < -4 || e >= 16) {
      const m = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
      return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    }
    if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
    const whole = digits.slice(0, e + 1).padEnd(e + 1, "0");
    const fraction = digits.slice(e + 1);
    return `${sign}${whole}.${fraction || "0"}`;
  }

  // A value as Python source; pair: "tuple" or "list" for two numbers.
  function literal(x, pair) {
    if (Array.isArray(x)) {
      const inner = x.map((v) => literal(v)).join(", ");
      return pair === "tuple" ? `(${inner})` : `[${inner}]`;
    }
    if (x === true) return "True";
    if (x === false) return "False";
    if (x === null) return "None";
    if (typeof x === "string") return `'${x}'`;
    return floatRepr(x);
  }

  const roundSig = (x, digits) => Number(x.toExponential(digits - 1));

  function roundUp(x) {
    let y = Number(x.toExponential(1));
    if (y < x) {
      const [mantissa, exp] = x.toExponential(1).split("e");
      y = Number(`${(Math.round(Number(mantissa) * 10) + 1) / 10}e${exp}`);
    }
    return y;
  }

  // ---- reading an optimizer ------------------------------------------------------------------
  class TranslateError extends Error {}
  const fail = (message) => { throw new TranslateError(message); };
  const quoted = (list) => list.map((x) => `'${x}'`).join(", ");
  const where = (fw, opt) => (fw !== "numpy" ? PREFIX[fw] + opt : "the reference Adam");

  function number(name, at, x, low, high, rule) {
    if (typeof x !== "number" || !Number.isFinite(x)) fail(`${name} for ${at} must be a number ${rule}, got ${literal(x)}`);
    if (x < low || (high !== null && x >= high)) fail(`${name} for ${at} must be ${rule}, got ${literal(x)}`);
    return x;
  }
  function flag(name, at, x) {
    if (typeof x !== "boolean") fail(`${name} for ${at} must be True or False, got ${literal(x)}`);
    return x;
  }
  function pair(name, at, x) {
    if (!Array.isArray(x) || x.length !== 2) fail(`${name} for ${at} must be a pair (beta1, beta2), e.g. (0.9, 0.999), got ${literal(x)}`);
    return x.map((b) => number(name, at, b, 0, 1, "in [0, 1), e.g. 0.9"));
  }

  function normal(s) {
    return Object.assign({}, s, { epsHat: s.epsHat && s.eps > 0, decoupled: s.decoupled && s.weightDecay > 0 });
  }

  function read(framework, optimizer, hyperparameters) {
    if (!FRAMEWORKS.includes(framework)) fail(`framework must be one of ${quoted(FRAMEWORKS)}, got ${literal(framework)}`);
    if (!own(DEFAULTS.optimizers[framework], optimizer)) fail(`optimizer for ${framework} must be one of ${quoted(optimizersOf(framework))}, got ${literal(optimizer)}`);
    const at = where(framework, optimizer);
    const defaults = DEFAULTS.optimizers[framework][optimizer];
    for (const name of Object.keys(hyperparameters)) {
      if (!own(defaults, name)) fail(`${at} has no argument '${name}' that this translator knows; its arguments are: ${Object.keys(defaults).join(", ")}`);
    }
    const h = Object.assign({}, defaults, hyperparameters);
    for (const [name, x] of Object.entries(hyperparameters)) {
      if (x === null && defaults[name] !== null) fail(`${name} for ${at} cannot be None (its default is ${literal(defaults[name])})`);
    }
    for (const [name, x] of Object.entries(h)) {
      if (x === REQUIRED && !own(hyperparameters, name)) fail(`${name} is required for ${at}: it has no default`);
    }
    const real = (name, rule) => number(name, at, h[name], 0, null, rule || "finite and >= 0");
    const unit = (name) => number(name, at, h[name], 0, 1, "in [0, 1), e.g. 0.9");
    let lr, beta1, beta2, eps;
    if (["torch", "numpy", "mlx"].includes(framework)) {
      lr = real(framework !== "mlx" ? "lr" : "learning_rate", "finite and >= 0, e.g. 1e-3");
      [beta1, beta2] = pair("betas", at, h.betas);
      eps = real("eps", "finite and >= 0, e.g. 1e-8");
    } else if (framework === "optax") {
      lr = real("learning_rate", "finite and >= 0, e.g. 1e-3");
      beta1 = unit("b1"); beta2 = unit("b2"); eps = real("eps", "finite and >= 0, e.g. 1e-8");
    } else {
      lr = real("learning_rate", "finite and >= 0, e.g. 1e-3");
      beta1 = unit("beta_1"); beta2 = unit("beta_2");
      eps = real("epsilon", "finite and >= 0, e.g. 1e-7");
    }
    let weightDecay = 0;
    if (own(h, "weight_decay") && h.weight_decay !== null) weightDecay = real("weight_decay", "finite and >= 0, e.g. 1e-2");
    const flags = {};
    for (const name of ["amsgrad", "maximize", "decoupled_weight_decay", "bias_correction"]) {
      if (own(h, name)) flags[name] = flag(name, at, h[name]);
    }
    const decoupled = framework === "torch" ? optimizer === "AdamW" || !!flags.decoupled_weight_decay
      : framework === "numpy" ? !!flags.decoupled_weight_decay : true;
    return normal({
      lr, beta1, beta2, eps, epsHat: framework === "keras",
      epsRoot: own(h, "eps_root") ? real("eps_root", "finite and >= 0, e.g. 1e-8") : 0,
      biasCorrection: own(flags, "bias_correction") ? flags.bias_correction : true,
      weightDecay, decoupled,
      amsgrad: !!flags.amsgrad, maximize: !!flags.maximize,
    });
  }

  const KEYS = ["lr", "beta1", "beta2", "eps", "epsHat", "epsRoot", "biasCorrection", "weightDecay", "decoupled", "amsgrad", "maximize"];
  const same = (a, b) => KEYS.every((k) => a[k] === b[k]);

  // ---- the updates, as translate.py's NumPy computes them -------------------------------------
  const PHI = 0.6180339887498949, PSI = 0.7548776662466927;
  const MANTISSAS = ["7.94", "6.31", "5.01", "3.98", "3.16", "2.51", "2.0", "1.58", "1.26", "1.0"];
  const PROBE_SCALES = [1];
  for (let k = 1; k < 13; k++) for (const m of MANTISSAS) PROBE_SCALES.push(Number(`${m}e-${k}`));
  const PROBE_KINDS = ["varying", "steady"];
  const SIZES = PROBE_SCALES.length, N = 2 * SIZES;  // varying gradients, then steady ones
  const PROBE = new Float64Array(STEPS * N);
  for (let t = 1; t <= STEPS; t++) {
    for (let i = 0; i < SIZES; i++) {
      PROBE[(t - 1) * N + i] = PROBE_SCALES[i] * (2 * ((t * PHI + i * PSI) % 1) - 1);
      PROBE[(t - 1) * N + SIZES + i] = PROBE_SCALES[i];
    }
  }

  const momentsCache = new Map();
  function moments(beta1, beta2) {
    const key = beta1 + "," + beta2;
    if (momentsCache.has(key)) return momentsCache.get(key);
    const m = new Float64Array(STEPS * N), v = new Float64Array(STEPS * N);
    const mt = new Float64Array(N), vt = new Float64Array(N);
    for (let t = 0; t < STEPS; t++) {
      for (let i = 0; i < N; i++) {
        const g = PROBE[t * N + i];
        mt[i] = beta1 * mt[i] + (1 - beta1) * g;
        vt[i] = beta2 * vt[i] + (1 - beta2) * (g * g);
        m[t * N + i] = mt[i]; v[t * N + i] = vt[i];
      }
    }
    if (momentsCache.size > 32) momentsCache.clear();
    momentsCache.set(key, [m, v]);
    return [m, v];
  }

  function updates(s) {
    const [m, v] = moments(s.beta1, s.beta2);
    const out = new Float64Array(STEPS * N);
    const vMax = new Float64Array(N), theta = new Float64Array(N).fill(1);
    const shrink = s.lr * s.weightDecay;
    let b1t = 1, b2t = 1;
    for (let t = 0; t < STEPS; t++) {
      b1t *= s.beta1; b2t *= s.beta2;
      const eps = s.epsHat && s.biasCorrection ? s.eps / Math.sqrt(1 - b2t) : s.eps;
      for (let i = 0; i < N; i++) {
        let mi = m[t * N + i], vi = v[t * N + i];
        if (s.maximize) mi = -mi;
        if (s.amsgrad) { vMax[i] = Math.max(vMax[i], vi); vi = vMax[i]; }
        if (s.biasCorrection) { mi = mi / (1 - b1t); vi = vi / (1 - b2t); }
        const step = (s.lr * mi) / (Math.sqrt(vi + s.epsRoot) + eps);
        if (!s.decoupled) { out[t * N + i] = -step; continue; }
        const next = theta[i] - shrink * theta[i] - step;
        out[t * N + i] = next - theta[i];
        theta[i] = next;
      }
    }
    return out;
  }

  function updateGap(a, b) {
    if (a.lr === 0) return [0, PROBE_SCALES[0], PROBE_KINDS[0]];
    const ua = updates(a), ub = updates(b);
    let worst = 0, best = -1;
    for (let i = 0; i < N; i++) {
      let gap = 0;
      for (let t = 0; t < STEPS; t++) gap = Math.max(gap, Math.abs(ua[t * N + i] - ub[t * N + i]));
      gap = gap / a.lr;
      if (gap > best) { best = gap; worst = i; }
    }
    return [best, PROBE_SCALES[worst % SIZES], PROBE_KINDS[Math.floor(worst / SIZES)]];
  }

  // Adam without bias correction on a steady gradient: [first, largest, its step, last step > 1.01 lr].
  function uncorrectedSteps(beta1, beta2) {
    const step = (t) => (beta2 > 0 ? (1 - Math.pow(beta1, t)) / Math.sqrt(1 - Math.pow(beta2, t)) : 1 - Math.pow(beta1, t));
    function last(keep) {
      let low = 1, high = 2;
      while (keep(high)) {
        if (high > 2 ** 50) return high;
        low = high; high *= 2;
      }
      while (high - low > 1) {
        const mid = Math.floor((low + high) / 2);
        if (keep(mid)) low = mid; else high = mid;
      }
      return low;
    }
    const peak = last((t) => t === 1 || step(t) > step(t - 1));
    const above = step(peak) > 1.01 ? last((t) => t <= peak || step(t) > 1.01) : 0;
    return [step(1), step(peak), peak, above];
  }

  // translate.py's mlx_rounding, largest over the first STEPS steps: [bound, step].
  function mlxRoundingWorst(beta1, beta2) {
    const u = EPS32;
    const rounded = (b) => (b > 0 ? Math.abs(Math.fround(b) - b) / b : 0);
    let worst = -1, at = 1;
    for (let t = 1; t <= STEPS; t++) {
      let out = 3 * u;
      for (const beta of [beta1, beta2]) {
        const bt = Math.pow(beta, t);
        out = out + (bt / (1 - bt)) * (u + t * rounded(beta));
      }
      if (out > worst) { worst = out; at = t; }
    }
    return [worst, at];
  }

  // ---- writing a spec in a framework's terms ---------------------------------------------------
  function write(s, to) {
    const notes = [], lost = [];
    let done = Object.assign({}, s);
    const lr = s.lr, beta1 = s.beta1, beta2 = s.beta2;
    let eps = s.eps;
    if (to === "keras" && s.eps > 0 && !s.epsHat && s.biasCorrection) {
      eps = roundSig(s.eps * Math.sqrt(1 - beta2), 3);
      done = Object.assign(done, { eps, epsHat: true });
      notes.push(`Keras adds its epsilon to √v before the bias correction (the paper's ε̂), which acts as ε = ε̂/√(1−β₂ᵗ), changing with t: epsilon=${literal(eps)} (ε·√(1−β₂)) matches eps=${literal(s.eps)} at step 1 only{gap}`);
    } else if (to !== "keras" && s.eps > 0 && s.epsHat) {
      eps = roundSig(s.eps / Math.sqrt(1 - beta2), 3);
      done = Object.assign(done, { eps, epsHat: false });
      notes.push(`Keras adds its epsilon=${literal(s.eps)} to √v before the bias correction (the paper's ε̂), which acts as ε = ε̂/√(1−β₂ᵗ), changing with t: eps=${literal(eps)} (ε̂/√(1−β₂)) matches it at step 1 only{gap}`);
    }
    if (s.epsRoot > 0 && to !== "optax") {
      lost.push(`Only Optax has eps_root (an ε inside the square root): no ${NAMES[to]} setting reproduces eps_root=${literal(s.epsRoot)}, and these arguments leave it out.`);
      done.epsRoot = 0;
    }
    if (!s.biasCorrection && to !== "mlx") {
      const [first, largest, peak, above] = uncorrectedSteps(s.beta1, s.beta2);
      const course = above && peak > 1 ? `rising to ${literal(roundSig(largest, 3))} × lr at step ${peak} and more than 1 % above lr until step ${above}`
        : above ? `and steps more than 1 % above lr until step ${above}` : "and no step more than 1 % above lr";
      lost.push(`MLX's bias_correction=False skips both bias corrections (with these betas, on a steady gradient, a first step of ${literal(roundSig(first, 3))} × lr, ${course}); ${NAMES[to]} always corrects, so no setting reproduces it: train with bias_correction=True in MLX to compare.`);
      done.biasCorrection = true;
    }
    if (s.maximize && to !== "torch" && to !== "numpy") {
      lost.push(`${NAMES[to]} has no maximize: negate the gradient (or the loss) to climb; these arguments descend.`);
      done.maximize = false;
    }
    if (s.amsgrad && (to === "optax" || to === "mlx")) {
      lost.push(to === "optax"
        ? "optax.adam has no AMSGrad, and optax.amsgrad keeps the maximum of the corrected v̂ where the others keep the maximum of v, so no Optax setting reproduces it; these arguments leave AMSGrad out."
        : "MLX's Adam has no AMSGrad: no MLX setting reproduces it; these arguments leave it out.");
      done.amsgrad = false;
    }
    const l2 = s.weightDecay > 0 && !s.decoupled;
    if (l2 && to !== "torch" && to !== "numpy") {
      const wd = literal(s.weightDecay), half = literal(s.weightDecay / 2);
      lost.push({
        optax: `Optax's adamw decouples its weight decay; for L2 weight_decay=${wd} use optax.chain(optax.add_decayed_weights(${wd}), optax.adam(...)) instead: these arguments leave it out.`,
        keras: `Keras's weight_decay is decoupled; for L2 weight_decay=${wd} add ${half}·‖θ‖² to the loss (e.g. kernel_regularizer=keras.regularizers.L2(${half})) instead: these arguments leave it out.`,
        mlx: `MLX's weight_decay (AdamW) is decoupled; for L2 weight_decay=${wd} add ${wd}·θ to each gradient before optimizer.update instead: these arguments leave it out.`,
      }[to]);
      done.weightDecay = 0;
    }
    const decay = done.weightDecay > 0;
    const adamw = decay && s.decoupled && to !== "numpy";
    const optimizer = { torch: adamw ? "AdamW" : "Adam", optax: adamw ? "adamw" : "adam", keras: adamw ? "AdamW" : "Adam", mlx: adamw ? "AdamW" : "Adam", numpy: "Adam" }[to];
    let args;
    if (to === "torch" || to === "numpy") {
      args = { lr, betas: [beta1, beta2], eps, weight_decay: done.weightDecay, amsgrad: done.amsgrad, maximize: done.maximize, decoupled_weight_decay: decay && s.decoupled && to === "numpy" };
    } else if (to === "optax") {
      args = { learning_rate: lr, b1: beta1, b2: beta2, eps, eps_root: done.epsRoot, weight_decay: done.weightDecay };
    } else if (to === "keras") {
      args = { learning_rate: lr, weight_decay: decay ? done.weightDecay : null, beta_1: beta1, beta_2: beta2, epsilon: eps, amsgrad: done.amsgrad };
    } else {
      args = { learning_rate: lr, betas: [beta1, beta2], eps, weight_decay: done.weightDecay, bias_correction: s.biasCorrection };
      if (s.biasCorrection) notes.push("bias_correction=True: MLX's Adam and AdamW skip both bias corrections by default.");
    }
    const kwargs = {};
    for (const [name, def] of Object.entries(DEFAULTS.optimizers[to][optimizer])) {
      const x = args[name];
      const equal = Array.isArray(x) ? x.length === def.length && x.every((v, i) => v === def[i]) : x === def;
      if (def === REQUIRED || !equal) kwargs[name] = Array.isArray(x) ? x.slice() : x;
    }
    return { optimizer, kwargs, notes, lost, done: normal(done) };
  }

  function translate(framework, optimizer, to, hyperparameters) {
    const spec = read(framework, optimizer, hyperparameters || {});
    if (!FRAMEWORKS.includes(to)) fail(`to must be one of ${quoted(FRAMEWORKS)}, got ${literal(to)}`);
    const w = write(spec, to);
    const exact = w.lost.length === 0 && same(w.done, spec);
    const notes = w.notes;
    if (spec.biasCorrection && (framework === "mlx" || to === "mlx") && framework !== to) {
      const [bound, at] = mlxRoundingWorst(spec.beta1, spec.beta2);
      notes.push(`MLX keeps the learning rate and βᵗ in float32 even for float64 arrays (βᵗ from β rounded to float32), so its updates differ from these by float32 rounding, grown in the bias corrections by 1/(1 − βᵗ): in float64 by at most a relative ${literal(roundUp(bound))} (a bound, largest at step ${at} of the first ${STEPS}).`);
    }
    let text = ".";
    if (w.lost.length === 0 && !exact) {
      const [gap, size, kind] = updateGap(spec, w.done);
      text = `; over the first ${STEPS} steps the updates then differ by up to ${literal(roundUp(gap))} × lr (most for a ${kind} gradient of about ${literal(size)} in size).`;
    }
    const allNotes = notes.map((n) => n.replace("{gap}", text)).concat(w.lost);
    const pairKind = TAKES_PARAMS.includes(to) ? "tuple" : "list";
    let args = Object.entries(w.kwargs).map(([k, v]) => `${k}=${literal(v, pairKind)}`).join(", ");
    if (TAKES_PARAMS.includes(to)) args = "params" + (args ? ", " + args : "");
    return { framework: to, optimizer: w.optimizer, kwargs: w.kwargs, code: `${PREFIX[to]}${w.optimizer}(${args})`, exact, notes: allNotes };
  }

  return { DEFAULTS, FRAMEWORKS, NAMES, PREFIX, REQUIRED, optimizersOf, translate, literal, uncorrectedSteps, TranslateError };
});

// ---- the form ---------------------------------------------------------------------------------
(function () {
  "use strict";
  if (typeof document === "undefined") return;  // node: the translation only
  const root = document.getElementById("translate-app");
  if (!root) return;
  const T = window.AdamTranslate, settings = window.AdamLabSettings;
  if (!settings) throw new Error("translate.js: settings.js did not load before it");

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  const ALL_OPTIMIZERS = [...new Set(T.FRAMEWORKS.flatMap(T.optimizersOf))];
  const HEAD = {
    from: { kind: "choice", value: "torch", options: T.FRAMEWORKS },
    optimizer: { kind: "choice", value: "AdamW", options: ALL_OPTIMIZERS },
  };
  // The settings of one source optimizer: its own argument names, its own defaults. A link
  // carries any number as it is (no clamping): translate() refuses one out of its range
  // with translate.py's message, which the form shows, as it does for a number typed.
  const ANY = { min: -Infinity, max: Infinity };
  function argumentSpec(fw, opt) {
    const spec = {};
    for (const [name, def] of Object.entries(T.DEFAULTS.optimizers[fw][opt])) {
      if (typeof def === "boolean") spec[name] = { kind: "flag", value: def };
      else if (Array.isArray(def)) spec[name] = Object.assign({ kind: "list", value: def.slice(), length: [2, 2] }, ANY);
      else spec[name] = Object.assign({ kind: "number", value: def === T.REQUIRED ? 0.001 : def === null ? 0 : def }, ANY);
    }
    return spec;
  }
  function specOf(state) {
    return Object.assign({}, HEAD, argumentSpec(state.from, state.optimizer));
  }
  function stateFrom(search) {
    const head = settings.fromQuery(search, HEAD);
    if (!T.optimizersOf(head.from).includes(head.optimizer)) head.optimizer = T.optimizersOf(head.from).slice(-1)[0];
    return settings.fromQuery(settings.toQuery(head, HEAD).slice(1) + "&" + search.replace(/^\?/, ""), specOf(head));
  }

  let state = stateFrom(location.search);

  // ---- the parts -----------------------------------------------------------------------------
  const fromSelect = el("select", { id: "tr-from" },
    T.FRAMEWORKS.map((fw) => el("option", { value: fw, text: T.NAMES[fw] === "the reference Adam" ? "NumPy (the reference Adam)" : T.NAMES[fw] })));
  const optimizerSelect = el("select", { id: "tr-optimizer" });
  const fields = el("div", { class: "tr-fields" });
  const form = el("form", { class: "tr-source", "aria-labelledby": "tr-source-title" }, [
    el("h3", { id: "tr-source-title", class: "tr-title", text: "Your optimizer" }),
    el("div", { class: "tr-row" }, [
      el("div", { class: "tr-field" }, [el("label", { for: "tr-from", text: "Framework" }), fromSelect]),
      el("div", { class: "tr-field" }, [el("label", { for: "tr-optimizer", text: "Optimizer" }), optimizerSelect]),
    ]),
    fields,
  ]);
  form.addEventListener("submit", (e) => e.preventDefault());
  const source = el("p", { class: "tr-code-line" });
  const link = el("a", { class: "tr-link", href: "?", text: "Link to this translation" });
  const error = el("p", { class: "tr-error", role: "alert" });
  const status = el("p", { class: "tr-status", role: "status" });
  const results = el("div", { class: "tr-results" });
  root.append(form, el("p", { class: "tr-actions" }, [link]), error, source, status, results);

  // ---- state <-> fields --------------------------------------------------------------------
  function buildFields() {
    fields.replaceChildren();
    optimizerSelect.replaceChildren(...T.optimizersOf(state.from).map((o) => el("option", { value: o, text: o })));
    fromSelect.value = state.from;
    optimizerSelect.value = state.optimizer;
    const spec = argumentSpec(state.from, state.optimizer);
    for (const [name, s] of Object.entries(spec)) {
      const id = "tr-arg-" + name;
      const required = T.DEFAULTS.optimizers[state.from][state.optimizer][name] === T.REQUIRED;
      if (s.kind === "flag") {
        const box = el("input", { type: "checkbox", id, name });
        box.checked = state[name];
        box.addEventListener("change", () => update({ [name]: box.checked }));
        fields.append(el("div", { class: "tr-field tr-flag" }, [box, el("label", { for: id, text: name })]));
      } else {
        const text = s.kind === "list" ? state[name].map(settings.formatNumber).join(", ") : settings.formatNumber(state[name]);
        const input = el("input", { type: "text", id, name, inputmode: "decimal", autocomplete: "off", spellcheck: "false" });
        input.value = text;
        input.addEventListener("change", () => readField(name, s, input));
        const label = el("label", { for: id, text: name + (required ? " (required)" : "") + (s.kind === "list" ? " (two numbers)" : "") });
        fields.append(el("div", { class: "tr-field" }, [label, input]));
      }
    }
  }

  function readField(name, s, input) {
    const parts = input.value.split(",").map((x) => x.trim());
    const numbers = parts.map((x) => (x === "" ? NaN : Number(x)));
    const ok = numbers.every(Number.isFinite) && numbers.length === (s.kind === "list" ? 2 : 1);
    if (!ok) {
      input.setAttribute("aria-invalid", "true");
      error.textContent = `${name}: type ${s.kind === "list" ? "two numbers separated by a comma" : "a number"}.`;
      return;
    }
    input.removeAttribute("aria-invalid");
    update({ [name]: s.kind === "list" ? numbers : numbers[0] });
  }

  function hyperparameters() {
    const out = {};
    for (const name of Object.keys(argumentSpec(state.from, state.optimizer))) out[name] = state[name];
    return out;
  }

  // A line of code in parts that do not wrap inside (each argument), joined by ", ".
  function tokens(code) {
    return code.split(", ").flatMap((part, i) => [...(i ? [", "] : []), el("span", { class: "tr-token", text: part })]);
  }

  function render() {
    error.textContent = "";
    for (const input of fields.querySelectorAll("[data-refused]")) {
      input.removeAttribute("aria-invalid");
      delete input.dataset.refused;
    }
    results.replaceChildren();
    const h = hyperparameters();
    link.href = location.pathname + settings.toQuery(state, specOf(state));
    let first = null;
    try {
      first = T.translate(state.from, state.optimizer, state.from, h);
    } catch (e) {
      if (!(e instanceof T.TranslateError)) throw e;
      error.textContent = e.message;
      // The message starts with the argument's name: mark its field, typed or from a link.
      const refused = Object.keys(h).find((name) => e.message.startsWith(name + " "));
      const input = refused && fields.querySelector("#tr-arg-" + refused);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.dataset.refused = "";
      }
      status.textContent = "";
      source.textContent = "";
      return;
    }
    source.replaceChildren("Translating ", el("code", { text: first.code }), ":");
    const summary = [];
    for (const to of T.FRAMEWORKS) {
      if (to === state.from) continue;
      const t = T.translate(state.from, state.optimizer, to, h);
      const title = to === "numpy" ? "NumPy, the reference Adam" : T.NAMES[to];
      const verdict = t.exact ? "exact" : "not exact";
      const notes = el("ul", { class: "tr-notes" }, t.notes.map((n) => el("li", { text: n })));
      results.append(el("section", { class: "tr-result", "aria-labelledby": "tr-to-" + to, "data-framework": to }, [
        el("h3", { id: "tr-to-" + to, class: "tr-title" }, [title, " ", el("span", { class: "tr-verdict tr-" + (t.exact ? "exact" : "approximate"), text: verdict })]),
        el("pre", { class: "tr-code", tabindex: "0", "aria-label": title + " code" }, [el("code", {}, tokens(t.code))]),
        t.notes.length ? notes : el("p", { class: "tr-none", text: "The same updates, to rounding; no note." }),
      ]));
      summary.push(`${title}: ${verdict}`);
    }
    status.textContent = summary.join("; ") + ".";
  }

  let historyTimer = 0;
  function update(changes) {
    const head = Object.assign({}, state, changes);
    if (changes.from !== undefined || changes.optimizer !== undefined) {
      if (!T.optimizersOf(head.from).includes(head.optimizer)) head.optimizer = T.optimizersOf(head.from).slice(-1)[0];
      state = settings.fromQuery(settings.toQuery(head, HEAD), specOf(head));  // that optimizer's defaults
      buildFields();
    } else {
      state = head;
    }
    render();
    clearTimeout(historyTimer);
    historyTimer = setTimeout(() => history.replaceState(null, "", link.href), 250);
  }
  fromSelect.addEventListener("change", () => update({ from: fromSelect.value }));
  optimizerSelect.addEventListener("change", () => update({ optimizer: optimizerSelect.value }));

  buildFields();
  render();
})();
