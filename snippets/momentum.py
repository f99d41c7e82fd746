"""Layer 2, momentum: the exponential moving average of the gradients, m_t.

Functions at the top level are what the page, its figures and its tests use.
The blocks under ``if __name__ == "__main__":`` print what the page shows:
importing the module runs nothing; ``python -m snippets.momentum`` prints the
page's outputs in order.
"""

from __future__ import annotations

# --8<-- [start:setup]
from functools import partial

import numpy as np

# --8<-- [end:setup]
from snippets.figures import COLORS, figure
from snippets.optimizers import SGD, EMAMomentum, HeavyBall, trajectory
from snippets.surfaces import BOWL, NOISY_VALLEY, VALLEY


# --8<-- [start:ema]
def ema(values, beta: float) -> np.ndarray:
    """Every m_t of m_t = beta * m_{t-1} + (1 - beta) * g_t, starting from m_0 = 0."""
    m, out = 0.0, []
    for g in values:
        m = beta * m + (1 - beta) * g
        out.append(m)
    return np.array(out)


# --8<-- [end:ema]

if __name__ == "__main__":
    # --8<-- [start:ema_print]
    print(ema([1.0, 1.0, 1.0], beta=0.9).round(3))
    # --8<-- [end:ema_print]


# --8<-- [start:ema_weights]
def ema_weights(t: int, beta: float) -> np.ndarray:
    """The weights m_t gives to g_t, g_{t-1}, ..., g_1 (newest first)."""
    return (1 - beta) * beta ** np.arange(t)


# --8<-- [end:ema_weights]

if __name__ == "__main__":
    # --8<-- [start:memory]
    beta1 = 0.9
    w = ema_weights(1000, beta1)  # the weights of a long run, newest first
    age = np.arange(1, 1001)  # g_t is 1 step old, g_{t-1} 2 steps, ...
    n = round(1 / (1 - beta1))
    print("3 newest weights:", w[:3].round(3))
    print(f"mean age: {np.sum(w * age) / np.sum(w):.2f} steps; 1/(1-beta1) = {n}")
    print(f"weight of the {n} newest gradients: {w[:n].sum():.3f}")
    # --8<-- [end:memory]

if __name__ == "__main__":
    # --8<-- [start:noise]
    rng = np.random.default_rng(0)
    t = np.arange(1, 20_001)
    for beta1 in (0.9, 0.99):
        noise = ema(rng.normal(0.0, 1.0, t.size), beta1)[2000:]  # pure noise, std 1
        ramp = ema(0.001 * t, beta1)  # a gradient that grows by 0.001 a step
        lag = (0.001 * t[-1] - ramp[-1]) / 0.001
        print(f"beta1={beta1}: noise std {noise.std():.3f} "
              f"(formula {np.sqrt((1 - beta1) / (1 + beta1)):.3f}), "
              f"lag {lag:.1f} steps (formula {beta1 / (1 - beta1):.0f})")
    # --8<-- [end:noise]


@figure(
    "ema-weights",
    alt=(
        "Bar chart of the weight m_t gives to each past gradient with beta1 = 0.9: 0.1 on "
        "the newest, then 0.09, 0.081 and so on, shrinking by 0.9 a step; the 10 newest "
        "bars are highlighted and hold 65% of the total. A dashed line shows "
        "beta1 = 0.99, which starts at 0.01 and fades slowly over hundreds of steps."
    ),
    size=(6.4, 3.0),
)
def ema_weights_figure(fig, theme) -> None:
    """The weights of the EMA on past gradients, for beta1 = 0.9 and 0.99."""
    ax = fig.subplots()
    k = np.arange(40)
    w = ema_weights(40, 0.9)
    ax.bar(k[:10], w[:10], width=0.8, color=COLORS["momentum"],
           label=r"$\beta_1 = 0.9$: the 10 newest hold 65%")
    ax.bar(k[10:], w[10:], width=0.8, color=COLORS["momentum"], alpha=0.35)
    ax.step(k, ema_weights(40, 0.99), where="mid", color=theme.text, lw=1.4, ls="--",
            label=r"$\beta_1 = 0.99$: 0.01, fading over hundreds of steps")
    ax.axvline(9.5, color=theme.muted, lw=0.8, ls=":")
    ax.set_ylim(0, 0.16)
    ax.set_xlabel("steps back from the newest gradient ($0$ is $g_t$)")
    ax.set_ylabel("weight in $m_t$")
    ax.legend(loc="upper right")


