"""Home page: where Adam wins and where it does not, each optimizer's learning rate tuned.

Two problems, with 200 parameters each, and three optimizers (SGD, momentum in Adam's
EMA form, Adam), each run at every learning rate of the same grid; an optimizer's
result on a problem is its best over the grid:

    badly scaled   linear regression on noisy minibatches, features on scales from 0.03
                   to 30, each feature as important to the target (Adam wins);
    well scaled    a clean quadratic bowl, curvatures between 1 and 10, exact gradients
                   (tuned gradient descent wins).

All runs of a problem go in one NumPy loop, one row per (optimizer, learning rate), and
see the same minibatches.
"""

from __future__ import annotations

import functools

import numpy as np

from snippets.figures import COLORS, figure
from snippets.playground import moving_average
from snippets.values import value

OPTIMIZERS = {"sgd": "SGD", "momentum": "momentum", "adam": "Adam"}  # key: legend name
GRID = np.geomspace(1e-5, 1, 11)  # the learning rates tried, a factor sqrt(10) apart
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # Adam's defaults; momentum uses BETA1 too
DIM = 200  # parameters in each problem
SCALES = np.geomspace(0.03, 30, DIM)  # badly scaled: feature scales 0.03 to 30
BATCH, NOISE, STEPS_NOISY = 32, 0.5, 1000  # minibatch size, noise on the targets, steps
WINDOW = 50  # steps in the moving average of the noisy losses
CURVATURES = np.linspace(1, 10, DIM)  # well scaled: the bowl's curvatures
STEPS_CLEAN = 100


def _runs() -> tuple[np.ndarray, np.ndarray]:
    """Each run's optimizer (0 SGD, 1 momentum, 2 Adam) and learning rate, as columns."""
    kind = np.repeat(np.arange(len(OPTIMIZERS)), len(GRID))[:, None]
    lr = np.tile(GRID, len(OPTIMIZERS))[:, None]
    return kind, lr


def _race(grad, steps: int, beta1: float = BETA1) -> np.ndarray:
    """Run every (optimizer, lr) from w = 0; grad(W, t) -> (losses, gradients) of all runs.

    Returns the losses, (steps, runs): row t - 1 is the loss grad(W, t) reports before
    step t. A run that diverges reports inf from then on.
    """
    kind, lr = _runs()
    w = np.zeros((len(kind), DIM))
    m, v = np.zeros_like(w), np.zeros_like(w)
    losses = np.empty((steps, len(kind)))
    with np.errstate(all="ignore"):  # diverging runs overflow: they are marked inf
        for t in range(1, steps + 1):
            losses[t - 1], g = grad(w, t)
            m = np.where(kind == 0, g, beta1 * m + (1 - beta1) * g)  # SGD: m is g
            v = BETA2 * v + (1 - BETA2) * g * g
            adam = (m / (1 - beta1**t)) / (np.sqrt(v / (1 - BETA2**t)) + EPS)
            w = w - lr * np.where(kind == 2, adam, m)
    losses[np.logical_or.accumulate(~np.isfinite(losses), axis=0)] = np.inf
    return losses


@functools.cache
def noisy_losses(seed: int = 0, well_scaled: bool = False) -> np.ndarray:
    """Minibatch losses of every run on the badly scaled regression: (STEPS_NOISY, runs).

    Feature j has scale SCALES[j] and true weight z_j / SCALES[j] (z standard normal), so
    every feature adds as much to the target's variance, whatever its units. With
    well_scaled, every feature has scale 1: the same noise, no spread of scales.
    """
    scales = np.ones(DIM) if well_scaled else SCALES
    rng = np.random.default_rng(seed)  # draws the true weights, then every minibatch
    w_true = rng.standard_normal(DIM) / scales

    def grad(w: np.ndarray, t: int):
        x = rng.standard_normal((BATCH, DIM)) * scales  # the same minibatch for every run
        y = x @ w_true + NOISE * rng.standard_normal(BATCH)
        r = w @ x.T - y  # residuals, (runs, BATCH)
        return 0.5 * np.mean(r * r, axis=1), r @ x / BATCH

    return _race(grad, STEPS_NOISY)


