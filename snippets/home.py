"""Home page: the map of the four layers, each added to the one before, on the same valley.

Every panel runs the optimizer of the panel before it plus one layer, all four at
the same learning rate LR and with Adam's betas, from the same start: gradient
descent; + momentum (Adam's m_t, an EMA of the gradients); + division by sqrt(v_t)
(Adam without its bias corrections); + bias correction, which is Adam.
"""

from __future__ import annotations

import functools

import numpy as np

from snippets.figures import COLORS, figure
from snippets.optimizers import SGD, Adam, AdamNoBiasCorrection, EMAMomentum, trajectory
from snippets.surfaces import VALLEY
from snippets.values import Format, value

LR = 0.07  # one learning rate for all four layers (gradient descent is stable below 0.08)
BETAS = (0.9, 0.999)  # Adam's defaults
STEPS = 40

# One panel per layer, each the one before plus one piece of Adam.
LAYERS = {
    "gd": ("1 · gradient descent", "sgd", lambda p: SGD(p, lr=LR)),
    "momentum": ("2 · + momentum", "momentum",
                 lambda p: EMAMomentum(p, lr=LR, beta=BETAS[0])),
    "uncorrected": ("3 · + division by √v, uncorrected", None,  # not yet an optimizer
                    lambda p: AdamNoBiasCorrection(p, lr=LR, betas=BETAS)),
    "adam": ("4 · + bias correction = Adam", "adam", lambda p: Adam(p, lr=LR, betas=BETAS)),
}


@functools.cache
def path(layer: str, steps: int = STEPS) -> np.ndarray:
    """The points the layer's optimizer visits on the valley, one row per step."""
    return trajectory(LAYERS[layer][2], VALLEY, steps=steps)


def valley_contours(ax, theme) -> None:
    """The valley's contour lines, as the map draws them (and the bias-correction page's
    figure of panels 3 and 4)."""
    (x_lo, x_hi), (y_lo, y_hi) = VALLEY.bounds
    x, y = np.meshgrid(np.linspace(x_lo, x_hi, 121), np.linspace(y_lo, y_hi, 61))
    ax.contour(x, y, VALLEY.loss(x, y), levels=np.geomspace(0.05, 40, 9),
               colors=theme.grid, linewidths=0.8)


def final_loss(layer: str) -> float:
    """The loss after the last step of the layer's run."""
    x, y = path(layer)[-1]
    return float(VALLEY.loss(x, y))


def step_lengths(layer: str) -> np.ndarray:
    """How far each step moves each coordinate, in units of the learning rate: (STEPS, 2)."""
    return np.abs(np.diff(path(layer), axis=0)) / LR


@value("home-uncorrected-first-step", digits=3, unit=" α")
def uncorrected_first_step() -> float:
    """Layer 3's first step along each coordinate, in units of alpha (the same for both)."""
    return float(step_lengths("uncorrected")[0].max())


@value("home-uncorrected-largest-step", digits=3, unit=" α")
def uncorrected_largest_step() -> float:
    """Layer 3's longest step along one coordinate, in units of alpha."""
    return float(step_lengths("uncorrected").max())


@value("home-adam-largest-step", digits=3, unit=" α")
def adam_largest_step() -> float:
    """Adam's longest step along one coordinate, in units of alpha."""
    return float(step_lengths("adam").max())


@value("home-adam-last-step", digits=2, unit=" α")
def adam_last_step() -> float:
    """Adam's last step along the valley (x), in units of alpha: shrunk as the slope flattens."""
    return float(step_lengths("adam")[-1, 0])


@value("home-uncorrected-overshoot", digits=2)
def uncorrected_overshoot() -> float:
    """How far past the minimum, along the valley, layer 3's path runs."""
    return float(path("uncorrected")[:, 0].max() - VALLEY.minimum[0])


@value("home-adam-closest-x", digits=2)
def adam_closest_x() -> float:
    """How far short of the minimum, along the valley, Adam's path stays in its run."""
    return float(VALLEY.minimum[0] - path("adam")[:, 0].max())


@value("home-gd-final-loss", digits=2)
def gd_final_loss() -> float:
    return final_loss("gd")


@value("home-momentum-final-loss", digits=2)
def momentum_final_loss() -> float:
    return final_loss("momentum")


@value("home-uncorrected-final-loss", digits=2)
def uncorrected_final_loss() -> float:
    return final_loss("uncorrected")


@value("home-adam-final-loss", digits=2)
def adam_final_loss() -> float:
    return final_loss("adam")


@figure(
    "layer-map",
    alt=(
        "Four contour maps of the same narrow valley, one per layer, each layer the one "
        "before plus one piece of Adam, each with the path of 40 steps from the same start "
        "at the same learning rate, alpha = 0.07, with beta1 = 0.9 and beta2 = 0.999. "
        "Gradient descent zig-zags from wall to wall (loss after 40 steps "
        "[[value: home-gd-final-loss]]). Momentum turns the zig-zag into a smooth, wide "
        "swing ([[value: home-momentum-final-loss]]). Dividing by the square root of v, "
        "without bias correction, makes the first step [[value: home-uncorrected-first-step]] "
        "long along each coordinate and later ones up to "
        "[[value: home-uncorrected-largest-step]], so the path shoots "
        "[[value: home-uncorrected-overshoot]] past the minimum along the valley and loops "
        "back ([[value: home-uncorrected-final-loss]]). With bias correction, that is Adam, "
        "no step is longer than [[value: home-adam-largest-step]] along a coordinate: the "
        "path runs down a smooth curve, its steps along the valley shrinking to "
        "[[value: home-adam-last-step]] by step 40, and is still "
        "[[value: home-adam-closest-x]] short of the minimum after 40 steps "
        "([[value: home-adam-final-loss]])."
    ),
    caption=(
        "Each panel adds one layer to the one before, all at the same learning rate "
        "α = 0.07, 40 steps. Panel 2's momentum (β₁ = 0.9) swaps the zig-zag for a wide, "
        "slow swing. Panel 3's steps, [[value: home-uncorrected-first-step]] at first and "
        "growing to [[value: home-uncorrected-largest-step]] per coordinate, are the "
        "too-large start that layer 4 fixes. The end points are not a race: Adam's steps "
        "along the valley shrink as it flattens, so after 40 steps it is still on its way."
    ),
    size=(7.0, 4.0),
)
def layer_map(fig, theme):
    axes = fig.subplots(2, 2, sharex=True, sharey=True)
    for ax, (layer, (title, key, _)) in zip(axes.flat, LAYERS.items(), strict=True):
        p = path(layer)
        valley_contours(ax, theme)
        ax.plot(p[:, 0], p[:, 1], "-o", color=COLORS.get(key, theme.text), markersize=2.5)
        ax.plot(*VALLEY.minimum, "*", color=theme.text, markersize=8)
        ax.set_title(title, loc="left")
        ax.set_aspect("equal")
        if layer in ("uncorrected", "adam"):  # the first step, the one layer 4 fixes
            first = step_lengths(layer)[0].max()
            label = f"first step {Format(digits=3)(first)} α\nalong x and y"
            ax.annotate(label, xy=p[:2].mean(axis=0), xytext=(-1.2, 1.25), fontsize=8,
                        color=theme.text, va="center",
                        arrowprops={"arrowstyle": "->", "color": theme.text, "lw": 0.8})
    for ax in axes[1]:
        ax.set_xlabel("$x$")
    for ax in axes[:, 0]:
        ax.set_ylabel("$y$")
