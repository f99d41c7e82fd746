"""The /adam/ page: the four layers put together, as Algorithm 1 and as an optimizer.

adam.py is the reference implementation itself (a standalone file readers download);
this module holds what the page adds around it: the worked example, the comparison of
the four optimizers, the check of the source post's examples and the exercises (the
paper's efficient form is on /frameworks/, snippets/frameworks.py). Functions at the top
level are what the page and its figures use; the blocks under
``if __name__ == "__main__":`` print what the page shows, so importing the module runs
nothing and ``python -m snippets.adam_page`` prints the page's outputs in order.
"""

from __future__ import annotations

import functools
import math

# --8<-- [start:setup]
import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam, adam_step
from snippets.figures import COLORS, figure
from snippets.optimizers import SGD, EMAMomentum, RMSProp, trajectory
from snippets.source_post import run_section
from snippets.surfaces import ROSENBROCK, VALLEY, Surface
from snippets.values import value

if __name__ == "__main__":
    # --8<-- [start:t_zero]
    g = np.array([0.5])
    m, v = 0.1 * g, 0.001 * g**2  # m_1 and v_1 after one gradient
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat, v_hat = m / (1 - 0.9**0), v / (1 - 0.999**0)  # t = 0
        print("t=0:", m_hat, v_hat, "step:", m_hat / np.sqrt(v_hat))
    try:
        adam_step(np.zeros(1), g, np.zeros(1), np.zeros(1), t=0)
    except ValueError as error:
        print("adam_step:", error)
    # --8<-- [end:t_zero]

    # --8<-- [start:class_vs_step]
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(1000)  # the parameters, updated in place
    optimizer = Adam([theta], lr=0.01)
    reference, m, v = theta.copy(), np.zeros(1000), np.zeros(1000)
    for t in range(1, 101):
        g = rng.standard_normal(1000) * np.logspace(-6, 2, 1000)  # 8 decades
        optimizer.step([g])
        reference, m, v = adam_step(reference, g, m, v, t, lr=0.01)
    gap = np.abs(theta - reference).max()
    print(f"after {optimizer.t} steps: largest difference {gap:.1e}")
    # --8<-- [end:class_vs_step]


# The numbers the page's prose states about Algorithm 1.
@value("adam-m-memory", digits=2)
def m_memory() -> float:
    """About how many steps m remembers: 1 / (1 - beta1)."""
    return 1 / (1 - 0.9)


@value("adam-v-memory", digits=3)
def v_memory() -> float:
    """About how many steps v remembers: 1 / (1 - beta2)."""
    return 1 / (1 - 0.999)


def uncorrected_steps(t_max: int = 10_000) -> np.ndarray:
    """Steps / lr of Adam without bias correction on a steady gradient, t = 1..t_max."""
    t = np.arange(1, t_max + 1)
    return (1 - 0.9**t) / np.sqrt(1 - 0.999**t)


@value("adam-uncorrected-first-step", digits=3)
def uncorrected_first_step() -> float:
    """The first step without bias correction, in units of lr."""
    return uncorrected_steps()[0]


@value("adam-uncorrected-largest-step", digits=2)
def uncorrected_largest_step() -> float:
    """The largest step without bias correction on a steady gradient, in units of lr."""
    return uncorrected_steps().max()


@value("adam-keras-first-eps", digits=1, sci=True)
def keras_first_eps() -> float:
    """The eps of Algorithm 1 that Keras's default eps_hat = 1e-7 amounts to at step 1
    (the efficient form is on /frameworks/; the second-moment page states this value)."""
    return 1e-7 / np.sqrt(1 - 0.999)


@value("adam-step-bytes", integer=True)
def step_bytes() -> float:
    """Bytes a float32 Adam step moves per parameter: reads theta, g, m, v; writes 3."""
    return (4 + 3) * np.dtype(np.float32).itemsize


# --8<-- [start:data]
SCALES = np.array([1.0, 10.0, 0.1])  # the scales of the three features


