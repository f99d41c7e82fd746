"""Layer 3, the second moment: per-parameter step sizes from v_t, the mean of g**2.

Functions at the top level are what the page and its figures use. The blocks under
``if __name__ == "__main__":`` print what the page shows: importing the module runs
nothing, ``python -m snippets.second_moment`` prints the page's outputs in order.
"""

from __future__ import annotations

import functools
from dataclasses import replace

# --8<-- [start:setup]
import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam, adam_step
from snippets.figures import COLORS, figure
from snippets.optimizers import SGD, EMAMomentum, RMSProp, trajectory
from snippets.surfaces import BOWL, Surface, bowl_grad
from snippets.values import value

if __name__ == "__main__":
    # --8<-- [start:rms]
    rng = np.random.default_rng(0)
    g = 0.3 + 2.0 * rng.standard_normal(20_000)  # mean 0.3, spread 2
    beta2 = 0.999
    v = 0.0
    for g_t in g:
        v = beta2 * v + (1 - beta2) * g_t**2  # running mean of g^2
    print(f"sqrt(v) = {np.sqrt(v):.2f}")
    print(f"root mean square of g = {np.sqrt(np.mean(g**2)):.2f}"
          f" = sqrt(mean^2 + spread^2) = {np.hypot(0.3, 2.0):.2f}")
    print(f"mean / root mean square = {0.3 / np.hypot(0.3, 2.0):.2f}")
    # --8<-- [end:rms]

    # --8<-- [start:not_curvature]
    for h, theta in [(4.0, 1.0), (4.0, 0.01), (0.04, 1.0)]:
        g = h * theta  # gradient of f(theta) = h/2 * theta^2
        print(f"curvature h={h:<4}  theta={theta:<4}  g^2={g**2:.4f}")
    # --8<-- [end:not_curvature]

    # --8<-- [start:per_parameter]
    g = np.array([1e-3, 1.0, 1e3])  # three gradients, a million apart
    theta, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    lr = 0.01
    for t in range(1, 101):  # 100 steps, the same gradients each time
        theta, m, v = adam_step(theta, g, m, v, t, lr=lr)
    print("Adam moved:", " ".join(f"{x:.4f}" for x in np.abs(theta)))
    print("SGD moved: ", " ".join(f"{x:.4f}" for x in 100 * lr * g))
    # --8<-- [end:per_parameter]

    # --8<-- [start:example2_moves]
    params, m, v = np.array([1.0, 2.0]), np.zeros(2), np.zeros(2)
    grads = np.array([0.001, 1.0])  # the post's gradients, 1000 apart
    moved = np.zeros(2)
    for i in range(10):  # the post's loop: same t, lr and gradients
        new, m, v = adam_step(params, grads, m, v, i + 1, 0.01)
        moved += np.abs(new - params)
        params = new
        grads = grads / 5 if i % 2 == 0 else grads * 5
    print(f"parameter 0 (gradient 0.001) moved {moved[0]:.7f}")
    print(f"parameter 1 (gradient 1.0)   moved {moved[1]:.7f}")
    gap = moved[1] - moved[0]
    print(f"difference: {gap:.1e}, i.e. {gap / moved[1]:.4%}")
    # --8<-- [end:example2_moves]

    # --8<-- [start:epsilon_floor]
    for g in (1e-2, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10):
        zero = np.zeros(1)
        theta, _, _ = adam_step(zero, np.array([g]), zero, zero, t=1, lr=1.0)
        print(f"|g| = {g:.0e}:  step = {-theta[0]:.4f} lr")
    print("1e-8 in float16:", np.float16(1e-8))
    # --8<-- [end:epsilon_floor]


# Values of the page's prose ----------------------------------------------------


@value("second-moment-memory", integer=True)
def memory() -> float:
    """The memory of v's average with beta2 = 0.999, 1 / (1 - beta2) steps."""
    return round(1 / (1 - 0.999))


