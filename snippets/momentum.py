"""Layer 2, momentum: the exponential moving average of the gradients, m_t.

Functions at the top level are what the page, its figures and its tests use.
The blocks under ``if __name__ == "__main__":`` print what the page shows:
importing the module runs nothing; ``python -m snippets.momentum`` prints the
page's outputs in order.
"""

from __future__ import annotations

import functools
from dataclasses import replace

# --8<-- [start:setup]
from functools import partial

import numpy as np

# --8<-- [end:setup]
from snippets.figures import COLORS, figure
from snippets.landscape import diagonal_paths
from snippets.optimizers import SGD, EMAMomentum, HeavyBall, trajectory
from snippets.surfaces import BOWL, NOISY_VALLEY, VALLEY, Surface
from snippets.values import value


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

if __name__ == "__main__":
    # --8<-- [start:noise_std]
    beta1 = 0.9
    rng = np.random.default_rng(0)
    noise = ema(rng.normal(0.0, 1.0, 20_000), beta1)[2000:]  # noise of std 1
    print(f"std of the noise left in m_t: {noise.std():.3f} "
          f"(formula {np.sqrt((1 - beta1) / (1 + beta1)):.3f})")
    # --8<-- [end:noise_std]


@figure(
    "ema-weights",
    alt=(
        "Bar chart of the weight m_t gives to each past gradient with beta1 = 0.9: "
        "[[value: momentum-weight-newest]] on the newest, then "
        "[[value: momentum-weight-second]], [[value: momentum-weight-third]] and so on, "
        "shrinking by 0.9 a step; the 10 newest bars are highlighted and hold "
        "[[value: momentum-ten-newest-share]] of the total. A dashed line shows "
        "beta1 = 0.99, which starts at [[value: momentum-weight-newest-099]] and fades "
        "slowly over hundreds of steps."
    ),
    size=(6.4, 3.0),
)
def ema_weights_figure(fig, theme) -> None:
    """The weights of the EMA on past gradients, for beta1 = 0.9 and 0.99."""
    ax = fig.subplots()
    k = np.arange(40)
    w = ema_weights(40, 0.9)
    ax.bar(k[:10], w[:10], width=0.8, color=COLORS["momentum"],
           label=rf"$\beta_1 = 0.9$: the 10 newest hold {ten_newest_share():.0%}")
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
        "but starts from zero and lags about [[value: momentum-lag-099]] steps behind both "
        "the start and the drop."
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
    """The step from which the loss stays below tol, or None if it ends above it.

    A swinging path can dip below tol and climb back: the step counted is the one
    after its last loss that is not below tol (nan, from a diverging run, is not).
    """
    above = np.flatnonzero(~(surface.loss(path[:, 0], path[:, 1]) < tol))
    if above.size and above[-1] == len(path) - 1:
        return None
    return int(above[-1] + 1) if above.size else 0


# --8<-- [end:rate]


# --8<-- [start:noise_floor]
def noise_floor(alpha: float, beta1: float, curvatures, sigma: float) -> float:
    """The average loss EMA momentum settles at on a quadratic with gradient noise sigma.

    Exact once settled, for independent noise; beta1 = 0 gives SGD's floor,
    alpha sigma^2 / 2 * sum 1 / (2 - alpha lam), the landscape page's formula.
    """
    shrink = (1 - beta1) / (1 + beta1)  # momentum's factor on alpha * lam in the formula
    return alpha * sigma**2 / 2 * sum(1 / (2 - alpha * lam * shrink) for lam in curvatures)


# --8<-- [end:noise_floor]

