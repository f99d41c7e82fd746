"""Playground page: the four racers, their shared settings, and the figure shown without JavaScript.

The page's interactive figure runs docs/assets/playground/core.js in the reader's browser;
that file is a port of surfaces.py and optimizers.py, and tests/test_playground.py checks
it against ``race`` below, point for point.

Public names:
    DEFAULTS        the settings the playground opens with
    racers(alpha, beta1, beta2, eps, bias_correction=True) -> {key: make_optimizer}
    landscape(surface, rotate=0, noise=None) -> Surface: turned, and with its noise set
    race(surface, settings=DEFAULTS, start=None, seed=0) -> {key: path}; settings may
        also set "rotate" (degrees) and "noise" (its standard deviation), as the page does
    noise_sequence(seed, steps) -> array (steps, 2): the noise trajectory() draws
    first_steps(g, ...) -> {key: array (2,)}: how far each racer moves on its first step
    LOSS_WINDOW     how many steps the loss plot averages over on a noisy landscape
    moving_average(values, window=LOSS_WINDOW) -> array: what that plot draws
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace

import numpy as np

from snippets.figures import COLORS, figure
from snippets.optimizers import (
    SGD,
    Adam,
    AdamNoBiasCorrection,
    EMAMomentum,
    RMSProp,
    trajectory,
)
from snippets.surfaces import (
    BOWL,
    NOISY_VALLEY,
    ROSENBROCK,
    SADDLE,
    SURFACES,
    VALLEY,
    Surface,
    rotated,
)
from snippets.values import value

DEFAULTS = {
    "surface": "valley",
    "alpha": 0.05,
    "beta1": 0.9,
    "beta2": 0.999,
    "eps": 1e-8,
    "steps": 200,
    "bias_correction": True,
}
LABELS = {"sgd": "SGD", "momentum": "Momentum", "rmsprop": "RMSProp", "adam": "Adam"}


def racers(
    alpha: float, beta1: float, beta2: float, eps: float, bias_correction: bool = True
) -> dict:
    """The playground's four optimizers, all with the same alpha, beta1, beta2 and eps."""
    adam = Adam if bias_correction else AdamNoBiasCorrection
    return {
        "sgd": lambda params: SGD(params, lr=alpha),
        "momentum": lambda params: EMAMomentum(params, lr=alpha, beta=beta1),
        "rmsprop": lambda params: RMSProp(params, lr=alpha, alpha=beta2, eps=eps),
        "adam": lambda params: adam(params, lr=alpha, betas=(beta1, beta2), eps=eps),
    }


def first_steps(
    g, alpha: float = 0.05, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
    bias_correction: bool = True,
) -> dict[str, np.ndarray]:
    """How far each racer moves along each coordinate on its first step, from gradient g."""
    moved = {}
    for key, make in racers(alpha, beta1, beta2, eps, bias_correction).items():
        point = np.zeros(2)  # the step from 0 is the point it reaches
        make([point]).step([np.asarray(g, dtype=np.float64)])
        moved[key] = np.abs(point)
    return moved


def landscape(surface: Surface, rotate: float = 0, noise: float | None = None) -> Surface:
    """`surface` turned by `rotate` degrees about its minimum (surfaces.rotated), seen
    through gradient noise of standard deviation `noise` (None: the surface's own)."""
    out = rotated(surface, rotate)
    if noise is not None and noise != out.noise:
        if not noise >= 0:
            raise ValueError(f"noise must be a standard deviation >= 0, got {noise!r}")
        out = replace(out, noise=float(noise))
    return out


def race(
    surface: Surface, settings: dict = DEFAULTS, start=None, seed: int = 0
) -> dict[str, np.ndarray]:
    """Run the four racers on one surface with one setting; return each one's path.
    settings["rotate"] and settings["noise"], if given, turn the surface and set its
    noise (landscape); the start, if not given, is the turned surface's."""
    s = {**DEFAULTS, **settings}
    surface = landscape(surface, s.get("rotate", 0), s.get("noise"))
    makers = racers(s["alpha"], s["beta1"], s["beta2"], s["eps"], s["bias_correction"])
    return {
        key: trajectory(make, surface, start=start, steps=s["steps"], seed=seed)
        for key, make in makers.items()
    }


def noise_sequence(seed: int, steps: int) -> np.ndarray:
    """The gradient noise trajectory() draws on a noisy surface: row k for step k + 1."""
    return np.random.default_rng(seed).standard_normal((steps, 2))