def make_data(n: int = 500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features on the scales 1, 10 and 0.1, and 0/1 labels of a logistic model."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)) * SCALES
    w_true, b_true = np.array([2.0, -0.3, 15.0]), 0.5  # each feature matters
    p = 1 / (1 + np.exp(-(X @ w_true + b_true)))
    y = (rng.random(n) < p).astype(float)  # label 1 with probability p
    return X, y


# --8<-- [end:data]


# --8<-- [start:model]
def loss_and_grads(w, b, X, y):
    """Mean logistic loss of the model sigmoid(X @ w + b), and its gradients."""
    z = X @ w + b
    loss = np.mean(np.logaddexp(0.0, z) - y * z)  # -log-likelihood, stable
    dz = (1 / (1 + np.exp(-z)) - y) / len(y)  # d loss / d z
    return loss, X.T @ dz, np.array([dz.sum()])


# --8<-- [end:model]


# --8<-- [start:fit]
def fit(make_optimizer, X, y, steps: int = 300) -> list[float]:
    """Train w and b from zero with an in-place optimizer; return the losses."""
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    optimizer = make_optimizer([w, b])  # it updates w and b in place
    losses = []
    for _ in range(steps + 1):
        loss, grad_w, grad_b = loss_and_grads(w, b, X, y)
        losses.append(loss)
        optimizer.step([grad_w, grad_b])
    return losses


# --8<-- [end:fit]

if __name__ == "__main__":
    # --8<-- [start:train]
    X, y = make_data()
    losses = fit(lambda params: Adam(params, lr=0.1), X, y)
    for step in (0, 50, 100, 200, 300):
        print(f"step {step:3d}: loss {losses[step]:.4f}")
    # --8<-- [end:train]


# What the worked example's prose, figure and tests use.
SGD_RATES = np.round(np.arange(0.01, 0.805, 0.01), 2)  # SGD's learning rates, 0.01 to 0.8


@functools.cache
def logistic_losses(optimizer: str, lr: float) -> np.ndarray:
    """The losses of the worked example, SGD or Adam at `lr`, steps 0 to 300."""
    if optimizer == "SGD" and float(lr) in _sgd_sweep():
        return _sgd_sweep()[float(lr)]
    make = {"SGD": SGD, "Adam": Adam}[optimizer]
    X, y = make_data()
    return np.array(fit(lambda p: make(p, lr=lr), X, y))


@functools.cache
def _sgd_sweep(steps: int = 300) -> dict[float, np.ndarray]:
    """fit with SGD at every rate of SGD_RATES, the rates side by side: one row of w and b
    per rate, the same matrix products (a stack of matrix-vector products) and the same
    arithmetic as loss_and_grads and SGD, so the same losses (tests/test_adam_page.py
    checks them bit for bit). {rate: losses at steps 0 to `steps`}."""
    X, y = make_data()
    lr = SGD_RATES.astype(np.float64)[:, None]
    w, b = np.zeros((len(lr), X.shape[1])), np.zeros((len(lr), 1))
    losses = np.empty((len(lr), steps + 1))
    for step in range(steps + 1):
        z = (X @ w[:, :, None])[..., 0] + b  # X @ w + b for each rate
        losses[:, step] = np.mean(np.logaddexp(0.0, z) - y * z, axis=1)
        dz = (1 / (1 + np.exp(-z)) - y) / len(y)
        w -= lr * (X.T @ dz[:, :, None])[..., 0]
        b -= lr * dz.sum(axis=1, keepdims=True)
    return {float(rate): row for rate, row in zip(SGD_RATES, losses, strict=True)}


def sgd_steady_rate() -> float:
    """The largest of SGD_RATES at which SGD's loss falls at every step."""
    return float(max(lr for lr in SGD_RATES
                     if np.all(np.diff(logistic_losses("SGD", lr)) <= 0)))


def sgd_best_rate() -> float:
    """The one of SGD_RATES at which SGD ends lowest after 300 steps."""
    return float(min(SGD_RATES, key=lambda lr: logistic_losses("SGD", lr)[-1]))


@value("adam-logistic-start", decimals=4)
def logistic_start() -> float:
    """The loss at w = 0, b = 0: ln 2."""
    return logistic_losses("Adam", 0.1)[0]


@value("adam-logistic-adam-100", decimals=3)
def logistic_adam_100() -> float:
    """Adam's loss after 100 steps."""
    return logistic_losses("Adam", 0.1)[100]


@value("adam-logistic-adam-final", decimals=3)
def logistic_adam_final() -> float:
    """Adam's loss after 300 steps."""
    return logistic_losses("Adam", 0.1)[-1]


@value("adam-logistic-sgd-slowdown", digits=3)
def logistic_sgd_slowdown() -> float:
    """SGD's rate on the scale-10 weight over its rate on the scale-0.1 weight: scale^2."""
    return (SCALES[1] / SCALES[2]) ** 2


@value("adam-logistic-sgd-slowdown-vs-1", digits=3)
def logistic_sgd_slowdown_vs_1() -> float:
    """SGD's rate on the scale-1 weight over its rate on the scale-0.1 weight."""
    return (SCALES[0] / SCALES[2]) ** 2


@value("adam-logistic-sgd-steady-lr", decimals=2)
def logistic_sgd_steady_lr() -> float:
    """The largest SGD rate (0.01 to 0.8) at which the loss falls at every step."""
    return sgd_steady_rate()


@value("adam-logistic-sgd-steady-final", decimals=3)
def logistic_sgd_steady_final() -> float:
    """SGD's loss after 300 steps at that rate."""
    return logistic_losses("SGD", sgd_steady_rate())[-1]


@value("adam-logistic-sgd-best-lr", decimals=2)
def logistic_sgd_best_lr() -> float:
    """The SGD rate (0.01 to 0.8) at which the loss after 300 steps is lowest."""
    return sgd_best_rate()


@value("adam-logistic-sgd-best-final", decimals=3)
def logistic_sgd_best_final() -> float:
    """SGD's lowest loss after 300 steps over the rates 0.01 to 0.8."""
    return logistic_losses("SGD", sgd_best_rate())[-1]


@value("adam-logistic-sgd-best-peak", digits=2)
def logistic_sgd_best_peak() -> float:
    """The highest loss on the way, at SGD's best rate."""
    return logistic_losses("SGD", sgd_best_rate()).max()


# --8<-- [start:racers]
RMSPROP_BETA = 0.999  # Adam's beta2, as on the second-moment page and in the playground
OPTIMIZERS = {"SGD": SGD, "momentum": EMAMomentum,
              "RMSProp": lambda params, lr: RMSProp(params, lr=lr, alpha=RMSPROP_BETA),
              "Adam": Adam}
RATES = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]  # the grid of lr
LANDSCAPES = {"rosenbrock": (ROSENBROCK, 1000), "valley": (VALLEY, 60)}  # and steps


