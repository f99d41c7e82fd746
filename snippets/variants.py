"""The /variants/ page: Adam's family, each built from scratch and checked.

AdamW and AMSGrad are options of the reference ``Adam`` (adam.py); this module adds the
experiments that show why they exist, and Adamax, NAdam and RAdam as in-place optimizers
with the conventions of snippets/optimizers.py. tests/test_variants.py checks each one
against torch.optim and Optax. Blocks that print sit under ``if __name__ ==
"__main__":``, so importing the module runs nothing.

Public names:
    weight_norms(decoupled, scales, steps, lr, weight_decay, seed, statistic): the
        weight-decay experiment (the RMS of each group, or any statistic of it)
    reddi_gradient(t, C, period), online_adam(steps, ...), average_regret(xs, C, period):
        the counterexample of Reddi et al. (2018); reddi_cycle_steps, reddi_drift and
        reddi_beta2_threshold: Adam's steps on it once v is periodic
    Adamax, NAdam, RAdam: optimizers, step(grads) updates params in place
    adamax_step_bound(beta1, beta2): the supremum of Adamax's step, in units of lr
    rectification(t, beta2): RAdam's r_t (0 while the variance is intractable)
    VARIANTS: name -> (colour key, optimizer factory), for the comparison
    NAdamFloat32Product: NAdam with PyTorch's float32 product of the mu_t

The values the page states (``@value``) are at the end of the module.
"""

from __future__ import annotations

import functools

# --8<-- [start:setup]
import math

import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam, check_grads, check_hyperparameters
from snippets.figures import COLORS, LINESTYLES, figure
from snippets.optimizers import Optimizer, trajectory
from snippets.surfaces import ROSENBROCK, VALLEY
from snippets.values import value


# --8<-- [start:weight_norms]
def rms(w: np.ndarray) -> float:
    """The root mean square of a group of weights."""
    return float(np.sqrt(np.mean(w**2)))


def weight_norms(decoupled: bool, scales=(0.01, 1.0, 100.0), steps: int = 3000,
                 lr: float = 0.01, weight_decay: float = 0.1, seed: int = 0,
                 statistic=rms) -> np.ndarray:
    """Weights whose loss gradient is noise of a given scale, decayed by L2 or AdamW.

    One group of 100 weights, all starting at 1, per scale; every group sees the same
    noise, times its scale. Returns statistic(group) (the root mean square unless
    told) of each group after each step, an array (steps + 1, len(scales)).
    """
    rng = np.random.default_rng(seed)
    groups = [np.ones(100) for _ in scales]
    optimizer = Adam(groups, lr=lr, weight_decay=weight_decay,
                     decoupled_weight_decay=decoupled)  # False: L2, True: AdamW
    stats = np.zeros((steps + 1, len(scales)))
    stats[0] = [statistic(w) for w in groups]
    for k in range(1, steps + 1):
        noise = rng.standard_normal(100)
        optimizer.step([scale * noise for scale in scales])
        stats[k] = [statistic(w) for w in groups]
    return stats


# --8<-- [end:weight_norms]

if __name__ == "__main__":
    # --8<-- [start:weight_norms_table]
    l2, adamw = weight_norms(decoupled=False), weight_norms(decoupled=True)
    print("gradient scale   weights after 3000 steps:  L2 in Adam   AdamW")
    for i, scale in enumerate((0.01, 1.0, 100.0)):
        print(f"{scale:14g}   {l2[-1, i]:35.3f}   {adamw[-1, i]:5.3f}")
    # --8<-- [end:weight_norms_table]


# --8<-- [start:reddi]
def reddi_gradient(t: int, C: float = 3.0, period: int = 3) -> float:
    """The gradient of f_t(x) = C x if t mod period = 1, else -x (the same at every x)."""
    return C if t % period == 1 else -1.0


def online_adam(steps: int, C: float = 3.0, alpha: float = 0.5, amsgrad: bool = False,
                x1: float = 1.0, beta2: float | None = None, period: int = 3) -> np.ndarray:
    """Adam or AMSGrad as Reddi et al. analyse it; return x_1, ..., x_{steps+1}.

    beta1 = 0, beta2 = 1 / (1 + C^2) unless given, step size alpha / sqrt(t), no bias
    correction, no epsilon, and each step projected back onto [-1, 1].
    """
    beta2 = 1 / (1 + C**2) if beta2 is None else beta2
    x, v, v_max = x1, 0.0, 0.0
    xs = [x]
    for t in range(1, steps + 1):
        g = reddi_gradient(t, C, period)
        v = beta2 * v + (1 - beta2) * g**2  # m_t = g_t, since beta1 = 0
        v_max = max(v_max, v)  # AMSGrad's long-term memory
        step = alpha / math.sqrt(t) * g / math.sqrt(v_max if amsgrad else v)
        x = min(1.0, max(-1.0, x - step))  # projection onto [-1, 1]
        xs.append(x)
    return np.array(xs)


def average_regret(xs, C: float = 3.0, period: int = 3) -> np.ndarray:
    """R_T / T for T = 1, 2, ...: the loss of x_1..x_T minus that of the best fixed x."""
    g = np.array([reddi_gradient(t, C, period) for t in range(1, len(xs))])
    T = np.arange(1, len(g) + 1)
    best = -np.abs(np.cumsum(g))  # min over x in [-1, 1] of x * (g_1 + ... + g_T)
    return (np.cumsum(g * xs[:-1]) - best) / T


