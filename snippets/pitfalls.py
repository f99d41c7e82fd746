"""Pitfalls: what goes wrong with Adam in practice, each shown happening, with its fix.

Functions at the top level are what the page, its figures and its tests use. The
blocks under ``if __name__ == "__main__":`` print what the page shows: importing the
module runs nothing, ``python -m snippets.pitfalls`` prints the page's outputs in order.
"""

from __future__ import annotations

import contextlib
import functools

# --8<-- [start:setup]
import math

import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam
from snippets.figures import COLORS, figure
from snippets.values import value


class LeanAdam:
    """Adam.step's arithmetic, operation for operation, without its checks and blocks.

    For the long runs behind the page's values and figures (tens of thousands of steps
    on arrays of 1 to 300 numbers, where Adam.step spends most of its time checking its
    input): same results to the last bit for float64 parameters, as
    tests/test_pitfalls.py checks. Takes what the page's runs pass to Adam (lr, betas,
    eps, weight_decay, decoupled_weight_decay) and has the attributes they read.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, *, decoupled_weight_decay: bool = False):
        self.params = list(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.decoupled_weight_decay = decoupled_weight_decay
        self.t = 0
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    def step(self, grads) -> None:
        """One step of Adam.step (see snippets/adam.py, Adam._update)."""
        beta1, beta2 = self.betas
        self.t += 1
        bias_correction1 = 1 - beta1**self.t
        bias_correction2_sqrt = math.sqrt(1 - beta2**self.t)
        alpha = self.lr * bias_correction2_sqrt / bias_correction1
        eps_hat = self.eps * bias_correction2_sqrt
        decay = self.weight_decay
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            if decay and not self.decoupled_weight_decay:
                g = g + p * decay
            if decay and self.decoupled_weight_decay:
                p -= p * (self.lr * decay)
            m *= beta1
            m += g * (1 - beta1)
            v *= beta2
            v += g * (1 - beta2) * g
            step = np.sqrt(v)
            step += eps_hat
            np.divide(m, step, out=step)
            step *= alpha
            p -= step


@contextlib.contextmanager
def lean_adam(namespace: dict | None = None):
    """Run the functions of a module (this one unless given its globals()) with
    LeanAdam as their Adam, e.g. ``with lean_adam(): train(X, y, H)``."""
    namespace = globals() if namespace is None else namespace
    original, namespace["Adam"] = namespace["Adam"], LeanAdam
    try:
        yield
    finally:
        namespace["Adam"] = original


def _adam_rows(W, G, M, V, t: int, lrs, beta2s, eps: float, beta1: float = 0.9) -> None:
    """One step of LeanAdam on each row of W (one run per row, its own lr and beta2).

    Row i gets exactly what LeanAdam([W[i]], lrs[i], (beta1, beta2s[i]), eps) computes:
    the same operations on the same numbers, done for all rows at once.
    """
    correction1 = 1 - beta1**t
    sqrt2 = [math.sqrt(1 - b**t) for b in beta2s]
    alpha = np.array([lr * c / correction1 for lr, c in zip(lrs, sqrt2, strict=True)])
    eps_hat = np.array([eps * c for c in sqrt2])
    M *= beta1
    M += G * (1 - beta1)
    V *= np.array(beta2s)[:, None]
    V += G * np.array([1 - b for b in beta2s])[:, None] * G
    step = np.sqrt(V)
    step += eps_hat[:, None]
    np.divide(M, step, out=step)
    step *= alpha[:, None]
    W -= step


def _state(W, M, V, i: int, t: int, lr: float, beta2: float, eps: float) -> LeanAdam:
    """Row i of a batch of runs as a LeanAdam at step t (a copy: it can go on alone)."""
    opt = LeanAdam([W[i].copy()], lr=lr, betas=(0.9, beta2), eps=eps)
    opt.m, opt.v, opt.t = [M[i].copy()], [V[i].copy()], t
    return opt


# float16 ---------------------------------------------------------------------


# --8<-- [start:fp16_first_step]
def first_step(grads, dtype, eps: float = 1e-8, lr: float = 1e-3) -> np.ndarray:
    """One Adam step from 0, everything in `dtype`; return step / lr."""
    w = np.zeros(len(grads), dtype=dtype)
    opt = Adam([w], lr=lr, eps=eps)  # m and v get the dtype of w
    with np.errstate(all="ignore"):  # overflow, 1/0 and 0/0: the point here
        opt.step([np.asarray(grads, dtype=dtype)])
    return -w.astype(np.float64) / lr + 0.0  # + 0.0 turns -0.0 into 0.0


def all_float16() -> np.ndarray:
    """Every positive finite float16 number, in increasing order."""
    return np.arange(1, 0x7C00, dtype=np.uint16).view(np.float16)


# --8<-- [end:fp16_first_step]


# Late spikes -----------------------------------------------------------------


# --8<-- [start:spike_setup]
def least_squares(n: int = 50, d: int = 20, seed: int = 0) -> tuple:
    """Least squares with an exact solution: data X (n x d), targets y, Hessian H."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d)  # an exact fit exists: the loss can reach 0
    return X, y, X.T @ X / n


def sharpness(opt: Adam, H: np.ndarray) -> float:
    """alpha times the largest eigenvalue of diag(1 / (sqrt(v_hat) + eps)) H."""
    v_hat = opt.v[0] / (1 - opt.betas[1] ** opt.t)
    p = 1 / np.sqrt(np.sqrt(v_hat) + opt.eps)  # square root of the diagonal
    return opt.lr * np.linalg.eigvalsh(p[:, None] * H * p[None, :])[-1]


def train(X, y, H, steps: int = 10_000, lr: float = 0.01, beta2: float = 0.999,
          eps: float = 1e-8, schedule=None, every: int = 20) -> tuple:
    """Full-batch Adam from w = 0: the loss at every step, sharpness every `every`."""
    w = np.zeros(X.shape[1])
    opt = Adam([w], lr=lr, betas=(0.9, beta2), eps=eps)
    losses, sharp = np.empty(steps), []
    for t in range(1, steps + 1):
        if schedule is not None:
            opt.lr = lr * schedule(t, steps)
        r = X @ w - y
        losses[t - 1] = 0.5 * np.mean(r**2)
        opt.step([X.T @ r / len(y)])
        if t % every == 0:
            sharp.append(sharpness(opt, H))
    return losses, np.array(sharp)


def magnitude(x: float) -> str:
    """x to the nearest power of ten, as text: "~1e-05". Where rounding errors are
    amplified, the digits depend on the machine's floating-point kernels; the power
    of ten not."""
    return f"~{10.0 ** round(math.log10(x)):.0e}"


def cosine(t: int, steps: int) -> float:
    """Cosine decay of the learning rate: 1 at t = 1, 0 at t = steps + 1."""
    return 0.5 * (1 + math.cos(math.pi * (t - 1) / steps))


# --8<-- [end:spike_setup]


# β2 --------------------------------------------------------------------------


# --8<-- [start:after_growth]
def steps_after_growth(beta2: float, quiet: int = 3000, loud: int = 3000,
                       small: float = 0.01, large: float = 1.0) -> np.ndarray:
    """Step / lr for `loud` steps of gradient `large` after `quiet` of `small`."""
    w = np.zeros(1)
    opt = Adam([w], lr=1.0, betas=(0.9, beta2))  # lr = 1: a step is step / lr
    for _ in range(quiet):
        opt.step([np.array([small])])
    steps = np.empty(loud)
    for k in range(loud):
        before = w[0]
        opt.step([np.array([large])])
        steps[k] = before - w[0]
    return steps


# --8<-- [end:after_growth]


# Warmup and resuming ----------------------------------------------------------