def sweep(landscape: str) -> dict[str, list[float]]:
    """The final loss of each optimizer at each rate of the grid: {name: [loss]}."""
    surface, steps = LANDSCAPES[landscape]
    table = {}
    for name, make in OPTIMIZERS.items():
        table[name] = []
        for lr in RATES:
            path = trajectory(lambda p, make=make, lr=lr: make(p, lr=lr), surface,
                              steps=steps)
            table[name].append(float(surface.loss(*path[-1])))  # NaN: it diverged
    return table


# --8<-- [end:racers]

if __name__ == "__main__":
    # --8<-- [start:race]
    for landscape, (_, steps) in LANDSCAPES.items():
        table = sweep(landscape)
        print(f"final loss on the {landscape}, {steps} steps")
        print("lr     " + "".join(f"{name:>10s}" for name in table))
        for i, lr in enumerate(RATES):
            print(f"{lr:<7g}" + "".join(f"{losses[i]:10.1e}" for losses in table.values()))
        best = [RATES[int(np.nanargmin(losses))] for losses in table.values()]
        print("best   " + "".join(f"{lr:10g}" for lr in best))
    # --8<-- [end:race]



# What the race's prose, figure and tests use: the sweep, computed once per process.
@functools.cache
def race(landscape: str) -> dict[str, list[float]]:
    """sweep(landscape), computed once (from the paths of race_paths)."""
    surface, _ = LANDSCAPES[landscape]
    return {name: [float(surface.loss(*path[-1])) for path in paths]
            for name, paths in race_paths(landscape).items()}


