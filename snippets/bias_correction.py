"""Layer 4, bias correction: why Adam divides its running averages by 1 - beta**t.

Functions at the top level are what the page and its figures use. The blocks under
``if __name__ == "__main__":`` print what the page shows: importing the module runs
nothing, ``python -m snippets.bias_correction`` prints the page's outputs in order.
"""

from __future__ import annotations

import functools

# --8<-- [start:setup]
import numpy as np

# --8<-- [end:setup]
from snippets import home
from snippets.adam import adam_step
from snippets.figures import COLORS, figure
from snippets.optimizers import adam_step_no_bias_correction
from snippets.second_moment import fast_step_sizes, step_sizes
from snippets.surfaces import VALLEY
from snippets.values import value

if __name__ == "__main__":
    # --8<-- [start:zero_start]
    beta1, beta2 = 0.9, 0.999
    g = 1.0  # the same gradient at every step
    m = v = 0.0  # both running averages start at zero
    for t in range(1, 11):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        if t in (1, 2, 10):
            print(f"t={t:2d}  m={m:.4f}  1-beta1^t={1 - beta1**t:.4f}  "
                  f"v={v:.4f}  1-beta2^t={1 - beta2**t:.4f}")
    # --8<-- [end:zero_start]


# --8<-- [start:moment_runs]
def moment_runs(
    mean: float, std: float, steps: int, runs: int, seed: int = 0,
    beta1: float = 0.9, beta2: float = 0.999,
) -> tuple[np.ndarray, np.ndarray]:
    """Raw m_t and v_t (steps x runs) of many runs fed random gradients."""
    g = np.random.default_rng(seed).normal(mean, std, size=(steps, runs))
    m, v = np.zeros((steps, runs)), np.zeros((steps, runs))
    m_prev = v_prev = np.zeros(runs)  # m_0 = v_0 = 0
    for i in range(steps):  # row i holds step t = i + 1
        m[i] = m_prev = beta1 * m_prev + (1 - beta1) * g[i]
        v[i] = v_prev = beta2 * v_prev + (1 - beta2) * g[i] ** 2
    return m, v


# --8<-- [end:moment_runs]

if __name__ == "__main__":
    # --8<-- [start:expectation]
    mean, std = 0.5, 1.0  # E[g] = 0.5 and E[g^2] = 0.5^2 + 1^2 = 1.25
    m, v = moment_runs(mean, std, steps=10, runs=100_000)
    t = np.arange(1, 11)
    shrink_m = m.mean(axis=1) / mean  # E[m_t] / E[g], measured
    shrink_v = v.mean(axis=1) / 1.25  # E[v_t] / E[g^2], measured
    print(" t  E[m]/E[g]  1-beta1^t  E[v]/E[g^2]  1-beta2^t")
    for i in (0, 1, 4, 9):
        print(f"{t[i]:2d}  {shrink_m[i]:9.3f}  {1 - beta1 ** t[i]:9.3f}"
              f"  {shrink_v[i]:11.4f}  {1 - beta2 ** t[i]:9.4f}")
    # --8<-- [end:expectation]

    # --8<-- [start:corrected]
    m_hat = m / (1 - beta1 ** t[:, None])  # row t divided by 1 - beta1^t
    v_hat = v / (1 - beta2 ** t[:, None])
    for name, ratio in [("E[m_hat]/E[g]:  ", m_hat.mean(axis=1) / mean),
                        ("E[v_hat]/E[g^2]:", v_hat.mean(axis=1) / 1.25)]:
        print(name, " ".join(f"{x:.2f}" for x in ratio))
    # --8<-- [end:corrected]


# --8<-- [start:the_difference]
def adam_lines(params, grads, m, v, t, lr=0.001, beta1=0.9, beta2=0.999,
               epsilon=1e-8, bias_correction=True):
    """adam_step's lines after its input checks; False drops the corrections."""
    m = beta1 * m + (1 - beta1) * grads
    v = beta2 * v + (1 - beta2) * grads**2
    m_hat, v_hat = m, v  # without the correction: the raw averages
    if bias_correction:
        m_hat = m / (1 - beta1**t)  # the two lines an uncorrected Adam lacks
        v_hat = v / (1 - beta2**t)
    params = params - lr * m_hat / (np.sqrt(v_hat) + epsilon)
    return params, m, v


