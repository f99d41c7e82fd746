"""Layer 1, the loss landscape: gradient descent, its step-size limit, noise and scaling.

Functions at the top level are what the page, its figures and its tests use.
The blocks under ``if __name__ == "__main__":`` print what the page shows:
importing the module runs nothing; ``python -m snippets.landscape`` prints the
page's outputs in order. The page runs them after the shared sections of
``surfaces.py`` (VALLEY, NOISY_VALLEY, BOWL) and ``optimizers.py`` (SGD,
trajectory).
"""

from __future__ import annotations

import functools

# --8<-- [start:setup]
from functools import partial

import numpy as np

# --8<-- [end:setup]
from snippets.figures import COLORS, figure
from snippets.optimizers import SGD, EMAMomentum, trajectory
from snippets.surfaces import BOWL, NOISY_VALLEY, VALLEY, bowl_grad, valley_grad
from snippets.values import value

if __name__ == "__main__":
    # --8<-- [start:slope_vs_distance]
    for point in [(-2.5, 0.0), (0.0, 0.5)]:
        slope = np.linalg.norm(VALLEY.grad(*point))  # how steep it is here
        distance = np.linalg.norm(point)  # how far the minimum (0, 0) is
        print(f"at {point}: slope {slope:4.1f}, "
              f"distance to the minimum {distance:.1f}")

    start = np.array(VALLEY.start)
    downhill = -VALLEY.grad(*start) / np.linalg.norm(VALLEY.grad(*start))
    to_minimum = -start / np.linalg.norm(start)  # both of length 1
    angle = np.degrees(np.arccos(downhill @ to_minimum))
    print(f"at the start {VALLEY.start}: downhill is {angle:.0f} degrees "
          "off the direction to the minimum")
    # --8<-- [end:slope_vs_distance]

    # --8<-- [start:threshold]
    L = 4.0  # the curvature of f(theta) = L * theta**2 / 2
    for alpha_L in (0.2, 1.0, 1.8, 2.2):  # alpha, in units of 1/L
        alpha, theta = alpha_L / L, 1.0
        for _ in range(50):  # 50 steps
            theta = theta - alpha * (L * theta)  # the gradient is L * theta
        print(f"alpha = {alpha_L}/L: each step multiplies theta by "
              f"{1 - alpha_L:+.1f}, theta_50 = {theta:.2g}")
    # --8<-- [end:threshold]


# --8<-- [start:loss_along]
def loss_along(path: np.ndarray, surface) -> np.ndarray:
    """The loss at every point of a path (one row per step, as from trajectory)."""
    return surface.loss(path[:, 0], path[:, 1])


def steps_to(path: np.ndarray, surface, tol: float = 1e-6) -> int | None:
    """The first step at which the loss is below tol, or None if it never is."""
    below = np.flatnonzero(loss_along(path, surface) < tol)
    return int(below[0]) if below.size else None


# --8<-- [end:loss_along]

STEP_SIZES = {"crawls": 0.01, "zig-zags": 0.07, "diverges": 0.085}  # 2/L = 0.08

if __name__ == "__main__":
    # --8<-- [start:step_sizes]
    for alpha in (0.01, 0.07, 0.085):  # on VALLEY, L = 25: 2/L = 0.08
        # partial(SGD, lr=alpha): SGD with its learning rate filled in
        path = trajectory(partial(SGD, lr=alpha), VALLEY, steps=1000)
        loss = loss_along(path, VALLEY)
        print(f"alpha = {alpha}: loss after 50 steps {loss[50]:.2g}, "
              f"steps to a loss below 1e-6: {steps_to(path, VALLEY) or 'never'}")
    # --8<-- [end:step_sizes]


# --8<-- [start:noise_floor]
def noise_floor(alpha: float, curvatures, noise: float) -> float:
    """The average loss SGD settles at on a quadratic with these curvatures."""
    lam = np.asarray(curvatures, dtype=float)
    return float(alpha * noise**2 / 2 * np.sum(1 / (2 - alpha * lam)))


# --8<-- [end:noise_floor]

