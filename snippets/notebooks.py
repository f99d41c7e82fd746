"""The notebooks of the four layers: plotting helpers, and the cells only a notebook has.

A notebook (``notebooks/<layer>.py``) runs the sections of its page's module and of
the shared modules, then these cells: plots and experiments with the numbers to change
at the top of the cell, for the exercises. ``plot_paths`` and ``plot_curves`` draw in
the colours of the reader's matplotlib style (``rcParams``), so importing this module
needs no matplotlib. The blocks under ``if __name__ == "__main__":`` are the cells, in
the order of the notebooks (``MPLBACKEND=Agg python -m snippets.notebooks`` runs them).
"""

from __future__ import annotations

import functools
from dataclasses import replace

# --8<-- [start:setup]
from functools import partial

import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam, adam_step
from snippets.landscape import loss_along, noise_floor
from snippets.momentum import ema, rate, steps_to
from snippets.optimizers import (
    SGD,
    EMAMomentum,
    HeavyBall,
    RMSProp,
    adam_step_no_bias_correction,
    trajectory,
)
from snippets.second_moment import step_sizes
from snippets.surfaces import BOWL, VALLEY, bowl_grad, bowl_loss, noisy
from snippets.values import value

# --8<-- [start:colors]
COLORS = {  # one colour per optimizer, the same as in the site's figures
    "sgd": "#8c8c8c",
    "momentum": "#0077bb",
    "rmsprop": "#009e73",
    "adam": "#d55e00",
    "adamw": "#ee3377",
}
# --8<-- [end:colors]


# --8<-- [start:plotting]
def plot_paths(ax, surface, paths: dict, levels: int = 10) -> None:
    """Contour lines of a surface, its minimum (a star) and paths {label: (points, colour)}."""
    from matplotlib import rcParams  # the colours of your matplotlib style

    (x0, x1), (y0, y1) = surface.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, 50), np.linspace(y0, y1, 50))
    z = surface.loss(x, y)
    lowest = max(z.min(), 1e-3 * z.max())  # contour lines evenly spaced in log(loss)
    ax.contour(x, y, z, levels=np.geomspace(lowest, z.max(), levels),
               colors=rcParams["grid.color"], linewidths=0.8)
    ax.plot(*surface.minimum, "*", color=rcParams["text.color"], ms=9, zorder=5)
    for label, (points, colour) in paths.items():
        outside = (np.abs(points - np.mean(surface.bounds, axis=1))
                   > np.ptp(surface.bounds, axis=1) / 2).any(axis=1)
        if outside.any():  # a path that leaves the map is drawn up to where it leaves
            points = points[: np.argmax(outside) + 1]
        ax.plot(points[:, 0], points[:, 1], ".-", color=colour, ms=3, lw=1.2, label=label)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", xticks=[], yticks=[],
           xlabel="$x$", ylabel="$y$")


def plot_curves(ax, curves: dict, ylabel: str, xlabel: str = "step $t$") -> None:
    """One line per {label: (values, colour, line style)}, on a log scale, with a legend."""
    for label, (values, colour, style) in curves.items():
        ax.plot(values, style, color=colour, label=label)
    ax.set(yscale="log", xlabel=xlabel, ylabel=ylabel)
    ax.legend()


# --8<-- [end:plotting]


# The numbers the notebooks' Markdown cells state, computed here with the notebooks'
# settings (the cells below print or draw the same runs) -------------------------------


def _curvatures(surface) -> tuple[float, float]:
    """The two curvatures of a quadratic surface centred on 0 (VALLEY, BOWL)."""
    return float(surface.grad(1.0, 0.0)[0]), float(surface.grad(0.0, 1.0)[1])


def _sgd_path(alpha: float, steps: int, surface=VALLEY) -> np.ndarray:
    return trajectory(partial(SGD, lr=alpha), surface, steps=steps)


@value("nb-valley-limit", decimals=2)
def nb_valley_limit() -> float:
    """2/L on the valley: gradient descent converges only below it."""
    return 2 / max(_curvatures(VALLEY))


