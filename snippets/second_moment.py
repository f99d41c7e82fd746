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
from snippets.optimizers import SGD, AdaGrad, AdamNoBiasCorrection, EMAMomentum, RMSProp, trajectory
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

    # --8<-- [start:beta2_jitter]
    for beta2 in (0.9, 0.999):  # m's memory, and v's
        v, roots = 0.0, []
        for t, g_t in enumerate(g, start=1):  # the gradients above
            v = beta2 * v + (1 - beta2) * g_t**2
            if t > 5000:  # once v has filled up
                roots.append(np.sqrt(v))
        print(f"beta2 = {beta2}: sqrt(v) between {min(roots):.2f} and {max(roots):.2f}")
    # --8<-- [end:beta2_jitter]

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
    # --8<-- [end:epsilon_floor]

    # --8<-- [start:float16]
    print("1e-8 in float16:", np.float16(1e-8))
    # --8<-- [end:float16]


# Values of the page's prose ----------------------------------------------------


@value("second-moment-memory", integer=True)
def memory() -> float:
    """The memory of v's average with beta2 = 0.999, 1 / (1 - beta2) steps."""
    return round(1 / (1 - 0.999))


@value("second-moment-mean-over-rms", decimals=2)
def mean_over_rms() -> float:
    """Mean over root mean square for gradients of mean 0.3 and spread 2."""
    return 0.3 / np.hypot(0.3, 2.0)


@value("second-moment-noisy-step-length", decimals=2)
def noisy_step_length() -> float:
    """The average length, in units of lr, of Adam's steps on the rms block's gradients
    (mean 0.3, spread 2, seed 0), back and forth: longer than the average progress."""
    g = 0.3 + 2.0 * np.random.default_rng(0).standard_normal(20_000)
    return float(fast_step_sizes(g).mean())


@functools.cache
def _sqrt_v_range(beta2: float) -> tuple[float, float]:
    """The least and largest sqrt(v) after step 5000 for the noisy gradients of the rms run."""
    g = 0.3 + 2.0 * np.random.default_rng(0).standard_normal(20_000)
    v, roots = 0.0, []
    for t, g_t in enumerate(g.tolist(), start=1):
        v = beta2 * v + (1 - beta2) * g_t**2
        if t > 5000:
            roots.append(v**0.5)
    return min(roots), max(roots)


@value("second-moment-jitter-fast-low", decimals=2)
def jitter_fast_low() -> float:
    return _sqrt_v_range(0.9)[0]


@value("second-moment-jitter-fast-high", decimals=2)
def jitter_fast_high() -> float:
    return _sqrt_v_range(0.9)[1]


@value("second-moment-jitter-fast-factor", digits=2)
def jitter_fast_factor() -> float:
    """How much larger the largest sqrt(v) is than the least with beta2 = 0.9."""
    low, high = _sqrt_v_range(0.9)
    return high / low


@value("second-moment-jitter-slow-low", decimals=2)
def jitter_slow_low() -> float:
    return _sqrt_v_range(0.999)[0]


@value("second-moment-jitter-slow-high", decimals=2)
def jitter_slow_high() -> float:
    return _sqrt_v_range(0.999)[1]


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
    # --8<-- [start:jump]
    histories = {
        "steady gradient": np.full(6000, 0.3),
        "noisy gradient": 0.3 + np.random.default_rng(1).standard_normal(6000),
        "x10 at step 5000": np.r_[np.ones(5000), np.full(1000, 10.0)],
    }
    for name, grads in histories.items():
        sizes = step_sizes(grads)  # every step's length, in units of lr
        print(f"{name:17s} median step {np.median(sizes):.2f} lr,"
              f" largest {sizes.max():.2f} lr")
    # --8<-- [end:jump]

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


@value("step-bound-noisy-window-max", decimals=2)
def step_bound_noisy_window_max() -> float:
    """The longest step of the noisy gradient within the figure's window (from step 4951)."""
    return float(_step_bound_runs()[1][4950:].max())


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