@figure(
    "ema-noise",
    alt=(
        "Noisy gradients scattered around a true mean that is 1 for 120 steps and then "
        "drops to -0.5. The EMA with beta1 = 0.9 follows the mean with a small wobble and "
        "reacts to the drop within about 10 steps; with beta1 = 0.99 it is much smoother "
        "but starts from zero and lags about 100 steps behind both the start and the drop."
    ),
    size=(6.4, 3.2),
)
def ema_noise_figure(fig, theme) -> None:
    """A noisy gradient signal and its EMA for beta1 = 0.9 and 0.99."""
    ax = fig.subplots()
    t = np.arange(1, 301)
    mean = np.where(t <= 120, 1.0, -0.5)
    g = mean + np.random.default_rng(1).normal(0.0, 1.0, t.size)
    ax.plot(t, g, ".", ms=2, color=theme.muted, label="gradient $g_t$ (noisy)")
    ax.plot(t, mean, color=theme.text, lw=1.0, ls="--", label="its mean")
    ax.plot(t, ema(g, 0.9), color=COLORS["momentum"], label=r"$m_t$, $\beta_1 = 0.9$")
    ax.plot(t, ema(g, 0.99), color=COLORS["momentum"], lw=2.4, ls=(0, (1, 1)),
            label=r"$m_t$, $\beta_1 = 0.99$")
    ax.set_ylim(-3.2, 3.6)
    ax.set_xlabel("step $t$")
    ax.set_ylabel("gradient")
    ax.legend(loc="upper right", ncols=2, fontsize=8)


if __name__ == "__main__":
    # --8<-- [start:two_forms]
    alpha, beta1 = 0.1, 0.9
    ball, average = np.zeros(1), np.zeros(1)  # one parameter each, both at 0
    heavy = HeavyBall([ball], lr=alpha, momentum=beta1)
    ema_form = EMAMomentum([average], lr=alpha, beta=beta1)
    for t in range(1, 101):
        heavy.step([np.ones(1)])  # the same gradient, g_t = 1, at every step
        ema_form.step([np.ones(1)])
        if t in (1, 10, 100):
            print(f"t = {t:3d}: heavy-ball step {alpha * heavy.b[0][0]:.4f}, "
                  f"EMA step {alpha * ema_form.m[0][0]:.4f}")

    a = trajectory(partial(HeavyBall, lr=0.01, momentum=beta1), VALLEY)
    b = trajectory(partial(EMAMomentum, lr=0.01 / (1 - beta1), beta=beta1), VALLEY)
    print("heavy ball with alpha = EMA form with alpha/(1-beta1):",
          np.allclose(a, b, rtol=0, atol=1e-12))
    # --8<-- [end:two_forms]


# --8<-- [start:rate]
def rate(alpha: float, beta1: float, curvature: float) -> float:
    """How much of the distance to the minimum one step keeps, in the long run.

    For EMA momentum on one coordinate with loss curvature * theta**2 / 2: the
    larger root of r**2 - (1 + beta1 - alpha*(1 - beta1)*curvature)*r + beta1.
    With beta1 = 0 (gradient descent) it is |1 - alpha * curvature|.
    """
    roots = np.roots([1.0, -(1 + beta1 - alpha * (1 - beta1) * curvature), beta1])
    return float(np.abs(roots).max())


def steps_to(path: np.ndarray, surface, tol: float = 1e-6) -> int | None:
    """The first step at which the loss is below tol, or None if it never is."""
    below = np.flatnonzero(surface.loss(path[:, 0], path[:, 1]) < tol)
    return int(below[0]) if below.size else None


# --8<-- [end:rate]

