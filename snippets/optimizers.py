"""The optimizers that lead up to Adam, with Adam's conventions, and a trajectory runner.

Each optimizer takes a list of float arrays and updates them in place with ``step(grads)``,
one gradient per array; arguments are checked as ``snippets.adam.Adam`` checks them (a
NaN or inf gradient raises ValueError and changes nothing). Where PyTorch has the same
optimizer, it computes what PyTorch computes.

Public names:
    Optimizer(params, lr): what they share; a subclass writes update(i, p, g)
    SGD(params, lr=1e-3)                       p -= lr * g                (torch.optim.SGD)
    HeavyBall(params, lr=1e-3, momentum=0.9)   b = momentum * b + g; p -= lr * b
                                               (torch.optim.SGD with momentum)
    EMAMomentum(params, lr=1e-3, beta=0.9)     m = beta * m + (1 - beta) * g; p -= lr * m
                                               (Adam's first moment, without bias correction)
    RMSProp(params, lr=1e-2, alpha=0.99, eps=1e-8)   (torch.optim.RMSprop)
    AdaGrad(params, lr=1e-2, eps=1e-10)              (torch.optim.Adagrad)
    adam_step_no_bias_correction(params, grads, m, v, lr=0.001, beta1=0.9, beta2=0.999,
                                 epsilon=1e-8) -> (params, m, v): adam_step minus the
                                 bias corrections, for the ablation on the pages
    AdamNoBiasCorrection(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8): the same, in place
    trajectory(make_optimizer, surface, start=None, steps=100, seed=0) -> array (steps + 1, 2)
    Adam: snippets.adam.Adam, re-exported
"""

# --8<-- [start:setup]
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from snippets.adam import (
    Adam,
    check_finite,
    check_float_array,
    check_grads,
    check_hyperparameters,
    check_like,
    check_number,
    check_params,
)

# --8<-- [end:setup]

__all__ = [
    "Adam",
    "AdaGrad",
    "AdamNoBiasCorrection",
    "EMAMomentum",
    "HeavyBall",
    "Optimizer",
    "RMSProp",
    "SGD",
    "adam_step_no_bias_correction",
    "trajectory",
]


# --8<-- [start:optimizer]
class Optimizer:
    """What the optimizers below share: checked params and lr, and an in-place step(grads)."""

    def __init__(self, params, lr: float) -> None:
        self.params = check_params(params)  # a list of float arrays, updated in place
        self.lr = check_number("lr", lr, 0, math.inf, "finite and >= 0")

    def step(self, grads) -> None:
        """Update every parameter in place from its gradient."""
        check_number("lr", self.lr, 0, math.inf, "finite and >= 0")
        grads = check_grads(grads, self.params)  # raises before anything changes
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            self.update(i, p, g)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """Update parameter i, the array p, in place from its gradient g."""
        raise NotImplementedError


# --8<-- [end:optimizer]


# --8<-- [start:sgd]
class SGD(Optimizer):
    """Plain gradient descent: step against the gradient, lr times its size."""

    def __init__(self, params, lr: float = 1e-3) -> None:
        super().__init__(params, lr)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """p -= lr * g."""
        p -= self.lr * g


# --8<-- [end:sgd]


# --8<-- [start:heavy_ball]
class HeavyBall(Optimizer):
    """Polyak's heavy-ball momentum, as torch.optim.SGD(momentum=...) computes it."""

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.9) -> None:
        super().__init__(params, lr)
        self.momentum = check_number("momentum", momentum, 0, 1, "in [0, 1), e.g. 0.9")
        self.b = [np.zeros_like(p) for p in self.params]  # velocity: a sum of past gradients

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """b = momentum * b + g; p -= lr * b."""
        b = self.b[i]
        b *= self.momentum
        b += g
        p -= self.lr * b


# --8<-- [end:heavy_ball]


# --8<-- [start:ema_momentum]
class EMAMomentum(Optimizer):
    """Momentum as Adam keeps it: an exponential moving average of the gradients."""

    def __init__(self, params, lr: float = 1e-3, beta: float = 0.9) -> None:
        super().__init__(params, lr)
        self.beta = check_number("beta", beta, 0, 1, "in [0, 1), e.g. 0.9")
        self.m = [np.zeros_like(p) for p in self.params]  # average gradient

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """m = beta * m + (1 - beta) * g; p -= lr * m."""
        m = self.m[i]
        m *= self.beta
        m += (1 - self.beta) * g
        p -= self.lr * m