@value("nb-landscape-factor-below", decimals=3)
def nb_landscape_factor_below() -> float:
    """Exercise 1: the factor across the valley at alpha = 0.079."""
    return 1 - 0.079 * max(_curvatures(VALLEY))


@value("nb-landscape-factor-above", decimals=3)
def nb_landscape_factor_above() -> float:
    """Exercise 1: the factor across the valley at alpha = 0.081."""
    return 1 - 0.081 * max(_curvatures(VALLEY))


@value("nb-landscape-loss-at-limit", digits=3)
def nb_landscape_loss_at_limit() -> float:
    """Exercise 1: the loss after 50 steps at alpha = 2/L, where the zig-zag keeps its width."""
    return float(loss_along(_sgd_path(0.08, 50), VALLEY)[-1])


@value("nb-landscape-growth-above", decimals=1, percent=True)
def nb_landscape_growth_above() -> float:
    """Exercise 1: how much |y| grows per step at alpha = 0.081."""
    return abs(nb_landscape_factor_above()) - 1


@value("nb-landscape-y-above", digits=2)
def nb_landscape_y_above() -> float:
    """Exercise 1: |y| after 50 steps at alpha = 0.081."""
    return float(abs(_sgd_path(0.081, 50)[-1, 1]))


@value("nb-landscape-balanced-alpha", decimals=3)
def nb_landscape_balanced_alpha() -> float:
    """Exercise 2: the alpha at which both factors have the same size, 2/(1 + 25)."""
    return 2 / sum(_curvatures(VALLEY))


@value("nb-landscape-balanced-factor", digits=2)
def nb_landscape_balanced_factor() -> float:
    """Exercise 2: the factor of both directions at that alpha."""
    return 1 - nb_landscape_balanced_alpha() * min(_curvatures(VALLEY))


def _steps_below(alpha: float) -> int | None:
    return steps_to(_sgd_path(alpha, 1000), VALLEY)


@value("nb-landscape-balanced-steps", integer=True)
def nb_landscape_balanced_steps() -> float:
    """Exercise 2: steps to a loss below 1e-6 at alpha = 2/26."""
    return _steps_below(nb_landscape_balanced_alpha())


@functools.cache
def _fastest_alpha() -> tuple[float, int]:
    """Exercise 2: the alpha of 0.070, 0.071, ..., 0.080 that needs the fewest steps."""
    alphas = np.round(np.arange(0.070, 0.0805, 0.001), 3)
    steps = [_steps_below(a) or np.inf for a in alphas]
    return float(alphas[int(np.argmin(steps))]), int(min(steps))


@value("nb-landscape-fastest-alpha", decimals=3)
def nb_landscape_fastest_alpha() -> float:
    return _fastest_alpha()[0]


@value("nb-landscape-fastest-steps", integer=True)
def nb_landscape_fastest_steps() -> float:
    return _fastest_alpha()[1]


@value("nb-landscape-steps-0078", integer=True)
def nb_landscape_steps_0078() -> float:
    """Exercise 2: steps to a loss below 1e-6 at alpha = 0.078."""
    return _steps_below(0.078)


def _floor(alpha: float, noise: float) -> float:
    return noise_floor(alpha, _curvatures(VALLEY), noise)


@value("nb-landscape-floor-004", digits=2)
def nb_landscape_floor_004() -> float:
    return _floor(0.04, 1.0)


@value("nb-landscape-floor-001", digits=2)
def nb_landscape_floor_001() -> float:
    return _floor(0.01, 1.0)


@value("nb-landscape-floor-004-half-noise", digits=2)
def nb_landscape_floor_004_half_noise() -> float:
    return _floor(0.04, 0.5)


@value("nb-landscape-floor-001-half-noise", digits=2)
def nb_landscape_floor_001_half_noise() -> float:
    return _floor(0.01, 0.5)