if __name__ == "__main__":
    # --8<-- [start:valley_race]
    # beta1 = 0 is gradient descent; 0.15 is above its limit, 2/25 = 0.08
    for alpha, beta1 in [(0.075, 0.0), (0.15, 0.0), (0.15, 0.5)]:
        run = partial(EMAMomentum, lr=alpha, beta=beta1)
        steps = steps_to(trajectory(run, VALLEY, steps=300), VALLEY)
        result = f"loss below 1e-6 for good after {steps} steps"
        print(f"alpha={alpha}, beta1={beta1}: {result if steps else 'diverges'}")
    # --8<-- [end:valley_race]

    # --8<-- [start:valley]
    print("                 per-step factor   steps until")
    print("alpha   beta1    across   along    loss stays < 1e-6")
    for alpha in (0.075, 0.15):  # VALLEY: curvature 25 across, 1 along; 2/L = 0.08
        for beta1 in (0.0, 0.5):  # beta1 = 0 is gradient descent: m_t = g_t
            run = partial(EMAMomentum, lr=alpha, beta=beta1)
            steps = steps_to(trajectory(run, VALLEY, steps=300), VALLEY)
            print(f"{alpha:<8}{beta1:<9}{rate(alpha, beta1, 25):.3f}    "
                  f"{rate(alpha, beta1, 1):.3f}    {steps or 'diverges'}")
    # --8<-- [end:valley]

    # --8<-- [start:betas]
    alpha = 0.075
    print("beta1   largest stable alpha   factor at alpha=0.075   steps")  # until < 1e-6
    for beta1 in (0.0, 0.5, 0.9, 0.99):
        limit = 2 * (1 + beta1) / ((1 - beta1) * 25)  # L = 25
        factor = max(rate(alpha, beta1, 25), rate(alpha, beta1, 1))
        run = partial(EMAMomentum, lr=alpha, beta=beta1)
        steps = steps_to(trajectory(run, VALLEY, steps=3000), VALLEY)
        print(f"{beta1:<8}{limit:<23.2f}{factor:<24.3f}{steps}")
    # --8<-- [end:betas]

    # --8<-- [start:jitter]
    print("alpha   exact floor: SGD   momentum   lower by")
    for alpha in (0.01, 0.02, 0.04, 0.07):  # on the valley SGD is stable below 2/25 = 0.08
        sgd, mom = (noise_floor(alpha, beta1, [1, 25], 1.0) for beta1 in (0.0, 0.9))
        print(f"{alpha:<8}{sgd:<19.4f}{mom:<11.4f}{1 - mom / sgd:.0%}")
    for alpha in (0.01, 0.07):  # measured: one run of each, 40,000 steps
        settled = []
        for beta1 in (0.0, 0.9):  # the same alpha, without and with momentum
            path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), NOISY_VALLEY,
                              steps=40_000)
            settled.append(VALLEY.loss(path[1000:, 0], path[1000:, 1]).mean())
        print(f"alpha={alpha}, average loss once settled: "
              f"SGD {settled[0]:.4f}, momentum {settled[1]:.4f}")
    # --8<-- [end:jitter]


# --8<-- [start:best]
def best_gd(mu: float, L: float) -> float:
    """Gradient descent's learning rate with the best long-run factor, curvatures mu to L."""
    return 2 / (mu + L)


def best_momentum(mu: float, L: float) -> tuple[float, float]:
    """Polyak's (alpha, beta1) with the best long-run factor for curvatures mu to L, in
    Adam's EMA form."""
    beta1 = ((np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))) ** 2
    return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2 / (1 - beta1), beta1


def steps_per_decade(factor: float) -> float:
    """Steps to divide the loss by 10 when each step multiplies the distance by factor."""
    return np.log(10) / (-2 * np.log(factor))


def stretched_bowl(mu: float, L: float) -> Surface:
    """A bowl with curvature mu along x and L along y, started where BOWL is."""
    return replace(BOWL, name=f"bowl, kappa {L / mu:g}",
                   loss=lambda x, y: 0.5 * (mu * x**2 + L * y**2),
                   grad=lambda x, y: np.array([mu * x, L * y]))


# --8<-- [end:best]

if __name__ == "__main__":
    # --8<-- [start:bowl]
    # factor and steps/10x: in the long run; first 10x: momentum's first, measured
    print("kappa    GD factor   steps/10x   momentum beta1  factor   steps/10x   first 10x")
    for mu, L in [(0.1, 10.0), (0.01, 100.0)]:  # BOWL, then 100 times more stretched
        gd = rate(best_gd(mu, L), 0.0, L)
        alpha, beta1 = best_momentum(mu, L)
        mom = max(rate(alpha, beta1, L), rate(alpha, beta1, mu))
        bowl = stretched_bowl(mu, L)  # momentum's first tenfold drop from the start:
        path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), bowl, steps=1000)
        first = steps_to(path, bowl, tol=bowl.loss(*bowl.start) / 10)
        print(f"{L / mu:<9.0f}{gd:<12.4f}{steps_per_decade(gd):<12.0f}"
              f"{beta1:<16.3f}{mom:<9.4f}{steps_per_decade(mom):<12.0f}{first}")

    alpha, beta1 = best_momentum(0.1, 10.0)
    gd_path = trajectory(partial(SGD, lr=best_gd(0.1, 10.0)), BOWL, steps=2000)
    momentum_path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), BOWL, steps=2000)
    print(f"BOWL, steps until the loss stays below 1e-6: GD {steps_to(gd_path, BOWL)}, "
          f"momentum {steps_to(momentum_path, BOWL)} (alpha={alpha:.2f})")
    kappa = ((1 + np.sqrt(0.9)) / (1 - np.sqrt(0.9))) ** 2
    print(f"beta1 = 0.9 is the best beta1 for kappa = {kappa:.0f}")
    # --8<-- [end:bowl]

