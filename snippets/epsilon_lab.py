"""The ε lab (/playground/epsilon/): where ε goes, and the number format Adam runs in.

Adam on a steady gradient g, from m = v = 0 and θ = 1, with every arithmetic operation
done in one number format (float64, float32, bfloat16 or float16) and rounded as that
format rounds: NumPy's own float16 and float32 arithmetic, ml_dtypes' bfloat16. The
settings (α, β1, β2, ε) and the coefficients made of them (1 - β1, 1 - β2^t, ...) are
computed once in float64, as a framework computes them from Python floats, and rounded
to the format; m, v, the step and θ are the format's numbers throughout.

Where ε goes (``PLACEMENTS``), with m̂ = m / (1 - β1^t), v̂ = v / (1 - β2^t):
    algorithm1  α m̂ / (√v̂ + ε)                      Algorithm 1: PyTorch, Optax, MLX
    eps_hat     α_t m / (√v + ε),
                α_t = α √(1 - β2^t) / (1 - β1^t)    the paper's ε̂, as Keras computes it
    eps_root    α m̂ / √(v̂ + ε)                      inside the root: Optax's eps_root
    atan2       α atan2(m̂, √v̂)                      no ε: Adam-atan2 (Everett et al., 2024)

docs/assets/playground/epsilon.js ports ``run`` operation for operation; the test
(tests/test_epsilon_lab.py) checks it bit for bit in float32, bfloat16 and float16, and to
1e-9 in float64 (where the two languages' atan2 may differ in the last bit).

Public names:
    FORMATS, PLACEMENTS, DEFAULTS, ALPHA, BETA1, BETA2, READOUT_STEPS
    gradient_grid() -> array: the gradients the plot's curves are drawn at
    run(grads, eps, where, fmt, steps) -> dict of arrays (steps, len(grads)): m, v, step, theta
    first_step(grads, eps, where, fmt) -> array: the first step over α
"""

from __future__ import annotations

import functools
import math

import numpy as np

from snippets.values import value


@functools.cache
def formats() -> dict:
    """The formats the lab computes in, by name. ml_dtypes (bfloat16) takes 0.6 s to
    import: the build imports every snippets module, so it is imported when first used."""
    import ml_dtypes

    return {
        "float64": np.float64,
        "float32": np.float32,
        "bfloat16": ml_dtypes.bfloat16,
        "float16": np.float16,
    }


def __getattr__(name: str):
    if name == "FORMATS":  # the module's public name, for readers and tests
        return formats()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

PLACEMENTS = {
    "algorithm1": "Algorithm 1: α m̂/(√v̂ + ε)",
    "eps_hat": "the paper's ε̂ (Keras): α_t m/(√v + ε)",
    "eps_root": "inside the root: α m̂/√(v̂ + ε)",
    "atan2": "none: α atan2(m̂, √v̂)",
}
ALPHA, BETA1, BETA2 = 1e-3, 0.9, 0.999  # PyTorch's defaults
DEFAULTS = {"eps": 1e-8, "where": "algorithm1", "format": "float32", "g": 1e-6}
READOUT_STEPS = (1, 2, 3, 10, 100, 1000)  # the rows of the first-steps readout
GRID_MANTISSAS = ("1", "1.25", "1.6", "2", "2.5", "3.2", "4", "5", "6.3", "8")
GRID_DECADES = (-12, 2)  # the plot's gradients: 1e-12 to 1e2


def gradient_grid() -> np.ndarray:
    """The gradients the curves are drawn at, ten a decade, read from decimal text
    (so JavaScript's Number() gives the very same doubles)."""
    lo, hi = GRID_DECADES
    text = [f"{m}e{e}" for e in range(lo, hi) for m in GRID_MANTISSAS] + [f"1e{hi}"]
    return np.array([float(t) for t in text])