def smoothed(losses: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """The moving average of each column over the last `window` rows (fewer at the start):
    the playground's moving average, column by column."""
    return np.column_stack([moving_average(column, window) for column in losses.T])


@functools.cache
def clean_losses(beta1: float = BETA1) -> np.ndarray:
    """Losses of every run on the well-scaled bowl: (STEPS_CLEAN + 1, runs), the last after."""
    w_best = np.random.default_rng(1).standard_normal(DIM)

    def grad(w: np.ndarray, t: int):
        e = w - w_best
        return 0.5 * np.sum(CURVATURES * e * e, axis=1), CURVATURES * e

    return _race(grad, STEPS_CLEAN + 1, beta1)


def curves(problem: str) -> np.ndarray:
    """The loss curves compared on a problem: (steps, optimizers, grid), inf if diverged.

    Problems: "noisy" (badly scaled, noisy), "clean" (well scaled, clean) and, as a check
    that the noise alone does not make Adam win, "flat" (the noisy regression, well scaled).
    """
    losses = {"noisy": lambda: smoothed(noisy_losses()), "clean": clean_losses,
              "flat": lambda: smoothed(noisy_losses(well_scaled=True))}[problem]()
    return losses.reshape(len(losses), len(OPTIMIZERS), len(GRID))


def sweep(problem: str) -> np.ndarray:
    """Each optimizer's final (for noisy: smoothed) loss at each rate: (optimizers, grid)."""
    return curves(problem)[-1]


def best(problem: str, name: str) -> tuple[float, float]:
    """An optimizer's best final loss on a problem, and the learning rate that gives it."""
    row = sweep(problem)[list(OPTIMIZERS).index(name)]
    return float(row.min()), float(GRID[row.argmin()])


def adam_advantage(problem: str) -> float:
    """The best final loss of SGD and momentum over Adam's: above 1 where Adam wins."""
    others = min(best(problem, name)[0] for name in ("sgd", "momentum"))
    return others / best(problem, "adam")[0]


@value("home-wins-flat-sgd", digits=3)
def flat_sgd() -> float:
    return best("flat", "sgd")[0]


@value("home-wins-flat-momentum", digits=3)
def flat_momentum() -> float:
    return best("flat", "momentum")[0]


@value("home-wins-flat-adam", digits=3)
def flat_adam() -> float:
    return best("flat", "adam")[0]


def name(problem: str, key: str) -> str:
    """The legend's name: SGD with exact gradients is plain gradient descent."""
    return "gradient descent" if (problem, key) == ("clean", "sgd") else OPTIMIZERS[key]


def _sig(x: float, digits: int = 3) -> str:
    """x to a few significant digits, for the figure's labels."""
    return f"{x:.{digits}g}"


@value("home-wins-curvature-ratio", sci=True, digits=1)
def curvature_ratio() -> float:
    """The regression's curvature along the largest feature's weight over the smallest's."""
    return float((SCALES.max() / SCALES.min()) ** 2)


@value("home-wins-noisy-adam", digits=3)
def noisy_adam() -> float:
    """Adam's best smoothed final loss on the badly scaled regression."""
    return best("noisy", "adam")[0]


@value("home-wins-noisy-sgd", digits=3)
def noisy_sgd() -> float:
    return best("noisy", "sgd")[0]


@value("home-wins-noisy-momentum", digits=3)
def noisy_momentum() -> float:
    return best("noisy", "momentum")[0]


@value("home-wins-noisy-factor", digits=2)
def noisy_factor() -> float:
    """How many times lower Adam's best smoothed final loss is than the others' best."""
    return adam_advantage("noisy")


@value("home-wins-noisy-adam-rates-better", integer=True)
def noisy_adam_rates_better() -> float:
    """At how many rates of the grid Adam beats the best of SGD and momentum on any rate."""
    others = min(best("noisy", name)[0] for name in ("sgd", "momentum"))
    return float(np.sum(sweep("noisy")[2] < others))


@value("home-wins-clean-adam", sci=True, digits=2)
def clean_adam() -> float:
    return best("clean", "adam")[0]


@value("home-wins-clean-sgd", sci=True, digits=2)
def clean_sgd() -> float:
    return best("clean", "sgd")[0]


@value("home-wins-clean-momentum", sci=True, digits=2)
def clean_momentum() -> float:
    return best("clean", "momentum")[0]


@value("home-wins-clean-factor", sci=True, digits=2)
def clean_factor() -> float:
    """How many times higher Adam's best final loss is than tuned gradient descent's."""
    return best("clean", "adam")[0] / best("clean", "sgd")[0]


@figure(
    "where-adam-wins",
    alt=(
        "Four panels. Top left, linear regression with 200 weights, features on scales "
        "from 0.03 to 30 and minibatches of 32 noisy examples: the minibatch loss, smoothed "
        "by a moving average over 50 steps, of SGD, momentum and Adam, each at its best "
        "learning rate on the grid, over 1000 steps. SGD and momentum stay high (best "
        "final losses [[value: home-wins-noisy-sgd]] and [[value: home-wins-noisy-momentum]]) "
        "while Adam keeps going down to [[value: home-wins-noisy-adam]], "
        "[[value: home-wins-noisy-factor]] times lower. Top right, a clean quadratic bowl "
        "with 200 parameters and curvatures from 1 to 10: in 100 steps tuned gradient "
        "descent falls to [[value: home-wins-clean-sgd]], while momentum ends at "
        "[[value: home-wins-clean-momentum]] and Adam at [[value: home-wins-clean-adam]]. "
        "Bottom, the sweep behind them: each optimizer's final loss at each of the 11 "
        "learning rates from 10⁻⁵ to 1, on each problem, its best rate circled. On the "
        "regression Adam beats the others' best at "
        "[[value: home-wins-noisy-adam-rates-better]] of the 11 rates."
    ),
    caption=(
        "(a) minibatch loss, averaged over 50 steps; (b) exact loss. Bottom: final "
        "loss against the rate, diverged runs left out."
    ),
    size=(7.0, 5.0),
)
def where_adam_wins(fig, theme):
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axes = fig.subplots(2, 2)
    titles = {"noisy": "(a) badly scaled, noisy: Adam wins",
              "clean": "(b) well scaled, clean: Adam does not"}
    for col, problem in enumerate(("noisy", "clean")):
        top, bottom = axes[0, col], axes[1, col]
        losses, final = curves(problem), sweep(problem)
        first = WINDOW if problem == "noisy" else 0  # the first full moving average
        steps = np.arange(first, len(losses)) + (1 if problem == "noisy" else 0)
        cap = 2 * losses[0].max()  # a final loss above twice the start counts as diverged
        for i, key in enumerate(OPTIMIZERS):
            j = int(np.argmin(final[i]))
            top.plot(steps, losses[first:, i, j], color=COLORS[key],
                     label=f"{name(problem, key)}, α = {_sig(GRID[j], 2)}")
            ok = final[i] <= cap
            bottom.plot(GRID[ok], final[i][ok], "-o", color=COLORS[key], markersize=3)
            bottom.plot(GRID[j], final[i, j], "o", color=COLORS[key], markersize=9,
                        markerfacecolor="none")
        for ax in (top, bottom):
            ax.set_yscale("log")
            ax.yaxis.set_minor_formatter(NullFormatter())
            if problem == "noisy":  # a decade or two: label 1, 2, 5, 10, 20, 50, ...
                ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
                ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
        if problem == "noisy":
            top.set_ylim(bottom=1)  # room for the legend under the curves
        top.set_title(titles[problem], loc="left", fontsize=10)
        top.set_xlabel("step")
        bottom.set_xscale("log")
        bottom.set_xlabel("learning rate α (circled: the best)")
        top.legend(fontsize=8, frameon=False, title_fontsize=8, loc="lower left",
                   title="moving average over 50 steps" if problem == "noisy" else None)
    axes[0, 0].set_ylabel("minibatch loss")
    axes[0, 1].set_ylabel("loss")
    axes[1, 0].set_ylabel("final loss")
