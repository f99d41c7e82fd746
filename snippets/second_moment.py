"""Layer 3, the second moment: per-parameter step sizes from v_t, the mean of g**2.

Functions at the top level are what the page and its figures use. The blocks under
``if __name__ == "__main__":`` print what the page shows: importing the module runs
nothing, ``python -m snippets.second_moment`` prints the page's outputs in order.
"""

from __future__ import annotations

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
        "gradients well above its epsilon, is 0.5 where the gradient equals epsilon, "
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


def _step_bound_cases() -> list[tuple[str, np.ndarray]]:
    """The four gradient histories of the step-bound figure."""
    quiet = np.zeros(5000)
    return [
        ("constant gradient", np.full(5100, 0.3)),
        ("noisy gradient", 0.3 + np.random.default_rng(1).standard_normal(5100)),
        ("one spike after 5000 zeros", np.r_[quiet, 1.0, np.zeros(99)]),
        ("gradient ×10 at step 5000", np.r_[np.ones(5000), np.full(100, 10.0)]),
    ]


def _largest_step(case: int) -> float:
    return float(step_sizes(_step_bound_cases()[case][1]).max())


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
    for ax, (name, grads) in zip(axes, _step_bound_cases(), strict=True):
        t = np.arange(1, len(grads) + 1)
        keep = t > 4950
        ax.plot(t[keep], step_sizes(grads)[keep], color=COLORS["adam"])
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
        "three paths lie exactly on top of each other."
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
    racers = [
        ("SGD, lr = 0.18", "sgd", lambda p: SGD(p, lr=0.18)),
        ("momentum, lr = 0.5", "momentum", lambda p: EMAMomentum(p, lr=0.5)),
        ("RMSProp, lr = 0.05", "rmsprop", lambda p: RMSProp(p, lr=0.05)),
        ("Adam, lr = 0.05", "adam", lambda p: Adam(p, lr=0.05)),
    ]
    axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
    for ax, (title, color, make) in zip(axes, racers, strict=True):
        _contours(ax, BOWL, theme)
        path = trajectory(make, BOWL, steps=60)
        ax.plot(*path.T, "-o", color=COLORS[color], markersize=2.5, linewidth=1.4)
        ax.set_title(title, fontsize=10)
    for ax in axes[2:]:
        ax.set_xlabel("$x$")
    for ax in axes[::2]:
        ax.set_ylabel("$y$")
