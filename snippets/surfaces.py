"""The 2-D loss landscapes of the pages, each with its exact gradient.

A ``Surface`` holds a loss ``loss(x, y)`` and its exact gradient ``grad(x, y)`` (an array
``[dloss/dx, dloss/dy]``), both of which take numbers or ``np.meshgrid`` arrays, plus a
minimum, plot bounds and the point where the pages start their optimizers.

Public names:
    Surface(name, loss, grad, minimum, bounds, start, noise=0.0)
        .sample_grad(x, y, rng): the gradient an optimizer sees (exact, plus noise if any)
    VALLEY        ill-conditioned quadratic valley, 0.5 * (x**2 + 25 * y**2): mu = 1, L = 25
    BOWL          badly scaled bowl, 0.5 * (x**2 / 10 + 10 * y**2): gradients 100x apart
    ROSENBROCK    Rosenbrock's banana, (1 - x)**2 + 100 * (y - x**2)**2, minimum (1, 1)
    SADDLE        0.5 * (x**2 - y**2) + y**4 / 4: a saddle at (0, 0), minima at (0, +-1)
    noisy(surface, noise) -> Surface: the same landscape seen through noisy gradients
    NOISY_VALLEY  VALLEY with Gaussian gradient noise of standard deviation 1
    SURFACES      all of the above, by name
    rotated(surface, degrees) -> Surface: the landscape turned about its minimum
    ROTATIONS     the angles the playground turns by, each with its (cos, sin)
    valley_loss, valley_grad, bowl_loss, bowl_grad, rosenbrock_loss, rosenbrock_grad,
    saddle_loss, saddle_grad: the functions behind them
"""

# --8<-- [start:setup]
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

# --8<-- [end:setup]


# --8<-- [start:surface]
@dataclass(frozen=True)
class Surface:
    """A 2-D loss landscape: its loss, exact gradient, minimum, plot bounds and start point."""

    name: str
    loss: Callable  # loss(x, y): numbers or meshgrid arrays in, loss values out
    grad: Callable  # grad(x, y): the exact gradient, an array [dloss/dx, dloss/dy]
    minimum: tuple[float, float]  # where the loss is lowest
    bounds: tuple[tuple[float, float], tuple[float, float]]  # ((x_min, x_max), (y_min, y_max))
    start: tuple[float, float]  # where the pages start the optimizers
    noise: float = 0.0  # standard deviation of the noise sample_grad adds to each coordinate

    def sample_grad(self, x: float, y: float, rng: np.random.Generator) -> np.ndarray:
        """Return the gradient an optimizer sees at (x, y): exact, plus noise if noise > 0."""
        g = self.grad(x, y)
        if self.noise:
            g = g + self.noise * rng.standard_normal(g.shape)
        return g


# --8<-- [end:surface]


# --8<-- [start:valley]
def valley_loss(x, y):
    """An ill-conditioned quadratic valley: curvature 1 along x, 25 across (mu = 1, L = 25)."""
    return 0.5 * (x**2 + 25 * y**2)


def valley_grad(x, y) -> np.ndarray:
    """The exact gradient of valley_loss."""
    return np.array([1.0 * x, 25.0 * y])


VALLEY = Surface(
    "valley",
    valley_loss,
    valley_grad,
    minimum=(0.0, 0.0),
    bounds=((-3, 3), (-1.5, 1.5)),
    start=(-2.5, 1.0),
)
# --8<-- [end:valley]


# --8<-- [start:bowl]
def bowl_loss(x, y):
    """A badly scaled bowl: curvature 0.1 along x and 10 along y, so gradients 100x apart."""
    return 0.5 * (0.1 * x**2 + 10 * y**2)


def bowl_grad(x, y) -> np.ndarray:
    """The exact gradient of bowl_loss."""
    return np.array([0.1 * x, 10.0 * y])


BOWL = Surface(
    "bowl", bowl_loss, bowl_grad, minimum=(0.0, 0.0), bounds=((-2, 2), (-2, 2)), start=(-1.5, 1.5)
)
# --8<-- [end:bowl]