@functools.cache
def race_paths(landscape: str) -> dict[str, np.ndarray]:
    """The paths sweep(landscape) runs, {name: array (rate, step, 2)}: for each optimizer,
    the rates of the grid side by side (one row per rate), each step the arithmetic of
    optimizers.py and adam.py, so trajectory's points (tests/test_adam_page.py checks them
    bit for bit), NaN from where trajectory stops a diverging run."""
    surface, steps = LANDSCAPES[landscape]
    assert not surface.noise
    lr = np.array(RATES)[:, None]
    beta1, beta2, eps = 0.9, 0.999, 1e-8  # Adam's defaults; momentum's beta is 0.9 too
    paths = {}
    for name in OPTIMIZERS:
        point = np.tile(np.array(surface.start, dtype=np.float64), (len(RATES), 1))
        m, v = np.zeros_like(point), np.zeros_like(point)
        path = np.full((len(RATES), steps + 1, 2), np.nan)
        path[:, 0] = point
        alive = np.ones(len(RATES), dtype=bool)
        with np.errstate(all="ignore"):  # diverging runs: trajectory drops them too
            for t in range(1, steps + 1):
                # One point at a time, as trajectory does: NumPy squares an array with a
                # product but a number with pow(), which can differ in the last bit.
                g = np.array([surface.grad(x, y) for x, y in point])
                alive &= np.isfinite(g).all(axis=1)
                if name == "SGD":
                    point -= lr * g
                elif name == "momentum":  # EMAMomentum
                    m *= 0.9
                    m += (1 - 0.9) * g
                    point -= lr * m
                elif name == "RMSProp":  # RMSProp with alpha = RMSPROP_BETA
                    v *= RMSPROP_BETA
                    v += (1 - RMSPROP_BETA) * g * g
                    point -= lr * g / (np.sqrt(v) + 1e-8)
                else:  # Adam.step and Adam._update
                    bias_correction1 = 1 - beta1**t
                    bias_correction2_sqrt = math.sqrt(1 - beta2**t)
                    alpha = np.array([rate * bias_correction2_sqrt / bias_correction1
                                      for rate in RATES])[:, None]
                    m *= np.array(beta1)
                    m += np.multiply(g, np.array(1 - beta1))
                    v *= np.array(beta2)
                    v += np.multiply(np.multiply(g, np.array(1 - beta2)), g)
                    denominator = np.sqrt(v)
                    denominator += np.array(eps * bias_correction2_sqrt)
                    step = np.divide(m, denominator)
                    step *= alpha
                    point -= step
                alive &= np.isfinite(point).all(axis=1)
                path[alive, t] = point[alive]
        paths[name] = path
    return paths


def best_rate(name: str, landscape: str) -> float:
    """The rate of the grid at which optimizer `name` ends lowest on `landscape`."""
    return RATES[int(np.nanargmin(race(landscape)[name]))]


def best_loss(name: str, landscape: str) -> float:
    """The final loss of optimizer `name` at its best rate on `landscape`."""
    return float(np.nanmin(race(landscape)[name]))


def best_path(name: str, landscape: str) -> np.ndarray:
    """The path of optimizer `name` at its best rate on `landscape`."""
    return race_paths(landscape)[name][RATES.index(best_rate(name, landscape))].copy()


def first_divergent_rate(name: str, landscape: str) -> float:
    """The smallest rate of the grid at which `name` ends above its starting loss (or NaN)."""
    surface, _ = LANDSCAPES[landscape]
    start = surface.loss(*surface.start)
    return next(lr for lr, loss in zip(RATES, race(landscape)[name], strict=True)
                if not loss <= start)


def floor_fraction(x: float, start: float = -1.2, end: float = 1.0) -> float:
    """How far along Rosenbrock's floor y = x^2 the point above x is, by arc length."""
    def arc(u):  # the arc length of y = x^2 from 0 to u
        return u / 2 * np.sqrt(1 + 4 * u**2) + np.arcsinh(2 * u) / 4
    return float((arc(x) - arc(start)) / (arc(end) - arc(start)))