if __name__ == "__main__":
    # --8<-- [start:exercise_noise]
    beta1 = 0.99
    noise = ema(np.random.default_rng(0).normal(0.0, 1.0, 20_000), beta1)[2000:]
    print(f"beta1={beta1}: std of the noise left {noise.std():.3f} "
          f"(formula {np.sqrt((1 - beta1) / (1 + beta1)):.3f}), "
          f"memory {1 / (1 - beta1):.0f} gradients")
    # --8<-- [end:exercise_noise]

    # --8<-- [start:exercise_fill]
    for beta1 in (0.9, 0.99):
        m = ema(np.ones(1000), beta1)  # the same gradient, 1, at every step
        print(f"beta1={beta1}: m_t first reaches 0.9 at step {np.argmax(m >= 0.9) + 1}")
    # --8<-- [end:exercise_fill]

    # --8<-- [start:exercise_valley]
    for alpha in (0.2, 0.25):  # both above gradient descent's limit, 0.08
        run = partial(EMAMomentum, lr=alpha, beta=0.5)
        steps = steps_to(trajectory(run, VALLEY, steps=300), VALLEY)
        result = f"loss below 1e-6 for good after {steps} steps"
        print(f"alpha={alpha}, beta1=0.5: {result if steps else 'diverges'}")
    # --8<-- [end:exercise_valley]


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
        "step, for alpha = 0.1 and beta1 = 0.9. Gradient descent steps alpha every time. "
        "Heavy-ball momentum starts at [[value: momentum-heavy-first-step]] and grows to "
        "[[value: momentum-heavy-final-step]], ten times more. The EMA form starts at "
        "[[value: momentum-ema-first-step]] and grows to [[value: momentum-ema-final-step]], "
        "the same as gradient descent. Both momentum curves have the same shape, one ten "
        "times the other, and reach [[value: momentum-ten-newest-share]] of their final "
        "value after 10 steps."
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
        "descent diverges, still crosses the valley floor every one or two steps, but "
        "after [[value: momentum-crossings-fast]] wide swings it stays, from step "
        "[[value: momentum-tenth-fast]] on, within a tenth of its starting distance across "
        "(gradient descent: from step [[value: momentum-tenth-gd]]), and runs down the "
        "valley to the minimum. Right: the distance to the minimum across and along the "
        "valley against the step, on a log scale: momentum's falls faster in both "
        "directions."
    ),
    size=(6.4, 5.6),
)
def momentum_valley(fig, theme) -> None:
    """Gradient descent zig-zags; momentum damps the zig-zag and runs along the valley."""
    left, right = fig.subplots(2, 1, height_ratios=[1.5, 1])
    _contours(left, VALLEY, theme)
    runs = [("gradient descent", "sgd", 0.075, 0.0), ("momentum", "momentum", 0.15, 0.5)]
    for name, color, alpha, beta1 in runs:
        path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=60)
        label = rf"{name}, $\alpha = {alpha}$" + (rf", $\beta_1 = {beta1}$" if beta1 else "")
        left.plot(path[:, 0], path[:, 1], color=COLORS[color], lw=1.4, label=label)
        left.plot(*path[0], "o", color=theme.text, ms=4)
        right.semilogy(np.abs(path[:, 1]), color=COLORS[color], lw=1.4)
        right.semilogy(np.abs(path[:, 0]), color=COLORS[color], lw=1.4, ls="--")
    left.plot([], [], color=theme.text, label=r"below: across the valley, $|y|$")
    left.plot([], [], color=theme.text, ls="--", label=r"below: along it, $|x|$")
    left.set_title("the paths on the valley, 60 steps from the dot", fontsize=9)
    fig.legend(*left.get_legend_handles_labels(), loc="outside upper center", ncols=2,
               fontsize=8)
    right.set_ylim(1e-5, 5)
    right.set_xlabel("step $t$")
    right.set_ylabel("distance to\nthe minimum")