# --8<-- [start:noisy_least_squares]
def noisy_least_squares(n: int = 2000, d: int = 20, seed: int = 0) -> tuple:
    """Noisy least squares, features on scales 0.1 to 10: X, y, solution, Hessian."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.logspace(-1, 1, d)
    y = X @ rng.standard_normal(d) + rng.standard_normal(n)  # noisy labels
    return X, y, np.linalg.lstsq(X, y, rcond=None)[0], X.T @ X / n


def excess(w: np.ndarray, w_best: np.ndarray, H: np.ndarray) -> float:
    """How far the loss at w is above the lowest loss, the loss at w_best."""
    d = w - w_best
    return 0.5 * d @ H @ d  # exact for least squares


def fine_tune(opt: Adam, X, y, w_best, H, steps: int, lr: float,
              warmup: int = 0, seed: int = 1) -> np.ndarray:
    """Minibatches of 32, lr warmed up over `warmup` steps; the excess losses."""
    rng = np.random.default_rng(seed)
    (w,) = opt.params
    out = np.empty(steps)
    for k in range(steps):
        opt.lr = lr * min(1.0, (opt.t + 1) / warmup) if warmup else lr
        batch = rng.integers(0, len(y), 32)
        Xb = X[batch]
        opt.step([Xb.T @ (Xb @ w - y[batch]) / 32])
        out[k] = excess(w, w_best, H)
    return out


# --8<-- [end:noisy_least_squares]


# Weight decay -----------------------------------------------------------------


# --8<-- [start:decay_run]
def decay_run(decoupled: bool, steps: int = 5000, lr: float = 1e-3,
              weight_decay: float = 0.01, scales=(1.0, 1e-3)) -> np.ndarray:
    """Weights at 1 whose gradients flip sign every step; return their path."""
    w = np.ones(len(scales))
    opt = Adam([w], lr=lr, weight_decay=weight_decay,
               decoupled_weight_decay=decoupled)
    path = np.empty((steps + 1, len(scales)))
    path[0] = w
    for t in range(1, steps + 1):
        opt.step([(-1.0) ** t * np.array(scales)])  # no pull either way
        path[t] = w
    return path


# --8<-- [end:decay_run]


# Memory ---------------------------------------------------------------------------


# --8<-- [start:memory]
def training_memory(n_params: float, weights: int = 4, grads: int = 4,
                    master: int = 0, state: int = 2) -> dict[str, float]:
    """Bytes for weights, gradients, a master copy and `state` float32 arrays."""
    parts = {
        "weights": n_params * weights,  # bytes per number: 4 for float32
        "gradients": n_params * grads,
        "master copy": n_params * master,  # float32 copy, in mixed precision
        "optimizer state": n_params * state * 4,  # m, v (and v_max): float32
    }
    return parts | {"total": sum(parts.values())}


# --8<-- [end:memory]


# Clipping ------------------------------------------------------------------------


# --8<-- [start:clip]
def clip_by_global_norm(grads, max_norm: float) -> tuple[list, float]:
    """Scale the gradients to a joint L2 norm of at most max_norm, as PyTorch."""
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    scale = min(1.0, max_norm / (norm + 1e-6))  # torch.nn.utils.clip_grad_norm_
    return [g * scale for g in grads], norm


def steps_after_bad_batch(max_norm: float | None = None, before: int = 2000,
                          after: int = 3000, bad: float = 100.0) -> np.ndarray:
    """Step / lr after one gradient `bad` among gradients of 1, maybe clipped."""
    w = np.zeros(1)
    opt = Adam([w], lr=1.0)
    steps = np.empty(after)
    for k in range(before + after):
        g = [np.array([bad if k == before else 1.0])]
        if max_norm is not None:
            g, _ = clip_by_global_norm(g, max_norm)
        old = w[0]
        opt.step(g)
        if k >= before:
            steps[k - before] = old - w[0]
    return steps


# --8<-- [end:clip]


# --8<-- [start:clip_every]
def minibatch_gradients(X, y, seed: int = 1, size: int = 32):
    """w -> the least-squares gradient on a new minibatch (the batches of fine_tune)."""
    rng = np.random.default_rng(seed)

    def gradient(w):
        batch = rng.integers(0, len(y), size)
        return X[batch].T @ (X[batch] @ w - y[batch]) / size

    return gradient


def clipped_run(gradient, loss, w, steps: int = 3000, lr: float = 0.01,
                max_norm: float | None = None) -> tuple[np.ndarray, int]:
    """Adam from w, its gradients clipped to max_norm (None: not clipped): the loss
    after every step, and at how many steps the clipping was active."""
    opt = Adam([w], lr=lr)
    losses, active = np.empty(steps), 0
    for k in range(steps):
        grads = [gradient(w)]
        if max_norm is not None:
            grads, norm = clip_by_global_norm(grads, max_norm)
            active += norm > max_norm
        opt.step(grads)
        losses[k] = loss(w)
    return losses, active


# --8<-- [end:clip_every]


# Sparse gradients -----------------------------------------------------------------


# --8<-- [start:sparse_adam]
def sparse_adam_step(w, rows, g_rows, m, v, t: int, lr: float = 1e-3,
                     beta1: float = 0.9, beta2: float = 0.999,
                     eps: float = 1e-8) -> None:
    """Update `rows` of w, m, v in place as torch.optim.SparseAdam; t: calls."""
    m[rows] += (1 - beta1) * (g_rows - m[rows])
    v[rows] += (1 - beta2) * (g_rows**2 - v[rows])
    step_size = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)  # global t
    w[rows] -= step_size * m[rows] / (np.sqrt(v[rows]) + eps)


# --8<-- [end:sparse_adam]


# --8<-- [start:embedding]
def embedding_run(lazy: bool, steps: int = 1000, every: int = 100,
                  lr: float = 1e-3) -> np.ndarray:
    """Rows 0 (gradient 1 every step) and 1 (every `every` steps): moved / lr."""
    table = np.zeros(2)  # one number per row, for clarity
    opt = Adam([table], lr=lr)
    m, v = np.zeros(2), np.zeros(2)  # the lazy update's own state
    moved = np.empty((steps, 2))
    for t in range(1, steps + 1):
        rows = np.array([0, 1]) if t % every == 1 else np.array([0])
        if lazy:
            sparse_adam_step(table, rows, np.ones(len(rows)), m, v, t, lr=lr)
        else:
            grad = np.zeros(2)
            grad[rows] = 1.0  # the rows not in the batch get a gradient of 0
            opt.step([grad])
        moved[t - 1] = -table / lr
    return moved


# --8<-- [end:embedding]


if __name__ == "__main__":
    # --8<-- [start:fp16_numbers]
    half = np.finfo(np.float16)
    print(f"float16(1e-8)            = {np.float16(1e-8)}")
    print(f"smallest float16 above 0 = {half.smallest_subnormal:.2e}")
    print(f"smallest normal float16  = {half.smallest_normal:.2e}")
    g = np.float16(1e-3)
    v1 = np.float16(1 - 0.999) * g * g  # v after one step, in float16
    print(f"(1 - beta2) * g^2, g = 0.001: {v1} in float16, "
          f"{0.001 * 0.001**2:.0e} exactly")
    # --8<-- [end:fp16_numbers]

    # --8<-- [start:fp16_adam]
    grads = [0.1, 0.01, 0.001, 0.0]
    for dtype, eps in [(np.float16, 1e-8), (np.float16, 1e-4),
                       (np.float32, 1e-8)]:
        step = first_step(grads, dtype, eps)
        name = np.dtype(dtype).name
        print(f"{name}, eps={eps:g}: step / lr =", np.round(step, 2))
    # --8<-- [end:fp16_adam]

    # --8<-- [start:fp16_threshold]
    g = all_float16()  # all 31,743 positive float16 numbers
    step = first_step(g, np.float16)
    worst = g[~np.isfinite(step)].max()
    print(f"v = 0, step infinite: gradients up to {worst:.5f}")
    good = g[abs(step - 1) < 0.05]  # within 5% of the step Adam should take
    print(f"step within 5% of lr: gradients {good.min():.4f} to {good.max():.0f}")
    print(f"v overflows, step 0:  gradients from {g[step == 0].min():.0f}")
    # --8<-- [end:fp16_threshold]

    # --8<-- [start:fp16_nan_next]
    w = np.zeros(2, dtype=np.float16)
    opt = Adam([w], lr=1e-3)
    with np.errstate(divide="ignore", invalid="ignore"):
        opt.step([np.array([1e-3, 0.0], dtype=np.float16)])
    print("weights after one step:", w)
    bad = w * np.float16(2.0)  # any gradient computed from these weights
    try:
        opt.step([bad])
    except ValueError as error:
        print("next step:", str(error)[:60], "...")
    # --8<-- [end:fp16_nan_next]

    # --8<-- [start:fp16_rounding]
    w16, master = np.float16(1.0), np.float32(1.0)
    for _ in range(10):  # ten updates of -1e-4
        w16 = w16 - np.float16(1e-4)  # rounds back to 1.0 every time
        master = master - np.float32(1e-4)
    below_1 = 1 - np.nextafter(np.float16(1), np.float16(0))
    print(f"float16 weight after 10 updates of -0.0001: {w16}")
    print(f"float32 master: {master:.4f}, as float16: {np.float16(master):.5f}")
    print(f"float16 spacing just below 1: {below_1:.5f}")
    # --8<-- [end:fp16_rounding]

    # --8<-- [start:fp16_fix]
    grads16 = np.array([0.1, 0.01, 0.001, 0.0], dtype=np.float16)
    master = np.zeros(4, dtype=np.float32)  # float32 master copy of the weights
    opt = Adam([master], lr=1e-3)  # so m and v are float32 too
    opt.step([grads16.astype(np.float32)])  # upcast the gradients, then step
    weights16 = master.astype(np.float16)  # what the float16 model uses
    print("step / lr =", np.round(-master / 1e-3, 2) + 0.0)
    print("float16 weights:", weights16)
    # --8<-- [end:fp16_fix]

    # --8<-- [start:spike]
    X, y, H = least_squares()
    losses, sharp = train(X, y, H)
    tiny = np.argmax(losses < 1e-25) + 1  # first step with a loss below 1e-25
    back = tiny + np.argmax(losses[tiny:] > 1e-12) + 1  # then above 1e-12
    limit = 2 * (1 + 0.9) / (1 - 0.9)  # the momentum page's stability limit
    crossed = 20 * (np.argmax(sharp > limit) + 1)
    print(f"loss at step 1000: {losses[999]:.0e}, at 2000: {losses[1999]:.0e}, "
          f"below 1e-25 from step ~{round(tiny, -2)}")
    print(f"alpha * sharpness passes {limit:.0f} at step ~{round(crossed, -2)}")
    print(f"loss back above 1e-12 at step ~{round(back, -2)}, "
          f"up to {magnitude(losses[back:].max())} after that")
    # --8<-- [end:spike]

    # --8<-- [start:spike_fixes]
    runs = {
        "beta2=0.999 (as above)": losses,
        "beta2=0.999, cosine lr": train(X, y, H, schedule=cosine)[0],
        "beta2=0.999, eps=1e-3": train(X, y, H, eps=1e-3)[0],
        "beta2=0.95": train(X, y, H, beta2=0.95)[0],
    }
    print("run                       highest loss, steps 5001-10000")
    for name, run in runs.items():
        high = run[5000:].max()
        shown = magnitude(high) if high > 1e-25 else "below 1e-25"
        print(f"{name:25s} {shown}")
    eps_needed = 0.01 * np.linalg.eigvalsh(H)[-1] / limit  # lr * lambda_max / 38
    print(f"eps that keeps alpha * sharpness below 38: {eps_needed:.1e}")
    # --8<-- [end:spike_fixes]

    # --8<-- [start:beta2]
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(200_000)  # gradients with mean 0, spread 1
    print("beta2   memory  half-life  largest step after growth  ceiling  noise")
    for beta2 in (0.999, 0.99, 0.95):
        steps = steps_after_growth(beta2)
        ceiling = 0.1 / math.sqrt((1 - beta2) * (1 - 0.9**2 / beta2))
        v, vs = 1.0, np.empty(len(noise))
        for i, g in enumerate(noise):  # v_t over a long run
            v = beta2 * v + (1 - beta2) * g * g
            vs[i] = v
        spread = vs[10_000:].std() / vs[10_000:].mean()
        half_life = math.log(0.5) / math.log(beta2)
        print(f"{beta2:<6} {1 / (1 - beta2):7.0f} {half_life:10.0f}"
              f"   {steps.max():5.2f} lr at step {steps.argmax() + 1:<4}"
              f"       {ceiling:4.2f}  {spread:5.0%}")
    theory = [math.sqrt(2 * (1 - b2) / (1 + b2)) for b2 in (0.999, 0.99, 0.95)]
    print("noise in v for Gaussian gradients, in theory:",
          ", ".join(f"{x:.1%}" for x in theory))
    # --8<-- [end:beta2]

    # --8<-- [start:warmup]
    X, y, w_best, H = noisy_least_squares()
    lr = 0.1
    print("excess loss after step    1      10     100   steps 4001-6000")
    for warmup in (0, 2000):  # 2000 = 2 / (1 - beta2)
        opt = Adam([w_best.copy()], lr=lr)  # start from the best weights
        ex = fine_tune(opt, X, y, w_best, H, 6000, lr, warmup=warmup)
        print(f"warmup over {warmup:4d} steps {ex[0]:6.3f}  {ex[9]:6.3f}"
              f"  {ex[99]:6.3f}   {ex[4000:].mean():.3f} (mean)")
    # --8<-- [end:warmup]

    # --8<-- [start:first_kick]
    rng = np.random.default_rng(1)  # the first minibatch of the runs above
    batch = rng.integers(0, len(y), 32)
    g1 = X[batch].T @ (X[batch] @ w_best - y[batch]) / 32
    s = np.sign(g1)  # Adam's first step is lr * sign(g1), for every weight
    print(f"lr^2 / 2 * s H s = {lr**2 / 2 * s @ H @ s:.3f}")
    print(f"smallest and largest |g1|: {abs(g1).min():.4f}, {abs(g1).max():.2f}")
    # --8<-- [end:first_kick]

    # --8<-- [start:resume]
    opt = Adam([w_best.copy()], lr=lr)
    fine_tune(opt, X, y, w_best, H, 4000, lr, warmup=2000)
    saved_w, saved_state = opt.params[0].copy(), opt.state_dict()
    straight = fine_tune(opt, X, y, w_best, H, 500, lr, seed=2)  # no stop

    resumed = Adam([saved_w.copy()], lr=lr)
    resumed.load_state_dict(saved_state)  # weights and optimizer state
    with_state = fine_tune(resumed, X, y, w_best, H, 500, lr, seed=2)
    fresh = Adam([saved_w.copy()], lr=lr)  # weights only: t = 0, m = v = 0
    without = fine_tune(fresh, X, y, w_best, H, 500, lr, seed=2)
    same = np.array_equal(with_state, straight)
    print("with the state, the same as never stopping:", same)
    print("excess loss after step    1      10     100")
    for name, ex in [("resumed with state", with_state),
                     ("weights only", without)]:
        print(f"{name:22s} {ex[0]:6.3f}  {ex[9]:6.3f}  {ex[99]:6.3f}")
    # --8<-- [end:resume]

    # --8<-- [start:weight_decay]
    print("after 5000 steps               large gradients  small gradients")
    for decoupled, name in [(False, "L2 (Adam, weight_decay=0.01)"),
                            (True, "decoupled (AdamW)")]:
        end = np.round(decay_run(decoupled)[-1], 3) + 0.0  # + 0.0: no -0.0
        print(f"{name:30s} {end[0]:15.3f}  {end[1]:15.3f}")
    print(f"(1 - lr * weight_decay)^5000 = {(1 - 1e-3 * 0.01) ** 5000:.3f}")
    # --8<-- [end:weight_decay]

    # --8<-- [start:memory_table]
    n = 7e9  # a model with 7 billion parameters
    setups = {
        "SGD, float32": training_memory(n, state=0),
        "Adam, float32": training_memory(n),
        "AMSGrad, float32": training_memory(n, state=3),
        "Adam, mixed precision": training_memory(n, weights=2, grads=2, master=4),
    }
    print(f"{'GB':22s} weights  grads  master  state  total")
    for name, parts in setups.items():
        print(f"{name:22s}" + "".join(f"{x / 1e9:7.0f}" for x in parts.values()))
    per_parameter = setups["Adam, mixed precision"]["total"] / n
    print(f"bytes per parameter, Adam, mixed precision: {per_parameter:.0f}")
    # --8<-- [end:memory_table]

    # --8<-- [start:memory_measured]
    w = [np.zeros((1000, 1000), np.float32), np.zeros(1000, np.float32)]
    size = sum(p.nbytes for p in w)
    for amsgrad in (False, True):
        opt = Adam(w, amsgrad=amsgrad)
        state = opt.m + opt.v + (opt.v_max if amsgrad else [])
        ratio = sum(a.nbytes for a in state) / size
        print(f"amsgrad={amsgrad}: state / weights = {ratio}")
    # --8<-- [end:memory_measured]

    # --8<-- [start:scale_invariance]
    rng = np.random.default_rng(0)
    grads = rng.normal(0.5, 1.0, size=(1000, 3))  # 1000 steps, 3 weights
    ends = {}
    for scale in (1.0, 1e-3):  # e.g. clipped to a thousandth at every step
        w = np.zeros(3)
        opt = Adam([w], lr=1e-3)
        for g in grads:
            opt.step([scale * g])
        ends[scale] = w
    print("Adam, gradients x 1:     ", np.round(ends[1.0], 4))
    print("Adam, gradients x 0.001: ", np.round(ends[1e-3], 4))
    diff = abs(ends[1.0] - ends[1e-3]).max()
    print(f"largest difference: {diff:.0e} (from eps)")
    # --8<-- [end:scale_invariance]

    # --8<-- [start:clip_every_table]
    Xe, ye, _ = least_squares()  # the exact least squares of the late spikes

    def exact_loss(w):
        return 0.5 * np.mean((Xe @ w - ye) ** 2)  # its lowest loss is 0

    def noisy_excess(w):
        return excess(w, w_best, H)

    problems = {  # name: (gradients, loss, start, what is shown)
        "noisy, from w = 0": (lambda: minibatch_gradients(X, y), noisy_excess,
                              np.zeros(20), "mean 2001-3000"),
        "noisy, from w_best": (lambda: minibatch_gradients(X, y), noisy_excess,
                               w_best, "mean 2001-3000"),
        "exact, from w = 0": (lambda: (lambda w: Xe.T @ (Xe @ w - ye) / len(ye)),
                              exact_loss, np.zeros(20), "at step 3000"),
    }
    print(f"{'excess loss, Adam(lr=0.01)':34s}{'no clipping':>13s}{'max_norm=1e-3':>15s}")
    always = True
    for name, (gradients, loss, start, shown) in problems.items():
        ends = []
        for max_norm in (None, 1e-3):
            losses, active = clipped_run(gradients(), loss, start.copy(),
                                         max_norm=max_norm)
            always &= max_norm is None or active == len(losses)
            ends.append(losses[2000:].mean() if shown.startswith("mean")
                        else magnitude(losses[-1]))
        print(f"{name:19s} {shown:14s}" + "".join(
            f"{x:>{width}.4f}" if isinstance(x, float) else f"{x:>{width}s}"
            for x, width in zip(ends, (13, 15), strict=True)))
    print("clipping active at every step of the clipped runs:", always)
    # --8<-- [end:clip_every_table]

    # --8<-- [start:bad_batch]
    after = (0, 1, 10, 100, 1000, 2999)  # steps after it (0: the bad batch)
    print("step / lr, k steps after" + "".join(f"{k:>6d}" for k in after))
    for max_norm, name in [(None, "no clipping"), (2.0, "clipped at norm 2")]:
        steps = steps_after_bad_batch(max_norm)
        print(f"{name:24s}" + "".join(f"{steps[k]:6.2f}" for k in after))
    # --8<-- [end:bad_batch]

    # --8<-- [start:sparse_dense]
    moved = embedding_run(lazy=False)
    print(f"rare row: moved {moved[0, 1]:.2f} lr at step 1, "
          f"{moved[99, 1]:.2f} lr by step 100")
    print(f"after 1000 steps: common row {moved[-1, 0]:.0f} lr (1000 gradients), "
          f"rare row {moved[-1, 1]:.0f} lr (10)")
    # --8<-- [end:sparse_dense]

    # --8<-- [start:sparse_lazy]
    lazy = embedding_run(lazy=True)
    at = np.arange(0, 1000, 100)  # the steps where the rare row has a gradient
    jumps = np.diff(np.concatenate([[0], lazy[at, 1]]))
    print("rare row, step / lr at its 10 gradients:", np.round(jumps, 1))
    print(f"after 1000 steps: common row {lazy[-1, 0]:.0f} lr, "
          f"rare row {lazy[-1, 1]:.0f} lr")
    # --8<-- [end:sparse_lazy]


# Figures ---------------------------------------------------------------------


def _log_points(n: int, per_decade: int = 40) -> np.ndarray:
    """Indices 0..n-1 spaced evenly on a log scale (few points for a small SVG)."""
    return np.unique(np.geomspace(1, n, per_decade * int(np.ceil(np.log10(n)))).astype(int) - 1)


@figure(
    "fp16-first-step",
    alt=(
        "Adam's first step divided by the learning rate, against the size of the gradient, "
        "over every positive float16 number, on log axes. In float32 the step is 1 for every "
        "gradient. In float16 with eps 1e-8 it is infinite for every gradient up to "
        "[[value: pitfalls-fp16-v-zero-below]], where v rounds to 0, within 5% of 1 only "
        "between [[value: pitfalls-fp16-good-from]] and [[value: pitfalls-fp16-good-to]], "
        "and 0 from [[value: pitfalls-fp16-overflow-from]], where v overflows. With eps 1e-4 "
        "it is finite, but where v rounds to 0 it is the gradient divided by eps, rising "
        "with the gradient to [[value: pitfalls-fp16-eps-worst]] times the learning rate at "
        "[[value: pitfalls-fp16-v-zero-below]]."
    ),
    size=(6.4, 3.4),
)
def fp16_first_step(fig, theme):
    """First step / lr against the gradient's size, float16 and float32."""
    ax = fig.subplots()
    g = all_float16()[:: 97].astype(np.float64)  # about 330 gradients, every size float16 has
    top, floor = 1e3, 2e-4  # where an infinite step and a step of 0 are drawn
    for dtype, eps, color, style, label in [
        (np.float32, 1e-8, COLORS["adam"], "-", "float32, eps = 1e-8"),
        (np.float16, 1e-8, theme.text, "-", "float16, eps = 1e-8"),
        (np.float16, 1e-4, theme.text, "--", "float16, eps = 1e-4"),
    ]:
        step = first_step(g, dtype, eps)
        shown = np.where(step > 0, step, floor)  # a step of 0 is drawn at the bottom
        ax.plot(g, np.where(np.isfinite(step), shown, top), color=color, linestyle=style,
                label=label)
    ranges = _fp16_ranges()
    ax.axvspan(g[0], ranges["v-zero-below"], color=theme.grid, alpha=0.5, linewidth=0)
    ax.axvspan(ranges["overflow-from"], g[-1], color=theme.grid, alpha=0.5, linewidth=0)
    ax.text(3e-5, 3, "v = 0 in float16:\nstep = m / 0", fontsize=8, ha="center",
            color=theme.text)
    ax.text(2e4, 0.05, "v overflows", fontsize=8, ha="center", rotation=90, color=theme.text)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(floor / 2, 2 * top)
    ax.set_yticks([floor, 1e-2, 1, 100, top], ["0", "0.01", "1", "100", "inf"])
    ax.minorticks_off()
    ax.set_xlabel("gradient $|g_1|$")
    ax.set_ylabel(r"first step / $\alpha$")
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="lower left", fontsize=8)