@value("second-moment-tenfold-peak-after", integer=True)
def tenfold_peak_after() -> float:
    """How many steps after the tenfold jump (at step 5001) the longest step comes."""
    sizes = fast_step_sizes(np.r_[np.ones(5000), np.full(1000, 10.0)])
    return int(np.argmax(sizes) + 1 - 5000)


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
        "5000. With a constant gradient every step is 1. With a noisy gradient "
        "(mean 0.3, spread 1) the steps stay between 0 and "
        "[[value: step-bound-noisy-window-max]], most of them far below 1. After a "
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


RACE_LR = 0.1  # one learning rate for all four racers, as in the playground
MAKERS = {  # each racer at a learning rate; RMSProp with Adam's beta2, as in the playground
    "sgd": lambda lr: (lambda p: SGD(p, lr=lr)),
    "momentum": lambda lr: (lambda p: EMAMomentum(p, lr=lr, beta=0.9)),
    "rmsprop": lambda lr: (lambda p: RMSProp(p, lr=lr, alpha=0.999)),
    "adam": lambda lr: (lambda p: Adam(p, lr=lr)),
}
RACERS = [(name, key, MAKERS[key](RACE_LR)) for name, key in
          (("SGD", "sgd"), ("momentum", "momentum"), ("RMSProp", "rmsprop"), ("Adam", "adam"))]
SWEEP = np.geomspace(1e-3, 10, 25)  # the learning rates of the sweep, 10**(1/6) apart
NEAR = 0.1 * np.hypot(*BOWL.start)  # "arrived": within a tenth of the start's distance


@functools.cache
def _race_paths() -> tuple[np.ndarray, ...]:
    """The four racers' paths, 60 steps each from the bowl's start."""
    return tuple(trajectory(make, BOWL, steps=60) for _, _, make in RACERS)


@functools.cache
def sweep_distances(key: str) -> np.ndarray:
    """A racer's distance from the minimum after 60 steps at each learning rate of SWEEP
    (inf where it diverged)."""
    ends = [trajectory(MAKERS[key](lr), BOWL, steps=60)[-1] for lr in SWEEP]
    return np.nan_to_num(np.hypot(*np.array(ends).T), nan=np.inf)


def sweep_range(key: str) -> tuple[float, float]:
    """The least and the largest learning rate of SWEEP at which a racer ends within NEAR."""
    near = SWEEP[sweep_distances(key) < NEAR]
    return (float(near.min()), float(near.max())) if near.size else (np.nan, np.nan)


@value("second-moment-sweep-near", decimals=2)
def sweep_near() -> float:
    return float(NEAR)


@value("second-moment-sweep-sgd-best", decimals=2)
def sweep_sgd_best() -> float:
    """SGD's least distance after 60 steps over the sweep."""
    return float(sweep_distances("sgd").min())


@value("second-moment-sweep-sgd-best-lr", decimals=2)
def sweep_sgd_best_lr() -> float:
    return float(SWEEP[np.argmin(sweep_distances("sgd"))])


@value("second-moment-sweep-momentum-best", digits=2)
def sweep_momentum_best() -> float:
    """Momentum's least distance after 60 steps over the sweep."""
    return float(sweep_distances("momentum").min())


@value("second-moment-sweep-adam-best", digits=2)
def sweep_adam_best() -> float:
    """Adam's least distance after 60 steps over the sweep."""
    return float(sweep_distances("adam").min())


@value("second-moment-sweep-momentum-low", digits=2)
def sweep_momentum_low() -> float:
    return sweep_range("momentum")[0]


@value("second-moment-sweep-momentum-high", digits=2)
def sweep_momentum_high() -> float:
    return sweep_range("momentum")[1]


@value("second-moment-sweep-adam-low", digits=2)
def sweep_adam_low() -> float:
    return sweep_range("adam")[0]


@value("second-moment-sweep-adam-high", digits=2)
def sweep_adam_high() -> float:
    return sweep_range("adam")[1]