@functools.cache
def _rms_run() -> tuple[float, float]:
    """sqrt(v) after 20,000 noisy gradients (mean 0.3, spread 2) and their true RMS."""
    g = 0.3 + 2.0 * np.random.default_rng(0).standard_normal(20_000)
    v = 0.0
    for g_t in g:
        v = 0.999 * v + (1 - 0.999) * g_t**2
    return float(np.sqrt(v)), float(np.sqrt(np.mean(g**2)))


@value("second-moment-rms-sqrt-v", decimals=2)
def rms_sqrt_v() -> float:
    """What sqrt(v) measures for gradients of mean 0.3 and spread 2."""
    return _rms_run()[0]


@value("second-moment-rms", decimals=2)
def rms_of_gradients() -> float:
    """The root mean square of all 20,000 of those gradients."""
    return _rms_run()[1]


@value("second-moment-mean-over-rms", decimals=2)
def mean_over_rms() -> float:
    """Mean over root mean square for gradients of mean 0.3 and spread 2."""
    return 0.3 / np.hypot(0.3, 2.0)


@functools.cache
def _post_example2() -> tuple[np.ndarray, np.ndarray]:
    """The source post's Example 2 with adam_step: the end point and how far each moved."""
    params, m, v = np.array([1.0, 2.0]), np.zeros(2), np.zeros(2)
    grads, moved = np.array([0.001, 1.0]), np.zeros(2)
    for i in range(10):
        new, m, v = adam_step(params, grads, m, v, i + 1, 0.01)
        moved += np.abs(new - params)
        params = new
        grads = grads / 5 if i % 2 == 0 else grads * 5
    return params, moved


@value("second-moment-post-end-0", decimals=4)
def post_end_0() -> float:
    """Where parameter 0 (gradient 0.001, from 1) ends after the post's 10 iterations."""
    return float(_post_example2()[0][0])


@value("second-moment-post-end-1", decimals=4)
def post_end_1() -> float:
    """Where parameter 1 (gradient 1, from 2) ends after the post's 10 iterations."""
    return float(_post_example2()[0][1])


@value("second-moment-post-farther", digits=2, percent=True)
def post_farther() -> float:
    """How much farther, as a fraction, the parameter with the larger gradient moves."""
    moved = _post_example2()[1]
    return float((moved[1] - moved[0]) / moved[1])


@value("second-moment-sgd-rate-below-epsilon", sci=True, digits=1)
def sgd_rate_below_epsilon() -> float:
    """The SGD learning rate lr / eps that Adam becomes far below eps (lr = 1e-3)."""
    return 1e-3 / 1e-8


# --8<-- [start:step_sizes]
def step_sizes(grads, lr: float = 0.001, step=adam_step) -> np.ndarray:
    """|change| / lr at t = 1, 2, ... of one parameter fed these gradients."""
    theta, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
    sizes = []
    for t, g in enumerate(grads, start=1):
        new, m, v = step(theta, np.array([float(g)]), m, v, t, lr=lr)
        sizes.append(abs(new[0] - theta[0]) / lr)
        theta = new
    return np.array(sizes)


# --8<-- [end:step_sizes]


def fast_step_sizes(grads, lr: float = 0.001, step=adam_step, bias_correction: bool = True,
                    beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8):
    """step_sizes(grads, lr, step), all steps at once, for a step that is adam_step's
    arithmetic with these betas and epsilon (bias_correction=False: the arithmetic of
    adam_step_no_bias_correction). The same operations in the same order, so the same
    numbers, bit for bit (tests/test_second_moment.py checks them): m and v are running
    sums whatever the parameter does, so only they, and the parameter itself, are
    computed step by step. Gradients that are not all finite go to step_sizes, which
    raises where `step` raises."""
    g = np.array([float(x) for x in grads])
    if not np.isfinite(g).all():
        return step_sizes(grads, lr, step)
    m, v, ms, vs = 0.0, 0.0, [], []
    for g_t in g.tolist():
        m = beta1 * m + (1 - beta1) * g_t  # (1)
        v = beta2 * v + (1 - beta2) * (g_t * g_t)  # (2): grads**2 is grads * grads
        ms.append(m)
        vs.append(v)
    m, v = np.array(ms), np.array(vs)
    if bias_correction:
        t = range(1, len(g) + 1)
        m = m / np.array([1 - beta1**i for i in t])  # (3) m_hat
        v = v / np.array([1 - beta2**i for i in t])  # (4) v_hat
    change = lr * m / (np.sqrt(v) + epsilon)  # (5): params = params - change
    theta = np.subtract.accumulate(np.r_[0.0, change])
    return np.abs(theta[1:] - theta[:-1]) / lr