if __name__ == "__main__":
    # --8<-- [start:noise]
    for alpha in (0.04, 0.02, 0.01):
        path = trajectory(partial(SGD, lr=alpha), NOISY_VALLEY, steps=40_000)
        settled = loss_along(path, VALLEY)[1000:]  # true loss, once settled
        print(f"alpha = {alpha}: average loss {settled.mean():.4f}, "
              f"formula {noise_floor(alpha, [1, 25], NOISY_VALLEY.noise):.4f}")
    # --8<-- [end:noise]

    # --8<-- [start:one_rate]
    lam = np.array([0.1, 10.0])  # BOWL's curvatures along x and along y
    alpha = 2 / (lam.min() + lam.max())  # the best long-run factor: both the same size
    print(f"alpha with the best long-run factor = {alpha:.4f}: each step multiplies x by "
          f"{1 - alpha * lam[0]:+.3f} and y by {1 - alpha * lam[1]:+.3f}")
    path = trajectory(partial(SGD, lr=alpha), BOWL, steps=2000)
    print("steps to a loss below 1e-6:", steps_to(path, BOWL))

    point = np.array(BOWL.start)
    one_step = point - BOWL.grad(*point) / lam  # alpha_i = 1 / lam_i
    print("one step with alpha_i = 1/lam_i lands on", one_step.round(12))
    # --8<-- [end:one_rate]