for _landscape in LANDSCAPES:
    for _name in OPTIMIZERS:
        _slug = f"adam-{_landscape}-{_name.lower()}"

        def _race_lr(name: str = _name, landscape: str = _landscape) -> float:
            return best_rate(name, landscape)

        def _race_loss(name: str = _name, landscape: str = _landscape) -> float:
            return best_loss(name, landscape)

        value(f"{_slug}-lr", digits=1)(_race_lr)
        value(f"{_slug}-loss", digits=2, sci=True)(_race_loss)


@value("adam-rosenbrock-sgd-diverges-lr", digits=1)
def rosenbrock_sgd_diverges_lr() -> float:
    """The smallest rate of the grid at which SGD diverges on Rosenbrock."""
    return first_divergent_rate("SGD", "rosenbrock")


@value("adam-valley-sgd-diverges-lr", digits=1)
def valley_sgd_diverges_lr() -> float:
    """The smallest rate of the grid at which SGD diverges on the valley."""
    return first_divergent_rate("SGD", "valley")


@value("adam-rosenbrock-sgd-floor", digits=2, percent=True)
def rosenbrock_sgd_floor() -> float:
    """How far along the floor SGD ends on Rosenbrock at its best rate, by arc length."""
    return floor_fraction(best_path("SGD", "rosenbrock")[-1, 0])


@value("adam-rosenbrock-adam-loss-next-rate", digits=2)
def rosenbrock_adam_loss_next_rate() -> float:
    """Adam's final loss on Rosenbrock at the rate of the grid above its best."""
    i = RATES.index(best_rate("Adam", "rosenbrock"))
    return race("rosenbrock")["Adam"][i + 1]


@value("adam-rosenbrock-adam-next-rate", digits=1)
def rosenbrock_adam_next_rate() -> float:
    """The rate of the grid above Adam's best on Rosenbrock."""
    return RATES[RATES.index(best_rate("Adam", "rosenbrock")) + 1]


@value("adam-valley-spread", digits=2)
def valley_spread() -> float:
    """On the valley, the highest best loss of SGD, momentum, Adam over the lowest."""
    losses = [best_loss(name, "valley") for name in ("SGD", "momentum", "Adam")]
    return max(losses) / min(losses)


@value("adam-valley-sgd-momentum-gap", digits=2, percent=True)
def valley_sgd_momentum_gap() -> float:
    """On the valley, the largest relative gap between SGD's and momentum's final loss
    at the rates of the grid up to 0.02."""
    sgd, momentum = race("valley")["SGD"], race("valley")["momentum"]
    return max(abs(b / a - 1) for lr, a, b in zip(RATES, sgd, momentum, strict=True)
               if lr <= 0.02)


@value("adam-rmsprop-first-step", digits=2)
def rmsprop_first_step() -> float:
    """RMSProp's first step on the valley, in units of its learning rate (x coordinate)."""
    lr = best_rate("RMSProp", "valley")
    path = best_path("RMSProp", "valley")
    return float(abs(path[1, 0] - path[0, 0]) / lr)


if __name__ == "__main__":
    # On the page, the post's Example 3 (run before this block) defines this function:
    adam_simplified_update = run_section("example3")[0]["adam_simplified_update"]
    # --8<-- [start:example3_loop]
    theta_adam, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
    theta_post = np.zeros(1)
    for t in range(1, 201):
        g = np.array([1.1 if t % 2 else -0.9])  # zig-zags around a mean of 0.1
        theta_adam, m, v = adam_step(theta_adam, g, m, v, t, lr=0.01)
        # The post's function returns only params: m and v restart from zero.
        zero = np.zeros(1)
        theta_post = adam_simplified_update(theta_post, g, zero, zero, t, lr=0.01)
    print(f"after 200 steps: Adam at {theta_adam[0]:+.4f},"
          f" Example 3 in a loop at {theta_post[0]:+.4f}")
    # --8<-- [end:example3_loop]


# Figures ---------------------------------------------------------------------


