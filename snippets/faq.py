"""The FAQ (docs/faq.md): the few numbers that only the FAQ states.

The FAQ shows no code: its answers are short and link to the page where each
experiment is shown. A number an answer shares with that page is that page's value
(``[[value: pitfalls-...]]``, ``[[value: step-bound-...]]``, ...), so the site
states one number for one experiment. Registered here are only the numbers no
other page computes, each from the experiments and functions of the page the
answer links to:

- the steps Adam takes on the exact and the noisy least squares of the pitfalls
  page (the "constant learning rate" answer), measured on the runs of
  ``pitfalls.clipped_run``;
- the noise of v at the default beta2, from the momentum page's ``noise_ratio``;
- the memory of a 7-billion-parameter model, from the pitfalls page's
  ``training_memory``.

tests/test_faq.py checks the claims the answers make, with these functions and
with those of the other pages.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from snippets.momentum import noise_ratio
from snippets.pitfalls import (
    clipped_run,
    excess,
    least_squares,
    minibatch_gradients,
    noisy_least_squares,
    training_memory,
)
from snippets.values import value

LR = 0.01  # the learning rate of the pitfalls page's least-squares runs


# Adam's steps near a minimum, at a constant learning rate -------------------------


def rms_steps(gradient, loss, w: np.ndarray, max_norm: float | None = None,
              steps: int = 3000) -> tuple[np.ndarray, np.ndarray, int]:
    """``pitfalls.clipped_run`` with Adam(lr=LR), also measuring every step.

    Returns the loss after each step, the root mean square over the weights of each
    step divided by the learning rate, and at how many steps the clipping was active.
    """
    sizes, last = [], w.copy()

    def measure(w_now: np.ndarray) -> float:
        sizes.append(float(np.sqrt(np.mean((w_now - last) ** 2))) / LR)
        last[:] = w_now
        return loss(w_now)

    losses, active = clipped_run(gradient, measure, w, steps=steps, lr=LR,
                                 max_norm=max_norm)
    return losses, np.array(sizes), active


@functools.cache
def exact_run(max_norm: float | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Full-batch Adam from w = 0 on the exact least squares of the late spikes."""
    X, y, _ = least_squares()
    return rms_steps(lambda w: X.T @ (X @ w - y) / len(y),
                     lambda w: 0.5 * np.mean((X @ w - y) ** 2),
                     np.zeros(X.shape[1]), max_norm=max_norm)


@functools.cache
def noisy_run(max_norm: float | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Minibatch Adam from w = 0 on the noisy least squares (excess losses)."""
    X, y, w_best, H = noisy_least_squares()
    return rms_steps(minibatch_gradients(X, y), lambda w: excess(w, w_best, H),
                     np.zeros(X.shape[1]), max_norm=max_norm)


@value("faq-exact-step-early", digits=2)
def exact_step_early() -> float:
    """RMS step / lr at step 10 on the exact least squares."""
    return float(exact_run()[1][9])


@value("faq-exact-step-late", digits=2, sci=True)
def exact_step_late() -> float:
    """Mean RMS step / lr over steps 1901-2000 (before any spike)."""
    return float(exact_run()[1][1900:2000].mean())


@value("faq-exact-loss", digits=1, sci=True)
def exact_loss() -> float:
    """The loss after 2000 steps at the constant lr."""
    return float(exact_run()[0][1999])


@value("faq-noisy-step-late", digits=2)
def noisy_step_late() -> float:
    """Mean RMS step / lr over steps 2001-3000 with minibatch gradients."""
    return float(noisy_run()[1][2000:].mean())


# v's noise at the default beta2 ------------------------------------------------------


def v_noise(beta2: float) -> float:
    """Relative spread of v for Gaussian gradients with mean 0.

    v averages g^2, whose spread is sqrt(2) times its mean for Gaussian g; the
    average shrinks that by the momentum page's noise_ratio: sqrt(2(1-b2)/(1+b2)).
    """
    return math.sqrt(2) * noise_ratio(beta2)


@value("faq-v-noise-default", decimals=1, percent=True)
def v_noise_default() -> float:
    return v_noise(0.999)


# Memory -------------------------------------------------------------------------------


@value("faq-memory-seven-billion", integer=True, unit=" GB")
def memory_seven_billion() -> float:
    """Adam in mixed precision, 7 billion parameters: the pitfalls page's calculator."""
    return training_memory(7e9, weights=2, grads=2, master=4)["total"] / 1e9


@value("faq-memory-state-over-weights-mixed", integer=True)
def memory_state_over_weights_mixed() -> float:
    """Adam's float32 state over 16-bit weights, in mixed precision (the calculator's)."""
    parts = training_memory(1, weights=2, grads=2, master=4)
    return parts["optimizer state"] / parts["weights"]