@figure(
    "momentum-betas",
    alt=(
        "Four contour maps of the valley, each with 80 steps at the same learning rate "
        "alpha = 0.075 and a different beta1. beta1 = 0 (gradient descent) zig-zags across "
        "the valley; beta1 = 0.5 no longer flips sides at every step but swings across "
        "in a damped wave with a period of [[value: momentum-swing-period-05]] steps, "
        "within [[value: momentum-swing-left-05]] of its starting distance across from "
        "step 10 on; "
        "beta1 = 0.9 takes a "
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


@figure(
    "momentum-stretch",
    alt=(
        "Log-log plot of the steps needed, in the long run, to divide the loss by 10 "
        "against the condition number kappa of a stretched bowl, for gradient descent and "
        "for momentum, each at the settings with its best long-run factor. Gradient "
        "descent's line rises as kappa: "
        "[[value: momentum-decade-gd-100]] steps at kappa = 100, "
        "[[value: momentum-decade-gd-10000]] at kappa = 10,000. Momentum's line rises as "
        "the square root of kappa: [[value: momentum-decade-100]] steps, then "
        "[[value: momentum-decade-10000]]. Both keep rising: with one learning rate for "
        "every coordinate, the more stretched the landscape, the slower."
    ),
    size=(6.4, 3.0),
)
def momentum_stretch(fig, theme) -> None:
    """Steps per tenfold loss drop against kappa: GD grows as kappa, momentum as sqrt(kappa)."""
    ax = fig.subplots()
    kappa = np.geomspace(10, 1e5, 60)
    gd = [steps_per_decade(rate(best_gd(1.0, k), 0.0, k)) for k in kappa]
    mom = []
    for k in kappa:  # curvatures 1 to k, Polyak's best alpha and beta1
        alpha, beta1 = best_momentum(1.0, k)
        mom.append(steps_per_decade(max(rate(alpha, beta1, k), rate(alpha, beta1, 1.0))))
    ax.loglog(kappa, gd, color=COLORS["sgd"], lw=1.6,
              label=r"gradient descent, best $\alpha$: grows as $\kappa$")
    ax.loglog(kappa, mom, color=COLORS["momentum"], lw=1.6,
              label=r"momentum, best $\alpha$ and $\beta_1$: grows as $\sqrt{\kappa}$")
    for k in (100.0, 10_000.0):
        gd_k, mom_k, _ = _bowls()[k]
        ax.plot([k, k], [gd_k, mom_k], "o", color=theme.text, ms=4)
        ax.annotate(f"{gd_k:.0f}", (k, gd_k), xytext=(6, -10), textcoords="offset points",
                    fontsize=8, color=theme.text)
        ax.annotate(f"{mom_k:.0f}", (k, mom_k), xytext=(6, -10), textcoords="offset points",
                    fontsize=8, color=theme.text)
    ax.set_xlabel(r"condition number $\kappa$ (largest curvature / smallest)")
    ax.set_ylabel("steps per tenfold\nloss drop, long run")
    ax.legend(loc="upper left", fontsize=8)


# The numbers the page states, computed by the code above (see snippets/values.py).


@value("momentum-ema-three-ones", digits=3)
def ema_three_ones() -> float:
    """m_3 after three gradients of 1 with beta1 = 0.9."""
    return float(ema([1.0, 1.0, 1.0], 0.9)[-1])


@value("momentum-weight-newest", digits=1)
def weight_newest() -> float:
    """The weight m_t gives to g_t, beta1 = 0.9."""
    return float(ema_weights(3, 0.9)[0])


@value("momentum-weight-second", digits=1)
def weight_second() -> float:
    """The weight m_t gives to g_{t-1}, beta1 = 0.9."""
    return float(ema_weights(3, 0.9)[1])


@value("momentum-weight-third", digits=2)
def weight_third() -> float:
    """The weight m_t gives to g_{t-2}, beta1 = 0.9."""
    return float(ema_weights(3, 0.9)[2])


@value("momentum-weight-newest-099", digits=1)
def weight_newest_099() -> float:
    """The weight m_t gives to g_t, beta1 = 0.99."""
    return float(ema_weights(1, 0.99)[0])


@value("momentum-fade-e", digits=2)
def fade_e() -> float:
    """beta1 ** (1 / (1 - beta1)) tends to 1/e as beta1 tends to 1."""
    return float(np.exp(-1))


@value("momentum-fade-ten", digits=2)
def fade_ten() -> float:
    """What is left of a weight after 1/(1 - beta1) = 10 steps with beta1 = 0.9."""
    return float(ema_weights(11, 0.9)[10] / ema_weights(11, 0.9)[0])


@value("momentum-ten-newest-share", digits=2, percent=True)
def ten_newest_share() -> float:
    """The total weight of the 10 newest gradients in a long run, beta1 = 0.9."""
    return float(ema_weights(10, 0.9).sum())


def _memory(beta1: float) -> float:
    """1 / (1 - beta1), the mean age of the gradients in m_t (see the memory block)."""
    w = ema_weights(100_000, beta1)
    return float(np.sum(w * np.arange(1, w.size + 1)) / np.sum(w))


@value("momentum-memory-099", integer=True)
def memory_099() -> float:
    return round(_memory(0.99))


@value("momentum-memory-05", integer=True)
def memory_05() -> float:
    return round(_memory(0.5))


@value("momentum-window-09", integer=True)
def window_09() -> float:
    """The plain average with the EMA's noise: (1 + beta1) / (1 - beta1) gradients."""
    return round((1 + 0.9) / (1 - 0.9))


@value("momentum-window-lag-09", integer=True)
def window_lag_09() -> float:
    """How far that plain average lags a trend: (n - 1) / 2 steps."""
    return round((window_09() - 1) / 2)


def _ema(values: np.ndarray, beta: float) -> np.ndarray:
    """ema(values, beta) on plain floats: the same operations, so the same numbers (the
    page's ema computes them on NumPy scalars, a few times slower)."""
    m, out = 0.0, []
    for g in values.tolist():
        m = beta * m + (1 - beta) * g
        out.append(m)
    return np.array(out)


@functools.cache
def _noise_run() -> dict[float, tuple[float, float]]:
    """The noise block's run: for each beta1, (measured noise std, lag in steps)."""
    rng = np.random.default_rng(0)
    t = np.arange(1, 20_001)
    out = {}
    for beta1 in (0.9, 0.99):
        noise = _ema(rng.normal(0.0, 1.0, t.size), beta1)[2000:]
        ramp = _ema(0.001 * t, beta1)
        out[beta1] = float(noise.std()), float((0.001 * t[-1] - ramp[-1]) / 0.001)
    return out


def noise_ratio(beta1: float) -> float:
    """The factor by which the EMA shrinks the standard deviation of white noise."""
    return float(np.sqrt((1 - beta1) / (1 + beta1)))


@value("momentum-noise-ratio-09", decimals=2)
def noise_ratio_09() -> float:
    return noise_ratio(0.9)


@value("momentum-lag-09", integer=True)
def lag_09() -> float:
    return round(_noise_run()[0.9][1])


@value("momentum-lag-099", integer=True)
def lag_099() -> float:
    return round(_noise_run()[0.99][1])


@value("momentum-noise-excess-min", digits=1, percent=True)
def noise_excess_min() -> float:
    """The smaller of the two measured noise stds' excess over the formula."""
    return min(_noise_run()[b][0] / noise_ratio(b) - 1 for b in (0.9, 0.99))


@value("momentum-noise-excess-max", digits=1, percent=True)
def noise_excess_max() -> float:
    """The larger of the two measured noise stds' excess over the formula."""
    return max(_noise_run()[b][0] / noise_ratio(b) - 1 for b in (0.9, 0.99))


@functools.cache
def _seed_noise(runs: int) -> np.ndarray:
    """The gradients of _noise_seeds, pure noise from seeds 1..runs: one row a step, one
    column a seed."""
    return np.stack([np.random.default_rng(seed).normal(0.0, 1.0, 20_000)
                     for seed in range(1, runs + 1)], axis=1)


@functools.cache
def _noise_seeds(beta1: float, runs: int = 200) -> np.ndarray:
    """The noise block's measurement repeated with seeds 1..runs: excess over the formula."""
    new = (1 - beta1) * _seed_noise(runs)  # (1 - beta1) * g_t, every step's at once
    kept = np.empty_like(new)
    m = np.zeros(runs)
    for t in range(len(new)):  # ema() on all runs at once: m = beta1 * m + (1 - beta1) * g_t
        m = np.multiply(m, beta1, out=kept[t])
        m += new[t]
    return np.ascontiguousarray(kept.T)[:, 2000:].std(axis=1) / noise_ratio(beta1) - 1


@value("momentum-noise-excess-mean-09", digits=1, percent=True)
def noise_excess_mean_09() -> float:
    return float(_noise_seeds(0.9).mean())


@value("momentum-noise-excess-mean-099", digits=1, percent=True)
def noise_excess_mean_099() -> float:
    return float(_noise_seeds(0.99).mean())


@value("momentum-noise-excess-spread-09", digits=2, percent=True)
def noise_excess_spread_09() -> float:
    return float(_noise_seeds(0.9).std())


@value("momentum-noise-excess-spread-099", digits=2, percent=True)
def noise_excess_spread_099() -> float:
    return float(_noise_seeds(0.99).std())


@functools.cache
def _two_forms_steps(t: int) -> tuple[float, float]:
    """Heavy-ball and EMA step lengths at step t on a steady slope (alpha 0.1, beta1 0.9)."""
    alpha, beta1 = 0.1, 0.9
    heavy = HeavyBall([np.zeros(1)], lr=alpha, momentum=beta1)
    average = EMAMomentum([np.zeros(1)], lr=alpha, beta=beta1)
    for _ in range(t):
        heavy.step([np.ones(1)])
        average.step([np.ones(1)])
    return float(alpha * heavy.b[0][0]), float(alpha * average.m[0][0])


@value("momentum-heavy-first-step", digits=1)
def heavy_first_step() -> float:
    return _two_forms_steps(1)[0]


@value("momentum-heavy-final-step", digits=2)
def heavy_final_step() -> float:
    return _two_forms_steps(1000)[0]


@value("momentum-ema-first-step", digits=1)
def ema_first_step() -> float:
    return _two_forms_steps(1)[1]


@value("momentum-ema-final-step", digits=1)
def ema_final_step() -> float:
    return _two_forms_steps(1000)[1]


@value("momentum-gd-limit", decimals=2)
def gd_limit() -> float:
    """Gradient descent's largest stable learning rate on the valley, 2 / L."""
    return stability_limit(0.0)


def stability_limit(beta1: float, curvature: float = 25.0) -> float:
    """EMA momentum's largest stable learning rate, 2 (1 + beta1) / ((1 - beta1) L)."""
    return 2 * (1 + beta1) / ((1 - beta1) * curvature)


@value("momentum-limit-05", decimals=2)
def limit_05() -> float:
    return stability_limit(0.5)


@value("momentum-limit-09", decimals=2)
def limit_09() -> float:
    return stability_limit(0.9)


@value("momentum-limit-099", digits=3)
def limit_099() -> float:
    return stability_limit(0.99)


@value("momentum-limit-ratio-09", integer=True)
def limit_ratio_09() -> float:
    return round(stability_limit(0.9) / stability_limit(0.0))


@value("momentum-factor-across-gd", decimals=3)
def factor_across_gd() -> float:
    return rate(0.075, 0.0, 25)


@value("momentum-factor-across", decimals=3)
def factor_across() -> float:
    """Momentum's factor across the valley, beta1 = 0.5: sqrt(0.5) at either alpha."""
    return rate(0.075, 0.5, 25)


@value("momentum-factor-along-gd", decimals=3)
def factor_along_gd() -> float:
    return rate(0.075, 0.0, 1)


@value("momentum-factor-along", decimals=3)
def factor_along() -> float:
    return rate(0.075, 0.5, 1)


@value("momentum-factor-across-gd-large", decimals=2)
def factor_across_gd_large() -> float:
    return rate(0.15, 0.0, 25)


@value("momentum-factor-along-large", decimals=3)
def factor_along_large() -> float:
    return rate(0.15, 0.5, 1)


@value("momentum-factor-floor-09", decimals=3)
def factor_floor_09() -> float:
    """The least any step keeps with beta1 = 0.9, whatever alpha: sqrt(0.9)."""
    return float(np.sqrt(0.9))


@functools.cache
def _valley_path(alpha: float, beta1: float, steps: int = 3000) -> np.ndarray:
    """trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=steps)."""
    return diagonal_paths(VALLEY, [alpha], [beta1], steps=steps)[:, 0]


def valley_steps(alpha: float, beta1: float, steps: int = 3000) -> int | None:
    """Steps of EMA momentum until the loss stays below 1e-6 on the valley (None: never)."""
    return steps_to(_valley_path(alpha, beta1, steps), VALLEY)


def first_dip(path: np.ndarray, surface, tol: float = 1e-6) -> int | None:
    """The first step at which the loss is below tol (it may climb back above it)."""
    below = np.flatnonzero(surface.loss(path[:, 0], path[:, 1]) < tol)
    return int(below[0]) if below.size else None


@value("momentum-valley-steps-gd", integer=True)
def valley_steps_gd() -> float:
    return valley_steps(0.075, 0.0)


@value("momentum-valley-steps-fast", integer=True)
def valley_steps_fast() -> float:
    return valley_steps(0.15, 0.5)


@value("momentum-valley-steps-099", integer=True)
def valley_steps_099() -> float:
    return valley_steps(0.075, 0.99)


@value("momentum-valley-dip-099", integer=True)
def valley_dip_099() -> float:
    """The first step at which beta1 = 0.99 (alpha = 0.075) dips below 1e-6 on the valley."""
    return first_dip(_valley_path(0.075, 0.99), VALLEY)


@value("momentum-valley-steps-tuned", integer=True)
def valley_steps_tuned() -> float:
    """Steps of momentum with Polyak's settings for the valley's curvatures, 1 and 25."""
    return valley_steps(*(float(v) for v in best_momentum(1.0, 25.0)))


@functools.cache
def _across(alpha: float, beta1: float, steps: int = 80) -> np.ndarray:
    """|y| / |y_0|, the distance across the valley relative to the start, at every step."""
    y = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=steps)[:, 1]
    return np.abs(y / y[0])


def swing_period(alpha: float, beta1: float, curvature: float = 25.0) -> float:
    """Steps per full swing across: 2 pi over the angle of the complex roots of `rate`."""
    roots = np.roots([1.0, -(1 + beta1 - alpha * (1 - beta1) * curvature), beta1])
    return float(2 * np.pi / abs(np.angle(roots[0])))


def within_a_tenth(alpha: float, beta1: float) -> int:
    """The first step from which the distance across stays below a tenth of the start."""
    above = np.flatnonzero(_across(alpha, beta1) >= 0.1)
    return int(above[-1] + 1)


def crossings(alpha: float, beta1: float, steps: int) -> int:
    """How many times the path crosses the valley floor (y changes sign) in `steps` steps."""
    y = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=steps)[:, 1]
    return int(np.sum(np.sign(y[1:]) * np.sign(y[:-1]) < 0))


