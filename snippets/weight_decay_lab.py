"""The weight-decay lab: three ways to decay Adam's weights under three learning-rate schedules.

The page /playground/weight-decay/ runs docs/assets/playground/weight-decay.js in the
reader's browser; that file ports ``run`` below operation for operation, and
tests/test_weight_decay_lab.py checks the two against each other to 1e-9 (and the AdamW
form against torch.optim.AdamW, the L2 form against torch.optim.Adam, where PyTorch is
installed).

The problem: three weights, each on its own quadratic pull toward 1 with a gradient that
flips sign every step, at three scales s = 1e-3, 1, 1e3:

    g_t = s * ((theta_{t-1} - 1) + (-1)^(t+1))

(no randomness: the same run in Python and in the browser). Without decay each weight stays
near 1; decay pulls it toward 0. With lr_t = lr * eta_t (eta_t the schedule's multiplier,
1 at its peak) the three methods are:

    "l2"     L2 inside Adam, torch.optim.Adam(weight_decay=lam): g_t + lam * theta_{t-1}
             goes into m and v, and theta_t = theta_{t-1} - lr_t * m_hat / (sqrt(v_hat) + eps)
    "adamw"  AdamW as the frameworks do it, torch.optim.AdamW and optax.adamw:
             theta_t = theta_{t-1} - lr_t * lam * theta_{t-1} - lr_t * m_hat / (...)
    "paper"  Loshchilov & Hutter's Algorithm 2, line 12:
             theta_t = theta_{t-1} - eta_t * (lr * m_hat / (...) + lam * theta_{t-1}),
             a decay that the schedule's multiplier scales but the learning rate does not.

The effective decay per step d_t is the fraction of theta_{t-1} that the decay alone takes
off at step t: lr_t * lam for "adamw", eta_t * lam for "paper", and for "l2" the part of
Adam's step that comes from the lam * theta terms in m (m is linear in what goes in, so the
step splits exactly into the loss's part and the decay's part, with the same sqrt(v_hat),
which holds both):

    d_t = lr_t * (m_decay_t / (1 - beta1^t)) / (sqrt(v_hat_t) + eps) / theta_{t-1},
    m_decay_t = beta1 * m_decay_{t-1} + (1 - beta1) * lam * theta_{t-1}.

Public names: SCALES, METHODS, SCHEDULES, DEFAULTS, LIMITS, multiplier, gradient, run,
kept_by_decay.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from snippets.values import value

SCALES = (1e-3, 1.0, 1e3)  # the size of each weight's gradient
METHODS = {"l2": "L2 in Adam", "adamw": "AdamW (frameworks)", "paper": "AdamW (paper)"}
SCHEDULES = {"constant": "constant", "cosine": "cosine",
             "warmup-cosine": "warmup, then cosine"}
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
DEFAULTS = {"lam": 0.01, "lr": 0.01, "steps": 1000, "warmup": 100, "schedule": "warmup-cosine"}
LIMITS = {"lam": (1e-5, 0.1), "lr": (1e-4, 0.1), "steps": (100, 2000), "warmup": (0, 1000)}


def multiplier(t: int, steps: int, schedule: str, warmup: int) -> float:
    """eta_t, the schedule's multiplier of the learning rate at step t (1 to steps).

    constant: 1. cosine: (1 + cos(pi t / steps)) / 2, from just below 1 to 0 at the last
    step. warmup, then cosine: t / w for the first w steps (w = warmup, at most steps - 1),
    then the cosine over the remaining steps - w."""
    if schedule == "constant":
        return 1.0
    w = min(warmup, steps - 1) if schedule == "warmup-cosine" else 0
    if t <= w:
        return t / w
    return 0.5 * (1.0 + math.cos(math.pi * (t - w) / (steps - w)))


def gradient(theta: np.ndarray, t: int) -> np.ndarray:
    """The loss's gradient at step t: a pull toward 1, and a push that flips sign each step."""
    flip = 1.0 if t % 2 else -1.0
    return np.asarray(SCALES) * ((theta - 1.0) + flip)


