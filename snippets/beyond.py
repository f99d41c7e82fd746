"""The /beyond/ page: the optimizers the frameworks ship after Adam, each from scratch.

Every optimizer has the conventions of snippets/optimizers.py: checked arguments, a list of
float arrays updated in place by ``step(grads)``, state per parameter. Each one computes what
the framework named in its docstring computes, and tests/test_beyond.py checks it against that
framework on random gradients; where the framework differs from the paper, or from another
framework, the docstring says so in one sentence and a test pins it.

Each class has ``state_numbers(shape)``: how many numbers of state it keeps for a parameter
of that shape (Adam keeps 2 per weight).

Public names (OPTIMIZERS lists the classes, SECTIONS their code blocks, in the page's order):
    Lion(params, lr=1e-4, betas=(0.9, 0.99), weight_decay=1e-3)       optax.lion, keras Lion
    Muon(params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
         ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5,
         adjust_lr_fn=None, *, ns_dtype="bfloat16")                     torch.optim.Muon
    newton_schulz(G, ns_coefficients, ns_steps, eps, dtype): Muon's orthogonalisation;
        to_bfloat16(x): rounding to bfloat16, as torch rounds
    Adafactor(params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0,
              *, foreach=None, maximize=False)                           torch.optim.Adafactor
    ADOPT(params, lr=1e-3, betas=(0.9, 0.9999), eps=1e-6, *, nesterov=False,
          use_clipping=True, clip_value_fn=lambda t: t**0.25)            optax.contrib.adopt
    AdEMAMix(params, lr=1e-3, betas=(0.9, 0.999, 0.9999), alpha=5.0, eps=1e-8,
             weight_decay=0.0)                                           optax.contrib.ademamix
    LAMB(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0)   optax.lamb
    ScheduleFreeAdamW(params, lr=2.5e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                      warmup_steps=None, weight_lr_power=2.0)
        optax.contrib.schedule_free_adamw; params hold y, eval_params() x, .z the fast iterate
    AdamAtan2(params, lr=1e-3, betas=(0.9, 0.999), weight_decay=0.0, a=1.27, b=1.0)
        Everett et al. 2024; no framework ships it
    rms(x): the root mean square of an array
"""

from __future__ import annotations

# --8<-- [start:setup]
import math

import numpy as np

# --8<-- [end:setup]
from snippets.adam import check_flag, check_grads, check_hyperparameters, check_number
from snippets.optimizers import Optimizer

__all__ = ["OPTIMIZERS", "SECTIONS", "Lion", "Muon", "newton_schulz", "to_bfloat16",
           "Adafactor", "rms", "ADOPT", "AdEMAMix", "LAMB", "ScheduleFreeAdamW", "AdamAtan2"]
OPTIMIZERS = ("Lion", "Muon", "Adafactor", "ADOPT", "AdEMAMix", "LAMB", "ScheduleFreeAdamW",
              "AdamAtan2")  # the page's order
SECTIONS = ("lion", "muon", "adafactor", "adopt", "ademamix", "lamb", "schedule_free",
            "adam_atan2")  # its code blocks


# --8<-- [start:lion]
class Lion(Optimizer):
    """Lion (Chen et al. 2023), as optax.lion and keras.optimizers.Lion compute it.

    Keras's Lion defaults to learning_rate=1e-3 and no weight decay (optax.lion: no default
    learning rate, weight_decay=1e-3), refuses beta_1 = 0, and multiplies the weights by
    (1 - lr λ) before the sign step; with the same settings its steps are Optax's.
    """

    def __init__(self, params, lr: float = 1e-4, betas=(0.9, 0.99), weight_decay: float = 1e-3):
        super().__init__(params, lr)
        _, self.beta1, self.beta2, _, self.weight_decay = check_hyperparameters(
            lr, *betas, 0.0, weight_decay)
        self.m = [np.zeros_like(p) for p in self.params]  # the only state: momentum

    @staticmethod
    def state_numbers(shape) -> int:
        """One number per weight: the momentum m."""
        return math.prod(shape)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """c = β1 m + (1 - β1) g;  p -= lr (sign(c) + λ p);  m = β2 m + (1 - β2) g."""
        m = self.m[i]
        c = self.beta1 * m + (1 - self.beta1) * g  # interpolate momentum and gradient
        p -= self.lr * (np.sign(c) + self.weight_decay * p)  # every step has size lr
        m *= self.beta2  # the momentum is kept with the other rate, β2
        m += (1 - self.beta2) * g


