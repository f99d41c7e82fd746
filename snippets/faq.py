"""The FAQ (docs/faq.md): the numbers its answers state, each computed here.

The FAQ shows no code: its answers are short and link to the page where each
experiment is shown. The few numbers an answer keeps are values registered below
(``[[value: faq-...]]``), computed by small experiments of their own with the
reference ``Adam`` (snippets/adam.py), so that they do not depend on how another
page sets up its code. tests/test_faq.py checks the claims the answers make with
the run functions of this module.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from snippets.adam import Adam
from snippets.values import value

BETA1, BETA2 = 0.9, 0.999  # Adam's defaults (Algorithm 1)
LOW_BETA2 = 0.95  # the beta2 of large Transformers (GPT-3, LLaMA)


# The algorithm -------------------------------------------------------------------


@value("faq-first-step-uncorrected", digits=3)
def first_step_uncorrected() -> float:
    """The first step / lr without bias correction: m_1 / sqrt(v_1) for any g."""
    g = 1.0
    m, v = (1 - BETA1) * g, (1 - BETA2) * g * g
    return m / math.sqrt(v)


@value("faq-step-bound-paper", digits=3)
def step_bound_paper() -> float:
    """The paper's bound on a step / lr, (1 - beta1) / sqrt(1 - beta2)."""
    return (1 - BETA1) / math.sqrt(1 - BETA2)


def ceiling(beta2: float, beta1: float = BETA1) -> float:
    """The largest step / lr any gradient history can give (second-moment page)."""
    return (1 - beta1) / math.sqrt((1 - beta2) * (1 - beta1**2 / beta2))


@value("faq-ceiling-default", digits=3)
def ceiling_default() -> float:
    return ceiling(BETA2)


@value("faq-ceiling-low-beta", digits=3)
def ceiling_low_beta() -> float:
    return ceiling(LOW_BETA2)


@functools.cache
def steps_after_growth(beta2: float, quiet: int = 3000, loud: int = 3000) -> np.ndarray:
    """Step / lr for `loud` steps of gradient 1 after `quiet` steps of gradient 0.01."""
    w = np.zeros(1)
    opt = Adam([w], lr=1.0, betas=(BETA1, beta2))
    for _ in range(quiet):
        opt.step([np.array([0.01])])
    steps = np.empty(loud)
    for k in range(loud):
        before = w[0]
        opt.step([np.array([1.0])])
        steps[k] = before - w[0]
    return steps


@value("faq-growth-step-default", digits=3)
def growth_step_default() -> float:
    """The largest step / lr after the gradient grows a hundredfold, beta2 = 0.999."""
    return float(steps_after_growth(BETA2).max())


def growth_step_low_beta() -> float:
    """The same with beta2 = 0.95."""
    return float(steps_after_growth(LOW_BETA2).max())


# Hyperparameters -----------------------------------------------------------------


@value("faq-memory-default", integer=True)
def memory_default() -> float:
    """1 / (1 - beta2), the number of steps v's weights sum to about 1 over (rounded)."""
    return round(1 / (1 - BETA2))


@value("faq-memory-low-beta", integer=True)
def memory_low_beta() -> float:
    return round(1 / (1 - LOW_BETA2))


def v_noise(beta2: float) -> float:
    """Relative spread of v for Gaussian gradients with mean 0: sqrt(2(1-b2)/(1+b2))."""
    return math.sqrt(2 * (1 - beta2) / (1 + beta2))


@value("faq-v-noise-default", decimals=1, percent=True)
def v_noise_default() -> float:
    return v_noise(BETA2)


@value("faq-v-noise-low-beta", decimals=1, percent=True)
def v_noise_low_beta() -> float:
    return v_noise(LOW_BETA2)


# Deterministic and noisy least squares, with and without clipping ------------------