@value("momentum-swing-period-05", digits=2)
def swing_period_05() -> float:
    """The period of the damped swing across with beta1 = 0.5 at alpha = 0.075."""
    return swing_period(0.075, 0.5)


@value("momentum-swing-period-fast", digits=2)
def swing_period_fast() -> float:
    """The same at alpha = 0.15 (the valley figure's momentum run)."""
    return swing_period(0.15, 0.5)


@value("momentum-swing-left-05", digits=2, percent=True)
def swing_left_05() -> float:
    """The widest swing across from step 10 on, beta1 = 0.5, alpha = 0.075, of the start."""
    return float(_across(0.075, 0.5)[10:].max())


@value("momentum-swing-left-gd", digits=2, percent=True)
def swing_left_gd() -> float:
    """The same for gradient descent at alpha = 0.075."""
    return float(_across(0.075, 0.0)[10:].max())


@value("momentum-tenth-fast", integer=True)
def tenth_fast() -> float:
    """From this step on momentum (0.15, 0.5) stays within a tenth of its start across."""
    return within_a_tenth(0.15, 0.5)


@value("momentum-tenth-gd", integer=True)
def tenth_gd() -> float:
    """The same for gradient descent at alpha = 0.075."""
    return within_a_tenth(0.075, 0.0)