# --8<-- [end:reddi]

if __name__ == "__main__":
    # --8<-- [start:reddi_run]
    for name, amsgrad in (("Adam", False), ("AMSGrad", True)):
        xs = online_adam(30_000, amsgrad=amsgrad)
        print(f"{name:8s} x after 30,000 steps: {xs[-1]:+.3f}"
              f"   average regret R_T/T: {average_regret(xs)[-1]:.3f}")
    # --8<-- [end:reddi_run]


# --8<-- [start:adamax]
class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7.1), as torch.optim.Adamax and optax.adamax compute it."""

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        _, self.beta1, self.beta2, self.eps, _ = check_hyperparameters(lr, *betas, eps)
        self.t = 0
        self.m = [np.zeros_like(p) for p in self.params]
        self.u = [np.zeros_like(p) for p in self.params]  # decaying max of |g|

    def step(self, grads) -> None:
        """Update every parameter in place: one step of Adamax."""
        grads = check_grads(grads, self.params)  # raises before t changes
        self.t += 1
        super().step(grads)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """m = EMA of g; u = max(beta2 u, |g| + eps); p -= lr / (1 - beta1^t) m / u."""
        m, u = self.m[i], self.u[i]
        m += (1 - self.beta1) * (g - m)
        np.maximum(self.beta2 * u, np.abs(g) + self.eps, out=u)
        p -= self.lr / (1 - self.beta1**self.t) * m / u


# --8<-- [end:adamax]


# --8<-- [start:nadam]
class NAdam(Optimizer):
    """NAdam (Dozat, 2016), as torch.optim.NAdam computes it.

    momentum_decay=4e-3 is PyTorch's default schedule, mu_t = beta1 (1 - 0.96^(t psi) / 2);
    momentum_decay=1 is Keras's; momentum_decay=math.inf keeps mu_t = beta1, optax.nadam.
    """

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 momentum_decay: float = 4e-3):
        super().__init__(params, lr)
        _, self.beta1, self.beta2, self.eps, _ = check_hyperparameters(lr, *betas, eps)
        if isinstance(momentum_decay, bool) or not momentum_decay >= 0:  # inf is allowed
            raise ValueError(f"momentum_decay must be >= 0, e.g. 4e-3, got {momentum_decay!r}")
        self.psi = float(momentum_decay)
        self.t, self.mu_product = 0, 1.0
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    def mu(self, t: int) -> float:
        """The momentum coefficient at step t, from Dozat's schedule."""
        return self.beta1 * (1 - 0.5 * 0.96 ** (t * self.psi))

    def step(self, grads) -> None:
        """Update every parameter in place: one step of NAdam."""
        grads = check_grads(grads, self.params)  # raises before t changes
        self.t += 1
        self.mu_product *= self.mu(self.t)
        super().step(grads)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """Step along this gradient and along next step's momentum, both normalised."""
        t, m, v = self.t, self.m[i], self.v[i]
        m += (1 - self.beta1) * (g - m)
        v += (1 - self.beta2) * (g * g - v)
        denominator = np.sqrt(v / (1 - self.beta2**t)) + self.eps
        mu, mu_next = self.mu(t), self.mu(t + 1)
        now = (1 - mu) / (1 - self.mu_product)  # weight of the gradient itself
        ahead = mu_next / (1 - self.mu_product * mu_next)  # weight of the momentum
        p -= self.lr * (now * g + ahead * m) / denominator


# --8<-- [end:nadam]

if __name__ == "__main__":
    # --8<-- [start:mu_schedules]
    print("step t   mu_t: PyTorch (psi = 0.004)   Keras (psi = 1)   Optax (constant)")
    for t in (1, 10, 100, 1000, 10_000):
        mu = [NAdam([np.zeros(1)], momentum_decay=psi).mu(t) for psi in (4e-3, 1, math.inf)]
        print(f"{t:6d}   {mu[0]:27.3f}   {mu[1]:15.3f}   {mu[2]:16.3f}")
    # --8<-- [end:mu_schedules]


# --8<-- [start:radam]
def rectification(t: int, beta2: float = 0.999) -> float:
    """RAdam's r_t: how much of Adam's adaptive step to trust at step t (0 if rho_t <= 5)."""
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)  # length of the approximate SMA
    if rho <= 5:  # the variance of 1 / sqrt(v_hat) is intractable: no adaptive step yet
        return 0.0
    return math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))


class RAdam(Optimizer):
    """RAdam (Liu et al., 2020), as optax.radam computes it (torch.optim.RAdam with eps=0)."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        _, self.beta1, self.beta2, self.eps, _ = check_hyperparameters(lr, *betas, eps)
        self.t = 0
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    def step(self, grads) -> None:
        """Update every parameter in place: one step of RAdam."""
        grads = check_grads(grads, self.params)  # raises before t changes
        self.t += 1
        super().step(grads)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """Adam's step times r_t, or, while r_t = 0, a step of momentum SGD."""
        t, m, v = self.t, self.m[i], self.v[i]
        m += (1 - self.beta1) * (g - m)
        v += (1 - self.beta2) * (g * g - v)
        m_hat = m / (1 - self.beta1**t)
        r = rectification(t, self.beta2)
        if r == 0:
            p -= self.lr * m_hat  # not divided by anything: the size of g matters
        else:
            p -= self.lr * r * m_hat / (np.sqrt(v / (1 - self.beta2**t)) + self.eps)