@figure(
    "late-spike",
    alt=(
        "Two panels over 10,000 steps of full-batch Adam on a least-squares problem, the "
        "highest loss of every 50 steps. Top: the loss on a log scale; with beta2 0.999 and a "
        "constant learning rate it falls to about [[value: pitfalls-spike-floor]], then near "
        "step [[value: pitfalls-spike-back-step]] jumps back, to about "
        "[[value: pitfalls-spike-peak]], and keeps spiking; with a cosine learning-rate decay "
        "to 0 at step 10,000 it stays down; with the same cosine stretched to 15,000 steps "
        "(its first 10,000 shown) it jumps back near step "
        "[[value: pitfalls-spike-stretched-back]], to about "
        "[[value: pitfalls-spike-stretched-peak]]; with beta2 0.95 it stops falling within a "
        "few hundred steps and "
        "stays near [[value: pitfalls-spike-beta2-peak]] to the end (the lowest loss of that "
        "run, [[value: pitfalls-spike-beta2-lowest]] at step "
        "[[value: pitfalls-spike-beta2-lowest-step]], lies between two of these highs). "
        "Bottom: the learning rate times the "
        "largest curvature Adam sees, which grows steadily with beta2 0.999 until it reaches "
        "the stability limit [[value: pitfalls-stability-limit]] at the spike, and then stays "
        "near it; with beta2 0.95 it rises fast, from "
        "[[value: pitfalls-spike-beta2-sharpness-50]] at step 50 to "
        "[[value: pitfalls-spike-beta2-sharpness-200]] at step 200, and then stays near the "
        "limit; with the cosine decay over 10,000 steps it keeps growing, more slowly, until "
        "it turns back at [[value: pitfalls-spike-cosine-sharpness]] at step "
        "[[value: pitfalls-spike-cosine-peak-step]], [[value: pitfalls-spike-cosine-margin]] "
        "below the limit; with the cosine stretched to 15,000 steps it passes the limit at "
        "step [[value: pitfalls-spike-stretched-crossed]]."
    ),
    size=(6.4, 5.2),
)
def late_spike(fig, theme):
    """Loss and preconditioned sharpness of Adam on least squares, with and without fixes."""
    top, bottom = fig.subplots(2, 1, sharex=True)
    every = 50  # the sharpness of the shared runs is every 10 steps
    runs = _spike_runs()
    losses, sharp = _spike_stretched()
    stretched = losses[:10_000], sharp[:1000]  # its first 10,000 steps
    lines = [
        (runs["plain"], COLORS["adam"], "-", r"$\beta_2 = 0.999$"),
        (runs["cosine"], theme.text, "--", r"$\beta_2 = 0.999$, cosine to 0 at step 10,000"),
        (stretched, theme.text, "-.", r"$\beta_2 = 0.999$, cosine to 0 at step 15,000"),
        (runs["beta2"], COLORS["adam"], ":", r"$\beta_2 = 0.95$"),
    ]
    for (losses, sharp), color, style, label in lines:
        worst = losses.reshape(-1, every).max(axis=1)  # the highest loss of every 50 steps
        t = np.arange(every, len(losses) + 1, every)
        top.plot(t, np.maximum(worst, 1e-32), color=color, linestyle=style, label=label)
        bottom.plot(t, sharp[every // 10 - 1::every // 10], color=color, linestyle=style)
    bottom.axhline(STABILITY_LIMIT, color=theme.text, linewidth=0.8)
    bottom.text(5000, 45, f"stability limit {STABILITY_LIMIT:.0f}", fontsize=8,
                color=theme.text, ha="center")
    top.set_yscale("log")
    top.set_ylim(1e-32, 1e3)
    top.set_ylabel("loss")
    fig.legend(loc="outside upper center", ncols=2, fontsize=8)
    bottom.set_yscale("log")
    bottom.set_ylim(0.5, 100)
    bottom.set_ylabel(r"$\alpha\,\lambda_{\max}$ seen by Adam")
    bottom.set_xlabel("step")
    for ax in (top, bottom):
        ax.grid(True, linewidth=0.5)


@figure(
    "beta2-growth",
    alt=(
        "Adam's step divided by the learning rate after the gradient grows from 0.01 to 1, "
        "against the steps since the growth on a log scale, for beta2 0.999, 0.99 and 0.95. "
        "With 0.999 the step rises to [[value: pitfalls-beta2-largest-0999]] times the "
        "learning rate at step [[value: pitfalls-beta2-largest-step-0999]] and stays above 2 "
        "for [[value: pitfalls-beta2-above-two-0999]] steps; with 0.99 it peaks at "
        "[[value: pitfalls-beta2-largest-099]]; with 0.95 at "
        "[[value: pitfalls-beta2-largest-095]]."
    ),
    size=(6.4, 3.2),
)
def beta2_growth(fig, theme):
    """Step / lr after gradients grow 100x, for three values of beta2."""
    ax = fig.subplots()
    for beta2, style in [(0.999, "-"), (0.99, "--"), (0.95, ":")]:
        steps = _growth(beta2)
        keep = _log_points(len(steps))
        ax.plot(keep + 1, steps[keep], color=COLORS["adam"], linestyle=style,
                label=rf"$\beta_2 = {beta2}$")
    ax.axhline(1, color=theme.muted, linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("steps since the gradient grew from 0.01 to 1")
    ax.set_ylabel(r"step / $\alpha$")
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="upper right", fontsize=8)


@figure(
    "warmup-kick",
    alt=(
        "Excess loss against the step on log axes, for Adam started at the best weights of a "
        "noisy least-squares problem with learning rate 0.1. Without warmup the excess loss "
        "jumps to [[value: pitfalls-warmup-first]] at the first step, then settles near "
        "[[value: pitfalls-warmup-settled]]. With a linear warmup over 2000 steps it starts "
        "near 0 and rises smoothly to the same level."
    ),
    size=(6.4, 3.2),
)
def warmup_kick(fig, theme):
    """Excess loss from the best weights, with and without warmup."""
    ax = fig.subplots()
    for warmup, color, style, label in [(0, COLORS["adam"], "-", "no warmup"),
                                        (2000, theme.text, "--", "warmup over 2000 steps")]:
        ex = _warmup_runs()[warmup]
        keep = _log_points(len(ex), per_decade=60)
        ax.plot(keep + 1, np.maximum(ex[keep], 1e-6), color=color, linestyle=style, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 5)
    ax.set_xlabel("step")
    ax.set_ylabel("excess loss")
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="lower right", fontsize=8)


@figure(
    "weight-decay-paths",
    alt=(
        "Two weights that start at 1 and whose gradients average zero, one with gradients of "
        "size 1 and one of size 0.001, over 5000 steps with weight decay 0.01 and learning "
        "rate 0.001. With decoupled weight decay (AdamW) both shrink along the same slow curve "
        "to [[value: pitfalls-decay-adamw-end]]. With L2 weight decay in Adam the weight with "
        "large gradients follows that curve too, but the weight with small gradients falls "
        "fast, to [[value: pitfalls-decay-l2-at-1000]] by step 1000 and below 0.01 by step "
        "[[value: pitfalls-decay-l2-gone]]."
    ),
    size=(6.4, 3.2),
)
def weight_decay_paths(fig, theme):
    """Weights under L2 and decoupled weight decay, for two gradient scales."""
    ax = fig.subplots()
    l2, decoupled = _decay_runs()
    t = np.arange(len(l2))[::25]
    ax.plot(t, decoupled[::25, 0], color=COLORS["adamw"], linewidth=5, alpha=0.5,
            label="AdamW, both weights")
    ax.plot(t, l2[::25, 0], color=COLORS["adam"], label="Adam + L2, gradients of size 1")
    ax.plot(t, l2[::25, 1], color=COLORS["adam"], linestyle="--",
            label="Adam + L2, gradients of size 0.001")
    ax.set_ylim(-0.05, 1.1)
    ax.set_xlabel("step")
    ax.set_ylabel("weight")
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="center right", fontsize=8)