@value("nb-landscape-floor-0005", digits=2)
def nb_landscape_floor_0005() -> float:
    return _floor(0.005, 1.0)


def _steps_to_floor(alpha: float) -> int:
    """Steps until the path without noise (the mean path) falls to the noise floor."""
    return steps_to(_sgd_path(alpha, 4000), VALLEY, tol=_floor(alpha, 1.0))


@value("nb-landscape-floor-steps-001", integer=True)
def nb_landscape_floor_steps_001() -> float:
    return _steps_to_floor(0.01)


@value("nb-landscape-floor-steps-0005", integer=True)
def nb_landscape_floor_steps_0005() -> float:
    return _steps_to_floor(0.005)


def _bowl_factors(alpha: float) -> np.ndarray:
    """What one step of gradient descent multiplies x and y by on the bowl."""
    return 1 - alpha * np.array(_curvatures(BOWL))


@value("nb-landscape-one-rate-progress", decimals=0, percent=True)
def nb_landscape_one_rate_progress() -> float:
    """The part of the distance one step removes at the best single alpha, 2/(0.1 + 10)."""
    return 1 - float(np.abs(_bowl_factors(2 / sum(_curvatures(BOWL)))).max())


@value("nb-landscape-bowl-factor-y-021", digits=2)
def nb_landscape_bowl_factor_y_021() -> float:
    """Exercise 4: y's factor at alpha = 0.21."""
    return float(_bowl_factors(0.21)[1])


@value("nb-landscape-bowl-growth-021", decimals=0, percent=True)
def nb_landscape_bowl_growth_021() -> float:
    return abs(nb_landscape_bowl_factor_y_021()) - 1


@value("nb-landscape-bowl-factor-x-021", decimals=3)
def nb_landscape_bowl_factor_x_021() -> float:
    return float(_bowl_factors(0.21)[0])


@value("nb-landscape-bowl-factor-x-01", decimals=2)
def nb_landscape_bowl_factor_x_01() -> float:
    return float(_bowl_factors(0.1)[0])


@value("nb-momentum-ema-three-steps", digits=3)
def nb_momentum_ema_three_steps() -> float:
    """What the EMA holds after the same gradient, 1, three times (beta1 = 0.9)."""
    return float(ema([1.0, 1.0, 1.0], 0.9)[-1])


def _kept_noise(beta1: float) -> float:
    """The part of the noise's standard deviation an EMA keeps: sqrt((1 - b)/(1 + b))."""
    return float(np.sqrt((1 - beta1) / (1 + beta1)))


@value("nb-momentum-kept-noise-05", decimals=2)
def nb_momentum_kept_noise_05() -> float:
    return _kept_noise(0.5)


@value("nb-momentum-kept-noise-09", decimals=2)
def nb_momentum_kept_noise_09() -> float:
    return _kept_noise(0.9)


@value("nb-momentum-kept-noise-099", decimals=2)
def nb_momentum_kept_noise_099() -> float:
    return _kept_noise(0.99)


@value("nb-momentum-lag-099", integer=True)
def nb_momentum_lag_099() -> float:
    """The lag of the EMA behind a changing gradient, beta1/(1 - beta1), at 0.99."""
    return round(0.99 / (1 - 0.99))


@value("nb-momentum-gd-factor-015", digits=3)
def nb_momentum_gd_factor_015() -> float:
    """Exercise 2: what gradient descent at 0.15 multiplies y by on the valley."""
    return 1 - 0.15 * max(_curvatures(VALLEY))


def _momentum_steps(alpha: float, beta1: float) -> int | None:
    return steps_to(trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=300),
                    VALLEY)


@value("nb-momentum-steps-015-05", integer=True)
def nb_momentum_steps_015_05() -> float:
    return _momentum_steps(0.15, 0.5)


@value("nb-momentum-steps-015-09", integer=True)
def nb_momentum_steps_015_09() -> float:
    return _momentum_steps(0.15, 0.9)


