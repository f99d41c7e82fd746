"""The lab notebook: a small neural network trained with SGD, momentum, RMSProp, Adam and AdamW.

Everything in NumPy: a data set of two interleaved spirals, drawn in the notebook; a
multilayer perceptron (MLP) with its backward pass written out; a minibatch training
loop that takes any optimizer of ``optimizers.py`` or ``adam.py``. Functions at the top
level are what the notebook and tests/test_lab.py use; the blocks under
``if __name__ == "__main__":`` are the notebook's cells (``python -m snippets.lab``
runs them in order, with ``MPLBACKEND=Agg`` to draw nowhere).
"""

from __future__ import annotations

import functools
import math

# --8<-- [start:setup]
import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam
from snippets.notebooks import COLORS
from snippets.optimizers import SGD, AdamNoBiasCorrection, HeavyBall, RMSProp
from snippets.values import value


# --8<-- [start:data]
def make_spirals(n: int = 400, noise: float = 0.15, seed: int = 0):
    """n points on two interleaved spirals in the plane, and their labels 0 and 1."""
    rng = np.random.default_rng(seed)
    label = np.arange(n) % 2  # alternate the two arms
    turn = np.sqrt(rng.random(n)) * 1.75 * 2 * np.pi  # angle along the arm, denser inside
    radius = turn / (1.75 * 2 * np.pi) * 2.0  # from 0 to 2
    angle = turn + np.pi * label  # the second arm is the first turned by 180 degrees
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += noise * rng.standard_normal(X.shape)
    return X, label.astype(float)


# --8<-- [end:data]


