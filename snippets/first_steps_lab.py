"""The first steps, step by step (/playground/first-steps/): Algorithm 1's numbers, laid out.

The lab's table runs docs/assets/playground/first-steps.js in the reader's browser; that
file ports the functions below, and tests/test_first_steps_lab.py checks it against them
(to 1e-9), and checks them against the site's Adam (snippets/adam.py) and the ablation
without bias correction (snippets/optimizers.py).

Public names:
    DEFAULTS, LIMITS, PRESETS, MAX_STEPS, OUTLIER_STEP, NOISY
    preset_gradients(name, steps) -> list of floats: a preset gradient sequence
    parse_gradients(text) -> list of floats, or ValueError with what to fix
    first_steps_table(grads, alpha, beta1, beta2, eps) -> {column: array}: one row a step
    table_csv(table) -> str: the table as CSV, a header and one line a step
"""

from __future__ import annotations

import math
import re

import numpy as np

from snippets.values import value

MAX_STEPS = 50  # the longest sequence the table shows
DEFAULTS = {
    "preset": "constant",
    "steps": 20,
    "grads": [1.0, 0.5, -1.0, 2.0],  # the typed sequence a link with preset=typed starts from
    "alpha": 0.001,
    "beta1": 0.9,
    "beta2": 0.999,
    "eps": 1e-8,
}
LIMITS = {
    "steps": (1, MAX_STEPS),
    "alpha": (1e-6, 1.0),
    "beta1": (0.0, 0.999),
    "beta2": (0.0, 0.9999),
    "eps": (1e-16, 1.0),
    "grad": (-1e6, 1e6),
}
PRESETS = ("constant", "noisy", "growing", "outlier")
OUTLIER_STEP = 5  # the step at which the outlier preset's gradient is 100 instead of 1
OUTLIER = 100.0
# A minibatch's gradient: mean about 0.3, spread about 1 (NumPy's normal(0.3, 1) with
# seed 24, to two decimals, written out so the browser has the very same numbers).
NOISY = (
    1.65, 0.64, -0.86, 0.11, -0.04, 0.07, 0.9, -0.98, 1.27, -0.83,
    0.11, 1.19, 0.96, -0.39, 2.07, 0.67, -0.65, 0.34, -0.53, 0.73,
    -1.04, 0.78, -1.47, 1.4, 0.57, 1.66, -0.41, -1.79, -1.07, 0.06,
    2.26, 0.87, 1.61, -0.58, -0.23, -0.03, 1.47, -0.26, 0.01, 1.92,
    -0.57, 0.27, -1.04, 0.06, 1.13, 1.49, -1.09, -2.23, 0.84, 1.97,
)  # fmt: skip
COLUMNS = ("t", "g", "m", "v", "m_hat", "v_hat", "step", "step_uncorrected")