if __name__ == "__main__":
    # --8<-- [start:bound_cases]
    bound = (1 - 0.9) / np.sqrt(1 - 0.999)
    quiet = np.zeros(5000)  # 5000 steps with a zero gradient
    cases = {
        "constant gradient": np.full(6000, 0.3),
        "noisy gradient": 0.3 + np.random.default_rng(1).standard_normal(6000),
        "one spike after 5000 zeros": np.r_[quiet, 1.0, np.zeros(999)],
        "gradient x10 at step 5000": np.r_[np.ones(5000), np.full(1000, 10.0)],
        "gradient growing 11%/step": np.r_[quiet, (0.999 / 0.9) ** np.arange(40)],
    }
    print(f"the paper's bound: {bound:.2f} lr")
    for name, grads in cases.items():
        print(f"{name:27s} largest step {step_sizes(grads).max():.2f} lr")
    # --8<-- [end:bound_cases]


def scaled(surface: Surface, c: float) -> Surface:
    """The same landscape with its loss (and gradient) multiplied by c."""
    return replace(surface, name=f"{c:g} x {surface.name}",
                   loss=lambda x, y: c * surface.loss(x, y),
                   grad=lambda x, y: c * surface.grad(x, y))


@value("second-moment-scale-gap", sci=True, digits=1)
def scale_gap() -> float:
    """The largest gap between Adam's paths on the bowl with the loss times 1e-3 or 1e3."""
    def path(c: float) -> np.ndarray:
        return trajectory(lambda p: Adam(p, lr=0.05), scaled(BOWL, c), steps=60)
    return float(max(np.abs(path(c) - path(1.0)).max() for c in (1e-3, 1e3)))

if __name__ == "__main__":
    # --8<-- [start:scale_invariance]
    paths = {}
    print("loss x   Adam ends at      path gap   SGD ends at")
    for c in (1.0, 1e-3, 1e3):  # the loss, and so every gradient, times c
        theta, m, v = np.array(BOWL.start), np.zeros(2), np.zeros(2)
        sgd = np.array(BOWL.start)
        path = [theta]
        for t in range(1, 61):
            theta, m, v = adam_step(theta, c * bowl_grad(*theta), m, v, t, lr=0.05)
            sgd = sgd - 0.18 * c * bowl_grad(*sgd)  # SGD with lr = 0.18
            path.append(theta)
        paths[c] = np.array(path)
        gap = np.abs(paths[c] - paths[1.0]).max()  # vs the unscaled path
        (ax, ay), (sx, sy) = theta, sgd
        print(f"{c:<8g} ({ax:.3f}, {ay:.3f})   {gap:.0e}     ({sx:.3g}, {sy:.3g})")
    # --8<-- [end:scale_invariance]


# Figures ---------------------------------------------------------------------