# --8<-- [start:mlp]
def init_mlp(sizes=(2, 32, 32, 1), seed: int = 0) -> list[np.ndarray]:
    """Weights and biases [W1, b1, W2, b2, ...] of an MLP, He-initialised."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        params += [rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in), np.zeros(n_out)]
    return params


def forward(params: list[np.ndarray], X: np.ndarray) -> tuple[np.ndarray, list]:
    """The logits z (one per row of X), and what the backward pass needs."""
    h, saved = X, []
    for i in range(0, len(params), 2):
        W, b = params[i], params[i + 1]
        saved.append(h)
        z = h @ W + b
        h = np.maximum(z, 0.0) if i + 2 < len(params) else z  # ReLU, except at the end
    return h[:, 0], saved


def loss_and_grads(params: list[np.ndarray], X: np.ndarray, y: np.ndarray):
    """Mean logistic loss of sigmoid(z) against labels y, and its gradient for each param."""
    z, saved = forward(params, X)
    loss = np.mean(np.logaddexp(0.0, z) - y * z)  # -log-likelihood, computed stably
    dh = ((1 / (1 + np.exp(-z)) - y) / len(y))[:, None]  # d loss / d z
    grads = [None] * len(params)
    for i in range(len(params) - 2, -1, -2):  # from the last layer back to the first
        h = saved[i // 2]
        grads[i], grads[i + 1] = h.T @ dh, dh.sum(axis=0)
        dh = (dh @ params[i].T) * (h > 0)  # back through W and the ReLU before it
    return loss, grads


def accuracy(params: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    """The fraction of points the MLP puts on the right side (z > 0 means label 1)."""
    z, _ = forward(params, X)
    return float(np.mean((z > 0) == (y == 1)))


# --8<-- [end:mlp]


# --8<-- [start:train]
def train(make_optimizer, data, epochs: int = 100, batch: int = 32, seed: int = 0) -> dict:
    """Train a fresh MLP with minibatches; return its params and per-epoch history."""
    X, y, X_val, y_val = data
    params = init_mlp(seed=seed)  # every optimizer starts from the same weights
    optimizer = make_optimizer(params)  # it updates the arrays in params in place
    rng = np.random.default_rng(seed)  # and sees the same batches
    history = {"loss": [loss_and_grads(params, X, y)[0]], "val_accuracy": []}
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch):
            rows = order[start : start + batch]
            _, grads = loss_and_grads(params, X[rows], y[rows])
            optimizer.step(grads)
        history["loss"].append(loss_and_grads(params, X, y)[0])  # on all training data
        history["val_accuracy"].append(accuracy(params, X_val, y_val))
    return {"params": params, **{k: np.array(v) for k, v in history.items()}}


# --8<-- [end:train]


# --8<-- [start:optimizers]
OPTIMIZERS = {  # name: (colour, line style, a function that builds the optimizer)
    "SGD": (COLORS["sgd"], "-", lambda p: SGD(p, lr=1.0)),
    "momentum": (COLORS["momentum"], "-", lambda p: HeavyBall(p, lr=0.1, momentum=0.9)),
    "RMSProp": (COLORS["rmsprop"], "-", lambda p: RMSProp(p, lr=0.01)),
    "Adam": (COLORS["adam"], "-", lambda p: Adam(p, lr=0.01)),
    "AdamW": (COLORS["adamw"], "--", lambda p: Adam(p, lr=0.01, weight_decay=0.01,
                                                    decoupled_weight_decay=True)),
}
# --8<-- [end:optimizers]


# --8<-- [start:weight_norm]
def weight_norm(params: list[np.ndarray]) -> float:
    """The length of the weight matrices together, the biases left out.

    The lab's weight decay (L2 or AdamW's) shrinks the biases too: Adam and AdamW decay
    every parameter they are given, as PyTorch's do unless the biases are given to them
    in a parameter group of their own with weight_decay=0.
    """
    return float(np.sqrt(sum(np.sum(W**2) for W in params[::2])))


# --8<-- [end:weight_norm]


# The numbers the notebook's Markdown states: the runs of its cells and exercises,
# with the same data, batches and settings ---------------------------------------------

EPOCHS, BATCH = 100, 32  # the race's settings
GRIDS = {  # the learning rates tried for each optimizer, spaced by factors of about 3
    "SGD": (0.03, 0.1, 0.3, 1.0, 3.0),
    **{name: (0.001, 0.003, 0.01, 0.03, 0.1) for name in ("momentum", "RMSProp", "Adam",
                                                          "AdamW")},
}


@functools.cache
def lab_data() -> tuple[np.ndarray, ...]:
    """The training and validation sets of the notebook."""
    return (*make_spirals(400, seed=0), *make_spirals(400, seed=1))


@functools.cache
def held_out() -> tuple[np.ndarray, np.ndarray]:
    """A third draw of the spirals, seen by no run and no choice: a test set."""
    return make_spirals(400, seed=2)


def make_optimizer(name: str, lr: float, weight_decay: float = 0.01):
    """A function that builds the lab's optimizer `name` with this learning rate."""
    builders = {
        "SGD": lambda p: SGD(p, lr=lr),
        "momentum": lambda p: HeavyBall(p, lr=lr, momentum=0.9),
        "RMSProp": lambda p: RMSProp(p, lr=lr),
        "Adam": lambda p: Adam(p, lr=lr),
        "AdamW": lambda p: Adam(p, lr=lr, weight_decay=weight_decay,
                                decoupled_weight_decay=True),
        "L2": lambda p: Adam(p, lr=lr, weight_decay=weight_decay),
        "no bias correction": lambda p: AdamNoBiasCorrection(p, lr=lr),
    }
    return builders[name]


def _first_runs() -> tuple[tuple[str, float, float], ...]:
    """The runs that do not depend on another run's result: the grids of Adam and AdamW,
    every optimizer at its tuned rate, and the variants of the last sections."""
    runs = [(name, lr, 0.01) for name in ("Adam", "AdamW") for lr in GRIDS[name]]
    runs += [(name, tuned_lr(name), 0.01) for name in ("SGD", "momentum", "RMSProp", "Adam")]
    adam = tuned_lr("Adam")
    runs += [("no bias correction", adam, 0.01), ("L2", adam, 0.01), ("AdamW", adam, 0.1)]
    return tuple(dict.fromkeys(runs))  # in order, each once


