"""Adam in practice, sections 1-5: weight decay exclusions, the learning rate, skipped bias
correction, batch size, rotations.

Functions at the top level are what the page (docs/practice.md), its figures and
tests/test_practice_setup.py use. The blocks under ``if __name__ == "__main__":`` print
what the page shows: ``python -m snippets.practice_setup`` prints the page's outputs in
order.
"""

from __future__ import annotations

import functools

# --8<-- [start:setup]
import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam
from snippets.figures import COLORS, LINESTYLES, figure
from snippets.lab import init_mlp, lab_data, train
from snippets.optimizers import SGD, EMAMomentum, RMSProp
from snippets.playground import DEFAULTS, race
from snippets.surfaces import BOWL, rotated
from snippets.values import value

# 1. Which parameters get weight decay ---------------------------------------------


# --8<-- [start:split]
class DecayOnlyMatrices:
    """AdamW on the weight matrices, Adam without decay on the vectors (biases, gains).

    The reference Adam has no parameter groups: it takes one set of hyperparameters for
    every array it is given. Two optimizers, one per group, do what PyTorch's groups do.
    """

    def __init__(self, params, lr: float, weight_decay: float) -> None:
        self.decayed = [p.ndim >= 2 for p in params]  # matrices: yes; biases, gains: no
        matrices = [p for p, d in zip(params, self.decayed, strict=True) if d]
        vectors = [p for p, d in zip(params, self.decayed, strict=True) if not d]
        self.groups = [
            Adam(matrices, lr=lr, weight_decay=weight_decay, decoupled_weight_decay=True),
            Adam(vectors, lr=lr),
        ]

    def step(self, grads) -> None:
        """One step of each group, each with its own parameters' gradients."""
        grads = list(grads)
        self.groups[0].step([g for g, d in zip(grads, self.decayed, strict=True) if d])
        self.groups[1].step([g for g, d in zip(grads, self.decayed, strict=True) if not d])


# --8<-- [end:split]


def torch_adamw(model, lr: float = 1e-3, weight_decay: float = 0.01):
    """PyTorch: AdamW on a model's matrices, no decay on its biases and gains."""
    # --8<-- [start:torch_groups]
    import torch

    decay = [p for p in model.parameters() if p.ndim >= 2]  # weight matrices
    no_decay = [p for p in model.parameters() if p.ndim < 2]  # biases, norm gains
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    # --8<-- [end:torch_groups]
    return opt


def optax_adamw(lr: float = 1e-3, weight_decay: float = 0.01):
    """Optax: adamw with a mask that is True on the matrices only."""
    # --8<-- [start:optax_mask]
    import jax
    import optax

    def matrices(params):  # the mask: True where the decay applies
        return jax.tree.map(lambda p: p.ndim >= 2, params)

    opt = optax.adamw(lr, weight_decay=weight_decay, mask=matrices)
    # --8<-- [end:optax_mask]
    return opt


def keras_adamw(lr: float = 1e-3, weight_decay: float = 0.01):
    """Keras: AdamW with biases and LayerNormalization's gamma and beta excluded, by name."""
    # --8<-- [start:keras_exclude]
    import keras

    opt = keras.optimizers.AdamW(learning_rate=lr, weight_decay=weight_decay)
    opt.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])  # before building
    # --8<-- [end:keras_exclude]
    return opt


def mlx_adamw(lr: float = 1e-3, weight_decay: float = 0.01):
    """MLX: MultiOptimizer, AdamW for the matrices, AdamW without decay for the rest."""
    # --8<-- [start:mlx_multi]
    import mlx.optimizers as optim

    opt = optim.MultiOptimizer(
        [optim.AdamW(lr, weight_decay=weight_decay), optim.AdamW(lr, weight_decay=0.0)],
        [lambda path, w: w.ndim >= 2],  # the first optimizer's filter; the last takes the rest
    )
    # --8<-- [end:mlx_multi]
    return opt