# --8<-- [end:lion]


# --8<-- [start:muon]
def to_bfloat16(x: np.ndarray) -> np.ndarray:
    """Round to the nearest bfloat16 (float32 cut to 8 significant bits), ties to even.

    Returned as float32, which holds it exactly. float64 is rounded directly, not through
    float32 (which could round twice), as torch's Tensor.bfloat16() does.
    """
    x = np.asarray(x)
    if x.dtype == np.float64:  # keep sign, exponent and 7 fraction bits: round off 45 bits
        bits = x.view(np.uint64)
        bits = (bits + 0x0FFFFFFFFFFF + ((bits >> 45) & 1)) & 0xFFFFE00000000000
        return bits.view(np.float64).astype(np.float32)
    bits = x.astype(np.float32).view(np.uint32)  # the same in float32: round off 16 bits
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.view(np.float32)


def newton_schulz(G: np.ndarray, ns_coefficients=(3.4445, -4.775, 2.0315), ns_steps: int = 5,
                  eps: float = 1e-7, dtype: str = "bfloat16") -> np.ndarray:
    """Orthogonalise G: about U V^T for G = U S V^T, every singular value pushed towards 1.

    dtype="bfloat16" rounds after each operation as torch.optim.Muon does (bit for bit on
    small matrices; on larger ones torch's float32 sums in another order and the two can drift
    apart by up to about half a float32 run's gap); "float32" or "float64" run the same
    iteration in that precision.
    """
    a, b, c = ns_coefficients
    r = to_bfloat16 if dtype == "bfloat16" else (lambda x: np.asarray(x, dtype=dtype))
    wide = G.shape[0] <= G.shape[1]
    X = r(G if wide else G.T)  # X X^T is the smaller Gram matrix
    X = r(X / r(max(r(np.linalg.norm(X)), eps)))  # now every singular value is <= 1
    for _ in range(ns_steps):  # X <- a X + b (X X^T) X + c (X X^T)^2 X
        A = r(X @ X.T)
        B = r(b * A + c * (A @ A))
        X = r(a * X + B @ X)
    return X if wide else X.T


class Muon(Optimizer):
    """Muon (Jordan et al. 2024), as torch.optim.Muon computes it: for 2-D parameters only.

    torch.optim.Muon refuses a parameter that is not 2-D (a ValueError when it is built), as
    this class does: biases, gains and embeddings go to AdamW. Its momentum buffer is the
    average B = mu B + (1 - mu) g where its documentation writes the sum B = mu B + g; the
    average is (1 - mu) times the sum, and newton_schulz divides by the norm first, so the
    steps are the same.
    """

    ADJUST_LR = {  # the step's scale for a parameter of shape (A, B), times lr
        None: lambda A, B: math.sqrt(max(1, A / B)),  # Keller Jordan's
        "original": lambda A, B: math.sqrt(max(1, A / B)),
        "match_rms_adamw": lambda A, B: 0.2 * math.sqrt(max(A, B)),  # Moonshot's (Liu et al.)
    }

    def __init__(self, params, lr: float = 1e-3, weight_decay: float = 0.1,
                 momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients=(3.4445, -4.775, 2.0315), eps: float = 1e-7,
                 ns_steps: int = 5, adjust_lr_fn: str | None = None, *,
                 ns_dtype: str = "bfloat16"):
        super().__init__(params, lr)
        for i, p in enumerate(self.params):
            if p.ndim != 2:
                raise ValueError(f"params[{i}] has shape {p.shape}, but Muon orthogonalises "
                                 f"matrices: give it the 2-D parameters, the others to AdamW")
        self.weight_decay = check_number("weight_decay", weight_decay, 0, math.inf,
                                         "finite and >= 0, e.g. 0.1")
        self.momentum = check_number("momentum", momentum, 0, 1, "in [0, 1), e.g. 0.95")
        self.nesterov = check_flag("nesterov", nesterov)
        if len(ns_coefficients) != 3:
            raise ValueError(f"ns_coefficients must be 3 numbers (a, b, c), got {ns_coefficients}")
        self.ns_coefficients = tuple(check_number("ns_coefficients", k, -math.inf, math.inf,
                                                  "finite") for k in ns_coefficients)
        self.eps = check_number("eps", eps, 0, math.inf, "finite and >= 0, e.g. 1e-7")
        if isinstance(ns_steps, bool) or not isinstance(ns_steps, int) or not 0 <= ns_steps < 100:
            raise ValueError(f"ns_steps must be an int in [0, 100), e.g. 5, got {ns_steps!r}")
        self.ns_steps = ns_steps
        if adjust_lr_fn not in self.ADJUST_LR:
            raise ValueError(f"adjust_lr_fn must be None, 'original' or 'match_rms_adamw', "
                             f"got {adjust_lr_fn!r}")
        if ns_dtype not in ("bfloat16", "float32", "float64"):
            raise ValueError(f"ns_dtype must be 'bfloat16' (torch's), 'float32' or 'float64', "
                             f"got {ns_dtype!r}")
        self.adjust_lr_fn, self.ns_dtype = adjust_lr_fn, ns_dtype
        self.B = [np.zeros_like(p) for p in self.params]  # momentum, one matrix per matrix

    @staticmethod
    def state_numbers(shape) -> int:
        """One number per weight: the momentum buffer B."""
        return math.prod(shape)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """B = mu B + (1 - mu) g;  O = NS(g + mu (B - g) or B);  p -= lr (λ p + scale O)."""
        B, mu = self.B[i], self.momentum
        B += (1 - mu) * (g - B)
        M = g + mu * (B - g) if self.nesterov else B  # Nesterov: look one step ahead
        O_t = newton_schulz(M, self.ns_coefficients, self.ns_steps, self.eps, self.ns_dtype)
        p *= 1 - self.lr * self.weight_decay  # decoupled weight decay, as AdamW
        p -= self.lr * self.ADJUST_LR[self.adjust_lr_fn](*p.shape) * O_t


