# SPDX-License-Identifier: MIT
# Copyright (c) 2026 Adam, Layer by Layer contributors
#
# Permission is hereby granted, free of charge, to any person obtaining a copy
# of this software and associated documentation files (the "Software"), to deal
# in the Software without restriction, including without limitation the rights
# to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
# copies of the Software, and to permit persons to whom the Software is
# furnished to do so, subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in all
# copies or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
# FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
# AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
# LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
# OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
# SOFTWARE.
"""Adam for NumPy, from "Adam, Layer by Layer". One file, NumPy only: copy it into your project.

adam_step(params, grads, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8)
    One step of Algorithm 1 of Kingma & Ba (2015), as the paper writes it.
    Pure: returns new (params, m, v) and never changes its inputs. t counts from 1.

Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *,
     amsgrad=False, maximize=False, decoupled_weight_decay=False)
    The optimizer to use: computes what torch.optim.Adam computes, with the same options
    and defaults, updating a list of float32 or float64 arrays in place with step(grads);
    state_dict()/load_state_dict() resume training. decoupled_weight_decay=True gives
    AdamW's decoupled decay, but weight_decay still defaults to 0.0 (no decay), where
    torch.optim.AdamW defaults to 1e-2: for AdamW pass weight_decay=1e-2 as well.

Bad input raises ValueError or TypeError with a message that names the argument and
the fix; a NaN or inf gradient raises ValueError and leaves everything unchanged.
"""

# --8<-- [start:setup]
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

# --8<-- [end:setup]


# --8<-- [start:checks]
def check_number(name: str, value, low: float, high: float, rule: str) -> float:
    """Return `value` as a float if low <= value < high, else raise an error quoting `rule`."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number {rule}, got {value!r}")
    if not low <= value < high:  # also False for NaN
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return float(value)


def check_hyperparameters(lr, beta1, beta2, eps, weight_decay=0.0, eps_name="eps") -> tuple:
    """Return (lr, beta1, beta2, eps, weight_decay) as floats, or raise naming the bad one."""
    return (
        check_number("lr", lr, 0, math.inf, "finite and >= 0, e.g. 1e-3"),
        check_number("beta1", beta1, 0, 1, "in [0, 1), e.g. 0.9"),
        check_number("beta2", beta2, 0, 1, "in [0, 1), e.g. 0.999"),
        check_number(eps_name, eps, 0, math.inf, "finite and >= 0, e.g. 1e-8"),
        check_number("weight_decay", weight_decay, 0, math.inf, "finite and >= 0, e.g. 1e-2"),
    )


def check_float_array(name: str, a) -> np.ndarray:
    """Return `a` as an array of floats, or raise a TypeError that says how to convert it."""
    a = np.asarray(a)
    if a.dtype.kind != "f":
        raise TypeError(
            f"{name} has dtype {a.dtype}, but the optimizer needs floating-point numbers "
            f"(an integer array cannot take a fractional step): convert it with "
            f"np.asarray({name}, dtype=np.float32) or dtype=np.float64"
        )
    return a


def check_like(name: str, a, like: np.ndarray, like_name: str) -> np.ndarray:
    """Return `a` as a float array with the shape and dtype of `like`, or raise what differs."""
    a = check_float_array(name, a)
    if a.shape != like.shape:
        raise ValueError(
            f"{name} has shape {a.shape} but {like_name} has shape {like.shape}: "
            f"they must match element for element"
        )
    if a.dtype != like.dtype:
        raise TypeError(
            f"{name} has dtype {a.dtype} but {like_name} has dtype {like.dtype}: "
            f"convert it with {name}.astype(np.{like.dtype})"
        )
    return a


def check_finite(name: str, g: np.ndarray) -> None:
    """Raise a ValueError if `g` holds a NaN or an infinity."""
    # A product with a NaN or inf in it is NaN or inf, and so is any sum with such a term:
    # the dot product of g's two halves (and its last element) is finite if every element
    # is, and if the sum does not overflow; only then do we look closer. np.dot reads the
    # halves as two streams, at full memory speed, and allocates nothing.
    flat = g.reshape(-1)
    half = flat.size // 2
    with np.errstate(all="ignore"):  # no warning for what this function is there to find
        total = np.dot(flat[:half], flat[half : 2 * half]) + flat[-1]
    if math.isfinite(total):
        return
    if np.isfinite(flat).all():  # the sum overflowed, but every element is finite
        return
    where = tuple(int(i) for i in np.unravel_index(np.argmin(np.isfinite(flat)), g.shape))
    raise ValueError(
        f"{name} holds {g[where]} at index {where}, so the step was not taken and nothing "
        f"changed (torch.amp.GradScaler skips such steps too; torch.optim.Adam alone would "
        f"write NaN into the parameters). Lower lr, clip the gradients or find the overflow "
        f"in the loss; to skip the step and go on, catch the ValueError."
    )


def check_params(params) -> list[np.ndarray]:
    """Return params as a list of writable, C-contiguous float arrays, or raise how to fix it."""
    if isinstance(params, np.ndarray):
        raise TypeError("params must be a list of arrays, got one array: pass [params]")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"params must be a list of NumPy arrays, got {params!r}") from None
    if not params:
        raise ValueError("params is empty: pass a list of at least one float array")
    for i, p in enumerate(params):
        name = f"params[{i}]"
        if not isinstance(p, np.ndarray):
            raise TypeError(
                f"{name} is a {type(p).__name__}, but the optimizer updates arrays in place: "
                f"pass np.asarray({name}, dtype=np.float64) and keep using that array"
            )
        check_float_array(name, p)
        if not p.flags.writeable:
            raise ValueError(f"{name} is read-only: pass a writable copy, {name}.copy()")
        if not p.flags.c_contiguous:
            raise ValueError(
                f"{name} is not C-contiguous (a strided view?): pass "
                f"np.ascontiguousarray({name}) and keep using that array"
            )
    return params


def check_grads(grads, params: list[np.ndarray]) -> list[np.ndarray]:
    """Return one finite gradient per parameter, of its shape and dtype, or raise."""
    if isinstance(grads, np.ndarray):
        raise TypeError("grads must be a list of arrays, one per parameter: pass [grads]")
    grads = list(grads)
    if len(grads) != len(params):
        raise ValueError(
            f"grads has {len(grads)} arrays but there are {len(params)} params: "
            f"pass one gradient per parameter, in the same order"
        )
    grads = [
        check_like(f"grads[{i}]", g, p, f"params[{i}]")
        for i, (g, p) in enumerate(zip(grads, params, strict=True))
    ]
    for i, g in enumerate(grads):  # all checked before any parameter changes
        check_finite(f"grads[{i}]", g)
    return grads


def check_flag(name: str, value) -> bool:
    """Return `value` if it is True or False, else raise a TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