def preset_gradients(name: str, steps: int) -> list[float]:
    """The gradients g_1 .. g_steps of a preset: constant, noisy, growing or outlier."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}: one of {', '.join(PRESETS)}")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be from 1 to {MAX_STEPS}, got {steps}")
    ts = range(1, steps + 1)
    if name == "constant":
        return [1.0 for _ in ts]
    if name == "noisy":
        return list(NOISY[:steps])
    if name == "growing":
        return [0.1 * t for t in ts]
    return [OUTLIER if t == OUTLIER_STEP else 1.0 for t in ts]


NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # ASCII digits, as JS


def parse_gradients(text: str) -> list[float]:
    """Read comma-separated gradients; raise a ValueError that says what to fix."""
    lo, hi = LIMITS["grad"]
    if text.strip() == "":
        raise ValueError("Type at least one number, for example 1, 0.5, -2.")
    items = text.split(",")
    if len(items) > MAX_STEPS:
        raise ValueError(f"That is {len(items)} numbers: the table shows at most {MAX_STEPS}.")
    grads = []
    for i, item in enumerate(items, start=1):
        item = item.strip()
        if item == "":
            raise ValueError(f"Number {i} is missing: remove the extra comma or type a number.")
        if not NUMBER.fullmatch(item):
            raise ValueError(f"Number {i}, “{item}”, is not a number: write it as 2, -0.5 "
                             f"or 1e-3.")
        x = float(item)
        if not lo <= x <= hi:
            raise ValueError(f"Number {i}, {item}, is too large: keep each gradient from "
                             f"-1e6 to 1e6.")
        grads.append(x)
    return grads


def first_steps_table(
    grads, alpha: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
) -> dict[str, np.ndarray]:
    """Algorithm 1's numbers at each step t = 1, 2, ...: the gradient g, the moments m and
    v, their bias-corrected m_hat and v_hat, the step Adam takes (alpha m_hat / (sqrt(v_hat)
    + eps)) and the step it would take without bias correction (alpha m / (sqrt(v) + eps)).
    A step is what is subtracted from the parameter."""
    rows = []
    m = v = 0.0
    for t, g in enumerate(grads, start=1):
        g = float(g)
        m = beta1 * m + (1 - beta1) * g  # (1) the biased first moment
        v = beta2 * v + (1 - beta2) * (g * g)  # (2) the biased second raw moment
        m_hat = m / (1 - beta1**t)  # (3) bias-corrected
        v_hat = v / (1 - beta2**t)  # (4) bias-corrected
        step = alpha * m_hat / (math.sqrt(v_hat) + eps)  # (5) what Adam subtracts
        step_uncorrected = alpha * m / (math.sqrt(v) + eps)  # the same without (3) and (4)
        rows.append((t, g, m, v, m_hat, v_hat, step, step_uncorrected))
    table = np.array(rows, dtype=float).reshape(-1, len(COLUMNS))
    return {name: table[:, i] for i, name in enumerate(COLUMNS)}


def table_csv(table: dict[str, np.ndarray]) -> str:
    """The table as CSV: a header, then one line a step, each number to full precision."""
    lines = [",".join(COLUMNS)]
    for row in zip(*(table[c] for c in COLUMNS), strict=True):
        lines.append(",".join([str(int(row[0]))] + [repr(float(x)) for x in row[1:]]))
    return "\n".join(lines) + "\n"


def preset_table(name: str, steps: int = MAX_STEPS, **settings) -> dict[str, np.ndarray]:
    """The table of a preset, with Adam's defaults unless settings say otherwise."""
    hyper = {k: DEFAULTS[k] for k in ("alpha", "beta1", "beta2", "eps")} | settings
    return first_steps_table(preset_gradients(name, steps), **hyper)


# ---- the numbers the page states --------------------------------------------------------


def _in_alphas(name: str, column: str) -> np.ndarray:
    return preset_table(name)[column] / DEFAULTS["alpha"]


@value("first-steps-constant-corrected", digits=3)
def first_steps_constant_corrected() -> float:
    """A constant gradient: the largest corrected step of the first 50, in alphas."""
    return float(_in_alphas("constant", "step").max())


@value("first-steps-uncorrected-first", digits=3)
def first_steps_uncorrected_first() -> float:
    """A constant gradient: the first step without bias correction, in alphas."""
    return float(_in_alphas("constant", "step_uncorrected")[0])


@value("first-steps-uncorrected-peak", digits=3)
def first_steps_uncorrected_peak() -> float:
    """A constant gradient: the largest uncorrected step of the first 50, in alphas."""
    return float(_in_alphas("constant", "step_uncorrected").max())


@value("first-steps-uncorrected-peak-step", integer=True)
def first_steps_uncorrected_peak_step() -> float:
    """The step t at which that largest uncorrected step is taken."""
    return float(np.argmax(_in_alphas("constant", "step_uncorrected")) + 1)


@value("first-steps-uncorrected-last", digits=3)
def first_steps_uncorrected_last() -> float:
    """A constant gradient: the uncorrected step at t = 50, in alphas."""
    return float(_in_alphas("constant", "step_uncorrected")[-1])


@value("first-steps-outlier-step", digits=3)
def first_steps_outlier_step() -> float:
    """One gradient of 100 among ones: Adam's (corrected) step at that step, in alphas."""
    return float(_in_alphas("outlier", "step")[OUTLIER_STEP - 1])


@value("first-steps-outlier-after-max", digits=3)
def first_steps_outlier_after_max() -> float:
    """The largest corrected step after the outlier, up to t = 50, in alphas."""
    return float(_in_alphas("outlier", "step")[OUTLIER_STEP:].max())