# --8<-- [end:muon]


# --8<-- [start:adafactor]
def rms(x: np.ndarray) -> float:
    """The root mean square of an array."""
    return math.sqrt(np.vdot(x, x) / x.size)


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern 2018), as torch.optim.Adafactor computes it.

    For a matrix it keeps the row and column averages of g^2, n + m numbers for n x m weights,
    and no momentum; a parameter of 3 or more dimensions is factored over its last two. Where
    the paper adds eps1 = 1e-30 to g^2, torch sets eps1 by default to the dtype's machine epsilon
    (1.2e-7 in float32) unless given, in two places. It divides the estimate by the mean of R
    clamped at eps1, so in float32 a matrix whose gradients have RMS below about sqrt(eps1) =
    3.5e-4 gets an inflated update, which clipping holds at RMS d: several times the paper's
    step. And it floors V at eps1^2, so a gradient below about eps1 takes a step shrunk in
    proportion to its size. Passing the paper's eps1 = 1e-30 in float32 squares it to 0: a
    bias whose gradient has always been 0, or a matrix row or column whose gradients have,
    becomes 0/0 = NaN (torch's and this class's; a single zero entry of a matrix does not).
    eps1=None here takes each parameter's own dtype; torch takes the first parameter's dtype
    for every parameter of a group (the same when they share a dtype).
    """

    def __init__(self, params, lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps=(None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False):
        super().__init__(params, lr)  # foreach: torch's kernel choice, the same numbers
        self.beta2_decay = check_number("beta2_decay", beta2_decay, -math.inf,
                                        math.nextafter(0.0, 1.0), "<= 0, e.g. -0.8")
        if len(eps) != 2:
            raise ValueError(f"eps must be a pair (eps1, eps2), e.g. (None, 1e-3), got {eps!r}")
        self.eps1 = None if eps[0] is None else check_number(
            "eps[0]", eps[0], 0, math.inf, "None (the dtype's epsilon) or finite and >= 0")
        self.eps2 = check_number("eps[1]", eps[1], 0, math.inf, "finite and >= 0, e.g. 1e-3")
        self.d = check_number("d", d, 1, math.inf, "finite and >= 1, e.g. 1.0")
        self.weight_decay = check_number("weight_decay", weight_decay, 0, math.inf,
                                         "finite and >= 0, e.g. 1e-2")
        self.maximize = check_flag("maximize", maximize)
        self.t = 0
        # a matrix (or a stack of them): row and column averages of g^2; else g^2 itself
        self.R = [np.zeros(p.shape[:-1] + (1,), p.dtype) if p.ndim >= 2 else np.zeros_like(p)
                  for p in self.params]
        self.C = [np.zeros(p.shape[:-2] + (1, p.shape[-1]), p.dtype) if p.ndim >= 2 else None
                  for p in self.params]

    @staticmethod
    def state_numbers(shape) -> int:
        """n + m for an n x m matrix (per matrix of a stack); one per weight otherwise."""
        if len(shape) < 2:
            return math.prod(shape)
        return math.prod(shape[:-2]) * (shape[-2] + shape[-1])

    def step(self, grads) -> None:
        """Update every parameter in place: one step of Adafactor."""
        grads = check_grads(grads, self.params)  # raises before t changes
        self.t += 1
        super().step(grads)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """V from the factors; U = g / sqrt(V), clipped to RMS d; p -= max(eps2, RMS(p)) rho U."""
        t, R, C = self.t, self.R[i], self.C[i]
        g = -g if self.maximize else g
        w = t**self.beta2_decay  # 1 - beta2_t = t^-0.8: the average forgets the first steps
        rho = min(self.lr, 1 / math.sqrt(t))  # relative step size, capped by lr
        alpha = max(self.eps2, rms(p)) * rho  # steps relative to the weights' size
        eps1 = np.finfo(p.dtype).eps if self.eps1 is None else self.eps1
        p *= 1 - self.lr * self.weight_decay
        if C is not None:  # R C / (1^T R), with means in place of sums
            R += w * (np.mean(g * g, axis=-1, keepdims=True) - R)
            C += w * (np.mean(g * g, axis=-2, keepdims=True) - C)
            V = R @ C / np.maximum(np.mean(R, axis=-2, keepdims=True), eps1)
        else:
            R += w * (g * g - R)
            V = R
        U = g / np.sqrt(np.maximum(V, eps1 * eps1))
        U /= max(1.0, rms(U) / self.d)  # update clipping: RMS(U) at most d
        p -= alpha * U


# --8<-- [end:adafactor]


# --8<-- [start:adopt]
class ADOPT(Optimizer):
    """ADOPT (Taniguchi et al. 2024), as optax.contrib.adopt computes it.

    The first step only measures v_0 = g_0^2 and leaves the weights where they are. By default
    optax.contrib.adopt (as the authors' code) clips g / max(sqrt(v), eps) to +-c_t with
    c_t = t^(1/4), t counted from that first step as 0; use_clipping=False leaves it unclipped.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.9999), eps: float = 1e-6, *,
                 nesterov: bool = False, use_clipping: bool = True,
                 clip_value_fn=lambda t: t**0.25):
        super().__init__(params, lr)
        _, self.beta1, self.beta2, self.eps, _ = check_hyperparameters(lr, *betas, eps)
        self.nesterov = check_flag("nesterov", nesterov)
        self.use_clipping = check_flag("use_clipping", use_clipping)
        self.clip_value_fn = clip_value_fn
        self.t = -1  # the paper's t: step 0 only measures v
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    @staticmethod
    def state_numbers(shape) -> int:
        """Two numbers per weight, as Adam: m and v."""
        return 2 * math.prod(shape)

    def step(self, grads) -> None:
        """Update every parameter in place: one step of ADOPT."""
        grads = check_grads(grads, self.params)  # raises before t changes
        self.t += 1
        super().step(grads)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """m = EMA of g / max(sqrt(v_{t-1}), eps); p -= lr m; then v = EMA of g^2."""
        m, v = self.m[i], self.v[i]
        if self.t == 0:
            v[...] = g * g  # v_0 = g_0^2: no step yet
            return
        u = g / np.maximum(np.sqrt(v), self.eps)  # normalised by the PREVIOUS v: not by g_t
        if self.use_clipping:
            c = self.clip_value_fn(self.t)
            u = np.clip(u, -c, c)
        m *= self.beta1
        m += (1 - self.beta1) * u  # momentum of the normalised gradients
        p -= self.lr * (self.beta1 * m + (1 - self.beta1) * u if self.nesterov else m)
        v *= self.beta2
        v += (1 - self.beta2) * g * g  # g_t enters v only after the step