if __name__ == "__main__":
    # --8<-- [start:valley]
    print("                 per-step factor   steps to")
    print("alpha   beta1    across   along    loss < 1e-6")
    for alpha in (0.075, 0.15):  # VALLEY: curvature 25 across, 1 along; 2/L = 0.08
        for beta1 in (0.0, 0.5):  # beta1 = 0 is gradient descent: m_t = g_t
            run = partial(EMAMomentum, lr=alpha, beta=beta1)
            steps = steps_to(trajectory(run, VALLEY, steps=300), VALLEY)
            print(f"{alpha:<8}{beta1:<9}{rate(alpha, beta1, 25):.3f}    "
                  f"{rate(alpha, beta1, 1):.3f}    {steps or 'diverges'}")
    # --8<-- [end:valley]

    # --8<-- [start:betas]
    alpha = 0.075
    print("beta1   largest stable alpha   factor at alpha=0.075   steps")
    for beta1 in (0.0, 0.5, 0.9, 0.99):
        limit = 2 * (1 + beta1) / ((1 - beta1) * 25)  # L = 25
        factor = max(rate(alpha, beta1, 25), rate(alpha, beta1, 1))
        run = partial(EMAMomentum, lr=alpha, beta=beta1)
        steps = steps_to(trajectory(run, VALLEY, steps=3000), VALLEY)
        print(f"{beta1:<8}{limit:<23.2f}{factor:<24.3f}{steps}")
    # --8<-- [end:betas]

    # --8<-- [start:jitter]
    for beta1 in (0.0, 0.9):  # the same alpha, without and with momentum
        run = partial(EMAMomentum, lr=0.01, beta=beta1)
        path = trajectory(run, NOISY_VALLEY, steps=40_000)
        settled = VALLEY.loss(path[1000:, 0], path[1000:, 1])
        print(f"alpha=0.01, beta1={beta1}: average loss once settled {settled.mean():.4f}")
    # --8<-- [end:jitter]


# --8<-- [start:best]
def best_gd(mu: float, L: float) -> float:
    """The learning rate that makes gradient descent fastest for curvatures mu to L."""
    return 2 / (mu + L)


def best_momentum(mu: float, L: float) -> tuple[float, float]:
    """Polyak's fastest (alpha, beta1) for curvatures mu to L, in Adam's EMA form."""
    beta1 = ((np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))) ** 2
    return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2 / (1 - beta1), beta1


def steps_per_decade(factor: float) -> float:
    """Steps to divide the loss by 10 when each step multiplies the distance by factor."""
    return np.log(10) / (-2 * np.log(factor))


# --8<-- [end:best]

if __name__ == "__main__":
    # --8<-- [start:bowl]
    print("kappa    GD factor   steps/10x   momentum beta1  factor   steps/10x")
    for mu, L in [(0.1, 10.0), (0.01, 100.0)]:  # BOWL, then 100 times more stretched
        gd = rate(best_gd(mu, L), 0.0, L)
        alpha, beta1 = best_momentum(mu, L)
        mom = max(rate(alpha, beta1, L), rate(alpha, beta1, mu))
        print(f"{L / mu:<9.0f}{gd:<12.4f}{steps_per_decade(gd):<12.0f}"
              f"{beta1:<16.3f}{mom:<9.4f}{steps_per_decade(mom):.0f}")

    alpha, beta1 = best_momentum(0.1, 10.0)
    gd_path = trajectory(partial(SGD, lr=best_gd(0.1, 10.0)), BOWL, steps=2000)
    momentum_path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), BOWL, steps=2000)
    print(f"BOWL, steps to a loss below 1e-6: GD {steps_to(gd_path, BOWL)}, "
          f"momentum {steps_to(momentum_path, BOWL)} (alpha={alpha:.2f})")
    kappa = ((1 + np.sqrt(0.9)) / (1 - np.sqrt(0.9))) ** 2
    print(f"beta1 = 0.9 is the best beta1 for kappa = {kappa:.0f}")
    # --8<-- [end:bowl]