def _contours(ax, surface: Surface, theme, levels: int = 10) -> None:
    """Log-spaced contour lines of a surface, in the scheme's grid colour."""
    (x0, x1), (y0, y1) = surface.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, 61), np.linspace(y0, y1, 61))
    z = surface.loss(x, y)
    lo = max(z.min(), z.max() * 1e-3)
    ax.contour(x, y, z, levels=np.geomspace(lo, z.max(), levels), colors=theme.grid,
               linewidths=0.7)
    ax.plot(*surface.minimum, "*", color=theme.text, markersize=9, zorder=5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


@figure(
    "four-optimizers",
    alt=(
        "Eight small contour maps, one per optimizer and landscape: the paths of SGD, "
        "momentum, RMSProp and Adam, each at the rate of the grid at which it ends lowest, "
        "a square at the start and a dot at the end. Top row, Rosenbrock's banana-shaped "
        "valley, "
        "1000 steps from (-1.2, 1): SGD (lr [[value: adam-rosenbrock-sgd-lr]]) and RMSProp "
        "(lr [[value: adam-rosenbrock-rmsprop-lr]]) end partway along the curved floor, "
        "momentum (lr [[value: adam-rosenbrock-momentum-lr]]) and Adam "
        "(lr [[value: adam-rosenbrock-adam-lr]]) reach the minimum at (1, 1). Bottom row, the "
        "narrow quadratic valley, 60 steps from (-2.5, 1): SGD "
        "(lr [[value: adam-valley-sgd-lr]]) drops to the valley's floor within a few "
        "steps and ends short of the minimum along it; momentum "
        "(lr [[value: adam-valley-momentum-lr]]) zig-zags across the valley and Adam "
        "(lr [[value: adam-valley-adam-lr]]) swings around the minimum, both ending near "
        "it; RMSProp (lr [[value: adam-valley-rmsprop-lr]]) leaves the map with its first "
        "steps and comes back to the minimum."
    ),
    size=(7.2, 4.4),
)
def four_optimizers(fig, theme):
    """The four optimizers, each at its best rate of the grid, on Rosenbrock and the valley."""
    import matplotlib  # only when drawn: importing snippets stays cheap

    with matplotlib.rc_context({"path.simplify_threshold": 0.5}):  # a smaller SVG
        _four_optimizers(fig, theme)


def _four_optimizers(fig, theme) -> None:
    """Draw four_optimizers: one small map per optimizer and landscape (paths simplified
    to half a pixel), so that no path hides another."""
    axes = fig.subplots(2, 4, sharex="row", sharey="row")
    colors = {"SGD": "sgd", "momentum": "momentum", "RMSProp": "rmsprop", "Adam": "adam"}
    for row, landscape in zip(axes, ("rosenbrock", "valley"), strict=True):
        surface, steps = LANDSCAPES[landscape]
        for ax, name in zip(row, OPTIMIZERS, strict=True):
            _contours(ax, surface, theme, levels=8)
            path = best_path(name, landscape)
            color = COLORS[colors[name]]
            ax.plot(*path.T, color=color, linewidth=1.2)
            ax.plot(*path[0], "s", color=theme.text, markersize=3.5, zorder=6)
            ax.plot(*path[-1], "o", color=color, markersize=5.5,
                    markeredgecolor=theme.text, markeredgewidth=0.8, zorder=6)
            ax.set_title(f"{name}, lr {best_rate(name, landscape):g}", fontsize=8)
            ax.tick_params(labelsize=7)
        row[0].set_ylabel(f"{landscape.capitalize()}, {steps} steps\n$y$", fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("$x$", fontsize=8)
    axes[0, 0].set_xlim(-1.5, 1.5)
    axes[0, 0].set_ylim(-0.5, 1.5)


@figure(
    "logistic-loss",
    alt=(
        "Training loss of the logistic regression example over 300 steps on a log "
        "step axis: Adam with learning rate 0.1 falls from [[value: adam-logistic-start]] "
        "to [[value: adam-logistic-adam-100]] after 100 steps and "
        "[[value: adam-logistic-adam-final]] after 300; SGD with learning rate "
        "[[value: adam-logistic-sgd-steady-lr]], the largest at which its loss falls at "
        "every step, falls more slowly and is still at "
        "[[value: adam-logistic-sgd-steady-final]] after 300 steps."
    ),
    size=(5.6, 3.2),
)
def logistic_loss(fig, theme):
    """Adam against SGD on the worked example's logistic regression."""
    ax = fig.subplots()
    step = np.arange(301)
    lr = sgd_steady_rate()
    for name, color, losses in (
        (f"SGD, lr = {lr:g}", "sgd", logistic_losses("SGD", lr)),
        ("Adam, lr = 0.1", "adam", logistic_losses("Adam", 0.1)),
    ):
        ax.plot(step[1:], losses[1:], color=COLORS[color], label=name)
    ax.set_xscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.grid(True, linewidth=0.5)
    ax.legend(fontsize=8)


@figure(
    "example3-loop",
    alt=(
        "The parameter over 200 steps for a gradient that alternates between 1.1 and "
        "-0.9. Adam, which keeps m and v, moves steadily downhill to about "
        "[[value: adam-example3-adam-end]]. The "
        "source post's Example 3 called in a loop, which starts m and v from zero at "
        "every call, zig-zags by about the learning rate each step and ends where it "
        "started."
    ),
    size=(5.6, 3.0),
)
def example3_loop(fig, theme):
    """Adam against the post's Example 3 used in a training loop."""
    ax = fig.subplots()
    adam_path, post_path = example3_paths(200)
    t = np.arange(1, 201)
    ax.plot(t, post_path, color=theme.muted, linewidth=1,
            label="Example 3 in a loop (m, v thrown away)")
    ax.plot(t, adam_path, color=COLORS["adam"], label="Adam (m, v kept)")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$\theta_t$")
    ax.grid(True, linewidth=0.5)
    ax.legend(fontsize=8, loc="lower left")


def example3_paths(steps: int, lr: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """theta over `steps` steps of Adam and of the post's Example 3 in a loop."""
    post_update = run_section("example3")[0]["adam_simplified_update"]
    theta, m, v, post = np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1)
    adam_path, post_path = [], []
    for t in range(1, steps + 1):
        g = np.array([1.1 if t % 2 else -0.9])
        theta, m, v = adam_step(theta, g, m, v, t, lr=lr)
        post = post_update(post, g, np.zeros(1), np.zeros(1), t, lr=lr)
        adam_path.append(theta[0])
        post_path.append(post[0])
    return np.array(adam_path), np.array(post_path)


@value("adam-example3-adam-end", decimals=2)
def example3_adam_end() -> float:
    """Where Adam ends after 200 steps of the zig-zagging gradient."""
    return float(example3_paths(200)[0][-1])


def example3_step(t: int) -> float:
    """The step of the post's Example 3 at step t from m = v = 0, in units of lr."""
    post_update = run_section("example3")[0]["adam_simplified_update"]
    return float(-post_update(np.zeros(1), np.ones(1), np.zeros(1), np.zeros(1), t, lr=1.0)[0])


@value("adam-example3-step-200", digits=3)
def example3_step_200() -> float:
    """Example 3's step at t = 200, from m = v = 0, in units of lr."""
    return example3_step(200)


@value("adam-example3-step-limit", digits=3)
def example3_step_limit() -> float:
    """Example 3's step in the long run (t = 100000), from m = v = 0, in units of lr."""
    return example3_step(100_000)


def example2_replay() -> np.ndarray:
    """The post's Example 2 replayed: adam_step on its constant gradients, divided by 5
    and multiplied by 5 in turn, which never depend on the parameters; the 10 points."""
    params, m, v = np.array([1.0, 2.0]), np.zeros(2), np.zeros(2)
    grads, points = np.array([0.001, 1.0]), []
    for i in range(10):
        params, m, v = adam_step(params, grads, m, v, i + 1, lr=0.01)
        points.append(params)
        grads = grads / 5 if i % 2 == 0 else grads * 5
    return np.array(points)


@value("adam-example2-move", decimals=4)
def example2_move() -> float:
    """How far each parameter of Example 2 moves in its 10 iterations."""
    return float(2.0 - example2_replay()[-1, 1])


# Exercises ---------------------------------------------------------------------

if __name__ == "__main__":
    # --8<-- [start:exercise_first_step]
    for g in (0.004, 4000.0, 3e-7):  # Adam's first step, from m = v = 0
        theta, _, _ = adam_step(np.zeros(1), np.array([g]), np.zeros(1), np.zeros(1),
                                t=1, lr=1.0)  # lr = 1: the step in units of alpha
        print(f"g = {g:<8g} first step = {-theta[0]:.7f} alpha")
    # --8<-- [end:exercise_first_step]


@value("adam-exercise-first-step-tiny", digits=3)
def exercise_first_step_tiny() -> float:
    """Adam's first step for a gradient of 3e-7, in units of lr."""
    return float(-adam_step(np.zeros(1), np.array([3e-7]), np.zeros(1), np.zeros(1),
                            t=1, lr=1.0)[0][0])


# --8<-- [start:exercise_scaled]
def fit_scaled(make_optimizer, X, y, scale: float, steps: int = 300) -> np.ndarray:
    """fit, with the loss (so every gradient) multiplied by `scale`: the plain losses."""
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    optimizer = make_optimizer([w, b])
    losses = []
    for _ in range(steps + 1):
        loss, grad_w, grad_b = loss_and_grads(w, b, X, y)
        losses.append(loss)
        optimizer.step([scale * grad_w, scale * grad_b])
    return np.array(losses)


# --8<-- [end:exercise_scaled]

if __name__ == "__main__":
    # --8<-- [start:exercise_scaled_run]
    X, y = make_data()
    adam = [fit_scaled(lambda p: Adam(p, lr=0.1), X, y, s) for s in (1, 1000)]
    with np.errstate(all="ignore"):
        sgd = [fit_scaled(lambda p: SGD(p, lr=0.16), X, y, s) for s in (1, 1000)]
    print(f"Adam: loss after 300 steps {adam[0][-1]:.4f} and {adam[1][-1]:.4f},"
          f" largest difference {np.abs(adam[1] - adam[0]).max():.1e}")
    print(f"SGD:  loss after 300 steps {sgd[0][-1]:.4f}; times 1000, from step 1 on"
          f" between {sgd[1][1:].min():.0f} and {sgd[1].max():.0f}")
    # --8<-- [end:exercise_scaled_run]


@functools.cache
def exercise_scaled_runs() -> dict[str, np.ndarray]:
    """The worked example with the loss times 1 and times 1000, Adam and SGD."""
    X, y = make_data()
    with np.errstate(all="ignore"):
        return {
            f"{name}-{scale}": fit_scaled(make, X, y, scale)
            for name, make in (("Adam", lambda p: Adam(p, lr=0.1)),
                               ("SGD", lambda p: SGD(p, lr=sgd_steady_rate())))
            for scale in (1, 1000)
        }


@value("adam-exercise-scaled-adam-gap", digits=2, sci=True)
def exercise_scaled_adam_gap() -> float:
    """The largest difference between Adam's losses with the loss times 1 and 1000."""
    runs = exercise_scaled_runs()
    return float(np.abs(runs["Adam-1000"] - runs["Adam-1"]).max())


@value("adam-exercise-scaled-sgd-lowest", digits=2)
def exercise_scaled_sgd_lowest() -> float:
    """SGD's lowest loss after step 0, at its steady rate, with the loss times 1000 (its
    path is chaotic: where it ends depends on rounding, its lowest and highest do not)."""
    return float(exercise_scaled_runs()["SGD-1000"][1:].min())


@value("adam-exercise-scaled-sgd-peak", digits=3)
def exercise_scaled_sgd_peak() -> float:
    """SGD's highest loss on the way, at its steady rate, with the loss times 1000."""
    return float(exercise_scaled_runs()["SGD-1000"].max())


if __name__ == "__main__":
    # --8<-- [start:exercise_line8]
    t = 1
    while 1 - np.sqrt(1 - 0.999**t) >= 0.01:  # line 8 multiplies the step by sqrt(..)
        t += 1
    print(f"from step {t} on, line 8 changes the step by less than 1 %")
    # --8<-- [end:exercise_line8]


@value("adam-exercise-line8-steps", integer=True)
def exercise_line8_steps() -> int:
    """The first step at which line 8's correction changes the step by less than 1 %."""
    t = 1
    while 1 - np.sqrt(1 - 0.999**t) >= 0.01:
        t += 1
    return t


@value("adam-exercise-line7-steps", integer=True)
def exercise_line7_steps() -> int:
    """The first step at which line 7's factor 1 - beta1^t is within 1 % of 1."""
    t = 1
    while 0.9**t >= 0.01:
        t += 1
    return t