# --8<-- [end:adopt]


# --8<-- [start:ademamix]
class AdEMAMix(Optimizer):
    """AdEMAMix (Pagliardini et al., ICLR 2025), as optax.contrib.ademamix computes it.

    Adam plus a slow momentum m2 (rate beta3, not bias-corrected) added alpha times to the
    fast one. The paper's Algorithm 1 can warm alpha and beta3 up over T_{alpha,beta3} steps
    (usually the whole run); optax.contrib.ademamix keeps both constant unless given
    schedules, as this class does.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999, 0.9999),
                 alpha: float = 5.0, eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr)
        if len(betas) != 3:
            raise ValueError(f"betas must be 3 rates (beta1, beta2, beta3), got {betas!r}")
        _, self.beta1, self.beta2, self.eps, self.weight_decay = check_hyperparameters(
            lr, betas[0], betas[1], eps, weight_decay)
        self.beta3 = check_number("beta3", betas[2], 0, 1, "in [0, 1), e.g. 0.9999")
        self.alpha = check_number("alpha", alpha, 0, math.inf, "finite and >= 0, e.g. 5.0")
        self.t = 0
        self.m1 = [np.zeros_like(p) for p in self.params]  # fast momentum, as Adam's m
        self.m2 = [np.zeros_like(p) for p in self.params]  # slow momentum
        self.v = [np.zeros_like(p) for p in self.params]

    @staticmethod
    def state_numbers(shape) -> int:
        """Three numbers per weight: m1, m2 and v."""
        return 3 * math.prod(shape)

    def step(self, grads) -> None:
        """Update every parameter in place: one step of AdEMAMix."""
        grads = check_grads(grads, self.params)  # raises before t changes
        self.t += 1
        super().step(grads)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """p -= lr ((m1_hat + alpha m2) / (sqrt(v_hat) + eps) + λ p)."""
        m1, m2, v, t = self.m1[i], self.m2[i], self.v[i], self.t
        m1 *= self.beta1
        m1 += (1 - self.beta1) * g
        m2 *= self.beta3
        m2 += (1 - self.beta3) * g  # remembers about 1 / (1 - beta3) = 10,000 steps
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m1_hat, v_hat = m1 / (1 - self.beta1**t), v / (1 - self.beta2**t)
        p -= self.lr * ((m1_hat + self.alpha * m2) / (np.sqrt(v_hat) + self.eps)
                        + self.weight_decay * p)


# --8<-- [end:ademamix]


# --8<-- [start:lamb]
class LAMB(Optimizer):
    """LAMB (You et al. 2020), as optax.lamb computes it: Adam's step, rescaled per layer.

    Each parameter array is a layer: its step r (Adam's, plus λ p) is scaled by the trust
    ratio ||p|| / ||r||, or 1 if either norm is 0. Keras's Lamb decays the weights outside
    the ratio, as AdamW, so with weight decay its steps differ from optax's.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-6,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        _, self.beta1, self.beta2, self.eps, self.weight_decay = check_hyperparameters(
            lr, *betas, eps, weight_decay)
        self.t = 0
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    @staticmethod
    def state_numbers(shape) -> int:
        """Two numbers per weight, as Adam: m and v."""
        return 2 * math.prod(shape)

    def step(self, grads) -> None:
        """Update every parameter in place: one step of LAMB."""
        grads = check_grads(grads, self.params)  # raises before t changes
        self.t += 1
        super().step(grads)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """r = m_hat / (sqrt(v_hat) + eps) + λ p;  p -= lr ||p|| / ||r|| r."""
        m, v, t = self.m[i], self.v[i], self.t
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        r = (m / (1 - self.beta1**t)) / (np.sqrt(v / (1 - self.beta2**t)) + self.eps)
        r += self.weight_decay * p
        p_norm, r_norm = np.linalg.norm(p), np.linalg.norm(r)
        trust = p_norm / r_norm if p_norm > 0 and r_norm > 0 else 1.0  # the layer's ratio
        p -= self.lr * trust * r