@figure(
    "clipping-bad-batch",
    alt=(
        "Adam's step divided by the learning rate after one bad batch whose gradient is 100 "
        "times the usual one, against the steps since it on a log scale. Without clipping the "
        "step is [[value: pitfalls-clip-bad-step]] times the learning rate at the bad batch, "
        "falls to [[value: pitfalls-clip-bad-after-100]] times the learning rate after 100 steps, "
        "and 2999 steps after it is still only [[value: pitfalls-clip-bad-end]] times the "
        "learning rate. With the gradient clipped to "
        "norm 2 the steps stay at about 1, the largest [[value: pitfalls-clip-clipped-largest]]."
    ),
    size=(6.4, 3.2),
)
def clipping_bad_batch(fig, theme):
    """Step / lr after one bad batch, with and without clipping."""
    ax = fig.subplots()
    for max_norm, color, style, label in [(None, COLORS["adam"], "-", "no clipping"),
                                          (2.0, theme.text, "--", "clipped at norm 2")]:
        steps = _bad_batch(max_norm)
        keep = _log_points(len(steps))
        ax.plot(keep + 1, steps[keep], color=color, linestyle=style, label=label)
    ax.axhline(1, color=theme.muted, linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("steps since the bad batch (1 = the bad batch)")
    ax.set_ylabel(r"step / $\alpha$")
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="upper right", fontsize=8)