# --8<-- [end:radam]

if __name__ == "__main__":
    # --8<-- [start:rectification_table]
    for t in (5, 6, 10, 100, 1000, 10_000):
        print(f"t = {t:6d}: r_t = {rectification(t):.3f}")
    # --8<-- [end:rectification_table]


# --8<-- [start:variants]
VARIANTS = {  # name: (colour, optimizer), all with the same lr = 0.05
    "Adam": ("adam", lambda p: Adam(p, lr=0.05)),
    "AMSGrad": ("amsgrad", lambda p: Adam(p, lr=0.05, amsgrad=True)),
    "Adamax": ("adamax", lambda p: Adamax(p, lr=0.05)),
    "NAdam": ("nadam", lambda p: NAdam(p, lr=0.05)),
    "RAdam": ("radam", lambda p: RAdam(p, lr=0.05)),
}
# --8<-- [end:variants]

if __name__ == "__main__":
    # --8<-- [start:race]
    print("on the valley, loss after    20 steps   50 steps   200 steps")
    for name, (_, make) in VARIANTS.items():
        loss = [VALLEY.loss(*point) for point in trajectory(make, VALLEY, steps=200)]
        print(f"{name:26s} {loss[20]:9.1e} {loss[50]:10.1e} {loss[200]:11.1e}")
    # --8<-- [end:race]

    # --8<-- [start:radam_rosenbrock]
    for name, make in (("Adam", lambda p: Adam(p, lr=0.02)),
                       ("RAdam", lambda p: RAdam(p, lr=0.02))):
        path = trajectory(make, ROSENBROCK, start=(-1.2, 1.0), steps=6)
        print(f"{name:5s} x after steps 1..6:", " ".join(f"{x:.3g}" for x in path[1:, 0]))
    # --8<-- [end:radam_rosenbrock]


# Figures ---------------------------------------------------------------------

SCALES = (0.01, 1.0, 100.0)
SCALE_STYLES = ("-", "--", ":")


@figure(
    "weight-decay-norms",
    alt=(
        "Two panels of the root mean square of three groups of weights over 3000 steps, "
        "each group starting at 1 and seeing only gradient noise, of scale 0.01, 1 or "
        "100. Left, L2 inside Adam: the group with tiny gradients is pulled to "
        "[[value: variants-l2-small-rms-200]] by step 200, the group of scale 1 decays "
        "slowly to [[value: variants-l2-unit-rms]], the group of scale 100 is barely "
        "decayed (mean [[value: variants-l2-large-mean]]) and its root mean square ends "
        "at [[value: variants-l2-large-rms]], above 1, because the noise spreads its "
        "weights. Right, AdamW: the three curves lie on top of each other and fall "
        "together to [[value: variants-adamw-rms]]."
    ),
    size=(7.0, 3.2),
)
def weight_decay_norms(fig, theme):
    """L2 decays each weight by an amount that depends on its gradients; AdamW does not."""
    axes = fig.subplots(1, 2, sharey=True)
    for ax, decoupled, title in ((axes[0], False, "L2 inside Adam"),
                                 (axes[1], True, "AdamW (decoupled)")):
        norms = _weight_stats(decoupled)[0]
        colour = COLORS["adamw" if decoupled else "adam"]
        for i, (scale, style) in enumerate(zip(SCALES, SCALE_STYLES, strict=True)):
            ax.plot(np.arange(len(norms))[::10], norms[::10, i], style, color=colour,
                    label=f"gradients × {scale:g}")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("step")
        ax.grid(True, linewidth=0.5)
        ax.legend(fontsize=8, loc="center right")
    axes[0].set_ylabel("weight RMS")
    axes[0].set_ylim(0, 1.3)


@figure(
    "reddi-counterexample",
    alt=(
        "Two panels over 30,000 steps of the online problem of Reddi et al. with C = 3, "
        "on a log step axis. Top: the point x_t. Adam, started at 1, stays at +1, the "
        "worst point; AMSGrad, from the same start, moves down to the optimum -1 within "
        "a few hundred steps. Bottom: the average regret. Adam's settles at "
        "[[value: variants-reddi-regret-per-step]]; AMSGrad's falls towards 0."
    ),
    size=(5.6, 5.0),
)
def reddi_counterexample(fig, theme):
    """Adam settles at the worst point of a convex problem; AMSGrad finds the best."""
    top, bottom = fig.subplots(2, 1, sharex=True)
    steps = 30_000
    keep = np.unique(np.geomspace(1, steps, 300).astype(int))
    for name, amsgrad in (("Adam", False), ("AMSGrad", True)):
        xs, regret = _online(steps, amsgrad=amsgrad)
        key = "amsgrad" if amsgrad else "adam"
        top.plot(keep, xs[keep - 1], color=COLORS[key], linestyle=LINESTYLES[key], label=name)
        bottom.plot(keep, regret[keep - 1], color=COLORS[key], linestyle=LINESTYLES[key],
                    label=name)
    top.axhline(-1, color=theme.muted, linewidth=0.8, linestyle="--")
    top.annotate("optimum x = -1", (1.2, -0.93), color=theme.text, fontsize=9)
    top.set_ylabel("$x_t$")
    top.set_ylim(-1.1, 1.1)
    top.legend(fontsize=9, loc="center right")
    bottom.axhline(2 / 3, color=theme.muted, linewidth=0.8, linestyle="--")
    bottom.set_ylabel("average regret $R_T/T$")
    bottom.set_xlabel("step t")
    bottom.set_xscale("log")
    for ax in (top, bottom):
        ax.grid(True, linewidth=0.5)


