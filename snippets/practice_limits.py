"""The /practice/ page, sections 6 to 10: where Adam's guarantees end.

The edge of stability (the largest step a frozen preconditioner allows), Adam against
SGD on the lab's spirals with each learning rate tuned on the validation split, the
quantity of Kingma and Ba's regret bound that Reddi et al. found can be negative, 8-bit
optimizer states and bfloat16 weights, and sparse gradients. Functions at the top level
are what the page, its figures and tests/test_practice_limits.py use; the blocks under
``if __name__ == "__main__":`` print what the page shows.
"""

from __future__ import annotations

import functools

# --8<-- [start:setup]
import math

import numpy as np

# --8<-- [end:setup]
from snippets import lab, pitfalls, variants
from snippets.figures import COLORS, LINESTYLES, figure
from snippets.values import value

# The edge of stability ----------------------------------------------------------------


# --8<-- [start:eos_limit]
def stability_limit(beta1: float) -> float:
    """The largest alpha * curvature (preconditioned) at which Adam's momentum is stable."""
    return 2 * (1 + beta1) / (1 - beta1)


def growth_per_step(sharpness, beta1: float):
    """How much the distance to the minimum is multiplied by per step, in the long run.

    With the preconditioner frozen, Adam on a quadratic is EMA momentum: (m, x) is
    multiplied at each step by a 2 x 2 matrix whose eigenvalues are the roots z of
    z^2 - b z + beta1, with b = 1 + beta1 - (1 - beta1) * sharpness.
    """
    b = 1 + beta1 - (1 - beta1) * np.asarray(sharpness, dtype=float)
    root = np.emath.sqrt(b**2 - 4 * beta1)  # imaginary when the roots are complex
    return np.maximum(np.abs((b + root) / 2), np.abs((b - root) / 2))


def frozen_adam(curvature: float, v_hat: float, lr: float, beta1: float = 0.9,
                steps: int = 200, x: float = 1.0, eps: float = 1e-8) -> np.ndarray:
    """Adam late in training (1 - beta1^t = 1) on f(x) = curvature * x^2 / 2, with
    v_hat held fixed: |x| at every step."""
    m, xs = 0.0, [abs(x)]
    for _ in range(steps):
        g = curvature * x
        m = beta1 * m + (1 - beta1) * g
        x = x - lr * m / (math.sqrt(v_hat) + eps)
        xs.append(abs(x))
    return np.array(xs)


# --8<-- [end:eos_limit]

EOS_LR, EOS_V_HAT = 0.01, 1e-6  # alpha, and a frozen v_hat: alpha / sqrt(v_hat) = 10
EOS_MARGIN = 0.01  # 1% below and above the limit


def eos_curvature(beta1: float, factor: float) -> float:
    """The curvature that puts alpha * curvature / sqrt(v_hat) at factor * the limit."""
    return factor * stability_limit(beta1) * math.sqrt(EOS_V_HAT) / EOS_LR


@functools.cache
def _eos_runs() -> dict[str, np.ndarray]:
    below, above = 1 - EOS_MARGIN, 1 + EOS_MARGIN
    return {
        "below": frozen_adam(eos_curvature(0.9, below), EOS_V_HAT, EOS_LR),
        "above": frozen_adam(eos_curvature(0.9, above), EOS_V_HAT, EOS_LR),
    }


@functools.cache
def spike_start() -> tuple[np.ndarray, np.ndarray]:
    """The loss at every step and alpha * sharpness every 10 steps of the late-spike run
    of /pitfalls/, its first 4000 steps (computed as pitfalls computes them)."""
    X, y, H = pitfalls.least_squares()
    return pitfalls._train_rows(X, y, H, [(0.999, None)], steps=4000, every=10)[0]


def _first_step_above(limit: float) -> int:
    sharp = spike_start()[1]
    assert (sharp > limit).any()
    return 10 * (int(np.argmax(sharp > limit)) + 1)


@value("practice-eos-limit", integer=True)
def eos_limit() -> float:
    return round(stability_limit(0.9), 9)


@value("practice-eos-limit-095", integer=True)
def eos_limit_095() -> float:
    return round(stability_limit(0.95), 9)


@value("practice-eos-limit-099", integer=True)
def eos_limit_099() -> float:
    return round(stability_limit(0.99), 9)


@value("practice-eos-ratio", integer=True)
def eos_ratio() -> float:
    """How many times larger the limit with beta1 = 0.9 is than gradient descent's 2."""
    return round(stability_limit(0.9) / stability_limit(0.0), 9)


@value("practice-eos-below", digits=3)
def eos_below() -> float:
    return (1 - EOS_MARGIN) * stability_limit(0.9)