@value("momentum-crossings-fast", integer=True)
def crossings_fast() -> float:
    """Floor crossings of momentum (0.15, 0.5) before it stays within a tenth across."""
    return crossings(0.15, 0.5, tenth_fast())


JITTER_RUNS = ((0.0, 0.01), (0.9, 0.01), (0.0, 0.07), (0.9, 0.07))  # (beta1, alpha)


@functools.cache
def _jitter_paths(steps: int) -> np.ndarray:
    """The jitter block's four measured runs, on the same noise (see diagonal_paths)."""
    return diagonal_paths(NOISY_VALLEY, [alpha for _, alpha in JITTER_RUNS],
                          [beta1 for beta1, _ in JITTER_RUNS], steps=steps)


@functools.cache
def jitter(beta1: float, alpha: float = 0.01, steps: int = 40_000) -> float:
    """The average loss of EMA momentum on the noisy valley once settled (the jitter block).

    The path is trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), NOISY_VALLEY,
    steps=steps)."""
    if (beta1, alpha) in JITTER_RUNS:
        path = _jitter_paths(steps)[:, JITTER_RUNS.index((beta1, alpha))]
    else:
        path = diagonal_paths(NOISY_VALLEY, [alpha], [beta1], steps=steps)[:, 0]
    return float(VALLEY.loss(path[1000:, 0], path[1000:, 1]).mean())