def _contours(ax, surface, theme, levels: int = 12, n: int = 50, bounds=None) -> None:
    """Draw the surface's contour lines, evenly spaced in log(loss), and its minimum
    (over its bounds, or over `bounds`, ((x0, x1), (y0, y1)), to zoom in)."""
    (x0, x1), (y0, y1) = bounds or surface.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    z = surface.loss(x, y)
    lowest = max(z.min(), 1e-3 * z.max())
    ax.contour(x, y, z, levels=np.geomspace(lowest, z.max(), levels), colors=theme.grid,
               linewidths=0.8)
    ax.plot(*surface.minimum, "*", color=theme.text, ms=8, zorder=5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")


def _frame(ax) -> None:
    """A map without ticks: a thin box around it instead of axes."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_linewidth(0.6)


@figure(
    "landscape-slopes",
    alt=(
        "Top: contour map of a long, narrow valley with its minimum at the centre; arrows "
        "show the downhill direction at points around it, all nearly straight across the "
        "valley. From the starting point a dashed line runs to the minimum while the "
        "downhill arrow there points [[value: landscape-downhill-angle]] away from it. "
        "Bottom: the loss along the valley floor and straight across it, against the "
        "distance from the minimum: 2.5 away along the floor the slope is "
        "[[value: landscape-slope-along]], only 0.5 away across it the slope is "
        "[[value: landscape-slope-across]]."
    ),
    size=(6.4, 5.6),
)
def landscape_slopes(fig, theme) -> None:
    """Downhill points across the valley, and steepness is not distance."""
    top, bottom = fig.subplots(2, 1, height_ratios=[1.1, 1])
    _contours(top, VALLEY, theme, levels=8)
    phi = np.radians([35, 70, 110, 145, 215, 250, 290, 325])
    x, y = 2.2 * np.cos(phi), 0.44 * np.sin(phi)  # points on the contour of loss 2.42
    g = -VALLEY.grad(x, y)
    g = 0.35 * g / np.linalg.norm(g, axis=0)  # the downhill direction, drawn 0.35 long
    top.quiver(x, y, g[0], g[1], angles="xy", scale_units="xy", scale=1,
               color=COLORS["sgd"], width=0.006)
    (sx, sy), gs = VALLEY.start, -VALLEY.grad(*VALLEY.start)
    gs = 0.8 * gs / np.linalg.norm(gs)
    top.plot([sx, 0], [sy, 0], "--", color=theme.text, lw=1.2)
    top.quiver([sx], [sy], [gs[0]], [gs[1]], angles="xy", scale_units="xy", scale=1,
               color=theme.text, width=0.008)
    top.annotate("downhill", (sx + 0.12, sy - 0.55), color=theme.text, fontsize=9)
    top.annotate("to the minimum", (-1.55, 0.75), color=theme.text, fontsize=9)
    top.set_xlabel("$x$ (along the valley)")
    top.set_ylabel("$y$ (across)")

    d = np.linspace(0, 2.6, 100)
    bottom.plot(d, VALLEY.loss(d, 0), color=theme.text, label="along the floor ($y = 0$)")
    bottom.plot(d, VALLEY.loss(0, d), color=theme.text, ls="--",
                label="straight across ($x = 0$)")
    for px, py, dist in [(2.5, 0.0, 2.5), (0.0, 0.5, 0.5)]:
        f, slope = VALLEY.loss(px, py), np.linalg.norm(VALLEY.grad(px, py))
        dx = 0.6 / (1 + slope / 2.5)  # a tangent segment of about the same length
        bottom.plot([dist - dx, dist + dx], [f - dx * slope, f + dx * slope],
                    color=COLORS["sgd"], lw=3)
        bottom.plot(dist, f, "o", color=theme.text, ms=4)
        bottom.annotate(f"slope {slope:g}", (dist + 0.1, f - 0.5), color=theme.text,
                        fontsize=9, ha="left", va="top")
    bottom.set_ylim(0, 6)
    bottom.set_xlabel("distance from the minimum")
    bottom.set_ylabel("loss")
    bottom.legend(loc="upper right", fontsize=8)


@figure(
    "gd-step-sizes",
    alt=(
        "Three contour maps of the same valley with the path of gradient descent at three "
        "learning rates, and a plot of the loss against the step. With alpha = 0.01 the "
        "path slides smoothly but has covered only [[value: landscape-crawl-covered]] of "
        "the way along the valley after 50 steps; "
        "with alpha = 0.07 it zig-zags across the valley while it moves along it and "
        "reaches the minimum; with alpha = 0.085, above 2/L = [[value: landscape-gd-limit]], "
        "the zig-zag grows at "
        "every step and leaves the map. The loss curves fall slowly, fall fast, and rise."
    ),
    size=(7.0, 4.6),
)
def gd_step_sizes(fig, theme) -> None:
    """Gradient descent on the valley with a small, a large and a too large step."""
    axes = fig.subplots(2, 2).flat
    loss_ax = axes[3]
    styles = {"crawls": ":", "zig-zags": "-", "diverges": "--"}
    for ax, (name, alpha) in zip(axes[:3], STEP_SIZES.items(), strict=True):
        path = trajectory(partial(SGD, lr=alpha), VALLEY, steps=50)
        shown = path[:12] if name == "diverges" else path  # the rest is far off the map
        _contours(ax, VALLEY, theme, levels=6)
        ax.plot(shown[:, 0], shown[:, 1], color=COLORS["sgd"], lw=1.2)
        ax.set_title(rf"$\alpha = {alpha}$: {name}", fontsize=10)
        _frame(ax)
        loss_ax.semilogy(loss_along(path, VALLEY), styles[name], color=COLORS["sgd"],
                         label=rf"$\alpha = {alpha}$")
    loss_ax.set_ylim(1e-4, 1e4)
    loss_ax.set_xlabel("step $t$")
    loss_ax.set_ylabel("loss")
    loss_ax.legend(fontsize=8)


NOISE_FIGURE_STEPS = 2000  # long enough for alpha = 0.01 to settle too
NOISE_FIGURE_SETTLED = 500  # the maps show the cloud from this step on
NOISE_FIGURE_WINDOW = 100  # the loss curves are averages over this many steps
NOISE_FIGURE_EVERY = 6  # the maps show the point of every 6th step


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """The average of each window of `window` consecutive values (len(values) - window + 1)."""
    total = np.cumsum(np.concatenate([[0.0], values]))
    return (total[window:] - total[:-window]) / window


@figure(
    "sgd-noise",
    alt=(
        "Top: two zoomed-in contour maps of the valley's minimum with the points stochastic "
        "gradient descent visits on noisy gradients, every 6th step from step 500 to step "
        "2000. With alpha "
        "= 0.04 they form a wide cloud around the minimum; with alpha = 0.01 a tighter one, "
        "whose spread is [[value: landscape-noise-spread-along]] of the wide one's along the "
        "valley and [[value: landscape-noise-spread-across]] across it. Below, the loss "
        "against the step on a log scale, each curve averaged over the last 100 steps: exact "
        "gradient descent keeps falling; noisy SGD with alpha = 0.04 falls fast and levels "
        "off at [[value: landscape-noise-figure-fast]]; with alpha = 0.01 it falls more "
        "slowly, passes below it after [[value: landscape-noise-crossing]] steps and levels "
        "off at [[value: landscape-noise-figure-slow]]. Dotted lines mark the formula's "
        "averages, [[value: landscape-noise-formula-fast]] for alpha = 0.04 and "
        "[[value: landscape-noise-formula-slow]] for alpha = 0.01."
    ),
    size=(7.0, 5.0),
)
def sgd_noise(fig, theme) -> None:
    """Stochastic gradient descent jitters around the minimum, the more the larger alpha."""
    axes = fig.subplot_mosaic([["fast", "slow"], ["loss", "loss"]], height_ratios=[0.8, 1.2])
    steps, settled, window = NOISE_FIGURE_STEPS, NOISE_FIGURE_SETTLED, NOISE_FIGURE_WINDOW
    runs = {"fast": (0.04, "-"), "slow": (0.01, "--")}
    paths = _noise_paths(steps)
    t = np.arange(window - 1, steps + 1)[::5]  # the step that ends a window, every 5th

    def averaged(path):  # the loss averaged over the last `window` steps, at t
        return moving_average(loss_along(path, VALLEY), window)[::5]

    exact = trajectory(partial(SGD, lr=0.04), VALLEY, steps=steps)
    axes["loss"].semilogy(t, averaged(exact), color=theme.text, lw=1.2,
                          label=r"exact gradients, $\alpha = 0.04$")
    for key, (alpha, style) in runs.items():
        path = paths[:, NOISE_ALPHAS.index(alpha)]
        ax = axes[key]
        _contours(ax, VALLEY, theme, levels=5, n=40, bounds=((-0.6, 0.6), (-0.3, 0.3)))
        _frame(ax)
        cloud = path[settled::NOISE_FIGURE_EVERY]  # every few steps: enough to see the cloud
        ax.plot(cloud[:, 0], cloud[:, 1], ".", color=COLORS["sgd"], ms=2)
        ax.set_title(rf"$\alpha = {alpha}$: the cloud, steps {settled} to {steps}",
                     fontsize=10)
        axes["loss"].semilogy(t, averaged(path), style, color=COLORS["sgd"], lw=1.6,
                              label=rf"noisy, $\alpha = {alpha}$")
        floor = noise_floor(alpha, [1, 25], NOISY_VALLEY.noise)
        axes["loss"].axhline(floor, color=theme.text, lw=0.8, ls=":")
        axes["loss"].annotate(rf"formula, $\alpha = {alpha}$: {floor:#.2g}", (steps, floor),
                              xytext=(0, 3), textcoords="offset points", ha="right",
                              va="bottom", color=theme.text, fontsize=8)
    axes["loss"].set_ylim(1e-3, 10)
    axes["loss"].set_xlim(0, steps)
    axes["loss"].set_xlabel("step $t$")
    axes["loss"].set_ylabel(f"loss, average of\nthe last {window} steps")
    axes["loss"].legend(fontsize=8, loc="upper right")


@figure(
    "one-rate",
    alt=(
        "Left: contour map of a bowl stretched 10 times along x, with 60 steps of gradient "
        "descent at the alpha with the best long-run factor, "
        "[[value: landscape-bowl-best-alpha]]: the path zig-zags in y, where the bowl is "
        "steep, and creeps along x, where it is flat; at this "
        "alpha both shrink by the same slow factor per step. Right: how much one "
        "step shrinks the distance to the minimum in x and in y against alpha: small "
        "alpha shrinks y fast and x hardly at all, alpha above [[value: landscape-bowl-limit]] "
        "blows y up, and the best compromise, alpha = [[value: landscape-bowl-best-alpha]], "
        "still keeps [[value: landscape-bowl-kept]] of the distance in both."
    ),
    size=(7.0, 3.2),
)
def one_rate(fig, theme) -> None:
    """On a badly scaled bowl no single learning rate suits both coordinates."""
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.2])
    best = bowl_best_alpha()
    path = trajectory(partial(SGD, lr=best), BOWL, steps=60)
    _contours(left, BOWL, theme, levels=8)
    left.plot(path[:, 0], path[:, 1], color=COLORS["sgd"], lw=1.0)
    left.set_title(rf"$\alpha = {best:.3f}$, 60 steps", fontsize=10)
    left.set_xlabel("$x$")
    left.set_ylabel("$y$")

    for lam, style, name in [(0.1, "-", "x (curvature 0.1)"), (10.0, "--", "y (curvature 10)")]:
        alpha = np.array([0, 1 / lam, 0.25]) if 1 / lam < 0.25 else np.array([0, 0.25])
        right.plot(alpha, np.abs(1 - alpha * lam), style, color=theme.text, lw=1.4, label=name)
    right.plot(best, 1 - best * 0.1, "o", color=COLORS["sgd"], ms=6)
    right.annotate(rf"best long-run $\alpha$ = {best:.3f}: $\times${1 - best * 0.1:.2f}",
                   (best, 1 - best * 0.1), xytext=(0.02, 0.45), color=theme.text, fontsize=9,
                   arrowprops={"arrowstyle": "->", "color": theme.muted})
    right.axvspan(0.2, 0.25, color=theme.grid, lw=0)
    right.text(0.225, 0.08, "y\ndiverges", ha="center", color=theme.text, fontsize=9)
    right.set_ylim(0, 1.3)
    right.set_xlim(0, 0.25)
    right.set_xlabel(r"learning rate $\alpha$")
    right.set_ylabel(r"distance kept per step, $|1-\alpha\lambda|$")
    right.legend(fontsize=8, loc="upper left")


ZIGZAG_ALPHA = STEP_SIZES["zig-zags"]  # the bridge figure's learning rate
ZIGZAG_STEPS = 10  # the steps it shows


def zigzag_moves(steps: int = ZIGZAG_STEPS) -> np.ndarray:
    """Each step's move (theta_t - theta_{t-1}) of gradient descent on VALLEY at ZIGZAG_ALPHA."""
    return np.diff(trajectory(partial(SGD, lr=ZIGZAG_ALPHA), VALLEY, steps=steps), axis=0)


@figure(
    "landscape-zigzag",
    alt=(
        "Left: the valley with the first 10 steps of gradient descent at alpha = 0.07, "
        "bouncing from one wall to the other. Right: each step's move along the valley "
        "(x) and across it (y), against the step. The move across changes sign at every "
        "step: [[value: landscape-zigzag-first-across]] at step 1, then "
        "[[value: landscape-zigzag-second-across]], and so on; over the 10 steps the moves "
        "across add up to [[value: landscape-zigzag-across-total]] of travel but only "
        "[[value: landscape-zigzag-across-net]] of net movement. The move along keeps its "
        "sign, toward the minimum, and its [[value: landscape-zigzag-along-net]] of travel "
        "is all net movement."
    ),
    size=(7.0, 3.0),
)
def landscape_zigzag(fig, theme) -> None:
    """Gradient descent's moves across the valley flip sign; its moves along it add up."""
    left, right = fig.subplots(1, 2, width_ratios=[1.25, 1])
    path = trajectory(partial(SGD, lr=ZIGZAG_ALPHA), VALLEY, steps=ZIGZAG_STEPS)
    _contours(left, VALLEY, theme, levels=6)
    _frame(left)
    left.plot(path[:, 0], path[:, 1], "o-", color=COLORS["sgd"], ms=3, lw=1.2)
    left.set_title(rf"$\alpha = {ZIGZAG_ALPHA}$, {ZIGZAG_STEPS} steps", fontsize=10)
    moves = zigzag_moves()
    t = np.arange(1, ZIGZAG_STEPS + 1)
    right.axhline(0, color=theme.muted, lw=0.8)
    right.plot(t, moves[:, 1], "o--", color=COLORS["sgd"], ms=4, lw=1,
               label="across ($y$): flips sign")
    right.plot(t, moves[:, 0], "s-", color=theme.text, ms=4, lw=1,
               label="along ($x$): keeps its sign")
    right.set_xlabel("step $t$")
    right.set_ylabel("the step's move")
    right.set_xticks(t[::3])
    right.legend(fontsize=8, loc="lower right")


# The numbers the page states, computed by the code above (see snippets/values.py).


@value("landscape-downhill-angle", integer=True, unit="°")
def downhill_angle() -> float:
    """The angle between downhill and the direction to the minimum at the valley's start."""
    start = np.array(VALLEY.start)
    downhill, to_minimum = -VALLEY.grad(*start), np.array(VALLEY.minimum) - start
    cos = downhill @ to_minimum / (np.linalg.norm(downhill) * np.linalg.norm(to_minimum))
    return round(float(np.degrees(np.arccos(cos))))


@value("landscape-slope-across", digits=3)
def slope_across() -> float:
    """The slope half a unit across the valley from its minimum, at (0, 0.5)."""
    return float(np.linalg.norm(VALLEY.grad(0.0, 0.5)))


@value("landscape-slope-along", digits=2)
def slope_along() -> float:
    """The slope two and a half units along the valley floor, at (-2.5, 0)."""
    return float(np.linalg.norm(VALLEY.grad(-2.5, 0.0)))


@value("landscape-gd-limit", decimals=2)
def gd_limit() -> float:
    """2 / L on the valley: the largest curvature is that of valley_grad's y component."""
    return 2 / float(VALLEY.grad(0.0, 1.0)[1])


@value("landscape-crawl-covered", digits=2, percent=True)
def crawl_covered() -> float:
    """How much of the way from the start to the minimum, along x, alpha = 0.01 covers in 50."""
    path = trajectory(partial(SGD, lr=STEP_SIZES["crawls"]), VALLEY, steps=50)
    return float((path[-1, 0] - path[0, 0]) / (VALLEY.minimum[0] - path[0, 0]))


# Surfaces whose gradient is one constant per coordinate times the point: (cx, cy).
DIAGONAL = {valley_grad: (1.0, 25.0), bowl_grad: (0.1, 10.0)}


def diagonal_paths(surface, lrs, betas=None, steps: int = 100, seed: int = 0) -> np.ndarray:
    """trajectory(partial(SGD, lr=lr), surface, steps=steps, seed=seed) for every lr in lrs,
    or with betas, trajectory(partial(EMAMomentum, lr=lr, beta=beta), ...) for each pair:
    an array (steps + 1, len(lrs), 2), [:, i] the path of run i.

    For the surfaces in DIAGONAL, whose gradient is one number per coordinate times the
    point: each coordinate is a recursion of plain floats, the same IEEE operations in the
    order of surfaces.py and optimizers.py, so the points are trajectory's, bit for bit
    (tests/test_landscape.py checks them). The noise of a noisy surface is drawn at once,
    the numbers trajectory draws one step at a time, and every run sees it (one seed). A
    run that stops being finite is run again by trajectory, which stops it there.
    """
    cx, cy = DIAGONAL[surface.grad]  # surface.grad(x, y) = (cx * x, cy * y)
    noise = None
    if surface.noise:  # Surface.sample_grad's noise, every step's at once
        noise = (surface.noise * np.random.default_rng(seed).standard_normal((steps, 2))).tolist()
    path = np.empty((steps + 1, len(lrs), 2))
    for i, lr in enumerate(lrs):
        lr = float(lr)
        x, y = (float(c) for c in surface.start)
        xs, ys = [x], [y]
        beta = None if betas is None else float(betas[i])
        keep = None if beta is None else 1 - beta
        mx = my = 0.0
        for k in range(steps):
            gx, gy = cx * x, cy * y
            if noise is not None:
                zx, zy = noise[k]
                gx, gy = gx + zx, gy + zy
            if beta is None:  # SGD.update: p -= lr * g
                x, y = x - lr * gx, y - lr * gy
            else:  # EMAMomentum.update: m *= beta; m += (1 - beta) * g; p -= lr * m
                mx, my = mx * beta + keep * gx, my * beta + keep * gy
                x, y = x - lr * mx, y - lr * my
            xs.append(x)
            ys.append(y)
        path[:, i, 0], path[:, i, 1] = xs, ys
    for i in np.flatnonzero(~np.isfinite(path).all(axis=(0, 2))):
        make = (partial(SGD, lr=lrs[i]) if betas is None
                else partial(EMAMomentum, lr=lrs[i], beta=betas[i]))
        path[:, i] = trajectory(make, surface, steps=steps, seed=seed)
    return path


NOISE_ALPHAS = (0.04, 0.02, 0.01)


@functools.cache
def _noise_paths(steps: int) -> np.ndarray:
    """The noise block's runs, one per alpha in NOISE_ALPHAS, on the same noise."""
    return diagonal_paths(NOISY_VALLEY, NOISE_ALPHAS, steps=steps)


@functools.cache
def settled_loss(alpha: float, steps: int = 40_000) -> float:
    """SGD's average true loss on the noisy valley after the first 1000 steps (the noise block).

    The path is trajectory(partial(SGD, lr=alpha), NOISY_VALLEY, steps=steps)."""
    if alpha in NOISE_ALPHAS:
        path = _noise_paths(steps)[:, NOISE_ALPHAS.index(alpha)]
    else:
        path = diagonal_paths(NOISY_VALLEY, [alpha], steps=steps)[:, 0]
    return float(loss_along(path, VALLEY)[1000:].mean())


@value("landscape-noise-deviation", digits=1, percent=True)
def noise_deviation() -> float:
    """The largest relative gap between a measured noise floor and the formula's."""
    return max(abs(settled_loss(a) / noise_floor(a, [1, 25], NOISY_VALLEY.noise) - 1)
               for a in NOISE_ALPHAS)


@value("landscape-noise-formula-fast", digits=2)
def noise_formula_fast() -> float:
    return noise_floor(0.04, [1, 25], NOISY_VALLEY.noise)


@value("landscape-noise-formula-slow", digits=2)
def noise_formula_slow() -> float:
    return noise_floor(0.01, [1, 25], NOISY_VALLEY.noise)


def noise_figure_average(alpha: float) -> float:
    """The noise figure's run at alpha: its average true loss from step NOISE_FIGURE_SETTLED on."""
    path = _noise_paths(NOISE_FIGURE_STEPS)[:, NOISE_ALPHAS.index(alpha)]
    return float(loss_along(path, VALLEY)[NOISE_FIGURE_SETTLED:].mean())


@value("landscape-noise-figure-fast", digits=2)
def noise_figure_fast() -> float:
    return noise_figure_average(0.04)


@value("landscape-noise-figure-slow", digits=2)
def noise_figure_slow() -> float:
    return noise_figure_average(0.01)


def noise_figure_spread(alpha: float) -> np.ndarray:
    """The standard deviation of x and of y over the points the noise figure's map shows."""
    path = _noise_paths(NOISE_FIGURE_STEPS)[:, NOISE_ALPHAS.index(alpha)]
    return path[NOISE_FIGURE_SETTLED:].std(axis=0)


@value("landscape-noise-spread-along", digits=2, percent=True)
def noise_spread_along() -> float:
    """The alpha = 0.01 cloud's spread along the valley (x), as a share of alpha = 0.04's."""
    return float(noise_figure_spread(0.01)[0] / noise_figure_spread(0.04)[0])


@value("landscape-noise-spread-across", digits=2, percent=True)
def noise_spread_across() -> float:
    """The alpha = 0.01 cloud's spread across the valley (y), as a share of alpha = 0.04's."""
    return float(noise_figure_spread(0.01)[1] / noise_figure_spread(0.04)[1])


@value("landscape-noise-crossing", integer=True)
def noise_crossing() -> int:
    """The step from which the figure's averaged loss at alpha = 0.01 stays below 0.04's."""
    paths = _noise_paths(NOISE_FIGURE_STEPS)
    fast, slow = (moving_average(loss_along(paths[:, NOISE_ALPHAS.index(a)], VALLEY),
                                 NOISE_FIGURE_WINDOW) for a in (0.04, 0.01))
    above = np.flatnonzero(slow >= fast)  # windows where 0.01 is not yet below
    return int(above[-1] + NOISE_FIGURE_WINDOW)  # the last step of the window after it


BOWL_CURVATURES = (float(BOWL.grad(1.0, 0.0)[0]), float(BOWL.grad(0.0, 1.0)[1]))  # 0.1, 10


def bowl_best_alpha() -> float:
    """The single learning rate that balances |1 - alpha * lam| over BOWL's curvatures."""
    return 2 / (min(BOWL_CURVATURES) + max(BOWL_CURVATURES))


@value("landscape-bowl-best-alpha", digits=3)
def bowl_best_alpha_value() -> float:
    return bowl_best_alpha()


@value("landscape-bowl-factor", digits=3)
def bowl_factor() -> float:
    """How much of the distance one step at the rate with the best long-run factor keeps."""
    return abs(1 - bowl_best_alpha() * min(BOWL_CURVATURES))


@value("landscape-bowl-kept", digits=2, percent=True)
def bowl_kept() -> float:
    return bowl_factor()


@value("landscape-bowl-removed", digits=1, percent=True)
def bowl_removed() -> float:
    return 1 - bowl_factor()


@functools.cache
def bowl_steps(alpha: float) -> int | None:
    """Steps of gradient descent to a loss below 1e-6 on BOWL from its start: the same
    as steps_to(trajectory(partial(SGD, lr=alpha), BOWL, steps=2000), BOWL)."""
    return steps_to(diagonal_paths(BOWL, [alpha], steps=2000)[:, 0], BOWL)


@value("landscape-bowl-steps-best", integer=True)
def bowl_steps_best() -> float:
    """At the rate with the best long-run factor, 2 / (0.1 + 10)."""
    return bowl_steps(bowl_best_alpha())


@value("landscape-bowl-steps-0196", integer=True)
def bowl_steps_0196() -> float:
    """At 0.196, a little below it: y, which holds most of the loss, shrinks faster."""
    return bowl_steps(0.196)


@value("landscape-bowl-limit", digits=1)
def bowl_limit() -> float:
    """Above 2 / 10 gradient descent blows up BOWL's y coordinate."""
    return 2 / max(BOWL_CURVATURES)


@value("landscape-zigzag-first-across", digits=3)
def zigzag_first_across() -> float:
    return float(zigzag_moves()[0, 1])


@value("landscape-zigzag-second-across", digits=3)
def zigzag_second_across() -> float:
    return float(zigzag_moves()[1, 1])


@value("landscape-zigzag-across-total", digits=2)
def zigzag_across_total() -> float:
    """How far the first ZIGZAG_STEPS steps travel across the valley, back and forth."""
    return float(np.abs(zigzag_moves()[:, 1]).sum())


@value("landscape-zigzag-across-net", digits=2)
def zigzag_across_net() -> float:
    """How far they move across the valley net: the size of the moves' sum."""
    return float(abs(zigzag_moves()[:, 1].sum()))


@value("landscape-zigzag-along-net", digits=2)
def zigzag_along_net() -> float:
    """How far they move along the valley net (every move along has the same sign)."""
    return float(abs(zigzag_moves()[:, 0].sum()))


# The exercises' answers.

EXERCISE_STEPS = 50  # exercise 1: how many steps at alpha = 1/25


@value("landscape-exercise-land-left", digits=2, percent=True)
def exercise_land_left() -> float:
    """Exercise 1: the share of the distance along x left after 50 steps at alpha = 1/25."""
    path = trajectory(partial(SGD, lr=1 / 25), VALLEY, steps=EXERCISE_STEPS)
    return float(path[-1, 0] / path[0, 0])


def weight_curvature(x: float, target: float = 1.0, w: float = 0.3, h: float = 1e-3) -> float:
    """The second derivative in w of the loss (w * x - target)**2 / 2, by finite differences."""
    def grad(w):
        return (w * x - target) * x

    return (grad(w + h) - grad(w - h)) / (2 * h)


EXERCISE_INPUTS = {"metres": 2.0, "millimetres": 2000.0}  # exercise 2: one length, two units


@value("landscape-exercise-limit-metres", digits=3)
def exercise_limit_metres() -> float:
    return 2 / weight_curvature(EXERCISE_INPUTS["metres"])


@value("landscape-exercise-limit-millimetres", sci=True, digits=2)
def exercise_limit_millimetres() -> float:
    return 2 / weight_curvature(EXERCISE_INPUTS["millimetres"])


@value("landscape-exercise-floor-big-batch", digits=3)
def exercise_floor_big_batch() -> float:
    """Exercise 3: the noise floor at alpha = 0.04 with the noise halved (a 4x minibatch)."""
    return noise_floor(0.04, [1, 25], NOISY_VALLEY.noise / 2)


@value("landscape-exercise-same-floor-alpha", digits=2)
def exercise_same_floor_alpha() -> float:
    """Exercise 3: the alpha at which the full noise gives that same floor (by bisection)."""
    target, lo, hi = exercise_floor_big_batch(), 1e-6, 0.04
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if noise_floor(mid, [1, 25], NOISY_VALLEY.noise) < target else (lo, mid)
    return (lo + hi) / 2


@value("landscape-along-removed-max", digits=2, percent=True)
def along_removed_max() -> float:
    """On the valley, the most of the distance along x one step can remove below 2/L."""
    return gd_limit() * float(VALLEY.grad(1.0, 0.0)[0])
