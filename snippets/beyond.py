"""The /beyond/ page: the optimizers the frameworks ship after Adam, each from scratch.

Every optimizer has the conventions of snippets/optimizers.py: checked arguments, a list of
float arrays updated in place by ``step(grads)``, state per parameter. Each one computes what
the framework named in its docstring computes, and tests/test_beyond.py checks it against that
framework on random gradients; where the framework differs from the paper, or from another
framework, the docstring says so in one sentence and a test pins it.

Each class has ``state_numbers(shape)``: how many numbers of state it keeps for a parameter
of that shape (Adam keeps 2 per weight).

Public names:
    Lion(params, lr=1e-4, betas=(0.9, 0.99), weight_decay=1e-3)       optax.lion, keras Lion
    Muon(params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
         ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5,
         adjust_lr_fn=None)                                              torch.optim.Muon
    newton_schulz(G, ns_coefficients, ns_steps, eps): Muon's orthogonalisation
"""

from __future__ import annotations

# --8<-- [start:setup]
import math

import numpy as np

# --8<-- [end:setup]
from snippets.adam import check_hyperparameters
from snippets.optimizers import Optimizer

__all__ = ["OPTIMIZERS", "SECTIONS", "Lion"]
OPTIMIZERS = ("Lion",)  # the classes, in the page's order
SECTIONS = ("lion",)  # the page's code blocks


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