def _contours(ax, surface, theme, levels: int = 6, n: int = 50) -> None:
    """Draw the surface's contour lines, its minimum and a thin frame, without ticks."""
    (x0, x1), (y0, y1) = surface.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    z = surface.loss(x, y)
    ax.contour(x, y, z, levels=np.geomspace(1e-3 * z.max(), z.max(), levels),
               colors=theme.grid, linewidths=0.8)
    ax.plot(*surface.minimum, "*", color=theme.text, ms=8, zorder=5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_linewidth(0.6)


@figure(
    "momentum-two-forms",
    alt=(
        "The step length against the step number when the gradient is the same at every "
        "step, for alpha = 0.1 and beta1 = 0.9. Gradient descent steps 0.1 every time. "
        "Heavy-ball momentum starts at 0.1 and grows to 1.0, ten times more. The EMA form "
        "starts at 0.01 and grows to 0.1, the same as gradient descent. Both momentum curves "
        "have the same shape, one ten times the other, and reach 65% of their final value "
        "after 10 steps."
    ),
    size=(6.4, 3.0),
)
def two_forms_figure(fig, theme) -> None:
    """Step lengths on a constant slope: heavy ball grows to alpha/(1-beta1), EMA to alpha."""
    ax = fig.subplots()
    alpha, beta1, t = 0.1, 0.9, np.arange(1, 51)
    ema_step = alpha * (1 - beta1**t)  # alpha * m_t with g = 1
    ax.plot(t, np.full(t.size, alpha), color=COLORS["sgd"], label="gradient descent")
    ax.plot(t, ema_step / (1 - beta1), color=COLORS["momentum"], ls="--",
            label=r"heavy ball: $\alpha z_t \to \alpha g/(1-\beta_1)$")
    ax.plot(t, ema_step, color=COLORS["momentum"],
            label=r"EMA (Adam's form): $\alpha m_t \to \alpha g$")
    ax.set_yscale("log")
    ax.set_ylim(0.005, 2)
    ax.set_xlabel("step $t$")
    ax.set_ylabel("step length")
    ax.legend(loc="lower right", fontsize=8)


@figure(
    "momentum-valley",
    alt=(
        "Left: the narrow valley with two paths from the same start. Gradient descent with "
        "alpha = 0.075 zig-zags across the valley for many steps while it moves along it. "
        "Momentum with beta1 = 0.5 and alpha = 0.15, a learning rate at which gradient "
        "descent diverges, swings across only a few times and runs down the valley to the "
        "minimum. Right: the distance to the minimum across and along the valley against "
        "the step, on a log scale: momentum's falls faster in both directions."
    ),
    size=(7.0, 3.2),
)
def momentum_valley(fig, theme) -> None:
    """Gradient descent zig-zags; momentum damps the zig-zag and runs along the valley."""
    left, right = fig.subplots(1, 2, width_ratios=[1.25, 1])
    _contours(left, VALLEY, theme)
    runs = [("gradient descent", "sgd", 0.075, 0.0), ("momentum", "momentum", 0.15, 0.5)]
    for name, color, alpha, beta1 in runs:
        path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=60)
        label = rf"{name}, $\alpha = {alpha}$" + (rf", $\beta_1 = {beta1}$" if beta1 else "")
        left.plot(path[:, 0], path[:, 1], color=COLORS[color], lw=1.2, label=label)
        right.semilogy(np.abs(path[:, 1]), color=COLORS[color], lw=1.2)
        right.semilogy(np.abs(path[:, 0]), color=COLORS[color], lw=1.2, ls="--")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=8)
    right.plot([], [], color=theme.text, label=r"across, $|y|$")
    right.plot([], [], color=theme.text, ls="--", label=r"along, $|x|$")
    right.set_ylim(1e-5, 5)
    right.set_xlabel("step $t$")
    right.set_ylabel("distance to the minimum")
    right.legend(fontsize=8, loc="lower left")


@figure(
    "momentum-betas",
    alt=(
        "Four contour maps of the valley, each with 80 steps at the same learning rate "
        "alpha = 0.075 and a different beta1. beta1 = 0 (gradient descent) zig-zags across "
        "the valley; beta1 = 0.5 stops zig-zagging after two steps; beta1 = 0.9 takes a "
        "smooth but wide path that overshoots the minimum and swings back; beta1 = 0.99 "
        "swings from wall to wall in long slow waves and is far from the minimum."
    ),
    size=(7.0, 4.2),
)
def momentum_betas(fig, theme) -> None:
    """Small multiples: the same alpha with beta1 = 0, 0.5, 0.9, 0.99."""
    for ax, beta1 in zip(fig.subplots(2, 2).flat, (0.0, 0.5, 0.9, 0.99), strict=True):
        path = trajectory(partial(EMAMomentum, lr=0.075, beta=beta1), VALLEY, steps=80)
        _contours(ax, VALLEY, theme)
        color = COLORS["sgd"] if beta1 == 0 else COLORS["momentum"]
        ax.plot(path[:, 0], path[:, 1], color=color, lw=1.2)
        ax.set_title(rf"$\beta_1 = {beta1:g}$" + (" (gradient descent)" if beta1 == 0 else ""),
                     fontsize=10)