@value("momentum-jitter-sgd", digits=2)
def jitter_sgd() -> float:
    return jitter(0.0)


@value("momentum-jitter-momentum", digits=2)
def jitter_momentum() -> float:
    return jitter(0.9)


@value("momentum-jitter-sgd-large", digits=2)
def jitter_sgd_large() -> float:
    return jitter(0.0, 0.07)


@value("momentum-jitter-momentum-large", digits=2)
def jitter_momentum_large() -> float:
    return jitter(0.9, 0.07)


def floor_drop(alpha: float, beta1: float = 0.9) -> float:
    """How much lower momentum's exact noise floor on the valley is than SGD's, same alpha."""
    return 1 - noise_floor(alpha, beta1, [1, 25], 1.0) / noise_floor(alpha, 0.0, [1, 25], 1.0)


@value("momentum-floor-drop-small", digits=1, percent=True)
def floor_drop_small() -> float:
    """At alpha = 0.01, an eighth of SGD's limit on the valley."""
    return floor_drop(0.01)


@value("momentum-floor-drop-large", digits=2, percent=True)
def floor_drop_large() -> float:
    """At alpha = 0.07, just under SGD's limit 2/25 = 0.08."""
    return floor_drop(0.07)


@value("momentum-floor-halving-drop", digits=2, percent=True)
def floor_halving_drop() -> float:
    """How much lower SGD's floor is at alpha = 0.005 than at 0.01."""
    return 1 - noise_floor(0.005, 0.0, [1, 25], 1.0) / noise_floor(0.01, 0.0, [1, 25], 1.0)


@value("momentum-floor-heavy-ratio", digits=2)
def floor_heavy_ratio() -> float:
    """Heavy ball (beta1 = 0.9) over SGD at alpha = 0.01: heavy ball is the EMA form at 10 alpha."""
    return noise_floor(0.01 / (1 - 0.9), 0.9, [1, 25], 1.0) / noise_floor(0.01, 0.0, [1, 25], 1.0)


@functools.cache
def _bowls() -> dict:
    """GD and tuned momentum on BOWL and on a 100 times more stretched bowl."""
    out = {}
    for mu, L in [(0.1, 10.0), (0.01, 100.0)]:
        alpha, beta1 = best_momentum(mu, L)
        bowl = stretched_bowl(mu, L)
        path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), bowl, steps=1000)
        out[L / mu] = (
            steps_per_decade(rate(best_gd(mu, L), 0.0, L)),
            steps_per_decade(max(rate(alpha, beta1, L), rate(alpha, beta1, mu))),
            steps_to(path, bowl, tol=bowl.loss(*bowl.start) / 10),  # first tenfold drop
        )
    alpha, beta1 = best_momentum(0.1, 10.0)
    # trajectory(partial(SGD, lr=...), BOWL, steps=2000) and the same with EMAMomentum
    gd_path = diagonal_paths(BOWL, [best_gd(0.1, 10.0)], steps=2000)[:, 0]
    momentum_path = diagonal_paths(BOWL, [alpha], [beta1], steps=2000)[:, 0]
    out["bowl"] = steps_to(gd_path, BOWL), steps_to(momentum_path, BOWL)
    return out