def _exercise_runs() -> tuple[tuple[str, float, float], ...]:
    """Exercise 1's runs not among _first_runs: three times and a third of each optimizer's
    best rate on the grid (Adam's best is read from its grid's runs, in _first_runs)."""
    first = _first_runs()
    runs = [(name, _rate_times(name, f), 0.01) for name in ("SGD", "momentum", "RMSProp", "Adam")
            for f in (3, 1 / 3)]
    return tuple(run for run in dict.fromkeys(runs) if run not in first)


def lab_runs() -> tuple[tuple[str, float, float], ...]:
    """Every run a value below reads: (optimizer, learning rate, weight decay)."""
    return _first_runs() + _exercise_runs()


@functools.cache
def _runs_together(runs: tuple[tuple[str, float, float], ...], seed: int = 0) -> dict:
    """Train all `runs` in lockstep as `train` trains each: the same data, batches, updates
    (`seed` as train's: the initial weights and the order of the batches).

    The networks' weights are stacked along a first axis, one slice per run, so one
    forward and backward pass (np.matmul on stacks) serves every run; each run is updated
    with its own optimizer's arithmetic, the operations of optimizers.py and adam.py in
    their order, so that every number is the one `train` gives (tests/test_lab.py checks
    them bit for bit). Only what the values read is kept: the final params, the final
    training loss and validation accuracy.
    """
    X, y, X_val, y_val = lab_data()
    order = sorted(range(len(runs)), key=lambda r: _KINDS.index(runs[r][0]))  # kinds together
    runs_sorted = [runs[r] for r in order]
    params = [np.stack([p] * len(runs)) for p in init_mlp(seed=seed)]
    state = _LockstepOptimizers(runs_sorted, params)
    rng = np.random.default_rng(seed)
    for _ in range(EPOCHS):
        permutation = rng.permutation(len(y))
        for start in range(0, len(y), BATCH):
            rows = permutation[start : start + BATCH]
            state.step(_stacked_grads(params, X[rows], y[rows]))
    results = {}
    for r, run in enumerate(runs_sorted):
        own = [p[r] for p in params]
        results[run] = {"params": own, "loss": float(loss_and_grads(own, X, y)[0]),
                        "val_accuracy": accuracy(own, X_val, y_val)}
    return results