@value("practice-eos-above", digits=3)
def eos_above() -> float:
    return (1 + EOS_MARGIN) * stability_limit(0.9)


@value("practice-eos-growth-below", digits=3)
def eos_growth_below() -> float:
    return float(growth_per_step((1 - EOS_MARGIN) * stability_limit(0.9), 0.9))


@value("practice-eos-growth-above", digits=3)
def eos_growth_above() -> float:
    return float(growth_per_step((1 + EOS_MARGIN) * stability_limit(0.9), 0.9))


@value("practice-eos-x-below", sci=True, digits=1)
def eos_x_below() -> float:
    return float(_eos_runs()["below"][-1])


@value("practice-eos-x-above", sci=True, digits=1)
def eos_x_above() -> float:
    return float(_eos_runs()["above"][-1])


@value("practice-eos-spike-crossed-2", integer=True)
def eos_spike_crossed_2() -> float:
    return _first_step_above(stability_limit(0.0))


@value("practice-eos-spike-crossed-38", integer=True)
def eos_spike_crossed_38() -> float:
    return _first_step_above(stability_limit(0.9))


@figure(
    "eos-threshold",
    alt=(
        "Two panels. Left: how much the distance to the minimum grows per step, against "
        "the learning rate times the preconditioned curvature, on a log axis, for "
        "beta1 0 and 0.9. Both stay below 1 (shrinking) up to their limit, 2 for beta1 0 "
        "and [[value: practice-eos-limit]] for beta1 0.9, and pass 1 there. Right: the "
        "distance to the minimum over 200 steps of Adam with a frozen v-hat, on a log "
        "scale. At [[value: practice-eos-below]], 1% below the limit, it shrinks by "
        "[[value: practice-eos-growth-below]] per step, to "
        "[[value: practice-eos-x-below]]; at [[value: practice-eos-above]], 1% above, it "
        "grows by [[value: practice-eos-growth-above]] per step, to "
        "[[value: practice-eos-x-above]]."
    ),
    size=(7.0, 3.2),
)
def eos_threshold(fig, theme):
    """The growth factor per step against alpha * sharpness, and runs just below/above."""
    left, right = fig.subplots(1, 2)
    s = np.geomspace(0.5, 100, 60)
    for beta1, color, style, label in [(0.0, theme.text, "--", r"$\beta_1 = 0$"),
                                       (0.9, COLORS["adam"], "-", r"$\beta_1 = 0.9$")]:
        left.plot(s, growth_per_step(s, beta1), color=color, linestyle=style, label=label)
        left.axvline(stability_limit(beta1), color=color, linestyle=":", linewidth=0.8)
    left.axhline(1, color=theme.muted, linewidth=0.8)
    left.set_xscale("log")
    left.set_xticks([1, 2, 10, stability_limit(0.9), 100],
                    ["1", "2", "10", f"{stability_limit(0.9):.0f}", "100"])
    left.minorticks_off()
    left.set_ylim(0, 3)
    left.set_xlabel(r"$\alpha\,\lambda_{\max}(PH)$")
    left.set_ylabel("growth per step")
    left.legend(fontsize=8, loc="upper left")
    runs = _eos_runs()
    t = np.arange(len(runs["below"]))
    right.plot(t, runs["below"], color=COLORS["adam"], linestyle="-",
               label=rf"$\beta_1 = 0.9$, {eos_below():.1f}")
    right.plot(t, runs["above"], color=COLORS["adam"], linestyle="--",
               label=rf"$\beta_1 = 0.9$, {eos_above():.1f}")
    right.set_yscale("log")
    right.set_ylim(1e-6, 1e12)
    right.set_yticks([1e-4, 1, 1e4, 1e8, 1e12])
    right.minorticks_off()
    right.set_xlabel("step")
    right.set_ylabel("$|x_t|$")
    right.legend(fontsize=8, loc="upper left")
    for ax in (left, right):
        ax.grid(True, linewidth=0.5)


# Does Adam generalize worse than SGD? --------------------------------------------------

SWEEP = {"SGD": lab.GRIDS["SGD"], "Adam": lab.GRIDS["Adam"]}  # the lab's grids
SEEDS = (0, 1, 2)  # seed 0 for the sweep, all three at each optimizer's tuned rate


@functools.cache
def _sweep() -> dict:
    """Validation accuracy of every (optimizer, rate) of SWEEP, seed 0 (lab's lockstep)."""
    runs = tuple((name, lr, 0.01) for name, grid in SWEEP.items() for lr in grid)
    return lab._runs_together(runs)


def tuned(name: str) -> float:
    """The rate of SWEEP[name] with the best validation accuracy (ties: the smaller)."""
    results = _sweep()
    return max(SWEEP[name], key=lambda lr: (results[(name, lr, 0.01)]["val_accuracy"], -lr))