def run(grads, eps: float, where: str, fmt: str, steps: int,
        alpha: float = ALPHA, beta1: float = BETA1, beta2: float = BETA2) -> dict:
    """Adam for `steps` steps on the steady gradients `grads` (one run each), every
    operation in the format `fmt`. Returns m, v, the step and θ after each step, as
    float64 arrays of shape (steps, len(grads))."""
    if where not in PLACEMENTS or fmt not in formats():
        raise ValueError(f"unknown placement {where!r} or format {fmt!r}")
    F = formats()[fmt]
    g = np.asarray(grads, dtype=np.float64).astype(F)
    m, v, theta = np.zeros_like(g), np.zeros_like(g), np.ones_like(g)
    b1, c1, b2, c2 = F(beta1), F(1 - beta1), F(beta2), F(1 - beta2)
    lr, e = F(alpha), F(eps)
    p1 = p2 = 1.0  # beta1^t and beta2^t in float64, by one product a step (as the JS)
    out = {k: np.empty((steps, len(g))) for k in ("m", "v", "step", "theta")}
    with np.errstate(all="ignore"):
        for t in range(steps):
            p1, p2 = p1 * beta1, p2 * beta2
            m = b1 * m + c1 * g
            v = b2 * v + c2 * (g * g)
            if where == "eps_hat":
                a_t = F(alpha * math.sqrt(1 - p2) / (1 - p1))
                step = (a_t * m) / (np.sqrt(v) + e)
            else:
                m_hat, v_hat = m / F(1 - p1), v / F(1 - p2)
                if where == "algorithm1":
                    u = m_hat / (np.sqrt(v_hat) + e)
                elif where == "eps_root":
                    u = m_hat / np.sqrt(v_hat + e)
                else:  # atan2 rounded once from float64, as for + - * / and the root
                    u = np.arctan2(m_hat.astype(np.float64),
                                   np.sqrt(v_hat).astype(np.float64)).astype(F)
                step = lr * u
            theta = theta - step
            for k, x in (("m", m), ("v", v), ("step", step), ("theta", theta)):
                out[k][t] = x.astype(np.float64)
    return out


def first_step(grads, eps: float, where: str, fmt: str) -> np.ndarray:
    """The first step over α (float64), for each gradient: what the plot draws."""
    return run(grads, eps, where, fmt, 1)["step"][0] / ALPHA


# ---- the numbers the page states ---------------------------------------------------


def _first(g: float, eps: float, where: str, fmt: str) -> float:
    return float(first_step([g], eps, where, fmt)[0])


def _edges(fmt: str, eps: float, where: str, kind) -> tuple[float, float]:
    """The smallest and largest gradient of the grid whose first step is of `kind`."""
    grid = gradient_grid()
    hit = grid[kind(first_step(grid, eps, where, fmt))]
    return float(hit.min()), float(hit.max())


@value("epsilon-lab-float16-eps", integer=True)
def float16_eps() -> float:
    """ε = 1e-8 stored in float16 (0: below half the smallest subnormal, 2^-25)."""
    return float(np.float16(1e-8)) + 0.0


@value("epsilon-lab-float16-smallest", sci=True, digits=2)
def float16_smallest() -> float:
    return float(np.finfo(np.float16).smallest_subnormal)


@value("epsilon-lab-float16-nan-below", sci=True, digits=2)
def float16_nan_below() -> float:
    """The largest grid gradient whose float16 first step (ε = 1e-8) is NaN."""
    return _edges("float16", 1e-8, "algorithm1", np.isnan)[1]


@value("epsilon-lab-float16-inf-from", sci=True, digits=2)
def float16_inf_from() -> float:
    return _edges("float16", 1e-8, "algorithm1", np.isinf)[0]


@value("epsilon-lab-float16-inf-to", sci=True, digits=2)
def float16_inf_to() -> float:
    return _edges("float16", 1e-8, "algorithm1", np.isinf)[1]


def float16_finite_from() -> float:
    return _edges("float16", 1e-8, "algorithm1", np.isfinite)[0]


@value("epsilon-lab-float32-first-1e-7", digits=3)
def float32_first_small() -> float:
    """Algorithm 1's first step over α at |g| = 1e-7, ε = 1e-8, float32."""
    return _first(1e-7, 1e-8, "algorithm1", "float32")


@value("epsilon-lab-keras-first-1e-7", digits=3)
def keras_first_small() -> float:
    """The ε̂ placement's first step over α at |g| = 1e-7, ε = 1e-8, float32."""
    return _first(1e-7, 1e-8, "eps_hat", "float32")


@value("epsilon-lab-root-first-1e-4", digits=3)
def root_first() -> float:
    """ε inside the root: the first step over α at |g| = 1e-4, ε = 1e-8, float32."""
    return _first(1e-4, 1e-8, "eps_root", "float32")


@value("epsilon-lab-atan2-first", digits=3)
def atan2_first() -> float:
    """Adam-atan2's first step over α for any |g| in float32: atan2(g, |g|) = π/4."""
    return _first(1.0, 1e-8, "atan2", "float32")


@value("epsilon-lab-bfloat16-beta2")
def bfloat16_beta2() -> float:
    """β2 = 0.999 stored in bfloat16: 1."""
    return float(formats()["bfloat16"](BETA2))


@value("epsilon-lab-grid-points", integer=True)
def grid_points() -> int:
    return len(gradient_grid())