@figure(
    "radam-warmup",
    alt=(
        "RAdam's rectification factor r_t against the step on a log axis, for beta2 = "
        "0.999: zero for the first [[value: variants-radam-momentum-steps]] steps, "
        "[[value: variants-radam-r-10]] at step 10, [[value: variants-radam-r-100]] at "
        "step 100, [[value: variants-radam-r-1000]] at step 1000, "
        "[[value: variants-radam-r-5000]] at step 5000, and within 0.5 % of 1 from step "
        "[[value: variants-radam-near-one]] on. A linear warmup over 2 / (1 - beta2) = "
        "[[value: variants-radam-linear-warmup]] steps and the exponential warmup "
        "1 - exp(-(1 - beta2) t) rise over the same range of steps."
    ),
    size=(5.6, 3.2),
)
def radam_warmup(fig, theme):
    """RAdam's rectification is a learning-rate warmup of about 2 / (1 - beta2) steps."""
    ax = fig.subplots()
    t = np.unique(np.geomspace(1, 20_000, 200).astype(int))
    ax.plot(t, [rectification(k) for k in t], color=COLORS["radam"],
            label=r"RAdam's $r_t$ ($\beta_2 = 0.999$)")
    ax.plot(t, np.minimum(1, t / radam_linear_warmup()), "--", color=theme.text,
            label=rf"linear warmup over $2/(1-\beta_2)$ = {radam_linear_warmup()} steps")
    ax.plot(t, 1 - np.exp(-t * (1 - 0.999)), ":", color=theme.text,
            label=r"$1 - e^{-(1-\beta_2)t}$")
    ax.set_xscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("multiplier of the learning rate")
    ax.grid(True, linewidth=0.5)
    ax.legend(fontsize=8, loc="upper left")


@figure(
    "variants-valley",
    alt=(
        "Top: contour map of the narrow quadratic valley with the paths of Adam, "
        "AMSGrad, Adamax, NAdam and RAdam from (-2.5, 1), all with learning rate 0.05. "
        "Adam and AMSGrad nearly coincide; RAdam first jumps across the valley, then "
        "creeps. Bottom: the loss of each over 200 steps on a log scale; NAdam ends "
        "lowest, RAdam highest."
    ),
    size=(5.6, 6.4),
)
def variants_valley(fig, theme):
    """The five variants on one landscape, with one learning rate."""
    left, right = fig.subplots(2, 1, height_ratios=(1, 1.1))
    (x0, x1), (y0, y1) = VALLEY.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, 90), np.linspace(y0, y1, 90))
    z = VALLEY.loss(x, y)
    left.contour(x, y, z, levels=np.geomspace(0.02, z.max(), 12), colors=theme.grid,
                 linewidths=0.7)
    for name, (colour, _) in VARIANTS.items():
        path = _valley_paths()[name]
        left.plot(path[:80, 0], path[:80, 1], color=COLORS[colour], linewidth=1.3,
                  linestyle=LINESTYLES[colour], label=name)
        right.plot([VALLEY.loss(*p) for p in path], color=COLORS[colour],
                   linestyle=LINESTYLES[colour], label=name)
    left.plot(*VALLEY.minimum, "*", color=theme.text, markersize=9)
    left.set_xlim(x0, x1)
    left.set_ylim(y0, y1)
    left.set_title("the first 80 steps", fontsize=10)
    left.set_aspect("equal")
    left.legend(fontsize=8, loc="upper right", ncols=2)
    right.set_yscale("log")
    right.set_xlabel("step")
    right.set_ylabel("loss")
    right.grid(True, linewidth=0.5)



# Values: the numbers the page states -------------------------------------------------
# The weight-decay experiment (alpha = 0.01, lambda = 0.1, 3000 steps) ---------------


