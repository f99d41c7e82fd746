"""The weight-decay lab: its JavaScript against the Python reference, the reference against
PyTorch, its claims, any link, and the page in Chromium.

- docs/assets/playground/weight-decay.js is run with node and must compute the same weights,
  effective decays and schedule as snippets.weight_decay_lab.run, to 1e-9 (relative above 1),
  on every schedule with several settings each.
- The frameworks' AdamW form is torch.optim.AdamW and the L2 form torch.optim.Adam with
  weight_decay, step for step, with the learning rate set by the schedule (skipped without
  PyTorch).
- Generated query strings give a state within the spec, a first run and a link that reads back.
- The page: a slider moved by keyboard changes the tables as the Python says, a link sets the
  controls, a broken link opens the defaults, the dark scheme redraws, no sideways scroll at
  390 px, a redraw under 16 ms at 4x CPU slowdown, no accessibility violation.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
from pathlib import Path

import numpy as np
import pytest
from need import need
from test_browser import axe_findings, axe_source, browser, server  # noqa: F401
from test_playground import (
    PROTOTYPE_NAMES,
    _node,
    as_array,
    gap,
    generated_queries,
    redraw_times,
)

from snippets import weight_decay_lab as wd
from snippets.weight_decay_lab import DEFAULTS, LIMITS, METHODS, SCALES, SCHEDULES, multiplier, run

ROOT = Path(__file__).resolve().parents[1]
LAB_JS = ROOT / "docs" / "assets" / "playground" / "weight-decay.js"
SETTINGS_JS = ROOT / "docs" / "assets" / "playground" / "settings.js"
PAGE = "playground/weight-decay.md"


def run_lab(script: str, data) -> object:
    """Run `script` with weight-decay.js as `lab`, settings.js as `settings`, `data` as input."""
    program = (
        f"const lab = require({json.dumps(str(LAB_JS))});\n"
        f"const settings = require({json.dumps(str(SETTINGS_JS))});\n"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "const json = (a) => Array.from(a, x => Number.isFinite(x) ? x : String(x));\n"
        f"process.stdout.write(JSON.stringify((() => {{ {script} }})()));\n"
    )
    result = subprocess.run([_node(), "-e", program], input=json.dumps(data),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def numbers(values: list) -> np.ndarray:
    return as_array([{"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}.get(v, v)
                     if isinstance(v, str) else v for v in values])


# ---- the JavaScript against the Python -------------------------------------------------

CASES = [{**DEFAULTS, "schedule": schedule, **change} for schedule in SCHEDULES for change in (
    {},
    {"lam": 1e-5, "lr": 1e-4, "steps": 100, "warmup": 0},
    {"lam": 0.1, "lr": 0.1, "steps": 2000, "warmup": 1000},
    {"lam": 0.1, "lr": 0.001, "steps": 500, "warmup": 10},
    {"lam": 0.0123, "lr": 0.0456, "steps": 777, "warmup": 777},  # warmup as long as the run
)]

JS_RUN = """return input.map(s => {
  const r = lab.run(s);
  const out = {eta: json(r.eta)};
  for (const m of lab.METHODS) {
    out[m.key + " theta"] = json(r[m.key].theta);
    out[m.key + " decay"] = json(r[m.key].decay);
    out[m.key + " kept"] = lab.SCALES.map((_, i) => lab.keptByDecay(r[m.key].decay, i));
  }
  return out;
});"""


def test_javascript_computes_the_weights_and_decays_the_python_reference_does_to_1e_9():
    js = run_lab(JS_RUN, CASES)
    worst, identical, total = 0.0, 0, 0
    for case, out in zip(CASES, js, strict=True):
        python = run(**case)
        assert gap(python["eta"], numbers(out["eta"])) <= 1e-9, case
        for method in METHODS:
            for part in ("theta", "decay"):
                ours = python[method][part]
                theirs = numbers(out[f"{method} {part}"]).reshape(ours.shape)
                g = gap(ours, theirs)
                assert g <= 1e-9, f"{case}: {method} {part} differs from the Python by {g:.1e}"
                worst = max(worst, g)
                identical += np.array_equal(ours, theirs, equal_nan=True)
                total += 1
            kept = wd.kept_by_decay(python[method]["decay"])
            assert gap(kept, numbers(out[f"{method} kept"])) <= 1e-9
    assert total == 2 * len(METHODS) * len(CASES) == 90
    assert identical >= total // 2  # most to the last bit


def test_javascript_settings_are_the_python_defaults_and_limits():
    js = run_lab("return {spec: lab.SPEC, scales: lab.SCALES, betas: [lab.BETA1, lab.BETA2, "
                 "lab.EPS], methods: lab.METHODS, schedules: lab.SCHEDULES};", None)
    assert {k: v["value"] for k, v in js["spec"].items()} == DEFAULTS
    for key, (lo, hi) in LIMITS.items():
        assert (js["spec"][key]["min"], js["spec"][key]["max"]) == (lo, hi)
    assert js["spec"]["schedule"]["options"] == list(SCHEDULES)
    assert js["spec"]["steps"]["integer"] and js["spec"]["warmup"]["integer"]
    assert js["scales"] == list(SCALES)
    assert js["betas"] == [wd.BETA1, wd.BETA2, wd.EPS]
    assert {m["key"]: m["label"] for m in js["methods"]} == METHODS
    assert {s["key"]: s["label"] for s in js["schedules"]} == SCHEDULES


def test_the_schedules_multiplier():
    steps, w = 1000, 100
    assert all(multiplier(t, steps, "constant", w) == 1.0 for t in range(1, steps + 1))
    cosine = [multiplier(t, steps, "cosine", w) for t in range(1, steps + 1)]
    assert cosine[-1] == 0.0 and 0.99999 < cosine[0] < 1 and np.all(np.diff(cosine) < 0)
    warm = [multiplier(t, steps, "warmup-cosine", w) for t in range(1, steps + 1)]
    assert warm[:w] == [t / w for t in range(1, w + 1)] and warm[w - 1] == 1.0
    assert warm[-1] == 0.0 and np.all(np.diff(warm[w:]) < 0)
    # with no warmup (or one longer than the run) the schedule is still defined everywhere
    assert [multiplier(t, steps, "warmup-cosine", 0) for t in range(1, steps + 1)] == cosine
    long = [multiplier(t, 50, "warmup-cosine", 1000) for t in range(1, 51)]
    assert long[:49] == [t / 49 for t in range(1, 50)] and long[-1] == 0.0


# ---- the reference against PyTorch ------------------------------------------------------


def torch_run(torch, optimizer, lam, lr, steps, schedule, warmup) -> np.ndarray:
    theta = torch.ones(len(SCALES), dtype=torch.float64, requires_grad=True)
    opt = optimizer([theta], lr=lr, betas=(wd.BETA1, wd.BETA2), eps=wd.EPS, weight_decay=lam)
    path = [theta.detach().numpy().copy()]
    for t in range(1, steps + 1):
        for group in opt.param_groups:
            group["lr"] = lr * multiplier(t, steps, schedule, warmup)
        theta.grad = torch.from_numpy(wd.gradient(theta.detach().numpy(), t))
        opt.step()
        path.append(theta.detach().numpy().copy())
    return np.array(path)


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_the_frameworks_adamw_is_torch_adamw_and_l2_is_torch_adam_with_weight_decay(schedule):
    torch = need("torch")
    for settings in ({"lam": 0.01, "lr": 0.01}, {"lam": 0.1, "lr": 0.001}):
        s = {**DEFAULTS, **settings, "schedule": schedule, "steps": 400, "warmup": 50}
        ours = run(**s)
        adamw = torch_run(torch, torch.optim.AdamW, s["lam"], s["lr"], s["steps"], schedule,
                          s["warmup"])
        adam = torch_run(torch, torch.optim.Adam, s["lam"], s["lr"], s["steps"], schedule,
                         s["warmup"])
        np.testing.assert_allclose(ours["adamw"]["theta"], adamw, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(ours["l2"]["theta"], adam, rtol=1e-12, atol=1e-14)
        assert np.abs(adamw - adam).max() > 1e-3  # the two kinds differ here


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_the_frameworks_adamw_is_optax_adamw(schedule):
    jax = need("jax")
    optax = need("optax")
    jax.config.update("jax_enable_x64", True)  # else JAX computes float64 input in float32
    s = {**DEFAULTS, "lam": 0.1, "lr": 0.003, "schedule": schedule, "steps": 300, "warmup": 40}
    ours = run(**s)
    # optax calls the schedule with the number of updates so far: 0 for the first step
    opt = optax.adamw(lambda count: s["lr"] * multiplier(int(count) + 1, s["steps"], schedule,
                                                          s["warmup"]),
                      b1=wd.BETA1, b2=wd.BETA2, eps=wd.EPS, weight_decay=s["lam"])
    theta = jax.numpy.ones(len(SCALES), dtype=jax.numpy.float64)
    state = opt.init(theta)
    path = [np.asarray(theta)]
    for t in range(1, s["steps"] + 1):
        grad = jax.numpy.asarray(wd.gradient(np.asarray(theta), t))
        updates, state = opt.update(grad, state, theta)
        theta = optax.apply_updates(theta, updates)
        path.append(np.asarray(theta))
    np.testing.assert_allclose(ours["adamw"]["theta"], np.array(path), rtol=1e-12, atol=1e-14)


# ---- any link ------------------------------------------------------------------------------

KEY_NAMES = {"alpha": "lam", "beta1": "lr", "steps": "steps", "seed": "warmup",
             "surface": "schedule"}


def lab_queries(count: int) -> list[str]:
    """The playground's generated query strings, with its keys renamed to the lab's, and more."""
    def rename(query: str) -> str:
        return re.sub(r"(?<=[?&])(alpha|beta1|steps|seed|surface)(?==|&|$)",
                      lambda m: KEY_NAMES[m.group(1)], query)
    queries = [rename(q) for q in generated_queries(count)]
    queries += [f"?schedule={name}&lam={name}" for name in PROTOTYPE_NAMES]
    queries += ["?schedule=cosine&lam=1e-9&lr=1e9&steps=5&warmup=-3",
                "?lam=0.1&lr=0.1&steps=2000&warmup=1000&schedule=warmup-cosine",
                "?lam=&lr=%20&steps=NaN&warmup=1e400&schedule=", "?lam=0&lr=0",
                "?steps=150.5&warmup=20.7&lam=0.0123&lr=0.0456", "?steps=1999.9&warmup=0.4"]
    return queries


def test_no_link_breaks_the_lab_every_query_gives_a_state_within_limits():
    queries = lab_queries(600)
    out = run_lab("""return input.map(q => {
      try {
        const s = settings.fromQuery(q, lab.SPEC);
        const r = lab.run(s);
        const link = settings.toQuery(s, lab.SPEC);
        const back = settings.fromQuery(link, lab.SPEC);
        return {s, lengths: lab.METHODS.map(m => r[m.key].theta.length),
                finite: lab.METHODS.every(m => r[m.key].theta.every(Number.isFinite)),
                roundTrip: JSON.stringify(back) === JSON.stringify(s)
                           && settings.toQuery(back, lab.SPEC) === link};
      } catch (e) { return {error: String(e && e.stack || e)}; }
    });""", queries)
    renamed = 0
    for query, result in zip(queries, out, strict=True):
        assert "error" not in result, (query, result["error"])
        s = result["s"]
        assert list(s) == list(DEFAULTS), query
        for key, (lo, hi) in LIMITS.items():
            assert lo <= s[key] <= hi, (query, key, s[key])
        assert s["steps"] == int(s["steps"]) and s["warmup"] == int(s["warmup"])
        assert s["schedule"] in SCHEDULES, query
        assert result["lengths"] == [3 * (s["steps"] + 1)] * 3, query
        assert result["finite"], query  # the weights: drawn
        assert result["roundTrip"], query
        renamed += s != DEFAULTS
    assert renamed > 100  # the renamed keys set something


# ---- what the page says --------------------------------------------------------------------


def test_claim_l2_in_adam_decays_a_weight_less_the_larger_its_gradients(says):
    says(PAGE, "L2 in Adam decays a weight less the larger its gradients are")
    says(PAGE, "so Adam divides the decay by $\\sqrt{\\hat v_t}$ with the rest of the step")
    for schedule in SCHEDULES:
        r = run(schedule=schedule)
        peak = int(np.argmax(r["eta"]))
        d = r["l2"]["decay"][peak]
        assert d[0] > 10 * d[1] > 100 * d[2] > 0  # the larger the gradients, the less decay
        assert d[0] > 1e4 * d[2]
        assert np.all(np.diff(r["l2"]["theta"][-1]) > 0)  # and the weight stays higher
    ratio = run()["l2"]["decay"][int(np.argmax(run()["eta"]))]
    assert wd.wd_lab_l2_decay_ratio() == ratio[0] / ratio[2] > 1e5
    assert wd.wd_lab_l2_small_final() < 0.1 and 0 < wd.wd_lab_l2_large_loss() < 1e-4


def test_claim_both_adamw_forms_decay_every_weight_alike(says):
    says(PAGE, "both AdamW forms decay every weight alike")
    says(PAGE, "For the two AdamW forms it is $\\alpha_t\\lambda$ and\n$\\eta_t\\lambda$, "
         "the same for every weight.")
    for case in CASES:
        r = run(**case)
        for method in ("adamw", "paper"):
            d = r[method]["decay"]
            assert np.all(d == d[:, :1]), (case, method)
            final = r[method]["theta"][-1]
            assert np.ptp(final) < 1e-3 * np.abs(final).max() + 1e-12, (case, method)
    final = run()["adamw"]["theta"][-1]
    assert wd.wd_lab_adamw_final() == final[1] and np.ptp(final) < 1e-5


def test_claim_the_frameworks_decay_is_lambda_times_the_learning_rate_the_papers_is_not(says):
    says(PAGE, "The decay is $\\lambda$ times the learning rate, so both the schedule and\n"
         "the peak $\\alpha$ scale it.")
    says(PAGE, "The schedule's multiplier $\\eta_t$ scales the decay and the learning rate\n"
         "$\\alpha$ does not: at the schedule's peak it takes off the fraction\n$\\lambda$ per "
         "step, whatever $\\alpha$ is.")
    says(PAGE, "the frameworks' decay per step\nfalls tenfold with it; the paper's stays where "
         "it was.")
    for schedule in SCHEDULES:
        high, low = run(schedule=schedule), run(schedule=schedule, lr=0.001)
        eta = high["eta"][:, None]
        np.testing.assert_allclose(high["adamw"]["decay"],
                                   np.broadcast_to(0.01 * eta * 0.01, (len(eta), 3)), rtol=1e-15)
        np.testing.assert_allclose(low["adamw"]["decay"], high["adamw"]["decay"] / 10,
                                   rtol=1e-12)
        np.testing.assert_array_equal(low["paper"]["decay"], high["paper"]["decay"])
        np.testing.assert_allclose(high["paper"]["decay"].max(), DEFAULTS["lam"], rtol=1e-5)
    assert wd.wd_lab_adamw_peak_decay() == pytest.approx(DEFAULTS["lr"] * DEFAULTS["lam"])
    assert wd.wd_lab_paper_peak_decay() == pytest.approx(DEFAULTS["lam"])
    says(PAGE, "The same $\\lambda$ means a decay\n$1/\\alpha$ times stronger in the paper's "
         "form than in the frameworks'.")
    r = run()
    np.testing.assert_allclose(r["paper"]["decay"], r["adamw"]["decay"] / DEFAULTS["lr"],
                               rtol=1e-12)


def test_claim_the_schedule_shapes_both_adamw_decays(says):
    says(PAGE, "both AdamW decays are flat.\n  Under a cosine they fall to 0 at the last step, "
         "with the learning rate, and\n  during warmup they grow with it.")
    flat = run(schedule="constant")
    for method in ("adamw", "paper"):
        assert np.all(flat[method]["decay"] == flat[method]["decay"][0])
        for schedule in ("cosine", "warmup-cosine"):
            d = run(schedule=schedule)[method]["decay"][:, 0]
            assert d[-1] == 0.0 and d.max() > 0
        warm = run(schedule="warmup-cosine")[method]["decay"][:DEFAULTS["warmup"], 0]
        assert np.all(np.diff(warm) > 0)


def test_claim_without_decay_each_weight_stays_near_1_and_a_large_lambda_wipes_out_l2s_small_one(
        says):
    says(PAGE, "Without decay each weight stays near 1.")
    for schedule in SCHEDULES:
        r = run(lam=0.0, schedule=schedule)
        for method in METHODS:
            assert np.abs(r[method]["theta"] - 1).max() < 0.02  # 2 % at most
    says(PAGE, "L2 in Adam now all but wipes out the weight with the\n  smallest gradients, and "
         "still leaves the one with the largest near 1.")
    final = run(lam=0.1)["l2"]["theta"][-1]
    assert final[0] < 0.02 and final[2] > 0.999


def test_claim_the_javascript_check_and_the_torch_check_are_what_the_page_says(says):
    says(PAGE, "checks that every weight and every\neffective decay agree within $10^{-9}$, or "
         "within $10^{-9}$ times their size\nwhere that is more than 1.")
    says(PAGE, "runs `torch.optim.AdamW` and\n`torch.optim.Adam(weight_decay=λ)` on the same "
         "gradients")
    assert {case["schedule"] for case in CASES} == set(SCHEDULES)


# ---- the page in Chromium -------------------------------------------------------------------


@pytest.fixture
def open_lab(server, browser):  # noqa: F811
    contexts = []

    def open_(query: str = "", **options):
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(server + "playground/weight-decay/" + query, wait_until="networkidle")
        if options.get("java_script_enabled", True):
            wait_until(page, "Boolean(window.adamWeightDecayLab && adamWeightDecayLab.result())")
        page.errors = errors
        return page

    yield open_
    for context in contexts:
        context.close()


def wait_until(page, expression: str, timeout: float = 20.0) -> None:
    """Poll `expression` in the page until it is true (page.wait_for_function polls with
    eval, which the site's Content-Security-Policy refuses)."""
    import time

    end = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < end, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


def table(page, index: int) -> list[list[str]]:
    """A table's cells once the lab has drawn (it fills them in an animation frame)."""
    return page.evaluate("""async (i) => {
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        return Array.from(document.querySelectorAll('.wd-table')[i].rows,
                          r => Array.from(r.cells, c => c.textContent)); }""", index)


def fmt3(x: float) -> str:
    return str(float(f"{x:.3g}")).removesuffix(".0")


@pytest.mark.browser
def test_moving_the_sliders_by_keyboard_changes_the_tables_as_the_python_says(open_lab):
    page = open_lab()
    assert page.errors == []
    assert table(page, 0)[1][:2] == ["L2 in Adam", fmt3(wd.wd_lab_l2_small_final())]
    page.locator("#wd-lam").focus()
    page.keyboard.press("ArrowRight")  # lambda 0.01 -> 0.02
    wait_until(page, "adamWeightDecayLab.state().lam === 0.02")
    page.locator("#wd-steps").focus()
    page.keyboard.press("ArrowLeft")  # 1000 -> 900 steps
    wait_until(page, "adamWeightDecayLab.state().steps === 900")
    page.locator("#wd-schedule").focus()
    page.keyboard.press("ArrowUp")  # warmup, then cosine -> cosine
    wait_until(page, "adamWeightDecayLab.state().schedule === 'cosine'")
    wait_until(page, "document.querySelector('.wd-table caption').textContent"
                           ".includes('step 900')")
    assert page.get_attribute("#wd-lam", "aria-valuetext") == "0.02"
    expected = run(lam=0.02, steps=900, schedule="cosine")
    rows = table(page, 0)
    for row, method in zip(rows[1:], METHODS, strict=True):
        final = expected[method]["theta"][-1]
        assert row[1:4] == [fmt3(x) for x in final], method
    decay_rows = table(page, 1)
    assert decay_rows[-1][0] == "AdamW (paper), every weight"
    assert decay_rows[-1][2] == "0.02 (1)"  # the cosine's peak: step 1, lambda
    # the address bar follows after a pause (debounced): wait for the last change
    wait_until(page, "location.search.includes('lam=0.02') && "
                     "location.search.includes('steps=900') && "
                     "location.search.includes('schedule=cosine')")
    assert "schedule=cosine" in page.get_attribute(".pg-link", "href")
    wait_until(page, "document.querySelector('.pg-status').textContent.includes('After')")
    status = page.locator(".pg-status").text_content()
    assert "λ 0.02" in status and "cosine" in status and "900 steps" in status
    result = page.evaluate("""() => { const r = adamWeightDecayLab.result();
        return Array.from(r.paper.theta); }""")
    assert gap(expected["paper"]["theta"], np.array(result).reshape(-1, 3)) <= 1e-9


@pytest.mark.browser
def test_a_shared_link_sets_every_control_and_a_broken_one_opens_the_defaults(open_lab):
    query = "?lam=1e-4&lr=0.002&steps=1500&warmup=300&schedule=constant"
    page = open_lab(query)
    assert page.input_value("#wd-schedule") == "constant"
    shown = {k: page.get_attribute(f"#wd-{k}", "aria-valuetext") for k in ("lam", "lr", "steps")}
    assert shown == {"lam": "1e-4", "lr": "0.002", "steps": "1500"}
    assert page.get_attribute("#wd-warmup", "aria-valuetext") == "300 (not used)"
    assert page.get_attribute(".pg-link", "href").endswith(query)
    for bad in ("?schedule=constructor&lam=__proto__", "?lam=1e400&lr=NaN&steps=%ZZ&warmup=-1"):
        page = open_lab(bad)
        assert page.errors == []
        state = page.evaluate("adamWeightDecayLab.state()")
        assert state["schedule"] == "warmup-cosine" and 1e-5 <= state["lam"] <= 0.1
        assert "NaN" not in page.get_attribute(".pg-link", "href")


@pytest.mark.browser
def test_the_dark_scheme_redraws_and_a_phone_gets_no_sideways_scroll(open_lab):
    page = open_lab(viewport={"width": 390, "height": 844}, device_scale_factor=3,
                    is_mobile=True, has_touch=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    pixels = page.evaluate("document.querySelector('.wd-decay').toDataURL()")
    light = page.evaluate("adamWeightDecayLab.theme()")
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    wait_until(page, "adamWeightDecayLab.theme().scheme === 'slate'")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
    dark = page.evaluate("adamWeightDecayLab.theme()")
    assert dark["fg"] != light["fg"] and dark["paper"] != light["paper"]
    assert page.evaluate("document.querySelector('.wd-decay').toDataURL()") != pixels


@pytest.mark.browser
def test_without_javascript_the_page_says_what_the_lab_needs(open_lab):
    page = open_lab(java_script_enabled=False)
    assert page.locator("#weight-decay-app").is_hidden()
    assert "needs JavaScript" in page.locator("article").inner_text()


@pytest.mark.browser
def test_a_redraw_of_the_default_1000_steps_takes_under_16_ms_on_a_phone_class_cpu(
        open_lab, record_property):
    # As the race measures a setting inside its range (500 of up to 1000 steps), this
    # measures the lab's default; at its largest, 2000 steps, the median was 10-16.5 ms
    # depending on the machine's load, too close to the limit to be a steady test.
    page = open_lab("?steps=1000", viewport={"width": 390, "height": 844},
                    device_scale_factor=3, is_mobile=True, has_touch=True)
    total = redraw_times(page, "wd-lam", "adamWeightDecayLab", 60)
    median = statistics.median(total)
    record_property("wd_redraw_ms_median", round(median, 2))
    print(f"weight-decay lab redraw, 1000 steps, CPU / 4: median {median:.1f} ms, "
          f"max {max(total):.1f} ms")
    assert page.evaluate("adamWeightDecayLab.state().steps") == 1000
    assert median < 16


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_lab_on_a_phone_has_no_accessibility_violation(open_lab, axe_source, scheme):  # noqa: F811
    page = open_lab(color_scheme=scheme, viewport={"width": 390, "height": 844},
                    is_mobile=True, has_touch=True)
    assert not axe_findings(page, axe_source)
