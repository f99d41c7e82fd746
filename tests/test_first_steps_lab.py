"""The first steps, step by step (/playground/first-steps/): its JavaScript against the Python.

- snippets/first_steps_lab.py is checked against the site's Adam (snippets/adam.py) and the
  ablation without bias correction (snippets/optimizers.py): the steps it lists are the
  steps they take.
- docs/assets/playground/first-steps.js is run with node and must give the Python's table
  to 1e-9, the same presets, the same reading of typed numbers (the same error messages),
  a CSV of the very numbers of its table, and a working state for any query string.
- The page is opened in headless Chromium: controls moved by keyboard change the table,
  a typed sequence is read or its error shown, the CSV reaches the clipboard, a link sets
  every control, the dark scheme redraws, a phone needs no sideways scroll, a redraw takes
  under 16 ms on a CPU slowed down 4 times, and axe finds nothing.
"""

from __future__ import annotations

import csv
import io
import json
import random
import statistics
import subprocess
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from test_browser import axe_findings, axe_source, browser, server  # noqa: F401
from test_playground import (
    ODD_VALUES,
    PROTOTYPE_NAMES,
    _node,
    gap,
    generated_queries,
    redraw_times,
)

from snippets import first_steps_lab as lab
from snippets.adam import Adam, adam_step
from snippets.figures import COLORS
from snippets.first_steps_lab import (
    COLUMNS,
    DEFAULTS,
    LIMITS,
    MAX_STEPS,
    OUTLIER,
    OUTLIER_STEP,
    PRESETS,
    first_steps_table,
    parse_gradients,
    preset_gradients,
    preset_table,
    table_csv,
)
from snippets.optimizers import AdamNoBiasCorrection

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "docs" / "assets" / "playground" / "first-steps.js"
HYPER = ("alpha", "beta1", "beta2", "eps")