@value("second-moment-sweep-rmsprop-low", digits=2)
def sweep_rmsprop_low() -> float:
    return sweep_range("rmsprop")[0]


@value("second-moment-sweep-rmsprop-high", digits=2)
def sweep_rmsprop_high() -> float:
    return sweep_range("rmsprop")[1]


@value("second-moment-rmsprop-first-step", digits=3)
def rmsprop_first_step() -> float:
    """RMSProp's first step (beta = 0.999, v from zero), in units of lr, in each coordinate."""
    path = _race_paths()[2]
    return float(abs(path[1, 0] - path[0, 0]) / RACE_LR)


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


@value("second-moment-race-adam-no-momentum", sci=True, digits=2)
def race_adam_no_momentum() -> float:
    """Adam with beta1 = 0 (its correction kept) after the race's 60 steps: the ablation
    between Adam and RMSProp, which also drops the correction."""
    end = trajectory(lambda p: Adam(p, lr=RACE_LR, betas=(0.0, 0.999)), BOWL, steps=60)[-1]
    return float(np.hypot(*end))


# The bowl stretched along its axes, a round one, and the stretched one turned by 45 degrees.
ROUND_BOWL = Surface("round bowl", lambda x, y: 0.5 * (x**2 + y**2),
                     lambda x, y: np.array([x, y], dtype=float), minimum=(0.0, 0.0),
                     bounds=BOWL.bounds, start=BOWL.start)
_TURN = np.array([[1.0, -1.0], [1.0, 1.0]]) / np.sqrt(2)  # 45 degrees anticlockwise
_TURNED_CURVATURE = _TURN @ np.diag([0.1, 10.0]) @ _TURN.T
TURNED_BOWL = Surface(
    "bowl turned by 45 degrees",
    lambda x, y: 0.5 * (_TURNED_CURVATURE[0, 0] * x**2 + 2 * _TURNED_CURVATURE[0, 1] * x * y
                        + _TURNED_CURVATURE[1, 1] * y**2),
    lambda x, y: _TURNED_CURVATURE @ np.array([x, y], dtype=float),
    minimum=(0.0, 0.0), bounds=BOWL.bounds, start=tuple(_TURN @ np.array(BOWL.start)),
)


@value("second-moment-round-gap", sci=True, digits=1)
def round_gap() -> float:
    """The largest gap between Adam's race path (lr = 0.1) on the badly scaled bowl and on
    the round bowl: zero but for epsilon, which the stretch does not scale."""
    round_path = trajectory(MAKERS["adam"](RACE_LR), ROUND_BOWL, steps=60)
    return float(np.abs(_race_paths()[3] - round_path).max())


@value("second-moment-turned-adam", digits=3)
def turned_adam() -> float:
    """Adam's distance from the minimum after the race's 60 steps at lr = 0.1 on the bowl
    turned by 45 degrees, its start turned with it."""
    return float(np.hypot(*trajectory(MAKERS["adam"](RACE_LR), TURNED_BOWL, steps=60)[-1]))


@figure(
    "bowl-race",
    alt=(
        "Four contour maps of the badly scaled bowl, 60 steps each from the top "
        "left, all four with learning rate 0.1. SGD drops quickly to the valley floor "
        "and then crawls along it, still far from the minimum. Momentum swings across "
        "the floor and crawls along it too. RMSProp and Adam move both coordinates at "
        "the same pace, along the diagonal: RMSProp's first step jumps across the "
        "minimum and back, and it arrives; Adam stays on the same diagonal line, "
        "overshoots the minimum and swings back along it, ending "
        "[[value: second-moment-race-adam]] from the minimum."
    ),
    size=(5.6, 5.4),
)
def bowl_race(fig, theme):
    """SGD, momentum, RMSProp and Adam on the badly scaled bowl, 60 steps each."""
    axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
    for ax, (title, color, _), path in zip(axes, RACERS, _race_paths(), strict=True):
        _contours(ax, BOWL, theme)
        ax.plot(*path.T, "-o", color=COLORS[color], markersize=2.5, linewidth=1.4)
        ax.set_title(f"{title}, lr = {RACE_LR:g}", fontsize=10)
    for ax in axes[2:]:
        ax.set_xlabel("$x$")
    for ax in axes[::2]:
        ax.set_ylabel("$y$")