@figure(
    "sparse-rows",
    alt=(
        "How far a rare embedding row has moved, in learning rates, over 1000 steps when it "
        "gets a gradient of 1 at steps 1, 101, 201 and so on, and 0 otherwise. With Adam the "
        "row keeps moving after each of its gradients, in a curve that flattens, and reaches "
        "[[value: pitfalls-sparse-dense-rare]]. With the lazy update of SparseAdam it moves "
        "only at its own steps, in jumps that grow from 1 to "
        "[[value: pitfalls-sparse-lazy-last-jump]], and reaches "
        "[[value: pitfalls-sparse-lazy-rare]]."
    ),
    size=(6.4, 3.2),
)
def sparse_rows(fig, theme):
    """Distance moved by a rare row under dense Adam and under the lazy update."""
    ax = fig.subplots()
    t = np.arange(1, 1001)
    dense, lazy = _sparse_runs()
    ax.plot(t, dense[:, 1], color=COLORS["adam"], label="Adam (dense)")
    ax.step(t, lazy[:, 1], where="post", color=theme.text, linestyle="--",
            label="lazy update (SparseAdam)")
    ax.plot(t[::100], np.zeros(10), "|", color=theme.text, markersize=10,
            label="steps with a gradient")
    ax.set_xlabel("step")
    ax.set_ylabel(r"distance moved / $\alpha$")
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="upper left", fontsize=8)


# Values: the numbers the page's prose, tables and alt texts state -------------------


@value("pitfalls-fp16-eps-step", digits=3)
def fp16_eps_step() -> float:
    """First step / lr in float16 with eps = 1e-4 for the gradient 0.001 (v = 0)."""
    return float(first_step([0.001], np.float16, eps=1e-4)[0])


@value("pitfalls-fp16-subnormal-error", digits=1, percent=True)
def fp16_subnormal_error() -> float:
    """How far below lr the float16 first step is for the gradient 0.01."""
    return float(1 - first_step([0.01], np.float16)[0])


@functools.cache
def _fp16_ranges() -> dict[str, float]:
    g = all_float16()
    step = first_step(g, np.float16)
    good = g[abs(step - 1) < 0.05]
    eps_step = first_step(g, np.float16, eps=1e-4)
    v_zero = ~np.isfinite(step)
    return {
        "v-zero-below": float(g[v_zero].max()),
        "good-from": float(good.min()),
        "good-to": float(good.max()),
        "overflow-from": float(g[step == 0].min()),
        "eps-worst": float(eps_step[v_zero].max()),
    }


@value("pitfalls-fp16-v-zero-below", digits=3)
def fp16_v_zero_below() -> float:
    """The largest gradient whose float16 v rounds to 0 (step infinite)."""
    return _fp16_ranges()["v-zero-below"]


@value("pitfalls-fp16-good-from", digits=2)
def fp16_good_from() -> float:
    """The smallest gradient whose float16 first step is within 5% of lr."""
    return _fp16_ranges()["good-from"]


@value("pitfalls-fp16-good-to", integer=True)
def fp16_good_to() -> float:
    """The largest gradient whose float16 first step is within 5% of lr."""
    return _fp16_ranges()["good-to"]


@value("pitfalls-fp16-overflow-from", integer=True)
def fp16_overflow_from() -> float:
    """The smallest gradient whose float16 v overflows (step 0)."""
    return _fp16_ranges()["overflow-from"]


@value("pitfalls-fp16-eps-worst", digits=3)
def fp16_eps_worst() -> float:
    """The largest first step / lr with eps = 1e-4 in float16: |g| / eps where v = 0."""
    return _fp16_ranges()["eps-worst"]


@value("pitfalls-fp16-spacing-below-one", digits=2)
def fp16_spacing_below_one() -> float:
    """The distance between 1 and the float16 number below it."""
    return float(1 - np.nextafter(np.float16(1), np.float16(0)))