def run_lab(script: str, data) -> object:
    """Run `script` with first-steps.js as `lab` and `data` as `input`; return what it gives."""
    program = (
        f"const lab = require({json.dumps(str(JS))});\n"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        f"const output = (() => {{ {script} }})();\n"
        "process.stdout.write(JSON.stringify(output));\n"
    )
    result = subprocess.run([_node(), "-e", program], input=json.dumps(data),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def python_table(grads, settings: dict) -> dict[str, np.ndarray]:
    return first_steps_table(grads, **{k: settings[k] for k in HYPER})


# ---- the reference against the site's Adam ------------------------------------------------

SETTINGS = [
    {},
    {"beta1": 0.0},
    {"beta2": 0.0},
    {"beta1": 0.0, "beta2": 0.0},
    {"beta1": 0.999, "beta2": 0.9999},
    {"beta1": 0.5, "beta2": 0.9, "alpha": 0.1},
    {"alpha": 1.0, "eps": 1.0},
    {"alpha": 1e-6, "eps": 1e-16},
    {"eps": 1e-3},
]
SETTINGS = [{k: DEFAULTS[k] for k in HYPER} | s for s in SETTINGS]


def sequences() -> list[list[float]]:
    """Every preset at its longest, and random sequences: signs, scales, zeros, extremes."""
    rng = np.random.default_rng(24)
    out = [preset_gradients(name, MAX_STEPS) for name in PRESETS]
    for n in (1, 2, 3, 7, 20, 50):
        out.append((rng.normal(size=n) * 10.0 ** rng.integers(-8, 6)).tolist())
    out += [[0.0] * 5, [0.0, 0.0, 1.0, 0.0], [1e6, -1e6] * 10, [1e-12, -3e-12, 5e-13],
            [-2.5] * 30, [1.0, 0.0] * 25]
    return out


def test_the_reference_lists_the_steps_the_site_s_adam_and_its_ablation_take():
    for grads in sequences():
        for s in SETTINGS:
            table = python_table(grads, s)
            p = [np.zeros(1)]
            adam = Adam(p, lr=s["alpha"], betas=(s["beta1"], s["beta2"]), eps=s["eps"])
            q = [np.zeros(1)]
            plain = AdamNoBiasCorrection(q, lr=s["alpha"], betas=(s["beta1"], s["beta2"]),
                                         eps=s["eps"])
            m, v = np.zeros(1), np.zeros(1)
            for k, g in enumerate(grads):
                before, before_plain = p[0][0], q[0][0]
                adam.step([np.array([g])])
                plain.step([np.array([g])])
                # Algorithm 1 as written (adam_step): the same m and v, the same step
                # (from 0 each time, so that what it subtracts is read exactly)
                after, m, v = adam_step(np.zeros(1), np.array([g]), m, v, k + 1, s["alpha"],
                                        s["beta1"], s["beta2"], s["eps"])
                scale = max(abs(table["step"][k]), 1e-300)
                assert abs((before - p[0][0]) - table["step"][k]) <= 1e-9 * scale + 1e-15 * abs(
                    before), (s, k)
                assert abs((before_plain - q[0][0]) - table["step_uncorrected"][k]) <= (
                    1e-9 * abs(table["step_uncorrected"][k]) + 1e-15 * abs(before_plain))
                assert -after[0] == pytest.approx(table["step"][k], rel=1e-12, abs=0)
                assert m[0] == pytest.approx(table["m"][k], rel=1e-12, abs=1e-300)
                assert v[0] == pytest.approx(table["v"][k], rel=1e-12, abs=1e-300)
                assert adam.m[0][0] == pytest.approx(table["m"][k], rel=1e-12, abs=1e-300)
                assert adam.v[0][0] == pytest.approx(table["v"][k], rel=1e-12, abs=1e-300)
            np.testing.assert_array_equal(table["t"], np.arange(1, len(grads) + 1))
            np.testing.assert_array_equal(table["g"], grads)


def test_the_presets_are_what_the_page_says():
    assert preset_gradients("constant", 3) == [1.0, 1.0, 1.0]
    assert preset_gradients("growing", 3) == pytest.approx([0.1, 0.2, 0.3])
    outlier = preset_gradients("outlier", MAX_STEPS)
    assert outlier[OUTLIER_STEP - 1] == OUTLIER == 100 and OUTLIER_STEP == 5
    assert outlier.count(1.0) == MAX_STEPS - 1
    noisy = np.array(preset_gradients("noisy", MAX_STEPS))
    drawn = np.random.default_rng(24).normal(0.3, 1, MAX_STEPS).round(2)
    np.testing.assert_array_equal(noisy, drawn)  # the numbers NumPy drew, written out
    assert round(noisy.mean(), 1) == 0.3 and round(noisy.std()) == 1
    assert DEFAULTS["steps"] == 20 and MAX_STEPS == 50
    for bad in (("nowhere", 5), ("constant", 0), ("constant", MAX_STEPS + 1)):
        with pytest.raises(ValueError):
            preset_gradients(*bad)


# ---- the JavaScript against the Python ----------------------------------------------------

JS_TABLES = """
const json = (a) => Array.from(a, x => Number.isFinite(x) ? x : null);
return input.map(c => {
  const t = lab.firstStepsTable(c.grads, c.s.alpha, c.s.beta1, c.s.beta2, c.s.eps);
  return Object.fromEntries(lab.COLUMNS.map(k => [k, json(t[k])]));
});
"""


def as_array(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def test_the_javascript_table_is_the_python_s_to_1e_9():
    cases = [{"grads": g, "s": s} for g in sequences() for s in SETTINGS]
    cases += [{"grads": preset_gradients(name, n), "s": SETTINGS[0]}
              for name in PRESETS for n in (1, 2, 20)]
    js = run_lab(JS_TABLES, cases)
    worst = 0.0
    for case, out in zip(cases, js, strict=True):
        python = python_table(case["grads"], case["s"])
        for column in COLUMNS:
            g = gap(python[column], as_array(out[column]))
            assert g <= 1e-9, f"{case['s']}, {case['grads'][:4]}...: {column} differs by {g:.1e}"
            worst = max(worst, g)
        for column in ("t", "g", "m", "v"):  # no power taken: the same operations, every bit
            np.testing.assert_array_equal(python[column], as_array(out[column]))
    assert len(cases) >= 150
    print(f"{len(cases)} tables, worst gap {worst:.1e}")


def test_the_javascript_presets_spec_and_defaults_are_the_python_ones():
    js = run_lab("""return {presets: lab.PRESETS, spec: lab.SPEC, max: lab.MAX_STEPS,
        columns: lab.COLUMNS, outlier: [lab.OUTLIER_STEP, lab.OUTLIER],
        grads: lab.PRESETS.map(p => Array.from({length: lab.MAX_STEPS},
                                               (_, i) => lab.presetGradients(p, i + 1)))};""",
                 None)
    assert js["presets"] == list(PRESETS) and js["columns"] == list(COLUMNS)
    assert js["max"] == MAX_STEPS and js["outlier"] == [OUTLIER_STEP, OUTLIER]
    for name, by_length in zip(PRESETS, js["grads"], strict=True):
        for n, grads in enumerate(by_length, start=1):
            assert grads == preset_gradients(name, n), (name, n)  # to the last bit
    spec = js["spec"]
    assert spec["preset"]["options"] == [*PRESETS, "typed"]
    assert spec["preset"]["value"] == DEFAULTS["preset"]
    for key in ("steps", *HYPER):
        lo, hi = LIMITS[key]
        assert (spec[key]["min"], spec[key]["max"], spec[key]["value"]) == (lo, hi, DEFAULTS[key])
    assert spec["steps"]["integer"] is True
    assert spec["grads"]["value"] == DEFAULTS["grads"]
    assert (spec["grads"]["min"], spec["grads"]["max"]) == LIMITS["grad"]
    assert spec["grads"]["length"] == [1, MAX_STEPS]


TYPED = [
    "1", "1,2,3", " 1 , -2.5e-3 ,+.5, 4. ", "0", "-0", "1e6", "-1e6", "1E-3", "3, 2, 1",
    ",".join(["1"] * MAX_STEPS),  # as many as the table shows
    "", "   ", ",", "1,", ",1", "1,,2", "1, 2, x", "abc", "1 2", "1;2", "0x10", "1e", "e5",
    "NaN", "Infinity", "-inf", "1e400", "1e7", "-1000001", "1,2,1e9", "١", "1.2.3", "--1",
    ",".join(["1"] * (MAX_STEPS + 1)),  # one too many
]


def test_typed_gradients_are_read_as_the_python_reads_them_and_bad_input_says_what_to_fix():
    js = run_lab("return input.map(t => lab.parseGradients(t));", TYPED)
    errors = 0
    for text, out in zip(TYPED, js, strict=True):
        try:
            expected = {"grads": parse_gradients(text)}
        except ValueError as e:
            expected = {"error": str(e)}
            errors += 1
        assert out == expected, text
    assert errors == len(TYPED) - 10  # the first ten are numbers
    assert js[TYPED.index("1,2,1e9")]["error"] == (
        "Number 3, 1e9, is too large: keep each gradient from -1e6 to 1e6.")
    assert js[TYPED.index("1, 2, x")]["error"] == (
        "Number 3, “x”, is not a number: write it as 2, -0.5 or 1e-3.")
    assert js[TYPED.index("1,,2")]["error"].startswith("Number 2 is missing")
    assert js[-1]["error"] == f"That is {MAX_STEPS + 1} numbers: the table shows at most 50."


def parse_csv(text: str) -> tuple[list[str], np.ndarray]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], np.array(rows[1:], dtype=float)


def test_the_csv_holds_every_number_of_the_table_to_full_precision():
    cases = [{"grads": g, "s": s} for g in sequences()[:6] for s in SETTINGS[:3]]
    js = run_lab("""return input.map(c => {
        const t = lab.firstStepsTable(c.grads, c.s.alpha, c.s.beta1, c.s.beta2, c.s.eps);
        return {csv: lab.tableCsv(t), table: Object.fromEntries(lab.COLUMNS.map(k =>
            [k, Array.from(t[k])]))};});""", cases)
    for case, out in zip(cases, js, strict=True):
        header, rows = parse_csv(out["csv"])
        assert header == list(COLUMNS)
        assert out["csv"].endswith("\n") and rows.shape == (len(case["grads"]), len(COLUMNS))
        for i, column in enumerate(COLUMNS):
            np.testing.assert_array_equal(rows[:, i], out["table"][column])  # every bit
        python = python_table(case["grads"], case["s"])
        p_header, p_rows = parse_csv(table_csv(python))
        assert p_header == header
        assert gap(p_rows, rows) <= 1e-9


# ---- no link breaks the lab ------------------------------------------------------------

KEYS = ["preset", "steps", "grads", "alpha", "beta1", "beta2", "eps"]


def lab_queries(count: int, seed: int = 24) -> list[str]:
    """generated_queries' kinds of query strings, on this lab's keys and values."""
    rng = random.Random(seed)
    names = KEYS + PROTOTYPE_NAMES + ["", "x", "ALPHA", "grads[]"]
    values = ODD_VALUES + PROTOTYPE_NAMES + [*PRESETS, "typed", "1,2,3", "1," * 60 + "1",
                                             "1,x,3", "-1e6,1e6", "1e7,1", "0.5"]
    queries = [f"?preset={name}" for name in PROTOTYPE_NAMES] + [
        "", "?", "?preset=typed", "?preset=typed&grads=", "?preset=typed&grads=" + "1," * 50 + "1"]
    while len(queries) < count:
        parts = []
        for _ in range(rng.randint(1, 12)):
            key = rng.choice(names)
            value = (rng.choice(values) if rng.random() < 0.7
                     else repr(rng.uniform(-2, 2) * 10.0 ** rng.randint(-30, 30)))
            if rng.random() < 0.2:
                value = quote(value, safe="")
            parts.append(f"{key}={value}" if rng.random() < 0.9 else key)
        queries.append("?" + "&".join(parts))
    return queries


JS_ANY_LINK = """
return input.map(q => {
  try {
    const s = lab.fromQuery(q);
    const table = lab.tableOf(s);  // the first drawing's computation
    const link = lab.toQuery(s);
    const back = lab.fromQuery(link);
    const same = JSON.stringify(lab.gradientsOf(back)) === JSON.stringify(lab.gradientsOf(s))
      && ["preset", "alpha", "beta1", "beta2", "eps"].every(k => back[k] === s[k]);
    const finite = lab.COLUMNS.every(c => table[c].every(Number.isFinite));
    return {s, rows: table.t.length, finite,
            roundTrip: same && lab.toQuery(back) === link, link};
  } catch (e) { return {error: String(e && e.stack || e)}; }
});
"""


def test_no_link_breaks_the_lab_every_query_gives_a_state_within_limits():
    queries = lab_queries(600) + generated_queries(300)
    out = run_lab(JS_ANY_LINK, queries)
    for query, result in zip(queries, out, strict=True):
        assert "error" not in result, (query, result.get("error"))
        s = result["s"]
        assert list(s) == KEYS, query  # no key a link made up
        assert s["preset"] in [*PRESETS, "typed"], query
        for key in ("steps", *HYPER):
            lo, hi = LIMITS[key]
            assert isinstance(s[key], (int, float)) and lo <= s[key] <= hi, (query, key)
        assert s["steps"] == int(s["steps"]), query
        lo, hi = LIMITS["grad"]
        assert 1 <= len(s["grads"]) <= MAX_STEPS and all(lo <= g <= hi for g in s["grads"])
        rows = len(s["grads"]) if s["preset"] == "typed" else s["steps"]
        assert result["rows"] == rows and result["finite"], query
        assert result["roundTrip"], query
        assert "NaN" not in result["link"] and "Infinity" not in result["link"], query
        if s["preset"] != "typed":
            assert "grads=" not in result["link"], query  # the link carries what counts
    for query, result in zip(queries, out, strict=True):
        if query.startswith("?preset=") and query[8:] in PROTOTYPE_NAMES:
            assert result["s"]["preset"] == "constant"
    typed = out[queries.index("?preset=typed&grads=" + "1," * 50 + "1")]
    assert typed["s"]["grads"] == DEFAULTS["grads"]  # 51 numbers: more than the table shows


# ---- what the page says -------------------------------------------------------------------

PAGE = "playground/first-steps.md"


def test_claim_bias_correction_gives_the_first_steps_the_size_later_steps_have(says):
    says(PAGE, "bias correction gives the first steps the size the later steps have. With a "
         "constant gradient and Adam's defaults, every corrected step is "
         "[[value: first-steps-constant-corrected]] $\\alpha$.")
    alpha = DEFAULTS["alpha"]
    table = preset_table("constant")
    assert lab.first_steps_constant_corrected() == pytest.approx(1, abs=1e-7)
    np.testing.assert_allclose(table["step"] / alpha, 1, atol=1e-7)  # every one of 50
    late = first_steps_table([1.0] * 20000)  # later: the uncorrected steps come down to alpha
    assert late["step_uncorrected"][-1] / alpha == pytest.approx(1, abs=1e-4)
    assert late["step"][-1] / alpha == pytest.approx(1, abs=1e-7)


def test_claim_uncorrected_the_first_step_is_3_16_alpha_and_the_steps_grow_then_shrink(says):
    says(PAGE, "Uncorrected, $m_t$ and $v_t$ are too small at first, and $\\sqrt{v_t}$ more so "
         "than $m_t$: the first step is $\\alpha (1-\\beta_1) / \\sqrt{1-\\beta_2}$, that is "
         "[[value: first-steps-uncorrected-first]] $\\alpha$, the steps grow to "
         "[[value: first-steps-uncorrected-peak]] $\\alpha$ at step "
         "[[value: first-steps-uncorrected-peak-step]], and at step 50 they are still "
         "[[value: first-steps-uncorrected-last]] $\\alpha$.")
    b1, b2 = DEFAULTS["beta1"], DEFAULTS["beta2"]
    table = preset_table("constant")
    first = lab.first_steps_uncorrected_first()
    assert first == pytest.approx((1 - b1) / np.sqrt(1 - b2), rel=1e-6)  # eps aside
    assert 1 - b1 > np.sqrt(1 - b2)  # m_1 = 0.1 g is less too small than sqrt(v_1) = 0.032 g
    steps = table["step_uncorrected"] / DEFAULTS["alpha"]
    peak = int(lab.first_steps_uncorrected_peak_step())
    assert peak == 12 and steps[peak - 1] == lab.first_steps_uncorrected_peak() == steps.max()
    assert np.all(np.diff(steps[:peak]) > 0) and np.all(np.diff(steps[peak - 1:]) < 0)
    assert steps[-1] == lab.first_steps_uncorrected_last() > 4


def test_claim_a_single_large_gradient_makes_adam_s_steps_smaller_not_larger(says):
    says(PAGE, "With Adam's defaults, a single large gradient among the first steps makes "
         "the steps smaller, not larger. With the outlier preset, the step at the outlier is "
         "[[value: first-steps-outlier-step]] "
         "$\\alpha$, and\nno step after it, up to step 50, is more than "
         "[[value: first-steps-outlier-after-max]]\n$\\alpha$: $\\hat v_t$ holds the outlier's "
         "square much longer than $\\hat m_t$ holds the\noutlier.")
    alpha, b1, b2 = DEFAULTS["alpha"], DEFAULTS["beta1"], DEFAULTS["beta2"]
    table = preset_table("outlier")
    steps = table["step"] / alpha
    k = OUTLIER_STEP - 1
    assert np.allclose(steps[:k], 1, atol=1e-7)  # before it: alpha, as for a constant gradient
    assert steps[k] == lab.first_steps_outlier_step() < 1
    assert steps[k + 1:].max() == lab.first_steps_outlier_after_max() < steps[k]
    # the outlier's share of m_t and of v_t (the corrections divide both the same way)
    t = np.arange(len(steps)) + 1
    after = t >= OUTLIER_STEP
    in_m = (1 - b1) * b1 ** (t - OUTLIER_STEP) * OUTLIER / table["m"]
    in_v = (1 - b2) * b2 ** (t - OUTLIER_STEP) * OUTLIER**2 / table["v"]
    assert np.all(in_v[after] > in_m[after])
    assert in_v[-1] > 0.95 and in_m[-1] < 0.2  # at step 50: v still the outlier's, m not
    # "With Adam's defaults": with beta1 = 0 the step at the outlier is larger than alpha
    no_average = preset_table("outlier", beta1=0.0)["step"] / alpha
    assert no_average[k] > 2
    # "Only early": after 1000 steps of gradient 1, Algorithm 1 (written out here) steps
    # more than alpha at the same outlier
    says(PAGE, "Later a new $g^2$ weighs only $1-\\beta_2$ in $\\hat v_t$, and the same "
         "outlier makes a step larger than $\\alpha$.")
    m = v = 0.0
    for t, g in enumerate([1.0] * 999 + [OUTLIER], start=1):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        step = (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
    assert step > 1.5


def test_claim_the_javascript_check_is_what_the_page_says(says):
    says(PAGE, "checks that each number of the JavaScript's table is within $10^{-9}$ of the\n"
         "Python's, or within $10^{-9}$ times its size where that is more than 1")
    says(PAGE, "The table shows the first 20 steps of a preset, or\nyour numbers, at most 50")
    for python, off, within in ((0.5, 0.9e-9, True), (0.5, 1.1e-9, False),
                                (1e3, 0.9e-6, True), (1e3, 1.1e-6, False)):
        assert (gap(np.array([python]), np.array([python + off])) <= 1e-9) is within


# ---- the page in Chromium ---------------------------------------------------------------


@pytest.fixture
def open_page(server, browser):  # noqa: F811
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    contexts = []

    def open_(query: str = "", **options):
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(server + "playground/first-steps/" + query, wait_until="networkidle")
        if options.get("java_script_enabled", True):
            try:  # a loaded machine can be slow to run the lab's first redraw
                page.wait_for_function("() => window.adamFirstSteps !== undefined",
                                       timeout=10_000)
                started = True
            except PlaywrightTimeout:
                started = False
            assert started, f"the lab did not start: errors {errors}, " + page.evaluate(
                "`${location.href} ${document.readyState} ${typeof AdamFirstStepsLab} "
                "${typeof AdamLabSettings} ${document.getElementById('first-steps-app')}`")
        page.errors = errors
        return page

    yield open_
    for context in contexts:
        context.close()


TABLE = "adamFirstSteps.table()"


# Each wait_for_function is given a function: an expression would be run by eval() while
# it polls, which the page's Content-Security-Policy refuses.


def settle(page) -> None:
    """Wait for the redraw a change asked for (the next animation frame)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")


def assert_table_is_python(page, grads, settings: dict) -> None:
    shown = page.evaluate(TABLE)
    python = python_table(grads, settings)
    for column in COLUMNS:
        assert gap(python[column], as_array(shown[column])) <= 1e-9, column
    rows = page.locator(".fs-table tbody tr")
    assert rows.count() == len(grads)


def cells(page, row: int) -> list[str]:
    return page.locator(".fs-table tbody tr").nth(row).locator("th, td").all_inner_texts()


@pytest.mark.browser
def test_the_lab_opens_on_the_python_s_table_with_caption_and_headers(open_page):
    page = open_page()
    assert page.errors == []
    defaults = {k: DEFAULTS[k] for k in HYPER}
    assert_table_is_python(page, preset_gradients("constant", 20), defaults)
    table = page.locator("table.fs-table")
    caption = table.locator("caption").inner_text()
    assert "first 20 steps of the constant gradient" in caption and "α = 0.001" in caption
    assert table.locator("thead th[scope=col]").count() == len(COLUMNS)
    assert table.locator("tbody th[scope=row]").count() == 20
    headers = table.locator("thead th .fs-sr").all_inner_texts()
    assert headers == ["step t", "gradient g", "m", "v", "m hat", "v hat",
                       "step with bias correction", "step without bias correction"]
    assert cells(page, 0) == ["1", "1", "0.1", "0.001", "1", "1", "0.001", "0.003162"]
    assert page.get_by_label("Gradient sequence").input_value() == "constant"
    assert page.input_value("#fs-grads") == ", ".join(["1"] * 20)


@pytest.mark.browser
def test_the_controls_moved_by_keyboard_change_the_table_and_the_link(open_page):
    page = open_page()
    slider = page.locator("#fs-beta1")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => adamFirstSteps.state().beta1 === 0.85")
    settle(page)
    assert slider.get_attribute("aria-valuetext") == "0.85"
    settings = {k: DEFAULTS[k] for k in HYPER} | {"beta1": 0.85}
    assert_table_is_python(page, preset_gradients("constant", 20), settings)
    assert "β1 = 0.85" in page.locator("table.fs-table caption").inner_text()
    page.wait_for_function("() => location.search.includes('beta1=0.85')")
    assert "beta1=0.85" in page.get_attribute(".pg-link", "href")

    steps = page.locator("#fs-steps")
    steps.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => adamFirstSteps.state().steps === 23")
    settle(page)
    assert page.locator(".fs-table tbody tr").count() == 23

    page.locator("#fs-preset").focus()
    page.keyboard.press("ArrowDown")  # constant -> noisy
    page.wait_for_function("() => adamFirstSteps.state().preset === 'noisy'")
    settle(page)
    assert_table_is_python(page, preset_gradients("noisy", 23), settings)
    assert "preset=noisy" in page.get_attribute(".pg-link", "href")


@pytest.mark.browser
def test_typed_gradients_fill_the_table_and_bad_ones_say_what_to_fix(open_page):
    page = open_page()
    field = page.locator("#fs-grads")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2, -1, x")
    error = page.locator("#fs-grads-error")
    assert error.is_visible()
    assert error.inner_text().startswith("Number 3, “x”, is not a number: write it as 2, -0.5")
    assert field.get_attribute("aria-invalid") == "true"
    assert "fs-grads-error" in field.get_attribute("aria-describedby")
    settle(page)
    assert page.locator(".fs-table tbody tr").count() == 2  # the last sequence read: 2, -1
    page.keyboard.press("Backspace")
    page.keyboard.type("0.5")
    page.wait_for_function("() => adamFirstSteps.state().preset === 'typed'")
    settle(page)
    assert error.is_hidden() and field.get_attribute("aria-invalid") is None
    assert_table_is_python(page, [2.0, -1.0, 0.5], {k: DEFAULTS[k] for k in HYPER})
    assert page.input_value("#fs-preset") == "typed"
    assert page.locator("#fs-steps").is_disabled()  # the typed sequence sets the length
    page.wait_for_function("() => location.search.includes('grads=2,-1,0.5')")
    assert "preset=typed" in page.evaluate("location.search")
    page.keyboard.type(",1e9")
    assert "Number 4, 1e9, is too large" in error.inner_text()


@pytest.mark.browser
def test_the_csv_button_puts_the_table_on_the_clipboard_and_says_so(open_page):
    page = open_page("?preset=outlier&steps=8")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    button = page.get_by_role("button", name="Copy the table as CSV")
    button.focus()
    page.keyboard.press("Enter")
    confirmation = page.locator(".fs-copied")
    page.wait_for_function("() => document.querySelector('.fs-copied').textContent !== ''")
    assert confirmation.is_visible()
    assert confirmation.inner_text() == "Copied: 8 rows and a header, as CSV."
    text = page.evaluate("navigator.clipboard.readText()")
    header, rows = parse_csv(text)
    assert header == list(COLUMNS)
    python = preset_table("outlier", 8)
    assert gap(np.column_stack([python[c] for c in COLUMNS]), rows) <= 1e-9
    assert rows[OUTLIER_STEP - 1, 1] == OUTLIER


@pytest.mark.browser
def test_a_shared_link_sets_every_control(open_page):
    query = "?preset=typed&grads=3,-1,0.5,0&alpha=0.01&beta1=0.5&beta2=0.99&eps=1e-6"
    page = open_page(query)
    assert page.input_value("#fs-preset") == "typed"
    assert page.input_value("#fs-grads") == "3, -1, 0.5, 0"
    shown = {key: page.get_attribute(f"#fs-{key}", "aria-valuetext") for key in HYPER}
    assert shown == {"alpha": "0.01", "beta1": "0.5", "beta2": "0.99", "eps": "1e-6"}
    assert page.get_attribute(".pg-link", "href").endswith(query)
    assert_table_is_python(page, [3.0, -1.0, 0.5, 0.0],
                           {"alpha": 0.01, "beta1": 0.5, "beta2": 0.99, "eps": 1e-6})


@pytest.mark.browser
@pytest.mark.parametrize("query", [
    "?preset=constructor", "?preset=__proto__&steps=NaN&grads=", "?preset=typed&grads=1,x",
    "?alpha=1e400&beta1=-1&eps=%ZZ&steps=1e9&beta2=2&toString=1&__proto__[x]=1",
])
def test_a_broken_link_opens_a_working_lab(open_page, query):
    page = open_page(query)
    assert page.errors == []
    s = page.evaluate("adamFirstSteps.state()")
    assert s["preset"] in [*PRESETS, "typed"] and 1 <= s["steps"] <= MAX_STEPS
    for key in HYPER:
        assert LIMITS[key][0] <= s[key] <= LIMITS[key][1]
    rows = len(s["grads"]) if s["preset"] == "typed" else s["steps"]
    assert_table_is_python(page, lab_gradients(s), {k: s[k] for k in HYPER})
    assert page.locator(".fs-table tbody tr").count() == rows


def lab_gradients(s: dict) -> list[float]:
    return s["grads"] if s["preset"] == "typed" else preset_gradients(s["preset"], s["steps"])


def plot_pixels(page) -> str:
    return page.evaluate("document.querySelector('.fs-plot').toDataURL()")


@pytest.mark.browser
def test_the_dark_scheme_redraws_the_plot_in_its_own_colours(open_page):
    page = open_page()
    light, pixels = page.evaluate("adamFirstSteps.theme()"), plot_pixels(page)
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    page.wait_for_function("() => adamFirstSteps.theme().scheme === 'slate'")
    settle(page)
    dark = page.evaluate("adamFirstSteps.theme()")
    # The text colour follows the scheme; Adam's orange stands out on both backgrounds.
    assert dark["fg"] != light["fg"]
    assert dark["corrected"] == light["corrected"] == COLORS["adam"]
    assert plot_pixels(page) != pixels


@pytest.mark.browser
def test_without_javascript_the_page_says_what_the_lab_would_show(open_page):
    page = open_page(java_script_enabled=False)
    assert page.locator("#first-steps-app").is_hidden()
    note = page.locator("noscript").last
    assert note.count() == 1
    text = page.locator("article").inner_text()
    assert "This lab runs in your browser and needs JavaScript" in text
    assert "3.16" in text  # the first uncorrected step, in the prose above the lab


@pytest.mark.browser
def test_on_a_phone_the_page_needs_no_sideways_scroll(open_page):
    page = open_page("?preset=noisy&steps=50", viewport={"width": 390, "height": 844},
                     device_scale_factor=3, is_mobile=True, has_touch=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator(".fs-table-box").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.locator(".fs-table-box").get_attribute("tabindex") == "0"  # scrolls by keys


@pytest.mark.browser
def test_a_redraw_of_50_steps_takes_under_16_ms_on_a_phone_class_cpu(open_page, record_property):
    page = open_page("?preset=noisy&steps=50", viewport={"width": 390, "height": 844},
                     device_scale_factor=3, is_mobile=True, has_touch=True)
    total = redraw_times(page, "fs-beta1", "adamFirstSteps", 60)
    median, p90 = statistics.median(total), sorted(total)[int(0.9 * len(total))]
    record_property("redraw_ms_median", round(median, 2))
    print(f"first steps, 50 rows, CPU / 4: median {median:.1f} ms, 90th percentile "
          f"{p90:.1f} ms, max {max(total):.1f} ms")
    assert page.locator(".fs-table tbody tr").count() == 50
    assert median < 16


@pytest.mark.browser
def test_the_lab_on_a_dark_phone_has_no_accessibility_violation(
    open_page, axe_source  # noqa: F811
):
    page = open_page("?preset=outlier", color_scheme="dark",
                     viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.locator("#fs-grads").fill("1, 2, x")  # the error shown too
    assert not axe_findings(page, axe_source)