# --8<-- [start:rosenbrock]
def rosenbrock_loss(x, y):
    """Rosenbrock's banana-shaped valley: easy to enter, slow to follow to its minimum (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(x, y) -> np.ndarray:
    """The exact gradient of rosenbrock_loss."""
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200.0 * (y - x**2)])


ROSENBROCK = Surface(
    "rosenbrock",
    rosenbrock_loss,
    rosenbrock_grad,
    minimum=(1.0, 1.0),
    bounds=((-2, 2), (-1, 3)),
    start=(-1.2, 1.0),
)
# --8<-- [end:rosenbrock]


# --8<-- [start:saddle]
def saddle_loss(x, y):
    """A saddle at (0, 0) between two minima at (0, 1) and (0, -1), where the loss is -1/4."""
    return 0.5 * (x**2 - y**2) + 0.25 * y**4


def saddle_grad(x, y) -> np.ndarray:
    """The exact gradient of saddle_loss."""
    return np.array([1.0 * x, y**3 - y])


SADDLE = Surface(
    "saddle",
    saddle_loss,
    saddle_grad,
    minimum=(0.0, 1.0),
    bounds=((-2, 2), (-2, 2)),
    start=(1.5, 1e-3),
)
# --8<-- [end:saddle]


# --8<-- [start:noisy]
def noisy(surface: Surface, noise: float) -> Surface:
    """Return `surface` seen through stochastic gradients: exact plus N(0, noise**2) noise."""
    if not noise >= 0:
        raise ValueError(f"noise must be a standard deviation >= 0, got {noise!r}")
    return replace(surface, name=f"noisy {surface.name}", noise=float(noise))


NOISY_VALLEY = noisy(VALLEY, 1.0)
# --8<-- [end:noisy]


SURFACES = {s.name: s for s in (VALLEY, BOWL, ROSENBROCK, SADDLE, NOISY_VALLEY)}


# --8<-- [start:rotated]
# The angles the playground turns a landscape by, each with its cosine and sine as
# numbers that any language reads as the same doubles (the nearest to the exact values:
# 1/2, sqrt(3)/2, sqrt(2)/2, (sqrt(6) + sqrt(2))/4, (sqrt(6) - sqrt(2))/4), so that
# docs/assets/playground/core.js turns the landscape by the very same numbers.
ROTATIONS = {
    0: (1.0, 0.0),
    15: (0.9659258262890683, 0.25881904510252074),
    30: (0.8660254037844386, 0.5),
    45: (0.7071067811865476, 0.7071067811865476),
    60: (0.5, 0.8660254037844386),
    75: (0.25881904510252074, 0.9659258262890683),
    90: (0.0, 1.0),
}


def rotated(surface: Surface, degrees: float) -> Surface:
    """Return `surface` turned anticlockwise by `degrees` about its minimum.

    The loss at a point p is the old loss at the point turned back, c + R(-degrees)(p - c)
    with c the minimum; the gradient is the old gradient there, turned forward; the start
    turns with the landscape, and the bounds are the box around the old bounds turned,
    widened to multiples of 0.5. At 0 degrees it is `surface` itself.
    """
    if degrees == 0:
        return surface
    if degrees in ROTATIONS:
        c, s = ROTATIONS[degrees]
    else:
        c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    cx, cy = surface.minimum

    def back(x, y):  # the point of the old landscape that (x, y) shows
        u, w = x - cx, y - cy
        return cx + (c * u + s * w), cy + (c * w - s * u)

    def turn(x, y):  # a point of the old landscape, where it is now
        u, w = x - cx, y - cy
        return cx + (c * u - s * w), cy + (s * u + c * w)

    def loss(x, y):
        return surface.loss(*back(x, y))

    def grad(x, y) -> np.ndarray:
        gx, gy = surface.grad(*back(x, y))
        return np.array([c * gx - s * gy, s * gx + c * gy])

    (x0, x1), (y0, y1) = surface.bounds
    corners = [turn(x, y) for x in (x0, x1) for y in (y0, y1)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    bounds = tuple((float(np.floor(2 * min(v))) / 2, float(np.ceil(2 * max(v))) / 2)
                   for v in (xs, ys))
    return replace(surface, name=f"{surface.name} turned {degrees:g} degrees", loss=loss,
                   grad=grad, bounds=bounds, start=turn(*surface.start))


# --8<-- [end:rotated]
