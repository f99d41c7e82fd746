"""The /variants/ page: Adam's family, each built from scratch and checked.

AdamW and AMSGrad are options of the reference ``Adam`` (adam.py); this module adds the
experiments that show why they exist, and Adamax, NAdam and RAdam as in-place optimizers
with the conventions of snippets/optimizers.py. tests/test_variants.py checks each one
against torch.optim and Optax. Blocks that print sit under ``if __name__ ==
"__main__":``, so importing the module runs nothing.

Public names:
    weight_norms(decoupled, scales, steps, lr, weight_decay): the weight-decay experiment
    reddi_gradient(t, C), online_adam(steps, ...), average_regret(xs, C): the
        counterexample of Reddi et al. (2018)
    Adamax, NAdam, RAdam: optimizers, step(grads) updates params in place
    rectification(t, beta2): RAdam's r_t (0 while the variance is intractable)
    VARIANTS: name -> (colour key, optimizer factory), for the comparison
"""

# --8<-- [start:setup]
from __future__ import annotations

import math

import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam, check_grads, check_hyperparameters
from snippets.figures import COLORS, figure
from snippets.optimizers import Optimizer, trajectory
from snippets.surfaces import ROSENBROCK, VALLEY


# --8<-- [start:weight_norms]
def weight_norms(decoupled: bool, scales=(0.01, 1.0, 100.0), steps: int = 3000,
                 lr: float = 0.01, weight_decay: float = 0.1, seed: int = 0) -> np.ndarray:
    """Weights whose loss gradient is noise of a given scale, decayed by L2 or AdamW.

    One group of 100 weights, all starting at 1, per scale; every group sees the same
    noise, times its scale. Returns the root mean square of each group after each step,
    an array (steps + 1, len(scales)).
    """
    rng = np.random.default_rng(seed)
    groups = [np.ones(100) for _ in scales]
    optimizer = Adam(groups, lr=lr, weight_decay=weight_decay,
                     decoupled_weight_decay=decoupled)  # False: L2, True: AdamW
    rms = np.ones((steps + 1, len(scales)))
    for k in range(1, steps + 1):
        noise = rng.standard_normal(100)
        optimizer.step([scale * noise for scale in scales])
        rms[k] = [np.sqrt(np.mean(w**2)) for w in groups]
    return rms


# --8<-- [end:weight_norms]

if __name__ == "__main__":
    # --8<-- [start:weight_norms_table]
    l2, adamw = weight_norms(decoupled=False), weight_norms(decoupled=True)
    print("gradient scale   weights after 3000 steps:  L2 in Adam   AdamW")
    for i, scale in enumerate((0.01, 1.0, 100.0)):
        print(f"{scale:14g}   {l2[-1, i]:35.3f}   {adamw[-1, i]:5.3f}")
    # --8<-- [end:weight_norms_table]


# --8<-- [start:reddi]
def reddi_gradient(t: int, C: float = 3.0) -> float:
    """The gradient of f_t(x) = C x if t mod 3 = 1, else -x (the same at every x)."""
    return C if t % 3 == 1 else -1.0


def online_adam(steps: int, C: float = 3.0, alpha: float = 0.5, amsgrad: bool = False,
                x1: float = 1.0) -> np.ndarray:
    """Adam or AMSGrad as Reddi et al. analyse it; return x_1, ..., x_{steps+1}.

    beta1 = 0, beta2 = 1 / (1 + C^2), step size alpha / sqrt(t), no bias correction,
    no epsilon, and each step projected back onto [-1, 1].
    """
    beta2 = 1 / (1 + C**2)
    x, v, v_max = x1, 0.0, 0.0
    xs = [x]
    for t in range(1, steps + 1):
        g = reddi_gradient(t, C)
        v = beta2 * v + (1 - beta2) * g**2  # m_t = g_t, since beta1 = 0
        v_max = max(v_max, v)  # AMSGrad's long-term memory
        step = alpha / math.sqrt(t) * g / math.sqrt(v_max if amsgrad else v)
        x = min(1.0, max(-1.0, x - step))  # projection onto [-1, 1]
        xs.append(x)
    return np.array(xs)


def average_regret(xs, C: float = 3.0) -> np.ndarray:
    """R_T / T for T = 1, 2, ...: the loss of x_1..x_T minus that of the best fixed x."""
    g = np.array([reddi_gradient(t, C) for t in range(1, len(xs))])
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
        "100. Left, L2 inside Adam: the group with tiny gradients is pulled to about "
        "0.02 within 200 steps, the group of scale 1 decays slowly to 0.24, the group "
        "of scale 100 is not decayed at all and ends above 1. Right, AdamW: the three "
        "curves lie on top of each other and decay together to 0.24."
    ),
    size=(7.0, 3.2),
)
def weight_decay_norms(fig, theme):
    """L2 decays each weight by an amount that depends on its gradients; AdamW does not."""
    axes = fig.subplots(1, 2, sharey=True)
    for ax, decoupled, title in ((axes[0], False, "L2 inside Adam"),
                                 (axes[1], True, "AdamW (decoupled)")):
        rms = weight_norms(decoupled)
        colour = COLORS["adamw" if decoupled else "adam"]
        for i, (scale, style) in enumerate(zip(SCALES, SCALE_STYLES, strict=True)):
            ax.plot(np.arange(len(rms))[::10], rms[::10, i], style, color=colour,
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
        "a few hundred steps. Bottom: the average regret. Adam's settles at 2/3; "
        "AMSGrad's falls towards 0."
    ),
    size=(5.6, 5.0),
)
def reddi_counterexample(fig, theme):
    """Adam settles at the worst point of a convex problem; AMSGrad finds the best."""
    top, bottom = fig.subplots(2, 1, sharex=True)
    steps = 30_000
    keep = np.unique(np.geomspace(1, steps, 300).astype(int))
    for name, amsgrad in (("Adam", False), ("AMSGrad", True)):
        xs = online_adam(steps, amsgrad=amsgrad)
        colour = COLORS["amsgrad" if amsgrad else "adam"]
        top.plot(keep, xs[keep - 1], color=colour, label=name)
        bottom.plot(keep, average_regret(xs)[keep - 1], color=colour, label=name)
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
        "0.999: zero for the first 5 steps, 0.05 at step 10, 0.22 at step 100, 0.65 at "
        "step 1000 and 1 after about 5000 steps. A linear warmup over 2000 steps and "
        "the exponential warmup 1 - exp(-t/1000) rise over the same range of steps."
    ),
    size=(5.6, 3.2),
)
def radam_warmup(fig, theme):
    """RAdam's rectification is a learning-rate warmup of about 2 / (1 - beta2) steps."""
    ax = fig.subplots()
    t = np.unique(np.geomspace(1, 20_000, 200).astype(int))
    ax.plot(t, [rectification(k) for k in t], color=COLORS["radam"],
            label=r"RAdam's $r_t$ ($\beta_2 = 0.999$)")
    ax.plot(t, np.minimum(1, t / 2000), "--", color=theme.text,
            label=r"linear warmup over $2/(1-\beta_2) = 2000$ steps")
    ax.plot(t, 1 - np.exp(-t / 1000), ":", color=theme.text,
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
    for name, (colour, make) in VARIANTS.items():
        path = trajectory(make, VALLEY, steps=200)
        left.plot(path[:80, 0], path[:80, 1], color=COLORS[colour], linewidth=1.3,
                  label=name)
        right.plot([VALLEY.loss(*p) for p in path], color=COLORS[colour], label=name)
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