def _momentum_factor(alpha: float, beta1: float) -> float:
    """The part of the distance one step keeps in the long run, the slower direction's."""
    return max(rate(alpha, beta1, c) for c in _curvatures(VALLEY))


@value("nb-momentum-factor-015-09", decimals=3)
def nb_momentum_factor_015_09() -> float:
    return _momentum_factor(0.15, 0.9)


def _momentum_limit(beta1: float) -> float:
    """The largest stable alpha of EMA momentum on the valley, 2(1 + b)/((1 - b) L)."""
    return 2 * (1 + beta1) / ((1 - beta1) * max(_curvatures(VALLEY)))


@value("nb-momentum-limit-05", decimals=2)
def nb_momentum_limit_05() -> float:
    return _momentum_limit(0.5)


@value("nb-momentum-limit-09", decimals=2)
def nb_momentum_limit_09() -> float:
    return _momentum_limit(0.9)


@value("nb-momentum-limit-099", digits=3)
def nb_momentum_limit_099() -> float:
    return _momentum_limit(0.99)


@value("nb-momentum-factor-03-09", decimals=3)
def nb_momentum_factor_03_09() -> float:
    return _momentum_factor(0.3, 0.9)


@value("nb-momentum-factor-03-099", decimals=3)
def nb_momentum_factor_03_099() -> float:
    return _momentum_factor(0.3, 0.99)


def _two_forms_steps(alpha: float, beta1: float, steps: int) -> tuple[float, float]:
    """The heavy ball's step and the EMA form's after `steps` steps of gradient 1."""
    ball, average = np.zeros(1), np.zeros(1)
    heavy = HeavyBall([ball], lr=alpha, momentum=beta1)
    ema_form = EMAMomentum([average], lr=alpha, beta=beta1)
    for _ in range(steps):
        heavy.step([np.ones(1)])
        ema_form.step([np.ones(1)])
    return float(alpha * heavy.b[0][0]), float(alpha * ema_form.m[0][0])


@value("nb-momentum-heavy-step-099", digits=3)
def nb_momentum_heavy_step_099() -> float:
    """Exercise 4: the heavy ball's step after 100 steps at alpha 0.1, beta1 0.99."""
    return _two_forms_steps(0.1, 0.99, 100)[0]


@value("nb-momentum-ema-step-099", digits=3)
def nb_momentum_ema_step_099() -> float:
    return _two_forms_steps(0.1, 0.99, 100)[1]


@functools.cache
def _noisy_steps(beta1: float) -> tuple[float, ...]:
    """The average step / lr after step 1000 for the noise levels 1 and 3, as the cell runs it."""
    rng = np.random.default_rng(0)
    averages = []
    for noise in [0.0, 1.0, 3.0]:
        grads = 0.3 + noise * rng.standard_normal(3000)
        sizes = step_sizes(grads, step=partial(adam_step, beta1=beta1, beta2=0.999))
        averages.append(float(sizes[1000:].mean()))
    return tuple(averages[1:])


@value("nb-second-moment-kept-noise-09", decimals=0, percent=True)
def nb_second_moment_kept_noise_09() -> float:
    return _kept_noise(0.9)


@value("nb-second-moment-kept-noise-099", decimals=0, percent=True)
def nb_second_moment_kept_noise_099() -> float:
    return _kept_noise(0.99)


@value("nb-second-moment-step-099-noise-1", decimals=2)
def nb_second_moment_step_099_noise_1() -> float:
    return _noisy_steps(0.99)[0]


@value("nb-second-moment-step-099-noise-3", decimals=2)
def nb_second_moment_step_099_noise_3() -> float:
    return _noisy_steps(0.99)[1]


@value("nb-second-moment-ratio-noise-1", decimals=2)
def nb_second_moment_ratio_noise_1() -> float:
    """The gradient's mean over its RMS with noise 1: 0.3 / sqrt(0.3**2 + 1)."""
    return float(0.3 / np.hypot(0.3, 1.0))