@functools.cache
def _weight_stats(decoupled: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RMS, mean and standard deviation of each group after each step: what
    weight_norms(decoupled, statistic=rms / np.mean / np.std) gives (tests check it)."""
    w = _weight_paths()[int(decoupled)]
    return np.sqrt(np.mean(w**2, axis=-1)), np.mean(w, axis=-1), np.std(w, axis=-1)


@functools.cache
def _weight_paths(steps: int = 3000, lr: float = 0.01, weight_decay: float = 0.1,
                  seed: int = 0) -> np.ndarray:
    """The weights of weight_norms after each step, L2 (0) and AdamW (1) side by side:
    the same noise, the same operations as Adam's on each group, all groups at once."""
    rng = np.random.default_rng(seed)
    scales = np.array(SCALES)[:, None]
    W = np.ones((2, len(SCALES), 100))
    M, V = np.zeros_like(W), np.zeros_like(W)
    paths = np.empty((2, steps + 1, len(SCALES), 100))  # run, step, group, weight
    paths[:, 0] = W
    for t in range(1, steps + 1):
        G = np.broadcast_to(scales * rng.standard_normal(100), W.shape).copy()
        G[0] += W[0] * weight_decay  # L2: the penalty's gradient
        W[1] -= W[1] * (lr * weight_decay)  # AdamW: decoupled decay
        correction2_sqrt = math.sqrt(1 - 0.999**t)
        M *= 0.9
        M += G * (1 - 0.9)
        V *= 0.999
        V += G * (1 - 0.999) * G
        step = np.sqrt(V)
        step += 1e-8 * correction2_sqrt
        np.divide(M, step, out=step)
        step *= lr * correction2_sqrt / (1 - 0.9**t)
        W -= step
        paths[:, t] = W
    return paths


@value("variants-torch-decay-per-step", sci=True, digits=1)
def torch_decay_per_step() -> float:
    """The fraction of a weight PyTorch's AdamW removes per step: lr * weight_decay."""
    return 1e-3 * 1e-2


@value("variants-l2-small-rms-200", digits=2)
def l2_small_rms_200() -> float:
    """L2 in Adam: RMS of the group with gradients x 0.01 after 200 steps."""
    return float(_weight_stats(False)[0][200, 0])


@value("variants-l2-unit-rms", decimals=2)
def l2_unit_rms() -> float:
    """L2 in Adam: RMS of the group with gradients x 1 after 3000 steps."""
    return float(_weight_stats(False)[0][-1, 1])


@value("variants-l2-large-rms", digits=3)
def l2_large_rms() -> float:
    """L2 in Adam: RMS of the group with gradients x 100 after 3000 steps."""
    return float(_weight_stats(False)[0][-1, 2])


@value("variants-l2-large-mean", digits=2)
def l2_large_mean() -> float:
    """L2 in Adam: mean of the group with gradients x 100 after 3000 steps."""
    return float(_weight_stats(False)[1][-1, 2])


@value("variants-l2-large-std", digits=2)
def l2_large_std() -> float:
    """L2 in Adam: standard deviation of the group with gradients x 100 after 3000 steps."""
    return float(_weight_stats(False)[2][-1, 2])


@value("variants-random-walk-std", digits=2)
def random_walk_std() -> float:
    """alpha sqrt(t): the spread of a random walk of t steps of about alpha, t = 3000."""
    return 0.01 * math.sqrt(3000)


@value("variants-adamw-rms", decimals=2)
def adamw_rms() -> float:
    """AdamW: RMS of each group after 3000 steps (the same for all three)."""
    return float(_weight_stats(True)[0][-1, 0])


@value("variants-adamw-mean", digits=2)
def adamw_mean() -> float:
    """AdamW: mean of each group after 3000 steps."""
    return float(_weight_stats(True)[1][-1, 0])


@value("variants-adamw-decay-factor", digits=2)
def adamw_decay_factor() -> float:
    """(1 - alpha lambda)^t: what the decay alone leaves of a weight after 3000 steps."""
    return (1 - 0.01 * 0.1) ** 3000


@value("variants-adamw-std", digits=2)
def adamw_std() -> float:
    """AdamW: standard deviation of each group after 3000 steps."""
    return float(_weight_stats(True)[2][-1, 0])


# The counterexample (C = 3) ---------------------------------------------------------


def period_loss(x: float, C: float = 3.0) -> float:
    """f_1(x) + f_2(x) + f_3(x): the loss of one period of three steps at a fixed x."""
    return sum(reddi_gradient(t, C) * x for t in (1, 2, 3))


def reddi_cycle_steps(beta2: float, C: float = 3.0) -> tuple[float, float, float]:
    """Adam's three step lengths over a period, in units of alpha_t, once v is periodic.

    With beta1 = 0, v cycles through v1 (after C), v2 and v3 (after -1, -1): the step
    that sees C moves x left by C / sqrt(v1), the two others right by 1 / sqrt(v2) and
    1 / sqrt(v3).
    """
    v1 = (1 - beta2) * (C**2 + beta2 + beta2**2) / (1 - beta2**3)
    v2 = beta2 * v1 + (1 - beta2)
    v3 = beta2 * v2 + (1 - beta2)
    return C / math.sqrt(v1), 1 / math.sqrt(v2), 1 / math.sqrt(v3)


def reddi_drift(beta2: float, C: float = 3.0) -> float:
    """Net move of x to the right over one period, in units of alpha_t (v periodic).

    Positive: x is pushed to +1, the worst point; negative: to the optimum -1.
    """
    left, right2, right3 = reddi_cycle_steps(beta2, C)
    return right2 + right3 - left


def reddi_beta2_threshold(C: float = 3.0) -> float:
    """The beta2 above which Adam's drift on the counterexample points to -1 (bisection)."""
    low, high = 1 / (1 + C**2), 0.999
    assert reddi_drift(low, C) > 0 > reddi_drift(high, C)
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if reddi_drift(middle, C) > 0 else (low, middle)
    return (low + high) / 2


@functools.cache
def _online(steps: int, C: float = 3.0, alpha: float = 0.5, amsgrad: bool = False,
            beta2: float | None = None, period: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """online_adam(steps, C, alpha, amsgrad, 1.0, beta2, period) and its average_regret:
    the same numbers, with less Python per step (tests/test_variants.py checks).

    With beta1 = 0, v and so each step's length do not depend on x: they are computed
    first (v in a loop, the rest on arrays, the same operations in the same order), and
    only the projection onto [-1, 1] is left for the loop over x.
    """
    t = np.arange(1, steps + 1)
    g = np.where(t % period == 1, C, -1.0)  # reddi_gradient(t, C, period)
    v = _online_v(steps, C, beta2, period)
    if amsgrad:
        v = np.maximum.accumulate(v)  # v_max
    x, xs = 1.0, [1.0]
    for step in (alpha / np.sqrt(t) * g / np.sqrt(v)).tolist():
        x -= step
        if x > 1.0:  # min(1, max(-1, x))
            x = 1.0
        elif x < -1.0:
            x = -1.0
        xs.append(x)
    xs = np.array(xs)
    best = -np.abs(np.cumsum(g))  # as average_regret
    return xs, (np.cumsum(g * xs[:-1]) - best) / t


@functools.cache
def _online_v(steps: int, C: float, beta2: float | None, period: int) -> np.ndarray:
    """v_1 .. v_steps of online_adam (the same for Adam and AMSGrad)."""
    beta2 = 1 / (1 + C**2) if beta2 is None else beta2
    v, vs = 0.0, []
    for t in range(1, steps + 1):
        g = C if t % period == 1 else -1.0
        v = beta2 * v + (1 - beta2) * g**2
        vs.append(v)
    return np.array(vs)


def _reddi_default_beta2() -> np.ndarray:
    return _online(30_000, beta2=0.999)[0]


@value("variants-reddi-beta2", digits=1)
def reddi_beta2() -> float:
    """The paper's beta2 = 1 / (1 + C^2) for C = 3."""
    return 1 / (1 + 3.0**2)


@value("variants-reddi-alpha-bound", digits=3)
def reddi_alpha_bound() -> float:
    """The paper's condition alpha < sqrt(1 - beta2), for C = 3."""
    return math.sqrt(1 - reddi_beta2())


@value("variants-reddi-adam-period-loss", integer=True)
def reddi_adam_period_loss() -> float:
    """The loss of one period at x = +1, where Adam ends."""
    return period_loss(1.0)


@value("variants-reddi-optimum-period-loss", integer=True)
def reddi_optimum_period_loss() -> float:
    """The loss of one period at the optimum x = -1."""
    return period_loss(-1.0)


@value("variants-reddi-extra-per-period", integer=True)
def reddi_extra_per_period() -> float:
    """How much more Adam, at +1, pays than the optimum every three steps."""
    return period_loss(1.0) - period_loss(-1.0)


@value("variants-reddi-regret-per-step", digits=3)
def reddi_regret_per_step() -> float:
    """The average regret per step at x = +1: the extra loss of a period over 3."""
    return reddi_extra_per_period() / 3


@value("variants-beta2-memory", integer=True)
def beta2_memory() -> float:
    """1 / (1 - beta2) for beta2 = 0.999: how many steps v averages over, about."""
    return round(1 / (1 - 0.999))


@value("variants-reddi-default-x", decimals=3)
def reddi_default_x() -> float:
    """Adam with beta2 = 0.999 on the counterexample: x after 30,000 steps."""
    return float(_reddi_default_beta2()[-1])


@value("variants-reddi-default-regret", digits=2)
def reddi_default_regret() -> float:
    """Adam with beta2 = 0.999 on the counterexample: average regret after 30,000 steps."""
    return float(_online(30_000, beta2=0.999)[1][-1])


@value("variants-reddi-left-step", decimals=2)
def reddi_left_step() -> float:
    """Adam's step to the left, in units of alpha_t, when it sees C (beta2 = 0.1)."""
    return reddi_cycle_steps(0.1)[0]


@value("variants-reddi-right-step-2", decimals=2)
def reddi_right_step_2() -> float:
    """Adam's step to the right, in units of alpha_t, one step after C (beta2 = 0.1)."""
    return reddi_cycle_steps(0.1)[1]


@value("variants-reddi-right-step-3", decimals=2)
def reddi_right_step_3() -> float:
    """Adam's step to the right, in units of alpha_t, two steps after C (beta2 = 0.1)."""
    return reddi_cycle_steps(0.1)[2]


RARE = {"C": 20_000.0, "period": 10_000}  # a problem built for beta2 = 0.999


@functools.cache
def _rare_run(amsgrad: bool) -> tuple[float, float]:
    """x and the average regret after 300,000 steps of the rare-gradient problem."""
    xs, regret = _online(300_000, beta2=0.999, amsgrad=amsgrad, **RARE)
    return float(xs[-1]), float(regret[-1])


@value("variants-rare-adam-x", decimals=3)
def rare_adam_x() -> float:
    """Adam (beta2 = 0.999) on C = 20,000 once every 10,000 steps: x at the end."""
    return _rare_run(False)[0]


@value("variants-rare-adam-regret", digits=3)
def rare_adam_regret() -> float:
    """Adam (beta2 = 0.999) on the rare-gradient problem: average regret at the end."""
    return _rare_run(False)[1]


@value("variants-rare-amsgrad-x", decimals=3)
def rare_amsgrad_x() -> float:
    """AMSGrad (beta2 = 0.999) on the rare-gradient problem: x at the end."""
    return _rare_run(True)[0]


@value("variants-rare-amsgrad-regret", digits=2)
def rare_amsgrad_regret() -> float:
    """AMSGrad (beta2 = 0.999) on the rare-gradient problem: average regret at the end."""
    return _rare_run(True)[1]


@value("variants-reddi-beta2-threshold", digits=3)
def reddi_threshold() -> float:
    """The smallest beta2 with which Adam is drawn to the optimum of the C = 3 problem."""
    return reddi_beta2_threshold(3.0)


# Adamax's largest step ----------------------------------------------------------------


def adamax_step_bound(beta1: float = 0.9, beta2: float = 0.999) -> float:
    """The supremum of |step| / lr for Adamax: (1 - beta1) / (1 - beta1 / beta2)."""
    return (1 - beta1) / (1 - beta1 / beta2)


@functools.cache
def adamax_shrinking_steps(steps: int = 5000) -> np.ndarray:
    """|step| of Adamax (lr = 1, eps = 0, defaults betas) when g_t = beta2^t."""
    w = np.zeros(1)
    optimizer = Adamax([w], lr=1.0, eps=0.0)
    sizes = []
    for t in range(1, steps + 1):
        before = w[0]
        optimizer.t += 1  # optimizer.step without its checks of the gradient and lr
        optimizer.update(0, w, np.array([0.999**t]))
        sizes.append(abs(w[0] - before))
    return np.array(sizes)


@value("variants-adamax-bound", digits=6)
def adamax_bound() -> float:
    """The largest Adamax step at the default betas, in units of alpha."""
    return adamax_step_bound()


@value("variants-adamax-excess", digits=2, percent=True)
def adamax_excess() -> float:
    """How much the largest Adamax step exceeds alpha, as a fraction of alpha."""
    return adamax_step_bound() - 1


@value("variants-adamax-largest-step", digits=6)
def adamax_largest_step() -> float:
    """The largest step, in units of alpha, of 5000 Adamax steps with g_t = 0.999^t."""
    return float(adamax_shrinking_steps().max())


@value("variants-adamax-first-long-step", integer=True)
def adamax_first_long_step() -> float:
    """The first step longer than alpha when g_t = 0.999^t."""
    return int(np.argmax(adamax_shrinking_steps() > 1)) + 1


# NAdam in PyTorch: the product of the mu_t in float32 -------------------------------


def comparison_gradients(steps: int = 400, seed: int = 5) -> list[np.ndarray]:
    """The random gradients the tests compare the frameworks with: 8 scales, 1e-3..10."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(8) * np.logspace(-3, 1, 8) for _ in range(steps)]



class NAdamFloat32Product(NAdam):
    """NAdam keeping prod mu_t in float32, as torch.optim.NAdam does by default."""

    def step(self, grads) -> None:
        grads = check_grads(grads, self.params)
        self.t += 1
        self.mu_product = float(np.float32(self.mu_product) * np.float32(self.mu(self.t)))
        Optimizer.step(self, grads)


def _nadam_run(make) -> np.ndarray:
    w = np.ones(8)
    optimizer = make([w])
    for g in comparison_gradients():
        optimizer.step([g])
    return w


@value("variants-nadam-float32-gap", sci=True, digits=2)
def nadam_float32_gap() -> float:
    """Largest difference, after the tests' 400 steps at lr = 0.01, float32 product or not."""
    exact = _nadam_run(lambda ps: NAdam(ps, lr=0.01))
    rounded = _nadam_run(lambda ps: NAdamFloat32Product(ps, lr=0.01))
    return float(np.abs(exact - rounded).max())


# RAdam ---------------------------------------------------------------------------------


@value("variants-radam-momentum-steps", integer=True)
def radam_momentum_steps() -> float:
    """How many first steps of RAdam are momentum steps at beta2 = 0.999."""
    return radam_first_rectified_step() - 1


@value("variants-radam-first-rectified-step", integer=True)
def radam_first_rectified_step() -> float:
    """The first step with r_t > 0 at beta2 = 0.999."""
    return next(t for t in range(1, 100) if rectification(t) > 0)


@value("variants-radam-first-r", digits=2)
def radam_first_r() -> float:
    """r_t at the first rectified step."""
    return rectification(radam_first_rectified_step())


@value("variants-radam-r-10", decimals=3)
def radam_r_10() -> float:
    """r_t at step 10."""
    return rectification(10)


@value("variants-radam-r-100", decimals=3)
def radam_r_100() -> float:
    """r_t at step 100."""
    return rectification(100)


@value("variants-radam-r-200", decimals=2)
def radam_r_200() -> float:
    """r_t at step 200."""
    return rectification(200)


@value("variants-radam-r-1000", decimals=3)
def radam_r_1000() -> float:
    """r_t at step 1000."""
    return rectification(1000)


@value("variants-radam-r-5000", decimals=3)
def radam_r_5000() -> float:
    """r_t at step 5000."""
    return rectification(5000)


@value("variants-radam-near-one", integer=True)
def radam_near_one() -> float:
    """The first step from which r_t stays within 0.5 % of 1 (r_t grows with t)."""
    return next(t for t in range(1, 100_000) if rectification(t) >= 0.995)


@value("variants-radam-linear-warmup", integer=True)
def radam_linear_warmup() -> float:
    """Ma & Yarats's warmup length 2 / (1 - beta2) for beta2 = 0.999."""
    return round(2 / (1 - 0.999))


@value("variants-rosenbrock-first-gradient", digits=3)
def rosenbrock_first_gradient() -> float:
    """The x component of Rosenbrock's gradient at the start (-1.2, 1)."""
    return float(ROSENBROCK.grad(-1.2, 1.0)[0])


@value("variants-radam-rosenbrock-jump", digits=2)
def radam_rosenbrock_jump() -> float:
    """Where RAdam (lr = 0.02) puts x after its first step on Rosenbrock."""
    return float(trajectory(lambda p: RAdam(p, lr=0.02), ROSENBROCK, start=(-1.2, 1.0),
                            steps=1)[1, 0])


# Adam and AMSGrad on the valley ------------------------------------------------------


@functools.cache
def _valley_paths() -> dict[str, np.ndarray]:
    """The path of each of VARIANTS on the valley, 200 steps (shared with the figure)."""
    return {name: trajectory(make, VALLEY, steps=200) for name, (_, make) in VARIANTS.items()}


def _valley_adam_amsgrad() -> tuple[np.ndarray, np.ndarray]:
    return _valley_paths()["Adam"], _valley_paths()["AMSGrad"]


def valley_losses() -> tuple[np.ndarray, np.ndarray]:
    """Adam's and AMSGrad's losses on the valley at steps 0..200."""
    return tuple(np.array([VALLEY.loss(*p) for p in path]) for path in _valley_adam_amsgrad())


@value("variants-valley-identical-steps", integer=True)
def valley_identical_steps() -> float:
    """How many first steps Adam and AMSGrad take identically on the valley."""
    adam, amsgrad = _valley_adam_amsgrad()
    return int(np.argmax(np.any(adam != amsgrad, axis=1))) - 1


@value("variants-valley-one-percent-step", integer=True)
def valley_one_percent_step() -> float:
    """The first step at which their losses differ by more than 1 %."""
    adam, amsgrad = valley_losses()
    return int(np.argmax(np.abs(adam / amsgrad - 1) > 0.01))


@value("variants-valley-amsgrad-gain", digits=2)
def valley_amsgrad_gain() -> float:
    """Adam's loss over AMSGrad's after 200 steps on the valley."""
    adam, amsgrad = valley_losses()
    return float(adam[200] / amsgrad[200])


# NAdam's momentum schedules on the valley ---------------------------------------------

NADAM_SCHEDULES = {"PyTorch": 4e-3, "Keras": 1.0, "Optax": math.inf}  # momentum_decay


@functools.cache
def _valley_nadam_paths() -> dict[str, np.ndarray]:
    """Paths on the valley, 200 steps: Adam, and NAdam with each framework's mu_t.

    NAdam with PyTorch's schedule is the page's NAdam (VARIANTS); the others differ
    from it only in momentum_decay.
    """
    paths = {"Adam": _valley_paths()["Adam"], "PyTorch": _valley_paths()["NAdam"]}
    for name in ("Keras", "Optax"):
        make = functools.partial(NAdam, lr=0.05, momentum_decay=NADAM_SCHEDULES[name])
        paths[name] = trajectory(make, VALLEY, steps=200)
    return paths


def valley_nadam_loss(name: str, step: int) -> float:
    """The loss of Adam or of NAdam with `name`'s schedule after `step` steps."""
    return float(VALLEY.loss(*_valley_nadam_paths()[name][step]))


def valley_crossings(name: str) -> int:
    """How often the path crosses the valley's floor (y changes sign) in 200 steps."""
    return int(np.sum(np.diff(np.sign(_valley_nadam_paths()[name][:, 1])) != 0))


@value("variants-valley-adam-20", digits=2)
def valley_adam_20() -> float:
    return valley_nadam_loss("Adam", 20)


@value("variants-valley-nadam-20", digits=2)
def valley_nadam_20() -> float:
    return valley_nadam_loss("PyTorch", 20)


@value("variants-valley-nadam-optax-20", digits=2)
def valley_nadam_optax_20() -> float:
    return valley_nadam_loss("Optax", 20)


@value("variants-valley-adam-200", sci=True, digits=2)
def valley_adam_200() -> float:
    return valley_nadam_loss("Adam", 200)


@value("variants-valley-nadam-200", sci=True, digits=2)
def valley_nadam_200() -> float:
    return valley_nadam_loss("PyTorch", 200)


@value("variants-valley-nadam-optax-200", sci=True, digits=2)
def valley_nadam_optax_200() -> float:
    return valley_nadam_loss("Optax", 200)


@value("variants-valley-nadam-keras-200", sci=True, digits=2)
def valley_nadam_keras_200() -> float:
    return valley_nadam_loss("Keras", 200)


@value("variants-valley-adam-crossings", integer=True)
def valley_adam_crossings() -> float:
    return valley_crossings("Adam")


@value("variants-valley-nadam-crossings", integer=True)
def valley_nadam_crossings() -> float:
    return valley_crossings("PyTorch")


@value("variants-valley-nadam-optax-crossings", integer=True)
def valley_nadam_optax_crossings() -> float:
    return valley_crossings("Optax")


@value("variants-adamw-rms-200", digits=2)
def adamw_rms_200() -> float:
    """AdamW: RMS of the group with gradients x 0.01 after 200 steps (all groups alike)."""
    return float(_weight_stats(True)[0][200, 0])
