"""Home page: the map of the four layers, as four runs on the same valley."""

import numpy as np

from snippets.figures import COLORS, figure
from snippets.optimizers import SGD, Adam, HeavyBall, RMSProp, trajectory
from snippets.surfaces import VALLEY

STEPS = 40

# One panel per layer: what the optimizer adds, and how it is built.
LAYERS = [
    ("1 · gradient descent", "sgd", lambda p: SGD(p, lr=0.075)),
    ("2 · + momentum", "momentum", lambda p: HeavyBall(p, lr=0.02, momentum=0.7)),
    ("3 · + per-parameter scale", "rmsprop", lambda p: RMSProp(p, lr=0.1)),
    ("4 · + bias correction: Adam", "adam", lambda p: Adam(p, lr=0.08)),
]


@figure(
    "layer-map",
    alt=(
        "Four contour maps of the same narrow valley, one per layer, each with the "
        "path of 40 steps from the same start: gradient descent zig-zags across the "
        "valley, momentum smooths the zig-zag, per-parameter scaling heads for the "
        "minimum on a straighter line, and Adam combines both."
    ),
    size=(7.0, 4.6),
)
def layer_map(fig, theme):
    (x_lo, x_hi), (y_lo, y_hi) = VALLEY.bounds
    x, y = np.meshgrid(np.linspace(x_lo, x_hi, 121), np.linspace(y_lo, y_hi, 61))
    axes = fig.subplots(2, 2, sharex=True, sharey=True)
    for ax, (title, key, make) in zip(axes.flat, LAYERS, strict=True):
        path = trajectory(make, VALLEY, steps=STEPS)
        ax.contour(x, y, VALLEY.loss(x, y), levels=np.geomspace(0.05, 40, 9),
                   colors=theme.grid, linewidths=0.8)
        ax.plot(path[:, 0], path[:, 1], "-o", color=COLORS[key], markersize=2.5)
        ax.plot(*VALLEY.minimum, "*", color=theme.text, markersize=8)
        ax.set_title(title, loc="left")
        ax.set_aspect("equal")
    for ax in axes[1]:
        ax.set_xlabel("$x$")
    for ax in axes[:, 0]:
        ax.set_ylabel("$y$")
