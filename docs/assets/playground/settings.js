/* A lab's settings and its link: read from a query string by a spec, written back.

   A spec names each setting a link may carry and what it may be:
     {alpha: {kind: "number", value: 0.05, min: 1e-4, max: 1},
      steps: {kind: "number", value: 200, min: 10, max: 1000, integer: true},
      where: {kind: "choice", value: "pytorch", options: ["pytorch", "keras"]},
      correct: {kind: "flag", value: true},                      // "on" / "off"
      grads: {kind: "list", value: [1, 1], min: -1e6, max: 1e6, length: [1, 50]}}
   Any query string gives a working state: unknown keys are ignored, a missing,
   blank or unreadable value keeps its default, a number out of range is clamped,
   and only the spec's own keys and the options' own names are ever looked up
   (a key such as "__proto__" or "constructor" is no setting). Runs in the
   browser (window.AdamLabSettings) and in node (require), where tests check it. */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.AdamLabSettings = factory();
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  const own = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  // A number from a link's text; blank or unreadable text is NaN (Number("") would be 0).
  const readNumber = (text) => (text.trim() === "" ? NaN : Number(text));
  const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

  function readNumberIn(text, spec) {
    const x = readNumber(text);
    if (!Number.isFinite(x)) return undefined;
    const y = clamp(x, spec.min, spec.max);
    return spec.integer ? Math.round(y) : y;
  }

  // The value of one setting from its text, or undefined to keep the default.
  function read(text, spec) {
    switch (spec.kind) {
      case "number":
        return readNumberIn(text, spec);
      case "choice":
        return spec.options.includes(text) ? text : undefined;
      case "flag":
        return text === "on" ? true : text === "off" ? false : undefined;
      case "list": {
        const items = text.split(",").map((item) => readNumberIn(item, spec));
        const [shortest, longest] = spec.length;
        if (items.length < shortest || items.length > longest) return undefined;
        return items.includes(undefined) ? undefined : items;
      }
      default:
        throw new Error(`settings.js: unknown kind ${JSON.stringify(spec.kind)}`);
    }
  }

  function defaults(specs) {
    const s = {};
    for (const key of Object.keys(specs)) {
      const v = specs[key].value;
      s[key] = Array.isArray(v) ? v.slice() : v;
    }
    return s;
  }

  function fromQuery(search, specs) {
    const q = new URLSearchParams(search);
    const s = defaults(specs);
    for (const key of Object.keys(specs)) {
      const text = q.get(key);
      if (text === null) continue;
      const value = read(text, specs[key]);
      if (value !== undefined) s[key] = value;
    }
    return s;
  }

  // A number as short as it reads back exactly: 0.05, 0.999, 1.5e-4, 1e-8.
  function formatNumber(x) {
    return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x);
  }

  function write(value, spec) {
    if (spec.kind === "flag") return value ? "on" : "off";
    if (spec.kind === "list") return value.map(formatNumber).join(",");
    if (spec.kind === "number") return formatNumber(value);
    return String(value);
  }

  // The query string of a state: every setting of the spec, so a link keeps its meaning.
  function toQuery(state, specs) {
    const q = new URLSearchParams();
    for (const key of Object.keys(specs)) {
      if (own(state, key)) q.set(key, write(state[key], specs[key]));
    }
    return "?" + q.toString().replace(/%2C/g, ",");
  }

  return { fromQuery, toQuery, formatNumber, defaults };
});