def run(lam: float = DEFAULTS["lam"], lr: float = DEFAULTS["lr"],
        steps: int = DEFAULTS["steps"], schedule: str = DEFAULTS["schedule"],
        warmup: int = DEFAULTS["warmup"]) -> dict:
    """Run the three methods from theta = 1 for each weight.

    Returns {"eta": (steps,), method: {"theta": (steps + 1, 3), "decay": (steps, 3)}}: the
    weights after each step (row 0 the start) and the effective decay of each step."""
    n = len(SCALES)
    out = {"eta": np.empty(steps)}
    state = {}
    for method in METHODS:
        state[method] = {"theta": np.ones(n), "m": np.zeros(n), "v": np.zeros(n),
                         "md": np.zeros(n)}
        out[method] = {"theta": np.empty((steps + 1, n)), "decay": np.empty((steps, n))}
        out[method]["theta"][0] = 1.0
    b1t, b2t = 1.0, 1.0  # beta1^t and beta2^t, as running products
    for t in range(1, steps + 1):
        eta = multiplier(t, steps, schedule, warmup)
        lr_t = lr * eta
        b1t *= BETA1
        b2t *= BETA2
        out["eta"][t - 1] = eta
        for method, s in state.items():
            theta = s["theta"]
            g = gradient(theta, t)
            if method == "l2":
                g = g + lam * theta
                s["md"] = BETA1 * s["md"] + (1 - BETA1) * (lam * theta)
            s["m"] = BETA1 * s["m"] + (1 - BETA1) * g
            s["v"] = BETA2 * s["v"] + (1 - BETA2) * (g * g)
            m_hat = s["m"] / (1 - b1t)
            den = np.sqrt(s["v"] / (1 - b2t)) + EPS
            if method == "l2":
                decay = lr_t * (s["md"] / (1 - b1t)) / den / theta
                new = theta - lr_t * m_hat / den
            elif method == "adamw":
                decay = np.full(n, lr_t * lam)
                new = theta - lr_t * lam * theta - lr_t * m_hat / den
            else:
                decay = np.full(n, eta * lam)
                new = theta - eta * (lr * m_hat / den + lam * theta)
            s["theta"] = new
            out[method]["theta"][t] = new
            out[method]["decay"][t - 1] = decay
    return out


def kept_by_decay(decay: np.ndarray) -> np.ndarray:
    """What decay alone would leave of each weight over the run: the product of (1 - d_t)."""
    return np.prod(1.0 - decay, axis=0)


# ---- the numbers the page states (its default run) -------------------------------------


@functools.cache
def default_run() -> dict:
    return run()


def _final(method: str, i: int) -> float:
    return float(default_run()[method]["theta"][-1, i])


@value("wd-lab-l2-small-final", digits=2)
def wd_lab_l2_small_final() -> float:
    """Where L2-in-Adam leaves the weight with gradients of size 1e-3."""
    return _final("l2", 0)


@value("wd-lab-l2-large-loss", sci=True, digits=2)
def wd_lab_l2_large_loss() -> float:
    """How far below 1 L2-in-Adam leaves the weight with gradients of size 1e3."""
    return 1.0 - _final("l2", 2)


@value("wd-lab-adamw-final", digits=3)
def wd_lab_adamw_final() -> float:
    """Where the frameworks' AdamW leaves the weight with gradients of size 1 (the others
    end within 0.1 % of it)."""
    return _final("adamw", 1)


@value("wd-lab-paper-final", digits=2)
def wd_lab_paper_final() -> float:
    """Where the paper's AdamW leaves the weight with gradients of size 1."""
    return _final("paper", 1)


@value("wd-lab-l2-decay-ratio", sci=True, digits=2)
def wd_lab_l2_decay_ratio() -> float:
    """At the schedule's peak, L2's effective decay of the 1e-3 weight over the 1e3 one's."""
    run_ = default_run()
    peak = int(np.argmax(run_["eta"]))
    d = run_["l2"]["decay"][peak]
    return float(d[0] / d[2])


@value("wd-lab-adamw-peak-decay", sci=True, digits=1)
def wd_lab_adamw_peak_decay() -> float:
    """The frameworks' AdamW's largest effective decay per step: lr * lam."""
    return float(default_run()["adamw"]["decay"].max())


@value("wd-lab-paper-peak-decay", sci=True, digits=1)
def wd_lab_paper_peak_decay() -> float:
    """The paper's AdamW's largest effective decay per step: lam."""
    return float(default_run()["paper"]["decay"].max())