@figure(
    "epsilon-floor",
    alt=(
        "Log-log plot of Adam's steady step size, in units of the learning rate, "
        "against the gradient magnitude from 1e-12 to 1e2, for epsilon 1e-8, 1e-6 and "
        "1e-3, with SGD's step for comparison. Each Adam curve is flat at 1 for "
        "gradients well above its epsilon, is [[value: second-moment-step-at-epsilon]] "
        "where the gradient equals epsilon, "
        "and falls in proportion to the gradient below it, like SGD with a learning "
        "rate of lr/epsilon."
    ),
    size=(5.6, 3.4),
)
def epsilon_floor(fig, theme):
    """Step size against gradient size, for three epsilons: where Adam stops scaling."""
    ax = fig.subplots()
    g = np.logspace(-12, 2, 57)
    ax.plot(g, g, color=COLORS["sgd"], label=r"SGD: $|g|$")
    for eps, style in ((1e-8, "-"), (1e-6, "--"), (1e-3, ":")):
        measured = [step_sizes([x], lr=1.0, step=_eps_step(eps))[0] for x in g]
        ax.plot(g, measured, color=COLORS["adam"], linestyle=style,
                label=rf"Adam, $\varepsilon = 10^{{{int(np.log10(eps))}}}$")
        ax.plot([eps], [0.5], "o", color=COLORS["adam"], markersize=4)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-5, 3)
    ax.set_xlabel(r"gradient magnitude $|g|$")
    ax.set_ylabel(r"step $/\ \alpha$")
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="lower right", fontsize=8)


def _eps_step(eps: float):
    """adam_step with this epsilon."""
    return lambda *args, **kw: adam_step(*args, **kw, epsilon=eps)


@value("second-moment-step-at-epsilon", digits=1)
def step_at_epsilon() -> float:
    """The step, in units of lr, for a steady gradient equal to eps = 1e-8."""
    return float(step_sizes([1e-8], lr=1.0)[0])


@value("second-moment-step-at-ten-epsilon", decimals=3)
def step_at_ten_epsilon() -> float:
    """The step, in units of lr, for a steady gradient of 10 eps (eps = 1e-8)."""
    return float(step_sizes([1e-7], lr=1.0)[0])


@value("second-moment-step-at-hundred-epsilon", decimals=3)
def step_at_hundred_epsilon() -> float:
    """The same for a gradient of 100 eps."""
    return float(step_sizes([1e-6], lr=1.0)[0])


@value("second-moment-epsilon-multiple-one-percent", integer=True)
def epsilon_multiple_one_percent() -> float:
    """|g| / eps from which the step |g| / (|g| + eps) is within 1% of lr: 0.99 / 0.01."""
    return round(0.99 / (1 - 0.99))


def _step_bound_cases() -> list[tuple[str, np.ndarray]]:
    """The four gradient histories of the step-bound figure."""
    quiet = np.zeros(5000)
    return [
        ("constant gradient", np.full(5100, 0.3)),
        ("noisy gradient", 0.3 + np.random.default_rng(1).standard_normal(5100)),
        ("one spike after 5000 zeros", np.r_[quiet, 1.0, np.zeros(99)]),
        ("gradient ×10 at step 5000", np.r_[np.ones(5000), np.full(100, 10.0)]),
    ]


@functools.cache
def _step_bound_runs() -> tuple[np.ndarray, ...]:
    """The step sizes of the four histories (shared by the figure and its values)."""
    return tuple(fast_step_sizes(grads) for _, grads in _step_bound_cases())


def _largest_step(case: int) -> float:
    return float(_step_bound_runs()[case].max())


@functools.cache
def _noisy_steps() -> np.ndarray:
    """The step sizes of the bound block's noisy gradient (mean 0.3, spread 1, 6000 steps)."""
    return fast_step_sizes(0.3 + np.random.default_rng(1).standard_normal(6000))


@value("step-bound-noisy-mean", decimals=2)
def step_bound_noisy_mean() -> float:
    return float(_noisy_steps().mean())


@value("step-bound-noisy-median", decimals=2)
def step_bound_noisy_median() -> float:
    return float(np.median(_noisy_steps()))


@value("step-bound-noisy-p95", decimals=2)
def step_bound_noisy_p95() -> float:
    """The size 95% of the noisy gradient's steps stay below."""
    return float(np.percentile(_noisy_steps(), 95))


@value("step-bound-noisy-above", integer=True)
def step_bound_noisy_above() -> float:
    """How many of the noisy gradient's 6000 steps are longer than lr."""
    return int(np.sum(_noisy_steps() > 1))