# --8<-- [end:the_difference]


# --8<-- [start:without_correction]
def without_correction(params, grads, m, v, t, lr=0.001):
    """adam_step_no_bias_correction, called as adam_step is called."""
    # t is not used: the bias correction is the only line of Adam that needs it.
    return adam_step_no_bias_correction(params, grads, m, v, lr=lr)


# --8<-- [end:without_correction]

if __name__ == "__main__":
    # --8<-- [start:first_step]
    lr = 0.001
    g = np.array([0.1, -2.0, 50.0])  # gradients of very different sizes
    zeros = np.zeros(3)  # params, m and v all start at 0
    raw, _, _ = without_correction(zeros, g, zeros, zeros, t=1, lr=lr)
    fixed, _, _ = adam_step(zeros, g, zeros, zeros, t=1, lr=lr)
    print("first change / lr without correction:", np.round(raw / lr, 4))
    print("first change / lr with correction:   ", np.round(fixed / lr, 4))
    bound = (1 - 0.9) / np.sqrt(1 - 0.999)
    print(f"(1 - beta1) / sqrt(1 - beta2) = {bound:.4f}")
    # --8<-- [end:first_step]


if __name__ == "__main__":
    # --8<-- [start:first_50]
    grads = np.full(50, 0.3)  # the same gradient for 50 steps
    without = step_sizes(grads, step=without_correction)
    with_ = step_sizes(grads)  # step=adam_step
    for t in (1, 2, 5, 12, 50):
        print(f"t={t:2d}  without: {without[t - 1]:.2f} lr"
              f"   with: {with_[t - 1]:.2f} lr")
    print(f"largest step without correction: {without.max():.2f} lr"
          f" at t={without.argmax() + 1}")
    # --8<-- [end:first_50]

    # --8<-- [start:how_long]
    for beta in (0.9, 0.99, 0.999):
        t_99 = np.ceil(np.log(0.01) / np.log(beta))  # first t with beta^t <= 1%
        print(f"beta={beta}: 1/(1-beta) = {1 / (1 - beta):4.0f} steps, "
              f"1-beta^t > 0.99 after {t_99:4.0f} steps")
    for t in (100, 1000, 3000):
        ratio = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)  # constant gradient
        print(f"t={t}: uncorrected step = {ratio:.3f} lr")
    # --8<-- [end:how_long]


# Values of the page's prose ----------------------------------------------------


@value("bias-correction-standard-error", digits=1)
def standard_error() -> float:
    """The largest standard error of the measured E[m_t]/E[g], t <= 10, 100,000 runs.

    m_t = 0.1 * sum of beta1^(t-i) g_i has variance 0.1^2 * (1 - 0.81^t) / 0.19 * std^2
    for independent gradients of spread std = 1; divided by sqrt(runs) and E[g] = 0.5.
    """
    variance = (1 - 0.9) ** 2 * (1 - 0.9 ** (2 * 10)) / (1 - 0.9**2)
    return float(np.sqrt(variance / 100_000) / 0.5)


@value("bias-correction-first-step", digits=3)
def first_step() -> float:
    """The first step without correction, in units of lr: (1 - beta1) / sqrt(1 - beta2)."""
    return float(step_sizes([0.3], step=without_correction)[0])


@value("bias-correction-m-fill", decimals=0, percent=True)
def m_fill() -> float:
    """What m_1 holds of g_1: 1 - beta1."""
    return float(moment_runs(1.0, 0.0, steps=1, runs=1)[0][0, 0])


@value("bias-correction-sqrt-v-fill", digits=3, percent=True)
def sqrt_v_fill() -> float:
    """What sqrt(v_1) holds of |g_1|: sqrt(1 - beta2)."""
    return float(np.sqrt(moment_runs(1.0, 0.0, steps=1, runs=1)[1][0, 0]))


@functools.cache
def _uncorrected_steps(steps: int = 10_000) -> np.ndarray:
    """Step sizes / lr of a constant gradient without the correction (figure and values):
    step_sizes(np.full(steps, 0.3), step=without_correction)."""
    return fast_step_sizes(np.full(steps, 0.3), step=without_correction, bias_correction=False)