@value("nb-second-moment-ratio-noise-3", decimals=2)
def nb_second_moment_ratio_noise_3() -> float:
    return float(0.3 / np.hypot(0.3, 3.0))


@value("nb-second-moment-step-0", decimals=2)
def nb_second_moment_step_0() -> float:
    """Exercise 1 with beta1 = 0: the average step at the two noise levels (they agree)."""
    return float(np.mean(_noisy_steps(0.0)))


def _first_step(g: float, epsilon: float) -> float:
    zero = np.zeros(1)
    theta, _, _ = adam_step(zero, np.array([g]), zero, zero, t=1, lr=1.0, epsilon=epsilon)
    return float(-theta[0])


@value("nb-second-moment-eps-step-1e-2", decimals=2)
def nb_second_moment_eps_step_1e_2() -> float:
    """Exercise 2: the first step / lr of |g| = 1e-2 with epsilon = 1e-3."""
    return _first_step(1e-2, 1e-3)


@value("nb-second-moment-eps-step-1e-6", digits=1)
def nb_second_moment_eps_step_1e_6() -> float:
    return _first_step(1e-6, 1e-3)


@value("nb-second-moment-default-step-1e-6", decimals=2)
def nb_second_moment_default_step_1e_6() -> float:
    return _first_step(1e-6, 1e-8)


@value("nb-second-moment-bowl-gradient-ratio", integer=True)
def nb_second_moment_bowl_gradient_ratio() -> float:
    """How many times larger the bowl's gradient is along y than along x at the start."""
    gx, gy = BOWL.grad(*BOWL.start)
    return round(abs(gy / gx))


def _race_distance(c: float, name: str, steps: int = 60) -> float:
    """Exercise 3: a racer's distance to the minimum after 60 steps, the loss times c."""
    surface = replace(BOWL, loss=lambda x, y: c * bowl_loss(x, y),
                      grad=lambda x, y: c * bowl_grad(x, y))
    make = {"SGD": lambda p: SGD(p, lr=0.18),
            "momentum": lambda p: EMAMomentum(p, lr=0.5, beta=0.9)}[name]
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.hypot(*trajectory(make, surface, steps=steps)[-1]))


@value("nb-second-moment-sgd-distance-c1000", sci=True, digits=1)
def nb_second_moment_sgd_distance_c1000() -> float:
    return _race_distance(1000.0, "SGD")


@value("nb-second-moment-momentum-distance-c1000", sci=True, digits=1)
def nb_second_moment_momentum_distance_c1000() -> float:
    return _race_distance(1000.0, "momentum")


@value("nb-second-moment-rmsprop-first-step", digits=2)
def nb_second_moment_rmsprop_first_step() -> float:
    """How far RMSProp(lr=0.05) moves each coordinate of the bowl on its first step."""
    point = np.array(BOWL.start, dtype=float)
    RMSProp([point], lr=0.05, alpha=0.99).step([np.asarray(BOWL.grad(*point))])
    return float(np.abs(point - BOWL.start).max())


@value("nb-bias-mean-square", digits=3)
def nb_bias_mean_square() -> float:
    """E[g^2] of gradients of mean 0.5 and standard deviation 1."""
    return 0.5**2 + 1.0**2


def _uncorrected(beta1: float, beta2: float, steps: int = 2000) -> np.ndarray:
    """Step / lr of Adam without its bias corrections, constant gradient 0.3, as the cell."""
    def step(params, grads, m, v, t, lr):
        return adam_step_no_bias_correction(params, grads, m, v, lr, beta1, beta2)

    return step_sizes(np.full(steps, 0.3), step=step)


@value("nb-bias-peak-099", digits=3)
def nb_bias_peak_099() -> float:
    """Exercise 2 (beta2 = 0.99): the largest uncorrected step / lr."""
    return float(_uncorrected(0.9, 0.99).max())


@value("nb-bias-peak-step-099", integer=True)
def nb_bias_peak_step_099() -> float:
    return int(_uncorrected(0.9, 0.99).argmax()) + 1