WD_LR, WD_STRONG, WD_LAB = 0.01, 1.0, 0.01  # the lab's Adam lr; a strong and the lab's decay


def decay_factor(lr: float, weight_decay: float, steps: int) -> float:
    """How much decoupled decay leaves of a weight with no gradient after `steps` steps."""
    return (1 - lr * weight_decay) ** steps


def decay_timescale(lr: float, weight_decay: float) -> float:
    """Steps for decoupled decay to shrink a weight with no gradient by the factor e."""
    return -1 / np.log1p(-lr * weight_decay)


def vector_norm(params: list[np.ndarray]) -> float:
    """The length of the biases together (the lab's network has no other vectors)."""
    return float(np.sqrt(sum(np.sum(p**2) for p in params if p.ndim < 2)))


@functools.cache
def exclusion_runs() -> dict:
    """The lab's network trained with AdamW at the strong decay, biases decayed or not."""
    make = {
        "all decayed": lambda p: Adam(p, lr=WD_LR, weight_decay=WD_STRONG,
                                      decoupled_weight_decay=True),
        "biases excluded": lambda p: DecayOnlyMatrices(p, lr=WD_LR, weight_decay=WD_STRONG),
    }
    return {name: train(f, lab_data()) for name, f in make.items()}


def lab_steps() -> int:
    """The number of steps of a lab run: 100 epochs of 400 points in batches of 32."""
    return 100 * -(-len(lab_data()[1]) // 32)


@value("practice-wd-timescale-default", integer=True)
def wd_timescale_default() -> float:
    return round(decay_timescale(1e-3, 0.01))


@value("practice-wd-timescale-lab", integer=True)
def wd_timescale_lab() -> float:
    return round(decay_timescale(WD_LR, WD_LAB))


@value("practice-wd-lab-steps", integer=True)
def wd_lab_steps() -> float:
    return lab_steps()


@value("practice-wd-lab-left", decimals=0, percent=True)
def wd_lab_left() -> float:
    return decay_factor(WD_LR, WD_LAB, lab_steps())


@value("practice-wd-strong-timescale", integer=True)
def wd_strong_timescale() -> float:
    return round(decay_timescale(WD_LR, WD_STRONG))


@value("practice-wd-strong-left", sci=True, digits=1)
def wd_strong_left() -> float:
    return decay_factor(WD_LR, WD_STRONG, lab_steps())


LAST_EPOCHS = 10  # the accuracy moves by a few points from epoch to epoch: average these


@value("practice-wd-last-epochs", integer=True)
def wd_last_epochs() -> float:
    return LAST_EPOCHS


def _end(name: str, key: str) -> float:
    """The mean of a run's per-epoch `key` over its last LAST_EPOCHS epochs."""
    return float(np.mean(exclusion_runs()[name][key][-LAST_EPOCHS:]))


@value("practice-wd-acc-all", decimals=1, percent=True)
def wd_acc_all() -> float:
    return _end("all decayed", "val_accuracy")


@value("practice-wd-acc-excluded", decimals=1, percent=True)
def wd_acc_excluded() -> float:
    return _end("biases excluded", "val_accuracy")


@value("practice-wd-loss-all", digits=2)
def wd_loss_all() -> float:
    return _end("all decayed", "loss")


@value("practice-wd-loss-excluded", digits=2)
def wd_loss_excluded() -> float:
    return _end("biases excluded", "loss")


@value("practice-wd-bias-norm-all", digits=2)
def wd_bias_norm_all() -> float:
    return vector_norm(exclusion_runs()["all decayed"]["params"])


@value("practice-wd-bias-norm-excluded", digits=2)
def wd_bias_norm_excluded() -> float:
    return vector_norm(exclusion_runs()["biases excluded"]["params"])


@value("practice-wd-bias-count", integer=True)
def wd_bias_count() -> float:
    return sum(p.size for p in init_mlp() if p.ndim < 2)


@value("practice-wd-matrix-count", integer=True)
def wd_matrix_count() -> float:
    return sum(p.size for p in init_mlp() if p.ndim >= 2)


@figure(
    "practice-decay-exclusion",
    alt=(
        "Validation accuracy, per epoch over 100 epochs, of the lab's "
        "network trained with AdamW at learning rate 0.01 and a strong weight decay of 1, "
        "once with every parameter decayed and once with the biases excluded. Over the "
        "last [[value: practice-wd-last-epochs]] epochs, with the biases decayed it averages "
        "[[value: practice-wd-acc-all]] accuracy and loss [[value: practice-wd-loss-all]]; "
        "with them excluded [[value: practice-wd-acc-excluded]] and "
        "[[value: practice-wd-loss-excluded]]."
    ),
    size=(6.4, 3.0),
)
def decay_exclusion(fig, theme):
    """The lab's validation accuracy with and without the biases' exclusion."""
    ax = fig.subplots()
    for name, style in (("all decayed", "-"), ("biases excluded", "--")):
        accuracy = exclusion_runs()[name]["val_accuracy"]
        ax.plot(np.arange(1, len(accuracy) + 1), accuracy, color=COLORS["adamw"],
                linestyle=style, label=f"AdamW, {name}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="upper left", fontsize=8)  # clear of the late epochs' swings


# 2. The learning rate you set is the one Adam uses ------------------------------------


# 3. Skipping bias correction ---------------------------------------------------------


# --8<-- [start:uncorrected_steps]
def warmup_steps(steps: int, warmup: int, bias_correction: bool,
                 beta1: float = 0.9, beta2: float = 0.999) -> np.ndarray:
    """Adam's steps / lr for a steady gradient, with a linear warmup of `warmup` steps
    (0: none), with or without bias correction (eps left out: the gradient is >> eps)."""
    t = np.arange(1, steps + 1)
    lr = np.minimum(t / warmup, 1.0) if warmup else np.ones(steps)  # lr_t / lr
    if bias_correction:
        return lr  # m_hat = g and v_hat = g^2: the step is lr_t
    return lr * (1 - beta1**t) / np.sqrt(1 - beta2**t)  # m / sqrt(v), m and v too small


# --8<-- [end:uncorrected_steps]


WARMUPS = (0, 100, 2000)  # none, a short one, the rule of thumb 2 / (1 - beta2)
BC_STEPS = 10_000


@functools.cache
def _bc_steps() -> dict:
    return {(w, bc): warmup_steps(BC_STEPS, w, bc) for w in WARMUPS for bc in (True, False)}


def _bc_largest(warmup: int) -> float:
    return float(_bc_steps()[warmup, False].max())


@value("practice-bc-largest-none", digits=3)
def bc_largest_none() -> float:
    return _bc_largest(0)


@value("practice-bc-largest-at-none", integer=True)
def bc_largest_at_none() -> float:
    return int(np.argmax(_bc_steps()[0, False])) + 1


@value("practice-bc-largest-100", digits=3)
def bc_largest_100() -> float:
    return _bc_largest(100)


@value("practice-bc-largest-2000", digits=3)
def bc_largest_2000() -> float:
    return _bc_largest(2000)


@value("practice-bc-first", digits=3)
def bc_first() -> float:
    return float(_bc_steps()[0, False][0])


@value("practice-bc-ratio-1000", digits=3)
def bc_ratio_1000() -> float:
    return float(_bc_steps()[0, False][999])


@figure(
    "practice-uncorrected-warmup",
    alt=(
        "Adam's step divided by the learning rate, for a steady gradient, over the first "
        "10,000 steps on a log axis, one line per warmup (none, a linear warmup over 100 "
        "steps and one over 2000 steps), each with and without bias correction. Without "
        "warmup the uncorrected step starts at [[value: practice-bc-first]] times the "
        "learning rate and peaks at [[value: practice-bc-largest-none]]. After a warmup of "
        "100 steps it peaks at [[value: practice-bc-largest-100]]; after one of 2000 steps "
        "at [[value: practice-bc-largest-2000]]. With bias correction the step never "
        "exceeds the learning rate."
    ),
    size=(7.0, 3.0),
)
def uncorrected_warmup(fig, theme):
    """Step / lr with and without bias correction, for three warmups."""
    ax = fig.subplots()
    t = np.arange(1, BC_STEPS + 1)
    shown = np.unique(np.geomspace(1, BC_STEPS, 50).astype(int)) - 1
    for warmup, style in zip(WARMUPS, ("-", "--", ":"), strict=True):
        name = f"warmup {warmup}" if warmup else "no warmup"
        ax.plot(t[shown], _bc_steps()[warmup, True][shown], color=COLORS["adam"],
                linestyle=style, label=f"Adam, {name}")
        ax.plot(t[shown], _bc_steps()[warmup, False][shown], color=theme.text,
                linestyle=style, label=f"no bias correction, {name}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_yticks([0.001, 0.01, 0.1, 1, 10], ["0.001", "0.01", "0.1", "1", "10"])
    ax.minorticks_off()
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"step / $\alpha$")
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="lower right", fontsize=8)


# 4. Batch size and Adam --------------------------------------------------------------


# --8<-- [start:batch_run]
CURVATURES = np.array([1.0, 0.2])  # a quadratic bowl, 0.5 * sum(h * x^2)
NOISE = 8.0  # the standard deviation of one example's gradient noise
SAMPLES = 2**14  # examples seen in each run, whatever the batch size


def batch_run(make_optimizer, batch: int, runs: int = 100, seed: int = 0) -> np.ndarray:
    """The mean loss, over `runs` runs, after each step with minibatches of `batch`
    examples: the noise of a minibatch's mean gradient is NOISE / sqrt(batch)."""
    rng = np.random.default_rng(seed)
    x = np.ones((runs, 2))  # each row is one run: Adam works element by element
    optimizer = make_optimizer([x])
    loss = []
    for _ in range(SAMPLES // batch):
        noise = NOISE / np.sqrt(batch) * rng.standard_normal(x.shape)
        optimizer.step([CURVATURES * x + noise])
        loss.append(np.mean(0.5 * (CURVATURES * x**2).sum(axis=1)))
    return np.array(loss)


def settled(loss: np.ndarray) -> float:
    """Where a run settles: its mean loss over the last quarter of its examples."""
    return float(loss[-len(loss) // 4 :].mean())


BATCHES = (16, 64, 256)
RULES = {  # the learning rate at batch b: 0.02 at batch 16, scaled by each rule
    "SGD, linear": lambda b: (lambda p: SGD(p, lr=0.02 * b / 16)),
    "Adam, square root": lambda b: (lambda p: Adam(p, lr=0.02 * np.sqrt(b / 16))),
    "Adam, linear": lambda b: (lambda p: Adam(p, lr=0.02 * b / 16)),
}
# --8<-- [end:batch_run]


@functools.cache
def batch_runs() -> dict:
    return {(rule, b): batch_run(make(b), b) for rule, make in RULES.items() for b in BATCHES}


def batch_floor(rule: str, batch: int) -> float:
    return settled(batch_runs()[rule, batch])


def _spread(rule: str) -> float:
    floors = [batch_floor(rule, b) for b in BATCHES]
    return max(floors) / min(floors)


@value("practice-batch-spread-sgd", digits=2)
def batch_spread_sgd() -> float:
    return _spread("SGD, linear")


@value("practice-batch-spread-sqrt", digits=2)
def batch_spread_sqrt() -> float:
    return _spread("Adam, square root")


@value("practice-batch-spread-linear", digits=2)
def batch_spread_linear() -> float:
    return _spread("Adam, linear")


@figure(
    "practice-batch-size",
    alt=(
        "The loss of a noisy quadratic against the number of examples seen, for minibatches "
        "of 16, 64 and 256 examples, in two panels, SGD and Adam. SGD with its learning "
        "rate scaled in "
        "proportion to the batch size settles at the same loss for all three (the largest "
        "level is [[value: practice-batch-spread-sgd]] times the smallest). Adam with its "
        "learning rate scaled by the square root of the batch size settles at nearly the "
        "same loss (ratio [[value: practice-batch-spread-sqrt]]). Adam scaled in proportion "
        "to the batch size, drawn at batch 256, settles higher (ratio "
        "[[value: practice-batch-spread-linear]] to its level at batch 16)."
    ),
    size=(7.0, 3.0),
)
def batch_size(fig, theme):
    """Loss against examples seen, three batch sizes: SGD's rule and Adam's two."""
    sgd, adam = fig.subplots(1, 2, sharey=True)
    styles = dict(zip(BATCHES, ("-", "--", ":"), strict=True))
    curves = [(sgd, "SGD, linear", b) for b in BATCHES]
    curves += [(adam, "Adam, square root", b) for b in BATCHES]
    curves += [(adam, "Adam, linear", BATCHES[-1])]
    for ax, rule, b in curves:
        loss = batch_runs()[rule, b]
        every = max(1, len(loss) // 32)  # about 32 points a curve
        seen = b * np.arange(1, len(loss) + 1)
        linear_adam = rule == "Adam, linear"
        ax.plot(seen[::every], loss[::every],
                color=COLORS["sgd"] if ax is sgd else COLORS["adam"],
                linestyle="-." if linear_adam else styles[b],
                linewidth=2.5 if linear_adam else 1.5, label=f"{rule} rule, batch {b}")
    sgd.set_title("SGD")
    adam.set_title("Adam")
    for ax in (sgd, adam):
        ax.set_yscale("log")
        ax.set_yticks([0.02, 0.05, 0.1, 0.2, 0.5], ["0.02", "0.05", "0.1", "0.2", "0.5"])
        ax.minorticks_off()
        ax.set_xlabel("examples seen")
        ax.grid(True, linewidth=0.5)
        ax.legend(loc="upper right", fontsize=7)
    sgd.set_ylabel("loss")


# 5. Adam is not rotation invariant ---------------------------------------------------


@functools.cache
def rotation_races() -> dict:
    """The playground's race on the bowl as it is and turned by 45 degrees (its defaults:
    the same alpha for every optimizer, 200 steps)."""
    return {r: race(BOWL, {"rotate": r}) for r in (0, 45)}


def loss_above_minimum(surface, path: np.ndarray) -> float:
    """The loss at the end of a path, above the surface's minimum."""
    return float(surface.loss(*path[-1]) - surface.loss(*surface.minimum))


def rotation_end(rotate: int, key: str) -> float:
    return loss_above_minimum(rotated(BOWL, rotate), rotation_races()[rotate][key])


@value("practice-rotation-adam-0", sci=True, digits=2)
def rotation_adam_0() -> float:
    return rotation_end(0, "adam")


@value("practice-rotation-adam-45", sci=True, digits=2)
def rotation_adam_45() -> float:
    return rotation_end(45, "adam")


@value("practice-rotation-sgd-0", digits=2)
def rotation_sgd_0() -> float:
    return rotation_end(0, "sgd")


@value("practice-rotation-sgd-45", digits=2)
def rotation_sgd_45() -> float:
    return rotation_end(45, "sgd")


@value("practice-rotation-alpha", decimals=2)
def rotation_alpha() -> float:
    return DEFAULTS["alpha"]


@figure(
    "practice-rotation",
    alt=(
        "SGD's and Adam's paths over 200 steps with the same learning rate on a badly "
        "scaled bowl, drawn on its contours, as it is and turned by 45 degrees. SGD's path "
        "turns with the bowl and ends [[value: practice-rotation-sgd-0]] above the minimum "
        "in both. Adam's path on the bowl as it is ends [[value: practice-rotation-adam-0]] "
        "above the minimum; on the turned bowl it ends [[value: practice-rotation-adam-45]] "
        "above it."
    ),
    size=(7.0, 3.4),
)
def rotation(fig, theme):
    """SGD's and Adam's paths on the bowl, as it is and turned by 45 degrees."""
    axes = fig.subplots(1, 2)
    for ax, rotate in zip(axes, (0, 45), strict=True):
        surface = rotated(BOWL, rotate)
        (x0, x1), (y0, y1) = surface.bounds
        X, Y = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40))
        ax.contour(X, Y, surface.loss(X, Y), levels=np.geomspace(0.01, 20, 6),
                   colors=theme.grid, linewidths=0.7)
        for key, label in (("sgd", "SGD"), ("adam", "Adam")):
            path = rotation_races()[rotate][key]
            ax.plot(path[:, 0], path[:, 1], color=COLORS[key], linestyle=LINESTYLES[key],
                    label=label)
        ax.plot(*surface.minimum, marker="*", color=theme.text, markersize=8, linestyle="")
        ax.set_title("the bowl as it is" if rotate == 0 else "turned by 45°")
        ax.set_aspect("equal")
        ax.set_xlabel("$x$")
    axes[0].set_ylabel("$y$")
    axes[0].legend(loc="lower right", fontsize=8)


# --8<-- [start:rotation_sweep]
BOWL_CURVATURES = np.array([0.1, 10.0])  # the playground's bowl, 0.5 * (0.1 x^2 + 10 y^2)
RACERS = {  # the playground's four, built with lr = 1: sweep() scales their steps
    "SGD": lambda p: SGD(p, lr=1.0),
    "Momentum": lambda p: EMAMomentum(p, lr=1.0, beta=0.9),
    "RMSProp": lambda p: RMSProp(p, lr=1.0, alpha=0.999, eps=1e-8),
    "Adam": lambda p: Adam(p, lr=1.0),
}


def sweep(make_optimizer, rates, degrees: float, steps: int = 200) -> np.ndarray:
    """The loss above the minimum after `steps` steps from (-1.5, 1.5) on the bowl turned
    by `degrees`, one run per learning rate, all at once: each optimizer's step is its lr
    times the step it takes with lr = 1 (its m and v do not depend on lr)."""
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    turn = np.array([[c, -s], [s, c]])
    hessian = turn @ np.diag(BOWL_CURVATURES) @ turn.T
    rates = np.asarray(rates, dtype=float)[:, None]
    x = np.tile(turn @ [-1.5, 1.5], (len(rates), 1))  # one row per rate; the start turns too
    step = np.zeros_like(x)
    optimizer = make_optimizer([step])
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            g = x @ hessian
            g[~np.isfinite(g)] = 0.0  # a run that diverged stays where it is: at infinity
            step[:] = 0.0
            optimizer.step([g])
            x = x + rates * step
        loss = 0.5 * np.einsum("ri,ij,rj->r", x, hessian, x)
    return np.where(np.isfinite(loss), loss, np.inf)


RATES = np.geomspace(0.01, 3, 40)  # 40 learning rates, evenly spaced on a log scale
# --8<-- [end:rotation_sweep]


ANGLES = (0, 45)


@functools.cache
def tuned() -> dict:
    """Each racer's best rate on the bowl, as it is and turned: (name, degrees) ->
    (lowest final loss above the minimum, the rate that gave it)."""
    out = {}
    for name, make in RACERS.items():
        for degrees in ANGLES:
            loss = sweep(make, RATES, degrees)
            out[name, degrees] = (float(loss.min()), float(RATES[np.argmin(loss)]))
    return out


def _register_tuned_values() -> None:
    """The final losses and rates the page states: (name, degrees, what)."""
    for name, degrees, what in (("SGD", 45, "loss"), ("Momentum", 45, "loss"),
                                ("Adam", 45, "loss"), ("RMSProp", 0, "loss"),
                                ("RMSProp", 45, "loss"), ("Adam", 0, "lr"), ("Adam", 45, "lr")):
        key = f"practice-rotation-tuned-{name.lower()}-{degrees}"
        if what == "lr":
            value(key + "-lr", digits=2)(lambda n=name, d=degrees: tuned()[n, d][1])
            continue
        exact_zero = (name, degrees) == ("RMSProp", 0)  # it lands on the minimum: 0
        fmt = {"digits": 1} if exact_zero else {"sci": True, "digits": 1}
        value(key, **fmt)(lambda n=name, d=degrees: tuned()[n, d][0])


_register_tuned_values()


@value("practice-rotation-rates-count", integer=True)
def rotation_rates_count() -> float:
    return len(RATES)


@value("practice-rotation-rates-min", digits=1)
def rotation_rates_min() -> float:
    return float(RATES[0])


@value("practice-rotation-rates-max", digits=1)
def rotation_rates_max() -> float:
    return float(RATES[-1])


# --8<-- [start:sign_descent]
def steady_state_steps(noise_to_mean: float, steps: int = 1000, runs: int = 200,
                       seed: int = 0) -> tuple[float, float]:
    """Adam's mean step along the mean gradient, and its mean step length, both / lr, over
    the second half of `steps` steps, for gradients 1 + noise_to_mean * N(0, 1)."""
    rng = np.random.default_rng(seed)
    w = np.zeros(runs)  # each element is one run
    opt = Adam([w], lr=1.0)
    moves = []
    for t in range(steps):
        before = w.copy()
        opt.step([1.0 + noise_to_mean * rng.standard_normal(runs)])
        if t >= steps // 2:
            moves.append(before - w)  # > 0: along the mean gradient's descent
    moves = np.array(moves)
    return float(moves.mean()), float(np.abs(moves).mean())


# --8<-- [end:sign_descent]


NOISE_RATIOS = (0.0, 0.1, 1.0, 10.0)


@functools.cache
def sign_table() -> dict:
    return {r: steady_state_steps(r) for r in NOISE_RATIOS}


@value("practice-sign-drift-1", digits=2)
def sign_drift_1() -> float:
    return sign_table()[1.0][0]


@value("practice-sign-drift-10", digits=2)
def sign_drift_10() -> float:
    return sign_table()[10.0][0]


@value("practice-sign-length-limit", digits=1)
def sign_length_limit() -> float:
    """Where the mean step length levels off as noise / mean grows: m_hat is then a sum of
    independent normals with variance (1 - b1) / (1 + b1) times sqrt(v_hat)^2 (for large
    t), and E|N(0, s^2)| = s sqrt(2 / pi)."""
    beta1 = 0.9
    return float(np.sqrt((1 - beta1) / (1 + beta1)) * np.sqrt(2 / np.pi))


@value("practice-sign-length-10", digits=2)
def sign_length_10() -> float:
    return sign_table()[10.0][1]


if __name__ == "__main__":
    from snippets.lab import make_spirals

    # --8<-- [start:split_example]
    W, b = np.ones((2, 2)), np.ones(2)  # a weight matrix and a bias, no gradient
    opt = DecayOnlyMatrices([W, b], lr=0.01, weight_decay=1.0)
    for _ in range(100):
        opt.step([np.zeros((2, 2)), np.zeros(2)])
    print(f"after 100 steps: W = {W[0, 0]:.3f}, b = {b[0]:.3f}")
    print(f"(1 - lr * weight_decay)^100 = {0.99**100:.3f}")
    # --8<-- [end:split_example]

    # --8<-- [start:lab_exclusion]
    data = (*make_spirals(400, seed=0), *make_spirals(400, seed=1))
    runs = {
        "all decayed": train(lambda p: Adam(p, lr=0.01, weight_decay=1.0,
                                            decoupled_weight_decay=True), data),
        "biases excluded": train(lambda p: DecayOnlyMatrices(p, lr=0.01, weight_decay=1.0),
                                 data),
    }
    print("AdamW, lr 0.01, weight_decay 1")
    print(f"{'':15s}  val. accuracy  train. loss  |biases|")
    for name, run in runs.items():
        biases = np.sqrt(sum(np.sum(p**2) for p in run["params"][1::2]))  # at the end
        accuracy, loss = np.mean(run["val_accuracy"][-10:]), np.mean(run["loss"][-10:])
        print(f"{name:15s} {accuracy:14.1%}  {loss:11.3f}  {biases:8.2f}")  # last 10 epochs
    # --8<-- [end:lab_exclusion]

    # --8<-- [start:lr_unchanged]
    rng = np.random.default_rng(0)
    scales = np.array([1e-3, 1.0, 1e3])  # three weights, gradients 10^6 apart
    w = np.zeros(3)
    opt = Adam([w], lr=0.01)
    moved = np.zeros(3)
    for t in range(200):
        before = w.copy()
        opt.step([scales * (1 + rng.standard_normal())])  # the same noise, scaled
        moved += np.abs(w - before) if t >= 100 else 0
    print("lr after 200 steps:", opt.lr)
    print("mean |step| / lr, steps 101-200:", np.round(moved / 100 / opt.lr, 2))
    # --8<-- [end:lr_unchanged]

    # --8<-- [start:load_lr]
    saved = Adam([np.zeros(3)], lr=0.01).state_dict()  # a checkpoint, taken at lr 0.01
    resumed = Adam([np.zeros(3)], lr=0.001)  # you want to go on at 0.001
    resumed.load_state_dict(saved)
    print("after load_state_dict:", resumed.lr)  # the checkpoint's lr
    resumed.lr = 0.001  # set it after loading
    print("set after loading:    ", resumed.lr)
    # --8<-- [end:load_lr]

    # --8<-- [start:warmup_table]
    print("step / lr at step           1      10     100    1000   largest")
    for warmup in (0, 100, 2000):
        for bc in (True, False):
            s = warmup_steps(10_000, warmup, bc)
            name = f"warmup {warmup:4d}, {'corrected' if bc else 'uncorrected'}"
            print(f"{name:25s}" + "".join(f"{s[t - 1]:7.3f}" for t in (1, 10, 100, 1000))
                  + f"{s.max():8.3f}")
    # --8<-- [end:warmup_table]

    # --8<-- [start:batch_floors]
    print("where the loss settles   batch 16  batch 64  batch 256")
    for name, rule in RULES.items():
        floors = [settled(batch_run(rule(b), b)) for b in BATCHES]
        print(f"{name:22s}" + "".join(f"{f:10.4f}" for f in floors))
    # --8<-- [end:batch_floors]

    # --8<-- [start:rotation_table]
    print("best of 40 rates  as it is        turned 45°")
    for name, make in RACERS.items():
        row = []
        for degrees in (0, 45):
            loss = sweep(make, RATES, degrees)  # the final loss of each rate
            row.append(f"{loss.min():.1e} @ {RATES[np.argmin(loss)]:.2f}")
        print(f"{name:18s}" + "  ".join(row))
    # --8<-- [end:rotation_table]

    # --8<-- [start:first_step]
    w = np.zeros(3)
    Adam([w], lr=0.01).step([np.array([1e-3, 1.0, -1e3])])
    print("first step / lr:", np.round(-w / 0.01, 4))  # sign(g), up to eps
    # --8<-- [end:first_step]

    # --8<-- [start:sign_table]
    print("noise / mean   mean step / lr   mean |step| / lr   1 / sqrt(1 + (noise/mean)^2)")
    for ratio in (0.0, 0.1, 1.0, 10.0):
        drift, length = steady_state_steps(ratio)
        print(f"{ratio:12.1f}   {drift:14.3f}   {length:16.3f}   {1 / np.sqrt(1 + ratio**2):.3f}")
    # --8<-- [end:sign_table]