# --8<-- [end:ema_momentum]


# --8<-- [start:rmsprop]
class RMSProp(Optimizer):
    """RMSProp, as torch.optim.RMSprop computes it: divide by a running RMS of the gradients."""

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        self.alpha = check_number("alpha", alpha, 0, 1, "in [0, 1), e.g. 0.99 (Adam's beta2)")
        self.eps = check_number("eps", eps, 0, math.inf, "finite and >= 0, e.g. 1e-8")
        self.v = [np.zeros_like(p) for p in self.params]  # average squared gradient

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """v = alpha * v + (1 - alpha) * g**2; p -= lr * g / (sqrt(v) + eps)."""
        v = self.v[i]
        v *= self.alpha
        v += (1 - self.alpha) * g * g
        p -= self.lr * g / (np.sqrt(v) + self.eps)


# --8<-- [end:rmsprop]


# --8<-- [start:adagrad]
class AdaGrad(Optimizer):
    """AdaGrad, as torch.optim.Adagrad computes it: divide by the root of all squared gradients."""

    def __init__(self, params, lr: float = 1e-2, eps: float = 1e-10) -> None:
        super().__init__(params, lr)
        self.eps = check_number("eps", eps, 0, math.inf, "finite and >= 0, e.g. 1e-10")
        self.sum = [np.zeros_like(p) for p in self.params]  # sum of squared gradients

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """sum += g**2; p -= lr * g / (sqrt(sum) + eps)."""
        total = self.sum[i]
        total += g * g
        p -= self.lr * g / (np.sqrt(total) + self.eps)


# --8<-- [end:adagrad]


# --8<-- [start:no_bias_correction]
def adam_step_no_bias_correction(
    params: np.ndarray,
    grads: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    lr: float = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Take one step of Adam without its bias corrections; return new params, m, v."""
    lr, beta1, beta2, epsilon, _ = check_hyperparameters(lr, beta1, beta2, epsilon, 0, "epsilon")
    params = check_float_array("params", params)
    grads = check_like("grads", grads, params, "params")
    m = check_like("m", m, params, "params")
    v = check_like("v", v, params, "params")
    check_finite("grads", grads)

    m = beta1 * m + (1 - beta1) * grads
    v = beta2 * v + (1 - beta2) * grads**2
    params = params - lr * m / (np.sqrt(v) + epsilon)  # m and v, not m_hat and v_hat
    return params, m, v


class AdamNoBiasCorrection(Optimizer):
    """Adam without its bias corrections, in place: the ablation the pages compare with Adam."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        check_hyperparameters(lr, *betas, eps)
        self.betas, self.eps = tuple(betas), eps
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        """One uncorrected Adam step for parameter i."""
        beta1, beta2 = self.betas
        step = adam_step_no_bias_correction(
            p, g, self.m[i], self.v[i], self.lr, beta1, beta2, self.eps
        )
        p[...], self.m[i], self.v[i] = step


# --8<-- [end:no_bias_correction]


# --8<-- [start:trajectory]
def trajectory(
    make_optimizer: Callable,
    surface,
    start: tuple[float, float] | None = None,
    steps: int = 100,
    seed: int = 0,
) -> np.ndarray:
    """Run an optimizer on a 2-D surface; return the points it visits, one row per step.

    make_optimizer(params) builds the optimizer for params = [point], e.g.
    ``lambda params: Adam(params, lr=0.1)``. Row 0 is the start (surface.start unless given);
    row k is the point after k steps. Noisy surfaces draw their noise from
    np.random.default_rng(seed), so a run is reproducible and every optimizer run with the
    same seed sees the same noise. If the optimizer diverges (the point or its gradient
    stops being finite), the rows from there on are NaN, which plots leave out.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    point = np.array(surface.start if start is None else start, dtype=np.float64)
    if point.shape != (2,) or not np.isfinite(point).all():
        raise ValueError(f"start must be a finite point (x, y), got {start!r}")
    optimizer = make_optimizer([point])
    rng = np.random.default_rng(seed)
    path = np.full((steps + 1, 2), np.nan)
    path[0] = point
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is shown by NaN rows
        for k in range(1, steps + 1):
            g = surface.sample_grad(point[0], point[1], rng)
            if not np.isfinite(g).all():
                break
            optimizer.step([g])
            if not np.isfinite(point).all():
                break
            path[k] = point
    return path


# --8<-- [end:trajectory]