@value("momentum-bowl-steps-gd", integer=True)
def bowl_steps_gd() -> float:
    return _bowls()["bowl"][0]


@value("momentum-bowl-steps", integer=True)
def bowl_steps() -> float:
    return _bowls()["bowl"][1]


@functools.cache
def bowl_steps_at(alpha: float, beta1: float = 0.0) -> int | None:
    """Steps of EMA momentum (beta1 = 0: gradient descent) until the loss stays below
    1e-6 on BOWL: trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), BOWL, steps=2000)."""
    return steps_to(diagonal_paths(BOWL, [alpha], [beta1], steps=2000)[:, 0], BOWL)


@value("momentum-bowl-steps-gd-0196", integer=True)
def bowl_steps_gd_0196() -> float:
    """Gradient descent at 0.196, just below the best long-run rate 2/10.1 = 0.198."""
    return bowl_steps_at(0.196)


@value("momentum-bowl-steps-068", integer=True)
def bowl_steps_068() -> float:
    """Momentum at alpha = 1, beta1 = 0.68 (Polyak's: 1 and 0.669)."""
    return bowl_steps_at(1.0, 0.68)


@value("momentum-stretch-slowdown-gd", digits=2)
def stretch_slowdown_gd() -> float:
    """How many times more steps per tenfold drop GD needs on the bowl 100x more stretched."""
    return _bowls()[10_000.0][0] / _bowls()[100.0][0]


@value("momentum-stretch-slowdown", digits=2)
def stretch_slowdown() -> float:
    """The same for tuned momentum."""
    return _bowls()[10_000.0][1] / _bowls()[100.0][1]


@value("momentum-kappa-for-09", integer=True)
def kappa_for_09() -> float:
    """The condition number for which Polyak's best beta1 is 0.9."""
    return round(((1 + np.sqrt(0.9)) / (1 - np.sqrt(0.9))) ** 2)


@value("momentum-decade-gd-100", integer=True)
def decade_gd_100() -> float:
    """Steps per tenfold loss drop of the best gradient descent on BOWL (kappa = 100)."""
    return round(_bowls()[100.0][0])


@value("momentum-decade-gd-10000", integer=True)
def decade_gd_10000() -> float:
    """The same on a bowl 100 times more stretched (kappa = 10,000)."""
    return round(_bowls()[10_000.0][0])


@value("momentum-decade-100", integer=True)
def decade_100() -> float:
    """Steps per tenfold loss drop of tuned momentum on BOWL (kappa = 100)."""
    return round(_bowls()[100.0][1])


@value("momentum-decade-10000", integer=True)
def decade_10000() -> float:
    """The same on a bowl 100 times more stretched."""
    return round(_bowls()[10_000.0][1])


@value("momentum-first-decade-100", integer=True)
def first_decade_100() -> float:
    """Measured: steps until tuned momentum's loss stays below a tenth of BOWL's start."""
    return _bowls()[100.0][2]


@value("momentum-first-decade-10000", integer=True)
def first_decade_10000() -> float:
    """The same on the bowl 100 times more stretched, from the same start."""
    return _bowls()[10_000.0][2]


@value("momentum-valley-steps-09", integer=True)
def valley_steps_09() -> float:
    """Steps of beta1 = 0.9 at alpha = 0.075 to a loss below 1e-6 on the valley."""
    return valley_steps(0.075, 0.9)


# The exercises' answers.


@value("momentum-exercise-noise-099", decimals=3)
def exercise_noise_099() -> float:
    """The std of white noise left in m_t with beta1 = 0.99: sqrt(0.01 / 1.99)."""
    return noise_ratio(0.99)


@value("momentum-exercise-memory-099", integer=True)
def exercise_memory_099() -> float:
    """1 / (1 - beta1) for beta1 = 0.99."""
    return round(_memory(0.99))


def fill_steps(beta1: float, share: float = 0.9) -> int:
    """The first step at which m_t, fed the gradient 1 at every step, reaches share of it."""
    return int(np.argmax(ema(np.ones(2000), beta1) >= share) + 1)


@value("momentum-exercise-fill-09", integer=True)
def exercise_fill_09() -> float:
    return fill_steps(0.9)


@value("momentum-exercise-fill-099", integer=True)
def exercise_fill_099() -> float:
    return fill_steps(0.99)


@value("momentum-exercise-valley-02", integer=True)
def exercise_valley_02() -> float:
    """Steps of momentum (alpha 0.2, beta1 0.5) to a loss below 1e-6 on the valley."""
    return valley_steps(0.2, 0.5)


@value("momentum-exercise-limit-05", decimals=2)
def exercise_limit_05() -> float:
    """Momentum's largest stable learning rate on the valley with beta1 = 0.5."""
    return stability_limit(0.5)