@functools.cache
def _corrected_steps(steps: int = 10_000) -> np.ndarray:
    """Step sizes / lr of a constant gradient with the correction (Adam)."""
    return fast_step_sizes(np.full(steps, 0.3))  # step_sizes(np.full(steps, 0.3))


@value("bias-correction-peak-step", digits=3)
def peak_step() -> float:
    """The longest uncorrected step of a constant gradient, in units of lr."""
    return float(_uncorrected_steps()[:50].max())


@value("bias-correction-peak-t", integer=True)
def peak_t() -> float:
    """The step at which the uncorrected steps peak."""
    return int(_uncorrected_steps()[:50].argmax()) + 1


@value("bias-correction-step-50", digits=2)
def step_50() -> float:
    """The uncorrected step at t = 50, in units of lr."""
    return float(_uncorrected_steps()[49])


@value("bias-correction-one-time-constant", digits=2, percent=True)
def one_time_constant() -> float:
    """How full an average is after 1 / (1 - beta) steps, about 1 - 1/e."""
    return 1 - np.exp(-1)


@value("bias-correction-ln-100", digits=2)
def ln_100() -> float:
    """ln(100): time constants until an average is within 1 % of full."""
    return float(np.log(100))


def _first_t(condition) -> int:
    """The first step t >= 1 at which condition(t) holds (t up to 100,000)."""
    t = np.arange(1, 100_001)
    return int(t[condition(t)][0])


@value("bias-correction-m-within-1-percent", integer=True)
def m_within_1_percent() -> float:
    """The first t with 1 - beta1^t >= 0.99."""
    return _first_t(lambda t: 0.9**t <= 0.01)


@value("bias-correction-v-within-1-percent", integer=True)
def v_within_1_percent() -> float:
    """The first t with 1 - beta2^t >= 0.99."""
    return _first_t(lambda t: 0.999**t <= 0.01)


@value("bias-correction-step-within-1-percent", integer=True)
def step_within_1_percent() -> float:
    """The first t from which the uncorrected step of a constant gradient is < 1.01 lr."""
    late = np.flatnonzero(_uncorrected_steps() >= 1.01)[-1] + 2
    return int(late)


@value("bias-correction-step-1000", digits=4)
def step_1000() -> float:
    """The uncorrected step of a constant gradient at t = 1000, in units of lr."""
    return float(_uncorrected_steps()[999])


@value("bias-correction-step-3000", digits=4)
def step_3000() -> float:
    """The uncorrected step of a constant gradient at t = 3000, in units of lr."""
    return float(_uncorrected_steps()[2999])


# The valley: Adam with and without the correction (the home map's panels 3 and 4) ----

PATH_LR, PATH_STEPS = home.LR, home.STEPS  # the home map's runs: its panels 3 and 4
LONGER_STEPS = 100  # long enough for Adam to reach the minimum


def valley_path(bias_correction: bool, steps: int = PATH_STEPS) -> np.ndarray:
    """The points Adam visits on the valley, with or without its bias corrections."""
    return home.path("adam" if bias_correction else "uncorrected", steps)


def valley_steps(bias_correction: bool) -> np.ndarray:
    """|change| / lr of each coordinate at each step of the valley run: (steps, 2)."""
    return np.abs(np.diff(valley_path(bias_correction), axis=0)) / PATH_LR


@value("bias-correction-path-largest-step", digits=3)
def path_largest_step() -> float:
    """The longest uncorrected step along one coordinate on the valley, in units of lr."""
    return float(valley_steps(False).max())


@value("bias-correction-path-largest-t", integer=True)
def path_largest_t() -> int:
    """The step at which that longest uncorrected step is taken."""
    return int(np.argmax(valley_steps(False).max(axis=1))) + 1


@value("bias-correction-path-adam-largest-step", digits=3)
def path_adam_largest_step() -> float:
    """Adam's longest step along one coordinate on the valley, in units of lr."""
    return float(valley_steps(True).max())


@value("bias-correction-path-overshoot", digits=2)
def path_overshoot() -> float:
    """How far past the minimum, along the valley, the uncorrected path runs."""
    return float(valley_path(False)[:, 0].max() - VALLEY.minimum[0])


@value("bias-correction-path-loss-uncorrected", digits=2)
def path_loss_uncorrected() -> float:
    """The loss after the uncorrected run's last step."""
    return float(VALLEY.loss(*valley_path(False)[-1]))