def tied(name: str) -> list[float]:
    """The other rates of SWEEP[name] whose validation accuracy equals the tuned rate's."""
    results = _sweep()
    best = results[(name, tuned(name), 0.01)]["val_accuracy"]
    return [lr for lr in SWEEP[name]
            if lr != tuned(name) and results[(name, lr, 0.01)]["val_accuracy"] == best]


ADAM_TIED_LR = 0.01  # Adam's rate that ties with the tuned one (tests: tied("Adam"))


def seed_runs() -> tuple:
    """The runs trained with every seed: each optimizer at its tuned rate, Adam at the
    rate that tied with its tuned one."""
    return tuple((name, tuned(name), 0.01) for name in SWEEP) + (("Adam", ADAM_TIED_LR, 0.01),)


@functools.cache
def _seed_runs() -> dict:
    """Test accuracy of each (optimizer, rate) run, one number per seed: each optimizer
    at its tuned rate, and Adam at the rate that tied with it."""
    X_test, y_test = lab.held_out()
    runs = seed_runs()
    out = {run: [] for run in runs}
    for seed in SEEDS:
        results = _sweep() if seed == 0 else lab._runs_together(runs, seed)
        for run in runs:
            out[run].append(lab.accuracy(results[run]["params"], X_test, y_test))
    return {run: np.array(acc) for run, acc in out.items()}


def _seeds() -> dict[str, np.ndarray]:
    """Test accuracy of each optimizer at its tuned rate, one number per seed."""
    return {name: _seed_runs()[(name, tuned(name), 0.01)] for name in SWEEP}


@value("practice-gen-networks", integer=True)
def gen_networks() -> int:
    """The networks the page's code trains: the grids, then every seed of each seed run."""
    return sum(len(grid) for grid in SWEEP.values()) + len(SEEDS) * len(seed_runs())


@value("practice-gen-adam-tied-lr", digits=1)
def gen_adam_tied_lr() -> float:
    return ADAM_TIED_LR


@value("practice-gen-adam-tied-test-min", decimals=1, percent=True)
def gen_adam_tied_test_min() -> float:
    return float(_seed_runs()[("Adam", ADAM_TIED_LR, 0.01)].min())


@value("practice-gen-adam-tied-test-max", decimals=1, percent=True)
def gen_adam_tied_test_max() -> float:
    return float(_seed_runs()[("Adam", ADAM_TIED_LR, 0.01)].max())


@value("practice-gen-sgd-loss", digits=3)
def gen_sgd_loss() -> float:
    """SGD's final training loss at its tuned rate, seed 0."""
    return _sweep()[("SGD", tuned("SGD"), 0.01)]["loss"]


@value("practice-gen-adam-loss", digits=3)
def gen_adam_loss() -> float:
    """Adam's final training loss at its tuned rate, seed 0."""
    return _sweep()[("Adam", tuned("Adam"), 0.01)]["loss"]


@value("practice-gen-sgd-lr", digits=1)
def gen_sgd_lr() -> float:
    return tuned("SGD")


@value("practice-gen-adam-lr", digits=1)
def gen_adam_lr() -> float:
    return tuned("Adam")


@value("practice-gen-sgd-val", decimals=1, percent=True)
def gen_sgd_val() -> float:
    return _sweep()[("SGD", tuned("SGD"), 0.01)]["val_accuracy"]


@value("practice-gen-adam-val", decimals=1, percent=True)
def gen_adam_val() -> float:
    return _sweep()[("Adam", tuned("Adam"), 0.01)]["val_accuracy"]


@value("practice-gen-sgd-test-mean", decimals=1, percent=True)
def gen_sgd_test_mean() -> float:
    return float(_seeds()["SGD"].mean())


@value("practice-gen-adam-test-mean", decimals=1, percent=True)
def gen_adam_test_mean() -> float:
    return float(_seeds()["Adam"].mean())


@value("practice-gen-sgd-test-min", decimals=1, percent=True)
def gen_sgd_test_min() -> float:
    return float(_seeds()["SGD"].min())


@value("practice-gen-sgd-test-max", decimals=1, percent=True)
def gen_sgd_test_max() -> float:
    return float(_seeds()["SGD"].max())


@value("practice-gen-adam-test-min", decimals=1, percent=True)
def gen_adam_test_min() -> float:
    return float(_seeds()["Adam"].min())


@value("practice-gen-adam-test-max", decimals=1, percent=True)
def gen_adam_test_max() -> float:
    return float(_seeds()["Adam"].max())