def loss_above_minimum(surface: Surface, path: np.ndarray) -> np.ndarray:
    """The loss at each point of a path, minus the loss at the surface's minimum."""
    with np.errstate(over="ignore", invalid="ignore"):
        return surface.loss(path[:, 0], path[:, 1]) - surface.loss(*surface.minimum)


# On a noisy landscape the loss plot draws, for each racer, the mean of its loss over the
# last LOSS_WINDOW steps (core.js movingAverage, checked against moving_average below).
LOSS_WINDOW = 50


def moving_average(values, window: int = LOSS_WINDOW) -> np.ndarray:
    """At each step k, the mean of values[k - window + 1], ..., values[k]: the last `window`
    values, or all of them up to k for the first window - 1 steps. A NaN in the window makes
    the mean NaN, an infinity infinite (both signs: NaN), as NumPy's mean would.

    A running sum, one addition and one subtraction per step, in the order core.js's
    movingAverage does them (so the two agree to the last bit); the infinities and NaNs are
    counted, not added, so that one leaving the window leaves the sum finite. The
    subtractions leave a rounding error of order 1e-16 times the largest value that has left
    the window, which no log-scale plot shows."""
    values = np.asarray(values, dtype=np.float64).tolist()
    out = np.empty(len(values))
    total, nan, inf, neg_inf = 0.0, 0, 0, 0  # the finite sum; how many of each other
    for k, x in enumerate(values):
        if math.isfinite(x):
            total += x
        elif math.isnan(x):
            nan += 1
        elif x > 0:
            inf += 1
        else:
            neg_inf += 1
        if k >= window:
            y = values[k - window]
            if math.isfinite(y):
                total -= y
            elif math.isnan(y):
                nan -= 1
            elif y > 0:
                inf -= 1
            else:
                neg_inf -= 1
        if nan or (inf and neg_inf):
            out[k] = math.nan
        elif inf or neg_inf:
            out[k] = math.inf if inf else -math.inf
        else:
            out[k] = total / min(k + 1, window)
    return out


# The settings tests/test_playground.py runs core.js with, against race(), point for point:
# every landscape with each setting from each start, 500 steps.
JS_CHECK_SETTINGS = [
    {},  # the defaults
    {"beta1": 0.0, "alpha": 0.01},
    {"bias_correction": False, "alpha": 0.1},
    {"beta1": 0.0, "bias_correction": False},
    {"alpha": 0.5, "beta1": 0.99, "beta2": 0.9999},
    {"alpha": 0.01, "beta2": 0.9, "eps": 1e-3},
    {"alpha": 0.001, "eps": 1.0, "beta1": 0.5},
]
JS_CHECK_STARTS = [None, (0.7, -0.4)]  # the landscape's own start, and one more
JS_CHECK_STEPS = 500
# ... and every landscape turned and with noise, from each start (turned and noise: the
# page's controls; 0 degrees with noise 0 is the noisy valley without its noise).
JS_CHECK_TURNS = [
    {"rotate": 15, "alpha": 0.02},
    {"rotate": 30, "noise": 0.1, "alpha": 0.01},
    {"rotate": 45},
    {"rotate": 45, "noise": 2.0, "beta1": 0.0},
    {"rotate": 60, "bias_correction": False},
    {"rotate": 75, "noise": 0.5, "alpha": 0.1},
    {"rotate": 90},
    {"noise": 0.0},
    {"noise": 0.01, "eps": 1e-3},
]


# The numbers "Things to try" states ---------------------------------------------------


@value("playground-checked-paths", integer=True)
def playground_checked_paths() -> float:
    """How many paths the JavaScript is checked on: landscapes x settings x starts x racers."""
    settings = len(JS_CHECK_SETTINGS) + len(JS_CHECK_TURNS)
    return len(SURFACES) * settings * len(JS_CHECK_STARTS) * len(LABELS)


def _first_step_ratio(key: str, **settings) -> float:
    """A racer's first step along each coordinate, in units of alpha (the same in both)."""
    g = VALLEY.grad(*VALLEY.start)  # any gradient with no zero coordinate
    moved = first_steps(g, alpha=DEFAULTS["alpha"], **settings)[key] / DEFAULTS["alpha"]
    assert np.allclose(moved, moved[0], rtol=1e-6), moved
    return float(moved[0])