STABILITY_LIMIT = 2 * (1 + 0.9) / (1 - 0.9)  # momentum's limit on lr * curvature


@value("pitfalls-stability-limit", integer=True)
def stability_limit() -> float:
    """2 (1 + beta1) / (1 - beta1) for beta1 = 0.9."""
    return round(STABILITY_LIMIT, 9)


STRETCHED_STEPS = 15_000  # the cosine stretched over a longer run


@functools.cache
def _spike_runs() -> dict[str, tuple]:
    """The late-spike runs, the sharpness every 10 steps (shared with the figure).

    "stretched" is the cosine decay over 15,000 steps instead of 10,000; the others
    are 10,000 steps long.
    """
    X, y, H = least_squares()
    runs = {"stretched": (0.999, cosine), "plain": (0.999, None), "cosine": (0.999, cosine),
            "beta2": (0.95, None)}
    lengths = [STRETCHED_STEPS, 10_000, 10_000, 10_000]
    return dict(zip(runs, _train_rows(X, y, H, list(runs.values()), lengths=lengths),
                    strict=True))


def _train_rows(X, y, H, runs, steps: int = 10_000, lr: float = 0.01, eps: float = 1e-8,
                every: int = 10, lengths=None) -> list[tuple]:
    """train(X, y, H, steps, lr, beta2, eps, schedule, every) for each (beta2, schedule)
    of `runs`, all at once: the same numbers (tests/test_pitfalls.py checks).

    `lengths` gives each run its own number of steps instead of `steps` (longest
    first: the runs still going are always the first rows).
    """
    lengths = [steps] * len(runs) if lengths is None else list(lengths)
    assert lengths == sorted(lengths, reverse=True), "longest runs first"
    W, M, V, G = (np.zeros((len(runs), X.shape[1])) for _ in range(4))
    losses, sharp = np.empty((len(runs), lengths[0])), [[] for _ in runs]
    beta2s = [beta2 for beta2, _ in runs]
    n = len(runs)
    for t in range(1, lengths[0] + 1):
        while lengths[n - 1] < t:
            n -= 1  # the rows from n on have ended
        lrs = [lr if schedule is None else lr * schedule(t, length)
               for (_, schedule), length in zip(runs[:n], lengths, strict=False)]
        for i in range(n):
            r = X @ W[i] - y
            losses[i, t - 1] = 0.5 * (np.add.reduce(r**2) / len(r))  # np.mean's sum
            G[i] = X.T @ r / len(y)
        _adam_rows(W[:n], G[:n], M[:n], V[:n], t, lrs, beta2s[:n], eps)
        if t % every == 0:
            for i in range(n):
                sharp[i].append(sharpness(_state(W, M, V, i, t, lrs[i], beta2s[i], eps), H))
    return [(losses[i, :lengths[i]], np.array(sharp[i])) for i in range(len(runs))]


def _power_of_ten(x: float) -> float:
    return 10.0 ** round(math.log10(x))


@functools.cache
def _spike_facts() -> dict[str, float]:
    losses, sharp = _spike_runs()["plain"]
    tiny = int(np.argmax(losses < 1e-25)) + 1
    back = tiny + int(np.argmax(losses[tiny:] > 1e-12)) + 1
    floor = float(np.median(losses[tiny:back - 1]))
    peak = float(losses[back:].max())
    return {
        "tiny": tiny, "back": back, "floor": floor, "peak": peak,
        "crossed": 10 * (int(np.argmax(sharp > STABILITY_LIMIT)) + 1),
    }


@value("pitfalls-spike-floor", sci=True, digits=1)
def spike_floor() -> float:
    """The loss during the quiet stretch (its median), to a power of ten."""
    return _power_of_ten(_spike_facts()["floor"])


@value("pitfalls-spike-quiet-steps", integer=True)
def spike_quiet_steps() -> float:
    """Steps from the loss's first fall below 1e-25 to its return above 1e-12."""
    facts = _spike_facts()
    return round(facts["back"] - facts["tiny"], -2)


@value("pitfalls-spike-back-step", integer=True)
def spike_back_step() -> float:
    """The step where the loss is back above 1e-12, to the nearest 100."""
    return round(_spike_facts()["back"], -2)


@value("pitfalls-spike-orders", integer=True)
def spike_orders() -> float:
    """How many powers of ten the loss climbs from its floor to its highest spike."""
    facts = _spike_facts()
    return round(math.log10(facts["peak"] / facts["floor"]))


@value("pitfalls-spike-peak", sci=True, digits=1)
def spike_peak() -> float:
    """The highest loss after the first spike, to a power of ten."""
    return _power_of_ten(_spike_facts()["peak"])


@value("pitfalls-spike-eps-needed", sci=True, digits=2)
def spike_eps_needed() -> float:
    """The eps that keeps lr * sharpness below the limit: lr * lambda_max(H) / 38."""
    return 0.01 * float(np.linalg.eigvalsh(least_squares()[2])[-1]) / STABILITY_LIMIT


@value("pitfalls-spike-cosine-sharpness", digits=3)
def spike_cosine_sharpness() -> float:
    """The largest lr * sharpness of the run with cosine decay."""
    return float(_spike_runs()["cosine"][1].max())