@value("bias-correction-path-loss-adam", digits=2)
def path_loss_adam() -> float:
    """The loss after Adam's last step."""
    return float(VALLEY.loss(*valley_path(True)[-1]))


@value("bias-correction-path-start-distance", digits=2)
def path_start_distance() -> float:
    """How far the start lies from the minimum along the valley (x)."""
    return float(abs(VALLEY.start[0] - VALLEY.minimum[0]))


@value("bias-correction-path-adam-last-step", digits=2)
def path_adam_last_step() -> float:
    """Adam's last step along the valley (x), in units of lr: shrunk as the slope flattens."""
    return float(valley_steps(True)[-1, 0])


@value("bias-correction-path-adam-covered", digits=2)
def path_adam_covered() -> float:
    """How far along the valley (x) Adam's 40 steps carry it from the start."""
    return float(valley_path(True)[-1, 0] - VALLEY.start[0])


@value("bias-correction-path-loss-uncorrected-longer", digits=2)
def path_loss_uncorrected_longer() -> float:
    """The loss after the uncorrected run's LONGER_STEPS steps."""
    return float(VALLEY.loss(*valley_path(False, LONGER_STEPS)[-1]))


@value("bias-correction-path-loss-adam-longer", digits=2)
def path_loss_adam_longer() -> float:
    """The loss after Adam's LONGER_STEPS steps."""
    return float(VALLEY.loss(*valley_path(True, LONGER_STEPS)[-1]))


# The exercises ---------------------------------------------------------------


def _uncorrected_betas(beta1: float, beta2: float, steps: int = 2000) -> np.ndarray:
    """Uncorrected step / lr of a constant gradient with these betas (the arithmetic of
    adam_step_no_bias_correction, as fast_step_sizes runs it)."""
    return fast_step_sizes(np.full(steps, 0.3), step=without_correction, bias_correction=False,
                           beta1=beta1, beta2=beta2)


@value("bias-correction-exercise-first-step-beta1-099", digits=3)
def exercise_first_step_beta1_099() -> float:
    """Exercise 1: the first uncorrected step / lr with beta1 = 0.99, beta2 = 0.999."""
    return float(_uncorrected_betas(0.99, 0.999)[0])


@value("bias-correction-exercise-m-fill-beta1-099", decimals=0, percent=True)
def exercise_m_fill_beta1_099() -> float:
    """Exercise 1: what m_1 holds of g_1 with beta1 = 0.99."""
    return float(moment_runs(1.0, 0.0, steps=1, runs=1, beta1=0.99)[0][0, 0])


@value("bias-correction-exercise-peak-beta1-099", digits=3)
def exercise_peak_beta1_099() -> float:
    """Exercise 1: the largest uncorrected step / lr with beta1 = 0.99."""
    return float(_uncorrected_betas(0.99, 0.999).max())


@value("bias-correction-exercise-peak-t-beta1-099", integer=True)
def exercise_peak_t_beta1_099() -> int:
    """Exercise 1: the step of that largest step."""
    return int(_uncorrected_betas(0.99, 0.999).argmax()) + 1


@value("bias-correction-exercise-first-step-beta2-099", digits=3)
def exercise_first_step_beta2_099() -> float:
    """Exercise 3 (More exercises): first uncorrected step / lr, beta1 = 0.9, beta2 = 0.99."""
    return float(_uncorrected_betas(0.9, 0.99)[0])


@value("bias-correction-exercise-peak-beta2-099", digits=3)
def exercise_peak_beta2_099() -> float:
    """Exercise 3 (More exercises): the largest uncorrected step / lr with beta2 = 0.99."""
    return float(_uncorrected_betas(0.9, 0.99).max())


@value("bias-correction-exercise-peak-t-beta2-099", integer=True)
def exercise_peak_t_beta2_099() -> int:
    """Exercise 3 (More exercises): the step of that largest step."""
    return int(_uncorrected_betas(0.9, 0.99).argmax()) + 1


@value("bias-correction-exercise-transformer-full", integer=True)
def exercise_transformer_full() -> int:
    """Exercise 2: the first t at which v_t holds 99 % of the truth with beta2 = 0.98."""
    _, v = moment_runs(1.0, 0.0, steps=1000, runs=1, beta2=0.98)
    return int(np.argmax(v[:, 0] >= 0.99)) + 1