@value("playground-rmsprop-first-step", digits=3)
def playground_rmsprop_first_step() -> float:
    """RMSProp's first step / alpha: 1 / sqrt(1 - beta2), whatever the gradient."""
    return _first_step_ratio("rmsprop")


@value("playground-uncorrected-first-step", digits=3)
def playground_uncorrected_first_step() -> float:
    """Adam's first step / alpha without bias correction: (1 - beta1) / sqrt(1 - beta2)."""
    return _first_step_ratio("adam", bias_correction=False)


@value("playground-uncorrected-first-step-9999", digits=2)
def playground_uncorrected_first_step_9999() -> float:
    return _first_step_ratio("adam", bias_correction=False, beta2=0.9999)


@value("playground-saddle-gradient", digits=1)
def playground_saddle_gradient() -> float:
    """The gradient across the saddle's ridge at the start."""
    return float(SADDLE.grad(*SADDLE.start)[1])


def _off_the_ridge(key: str) -> int:
    """The first step at which a racer is off the saddle's ridge, |y| > 0.5."""
    path = race(SADDLE)[key]
    return int(np.argmax(np.abs(path[:, 1]) > 0.5))


@value("playground-saddle-adam-steps", integer=True)
def playground_saddle_adam_steps() -> float:
    return _off_the_ridge("adam")


@value("playground-saddle-sgd-steps", integer=True)
def playground_saddle_sgd_steps() -> float:
    return _off_the_ridge("sgd")


@value("playground-rosenbrock-gradient", digits=3)
def playground_rosenbrock_gradient() -> float:
    """The length of the gradient at Rosenbrock's start."""
    return float(np.linalg.norm(ROSENBROCK.grad(*ROSENBROCK.start)))


@value("playground-rosenbrock-first-step", digits=3)
def playground_rosenbrock_first_step() -> float:
    """SGD's first step on Rosenbrock at the default alpha."""
    path = race(ROSENBROCK, {"steps": 1})["sgd"]
    return float(np.linalg.norm(path[1] - path[0]))


@functools.cache
def rosenbrock_race(alpha: float) -> dict[str, np.ndarray]:
    """The four racers' paths on Rosenbrock, 1000 steps at alpha (the page's two links)."""
    return race(ROSENBROCK, {"steps": 1000, "alpha": alpha})


def rosenbrock_median_step(key: str, alpha: float) -> np.ndarray:
    """A racer's median step along x and along y over steps 11 to 1000, in units of alpha."""
    steps = np.abs(np.diff(rosenbrock_race(alpha)[key], axis=0))[10:]
    return np.median(steps, axis=0) / alpha


def rosenbrock_early_share(key: str, alpha: float, early: int = 100) -> np.ndarray:
    """The share of v at step 1000 (along x, along y) that the first `early` gradients make
    up: v_t = (1 - beta2) sum_k beta2^(t - k) g_k^2, the same share in Adam's v_hat_t."""
    path = rosenbrock_race(alpha)[key][:-1]  # the points the 1000 gradients are taken at
    grads = np.array([ROSENBROCK.grad(x, y) for x, y in path])
    beta2 = DEFAULTS["beta2"]
    weights = beta2 ** np.arange(len(grads) - 1, -1, -1)[:, None] * grads**2
    return weights[:early].sum(axis=0) / weights.sum(axis=0)


def _rosenbrock_distance(key: str) -> float:
    """How far from the minimum a racer ends after 1000 steps at the default alpha."""
    end = rosenbrock_race(DEFAULTS["alpha"])[key][-1]
    return float(np.linalg.norm(end - np.array(ROSENBROCK.minimum)))


def _register_rosenbrock_values() -> None:
    """The Rosenbrock item's numbers: median steps, distances, losses, Adam's end at 0.003."""
    fast, slow = DEFAULTS["alpha"], 0.003
    for key in ("adam", "rmsprop"):
        for axis, name in enumerate("xy"):
            value(f"playground-rosenbrock-{key}-median-{name}", digits=2)(
                lambda key=key, axis=axis: float(rosenbrock_median_step(key, fast)[axis]))
        value(f"playground-rosenbrock-{key}-distance", digits=2)(
            lambda key=key: _rosenbrock_distance(key))
    for key in LABELS:
        value(f"playground-rosenbrock-slow-{key}", digits=2)(
            lambda key=key: float(loss_above_minimum(
                ROSENBROCK, rosenbrock_race(slow)[key][-1:])[0]))
    for axis, name in enumerate("xy"):
        value(f"playground-rosenbrock-slow-adam-median-{name}", digits=2)(
            lambda axis=axis: float(rosenbrock_median_step("adam", slow)[axis]))
        value(f"playground-rosenbrock-slow-adam-end-{name}", decimals=2)(
            lambda axis=axis: float(rosenbrock_race(slow)["adam"][-1, axis]))