def exact_least_squares(n: int = 50, d: int = 20, seed: int = 0) -> tuple:
    """Least squares with an exact solution (the loss can reach 0): X, y."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, X @ rng.standard_normal(d)


def noisy_least_squares(n: int = 2000, d: int = 20, seed: int = 0) -> tuple:
    """Noisy labels, features on scales 0.1 to 10: X, y, best weights, Hessian."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.logspace(-1, 1, d)
    y = X @ rng.standard_normal(d) + rng.standard_normal(n)
    return X, y, np.linalg.lstsq(X, y, rcond=None)[0], X.T @ X / n


def clip_by_global_norm(g: np.ndarray, max_norm: float) -> tuple[np.ndarray, bool]:
    """g scaled to norm max_norm if longer, as torch.nn.utils.clip_grad_norm_; clipped?"""
    norm = float(np.sqrt(g @ g))
    scale = min(1.0, max_norm / (norm + 1e-6))
    return g * scale, scale < 1.0


@functools.cache
def exact_run(steps: int = 3000, lr: float = 0.01, beta2: float = BETA2,
              eps: float = 1e-8, max_norm: float | None = None,
              cosine: bool = False) -> dict:
    """Full-batch Adam from w = 0 on the exact least squares.

    Returns the loss before each step, the RMS step / lr of each step, how many
    steps the clipping was active, and sqrt(v_hat) / |g| at the end, per weight.
    """
    X, y = exact_least_squares()
    w = np.zeros(X.shape[1])
    opt = Adam([w], lr=lr, betas=(BETA1, beta2), eps=eps)
    losses, sizes, clipped = np.empty(steps), np.empty(steps), 0
    for t in range(steps):
        if cosine:
            opt.lr = lr * 0.5 * (1 + math.cos(math.pi * t / steps))
        r = X @ w - y
        losses[t] = 0.5 * np.mean(r**2)
        g = X.T @ r / len(y)
        if max_norm is not None:
            g, active = clip_by_global_norm(g, max_norm)
            clipped += active
        before = w.copy()
        opt.step([g])
        sizes[t] = np.sqrt(np.mean((w - before) ** 2)) / lr
    v_hat = opt.v[0] / (1 - beta2**opt.t)
    return {"loss": losses, "final": 0.5 * np.mean((X @ w - y) ** 2), "step": sizes,
            "clipped": clipped, "memory": np.sqrt(v_hat) / np.abs(g)}


@functools.cache
def noisy_run(steps: int = 3000, lr: float = 0.01, max_norm: float | None = None,
              batch: int = 32, seed: int = 1) -> dict:
    """Minibatch Adam from w = 0 on the noisy least squares: excess loss and step / lr."""
    X, y, w_best, H = noisy_least_squares()
    rng = np.random.default_rng(seed)
    w = np.zeros(X.shape[1])
    opt = Adam([w], lr=lr)
    excess, sizes, clipped = np.empty(steps), np.empty(steps), 0
    for t in range(steps):
        rows = rng.integers(0, len(y), batch)
        g = X[rows].T @ (X[rows] @ w - y[rows]) / batch
        if max_norm is not None:
            g, active = clip_by_global_norm(g, max_norm)
            clipped += active
        before = w.copy()
        opt.step([g])
        sizes[t] = np.sqrt(np.mean((w - before) ** 2)) / lr
        d = w - w_best
        excess[t] = 0.5 * d @ H @ d
    return {"excess": excess, "step": sizes, "clipped": clipped}


STEADY = slice(2000, 3000)  # steps 2001-3000: where the runs are compared
CLIP = 1e-3  # a max_norm below the gradient norm at (almost) every step


@value("faq-exact-step-early", digits=2)
def exact_step_early() -> float:
    """RMS step / lr at step 10 on the exact least squares."""
    return float(exact_run()["step"][9])


@value("faq-exact-step-late", digits=2, sci=True)
def exact_step_late() -> float:
    """Mean RMS step / lr over steps 1901-2000 (before any spike)."""
    return float(exact_run()["step"][1900:2000].mean())