@figure(
    "generalization-sweep",
    alt=(
        "Validation accuracy after 100 epochs on the lab's spirals against the learning "
        "rate, on a log axis, for SGD and Adam, one seed. SGD's best rate on the grid is "
        "[[value: practice-gen-sgd-lr]], with [[value: practice-gen-sgd-val]]; Adam's is "
        "[[value: practice-gen-adam-lr]], with [[value: practice-gen-adam-val]], tied with "
        "[[value: practice-gen-adam-tied-lr]] (the smaller is taken). Marks at "
        "the tuned rates show the test accuracy of three seeds: SGD from "
        "[[value: practice-gen-sgd-test-min]] to [[value: practice-gen-sgd-test-max]], Adam "
        "from [[value: practice-gen-adam-test-min]] to [[value: practice-gen-adam-test-max]]."
    ),
    size=(6.0, 4.0),
)
def generalization_sweep(fig, theme):
    """Validation accuracy over each optimizer's grid; test accuracy of 3 seeds at the best."""
    ax = fig.subplots()
    results, seeds = _sweep(), _seeds()
    for name in SWEEP:
        key = name.lower()
        grid = np.array(SWEEP[name])
        acc = [results[(name, lr, 0.01)]["val_accuracy"] for lr in grid]
        ax.plot(grid, acc, color=COLORS[key], linestyle=LINESTYLES[key], marker="o",
                label=f"{name}, validation (seed 0)")
        ax.plot([tuned(name)] * len(SEEDS), seeds[name], color=COLORS[key], linestyle="none",
                marker="x", markersize=8, label=f"{name} at its tuned rate, test (3 seeds)")
    ax.set_xscale("log")
    ax.set_xticks([0.001, 0.01, 0.1, 1.0], ["0.001", "0.01", "0.1", "1"])
    ax.minorticks_off()
    ax.set_xlabel(r"learning rate $\alpha$")
    ax.set_ylabel("accuracy")
    ax.grid(True, linewidth=0.5)
    fig.legend(loc="outside upper center", ncols=2, fontsize=8)


# What Adam's convergence proof got wrong ------------------------------------------------