_register_rosenbrock_values()


@value("playground-rosenbrock-early-share", percent=True, digits=3)
def playground_rosenbrock_early_share() -> float:
    """The least share, over Adam and RMSProp and both coordinates, of v at step 1000 that
    the first 100 steps' gradients make up, at the default alpha."""
    return float(min(rosenbrock_early_share(key, DEFAULTS["alpha"]).min()
                     for key in ("adam", "rmsprop")))


@value("playground-rosenbrock-slow-adam-early-share", percent=True, digits=2)
def playground_rosenbrock_slow_adam_early_share() -> float:
    """The lesser share, over both coordinates, of Adam's v at step 1000 that the first 100
    steps' gradients make up, at alpha = 0.003."""
    return float(rosenbrock_early_share("adam", 0.003).min())


@value("playground-rosenbrock-slow-adam-travel-x", digits=2)
def playground_rosenbrock_slow_adam_travel_x() -> float:
    """How far Adam's steps along x add up to in 1000 steps at alpha = 0.003."""
    return float(np.abs(np.diff(rosenbrock_race(0.003)["adam"][:, 0])).sum())


@value("playground-bowl-gradient-x", digits=2)
def playground_bowl_gradient_x() -> float:
    return float(abs(BOWL.grad(*BOWL.start)[0]))


def _bowl_end(eps: float, key: str) -> float:
    """A racer's loss above the minimum after the default 200 steps on the bowl."""
    return float(loss_above_minimum(BOWL, race(BOWL, {"eps": eps})[key][-1:])[0])


@value("playground-bowl-eps1-adam", sci=True, digits=2)
def playground_bowl_eps1_adam() -> float:
    return _bowl_end(1.0, "adam")


@value("playground-bowl-eps1-momentum", sci=True, digits=2)
def playground_bowl_eps1_momentum() -> float:
    return _bowl_end(1.0, "momentum")


@value("playground-bowl-adam", sci=True, digits=2)
def playground_bowl_adam() -> float:
    return _bowl_end(DEFAULTS["eps"], "adam")


def _bowl_turned_end(rotate: int, key: str) -> float:
    """A racer's loss above the minimum after the default 200 steps on the bowl turned by
    `rotate` degrees (the page's links: ?surface=bowl and ?surface=bowl&rotate=45)."""
    surface = landscape(BOWL, rotate)
    return float(loss_above_minimum(surface, race(BOWL, {"rotate": rotate})[key][-1:])[0])


@value("playground-bowl-turned-0-adam", sci=True, digits=2)
def playground_bowl_turned_0_adam() -> float:
    return _bowl_turned_end(0, "adam")


@value("playground-bowl-turned-0-sgd", digits=2)
def playground_bowl_turned_0_sgd() -> float:
    return _bowl_turned_end(0, "sgd")


@value("playground-bowl-turned-45-adam", digits=2)
def playground_bowl_turned_45_adam() -> float:
    return _bowl_turned_end(45, "adam")


@value("playground-bowl-turned-45-sgd", digits=2)
def playground_bowl_turned_45_sgd() -> float:
    return _bowl_turned_end(45, "sgd")


@value("playground-bowl-turned-45-rmsprop", sci=True, digits=2)
def playground_bowl_turned_45_rmsprop() -> float:
    return _bowl_turned_end(45, "rmsprop")


@value("playground-bowl-turned-45-adam-over-sgd", digits=2)
def playground_bowl_turned_45_adam_over_sgd() -> float:
    """How many times SGD's loss Adam's is, after 200 steps on the bowl turned 45 degrees."""
    return _bowl_turned_end(45, "adam") / _bowl_turned_end(45, "sgd")


@functools.cache
def noisy_valley_floor(alpha: float) -> dict[str, float]:
    """Each racer's loss above the minimum on the noisy valley, 1000 steps: the mean over
    the last 300 steps, its median over 20 noise samples (seeds 0 to 19)."""
    paths = _noisy_valley_paths(alpha, seeds=20, steps=1000)  # {key: (seed, step, 2)}
    if paths is None:  # a run diverged: race() stops it as trajectory() does
        runs = [race(NOISY_VALLEY, {"steps": 1000, "alpha": alpha}, seed=s) for s in range(20)]
        paths = {k: [r[k] for r in runs] for k in LABELS}
    return {k: float(np.median([loss_above_minimum(NOISY_VALLEY, path[-300:]).mean()
                                for path in paths[k]])) for k in LABELS}


