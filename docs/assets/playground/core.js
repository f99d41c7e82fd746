/* The playground's arithmetic: the landscapes of snippets/surfaces.py and the
   optimizers of snippets/optimizers.py and snippets/adam.py, ported operation
   for operation (same order of floating-point operations), so that the paths
   drawn in the browser are the paths the Python reference computes.
   tests/test_playground.py runs this file with node and checks it against the
   Python to 1e-9.

   Noise: the noisy valley adds Gaussian noise to each gradient. trajectory()
   takes that noise as an array (two numbers per step), so the test can hand it
   exactly the noise NumPy drew for the Python run. In the browser the noise
   comes from gaussianNoise(seed, n), a small seeded generator of this file: a
   fair sample, but not NumPy's, so the noisy valley here is another sample of
   the same landscape than on the other pages.

   Noise on every landscape, and rotation: landscape(settings) is the chosen
   landscape turned by settings.rotate degrees about its minimum (rotated(), as
   snippets/surfaces.py:rotated, by the same table of cosines and sines) and
   seen through gradient noise of standard deviation settings.noise (by default
   the landscape's own: 1 on the noisy valley, 0 elsewhere).

   Works as a plain <script> (global AdamPlaygroundCore) and as a CommonJS
   module (node). */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.AdamPlaygroundCore = factory();
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  // ---- x ** n -------------------------------------------------------------
  // The Python reference raises to integer powers with C's pow() (beta1 ** t in
  // Adam, y ** 3 on the saddle), which is correctly rounded but for about one
  // case in a thousand; V8's Math.pow is off by one unit in the last place in
  // several percent of cases. So: x ** n in double-double arithmetic (Dekker's
  // exact products), rounded once, which agrees with C's pow in all but those
  // rare near-ties.
  const SPLIT = 134217729;  // 2 ** 27 + 1, Veltkamp's splitter
  function twoProduct(a, b) {  // [a * b rounded, its exact rounding error]
    const p = a * b;
    let t = SPLIT * a;
    const ah = t - (t - a), al = a - ah;
    t = SPLIT * b;
    const bh = t - (t - b), bl = b - bh;
    return [p, ah * bh - p + ah * bl + al * bh + al * bl];
  }
  function ddMultiply(ah, al, bh, bl) {  // (ah + al) * (bh + bl) as a double-double
    const [p, e] = twoProduct(ah, bh);
    const lo = e + (ah * bl + al * bh);
    const hi = p + lo;
    return [hi, lo - (hi - p)];
  }
  function powInt(x, n) {  // x ** n for an integer n >= 0, by repeated squaring
    let rh = 1, rl = 0, bh = x, bl = 0;
    for (; n > 0; n = Math.floor(n / 2)) {
      if (n % 2) [rh, rl] = ddMultiply(rh, rl, bh, bl);
      if (n > 1) [bh, bl] = ddMultiply(bh, bl, bh, bl);
    }
    return rh + rl;
  }

  // ---- landscapes (snippets/surfaces.py) ----------------------------------
  // grad(x, y, out) writes [dloss/dx, dloss/dy] into out.
  function surface(name, label, loss, grad, minimum, bounds, start, noise) {
    return { name, label, loss, grad, minimum, bounds, start, noise: noise || 0 };
  }

  const valley = surface(
    "valley", "Valley (ill-conditioned)",
    (x, y) => 0.5 * (x * x + 25 * (y * y)),
    (x, y, g) => { g[0] = 1.0 * x; g[1] = 25.0 * y; },
    [0, 0], [[-3, 3], [-1.5, 1.5]], [-2.5, 1.0]
  );
  const SURFACES = {
    valley,
    bowl: surface(
      "bowl", "Badly scaled bowl",
      (x, y) => 0.5 * (0.1 * (x * x) + 10 * (y * y)),
      (x, y, g) => { g[0] = 0.1 * x; g[1] = 10.0 * y; },
      [0, 0], [[-2, 2], [-2, 2]], [-1.5, 1.5]
    ),
    rosenbrock: surface(
      "rosenbrock", "Rosenbrock",
      (x, y) => { const a = 1 - x, b = y - x * x; return a * a + 100 * (b * b); },
      (x, y, g) => {
        const b = y - x * x;
        g[0] = -2 * (1 - x) - 400 * x * b;
        g[1] = 200.0 * b;
      },
      [1, 1], [[-2, 2], [-1, 3]], [-1.2, 1.0]
    ),
    saddle: surface(
      "saddle", "Saddle",
      (x, y) => 0.5 * (x * x - y * y) + 0.25 * powInt(y, 4),
      (x, y, g) => { g[0] = 1.0 * x; g[1] = powInt(y, 3) - y; },
      [0, 1], [[-2, 2], [-2, 2]], [1.5, 1e-3]
    ),
    "noisy valley": surface(
      "noisy valley", "Noisy valley", valley.loss, valley.grad,
      valley.minimum, valley.bounds, valley.start, 1.0
    ),
  };

  // ---- turned landscapes (snippets/surfaces.py:ROTATIONS and rotated) -------------
  // The angles, each with its cosine and sine: the very doubles of the Python table.
  const ROTATIONS = new Map([
    [0, [1.0, 0.0]],
    [15, [0.9659258262890683, 0.25881904510252074]],
    [30, [0.8660254037844386, 0.5]],
    [45, [0.7071067811865476, 0.7071067811865476]],
    [60, [0.5, 0.8660254037844386]],
    [75, [0.25881904510252074, 0.9659258262890683]],
    [90, [0.0, 1.0]],
  ]);

  // surf turned anticlockwise by degrees (a key of ROTATIONS) about its minimum: the
  // loss at p is surf's loss at the point turned back, the gradient surf's gradient there
  // turned forward; the start turns with it; the bounds are the box around surf's bounds
  // turned, widened to multiples of 0.5. At 0 degrees, surf itself.
  const rotatedCache = new Map();
  function rotated(surf, degrees) {
    if (degrees === 0) return surf;
    const name = `${surf.name} turned ${degrees} degrees`;
    if (rotatedCache.has(name)) return rotatedCache.get(name);
    const [c, s] = ROTATIONS.get(degrees);
    const [cx, cy] = surf.minimum;
    const turn = (x, y) => {
      const u = x - cx, w = y - cy;
      return [cx + (c * u - s * w), cy + (s * u + c * w)];
    };
    const [[x0, x1], [y0, y1]] = surf.bounds;
    const corners = [turn(x0, y0), turn(x0, y1), turn(x1, y0), turn(x1, y1)];
    const xs = corners.map((p) => p[0]), ys = corners.map((p) => p[1]);
    const box = (v) => [Math.floor(2 * Math.min(...v)) / 2, Math.ceil(2 * Math.max(...v)) / 2];
    const out = surface(
      name, surf.label,
      (x, y) => {
        const u = x - cx, w = y - cy;
        return surf.loss(cx + (c * u + s * w), cy + (c * w - s * u));
      },
      (x, y, g) => {
        const u = x - cx, w = y - cy;
        surf.grad(cx + (c * u + s * w), cy + (c * w - s * u), g);
        const gx = g[0], gy = g[1];
        g[0] = c * gx - s * gy;
        g[1] = s * gx + c * gy;
      },
      surf.minimum, [box(xs), box(ys)], turn(surf.start[0], surf.start[1]), surf.noise
    );
    out.rotate = degrees;
    rotatedCache.set(name, out);
    return out;
  }

  // The landscape a setting runs on: s.surface turned by s.rotate degrees, with gradient
  // noise s.noise (missing: the landscape's own), as snippets/playground.py:landscape.
  function landscape(s) {
    const turned = rotated(SURFACES[s.surface], s.rotate || 0);
    const noise = typeof s.noise === "number" ? s.noise : turned.noise;
    return noise === turned.noise ? turned : Object.assign({}, turned, { noise });
  }

  // ---- optimizers (snippets/optimizers.py, snippets/adam.py) ---------------
  // Each takes the point p (2 numbers) and its gradient g and updates p in place.

  function sgd(lr) {  // SGD: p -= lr * g
    return { step(p, g) { for (let i = 0; i < 2; i++) p[i] -= lr * g[i]; } };
  }

  function emaMomentum(lr, beta) {  // EMAMomentum: m = beta * m + (1 - beta) * g; p -= lr * m
    const m = [0, 0];
    return {
      step(p, g) {
        for (let i = 0; i < 2; i++) {
          m[i] *= beta;
          m[i] += (1 - beta) * g[i];
          p[i] -= lr * m[i];
        }
      },
    };
  }

  function rmsprop(lr, alpha, eps) {  // RMSProp as torch.optim.RMSprop
    const v = [0, 0];
    return {
      step(p, g) {
        for (let i = 0; i < 2; i++) {
          v[i] *= alpha;
          v[i] += (1 - alpha) * g[i] * g[i];
          p[i] -= lr * g[i] / (Math.sqrt(v[i]) + eps);
        }
      },
    };
  }

  function adam(lr, beta1, beta2, eps) {  // snippets.adam.Adam: corrections folded in
    const m = [0, 0], v = [0, 0];
    let t = 0;
    return {
      step(p, g) {
        t += 1;
        const biasCorrection1 = 1 - powInt(beta1, t);
        const biasCorrection2Sqrt = Math.sqrt(1 - powInt(beta2, t));
        const alpha = lr * biasCorrection2Sqrt / biasCorrection1;
        const epsHat = eps * biasCorrection2Sqrt;
        const c1 = 1 - beta1, c2 = 1 - beta2;
        for (let i = 0; i < 2; i++) {
          m[i] *= beta1;
          m[i] += g[i] * c1;
          v[i] *= beta2;
          v[i] += g[i] * c2 * g[i];
          p[i] -= (m[i] / (Math.sqrt(v[i]) + epsHat)) * alpha;
        }
      },
    };
  }

  function adamNoBiasCorrection(lr, beta1, beta2, eps) {  // AdamNoBiasCorrection
    const m = [0, 0], v = [0, 0];
    return {
      step(p, g) {
        for (let i = 0; i < 2; i++) {
          m[i] = beta1 * m[i] + (1 - beta1) * g[i];
          v[i] = beta2 * v[i] + (1 - beta2) * (g[i] * g[i]);
          p[i] = p[i] - lr * m[i] / (Math.sqrt(v[i]) + eps);
        }
      },
    };
  }

  // ---- the race -------------------------------------------------------------

  // The four racers, in drawing order, with the colours of snippets/figures.py.
  const RACERS = [
    { key: "sgd", label: "SGD", color: "#8c8c8c" },
    { key: "momentum", label: "Momentum", color: "#0077bb" },
    { key: "rmsprop", label: "RMSProp", color: "#009e73" },
    { key: "adam", label: "Adam", color: "#d55e00" },
  ];

  // What each racer is, from the shared settings (as snippets/playground.py:racers).
  function makeOptimizer(key, s) {
    switch (key) {
      case "sgd": return sgd(s.alpha);
      case "momentum": return emaMomentum(s.alpha, s.beta1);
      case "rmsprop": return rmsprop(s.alpha, s.beta2, s.eps);
      case "adam":
        return s.biasCorrection
          ? adam(s.alpha, s.beta1, s.beta2, s.eps)
          : adamNoBiasCorrection(s.alpha, s.beta1, s.beta2, s.eps);
      default: throw new Error("no racer " + key);
    }
  }

  // The points an optimizer visits: x0, y0, x1, y1, ... (steps + 1 points);
  // from the first non-finite gradient or point on, NaN (as trajectory() in
  // optimizers.py). noise: 2 standard normals per step, for noisy surfaces.
  function trajectory(optimizer, surf, start, steps, noise) {
    const path = new Float64Array(2 * (steps + 1)).fill(NaN);
    const p = [start[0], start[1]], g = [0, 0];
    path[0] = p[0];
    path[1] = p[1];
    for (let k = 1; k <= steps; k++) {
      surf.grad(p[0], p[1], g);
      if (surf.noise) {
        g[0] = g[0] + surf.noise * noise[2 * k - 2];
        g[1] = g[1] + surf.noise * noise[2 * k - 1];
      }
      if (!Number.isFinite(g[0]) || !Number.isFinite(g[1])) break;
      optimizer.step(p, g);
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) break;
      path[2 * k] = p[0];
      path[2 * k + 1] = p[1];
    }
    return path;
  }

  // All four paths for one setting: {sgd: path, momentum: ..., rmsprop: ..., adam: ...}.
  function race(s, noise) {
    const surf = landscape(s);
    const start = s.start || surf.start;
    const paths = {};
    for (const r of RACERS) {
      paths[r.key] = trajectory(makeOptimizer(r.key, s), surf, start, s.steps, noise);
    }
    return paths;
  }

  // loss - minimum loss at each point of a path (NaN where the path is NaN).
  function lossAbove(surf, path) {
    const best = surf.loss(surf.minimum[0], surf.minimum[1]);
    const out = new Float64Array(path.length / 2);
    for (let k = 0; k < out.length; k++) out[k] = surf.loss(path[2 * k], path[2 * k + 1]) - best;
    return out;
  }

  // ---- what the plots and the legend show --------------------------------------
  // On a noisy landscape the loss plot draws the mean of each racer's loss over the last
  // LOSS_WINDOW steps (snippets/playground.py:LOSS_WINDOW and moving_average).
  const LOSS_WINDOW = 50;

  // At each step k, the mean of values[k - window + 1 .. k] (of values[0 .. k] for the
  // first window - 1 steps); NaN if a NaN is in the window, infinite if an infinity is (both
  // signs: NaN). A running sum, as snippets/playground.py:moving_average, operation for
  // operation; infinities and NaNs are counted, not added.
  function movingAverage(values, window) {
    const out = new Float64Array(values.length);
    let total = 0, nan = 0, inf = 0, negInf = 0;  // the finite sum; how many of each other
    for (let k = 0; k < values.length; k++) {
      const x = values[k];
      if (Number.isFinite(x)) total += x;
      else if (Number.isNaN(x)) nan++;
      else if (x > 0) inf++;
      else negInf++;
      if (k >= window) {
        const y = values[k - window];
        if (Number.isFinite(y)) total -= y;
        else if (Number.isNaN(y)) nan--;
        else if (y > 0) inf--;
        else negInf--;
      }
      if (nan || (inf && negInf)) out[k] = NaN;
      else if (inf || negInf) out[k] = inf ? Infinity : -Infinity;
      else out[k] = total / Math.min(k + 1, window);
    }
    return out;
  }

  // A loss above the minimum, for the legend: two digits; below LOSS_FLOOR, "< 1e-12"
  // (a racer's loss keeps shrinking to numbers like 1e-155 that say no more than that).
  const LOSS_FLOOR = 1e-12;
  function formatLoss(x) {
    if (Number.isNaN(x)) return "NaN";
    if (!Number.isFinite(x)) return "∞";
    if (x === 0) return "0";
    if (x < LOSS_FLOOR) return "< " + LOSS_FLOOR.toExponential().replace("e+", "e");
    return x < 1e-3 || x >= 1e4 ? x.toExponential(1).replace("e+", "e") : String(Number(x.toPrecision(2)));
  }

  // Which racers run the path of a racer drawn before them (momentum is SGD when beta1 = 0;
  // Adam is RMSProp when beta1 = 0 without bias correction, but for the rounding of
  // (1 - beta2) g^2), so that the page can draw them dashed over it: {key: the earlier
  // racer's key, or null}. The same path: every coordinate within 1e-9 (times its size
  // above 1), NaN where the other is NaN.
  function samePathAs(paths) {
    const close = (x, y) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x));
    const same = (a, b) => a.every((x, i) => close(x, b[i]) || (Number.isNaN(x) && Number.isNaN(b[i])));
    const out = {};
    RACERS.forEach((r, i) => {
      const earlier = RACERS.slice(0, i).find((e) => !out[e.key] && same(paths[r.key], paths[e.key]));
      out[r.key] = earlier ? earlier.key : null;
    });
    return out;
  }

  // ---- noise for the browser -------------------------------------------------
  // n standard normal numbers from seed: mulberry32 for 32-bit words, two words
  // per 53-bit uniform, Box-Muller for pairs of normals. Deterministic per seed,
  // and a prefix of a longer run is the shorter run.
  function gaussianNoise(seed, n) {
    let state = seed >>> 0;
    const word = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 15), z | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      return (z ^ (z >>> 14)) >>> 0;
    };
    const uniform = () => ((word() >>> 5) * 67108864 + (word() >>> 6)) / 9007199254740992;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - uniform()));  // 1 - u is in (0, 1]
      const angle = 2 * Math.PI * uniform();
      out[i] = r * Math.cos(angle);
      if (i + 1 < n) out[i + 1] = r * Math.sin(angle);
    }
    return out;
  }

  // ---- settings and their link ----------------------------------------------
  // Defaults as snippets/playground.py:DEFAULTS (a test checks they agree).
  const DEFAULTS = {
    surface: "valley", alpha: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8,
    steps: 200, biasCorrection: true, start: null, seed: 0, noise: 0, rotate: 0,
  };
  // What a link may set: the slider ranges (beta < 1, as Adam checks).
  const LIMITS = {
    alpha: [1e-4, 1], beta1: [0, 0.999], beta2: [0, 0.9999], eps: [1e-12, 1],
    steps: [10, 1000], seed: [0, 2 ** 31 - 1], noise: [0, 5], rotate: [0, 90],
  };
  const ROTATE_STEP = 15;  // the angles of ROTATIONS

  const clamp = (x, [lo, hi]) => Math.min(hi, Math.max(lo, x));
  // Only a landscape's own name selects it: "constructor" or "__proto__" is no landscape.
  const isSurface = (name) => Object.prototype.hasOwnProperty.call(SURFACES, name);
  // A number from a link's text; blank or unreadable text is NaN (Number("") would be 0).
  const readNumber = (text) => (text === null || text.trim() === "" ? NaN : Number(text));

  // Settings from a query string ("?surface=bowl&alpha=0.1..."); anything
  // missing or unreadable keeps its default, anything out of range is clamped,
  // unknown keys are ignored.
  function fromQuery(search) {
    const q = new URLSearchParams(search);
    const s = Object.assign({}, DEFAULTS);
    if (isSurface(q.get("surface"))) s.surface = q.get("surface");
    for (const key of ["alpha", "beta1", "beta2", "eps", "steps", "seed"]) {
      const x = readNumber(q.get(key));
      if (Number.isFinite(x)) s[key] = clamp(x, LIMITS[key]);
    }
    s.steps = Math.round(s.steps);
    s.seed = Math.round(s.seed);
    if (q.get("bias_correction") === "off") s.biasCorrection = false;
    // No noise= or rotate=, as in the links made before they were: the landscape's own
    // noise, unturned. An angle is rounded to the nearest of ROTATIONS.
    s.noise = SURFACES[s.surface].noise;
    const noise = readNumber(q.get("noise"));
    if (Number.isFinite(noise)) s.noise = clamp(noise, LIMITS.noise);
    const rotate = readNumber(q.get("rotate"));
    if (Number.isFinite(rotate)) {
      s.rotate = Math.round(clamp(rotate, LIMITS.rotate) / ROTATE_STEP) * ROTATE_STEP;
    }
    const start = (q.get("start") || "").split(",").map(readNumber);
    if (start.length === 2 && start.every(Number.isFinite)) {
      const [[x0, x1], [y0, y1]] = landscape(s).bounds;
      s.start = [clamp(start[0], [x0, x1]), clamp(start[1], [y0, y1])];
    }
    return s;
  }

  // A number as short as it reads back exactly: 0.05, 0.999, 1.5e-4, 1e-8.
  function formatNumber(x) {
    return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x);
  }

  // The query string of a setting: every value, so a link keeps its meaning.
  function toQuery(s) {
    const surf = landscape(s);
    const start = s.start || surf.start;
    const q = new URLSearchParams();
    q.set("surface", s.surface);
    for (const key of ["alpha", "beta1", "beta2", "eps", "steps"]) q.set(key, formatNumber(s[key]));
    q.set("bias_correction", s.biasCorrection ? "on" : "off");
    q.set("start", start.map(formatNumber).join(","));
    // noise and rotate only where they differ from what a link without them means
    if (surf.noise !== SURFACES[s.surface].noise) q.set("noise", formatNumber(surf.noise));
    if (s.rotate) q.set("rotate", String(s.rotate));
    if (surf.noise) q.set("seed", String(s.seed));
    return "?" + q.toString().replace(/%2C/g, ",");
  }

  return {
    SURFACES, RACERS, DEFAULTS, LIMITS, ROTATIONS, rotated, landscape,
    sgd, emaMomentum, rmsprop, adam, adamNoBiasCorrection,
    makeOptimizer, trajectory, race, powInt, lossAbove, gaussianNoise, fromQuery, toQuery, formatNumber,
    LOSS_WINDOW, LOSS_FLOOR, movingAverage, formatLoss, samePathAs,
  };
});