# --8<-- [start:gamma]
def gamma(v: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """Gamma_t = sqrt(v_t) / alpha_t - sqrt(v_{t-1}) / alpha_{t-1}, alpha_t = alpha / sqrt(t),
    for t = 2, 3, ...: the quantity Kingma and Ba's regret bound needs to be >= 0."""
    t = np.arange(1, len(v) + 1)
    scaled = np.sqrt(v) * np.sqrt(t) / alpha
    return np.diff(scaled)


def online_v(steps: int, C: float = 3.0, beta2: float | None = None,
             amsgrad: bool = False) -> np.ndarray:
    """v_t along the counterexample of /variants/ (beta1 = 0: v does not depend on x)."""
    beta2 = 1 / (1 + C**2) if beta2 is None else beta2
    t = np.arange(1, steps + 1)
    g = np.where(t % 3 == 1, C, -1.0)
    v, vs = 0.0, np.empty(steps)
    for i, x in enumerate(g):
        v = beta2 * v + (1 - beta2) * x**2
        vs[i] = v
    return np.maximum.accumulate(vs) if amsgrad else vs


# --8<-- [end:gamma]

GAMMA_STEPS = 30_000  # as the counterexample's run on /variants/


@functools.cache
def _gamma_runs() -> dict[str, tuple[np.ndarray, float]]:
    """Gamma_t and the final x of the three runs: (name) -> (Gamma, x_T)."""
    out = {}
    for name, beta2, amsgrad in [("adam", None, False), ("adam-0999", 0.999, False),
                                 ("amsgrad", None, True)]:
        v = online_v(GAMMA_STEPS, beta2=beta2, amsgrad=amsgrad)
        x = variants._online(GAMMA_STEPS, beta2=beta2, amsgrad=amsgrad)[0][-1]
        out[name] = (gamma(v), float(x))
    return out


def _negative_share(name: str) -> float:
    return float((_gamma_runs()[name][0] < 0).mean())


@value("practice-gamma-adam-negative", decimals=1, percent=True)
def gamma_adam_negative() -> float:
    return _negative_share("adam")


@value("practice-gamma-0999-negative", decimals=1, percent=True)
def gamma_0999_negative() -> float:
    return _negative_share("adam-0999")


@value("practice-gamma-amsgrad-negative", decimals=0, percent=True)
def gamma_amsgrad_negative() -> float:
    return _negative_share("amsgrad")


@value("practice-gamma-0999-first-negative", integer=True)
def gamma_0999_first_negative() -> float:
    """The first t with Gamma_t < 0 in the run with beta2 = 0.999 (Gamma starts at t = 2)."""
    return int(np.argmax(_gamma_runs()["adam-0999"][0] < 0)) + 2


@value("practice-gamma-0999-x", decimals=3)
def gamma_0999_x() -> float:
    return _gamma_runs()["adam-0999"][1]


GAMMA_SHOWN = 30  # the figure's first steps


@figure(
    "gamma-steps",
    alt=(
        "The effective step size alpha_t / sqrt(v_t) over the first 30 steps of the "
        "counterexample of /variants/ (C = 3, beta1 = 0, alpha_t = 0.5 / sqrt(t)), on a log "
        "scale. Adam's, with beta2 = 1/(1 + C^2), falls at each step that sees the large "
        "gradient and rises at the two steps after it: Gamma_t is negative at "
        "[[value: practice-gamma-adam-negative]] of the 30,000 steps of the run. AMSGrad's, "
        "divided by the largest v so far, only falls: Gamma_t is negative at "
        "[[value: practice-gamma-amsgrad-negative]] of the steps."
    ),
    size=(6.0, 3.2),
)
def gamma_steps(fig, theme):
    """alpha_t / sqrt(v_t) for Adam and AMSGrad: the quantity the proof needs never to grow."""
    ax = fig.subplots()
    t = np.arange(1, GAMMA_SHOWN + 1)
    for key, name, amsgrad in [("adam", "Adam", False), ("amsgrad", "AMSGrad", True)]:
        v = online_v(GAMMA_SHOWN, amsgrad=amsgrad)
        ax.plot(t, 0.5 / np.sqrt(t) / np.sqrt(v), color=COLORS[key], linestyle=LINESTYLES[key],
                marker="o", markersize=3, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel(r"$\alpha_t/\sqrt{v_t}$")
    ax.grid(True, linewidth=0.5)
    ax.legend(fontsize=8, loc="upper right")


# Memory and precision -------------------------------------------------------------------


# --8<-- [start:dynamic_code]
def linear_code(signed: bool) -> np.ndarray:
    """Evenly spaced levels, as int8 stores them: 255 in [-1, 1] or 256 in [0, 1]."""
    return np.linspace(-1, 1, 255) if signed else np.linspace(0, 1, 256)


def dynamic_code(signed: bool) -> np.ndarray:
    """256 levels in [-1, 1] (or [0, 1]): a decade 10^-6 .. 10^0 as the exponent, and more
    fraction levels in the larger decades, as the dynamic quantization of Dettmers et al."""
    levels = [0.0, 1.0]
    for i in range(7):  # decade 10^(i - 6) gets 2^i (signed) or 2^(i + 1) levels
        n = 2**i if signed else 2 ** (i + 1)
        edges = np.linspace(0.1, 1, n + 1)
        middles = (edges[:-1] + edges[1:]) / 2 * 10.0 ** (i - 6)
        levels += list(middles) + (list(-middles) if signed else [])
    return np.sort(np.array(levels))


def quantize(x: np.ndarray, code: np.ndarray, block: int) -> np.ndarray:
    """x through 8 bits and back: each block of `block` numbers scaled by its largest
    magnitude, each number replaced by the nearest level of `code` (a byte: its index)."""
    blocks = x.reshape(-1, block)
    scale = np.abs(blocks).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    y = blocks / scale
    upper = np.clip(np.searchsorted(code, y), 1, len(code) - 1)
    nearer = np.where(np.abs(code[upper - 1] - y) <= np.abs(code[upper] - y), upper - 1, upper)
    return (code[nearer] * scale).reshape(x.shape)  # index `nearer` is what is stored


# --8<-- [end:dynamic_code]


# --8<-- [start:quantize_states]
def adam_states(n: int = 65536, steps: int = 100, seed: int = 0):
    """m and v of Adam after `steps` noisy gradients whose sizes span two decades, with
    four outliers 100 times the largest: the shapes 8-bit states must keep."""
    rng = np.random.default_rng(seed)
    size = 10.0 ** rng.uniform(-2, 0, n)
    size[rng.choice(n, 4, replace=False)] = 100.0
    mean = size * rng.standard_normal(n)
    m, v = np.zeros(n), np.zeros(n)
    for _ in range(steps):
        g = mean + size * rng.standard_normal(n)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
    return m, v


def step_error(m, v, m8, v8, eps: float = 1e-8) -> tuple[float, float]:
    """The share of steps m / (sqrt(v) + eps) off by more than 10%, and of v stored as 0."""
    exact = m / (np.sqrt(v) + eps)
    approx = m8 / (np.sqrt(v8) + eps)
    off = np.abs(approx - exact) > 0.1 * np.abs(exact)
    return float(off.mean()), float((v8 == 0).mean())


# --8<-- [end:quantize_states]

@functools.cache
def _states() -> tuple[np.ndarray, np.ndarray]:
    return adam_states()


QUANTIZERS = {  # name: (signed code for m, unsigned code for v, block size)
    "linear, one scale": ("linear", None),
    "dynamic, one scale": ("dynamic", None),
    "dynamic, blocks of 2048": ("dynamic", 2048),
}


@functools.cache
def _quantized() -> dict[str, tuple[float, float]]:
    m, v = _states()
    out = {}
    for name, (kind, block) in QUANTIZERS.items():
        make = dynamic_code if kind == "dynamic" else linear_code
        size = len(m) if block is None else block
        out[name] = step_error(m, v, quantize(m, make(True), size),
                               quantize(v, make(False), size))
    return out


def _outlier_blocks() -> np.ndarray:
    """Which parameters share a block of 2048 with one of the outliers."""
    m, v = _states()
    blocks = (np.abs(m) > 50).reshape(-1, 2048).any(axis=1)  # |m| of an outlier: ~100
    return np.repeat(blocks, 2048)


@value("practice-q8-block-error-clean", digits=2, percent=True)
def q8_block_error_clean() -> float:
    """Blocks of 2048: the share of steps off by more than 10% in blocks with no outlier."""
    m, v = _states()
    code = dynamic_code
    m8, v8 = quantize(m, code(True), 2048), quantize(v, code(False), 2048)
    exact, approx = m / (np.sqrt(v) + 1e-8), m8 / (np.sqrt(v8) + 1e-8)
    clean = ~_outlier_blocks()
    return float((np.abs(approx - exact) > 0.1 * np.abs(exact))[clean].mean())


@value("practice-q8-outlier-blocks", integer=True)
def q8_outlier_blocks() -> float:
    return int(_outlier_blocks().sum() // 2048)


@value("practice-q8-blocks", integer=True)
def q8_blocks() -> float:
    return len(_states()[0]) // 2048


def q8_linear_error() -> float:
    return _quantized()["linear, one scale"][0]


def q8_linear_zero() -> float:
    return _quantized()["linear, one scale"][1]


@functools.cache
def linear_one_scale() -> dict[str, np.ndarray]:
    """m and v through the evenly spaced code with one scale, and the step they give."""
    m, v = _states()
    m8, v8 = quantize(m, linear_code(True), len(m)), quantize(v, linear_code(False), len(v))
    return {"m8": m8, "v8": v8, "step": m8 / (np.sqrt(v8) + 1e-8)}


def q8_linear_m_zero() -> float:
    return float((linear_one_scale()["m8"] == 0).mean())


@value("practice-q8-linear-step-zero", decimals=0, percent=True)
def q8_linear_step_zero() -> float:
    return float((linear_one_scale()["step"] == 0).mean())


@value("practice-q8-linear-step-largest", sci=True, digits=1)
def q8_linear_step_largest() -> float:
    return float(np.abs(linear_one_scale()["step"]).max())


def q8_dynamic_error() -> float:
    return _quantized()["dynamic, one scale"][0]


@value("practice-q8-dynamic-zero", digits=2, percent=True)
def q8_dynamic_zero() -> float:
    return _quantized()["dynamic, one scale"][1]


def q8_block_error() -> float:
    return _quantized()["dynamic, blocks of 2048"][0]


def q8_block_zero() -> float:
    return _quantized()["dynamic, blocks of 2048"][1]


# --8<-- [start:bf16]
def to_bf16(x) -> np.ndarray:
    """Round to the nearest bfloat16 (8 significant bits; ties to even), as float32.
    bfloat16 is float32 without its low 16 bits, so this works on the bits."""
    bits = np.asarray(x, np.float32).view(np.uint32)
    half = np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))
    return ((bits + half) & np.uint32(0xFFFF0000)).view(np.float32)


def to_bf16_stochastic(x, rng) -> np.ndarray:
    """Round to one of the two neighbouring bfloat16 numbers, the nearer more often:
    the expected result is x. Adds random low 16 bits to float32's, then cuts them."""
    bits = np.asarray(x, np.float32).view(np.uint32)
    noise = rng.integers(0, 1 << 16, bits.shape, dtype=np.uint32)
    return ((bits + noise) & np.uint32(0xFFFF0000)).view(np.float32)


def bf16_run(weights: str, steps: int = 500, lr: float = 1e-3, d: int = 256,
             seed: int = 0) -> np.ndarray:
    """Adam on f(w) = |w - target|^2 / 2 with m and v in float32; the weights kept as
    `weights` says: "float32" (a master copy), "bf16" (rounded to nearest at every
    step), "stochastic" (rounded stochastically) or "kahan" (bf16 with a bf16
    compensation of what rounding lost). Returns the loss at every step."""
    rng = np.random.default_rng(seed)
    w = to_bf16(rng.uniform(1, 4, d))  # weights between 1 and 4
    target = w + rng.uniform(-0.05, 0.05, d)  # close to where they start
    m, v, c = np.zeros(d), np.zeros(d), np.zeros(d, np.float32)
    losses = np.empty(steps)
    for t in range(1, steps + 1):
        g = w - target
        losses[t - 1] = 0.5 * np.sum(g**2)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        update = -lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        if weights == "float32":
            w = (w + update).astype(np.float32)
        elif weights == "bf16":
            w = to_bf16(w + update)
        elif weights == "stochastic":
            w = to_bf16_stochastic(w + update, rng)
        else:  # Kahan: c holds what the last rounding dropped, added back next step
            y = to_bf16(update - c)
            new = to_bf16(w + y)
            c = to_bf16(to_bf16(new - w) - y)
            w = new
    return losses


# --8<-- [end:bf16]

BF16_RUNS = ("float32", "bf16", "stochastic", "kahan")


def bf16_floor(d: int = 256, seed: int = 0) -> float:
    """The lowest loss of bf16_run's problem any bfloat16 weights can reach: the target
    rounded to the nearest bfloat16 numbers."""
    rng = np.random.default_rng(seed)
    w = to_bf16(rng.uniform(1, 4, d))
    target = w + rng.uniform(-0.05, 0.05, d)
    return float(0.5 * np.sum((to_bf16(target) - target) ** 2))


@functools.cache
def _bf16_runs() -> dict[str, np.ndarray]:
    return {name: bf16_run(name) for name in BF16_RUNS}


def _bf16_final(name: str) -> float:
    return float(_bf16_runs()[name][-1])


@value("practice-bf16-start", sci=True, digits=2)
def bf16_start() -> float:
    return float(_bf16_runs()["float32"][0])


@value("practice-bf16-float32", sci=True, digits=2)
def bf16_float32() -> float:
    return _bf16_final("float32")


@value("practice-bf16-plain", sci=True, digits=2)
def bf16_plain() -> float:
    return _bf16_final("bf16")


@value("practice-bf16-stochastic", sci=True, digits=2)
def bf16_stochastic() -> float:
    return _bf16_final("stochastic")


@value("practice-bf16-kahan", sci=True, digits=2)
def bf16_kahan() -> float:
    return _bf16_final("kahan")


@value("practice-bf16-floor", sci=True, digits=2)
def bf16_floor_value() -> float:
    return bf16_floor()


@value("practice-bf16-half-ulp-1", sci=True, digits=2)
def bf16_half_ulp_1() -> float:
    """Half the spacing of bfloat16 numbers between 1 and 2: smaller updates vanish."""
    return 2.0**-7 / 2


@figure(
    "bf16-stall",
    alt=(
        "The loss over 500 steps of Adam with alpha 0.001 on a quadratic whose 256 weights "
        "lie between 1 and 4, on a log scale, for four ways of keeping the weights. With a "
        "float32 master copy it falls from [[value: practice-bf16-start]] to "
        "[[value: practice-bf16-float32]]. Rounded to the nearest bfloat16 at every step, "
        "the weights never move: every update is below half the spacing of bfloat16 "
        "numbers, [[value: practice-bf16-half-ulp-1]] between 1 and 2, and the loss stays "
        "at [[value: practice-bf16-plain]]. Stochastic rounding reaches "
        "[[value: practice-bf16-stochastic]] and Kahan summation "
        "[[value: practice-bf16-kahan]], near the lowest loss any bfloat16 weights can "
        "have, [[value: practice-bf16-floor]], marked by a horizontal line."
    ),
    size=(6.0, 3.4),
)
def bf16_stall(fig, theme):
    """Loss against step for the four ways of storing the weights."""
    ax = fig.subplots()
    runs = _bf16_runs()
    styles = {"float32": (COLORS["adam"], "-", "float32 master weights"),
              "bf16": (theme.text, "-", "bfloat16, round to nearest"),
              "stochastic": (theme.text, "--", "bfloat16, stochastic rounding"),
              "kahan": (theme.text, ":", "bfloat16 + Kahan compensation")}
    t = np.arange(1, len(runs["float32"]) + 1)
    every = max(1, len(t) // 100)  # 100 points a line: the same picture, a lighter page
    for name, (color, style, label) in styles.items():
        ax.plot(t[::every], runs[name][::every], color=color, linestyle=style, label=label)
    ax.axhline(bf16_floor(), color=theme.muted, linewidth=0.8)
    ax.text(len(t), bf16_floor() / 1.5, "the best bfloat16 weights", fontsize=8,
            color=theme.text, ha="right", va="top")
    ax.set_yscale("log")
    ax.set_yticks([1e-10, 1e-7, 1e-4, 1e-1])
    ax.minorticks_off()
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(True, linewidth=0.5)
    ax.legend(fontsize=8, loc="lower left")


# Sparse gradients -------------------------------------------------------------------------


# --8<-- [start:absent_row]
def absent_row(steps: int, beta1: float = 0.9, beta2: float = 0.999) -> dict[str, tuple]:
    """What happens to a row's m and v (both 1 before) while its token is absent for
    `steps` steps: dense Adam sees gradients of 0, the lazy update does not see the row."""
    return {"dense": (beta1**steps, beta2**steps), "lazy": (1.0, 1.0)}


# --8<-- [end:absent_row]


if __name__ == "__main__":
    # --8<-- [start:eos_run]
    print("beta1   limit of alpha * sharpness")
    for beta1 in (0.0, 0.5, 0.9, 0.95, 0.99):
        print(f"{beta1:<7} {stability_limit(beta1):.0f}")
    lr, v_hat = 0.01, 1e-6  # alpha / sqrt(v_hat) = 10
    for factor in (0.99, 1.01):
        sharpness = factor * stability_limit(0.9)
        curvature = sharpness * math.sqrt(v_hat) / lr
        x = frozen_adam(curvature, v_hat, lr)
        print(f"alpha * sharpness {sharpness:.2f}: |x| x {growth_per_step(sharpness, 0.9):.3f}"
              f" per step, {x[-1]:.0e} after 200 steps")
    # --8<-- [end:eos_run]

    # --8<-- [start:sweep]
    from snippets.adam import Adam
    from snippets.lab import accuracy, make_spirals, train
    from snippets.optimizers import SGD

    data = (*make_spirals(400, seed=0), *make_spirals(400, seed=1))  # training, validation
    X_test, y_test = make_spirals(400, seed=2)  # looked at once, at the end
    grids = {"SGD": (SGD, (0.03, 0.1, 0.3, 1.0, 3.0)),
             "Adam": (Adam, (0.001, 0.003, 0.01, 0.03, 0.1))}
    for name, (optimizer, grid) in grids.items():
        def make(lr, optimizer=optimizer):  # builds the optimizer for train()
            return lambda params: optimizer(params, lr=lr)

        validation = {lr: train(make(lr), data)["val_accuracy"][-1] for lr in grid}
        best = max(validation.values())
        for lr in [lr for lr in grid if validation[lr] == best]:  # tied rates: each one
            test = [accuracy(train(make(lr), data, seed=seed)["params"], X_test, y_test)
                    for seed in (0, 1, 2)]
            print(f"{name}, rate {lr} (validation {best:.1%}): "
                  f"test accuracy of seeds 0, 1, 2: {', '.join(f'{a:.1%}' for a in test)}")
    # --8<-- [end:sweep]

    # --8<-- [start:gamma_run]
    for name, beta2, amsgrad in [("Adam, beta2 = 0.1", 0.1, False),
                                 ("Adam, beta2 = 0.999", 0.999, False),
                                 ("AMSGrad, beta2 = 0.1", 0.1, True)]:
        share = (gamma(online_v(30_000, beta2=beta2, amsgrad=amsgrad)) < 0).mean()
        print(f"{name:21s} Gamma_t < 0 at {share:.1%} of the steps")
    # --8<-- [end:gamma_run]

    # --8<-- [start:quantize_run]
    m, v = adam_states()
    print("8-bit m and v                steps off by > 10%   v stored as 0")
    for name, code, block in [("linear, one scale", linear_code, len(m)),
                              ("dynamic, one scale", dynamic_code, len(m)),
                              ("dynamic, blocks of 2048", dynamic_code, 2048)]:
        error, zeros = step_error(m, v, quantize(m, code(True), block),
                                  quantize(v, code(False), block))
        print(f"{name:28s} {error:18.1%} {zeros:15.1%}")
    # --8<-- [end:quantize_run]

    # --8<-- [start:bf16_run]
    for weights in ("float32", "bf16", "stochastic", "kahan"):
        losses = bf16_run(weights)
        print(f"weights {weights:10s} loss {losses[0]:.2e} -> {losses[-1]:.2e}")
    # --8<-- [end:bf16_run]

    # --8<-- [start:absent_run]
    for kind, (m_factor, v_factor) in absent_row(20).items():
        print(f"{kind:5s}: after 20 steps without the row, m x {m_factor:.2f}, "
              f"v x {v_factor:.3f}")
    # --8<-- [end:absent_run]