def _noisy_valley_paths(alpha: float, seeds: int, steps: int) -> dict | None:
    """race(NOISY_VALLEY, {"steps": steps, "alpha": alpha}, seed=s) for s in range(seeds),
    the seeds run side by side (each array has one row per seed): the same noise, the same
    gradients and each racer's arithmetic in the order of optimizers.py and adam.py, so
    the same points (tests/test_playground.py checks them bit for bit). None if a point or
    a gradient stops being finite, where trajectory() would stop the path."""
    s = DEFAULTS
    beta1, beta2, eps = s["beta1"], s["beta2"], s["eps"]
    assert s["bias_correction"] and NOISY_VALLEY.grad is VALLEY.grad
    noise = np.stack([noise_sequence(seed, steps) for seed in range(seeds)])
    start = np.array(NOISY_VALLEY.start, dtype=np.float64)
    point = {k: np.tile(start, (seeds, 1)) for k in LABELS}
    m = {k: np.zeros((seeds, 2)) for k in ("momentum", "adam")}
    v = {k: np.zeros((seeds, 2)) for k in ("rmsprop", "adam")}
    paths = {k: np.empty((seeds, steps + 1, 2)) for k in LABELS}
    for k in LABELS:
        paths[k][:, 0] = start
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            bias_correction1 = 1 - beta1**t  # Adam.step's numbers
            bias_correction2_sqrt = math.sqrt(1 - beta2**t)
            adam_alpha = np.array(alpha * bias_correction2_sqrt / bias_correction1)
            eps_hat = np.array(eps * bias_correction2_sqrt)
            for k, p in point.items():
                exact = np.column_stack([1.0 * p[:, 0], 25.0 * p[:, 1]])  # valley_grad
                g = exact + NOISY_VALLEY.noise * noise[:, t - 1]  # Surface.sample_grad
                if k == "sgd":
                    p -= alpha * g
                elif k == "momentum":  # EMAMomentum
                    m[k] *= beta1
                    m[k] += (1 - beta1) * g
                    p -= alpha * m[k]
                elif k == "rmsprop":  # RMSProp with alpha = beta2
                    v[k] *= beta2
                    v[k] += (1 - beta2) * g * g
                    p -= alpha * g / (np.sqrt(v[k]) + eps)
                else:  # Adam._update
                    m[k] *= np.array(beta1)
                    m[k] += np.multiply(g, np.array(1 - beta1))
                    v[k] *= np.array(beta2)
                    v[k] += np.multiply(np.multiply(g, np.array(1 - beta2)), g)
                    denominator = np.sqrt(v[k])
                    denominator += eps_hat
                    step = np.divide(m[k], denominator)
                    step *= adam_alpha
                    p -= step
                paths[k][:, t] = p
    if not all(np.isfinite(path).all() for path in paths.values()):
        return None
    return paths


@value("playground-rmsprop-default-loss", sci=True, digits=2)
def playground_rmsprop_default_loss() -> float:
    """RMSProp's loss above the minimum where the default race ends (the legend: < 1e-12)."""
    surface = SURFACES[DEFAULTS["surface"]]
    return float(loss_above_minimum(surface, race(surface)["rmsprop"][-1:])[0])


def noisy_valley_crossings(window: int = LOSS_WINDOW, first: int = 300) -> dict[str, list]:
    """How many times Adam's and SGD's losses cross from step `first` to step 1000 of the
    noisy valley at the default alpha, in each of 20 noise samples (seeds 0 to 19): each
    step's loss ("raw") and its moving average over the last `window` steps ("smoothed")."""
    paths = _noisy_valley_paths(DEFAULTS["alpha"], seeds=20, steps=1000)
    out = {"raw": [], "smoothed": []}
    for seed in range(20):
        loss = {k: loss_above_minimum(NOISY_VALLEY, paths[k][seed]) for k in ("adam", "sgd")}
        for kind, f in (("raw", lambda v: v), ("smoothed", lambda v: moving_average(v, window))):
            above = f(loss["adam"])[first:] > f(loss["sgd"])[first:]
            out[kind].append(int(np.count_nonzero(above[1:] != above[:-1])))
    return out