@value("faq-exact-loss", digits=1, sci=True)
def exact_loss() -> float:
    """The loss after 2000 steps at the constant lr."""
    return float(exact_run()["loss"][2000])


@value("faq-noisy-step-late", digits=2)
def noisy_step_late() -> float:
    """Mean RMS step / lr over steps 2001-3000 with minibatch gradients."""
    return float(noisy_run()["step"][STEADY].mean())


@value("faq-noisy-excess", digits=2)
def noisy_excess() -> float:
    """Mean excess loss over steps 2001-3000 with minibatch gradients."""
    return float(noisy_run()["excess"][STEADY].mean())


@value("faq-clip-noisy-excess", digits=2)
def clip_noisy_excess() -> float:
    """The same, every gradient clipped to norm 1e-3."""
    return float(noisy_run(max_norm=CLIP)["excess"][STEADY].mean())


@value("faq-exact-loss-end", digits=2, sci=True)
def exact_loss_end() -> float:
    """The exact least squares' loss after 3000 steps, unclipped."""
    return float(exact_run()["final"])


@value("faq-clip-exact-loss", digits=2, sci=True)
def clip_exact_loss() -> float:
    """The same, every gradient clipped to norm 1e-3."""
    return float(exact_run(max_norm=CLIP)["final"])


# Training problems ---------------------------------------------------------------


def first_step_float16(grads, eps: float) -> np.ndarray:
    """One Adam step from 0 with weights, m, v and eps in float16; step / lr."""
    w = np.zeros(len(grads), dtype=np.float16)
    opt = Adam([w], lr=1e-3, eps=eps)
    with np.errstate(all="ignore"):  # 1/0 and 0/0 are the point
        opt.step([np.asarray(grads, dtype=np.float16)])
    return -w.astype(np.float64) / 1e-3


def all_float16() -> np.ndarray:
    """Every positive finite float16 number, in increasing order."""
    return np.arange(1, 0x7C00, dtype=np.uint16).view(np.float16)


@value("faq-fp-zero-v", decimals=5)
def fp_zero_v() -> float:
    """The largest float16 gradient whose first v rounds to 0 (infinite first step)."""
    g = all_float16()
    return float(g[~np.isfinite(first_step_float16(g, 1e-8))].max())


@value("faq-fp-eps-step", digits=3)
def fp_eps_step() -> float:
    """First step / lr in float16 with eps = 1e-4 for g = 0.001."""
    return float(first_step_float16([1e-3], 1e-4)[0])


@value("faq-fp-eps-step-max", digits=2)
def fp_eps_step_max() -> float:
    """The largest first step / lr in float16 with eps = 1e-4."""
    return float(first_step_float16(all_float16(), 1e-4).max())


def steps_after_bad_batch(max_norm: float | None = None, before: int = 2000,
                          after: int = 101, bad: float = 100.0) -> np.ndarray:
    """Step / lr after one gradient `bad` among gradients of 1, maybe clipped."""
    w = np.zeros(1)
    opt = Adam([w], lr=1.0)
    steps = np.empty(after)
    for k in range(before + after):
        g = np.array([bad if k == before else 1.0])
        if max_norm is not None:
            g, _ = clip_by_global_norm(g, max_norm)
        old = w[0]
        opt.step([g])
        if k >= before:
            steps[k - before] = old - w[0]
    return steps


@value("faq-bad-batch-step", digits=2)
def bad_batch_step() -> float:
    """Step / lr 100 steps after a gradient 100 times the usual one, unclipped."""
    return float(steps_after_bad_batch()[100])


@value("faq-bad-batch-clipped", digits=3)
def bad_batch_clipped() -> float:
    """Step / lr at the bad batch when it is clipped at twice the usual norm."""
    return float(steps_after_bad_batch(max_norm=2.0)[0])