@value("step-bound-paper", digits=3)
def step_bound_paper() -> float:
    """The paper's bound on a step, (1 - beta1) / sqrt(1 - beta2), at the defaults."""
    return (1 - 0.9) / np.sqrt(1 - 0.999)


@value("step-bound-spike", digits=3)
def step_bound_spike() -> float:
    """The largest step after one gradient spike that follows 5000 zero gradients."""
    return _largest_step(2)


@value("step-bound-tenfold", digits=3)
def step_bound_tenfold() -> float:
    """The largest step when the gradient grows tenfold at once, after 5000 steps."""
    return _largest_step(3)


@value("step-bound-noisy", decimals=2)
def step_bound_noisy() -> float:
    """The largest step of the noisy gradient (mean 0.3, spread 1)."""
    return _largest_step(1)


@value("step-bound-spike-shortfall", digits=1, percent=True)
def step_bound_spike_shortfall() -> float:
    """How far below the paper's bound the step after the lone spike stays, a fraction."""
    return 1 - step_bound_spike() / step_bound_paper()


@value("step-bound-growth", digits=3)
def step_bound_growth() -> float:
    """The growth per step, beta2 / beta1, of the gradient that gives the longest steps."""
    return 0.999 / 0.9


@value("step-bound-supremum", digits=3)
def step_bound_supremum() -> float:
    """The least upper bound of |m_hat / sqrt(v_hat)| as t grows (Cauchy-Schwarz)."""
    return step_bound_paper() / np.sqrt(1 - 0.9**2 / 0.999)


@figure(
    "step-bound",
    alt=(
        "Four panels of Adam's step size in units of the learning rate around step "
        "5000. With a constant or a noisy gradient every step is at most 1. After a "
        "single gradient spike following 5000 zero gradients the step jumps to "
        "[[value: step-bound-spike]], just under the paper's bound of "
        "[[value: step-bound-paper]]. When the gradient grows tenfold at once the step "
        "reaches [[value: step-bound-tenfold]], above the bound."
    ),
    size=(5.6, 4.4),
)
def step_bound(fig, theme):
    """Step sizes for four gradient histories, against the paper's bound."""
    bound = step_bound_paper()
    axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
    for ax, (name, _), sizes in zip(axes, _step_bound_cases(), _step_bound_runs(), strict=True):
        t = np.arange(1, len(sizes) + 1)
        keep = t > 4950
        ax.plot(t[keep], sizes[keep], color=COLORS["adam"])
        ax.axhline(bound, color=theme.text, linestyle="--", linewidth=1)
        ax.axhline(1, color=theme.muted, linestyle=":", linewidth=1)
        ax.set_title(name, fontsize=9)
        ax.grid(True, linewidth=0.5)
    axes[0].text(4952, bound + 0.15, f"paper's bound {bound:.2f}", color=theme.text, fontsize=8)
    axes[0].set_ylim(0, 5.5)
    axes[0].set_xticks([4950, 5000, 5050, 5100])
    for ax in axes[2:]:
        ax.set_xlabel("step $t$")
    for ax in axes[::2]:
        ax.set_ylabel(r"step $/\ \alpha$")


def _contours(ax, surface: Surface, theme, levels: int = 7) -> None:
    """Log-spaced contour lines of a surface, in the scheme's grid colour."""
    (x0, x1), (y0, y1) = surface.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, 41), np.linspace(y0, y1, 41))
    z = surface.loss(x, y)
    lo = max(z.min(), z.max() * 1e-4)
    ax.contour(x, y, z, levels=np.geomspace(lo, z.max(), levels), colors=theme.grid,
               linewidths=0.7)
    ax.plot(*surface.minimum, "*", color=theme.text, markersize=8)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")