@value("playground-noisy-raw-crossings-min", integer=True)
def playground_noisy_raw_crossings_min() -> float:
    """The fewest times, over 20 noise samples, that Adam's and SGD's losses cross."""
    return min(noisy_valley_crossings()["raw"])


@value("playground-noisy-raw-crossings-max", integer=True)
def playground_noisy_raw_crossings_max() -> float:
    return max(noisy_valley_crossings()["raw"])


@value("playground-noisy-smoothed-uncrossed", integer=True)
def playground_noisy_smoothed_uncrossed() -> float:
    """In how many of 20 noise samples the moving averages of the two never cross."""
    return sum(n == 0 for n in noisy_valley_crossings()["smoothed"])


@value("playground-noisy-sgd", digits=2)
def playground_noisy_sgd() -> float:
    return noisy_valley_floor(DEFAULTS["alpha"])["sgd"]


@value("playground-noisy-sgd-low", digits=2)
def playground_noisy_sgd_low() -> float:
    return noisy_valley_floor(0.01)["sgd"]


@value("playground-noisy-adam", digits=2)
def playground_noisy_adam() -> float:
    return noisy_valley_floor(DEFAULTS["alpha"])["adam"]


@value("playground-noisy-adam-low", digits=2)
def playground_noisy_adam_low() -> float:
    return noisy_valley_floor(0.01)["adam"]


def _closer() -> list[float]:
    high, low = noisy_valley_floor(DEFAULTS["alpha"]), noisy_valley_floor(0.01)
    return [high[k] / low[k] for k in LABELS]


@value("playground-noisy-closer-min", digits=2)
def playground_noisy_closer_min() -> float:
    """How many times lower the loss of the racer that gains least ends at alpha = 0.01."""
    return min(_closer())


@value("playground-noisy-closer-max", digits=2)
def playground_noisy_closer_max() -> float:
    return max(_closer())


@figure(
    "playground-default",
    alt=(
        "The playground's default race on the valley, 0.5 (x² + 25 y²), with α = 0.05, "
        "β1 = 0.9, β2 = 0.999, ε = 1e-8 and 200 steps. Left, the paths on the contour "
        "map: SGD drops to the valley floor within a few steps and then creeps along it, "
        "momentum swings across the valley several times, RMSProp leaps most of the "
        "way along the valley on its first step and zig-zags in, and Adam first moves "
        "diagonally, the same distance along x and y at each step, then curves in along the "
        "valley. Right, the loss above "
        "the minimum against the step, on a log scale: all four fall below one millionth "
        "within 200 steps, RMSProp far below."
    ),
    size=(7.0, 3.0),
    caption=(
        "The default race, drawn at build time by the Python reference. Turn "
        "JavaScript on to move the sliders."
    ),
)
def playground_default(fig, theme):
    paths = race(SURFACES[DEFAULTS["surface"]])
    surface = SURFACES[DEFAULTS["surface"]]
    (x_lo, x_hi), (y_lo, y_hi) = surface.bounds
    x, y = np.meshgrid(np.linspace(x_lo, x_hi, 121), np.linspace(y_lo, y_hi, 61))
    ax_map, ax_loss = fig.subplots(1, 2, width_ratios=[3, 2])
    ax_map.contour(x, y, surface.loss(x, y), levels=np.geomspace(0.01, 40, 9),
                   colors=theme.grid, linewidths=0.8)
    for key, path in paths.items():
        ax_map.plot(path[:, 0], path[:, 1], color=COLORS[key], label=LABELS[key], lw=1.4)
        loss = np.maximum(loss_above_minimum(surface, path), 1e-16)
        every_other = np.arange(0, len(loss), 2)  # half the points: smaller, looks the same
        ax_loss.semilogy(every_other, loss[every_other], color=COLORS[key], lw=1.4)
    ax_map.plot(*surface.minimum, "*", color=theme.text, markersize=8)
    ax_map.plot(*surface.start, "o", color=theme.text, markerfacecolor="none")
    ax_map.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="$x$", ylabel="$y$", aspect="equal")
    ax_map.legend(loc="lower right", fontsize=8, ncols=2)
    ax_loss.set(xlabel="step", title="loss above the minimum", ylim=(1e-12, 1e2))
    ax_loss.title.set_size(10)
    ax_loss.grid(True, axis="y", lw=0.5)