def _stacked_grads(params: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> list:
    """loss_and_grads's gradients for a stack of networks (first axis: the network)."""
    h, saved = X, []
    for i in range(0, len(params), 2):
        saved.append(h)
        z = h @ params[i] + params[i + 1][:, None, :]
        h = np.maximum(z, 0.0) if i + 2 < len(params) else z
    z = h[..., 0]
    dh = ((1 / (1 + np.exp(-z)) - y) / y.shape[-1])[..., None]  # the mean over each batch
    grads = [None] * len(params)
    for i in range(len(params) - 2, -1, -2):
        h = saved[i // 2]
        grads[i], grads[i + 1] = np.swapaxes(h, -1, -2) @ dh, dh.sum(axis=-2)
        if i:
            dh = (dh @ np.swapaxes(params[i], -1, -2)) * (h > 0)
    return grads


_KINDS = ("SGD", "momentum", "RMSProp", "Adam", "L2", "AdamW", "no bias correction")


class _LockstepOptimizers:
    """The lab's optimizers for a stack of runs, grouped by kind: each group's runs are a
    slice of the stack, updated with that kind's arithmetic and a learning rate per run."""

    def __init__(self, runs, params) -> None:
        self.t, self.groups = 0, []
        for kind in _KINDS:
            index = [r for r, run in enumerate(runs) if run[0] == kind]
            if not index:
                continue
            part = slice(index[0], index[-1] + 1)
            lrs = [runs[r][1] for r in index]
            decays = [runs[r][2] for r in index]
            shape = [(len(index),) + (1,) * (p.ndim - 1) for p in params]
            lr = [np.array(lrs).reshape(s) for s in shape]
            zeros = [np.zeros_like(p[part]) for p in params]
            group = {"kind": kind, "part": part, "lr": lr, "lrs": lrs, "decays": decays,
                     "shape": shape, "a": zeros, "b": [np.zeros_like(z) for z in zeros]}
            self.groups.append(group)
        self.params = params

    def step(self, grads) -> None:
        self.t += 1
        for group in self.groups:
            part, kind = group["part"], group["kind"]
            for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
                self._update(kind, group, i, p[part], g[part], group["a"][i], group["b"][i])

    def _update(self, kind, group, i, p, g, a, b) -> None:
        lr = group["lr"][i]
        if kind == "SGD":  # SGD.update
            p -= lr * g
        elif kind == "momentum":  # HeavyBall.update, a: the velocity
            a *= 0.9
            a += g
            p -= lr * a
        elif kind == "RMSProp":  # RMSProp.update, a: v
            a *= 0.99
            a += (1 - 0.99) * g * g
            p -= lr * g / (np.sqrt(a) + 1e-8)
        elif kind == "no bias correction":  # adam_step_no_bias_correction, a: m, b: v
            a[...] = 0.9 * a + (1 - 0.9) * g
            b[...] = 0.999 * b + (1 - 0.999) * g**2
            p[...] = p - lr * a / (np.sqrt(b) + 1e-8)
        else:  # Adam.step and Adam._update, a: m, b: v
            beta1, beta2, eps = 0.9, 0.999, 1e-8
            bias_correction1 = 1 - beta1**self.t
            bias_correction2_sqrt = math.sqrt(1 - beta2**self.t)
            shape = group["shape"][i]
            alpha = np.array([lr * bias_correction2_sqrt / bias_correction1
                              for lr in group["lrs"]]).reshape(shape)
            eps_hat = np.array(eps * bias_correction2_sqrt)
            if kind == "L2":
                decay = np.array(group["decays"]).reshape(shape)
                g = np.add(g, np.multiply(p, decay))
            if kind == "AdamW":
                shrink = np.array([lr * wd for lr, wd in zip(group["lrs"], group["decays"],
                                                             strict=True)]).reshape(shape)
                p -= np.multiply(p, shrink)
            a *= np.array(beta1)
            a += np.multiply(g, np.array(1 - beta1))
            b *= np.array(beta2)
            tmp = np.multiply(g, np.array(1 - beta2))
            b += np.multiply(tmp, g)
            denominator = np.sqrt(b)
            denominator += eps_hat
            step = np.divide(a, denominator)
            step *= alpha
            p -= step


def lab_run(name: str, lr: float, weight_decay: float = 0.01) -> dict:
    """One run of `train` as the notebook's cells run it (the results are not copied):
    its final params, training loss and validation accuracy."""
    run = (name, lr, weight_decay)
    if run in _first_runs():
        return _runs_together(_first_runs())[run]
    if run in _exercise_runs():
        return _runs_together(_exercise_runs())[run]
    return _runs_together((run,))[run]


def tuned_lr(name: str) -> float:
    """The learning rate OPTIMIZERS gives `name`."""
    optimizer = OPTIMIZERS[name][2]([np.zeros(1)])
    return float(optimizer.lr)


def final_loss(name: str, lr: float | None = None, weight_decay: float = 0.01) -> float:
    return lab_run(name, tuned_lr(name) if lr is None else lr, weight_decay)["loss"]


def final_accuracy(name: str, lr: float | None = None, weight_decay: float = 0.01) -> float:
    return lab_run(name, tuned_lr(name) if lr is None else lr, weight_decay)["val_accuracy"]


def best_on_grid(name: str) -> float:
    """The learning rate of GRIDS[name] with the lowest training loss after the race."""
    return min(GRIDS[name], key=lambda lr: final_loss(name, lr))


def bayes_accuracy(X: np.ndarray, y: np.ndarray, noise: float = 0.15, turns: float = 1.75,
                   radius: float = 2.0) -> float:
    """The accuracy of the best possible classifier, which knows how make_spirals draws.

    A point of class c is a point of arm c (turned by pi c), at an angle s drawn as
    make_spirals draws it, plus Gaussian noise: its likelihood is the average of the
    Gaussian density over s. The classifier picks the class with the larger likelihood
    (the classes are equally likely).
    """
    total = turns * 2 * np.pi
    s = np.sqrt((np.arange(20_000) + 0.5) / 20_000) * total  # equally likely angles
    r = s / total * radius
    likelihood = []
    for c in (0, 1):
        cx, cy = r * np.cos(s + np.pi * c), r * np.sin(s + np.pi * c)
        rows = []
        for start in range(0, len(X), 25):  # 25 points at a time: the arrays stay in cache
            part = X[start : start + 25]
            d2 = (part[:, :1] - cx) ** 2 + (part[:, 1:] - cy) ** 2
            rows.append(np.exp(-d2 / (2 * noise**2)).mean(axis=1))
        likelihood.append(np.concatenate(rows))
    return float(np.mean((likelihood[1] > likelihood[0]) == (y == 1)))


@value("lab-bayes-accuracy", decimals=1, percent=True)
def lab_bayes_accuracy() -> float:
    """The best possible accuracy on the validation set: its overlapping points cap it."""
    X_val, y_val = lab_data()[2:]
    return bayes_accuracy(X_val, y_val)


@value("lab-steps-per-epoch", integer=True)
def lab_steps_per_epoch() -> float:
    return int(np.ceil(len(lab_data()[1]) / BATCH))


@value("lab-adam-best-grid-lr", digits=1)
def lab_adam_best_grid_lr() -> float:
    return best_on_grid("Adam")


@value("lab-adamw-best-grid-lr", digits=1)
def lab_adamw_best_grid_lr() -> float:
    return best_on_grid("AdamW")


@value("lab-adam-best-grid-loss", decimals=3)
def lab_adam_best_grid_loss() -> float:
    return final_loss("Adam", best_on_grid("Adam"))


@value("lab-loss-sgd", decimals=3)
def lab_loss_sgd() -> float:
    return final_loss("SGD")


@value("lab-loss-momentum", decimals=3)
def lab_loss_momentum() -> float:
    return final_loss("momentum")


@value("lab-loss-rmsprop", decimals=3)
def lab_loss_rmsprop() -> float:
    return final_loss("RMSProp")


@value("lab-loss-adam", decimals=3)
def lab_loss_adam() -> float:
    return final_loss("Adam")


@value("lab-accuracy-adam", decimals=1, percent=True)
def lab_accuracy_adam() -> float:
    return final_accuracy("Adam")


def _ratios() -> list[float]:
    """How many times lower Adam's and RMSProp's training losses are than SGD's and momentum's."""
    return [final_loss(slow) / final_loss(fast) for slow in ("SGD", "momentum")
            for fast in ("RMSProp", "Adam")]


@value("lab-loss-ratio-min", digits=2)
def lab_loss_ratio_min() -> float:
    return min(_ratios())


@value("lab-loss-ratio-max", digits=2)
def lab_loss_ratio_max() -> float:
    return max(_ratios())


@value("lab-accuracy-min", decimals=1, percent=True)
def lab_accuracy_min() -> float:
    return min(final_accuracy(name) for name in OPTIMIZERS)


@value("lab-accuracy-max", decimals=1, percent=True)
def lab_accuracy_max() -> float:
    return max(final_accuracy(name) for name in OPTIMIZERS)


def best_lr(name: str) -> float:
    """The rate of GRIDS[name] with the lowest training loss: the tuned rate for all but Adam
    (tests/test_lab.py checks it on their grids), Adam's from its grid's runs."""
    return best_on_grid("Adam") if name == "Adam" else tuned_lr(name)


def _rate_times(name: str, factor: float) -> float:
    """Exercise 1's learning rates: the best on the grid times 3 or 1/3, to one digit."""
    return float(f"{best_lr(name) * factor:.0e}")


def _rate_ratio(name: str, factor: float) -> float:
    """Exercise 1: the training loss at factor times the best rate over the loss at it."""
    return final_loss(name, _rate_times(name, factor)) / final_loss(name, best_lr(name))


def _register_rate_ratios() -> None:
    """lab-triple-ratio-{sgd,momentum,rmsprop,adam}: Exercise 1's losses at three times the
    best rate, over the loss at it."""
    for name in ("SGD", "momentum", "RMSProp", "Adam"):
        def ratio(name=name) -> float:
            return _rate_ratio(name, 3)

        value(f"lab-triple-ratio-{name.lower()}", digits=2)(ratio)


_register_rate_ratios()


@value("lab-third-ratio-min", digits=3)
def lab_third_ratio_min() -> float:
    """Exercise 1: the least loss ratio, over the four, at a third of the best rate."""
    return min(_rate_ratio(name, 1 / 3) for name in ("SGD", "momentum", "RMSProp", "Adam"))


@value("lab-third-ratio-max", digits=3)
def lab_third_ratio_max() -> float:
    """Exercise 1: the largest loss ratio, over the four, at a third of the best rate."""
    return max(_rate_ratio(name, 1 / 3) for name in ("SGD", "momentum", "RMSProp", "Adam"))


@value("lab-accuracy-sgd", decimals=0, percent=True)
def lab_accuracy_sgd() -> float:
    """SGD's validation accuracy at its tuned (and best) rate."""
    return final_accuracy("SGD")


@value("lab-loss-sgd-triple", decimals=3)
def lab_loss_sgd_triple() -> float:
    """Exercise 1: SGD at three times its best learning rate on the grid."""
    return final_loss("SGD", _rate_times("SGD", 3))


@value("lab-loss-sgd-third", decimals=3)
def lab_loss_sgd_third() -> float:
    """Exercise 1: SGD at a third of its best learning rate on the grid."""
    return final_loss("SGD", _rate_times("SGD", 1 / 3))


@value("lab-loss-momentum-triple", decimals=3)
def lab_loss_momentum_triple() -> float:
    """Exercise 1: momentum at three times its best learning rate on the grid."""
    return final_loss("momentum", _rate_times("momentum", 3))


@value("lab-loss-momentum-third", decimals=3)
def lab_loss_momentum_third() -> float:
    """Exercise 1: momentum at a third of its best learning rate on the grid."""
    return final_loss("momentum", _rate_times("momentum", 1 / 3))


@value("lab-loss-rmsprop-triple", decimals=3)
def lab_loss_rmsprop_triple() -> float:
    """Exercise 1: RMSProp at three times its best learning rate on the grid."""
    return final_loss("RMSProp", _rate_times("RMSProp", 3))


@value("lab-loss-rmsprop-third", decimals=3)
def lab_loss_rmsprop_third() -> float:
    """Exercise 1: RMSProp at a third of its best learning rate on the grid."""
    return final_loss("RMSProp", _rate_times("RMSProp", 1 / 3))


@value("lab-loss-adam-triple", decimals=3)
def lab_loss_adam_triple() -> float:
    """Exercise 1: Adam at three times its best learning rate on the grid."""
    return final_loss("Adam", _rate_times("Adam", 3))


@value("lab-loss-adam-third", decimals=3)
def lab_loss_adam_third() -> float:
    """Exercise 1: Adam at a third of its best learning rate on the grid."""
    return final_loss("Adam", _rate_times("Adam", 1 / 3))


@value("lab-accuracy-sgd-triple", decimals=0, percent=True)
def lab_accuracy_sgd_triple() -> float:
    return final_accuracy("SGD", _rate_times("SGD", 3))


@value("lab-loss-no-bias-correction", digits=2)
def lab_loss_no_bias_correction() -> float:
    return final_loss("no bias correction", tuned_lr("Adam"))


@value("lab-accuracy-no-bias-correction", decimals=1, percent=True)
def lab_accuracy_no_bias_correction() -> float:
    return final_accuracy("no bias correction", tuned_lr("Adam"))


def final_norm(name: str, weight_decay: float = 0.01) -> float:
    return weight_norm(lab_run(name, tuned_lr("Adam"), weight_decay)["params"])


@value("lab-l2-shrink", digits=2)
def lab_l2_shrink() -> float:
    """How many times smaller the weights end with L2 (weight_decay=0.01) than without."""
    return final_norm("Adam") / final_norm("L2")


@value("lab-l2-accuracy", decimals=0, percent=True)
def lab_l2_accuracy() -> float:
    return final_accuracy("L2", tuned_lr("Adam"))


@value("lab-adamw-decay-per-step", sci=True, digits=1)
def lab_adamw_decay_per_step() -> float:
    """The fraction of each weight AdamW's decay removes per step, lr * weight_decay."""
    adamw = OPTIMIZERS["AdamW"][2]([np.zeros(1)])
    return adamw.lr * adamw.weight_decay


@value("lab-adamw-shrink", decimals=0, percent=True)
def lab_adamw_shrink() -> float:
    """How much smaller AdamW (weight_decay=0.01) leaves the weights than Adam."""
    return 1 - final_norm("AdamW") / final_norm("Adam")


@value("lab-norm-adamw", digits=2)
def lab_norm_adamw() -> float:
    return final_norm("AdamW")


@value("lab-norm-adamw-strong", digits=2)
def lab_norm_adamw_strong() -> float:
    """Exercise 3: the weights' norm with AdamW's weight_decay = 0.1."""
    return final_norm("AdamW", 0.1)


@value("lab-loss-adamw-strong", digits=2)
def lab_loss_adamw_strong() -> float:
    return final_loss("AdamW", tuned_lr("AdamW"), 0.1)


@value("lab-accuracy-adamw-strong", decimals=0, percent=True)
def lab_accuracy_adamw_strong() -> float:
    return final_accuracy("AdamW", tuned_lr("AdamW"), 0.1)


# --8<-- [start:plotting]
def plot_points(ax, X: np.ndarray, y: np.ndarray) -> None:
    """The points of class 0 (circles) and of class 1 (triangles)."""
    from matplotlib import rcParams  # the colours of your matplotlib style

    ax.plot(*X[y == 0].T, "o", ms=3, mfc="none", mec=rcParams["text.color"], mew=0.8,
            label="class 0")
    ax.plot(*X[y == 1].T, "^", ms=3, color=rcParams["text.color"], label="class 1")
    ax.set(aspect="equal", xlim=(-2.6, 2.6), ylim=(-2.6, 2.6))


def plot_boundary(ax, params: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> None:
    """The points, on the region where the MLP says class 1 (shaded)."""
    from matplotlib import rcParams

    grid = np.linspace(-2.6, 2.6, 100)
    xx, yy = np.meshgrid(grid, grid)
    z, _ = forward(params, np.column_stack([xx.ravel(), yy.ravel()]))
    ax.contourf(xx, yy, z.reshape(xx.shape), levels=[0, np.inf], colors=[rcParams["grid.color"]])
    plot_points(ax, X, y)
    ax.set(xticks=[], yticks=[])


# --8<-- [end:plotting]

if __name__ == "__main__":
    # --8<-- [start:pyplot]
    import matplotlib.pyplot as plt

    # --8<-- [end:pyplot]

    # --8<-- [start:make_data]
    X, y = make_spirals(400, seed=0)  # the training set
    X_val, y_val = make_spirals(400, seed=1)  # 400 new points of the same spirals
    data = (X, y, X_val, y_val)

    fig, ax = plt.subplots(figsize=(4.5, 4.5), layout="constrained")
    plot_points(ax, X, y)
    ax.set_title("the training set")
    ax.legend(loc="lower right")
    plt.show()
    # --8<-- [end:make_data]

    # --8<-- [start:gradient_check]
    params = init_mlp(seed=1)
    rows = slice(0, 20)  # 20 training points are enough for a check
    loss, grads = loss_and_grads(params, X[rows], y[rows])
    h, worst = 1e-6, 0.0
    rng = np.random.default_rng(0)
    for p, g in zip(params, grads, strict=True):
        flat, g_flat = p.reshape(-1), g.reshape(-1)  # views: changing flat changes p
        for i in rng.choice(p.size, min(3, p.size), replace=False):  # 3 entries of each
            old = flat[i]
            flat[i] = old + h
            up, _ = loss_and_grads(params, X[rows], y[rows])
            flat[i] = old - h
            down, _ = loss_and_grads(params, X[rows], y[rows])
            flat[i] = old
            numeric = (up - down) / (2 * h)  # the slope measured by finite differences
            worst = max(worst, abs(numeric - g_flat[i]) / (abs(numeric) + abs(g_flat[i])))
    print(f"loss {loss:.4f}; largest relative gap between backward pass and finite "
          f"differences: {worst:.0e}")
    # --8<-- [end:gradient_check]

    # --8<-- [start:race]
    epochs = 100
    histories = {}
    print("           training loss   validation accuracy   (after 100 epochs)")
    for name, (_, _, make) in OPTIMIZERS.items():
        histories[name] = train(make, data, epochs=epochs)
        print(f"{name:10s} {histories[name]['loss'][-1]:13.3f}   "
              f"{histories[name]['val_accuracy'][-1]:19.1%}")

    fig, (left, right) = plt.subplots(2, 1, figsize=(4.5, 6.4), layout="constrained")
    for name, (colour, style, _) in OPTIMIZERS.items():
        left.plot(histories[name]["loss"], style, color=colour, label=name)
        right.plot(np.arange(1, epochs + 1), histories[name]["val_accuracy"], style,
                   color=colour, label=name)
    left.set(yscale="log", xlabel="epoch", ylabel="training loss")
    right.set(ylim=(0.5, 1), xlabel="epoch", ylabel="validation accuracy")
    left.legend()
    plt.show()
    # --8<-- [end:race]

    # --8<-- [start:boundaries]
    fig, axes = plt.subplots(2, 1, figsize=(4.5, 8), layout="constrained")
    for ax, name in zip(axes, ["SGD", "Adam"], strict=True):
        plot_boundary(ax, histories[name]["params"], X_val, y_val)
        ax.set_title(f"{name}: {histories[name]['val_accuracy'][-1]:.1%} of the "
                     "validation set right")
    plt.show()
    # --8<-- [end:boundaries]

    # --8<-- [start:weight_decay]
    runs = {
        "Adam": histories["Adam"],
        "Adam, weight_decay=0.01 (L2)": train(
            lambda p: Adam(p, lr=0.01, weight_decay=0.01), data, epochs=epochs
        ),
        "AdamW, weight_decay=0.01": histories["AdamW"],
    }
    print("                              weights' norm   training loss   val. accuracy")
    for name, h in runs.items():
        print(f"{name:30s} {weight_norm(h['params']):12.1f} {h['loss'][-1]:15.3f}"
              f" {h['val_accuracy'][-1]:15.1%}")
    # --8<-- [end:weight_decay]