@value("bias-correction-exercise-transformer-ratio", integer=True)
def exercise_transformer_ratio() -> int:
    """Exercise 2: how many times longer the Transformer's 4000-step warmup lasts."""
    return round(4000 / exercise_transformer_full())


# Figures ---------------------------------------------------------------------


@figure(
    "bias-moments",
    alt=(
        "Two panels. Top: over the first 40 steps the raw running average m of random "
        "gradients with mean 0.5 starts at 0 and climbs towards 0.5, while the corrected "
        "m-hat averages 0.5 from the first step; one single run of m-hat scatters widely "
        "around 0.5. Bottom: over 10,000 steps on a log scale the raw v needs thousands "
        "of steps to reach E[g squared] = 1.25, while the corrected v-hat averages 1.25 "
        "from the start."
    ),
    size=(6.4, 5.6),
)
def bias_moments(fig, theme):
    """Raw and bias-corrected m and v, averaged over many runs, against the truth."""
    mean, std = 0.5, 1.0
    top, bottom = fig.subplots(2, 1)
    m, _ = moment_runs(mean, std, steps=40, runs=2000, seed=1)
    v = _v_runs(mean, std, steps=10_000, runs=200, seed=2)
    panels = [(top, m, 0.9, mean, "$m_t$", "linear"), (bottom, v, 0.999, mean**2 + std**2,
                                                       "$v_t$", "log")]
    for ax, raw, beta, truth, name, scale in panels:
        t = np.arange(1, len(raw) + 1)
        keep = _log_points(len(t)) if scale == "log" else slice(None)
        hat = raw / (1 - beta**t)[:, None]
        ax.axhline(truth, color=theme.text, linestyle="--", linewidth=1, label="true mean")
        ax.plot(t[keep], hat[keep, 0], color=COLORS["adam"], alpha=0.35, linewidth=1,
                label="one run, corrected")
        ax.plot(t[keep], raw.mean(axis=1)[keep], color=theme.muted, label="raw, average of runs")
        ax.plot(t[keep], hat.mean(axis=1)[keep], color=COLORS["adam"],
                label="corrected, average of runs")
        ax.set_xscale(scale)
        ax.set_xlabel("step $t$")
        ax.set_title(f"{name} with $\\beta = {beta}$")
        ax.grid(True, linewidth=0.5)
    top.set_ylim(-0.6, 2.0)
    bottom.set_ylim(0, 3.5)
    top.legend(loc="upper right", fontsize=8, ncols=2)


def _v_runs(mean: float, std: float, steps: int, runs: int, seed: int = 0,
            beta2: float = 0.999) -> np.ndarray:
    """moment_runs(mean, std, steps, runs, seed, beta2=beta2)[1], v_t alone: the same
    operations, (1 - beta2) * g**2 taken for every step at once, so the same numbers
    (tests/test_bias_correction.py checks them)."""
    g = np.random.default_rng(seed).normal(mean, std, size=(steps, runs))
    new = (1 - beta2) * g**2
    v = np.empty_like(new)
    v_prev = np.zeros(runs)  # v_0 = 0
    for i in range(steps):  # row i holds step t = i + 1: v_t = beta2 * v_{t-1} + new_t
        v_prev = np.multiply(v_prev, beta2, out=v[i])
        v_prev += new[i]
    return v


def _log_points(n: int, per_decade: int = 40) -> np.ndarray:
    """Indices 0..n-1 spaced evenly on a log scale (few points for a small SVG)."""
    return np.unique(np.geomspace(1, n, per_decade * int(np.ceil(np.log10(n)))).astype(int) - 1)