# --8<-- [end:lamb]


# --8<-- [start:schedule_free]
class ScheduleFreeAdamW(Optimizer):
    """Schedule-Free AdamW (Defazio et al. 2024), as optax.contrib.schedule_free_adamw computes it.

    Three sequences: z takes AdamW's steps without its momentum; x, the point to evaluate
    (and to keep), is a running average of the z's; the gradient is taken at
    y = (1 - beta1) z + beta1 x, which is what ``params`` holds, as in Optax.
    ``eval_params()`` returns x, ``z`` the fast iterate. With warmup_steps, z's step at t
    uses lr_t = lr min(1, t / warmup_steps) and the average weighs it by lr_t^2; optax's
    z-step uses the previous step's rate (0 at the first step, so its first step changes
    nothing), and Keras's averages with weights 1/t whatever the warmup (this class with
    weight_lr_power=0). Keras's weight_decay also multiplies y by
    (1 - lr λ) outside the z-step, unlike Optax's.
    """

    def __init__(self, params, lr: float = 2.5e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, warmup_steps: int | None = None,
                 weight_lr_power: float = 2.0):
        super().__init__(params, lr)
        _, self.beta1, self.beta2, self.eps, self.weight_decay = check_hyperparameters(
            lr, *betas, eps, weight_decay)
        if not self.beta1 > 0:
            raise ValueError("beta1 must be in (0, 1), e.g. 0.9: x is recovered dividing by it")
        self.warmup = 0 if warmup_steps is None else int(check_number(
            "warmup_steps", warmup_steps, 0, math.inf, "None or an int >= 0"))
        self.weight_lr_power = check_number("weight_lr_power", weight_lr_power, 0, math.inf,
                                            "finite and >= 0, e.g. 2.0")
        self.t, self.lr_max, self.weight_sum = 0, 0.0, 0.0
        self.z = [p.copy() for p in self.params]  # the fast iterate: AdamW's steps
        self.v = [np.zeros_like(p) for p in self.params]

    @staticmethod
    def state_numbers(shape) -> int:
        """Two numbers per weight: z and v (x follows from y and z, as Optax does)."""
        return 2 * math.prod(shape)

    def eval_params(self) -> list[np.ndarray]:
        """x, the average of the z's: the weights to evaluate and to keep, not params (y)."""
        b1 = self.beta1
        return [(y - (1 - b1) * z) / b1 for y, z in zip(self.params, self.z, strict=True)]

    def step(self, grads) -> None:
        """Update every parameter (y) in place from gradients taken at y."""
        grads = check_grads(grads, self.params)  # raises before t changes
        self.t += 1
        self.lr_t = self.lr * (min(1.0, self.t / self.warmup) if self.warmup else 1.0)
        self.lr_max = max(self.lr_max, self.lr_t)
        weight = self.lr_max**self.weight_lr_power  # later, larger steps count more
        self.weight_sum += weight
        self.c = weight / self.weight_sum if self.weight_sum > 0 else 0.0  # c_{t+1}
        super().step(grads)

    def update(self, i: int, y: np.ndarray, g: np.ndarray) -> None:
        """z -= lr (g / (sqrt(v_hat) + eps) + λ y): no momentum;  x = (1 - c) x + c z;
        y = beta1 x + (1 - beta1) z."""
        z, v, b1 = self.z[i], self.v[i], self.beta1
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        v_hat = v / (1 - self.beta2**self.t)
        x = (y - (1 - b1) * z) / b1  # the average so far
        z -= self.lr_t * (g / (np.sqrt(v_hat) + self.eps) + self.weight_decay * y)
        x = (1 - self.c) * x + self.c * z  # average in the new z
        y[...] = b1 * x + (1 - b1) * z  # where the next gradient is taken