def _cosine_sharpness_at(step: int) -> float:
    return float(_spike_runs()["cosine"][1][step // 10 - 1])  # sharpness every 10 steps


@value("pitfalls-spike-cosine-sharpness-2000", digits=3)
def spike_cosine_sharpness_2000() -> float:
    return _cosine_sharpness_at(2000)


@value("pitfalls-spike-cosine-sharpness-4000", digits=3)
def spike_cosine_sharpness_4000() -> float:
    return _cosine_sharpness_at(4000)


@value("pitfalls-spike-cosine-sharpness-6000", digits=3)
def spike_cosine_sharpness_6000() -> float:
    return _cosine_sharpness_at(6000)


@value("pitfalls-spike-cosine-peak-step", integer=True)
def spike_cosine_peak_step() -> float:
    """The step of the largest lr * sharpness with cosine decay (measured every 10 steps)."""
    return 10 * (int(_spike_runs()["cosine"][1].argmax()) + 1)


@value("pitfalls-spike-cosine-margin", digits=1, percent=True)
def spike_cosine_margin() -> float:
    """How far below the stability limit the cosine run's sharpness turns, relative."""
    return 1 - spike_cosine_sharpness() / STABILITY_LIMIT


def cosine_turn(steps: int, beta2: float = 0.999) -> float:
    """The step from which the cosine's lr falls faster than sqrt(v_hat) with g = 0.

    With zero gradients v_hat falls by the factor beta2 per step (bias correction aside),
    sqrt(v_hat) by sqrt(beta2); the cosine lr, cos^2(pi (t - 1) / (2 steps)), falls at
    the rate (pi / steps) tan(pi (t - 1) / (2 steps)). lr / sqrt(v_hat) grows until
    the two rates are equal.
    """
    rate = -0.5 * math.log(beta2)
    return 1 + 2 * steps / math.pi * math.atan(rate * steps / math.pi)


@value("pitfalls-spike-cosine-turn", integer=True)
def spike_cosine_turn() -> float:
    return round(cosine_turn(10_000))


def _spike_stretched() -> tuple[np.ndarray, np.ndarray]:
    """train(X, y, H, steps=15000, schedule=cosine, every=10): loss, sharpness."""
    return _spike_runs()["stretched"]


@functools.cache
def _stretched_facts() -> dict[str, float]:
    losses, sharp = _spike_stretched()
    tiny = int(np.argmax(losses < 1e-25)) + 1
    back = tiny + int(np.argmax(losses[tiny:] > 1e-12)) + 1
    return {"tiny": tiny, "back": back, "peak": float(losses[back:].max()),
            "sharpness": float(sharp.max()),
            "crossed": 10 * (int(np.argmax(sharp > STABILITY_LIMIT)) + 1)}


@value("pitfalls-spike-stretched-crossed", integer=True)
def spike_stretched_crossed() -> float:
    """The step where lr * sharpness of the stretched cosine passes the limit (every 10)."""
    return _stretched_facts()["crossed"]


@value("pitfalls-spike-stretched-back", integer=True)
def spike_stretched_back() -> float:
    """The step where its loss is back above 1e-12, to the nearest 100."""
    return round(_stretched_facts()["back"], -2)


@value("pitfalls-spike-stretched-sharpness", digits=3)
def spike_stretched_sharpness() -> float:
    return _stretched_facts()["sharpness"]


@value("pitfalls-spike-stretched-peak", sci=True, digits=1)
def spike_stretched_peak() -> float:
    """Its highest loss after the spike, to a power of ten."""
    return _power_of_ten(_stretched_facts()["peak"])


@value("pitfalls-spike-eps-bound", digits=3)
def spike_eps_bound() -> float:
    """The bound on lr * sharpness with eps = 1e-3: lr * lambda_max(H) / eps."""
    return 0.01 * float(np.linalg.eigvalsh(least_squares()[2])[-1]) / 1e-3


@value("pitfalls-spike-beta2-peak", sci=True, digits=1)
def spike_beta2_peak() -> float:
    """With beta2 = 0.95: the highest loss of steps 5001-10000, to a power of ten."""
    return _power_of_ten(float(_spike_runs()["beta2"][0][5000:].max()))


@value("pitfalls-spike-beta2-lowest", sci=True, digits=2)
def spike_beta2_lowest() -> float:
    """With beta2 = 0.95: the lowest loss of the whole run."""
    return float(_spike_runs()["beta2"][0].min())


@value("pitfalls-spike-beta2-lowest-step", integer=True)
def spike_beta2_lowest_step() -> float:
    """With beta2 = 0.95: the step of the lowest loss."""
    return int(_spike_runs()["beta2"][0].argmin()) + 1


@value("pitfalls-spike-beta2-sharpness-50", digits=2)
def spike_beta2_sharpness_50() -> float:
    """With beta2 = 0.95: lr * sharpness after step 50."""
    return float(_spike_runs()["beta2"][1][4])


@value("pitfalls-spike-beta2-sharpness-200", digits=3)
def spike_beta2_sharpness_200() -> float:
    """With beta2 = 0.95: lr * sharpness after step 200."""
    return float(_spike_runs()["beta2"][1][19])


def _memory(beta2: float) -> float:
    return round(1 / (1 - beta2))


@value("pitfalls-memory-0999", integer=True)
def memory_0999() -> float:
    """1 / (1 - beta2) for beta2 = 0.999."""
    return _memory(0.999)


@value("pitfalls-memory-095", integer=True)
def memory_095() -> float:
    """1 / (1 - beta2) for beta2 = 0.95."""
    return _memory(0.95)


@value("pitfalls-beta2-memory-weight", digits=2, percent=True)
def beta2_memory_weight() -> float:
    """The weight the last 1 / (1 - beta2) squared gradients carry, beta2 = 0.999."""
    return 1 - 0.999 ** _memory(0.999)


@functools.cache
def _growth(beta2: float) -> np.ndarray:
    return _growth_rows((0.999, 0.99, 0.95))[beta2]


@functools.cache
def _growth_rows(beta2s, quiet: int = 3000, loud: int = 3000, small: float = 0.01,
                 large: float = 1.0) -> dict[float, np.ndarray]:
    """steps_after_growth(beta2) for each of `beta2s`, all at once (the same numbers)."""
    W, M, V, G = (np.zeros((len(beta2s), 1)) for _ in range(4))
    steps = np.empty((len(beta2s), loud))
    for t in range(1, quiet + loud + 1):
        G[:] = small if t <= quiet else large
        before = W[:, 0].copy()
        _adam_rows(W, G, M, V, t, [1.0] * len(beta2s), beta2s, 1e-8)
        if t > quiet:
            steps[:, t - quiet - 1] = before - W[:, 0]
    return dict(zip(beta2s, steps, strict=True))


def _ceiling(beta2: float, beta1: float = 0.9) -> float:
    return (1 - beta1) / math.sqrt((1 - beta2) * (1 - beta1**2 / beta2))


@value("pitfalls-beta2-largest-0999", digits=3)
def beta2_largest_0999() -> float:
    """The largest step / lr after the gradient grows 100-fold, beta2 = 0.999."""
    return float(_growth(0.999).max())


@value("pitfalls-beta2-largest-step-0999", integer=True)
def beta2_largest_step_0999() -> float:
    """The step after the growth at which that largest step is taken."""
    return int(_growth(0.999).argmax()) + 1


@value("pitfalls-beta2-above-two-0999", integer=True)
def beta2_above_two_0999() -> float:
    """For how many steps after the growth the step stays above 2 lr, beta2 = 0.999."""
    return int(np.argmax(_growth(0.999) < 2))


@value("pitfalls-beta2-largest-099", digits=3)
def beta2_largest_099() -> float:
    """The largest step / lr after the gradient grows 100-fold, beta2 = 0.99."""
    return float(_growth(0.99).max())


@value("pitfalls-beta2-largest-095", digits=3)
def beta2_largest_095() -> float:
    """The largest step / lr after the gradient grows 100-fold, beta2 = 0.95."""
    return float(_growth(0.95).max())


@value("pitfalls-beta2-ceiling-095", digits=3)
def beta2_ceiling_095() -> float:
    """The ceiling (1 - beta1) / sqrt((1 - beta2)(1 - beta1^2 / beta2)), beta2 = 0.95."""
    return _ceiling(0.95)


@value("pitfalls-beta2-noise-095", digits=3, percent=True)
def beta2_noise_095() -> float:
    """sqrt(2 (1 - beta2) / (1 + beta2)): v's relative noise, Gaussian gradients."""
    return math.sqrt(2 * 0.05 / 1.95)


@value("pitfalls-beta1-squared", digits=2)
def beta1_squared() -> float:
    """beta1^2 for beta1 = 0.9: the ceiling is finite only for beta2 above it."""
    return 0.9**2


@functools.cache
def _warmup_runs() -> dict[int, np.ndarray]:
    return _fine_tune_rows()[0]


@functools.cache
def _noisy() -> tuple:
    """noisy_least_squares(), computed once."""
    return noisy_least_squares()


@functools.cache
def _fine_tune_rows(steps: int = 6000, lr: float = 0.1, warmups=(0, 2000),
                    resume_at: int = 4000) -> tuple[dict, tuple]:
    """fine_tune(Adam([w_best.copy()], lr), X, y, w_best, H, steps, lr, warmup) for each
    warmup, all at once (their minibatches are the same); and the state of the runs after
    `resume_at` steps, as the page's resume block saves it: (W, M, V, t, lr)."""
    X, y, w_best, H = _noisy()
    W = np.tile(w_best, (len(warmups), 1))
    M, V, G = (np.zeros_like(W) for _ in range(3))
    out = np.empty((len(warmups), steps))
    rng = np.random.default_rng(1)
    saved = None
    for k in range(steps):
        lrs = [lr * min(1.0, (k + 1) / warmup) if warmup else lr for warmup in warmups]
        batch = rng.integers(0, len(y), 32)
        Xb = X[batch]
        for i, w in enumerate(W):
            G[i] = Xb.T @ (Xb @ w - y[batch]) / 32
        _adam_rows(W, G, M, V, k + 1, lrs, [0.999] * len(warmups), 1e-8)
        for i, w in enumerate(W):
            out[i, k] = excess(w, w_best, H)
        if k + 1 == resume_at:
            saved = (W.copy(), M.copy(), V.copy(), k + 1, lrs[-1])
    return dict(zip(warmups, out, strict=True)), saved


@value("pitfalls-warmup-first", digits=2)
def warmup_first() -> float:
    """The excess loss after the first step without warmup."""
    return float(_warmup_runs()[0][0])


@value("pitfalls-warmup-settled", digits=2)
def warmup_settled() -> float:
    """The mean excess loss of steps 4001-6000 without warmup."""
    return float(_warmup_runs()[0][4000:].mean())


@value("pitfalls-warmup-kick-ratio", digits=2)
def warmup_kick_ratio() -> float:
    """The first step's excess loss over the level the run settles at."""
    return warmup_first() / warmup_settled()


@value("pitfalls-warmup-gradient-spread", integer=True)
def warmup_gradient_spread() -> float:
    """The largest over the smallest |g1| of the first minibatch, rounded down to 10."""
    X, y, w_best, _ = _noisy()
    batch = np.random.default_rng(1).integers(0, len(y), 32)
    g1 = np.abs(X[batch].T @ (X[batch] @ w_best - y[batch]))
    return 10 * math.floor(g1.max() / g1.min() / 10)


@functools.cache
def _decay_runs() -> tuple[np.ndarray, np.ndarray]:
    with lean_adam():
        return decay_run(False), decay_run(True)


@value("pitfalls-decay-l2-at-1000", digits=2)
def decay_l2_at_1000() -> float:
    """The small-gradient weight under L2 decay after 1000 steps."""
    return float(_decay_runs()[0][1000, 1])


@value("pitfalls-decay-l2-gone", integer=True)
def decay_l2_gone() -> float:
    """The first step at which the small-gradient weight under L2 is below 1% of its
    start, rounded up to 100."""
    small = np.abs(_decay_runs()[0][:, 1])
    return 100 * math.ceil(int(np.argmax(small < 0.01)) / 100)


@value("pitfalls-decay-adamw-end", digits=2)
def decay_adamw_end() -> float:
    """The weights under AdamW after 5000 steps."""
    return float(_decay_runs()[1][-1].mean())


@value("pitfalls-decay-adamw-loss", digits=1, percent=True)
def decay_adamw_loss() -> float:
    """What the weights under AdamW lose in 5000 steps: 1 - (1 - lr * lambda)^5000."""
    return 1 - float(_decay_runs()[1][-1].mean())


@value("pitfalls-resume-jump", digits=2)
def resume_jump() -> float:
    """First-step excess loss resumed from weights only over resumed with the state."""
    X, y, w_best, H = _noisy()
    W, M, V, t, lr = _fine_tune_rows()[1]  # after 4000 steps with warmup over 2000
    opt = _state(W, M, V, -1, t, lr, 0.999, 1e-8)
    saved_w = opt.params[0].copy()
    with_state = fine_tune(opt, X, y, w_best, H, 1, 0.1, seed=2)[0]
    without = fine_tune(Adam([saved_w], lr=0.1), X, y, w_best, H, 1, 0.1, seed=2)[0]
    return float(without / with_state)


@value("pitfalls-memory-bytes-per-parameter", integer=True)
def memory_bytes_per_parameter() -> float:
    """Bytes per parameter for Adam in mixed precision."""
    return training_memory(1.0, weights=2, grads=2, master=4)["total"]


@functools.cache
def _bad_batch(max_norm: float | None) -> np.ndarray:
    return _bad_batch_rows((None, 2.0))[max_norm]


@functools.cache
def _bad_batch_rows(max_norms, before: int = 2000, after: int = 3000,
                    bad: float = 100.0) -> dict:
    """steps_after_bad_batch(max_norm) for each of `max_norms`, all at once."""
    W, M, V, G = (np.zeros((len(max_norms), 1)) for _ in range(4))
    steps = np.empty((len(max_norms), after))
    for k in range(before + after):
        for i, max_norm in enumerate(max_norms):
            g = [np.array([bad if k == before else 1.0])]
            if max_norm is not None:
                g, _ = clip_by_global_norm(g, max_norm)
            G[i] = g[0]
        old = W[:, 0].copy()
        _adam_rows(W, G, M, V, k + 1, [1.0] * len(max_norms), [0.999] * len(max_norms), 1e-8)
        if k >= before:
            steps[:, k - before] = old - W[:, 0]
    return dict(zip(max_norms, steps, strict=True))


@value("pitfalls-clip-bad-step", digits=2)
def clip_bad_step() -> float:
    """Step / lr at the bad batch, without clipping."""
    return float(_bad_batch(None)[0])


@value("pitfalls-clip-bad-after-100", digits=2)
def clip_bad_after_100() -> float:
    """Step / lr 100 steps after the bad batch, without clipping."""
    return float(_bad_batch(None)[100])


@value("pitfalls-clip-bad-end", digits=2)
def clip_bad_end() -> float:
    """Step / lr 2999 steps after the bad batch, without clipping."""
    return float(_bad_batch(None)[-1])


@value("pitfalls-clip-clipped-largest", digits=3)
def clip_clipped_largest() -> float:
    """The largest step / lr of the clipped run, from the bad batch on."""
    return float(_bad_batch(2.0).max())


@functools.cache
def _clip_every(steps: int = 3000, lr: float = 0.01, max_norm: float = 1e-3,
                mean_from: int = 2000) -> dict[str, float]:
    """Adam(lr=0.01), 3000 steps, without and with clipping to norm 1e-3.

    What the page's clip_every_table block computes with clipped_run, its runs done
    together: the four on the noisy problem draw the same minibatches. The exact
    problem's run without clipping is the late-spike run's first 3000 steps.
    """
    X, y, w_best, H = _noisy()
    Xe, ye, _ = least_squares()
    names = ["noisy-zero-free", "noisy-best-free", "noisy-zero-clipped",
             "noisy-best-clipped", "exact-clipped"]
    W = np.array([np.zeros(20), w_best, np.zeros(20), w_best, np.zeros(20)])
    M, V, G = (np.zeros_like(W) for _ in range(3))
    clipped, active = [False, False, True, True, True], [0] * len(names)
    noisy_losses = np.empty((4, steps - mean_from))
    rng = np.random.default_rng(1)  # minibatch_gradients(X, y)
    for k in range(steps):
        batch = rng.integers(0, len(y), 32)
        Xb = X[batch]
        for i in range(4):
            G[i] = Xb.T @ (Xb @ W[i] - y[batch]) / 32
        G[4] = Xe.T @ (Xe @ W[4] - ye) / len(ye)
        for i in range(len(names)):
            if clipped[i]:
                (G[i],), norm = clip_by_global_norm([G[i]], max_norm)
                active[i] += norm > max_norm
        _adam_rows(W, G, M, V, k + 1, [lr] * len(names), [0.999] * len(names), 1e-8)
        if k >= mean_from:
            for i in range(4):
                noisy_losses[i, k - mean_from] = excess(W[i], w_best, H)
    out = {name: float(losses.mean())
           for name, losses in zip(names[:4], noisy_losses, strict=True)}
    out["exact-clipped"] = float(0.5 * np.mean((Xe @ W[4] - ye) ** 2))
    out["exact-free"] = float(_spike_runs()["plain"][0][steps])  # loss after 3000 steps
    out |= {f"{name}-active": n for name, n in zip(names, active, strict=True)}
    out["exact-free-active"] = 0
    return out


@value("pitfalls-clip-every-noisy-free", digits=2)
def clip_every_noisy_free() -> float:
    """Noisy least squares from w = 0, no clipping: mean excess loss, steps 2001-3000."""
    return _clip_every()["noisy-zero-free"]


@value("pitfalls-clip-every-noisy-clipped", digits=3)
def clip_every_noisy_clipped() -> float:
    """The same, clipped to norm 1e-3 at every step."""
    return _clip_every()["noisy-zero-clipped"]


@value("pitfalls-clip-every-noisy-ratio", digits=2)
def clip_every_noisy_ratio() -> float:
    """Clipped over unclipped mean excess loss, noisy least squares from w = 0."""
    return clip_every_noisy_clipped() / clip_every_noisy_free()


@value("pitfalls-clip-every-noisy-best-free", digits=3)
def clip_every_noisy_best_free() -> float:
    """Noisy least squares from the best weights, no clipping: the same mean."""
    return _clip_every()["noisy-best-free"]


@value("pitfalls-clip-every-exact-free", sci=True, digits=1)
def clip_every_exact_free() -> float:
    """Exact least squares, no clipping: the loss at step 3000, to a power of ten."""
    return _power_of_ten(_clip_every()["exact-free"])


@value("pitfalls-clip-every-exact-clipped", sci=True, digits=1)
def clip_every_exact_clipped() -> float:
    """Exact least squares, clipped to norm 1e-3 at every step: the loss at step 3000.

    To a power of ten: the clipped run ends in a cycle whose digits follow rounding
    (summing g*g in another order moves them from 5.5e-6 to 5.2e-6).
    """
    return _power_of_ten(_clip_every()["exact-clipped"])


@functools.cache
def _sparse_runs() -> tuple[np.ndarray, np.ndarray]:
    with lean_adam():
        return embedding_run(lazy=False), embedding_run(lazy=True)


@value("pitfalls-sparse-coasting", digits=2)
def sparse_coasting() -> float:
    """How far the rare row moves in the 99 steps after its gradient, over its own step."""
    dense = _sparse_runs()[0][:, 1]
    return float((dense[99] - dense[0]) / dense[0])


@value("pitfalls-sparse-coasting-momentum", digits=2)
def sparse_coasting_momentum() -> float:
    """How far momentum alone carries the rare row in those 99 steps, over its own step.

    With v_hat held at its value of step 1 (g_1^2 = 1, eps aside) the row moves
    m_hat_t = 0.1 * 0.9^(t-1) / (1 - 0.9^t) lr at step t: the sum over t = 2..100.
    """
    t = np.arange(2, 101)
    return float(np.sum(0.1 * 0.9 ** (t - 1) / (1 - 0.9**t)))


@value("pitfalls-sparse-vhat-100", digits=2, percent=True)
def sparse_vhat_100() -> float:
    """The rare row's v_hat at step 100 over its v_hat at step 1 (zeros since)."""
    return 0.001 * 0.999**99 / (1 - 0.999**100) / 1.0


@value("pitfalls-sparse-vhat-100-gain", digits=2)
def sparse_vhat_100_gain() -> float:
    """How much larger v_hat's fall makes the rare row's step at step 100: 1/sqrt of it."""
    return 1 / math.sqrt(sparse_vhat_100())


@value("pitfalls-sparse-dense-rare", integer=True)
def sparse_dense_rare() -> float:
    """How far the rare row has moved after 1000 steps of Adam, in lr, rounded."""
    return round(float(_sparse_runs()[0][-1, 1]))


@value("pitfalls-sparse-per-gradient", digits=2)
def sparse_per_gradient() -> float:
    """Distance per gradient of the rare row over that of the common row (Adam)."""
    dense = _sparse_runs()[0][-1]
    return float((dense[1] / 10) / (dense[0] / 1000))


@value("pitfalls-sparse-lazy-rare", integer=True)
def sparse_lazy_rare() -> float:
    """How far the rare row has moved after 1000 steps of the lazy update, rounded."""
    return round(float(_sparse_runs()[1][-1, 1]))


@value("pitfalls-sparse-lazy-last-jump", digits=2)
def sparse_lazy_last_jump() -> float:
    """The rare row's step / lr at its tenth gradient under the lazy update."""
    rare = _sparse_runs()[1][:, 1]
    return float(rare[900] - rare[899])