# --8<-- [end:checks]


# --8<-- [start:adam_step]
def adam_step(
    params: np.ndarray,
    grads: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Take step t (counted from 1) of Algorithm 1 of Kingma & Ba; return new params, m, v."""
    if isinstance(t, bool) or not isinstance(t, Integral):
        raise TypeError(f"t must be an integer step count, 1 for the first step, got {t!r}")
    if t < 1:
        raise ValueError(
            f"t must be >= 1, got {t}: t counts steps from 1 (at t=0 both bias corrections "
            f"1 - beta**t are 0, and the step divides by zero: NaN)"
        )
    lr, beta1, beta2, epsilon, _ = check_hyperparameters(lr, beta1, beta2, epsilon, 0, "epsilon")
    params = check_float_array("params", params)
    grads = check_like("grads", grads, params, "params")
    m = check_like("m", m, params, "params")
    v = check_like("v", v, params, "params")
    check_finite("grads", grads)

    m = beta1 * m + (1 - beta1) * grads  # (1) update the biased first moment estimate
    v = beta2 * v + (1 - beta2) * grads**2  # (2) update the biased second raw moment estimate
    m_hat = m / (1 - beta1**t)  # (3) bias-corrected first moment estimate
    v_hat = v / (1 - beta2**t)  # (4) bias-corrected second raw moment estimate
    params = params - lr * m_hat / (np.sqrt(v_hat) + epsilon)  # (5) update the parameters
    return params, m, v


# --8<-- [end:adam_step]


# --8<-- [start:Adam]
class Adam:
    """Adam as torch.optim.Adam computes it, updating NumPy float arrays in place.

    Same options and defaults as torch.optim.Adam: weight_decay adds weight_decay * p to
    the gradient (an L2 penalty); with decoupled_weight_decay=True it instead shrinks p by
    lr * weight_decay * p before the step, which is torch.optim.AdamW's update (PyTorch
    multiplies p by 1 - lr * weight_decay, which in float32 rounds that factor at every
    step; this subtracts lr * weight_decay * p and drifts less). AdamW's weight_decay
    defaults to 1e-2, this class's to 0.0: pass it. amsgrad divides by the
    running maximum of v, as PyTorch does. maximize climbs the gradient instead. float32
    stays float32: nothing is upcast. lr, betas, eps and weight_decay may be changed between
    steps (a schedule); they are checked at every step.

    A NaN or inf in a gradient raises ValueError before anything changes: the step is
    skipped, as torch.amp.GradScaler skips it, and it cannot go unnoticed (torch.optim.Adam
    on its own would silently write NaN into the parameters). Catch it to skip and go on.

    step() is fast: it works through the arrays in blocks of `block_bytes`, so that each
    block of p, g, m and v stays in the CPU cache while all of Adam's arithmetic is done on
    it; its only temporaries are two block-sized scratch arrays; and it folds both bias
    corrections into two numbers per step, as PyTorch does.
    """

    # Per array: 6 blocks (p, g, m, v, 2 scratch) take 1.5 MB, at home in L2 or L3; larger
    # blocks pay fewer NumPy calls per element (measured fastest from 192 KB to 512 KB).
    block_bytes = 256 * 1024

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        amsgrad: bool = False,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        self.params = check_params(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self._hyperparameters()  # raises now rather than at the first step
        self.amsgrad = check_flag("amsgrad", amsgrad)
        self.maximize = check_flag("maximize", maximize)
        self.decoupled_weight_decay = check_flag("decoupled_weight_decay", decoupled_weight_decay)
        self.t = 0  # steps taken
        self.m = [np.zeros_like(p) for p in self.params]  # first moment estimates
        self.v = [np.zeros_like(p) for p in self.params]  # second raw moment estimates
        self.v_max = [np.zeros_like(p) for p in self.params] if self.amsgrad else None
        self._scratch = {}  # dtype -> two block-sized arrays, reused by every step

    def _hyperparameters(self) -> tuple:
        """Return (lr, beta1, beta2, eps, weight_decay), checked."""
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise TypeError(
                f"betas must be a pair (beta1, beta2), e.g. (0.9, 0.999), got {self.betas!r}"
            )
        return check_hyperparameters(self.lr, *self.betas, self.eps, self.weight_decay)

    def step(self, grads) -> None:
        """Update every parameter in place from its gradient: one step of Adam."""
        lr, beta1, beta2, eps, weight_decay = self._hyperparameters()
        grads = check_grads(grads, self.params)  # raises before anything changes
        self.t += 1
        # Both bias corrections folded into two numbers, alpha and eps_hat, so that
        # alpha * m / (sqrt(v) + eps_hat) == lr * m_hat / (sqrt(v_hat) + eps).
        bias_correction1 = 1 - beta1**self.t
        bias_correction2_sqrt = math.sqrt(1 - beta2**self.t)
        alpha = lr * bias_correction2_sqrt / bias_correction1
        eps_hat = eps * bias_correction2_sqrt
        shrink = lr * weight_decay  # AdamW: p -= shrink * p
        numbers = (beta1, 1 - beta1, beta2, 1 - beta2, alpha, eps_hat, shrink, weight_decay)
        # The numbers as 0-d arrays of each parameter dtype: float32 math stays float32, and
        # NumPy need not convert a Python float in each of the many small calls below.
        scalars = {p.dtype: [np.array(x, p.dtype) for x in numbers] for p in self.params}
        for i, p in enumerate(self.params):
            v_max = self.v_max[i] if self.amsgrad else p  # p: a placeholder, never used
            flat = [a.reshape(-1) for a in (p, grads[i], self.m[i], self.v[i], v_max)]
            size = max(1, self.block_bytes // p.itemsize)
            tmp, g_eff = self._scratch_arrays(p.dtype, min(size, p.size))
            for start in range(0, p.size, size):
                block = [a[start : start + size] for a in flat]
                n = len(block[0])
                self._update(*block, tmp[:n], g_eff[:n], scalars[p.dtype])

    def _update(self, p, g, m, v, v_max, tmp, g_eff, scalars) -> None:
        """Update one block of one parameter in place; tmp and g_eff are scratch space."""
        beta1, c1, beta2, c2, alpha, eps_hat, shrink, weight_decay = scalars  # c = 1 - beta
        if self.maximize:
            g = np.negative(g, out=g_eff)
        if self.weight_decay and not self.decoupled_weight_decay:
            g = np.add(g, np.multiply(p, weight_decay, out=tmp), out=g_eff)  # L2 penalty
        if self.weight_decay and self.decoupled_weight_decay:  # AdamW: p *= 1 - lr * wd,
            p -= np.multiply(p, shrink, out=tmp)  # computed so that float32 rounds less
        m *= beta1  # m = beta1 * m + (1 - beta1) * g
        m += np.multiply(g, c1, out=tmp)
        v *= beta2  # v = beta2 * v + (1 - beta2) * g * g
        np.multiply(g, c2, out=tmp)
        v += np.multiply(tmp, g, out=tmp)
        if self.amsgrad:
            v = np.maximum(v_max, v, out=v_max)  # AMSGrad: the denominator never shrinks
        denominator = np.sqrt(v, out=tmp)  # p -= alpha * m / (sqrt(v) + eps_hat)
        denominator += eps_hat
        step = np.divide(m, denominator, out=tmp)
        step *= alpha
        p -= step

    def _scratch_arrays(self, dtype, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Return two scratch arrays of this dtype with at least `size` elements each."""
        if dtype not in self._scratch or len(self._scratch[dtype][0]) < size:
            self._scratch[dtype] = (np.empty(size, dtype), np.empty(size, dtype))
        return self._scratch[dtype]

    def state_dict(self) -> dict:
        """Return a copy of the hyperparameters and the state: enough to resume training."""
        return {
            "lr": self.lr,
            "betas": tuple(self.betas),
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "amsgrad": self.amsgrad,
            "maximize": self.maximize,
            "decoupled_weight_decay": self.decoupled_weight_decay,
            "t": self.t,
            "m": [a.copy() for a in self.m],
            "v": [a.copy() for a in self.v],
            "v_max": [a.copy() for a in self.v_max] if self.amsgrad else None,
        }

    def load_state_dict(self, state: dict) -> None:
        """Resume from a state_dict(): check all of it against the params, then copy it in."""
        keys = ["amsgrad", "betas", "decoupled_weight_decay", "eps", "lr", "m", "maximize"]
        keys += ["t", "v", "v_max", "weight_decay"]
        if not isinstance(state, dict) or sorted(state) != keys:
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"state must be a dict from state_dict(), with keys {keys}; got {got}")
        betas = state["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"state['betas'] must be a pair (beta1, beta2), got {betas!r}")
        check_hyperparameters(state["lr"], *betas, state["eps"], state["weight_decay"])
        flags = [check_flag(k, state[k]) for k in ("amsgrad", "maximize", "decoupled_weight_decay")]
        t = state["t"]
        if isinstance(t, bool) or not isinstance(t, Integral) or t < 0:
            raise ValueError(
                f"state['t'] must be the number of steps taken, an int >= 0, got {t!r}"
            )
        if (state["v_max"] is not None) != flags[0]:
            raise ValueError("state['v_max'] must be a list of arrays if amsgrad, else None")
        moments = {k: state[k] for k in ("m", "v", "v_max") if state[k] is not None}
        for name, arrays in moments.items():
            if not isinstance(arrays, (list, tuple)) or len(arrays) != len(self.params):
                raise ValueError(f"state['{name}'] must be a list of {len(self.params)} arrays")
            for i, (a, p) in enumerate(zip(arrays, self.params, strict=True)):
                a = check_like(f"state['{name}'][{i}]", a, p, f"params[{i}]")
                if not np.isfinite(a).all() or (name != "m" and (a < 0).any()):
                    rule = "finite" if name == "m" else "finite and >= 0"
                    raise ValueError(f"state['{name}'][{i}] must be {rule}, as Adam leaves it")
        self.lr, self.betas, self.eps = state["lr"], tuple(betas), state["eps"]
        self.weight_decay, self.t = state["weight_decay"], int(t)
        self.amsgrad, self.maximize, self.decoupled_weight_decay = flags
        self.m, self.v = ([np.array(a, order="C") for a in moments[k]] for k in ("m", "v"))
        self.v_max = [np.array(a, order="C") for a in moments["v_max"]] if self.amsgrad else None


# --8<-- [end:Adam]