@value("faq-loss-scale-difference", digits=1, sci=True)
def loss_scale_difference() -> float:
    """1000 steps on the same gradients at scale 1 and 0.001: largest difference."""
    grads = np.random.default_rng(0).normal(0.5, 1.0, size=(1000, 3))
    ends = []
    for scale in (1.0, 1e-3):
        w = np.zeros(3)
        opt = Adam([w], lr=1e-3)
        for g in grads:
            opt.step([scale * g])
        ends.append(w)
    return float(np.abs(ends[0] - ends[1]).max())


def rare_row(steps: int = 100) -> np.ndarray:
    """Distance / lr a weight has moved after a gradient of 1 at step 1, then zeros."""
    w = np.zeros(1)
    opt = Adam([w], lr=1.0)
    moved = np.empty(steps)
    for t in range(steps):
        opt.step([np.array([1.0 if t == 0 else 0.0])])
        moved[t] = -w[0]
    return moved


@value("faq-zero-gradient-moved", digits=3)
def zero_gradient_moved() -> float:
    return float(rare_row()[-1])


def lazy_rare_steps(every: int = 100, gradients: int = 10) -> np.ndarray:
    """Step / lr of a row that gets a gradient of 1 every `every` steps, lazy update.

    As torch.optim.SparseAdam: the row's m and v change only when it is in the batch,
    the bias correction uses the global step count t.
    """
    m = v = 0.0
    steps = np.empty(gradients)
    for k in range(gradients):
        t = every * k + 1
        m = BETA1 * m + (1 - BETA1)
        v = BETA2 * v + (1 - BETA2)
        steps[k] = math.sqrt(1 - BETA2**t) / (1 - BETA1**t) * m / (math.sqrt(v) + 1e-8)
    return steps


@value("faq-lazy-rare-step", digits=2)
def lazy_rare_step() -> float:
    return float(lazy_rare_steps().max())


# Weight decay and memory -------------------------------------------------------------


@functools.cache
def decay_end(decoupled: bool, steps: int = 5000, lr: float = 1e-3,
              weight_decay: float = 0.01) -> np.ndarray:
    """Two weights at 1, gradients flipping sign every step at scales 1 and 0.001."""
    w = np.ones(2)
    opt = Adam([w], lr=lr, weight_decay=weight_decay, decoupled_weight_decay=decoupled)
    for t in range(1, steps + 1):
        opt.step([(-1.0) ** t * np.array([1.0, 1e-3])])
    return w.copy()


@value("faq-l2-small-weight", decimals=3)
def l2_small_weight() -> float:
    return abs(float(decay_end(False)[1]))  # it ends jittering around 0


@value("faq-decoupled-small-weight", decimals=3)
def decoupled_small_weight() -> float:
    return float(decay_end(True)[1])


@value("faq-decoupled-factor", decimals=3)
def decoupled_factor() -> float:
    """(1 - lr * weight_decay)^5000 with lr = 0.001, weight_decay = 0.01."""
    return (1 - 1e-3 * 0.01) ** 5000


MIXED_PRECISION_BYTES = {"weights": 2, "gradients": 2, "master copy": 4, "m and v": 8}


@value("faq-bytes-per-parameter", integer=True)
def bytes_per_parameter() -> float:
    return sum(MIXED_PRECISION_BYTES.values())


@value("faq-memory-seven-billion", integer=True, unit=" GB")
def memory_seven_billion() -> float:
    return 7e9 * bytes_per_parameter() / 1e9


# Frameworks ------------------------------------------------------------------------


def keras_epsilon(t: int, epsilon_hat: float = 1e-7, beta2: float = BETA2) -> float:
    """Algorithm 1's epsilon that Keras's epsilon (the efficient form's) amounts to."""
    return epsilon_hat / math.sqrt(1 - beta2**t)


@value("faq-keras-eps-first", digits=3)
def keras_eps_first() -> float:
    """Keras's effective epsilon at step 1 over PyTorch's 1e-8, both at defaults."""
    return keras_epsilon(1) / 1e-8