@figure(
    "scale-invariance",
    alt=(
        "Two contour maps of the badly scaled bowl with the loss multiplied by "
        "0.001, 1 and 1000. Left, SGD with learning rate 0.18: at 0.001 it hardly "
        "moves from the start, at 1 it zig-zags towards the minimum, at 1000 it "
        "leaves the map at the first step. Right, Adam with learning rate 0.05: the "
        "three paths lie on top of each other."
    ),
    size=(6.4, 3.3),
)
def scale_invariance(fig, theme):
    """SGD and Adam on the bowl with the loss scaled by 1e-3, 1 and 1e3."""
    styles = {1e-3: ("-", 5.0, 0.35), 1.0: ("--", 2.0, 1.0), 1e3: (":", 2.0, 1.0)}
    axes = fig.subplots(1, 2, sharey=True)
    runs = (("SGD", "sgd", lambda p: SGD(p, lr=0.18)),
            ("Adam", "adam", lambda p: Adam(p, lr=0.05)))
    for ax, (title, color, make) in zip(axes, runs, strict=True):
        _contours(ax, BOWL, theme)
        for c, (style, width, alpha) in styles.items():
            path = trajectory(make, scaled(BOWL, c), steps=60)
            ax.plot(*path.T, linestyle=style, linewidth=width, alpha=alpha,
                    color=COLORS[color], marker="o" if c == 1e-3 else None,
                    markersize=3, label=f"loss × {c:g}")
        ax.set_title(title)
        ax.set_xlabel("$x$")
    axes[0].set_ylabel("$y$")
    axes[1].legend(loc="lower right", fontsize=8)


RACERS = [
    ("SGD, lr = 0.18", "sgd", lambda p: SGD(p, lr=0.18)),
    ("momentum, lr = 0.5", "momentum", lambda p: EMAMomentum(p, lr=0.5)),
    ("RMSProp, lr = 0.05", "rmsprop", lambda p: RMSProp(p, lr=0.05)),
    ("Adam, lr = 0.05", "adam", lambda p: Adam(p, lr=0.05)),
]


@functools.cache
def _race_paths() -> tuple[np.ndarray, ...]:
    """The four racers' paths, 60 steps each from the bowl's start."""
    return tuple(trajectory(make, BOWL, steps=60) for _, _, make in RACERS)


def _race_distance(racer: int) -> float:
    """How far from the minimum (0, 0) a racer is after its 60 steps."""
    return float(np.hypot(*_race_paths()[racer][-1]))


@value("second-moment-race-sgd", decimals=2)
def race_sgd() -> float:
    return _race_distance(0)


@value("second-moment-race-momentum", decimals=2)
def race_momentum() -> float:
    return _race_distance(1)


@value("second-moment-race-rmsprop", sci=True, digits=1)
def race_rmsprop() -> float:
    return _race_distance(2)


@value("second-moment-race-adam", decimals=2)
def race_adam() -> float:
    return _race_distance(3)


@value("second-moment-race-adam-steps", integer=True)
def race_adam_steps() -> float:
    """Steps of about lr = 0.05 that cover the 1.5 from the start to the minimum."""
    return round(1.5 / 0.05)


@figure(
    "bowl-race",
    alt=(
        "Four contour maps of the badly scaled bowl, 60 steps each from the top "
        "left. SGD drops quickly to the valley floor and then crawls along it, still "
        "far from the minimum. Momentum swings across the floor and gets closer. "
        "RMSProp and Adam head diagonally for the minimum, moving both coordinates "
        "at the same pace; RMSProp arrives, Adam circles in with small overshoots."
    ),
    size=(5.6, 5.4),
)
def bowl_race(fig, theme):
    """SGD, momentum, RMSProp and Adam on the badly scaled bowl, 60 steps each."""
    axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
    for ax, (title, color, _), path in zip(axes, RACERS, _race_paths(), strict=True):
        _contours(ax, BOWL, theme)
        ax.plot(*path.T, "-o", color=COLORS[color], markersize=2.5, linewidth=1.4)
        ax.set_title(title, fontsize=10)
    for ax in axes[2:]:
        ax.set_xlabel("$x$")
    for ax in axes[::2]:
        ax.set_ylabel("$y$")