@figure(
    "bias-step-sizes",
    alt=(
        "Two panels of Adam's step size in units of the learning rate for a constant "
        "gradient. Left, first 50 steps: with bias correction every step is 1; without "
        "it the first step is [[value: bias-correction-first-step]], steps grow to "
        "[[value: bias-correction-peak-step]] at step [[value: bias-correction-peak-t]] "
        "and are still [[value: bias-correction-step-50]] at step 50. Right, 10,000 steps "
        "on a log scale: without correction the step comes down to 1 only after several "
        "thousand steps."
    ),
    size=(7.2, 3.0),
)
def bias_step_sizes(fig, theme):
    """Step size over the first steps, with and without bias correction."""
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, steps, scale in ((left, 50, "linear"), (right, 10_000, "log")):
        t = np.arange(1, steps + 1)
        keep = _log_points(steps) if scale == "log" else slice(None)
        ax.plot(t[keep], _uncorrected_steps()[:steps][keep], color=theme.text,
                linestyle="--", label="without correction")
        ax.plot(t[keep], _corrected_steps()[:steps][keep], color=COLORS["adam"],
                label="with correction (Adam)")
        ax.set_xscale(scale)
        ax.set_xlabel("step $t$")
        ax.grid(True, linewidth=0.5)
    left.set_ylabel(r"$|\Delta\theta_t|\,/\,\alpha$")
    left.set_ylim(0, 7)
    left.set_title("first 50 steps")
    right.set_title("first 10,000 steps")
    left.legend(loc="lower right", fontsize=8)


@figure(
    "bias-factors",
    alt=(
        "The correction factor 1 minus beta to the power t against the step t on a log "
        "scale, for beta 0.9, 0.99 and 0.999: each curve rises from 1 minus beta at the "
        "first step to 1, passes [[value: bias-correction-one-time-constant]] at its time "
        "constant t = 1/(1-beta), marked by a dot, and is within 1 percent of 1 after "
        "about [[value: bias-correction-ln-100]]/(1-beta) steps."
    ),
    size=(6.4, 3.0),
)
def bias_factors(fig, theme):
    """1 - beta**t for three betas, with the time constant 1/(1 - beta) marked."""
    ax = fig.subplots()
    t = np.geomspace(1, 30_000, 200)
    styles = {0.9: ":", 0.99: "-.", 0.999: "-"}
    for beta, style in styles.items():
        ax.plot(t, 1 - beta**t, color=theme.text, linestyle=style, label=f"$\\beta = {beta}$")
        tau = 1 / (1 - beta)
        ax.plot([tau], [1 - beta**tau], "o", color=theme.text, mfc="none", markersize=6)
    ax.plot([], [], "o", color=theme.text, mfc="none", markersize=6, label=r"$t = 1/(1-\beta)$")
    ax.axhline(1, color=theme.muted, linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$1 - \beta^t$")
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="upper left", fontsize=8)


@figure(
    "bias-path",
    alt=(
        "Two panels. Left: a contour map of the narrow valley with two paths of 40 steps "
        "from the same start at the same learning rate. Adam with bias correction runs "
        "down a smooth curve towards the minimum. Adam without it makes its first step "
        "[[value: bias-correction-first-step]] times the learning rate along each "
        "coordinate, overshoots the valley floor, runs [[value: bias-correction-path-overshoot]] "
        "past the minimum along the valley and loops back. Right: the length of each "
        "step along the longer coordinate, in units of the learning rate: with the "
        "correction at most [[value: bias-correction-path-adam-largest-step]], without it "
        "up to [[value: bias-correction-path-largest-step]] at step "
        "[[value: bias-correction-path-largest-t]]."
    ),
    size=(7.2, 3.0),
)
def bias_path(fig, theme):
    """Adam with and without the bias correction on the valley: the path and its steps."""
    left, right = fig.subplots(1, 2, width_ratios=(1.6, 1))
    home.valley_contours(left, theme)
    runs = ((False, theme.text, "--", "without correction"),
            (True, COLORS["adam"], "-", "with correction (Adam)"))
    t = np.arange(1, PATH_STEPS + 1)
    for corrected, color, style, label in runs:
        p = valley_path(corrected)
        left.plot(p[:, 0], p[:, 1], style, marker="o", color=color, markersize=2.5,
                  linewidth=1.2, label=label)
        right.plot(t, valley_steps(corrected).max(axis=1), style, color=color, label=label)
    left.plot(*VALLEY.minimum, "*", color=theme.text, markersize=8)
    left.set_aspect("equal")
    left.set_xlabel("$x$")
    left.set_ylabel("$y$")
    left.legend(loc="lower left", fontsize=8)
    right.set_xlabel("step $t$")
    right.set_title(r"longest coordinate step $/\,\alpha$", fontsize=9)
    right.set_ylim(0, None)
    right.grid(True, linewidth=0.5)
