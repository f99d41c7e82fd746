"""Home page: the map of the four layers."""

import numpy as np

from snippets.figures import COLORS, figure


@figure("layer-map", alt="Four panels, one per layer: a contour map of a narrow valley with the path of gradient descent, momentum, RMSProp-style scaling and Adam.", size=(8, 2.6))
def layer_map(fig, theme):
    x, y = np.meshgrid(np.linspace(-3, 3, 101), np.linspace(-2, 2, 81))
    axes = fig.subplots(1, 4, sharey=True)
    for ax, name in zip(axes, ["sgd", "momentum", "rmsprop", "adam"]):
        ax.contour(x, y, x**2 + 10 * y**2, levels=8, colors=theme.grid, linewidths=0.8)
        ax.plot([-2.5, 0], [1.5, 0], color=COLORS[name])
        ax.set_title(name)