@figure(
    "bowl-sweep",
    alt=(
        "Log-log plot of the distance from the minimum after 60 steps on the badly "
        "scaled bowl against the learning rate, from 0.001 to 10, for SGD, momentum, "
        "RMSProp and Adam. SGD never comes closer than "
        "[[value: second-moment-sweep-sgd-best]] (at learning rate "
        "[[value: second-moment-sweep-sgd-best-lr]]) and diverges above 0.2. Momentum ends "
        "within [[value: second-moment-sweep-near]] of the minimum for learning rates "
        "from [[value: second-moment-sweep-momentum-low]] to "
        "[[value: second-moment-sweep-momentum-high]], Adam from "
        "[[value: second-moment-sweep-adam-low]] to "
        "[[value: second-moment-sweep-adam-high]], RMSProp from "
        "[[value: second-moment-sweep-rmsprop-low]] up to "
        "[[value: second-moment-sweep-rmsprop-high]], the largest rate tried."
    ),
    size=(5.6, 3.6),
)
def bowl_sweep(fig, theme):
    """Each racer's distance after 60 steps at every learning rate of the sweep."""
    ax = fig.subplots()
    floor, top = 1e-8, 10.0
    for name, key, _ in RACERS:
        d = sweep_distances(key)
        keep = d < top  # diverged runs leave the plot at the top
        sgd = key == "sgd"  # drawn thicker and on top: the others cross it near 1
        ax.plot(SWEEP[keep], np.maximum(d[keep], floor), "-o", color=COLORS[key],
                markersize=3, label=name, linewidth=2.5 if sgd else 1.5, zorder=3 if sgd else 2)
    ax.axhline(NEAR, color=theme.muted, linestyle=":", linewidth=1)
    ax.axvline(RACE_LR, color=theme.muted, linestyle="--", linewidth=1)
    ax.text(SWEEP[0], NEAR * 1.4, "a tenth of the start's distance", color=theme.text,
            fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(floor / 3, top)
    ax.set_xlabel(r"learning rate $\alpha$ (dashed: the race's)")
    ax.set_ylabel(f"distance after 60 steps\n(below {floor:g}: drawn at {floor:g})",
                  fontsize=9)
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="lower left", fontsize=8)


# The picture that motivates layer 4 ------------------------------------------------

NEXT_LR, NEXT_STEPS = 0.1, 20


@functools.cache
def _next_paths() -> tuple[np.ndarray, np.ndarray]:
    """The bowl run of m / (sqrt(v) + eps) with both averages from zero (this page's step,
    uncorrected), and of Adam, at lr = 0.1."""
    return (trajectory(lambda p: AdamNoBiasCorrection(p, lr=NEXT_LR), BOWL, steps=NEXT_STEPS),
            trajectory(lambda p: Adam(p, lr=NEXT_LR), BOWL, steps=NEXT_STEPS))


def _next_steps(run: int) -> np.ndarray:
    """The length of each step in the x coordinate, in units of lr."""
    return np.abs(np.diff(_next_paths()[run][:, 0])) / NEXT_LR


@value("second-moment-next-first-step", digits=3)
def next_first_step() -> float:
    """The first step of the uncorrected division on the bowl, in units of lr."""
    return float(_next_steps(0)[0])


@value("second-moment-next-peak-step", digits=3)
def next_peak_step() -> float:
    """The longest step of the uncorrected division on the bowl, in units of lr."""
    return float(_next_steps(0).max())


@value("second-moment-next-peak-at", integer=True)
def next_peak_at() -> float:
    """The step at which the uncorrected division's step is longest."""
    return int(np.argmax(_next_steps(0)) + 1)