# --8<-- [end:schedule_free]


# --8<-- [start:adam_atan2]
class AdamAtan2(Optimizer):
    """Adam-atan2 (Everett et al. 2024): Adam with m_hat / (sqrt(v_hat) + eps) replaced by
    a atan2(m_hat, b sqrt(v_hat)), which needs no eps, is the same for a gradient scaled by
    any constant > 0, and is never longer than a pi / 2 in any coordinate.

    No framework ships it. a = 1.27 and b = 1, the defaults of the public implementations
    (a is about 4 / pi: a step is then about lr where |m_hat| equals sqrt(v_hat), as Adam's);
    weight decay is decoupled, as AdamW's.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), weight_decay: float = 0.0,
                 a: float = 1.27, b: float = 1.0):
        super().__init__(params, lr)
        _, self.beta1, self.beta2, _, self.weight_decay = check_hyperparameters(
            lr, *betas, 0.0, weight_decay)
        self.a = check_number("a", a, 0, math.inf, "finite and >= 0, e.g. 1.27")
        self.b = check_number("b", b, 0, math.inf, "finite and >= 0, e.g. 1.0")
        self.t = 0
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    @staticmethod
    def state_numbers(shape) -> int:
        """Two numbers per weight, as Adam: m and v."""
        return 2 * math.prod(shape)

    def step(self, grads) -> None:
        """Update every parameter in place: one step of Adam-atan2."""
        grads = check_grads(grads, self.params)  # raises before t changes
        self.t += 1
        super().step(grads)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """p -= lr (a atan2(m_hat, b sqrt(v_hat)) + λ p): no eps, |step| < lr a pi / 2."""
        m, v, t = self.m[i], self.v[i], self.t
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat, v_hat = m / (1 - self.beta1**t), v / (1 - self.beta2**t)
        p *= 1 - self.lr * self.weight_decay
        p -= self.lr * self.a * np.arctan2(m_hat, self.b * np.sqrt(v_hat))  # atan2(0, 0) = 0


# --8<-- [end:adam_atan2]