@value("nb-bias-back-to-lr-099", integer=True)
def nb_bias_back_to_lr_099() -> float:
    """Exercise 2: the step after which the uncorrected step stays within 1% of lr."""
    sizes = _uncorrected(0.9, 0.99)
    return int(np.flatnonzero(np.abs(sizes - 1) > 0.01)[-1]) + 2


@value("nb-bias-first-step-beta1-0", digits=3)
def nb_bias_first_step_beta1_0() -> float:
    """Exercise 3: the first uncorrected step / lr with beta1 = 0."""
    return float(_uncorrected(0.0, 0.999)[0])


@value("nb-bias-first-step-beta1-099", digits=2)
def nb_bias_first_step_beta1_099() -> float:
    return float(_uncorrected(0.99, 0.999)[0])


@value("nb-bias-peak-beta1-099", digits=3)
def nb_bias_peak_beta1_099() -> float:
    return float(_uncorrected(0.99, 0.999).max())


@value("nb-bias-peak-step-beta1-099", integer=True)
def nb_bias_peak_step_beta1_099() -> float:
    return int(_uncorrected(0.99, 0.999).argmax()) + 1

if __name__ == "__main__":
    # --8<-- [start:pyplot]
    import matplotlib.pyplot as plt

    # --8<-- [end:pyplot]

    # Layer 1: the loss landscape ---------------------------------------------------

    # --8<-- [start:landscape_step_sizes]
    alphas = [0.01, 0.07, 0.085]  # the learning rates to compare; 2/L = 0.08 on VALLEY
    steps = 50

    fig, axes = plt.subplots(4, 1, figsize=(4.5, 9.6), layout="constrained")
    losses = {}
    for ax, alpha, style in zip(axes.flat, alphas, [":", "-", "--"], strict=False):
        path = trajectory(partial(SGD, lr=alpha), VALLEY, steps=steps)
        name = rf"$\alpha = {alpha}$"
        plot_paths(ax, VALLEY, {name: (path, COLORS["sgd"])}, levels=8)
        ax.set_title(name)
        losses[name] = (loss_along(path, VALLEY), COLORS["sgd"], style)
    plot_curves(axes.flat[-1], losses, ylabel="loss")
    plt.show()
    # --8<-- [end:landscape_step_sizes]

    # --8<-- [start:landscape_noise]
    noise = 1.0  # the standard deviation of the noise on each gradient coordinate
    steps = 4000
    fig, ax = plt.subplots(figsize=(4.5, 3), layout="constrained")
    for alpha, style in [(0.04, "-"), (0.01, "--")]:
        path = trajectory(partial(SGD, lr=alpha), noisy(VALLEY, noise), steps=steps)
        loss = loss_along(path, VALLEY)  # the true loss at each point of the noisy path
        floor = noise_floor(alpha, [1, 25], noise)
        print(f"alpha = {alpha}: average loss over steps 1000-{steps} {loss[1000:].mean():.4f},"
              f" formula {floor:.4f}")
        ax.plot(np.arange(0, steps + 1, 10), loss[::10], style, color=COLORS["sgd"], lw=1,
                label=rf"$\alpha = {alpha}$")
        ax.axhline(floor, ls=":", color=plt.rcParams["text.color"], lw=1)
    ax.set(yscale="log", ylim=(1e-4, 30), xlabel="step $t$", ylabel="loss")
    ax.legend()
    plt.show()
    # --8<-- [end:landscape_noise]

    # --8<-- [start:landscape_one_rate]
    alpha = 2 / (0.1 + 10)  # the best single learning rate for BOWL's curvatures 0.1 and 10
    steps = 60
    path = trajectory(partial(SGD, lr=alpha), BOWL, steps=steps)

    fig, (left, right) = plt.subplots(2, 1, figsize=(4.5, 6.4), layout="constrained")
    plot_paths(left, BOWL, {rf"$\alpha = {alpha:.3f}$": (path, COLORS["sgd"])})
    left.set_title(f"{steps} steps of gradient descent")
    plot_curves(right, {"|x| (curvature 0.1)": (np.abs(path[:, 0]), COLORS["sgd"], "-"),
                        "|y| (curvature 10)": (np.abs(path[:, 1]), COLORS["sgd"], "--")},
                ylabel="distance to the minimum")
    plt.show()
    # --8<-- [end:landscape_one_rate]

    # Layer 2: momentum ---------------------------------------------------------------

    # --8<-- [start:momentum_ema_noise]
    betas = [0.9, 0.99]  # the values of beta1 to compare
    rng = np.random.default_rng(1)
    t = np.arange(1, 401)
    mean = np.where(t <= 150, 1.0, -0.5)  # the true gradient: 1, then -0.5 from step 151
    g = mean + rng.normal(0.0, 1.0, t.size)  # what each step sees: the mean plus noise

    fig, ax = plt.subplots(figsize=(4.5, 3), layout="constrained")
    ax.plot(t, g, ".", ms=2, color=plt.rcParams["grid.color"], label="gradient $g_t$")
    ax.plot(t, mean, "--", color=plt.rcParams["text.color"], lw=1, label="its mean")
    for beta1, style in zip(betas, ["-", ":", "-.", "--"], strict=False):
        ax.plot(t, ema(g, beta1), style, color=COLORS["momentum"], lw=2,
                label=rf"$m_t$, $\beta_1 = {beta1}$")
    ax.set(ylim=(-3.2, 3.6), xlabel="step $t$", ylabel="gradient")
    ax.legend(ncols=2)
    plt.show()
    # --8<-- [end:momentum_ema_noise]

    # --8<-- [start:momentum_valley]
    alpha, beta1 = 0.15, 0.5  # momentum's settings; gradient descent runs at 0.075
    shown = 60  # steps drawn
    runs = {  # name: (optimizer, colour, label on the plot)
        "gradient descent": (partial(SGD, lr=0.075), COLORS["sgd"], r"$\alpha = 0.075$"),
        "momentum": (partial(EMAMomentum, lr=alpha, beta=beta1), COLORS["momentum"],
                     rf"$\alpha = {alpha}$, $\beta_1 = {beta1}$"),
    }
    paths = {}
    for name, (make, colour, label) in runs.items():
        path = trajectory(make, VALLEY, steps=300)
        print(f"{name}: loss below 1e-6 after {steps_to(path, VALLEY) or 'never'} steps")
        paths[f"{name}, {label}"] = (path[: shown + 1], colour)

    fig, (left, right) = plt.subplots(2, 1, figsize=(4.5, 6.4), layout="constrained")
    plot_paths(left, VALLEY, paths)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15))
    for path, colour in paths.values():
        right.semilogy(np.abs(path[:, 1]), color=colour)  # across the valley
        right.semilogy(np.abs(path[:, 0]), "--", color=colour)  # along it
    right.set(ylim=(1e-5, 5), xlabel="step $t$",
              ylabel="distance to the minimum\nacross (solid), along (dashed)")
    plt.show()
    # --8<-- [end:momentum_valley]

    # --8<-- [start:momentum_betas]
    alpha = 0.075  # the same learning rate for every panel
    betas = [0.0, 0.5, 0.9, 0.99]
    steps = 80

    fig, axes = plt.subplots(4, 1, figsize=(4.5, 8.4), layout="constrained")
    for ax, beta1 in zip(axes.flat, betas, strict=True):
        path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=steps)
        colour = COLORS["sgd"] if beta1 == 0 else COLORS["momentum"]
        plot_paths(ax, VALLEY, {"": (path, colour)}, levels=8)
        factor = max(rate(alpha, beta1, 25), rate(alpha, beta1, 1))
        ax.set_title(rf"$\beta_1 = {beta1}$: factor {factor:.3f} per step")
    plt.show()
    # --8<-- [end:momentum_betas]

    # Layer 3: the second moment ------------------------------------------------------

    # --8<-- [start:second_moment_noise]
    beta1, beta2 = 0.9, 0.999
    noise_levels = [0.0, 1.0, 3.0]  # the spread of the gradient around its mean, 0.3
    steps = 3000

    fig, ax = plt.subplots(figsize=(4.5, 3), layout="constrained")
    rng = np.random.default_rng(0)
    for noise, style in zip(noise_levels, ["-", "--", ":", "-."], strict=False):
        grads = 0.3 + noise * rng.standard_normal(steps)
        sizes = step_sizes(grads, step=partial(adam_step, beta1=beta1, beta2=beta2))
        print(f"noise {noise}: average step {sizes[1000:].mean():.3f} lr; "
              f"mean/rms of the gradient {0.3 / np.hypot(0.3, noise):.3f}")
        every = np.arange(0, steps, 10)  # every 10th step is enough for the eye
        ax.plot(every + 1, sizes[every], style, color=COLORS["adam"], lw=1,
                label=f"noise {noise}")
    ax.set(yscale="log", ylim=(1e-3, 3), xlabel="step $t$", ylabel="step / lr")
    ax.legend()
    plt.show()
    # --8<-- [end:second_moment_noise]

    # --8<-- [start:second_moment_race]
    c = 1.0  # multiply the loss, and so every gradient, by c
    surface = replace(BOWL, loss=lambda x, y: c * bowl_loss(x, y),
                      grad=lambda x, y: c * bowl_grad(x, y))
    steps = 60
    racers = {  # name: (colour, the optimizer for params)
        "SGD, lr=0.18": (COLORS["sgd"], lambda p: SGD(p, lr=0.18)),
        "momentum, lr=0.5": (COLORS["momentum"], lambda p: EMAMomentum(p, lr=0.5, beta=0.9)),
        "RMSProp, lr=0.05": (COLORS["rmsprop"], lambda p: RMSProp(p, lr=0.05, alpha=0.99)),
        "Adam, lr=0.05": (COLORS["adam"], lambda p: Adam(p, lr=0.05)),
    }

    print(f"distance to the minimum after 20 and {steps} steps:")
    fig, axes = plt.subplots(2, 2, figsize=(4.5, 5), layout="constrained")
    for ax, (name, (colour, make)) in zip(axes.flat, racers.items(), strict=True):
        path = trajectory(make, surface, steps=steps)
        print(f"{name:17s} {np.hypot(*path[20]):.3g} {np.hypot(*path[-1]):.3g}")
        plot_paths(ax, surface, {name: (path, colour)}, levels=8)
        ax.set_title(name)
    plt.show()
    # --8<-- [end:second_moment_race]

    # Layer 4: bias correction --------------------------------------------------------

    # --8<-- [start:bias_step_sizes]
    beta1, beta2 = 0.9, 0.999
    steps = 2000
    grads = np.full(steps, 0.3)  # the same gradient at every step


    def uncorrected(params, grads, m, v, t, lr):
        """One step of Adam without its bias corrections, with these betas."""
        return adam_step_no_bias_correction(params, grads, m, v, lr, beta1, beta2)


    with_ = step_sizes(grads, step=partial(adam_step, beta1=beta1, beta2=beta2))
    without = step_sizes(grads, step=uncorrected)
    print(f"first step: {without[0]:.2f} lr without correction, {with_[0]:.2f} lr with it")
    print(f"largest step without correction: {without.max():.2f} lr at t = {without.argmax() + 1}")

    fig, ax = plt.subplots(figsize=(4.5, 3), layout="constrained")
    t = np.arange(1, steps + 1)
    ax.plot(t, without, "--", color=plt.rcParams["text.color"], label="without correction")
    ax.plot(t, with_, color=COLORS["adam"], label="with correction (Adam)")
    ax.set(xscale="log", xlabel="step $t$", ylabel="step / lr")
    ax.legend()
    plt.show()
    # --8<-- [end:bias_step_sizes]