@figure(
    "start-at-zero",
    alt=(
        "Two panels. Left: a contour map of the badly scaled bowl with the first 20 steps, "
        "learning rate 0.1, of this page's step m over the root of v with both averages "
        "starting at zero, and of Adam. The uncorrected steps overshoot the minimum by "
        "far; Adam's steps head straight for it. Right: the length of each step in units "
        "of the learning rate: the uncorrected step starts at "
        "[[value: second-moment-next-first-step]] and reaches "
        "[[value: second-moment-next-peak-step]] at step "
        "[[value: second-moment-next-peak-at]]; Adam's stays at or below 1."
    ),
    size=(6.4, 3.0),
)
def start_at_zero(fig, theme):
    """The uncorrected division and Adam on the bowl: path and step lengths."""
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    _contours(left, BOWL, theme)
    labels = (r"$m_t/\sqrt{v_t}$, from zero", "Adam")
    colors = (theme.text, COLORS["adam"])
    for run, (label, color) in enumerate(zip(labels, colors, strict=True)):
        left.plot(*_next_paths()[run].T, "-o", color=color, linewidth=1.2,
                  markersize=4 if run == 0 else 2, zorder=3 if run == 0 else 2)
        steps = _next_steps(run)
        right.plot(np.arange(1, len(steps) + 1), steps, "-o", color=color, markersize=3,
                   label=label)
    right.axhline(1, color=theme.muted, linestyle=":", linewidth=1)
    left.set_xlabel("$x$")
    left.set_ylabel("$y$")
    right.set_xlabel("step $t$")
    right.set_ylabel(r"step in $x$ $/\ \alpha$")
    right.set_ylim(0, None)
    right.grid(True, linewidth=0.5)
    right.legend(loc="upper right", fontsize=8)


# Exercises -----------------------------------------------------------------------


@value("second-moment-exercise-adagrad-100", decimals=2)
def exercise_adagrad_100() -> float:
    """AdaGrad's 100th step, in units of lr, for a steady gradient (here 0.3)."""
    point = np.zeros(1)
    opt, before = AdaGrad([point], lr=1.0), 0.0
    for _ in range(100):
        before = point[0]
        opt.step([np.array([0.3])])
    return float(abs(point[0] - before))


@value("second-moment-exercise-adagrad-10000", decimals=2)
def exercise_adagrad_10000() -> float:
    """AdaGrad's 10,000th step, in units of lr, for a steady gradient (here 0.3)."""
    point = np.zeros(1)
    opt, before = AdaGrad([point], lr=1.0), 0.0
    for _ in range(10_000):
        before = point[0]
        opt.step([np.array([0.3])])
    return float(abs(point[0] - before))


def _tenfold(beta2: float) -> float:
    """The longest step, in units of lr, when a steady gradient of 1 jumps to 10 at 5000."""
    return float(fast_step_sizes(np.r_[np.ones(5000), np.full(1000, 10.0)], beta2=beta2).max())


@value("second-moment-exercise-tenfold-099", digits=3)
def exercise_tenfold_099() -> float:
    return _tenfold(0.99)


@value("second-moment-exercise-tenfold-09", digits=3)
def exercise_tenfold_09() -> float:
    return _tenfold(0.9)


@value("second-moment-exercise-tiny-step", sci=True, digits=3)
def exercise_tiny_step() -> float:
    """How far Adam (lr = 1e-3) moves a parameter per step on a steady gradient of 1e-9."""
    theta, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
    for t in range(1, 11):
        new, m, v = adam_step(theta, np.array([1e-9]), m, v, t, lr=1e-3)
        step, theta = float(theta[0] - new[0]), new
    return step


@value("second-moment-exercise-tiny-sgd-rate", sci=True, digits=3)
def exercise_tiny_sgd_rate() -> float:
    """The SGD learning rate that moves that parameter as far: step / gradient."""
    return exercise_tiny_step() / 1e-9
