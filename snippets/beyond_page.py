"""The /beyond/ page's experiments, figures, values and table (the optimizers: beyond.py).

The race: every optimizer of beyond.py, and AdamW, trains the lab's network (lab.py: the
spirals, the MLP, the validation split) from the same starts, its learning rate chosen by a
sweep on the validation split, on a few seeds; the runs are stacked in lockstep so that one
forward and backward pass serves them all (as lab.py's ``_runs_together`` does), and each
optimizer updates its own slice of the stack with its own class's arithmetic.

The values the page states (``@value``) are at the end of the module.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np

from snippets import beyond
from snippets.adam import Adam
from snippets.figures import COLORS, LINESTYLES, figure
from snippets.lab import held_out, init_mlp, lab_data
from snippets.values import table, value

FRAMEWORKS_FILE = Path(__file__).with_name("beyond_frameworks.json")

# This page's optimizers, by the names its figures give them, and their keys in COLORS
# and LINESTYLES (snippets/figures.py: one colour and line style per optimizer, site-wide).
BEYOND_KEYS = {"Lion": "lion", "Muon": "muon", "Adafactor": "adafactor", "ADOPT": "adopt",
               "AdEMAMix": "ademamix", "LAMB": "lamb", "Schedule-Free": "schedule-free",
               "atan2": "adam-atan2"}
BEYOND_COLORS = {name: COLORS[key] for name, key in BEYOND_KEYS.items()}


# ---- the table ---------------------------------------------------------------------------

# name on the page: (anchor, what it changes in Adam, its state per weight, the paper)
OPTIMIZERS = {
    "Lion": ("lion", "The sign of a mix of momentum and gradient: no $v$",
             "$m$", "Chen et al., NeurIPS 2023"),
    "Muon": ("muon", "Momentum orthogonalised by Newton–Schulz, for weight matrices",
             "$m$", "Jordan et al., blog post, 2024"),
    "Adafactor": ("adafactor", "$v$ of a matrix kept as its row and column averages",
                  "row and column averages", "Shazeer & Stern, ICML 2018"),
    "ADOPT": ("adopt", "Divide $g_t$ by the square root of the previous $v$, then average",
              "$m$, $v$", "Taniguchi et al., NeurIPS 2024"),
    "AdEMAMix": ("ademamix", "A second, slow momentum added to $m$",
                 "$m_1$, $m_2$, $v$", "Pagliardini et al., ICLR 2025"),
    "LAMB": ("lamb", "Each layer's step scaled to the layer's norm",
             "$m$, $v$", "You et al., ICLR 2020"),
    "ScheduleFreeAdamW": ("schedule-free", "An average of the iterates replaces the schedule",
                          "$z$, $v$", "Defazio et al., NeurIPS 2024"),
    "Adam-atan2": ("adam-atan2", r"$\operatorname{atan2}(\hat m, \sqrt{\hat v})$ instead of "
                   r"$\hat m / (\sqrt{\hat v} + \varepsilon)$", "$m$, $v$",
                   "Everett et al., ICML 2024"),
}
CLASSES = {"Lion": "Lion", "Muon": "Muon", "Adafactor": "Adafactor", "ADOPT": "ADOPT",
           "AdEMAMix": "AdEMAMix", "LAMB": "LAMB", "ScheduleFreeAdamW": "ScheduleFreeAdamW",
           "Adam-atan2": "AdamAtan2"}  # the table's names: beyond.py's classes
FRAMEWORK_TITLES = {"torch": "PyTorch", "optax": "Optax", "keras": "Keras", "mlx": "MLX"}


def shipped() -> dict:
    """beyond_frameworks.json: where each framework ships each optimizer (None: it does not)."""
    return json.loads(FRAMEWORKS_FILE.read_text())


@table("beyond-optimizers")
def optimizers_table() -> str:
    """The page's table: one row per optimizer, its frameworks read from the JSON file."""
    where = shipped()["optimizers"]
    rows = ["| Optimizer | What it changes in Adam | State per weight | Shipped by | Paper |",
            "| --- | --- | --- | --- | --- |"]
    for name, (anchor, change, state, paper) in OPTIMIZERS.items():
        frameworks = ", ".join(f"`{path}`" for path in where[name].values() if path) or "none"
        rows.append(f"| [{name}](#{anchor}) | {change} | {state} | {frameworks} | {paper} |")
    return "\n".join(rows)


# ---- Adam-atan2: the step against the gradient's size --------------------------------------


def steady_steps(sizes: np.ndarray, eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """Adam's and Adam-atan2's step, in units of lr, for a gradient that stays at `sizes`.

    A steady gradient g makes m_hat = g and sqrt(v_hat) = |g|: Adam steps g / (|g| + eps),
    Adam-atan2 atan2(g, |g|) = pi / 4 at every size, shown here over its value pi / 4.
    """
    adam = sizes / (sizes + eps)
    atan2 = np.arctan2(sizes, sizes) / (math.pi / 4)
    return adam, atan2


ATAN2_SIZES = np.logspace(-12, 0, 121)


@figure("atan2-step", alt=(
    "Log-log plot of the step, in units of the learning rate, against the size of a steady "
    "gradient from 10^-12 to 1. Adam's step is 1 down to gradients of about ε = 10^-8, "
    "then falls in proportion to the gradient: [[value: beyond-adam-step-at-1e-10]] of a full "
    "step at 10^-10. Adam-atan2's step is the same at every size."))
def atan2_step(fig, theme):
    ax = fig.subplots()
    adam, atan2 = steady_steps(ATAN2_SIZES)
    ax.loglog(ATAN2_SIZES, adam, color=COLORS["adam"], label="Adam, ε = 1e-8")
    ax.loglog(ATAN2_SIZES, atan2, "--", color=BEYOND_COLORS["atan2"],
              label="atan2 (Everett et al.)")
    ax.axvline(1e-8, color=theme.muted, lw=0.8, ls=":")
    ax.text(1.3e-8, 2e-4, "ε", color=theme.muted)
    ax.set(xlabel="size of a steady gradient $|g|$", ylabel="step / its largest value",
           ylim=(1e-5, 3))
    ax.set_xticks(10.0 ** np.arange(-12, 1, 4))  # four decades apart: readable on a phone
    ax.minorticks_off()  # (a log axis's minor ticks double the figure's drawing time)
    ax.legend(loc="lower right")


@value("beyond-adam-step-at-1e-10", digits=2)
def adam_step_at_1e_10() -> float:
    """Adam's step for a steady gradient of 1e-10, in units of lr."""
    return float(steady_steps(np.array([1e-10]))[0][0])


# ---- Adafactor: memory ---------------------------------------------------------------------


ADAFACTOR_SIDES = np.array([16, 64, 256, 1024, 4096, 16384])


def second_moment_numbers(side: int) -> tuple[int, int]:
    """Numbers of the second moment for a side x side matrix: Adam's, Adafactor's."""
    return side * side, beyond.Adafactor.state_numbers((side, side))


@figure("adafactor-memory", alt=(
    "Log-log plot of the numbers Adam and Adafactor keep for the second moment of a square "
    "weight matrix, against its side: Adam keeps one per weight, n², Adafactor one per row "
    "and one per column, 2n; for a 4096 by 4096 matrix, [[value: beyond-adafactor-saving]] "
    "times fewer."))
def adafactor_memory(fig, theme):
    ax = fig.subplots()
    numbers = np.array([second_moment_numbers(int(n)) for n in ADAFACTOR_SIDES])
    ax.loglog(ADAFACTOR_SIDES, numbers[:, 0], "o-", color=COLORS["adam"], label="Adam: $v$")
    ax.loglog(ADAFACTOR_SIDES, numbers[:, 1], "s--", color=BEYOND_COLORS["Adafactor"],
              label="Adafactor: row and column averages")
    ax.set(xlabel="side n of an n × n weight matrix", ylabel="numbers kept")
    ax.minorticks_off()
    ax.legend()


@value("beyond-adafactor-saving", integer=True)
def adafactor_saving() -> int:
    adam, adafactor = second_moment_numbers(4096)
    return adam // adafactor


# torch.optim.Adafactor's eps1 in float32 (the class computes what torch does): a 32 x 16
# matrix whose gradients have RMS ADAFACTOR_SMALL, then ten times less from step 100 on.
ADAFACTOR_SHAPE, ADAFACTOR_STEPS, ADAFACTOR_SMALL = (32, 16), 200, 1e-5


@functools.cache
def adafactor_small_gradient_steps() -> np.ndarray:
    """The RMS of each step of the class in float32 on gradients of RMS ADAFACTOR_SMALL,
    over that of the same run in float64, where eps1 = 2.2e-16 is negligible: the paper's
    step (Adafactor's steps do not depend on the gradients' scale)."""
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(ADAFACTOR_SHAPE) * (1.0 if t < 100 else 0.1)
             for t in range(ADAFACTOR_STEPS)]
    steps = {}
    for dtype in (np.float32, np.float64):
        w = np.ones(ADAFACTOR_SHAPE, dtype)
        optimizer, out = beyond.Adafactor([w]), []
        for g in grads:
            before = w.copy()
            optimizer.step([(g * ADAFACTOR_SMALL).astype(dtype)])
            out.append(beyond.rms((w - before).astype(np.float64)))
        steps[dtype] = np.array(out)
    return steps[np.float32] / steps[np.float64]


@value("beyond-adafactor-eps1-float32", digits=2, sci=True)
def adafactor_eps1_float32() -> float:
    return float(np.finfo(np.float32).eps)


@value("beyond-adafactor-sqrt-eps1-float32", digits=2, sci=True)
def adafactor_sqrt_eps1_float32() -> float:
    return math.sqrt(np.finfo(np.float32).eps)


@value("beyond-adafactor-inflated", digits=2)
def adafactor_inflated() -> float:
    """The largest ratio of a float32 step to the paper's in that run."""
    return float(adafactor_small_gradient_steps().max())


# ---- AdEMAMix: the weights on past gradients -----------------------------------------------

ADEMAMIX_BETA1, ADEMAMIX_BETA3, ADEMAMIX_ALPHA = 0.9, 0.9999, 5.0  # optax.contrib.ademamix's
AGES = np.unique(np.logspace(0, 5, 101).astype(int))


def weight_older_than(ages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The weight that the numerator gives, in all, to the gradients older than each age
    (long after the start): Adam's m_hat, and AdEMAMix's m_hat_1 + alpha m_2."""
    adam = ADEMAMIX_BETA1**ages
    return adam, adam + ADEMAMIX_ALPHA * ADEMAMIX_BETA3**ages


@figure("ademamix-weights", alt=(
    "Log-x plot of the total weight that the step's numerator gives to the gradients older "
    "than k steps, for k from 1 to 100,000. Adam's is under 1% beyond "
    "[[value: beyond-adam-forgets]] steps; "
    "AdEMAMix's starts near 1 + α = 6 and keeps [[value: beyond-ademamix-weight-10000]] for "
    "the gradients older than 10,000 steps."))
def ademamix_weights(fig, theme):
    ax = fig.subplots()
    adam, ademamix = weight_older_than(AGES)
    ax.semilogx(AGES, adam, color=COLORS["adam"], label="Adam: $\\hat m_t$")
    ax.semilogx(AGES, ademamix, "--", color=BEYOND_COLORS["AdEMAMix"],
                label="AdEMAMix: $\\hat m_1 + \\alpha m_2$")
    ax.set(xlabel="age k of a gradient (steps)",
           ylabel="weight of the gradients older than k")
    ax.minorticks_off()
    ax.legend()


@value("beyond-adam-forgets", integer=True)
def adam_forgets() -> int:
    """The age beyond which Adam's m_hat gives the older gradients under 1% in all."""
    return int(np.ceil(np.log(0.01) / np.log(ADEMAMIX_BETA1)))


@value("beyond-ademamix-weight-10000", digits=2)
def ademamix_weight_10000() -> float:
    return float(weight_older_than(np.array([10_000]))[1][0])


@value("beyond-ademamix-old-share", decimals=0, percent=True)
def ademamix_old_share() -> float:
    """The share of AdEMAMix's numerator from gradients older than 1000 steps."""
    return float(weight_older_than(np.array([1000]))[1][0] / (1 + ADEMAMIX_ALPHA))


# ---- the race ------------------------------------------------------------------------------

SIZES, EPOCHS, BATCH, SEEDS = (2, 16, 16, 1), 16, 32, (0, 1, 2)


def _split(arrays: list[np.ndarray], mine: list[int]) -> tuple[list, list]:
    """Split the seeds' stacked [W1, b1, W2, b2, ..., Wn, bn] (first axis: the seed) into
    the arrays at indices `mine`, one 2-D array per network, and the rest, stacked."""
    return ([arrays[i][s] for i in mine for s in range(len(arrays[i]))],
            [a for i, a in enumerate(arrays) if i not in mine])


def hidden_and_rest(arrays: list[np.ndarray]) -> tuple[list, list]:
    """Each network's hidden weight matrices, and the rest (first and last layers, biases)."""
    return _split(arrays, list(range(2, len(arrays) - 2, 2)))


def matrices_and_biases(arrays: list[np.ndarray]) -> tuple[list, list]:
    """Each network's weight matrices, and the biases."""
    return _split(arrays, list(range(0, len(arrays), 2)))


class AndAdamW:
    """One optimizer, `make(arrays, lr)`, for the weight matrices that `split` picks, and
    AdamW at its tuned rate for the rest: every bias (and for Muon the first and last
    layers' matrices, as Jordan et al. use Muon). LAMB and Adafactor need it: the biases
    start at 0, and a step relative to the size of a weight moves them little (LAMB's by
    lr per weight at first, while their norm is 0; Adafactor's by at most 1e-3 lr in RMS)."""

    def __init__(self, params, lr: float, make, split) -> None:
        mine, rest = split(params)
        self.split, self.mine, self.adamw = split, make(mine, lr), _adamw(rest, best_lr("AdamW"))

    def step(self, grads) -> None:
        mine, rest = self.split(grads)
        self.mine.step(mine)
        self.adamw.step(rest)


def _adamw(params, lr):
    return Adam(params, lr=lr, weight_decay=0.01, decoupled_weight_decay=True)  # torch's AdamW


def _muon(params, lr):
    return beyond.Muon(params, lr=lr, ns_dtype="float32")  # not torch's bfloat16


# name: (the learning rates swept, build(params, lr), the colour). build gets the seeds'
# arrays stacked; AndAdamW hands each network's matrices on their own to Muon, LAMB and
# Adafactor (whose steps depend on a whole matrix). Every optimizer keeps its defaults but
# the learning rate.
RACERS = {
    "AdamW": ((0.01, 0.03, 0.1), _adamw, COLORS["adamw"]),
    "Lion": ((0.003, 0.01, 0.03), "Lion", BEYOND_COLORS["Lion"]),
    "Muon": ((0.03, 0.1, 0.3), functools.partial(AndAdamW, make=_muon, split=hidden_and_rest),
             BEYOND_COLORS["Muon"]),
    "ADOPT": ((0.01, 0.03, 0.1), "ADOPT", BEYOND_COLORS["ADOPT"]),
    "AdEMAMix": ((0.01, 0.03, 0.1), "AdEMAMix", BEYOND_COLORS["AdEMAMix"]),
    "Schedule-Free": ((0.03, 0.1, 0.3), "ScheduleFreeAdamW",
                      BEYOND_COLORS["Schedule-Free"]),
    "Adam-atan2": ((0.01, 0.03, 0.1), "AdamAtan2", BEYOND_COLORS["atan2"]),
    "LAMB": ((0.003, 0.01, 0.03), functools.partial(
        AndAdamW, make=beyond.LAMB, split=matrices_and_biases), BEYOND_COLORS["LAMB"]),
    "Adafactor": ((0.01, 0.03, 0.1), functools.partial(
        AndAdamW, make=beyond.Adafactor, split=matrices_and_biases),
        BEYOND_COLORS["Adafactor"]),
}


RACE_STYLES = {"AdamW": LINESTYLES["adamw"], "Adam-atan2": LINESTYLES["adam-atan2"]} | {
    name: LINESTYLES[key] for name, key in BEYOND_KEYS.items() if name != "atan2"}


def racers(table_=None) -> dict:
    """The optimizers of RACERS (or of `table_`) with their builders."""
    return {name: (grid, getattr(beyond, build) if isinstance(build, str) else build, colour)
            for name, (grid, build, colour) in (table_ or RACERS).items()}


def _stacked_forward(params, X):
    h = X
    for i in range(0, len(params), 2):
        z = h @ params[i] + params[i + 1][:, None, :]
        h = np.maximum(z, 0.0) if i + 2 < len(params) else z
    return h[..., 0]


@functools.cache
def race_runs(names: tuple[str, ...]) -> dict:
    """Train every (optimizer, lr, seed) of `names` in lockstep: return (optimizer, lr) ->
    the seeds' final validation loss, test loss and test accuracy, and their biases' RMS."""
    from snippets.lab import _stacked_grads

    X, y, X_val, y_val = lab_data()
    X_test, y_test = held_out()
    table_ = racers()
    groups = [(name, lr) for name in names for lr in table_[name][0]]
    S = len(SEEDS)
    starts = [init_mlp(SIZES, seed=s) for s in SEEDS]
    params = [np.stack([starts[s][i] for _ in groups for s in range(S)])
              for i in range(len(starts[0]))]
    # An optimizer that works weight by weight (all but AndAdamW's) takes each seed's
    # network as one flat row, its arrays end to end: one array to check and update, not 6.
    shapes = [p.shape[1:] for p in params]
    ends = np.cumsum([math.prod(shape) for shape in shapes])
    spans = list(zip(params, shapes, np.r_[0, ends[:-1]], ends, strict=True))

    def flat(arrays, block):
        return np.concatenate([a[block].reshape(len(a[block]), -1) for a in arrays], axis=1)

    def unflatten(row_block, block):  # write the flat rows back into the stacked arrays
        for p, shape, begin, end in spans:
            p[block] = row_block[:, begin:end].reshape((S, *shape))

    optimizers = []
    for g, (name, lr) in enumerate(groups):
        block = slice(g * S, (g + 1) * S)
        build = table_[name][1]
        if build in (beyond.Muon, beyond.LAMB, beyond.Adafactor):  # not weight by weight
            raise ValueError(f"{name}: give it the weight matrices through AndAdamW")
        own = [p[block] for p in params] if isinstance(build, functools.partial) else None
        rows = None if own else flat(params, block)
        optimizers.append((build(own or [rows], lr), block, rows))
    rngs = [np.random.default_rng(s) for s in SEEDS]
    for _ in range(EPOCHS):
        order = np.stack([rng.permutation(len(y)) for rng in rngs])
        for start in range(0, len(y), BATCH):
            rows = np.tile(order[:, start : start + BATCH], (len(groups), 1))
            grads = _stacked_grads(params, X[rows], y[rows])
            flat_grads = flat(grads, slice(None))
            for optimizer, block, own_rows in optimizers:
                if own_rows is None:
                    optimizer.step([g[block] for g in grads])
                else:
                    optimizer.step([flat_grads[block]])
                    unflatten(own_rows, block)
    for optimizer, block, _ in optimizers:  # Schedule-Free: evaluate x, the average
        if hasattr(optimizer, "eval_params"):
            unflatten(optimizer.eval_params()[0], block)
    results = {group: {"bias_rms": np.sqrt(np.mean(np.concatenate(
        [b[g * S : (g + 1) * S] for b in params[1::2]], axis=1) ** 2, axis=1))}
        for g, group in enumerate(groups)}
    for split, (Xs, ys) in {"val": (X_val, y_val), "test": (X_test, y_test)}.items():
        z = _stacked_forward(params, Xs)
        loss = np.mean(np.logaddexp(0.0, z) - ys * z, axis=1)
        accuracy = np.mean((z > 0) == (ys == 1), axis=1)
        for g, group in enumerate(groups):
            results[group][split + "_loss"] = loss[g * S : (g + 1) * S]
            results[group][split + "_accuracy"] = accuracy[g * S : (g + 1) * S]
    return results


def _runs_of(name: str) -> dict:
    """AdamW runs first (Muon's biases use its tuned rate), then the others together."""
    names = ("AdamW",) if name == "AdamW" else tuple(n for n in racers() if n != "AdamW")
    return {lr: r for (n, lr), r in race_runs(names).items() if n == name}


def sweep(name: str) -> dict:
    """lr -> the seeds' validation losses, for optimizer `name`."""
    return {lr: r["val_loss"] for lr, r in _runs_of(name).items()}


def best_lr(name: str) -> float:
    """The learning rate of the grid with the lowest mean validation loss over the seeds."""
    losses = sweep(name)
    return min(losses, key=lambda lr: float(np.mean(losses[lr])))


def race_result(name: str) -> np.ndarray:
    """The seeds' test accuracies at the tuned learning rate."""
    return _runs_of(name)[best_lr(name)]["test_accuracy"]


@figure("beyond-race", alt=(
    "The validation loss after the race against the learning rate, for each of the nine "
    "optimizers: the mean over three seeds, and a bar from the lowest seed to the highest. "
    "Each optimizer's lowest mean is inside the rates it tried, not at an end."))
def race_figure(fig, theme):
    ax = fig.subplots()
    for name, (_, _, colour) in racers().items():
        losses = sweep(name)
        lrs = np.array(list(losses))
        values = np.array(list(losses.values()))
        label = "atan2" if name == "Adam-atan2" else name  # (a label "Adam..." is Adam's)
        ax.plot(lrs, values.mean(axis=1), marker="o", ls=RACE_STYLES[name], color=colour,
                ms=3, label=label)
        ax.vlines(lrs, values.min(axis=1), values.max(axis=1), color=colour, lw=1)
    ax.set(xscale="log", xlabel="learning rate", ylabel="validation loss after the race")
    ax.minorticks_off()
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.02, 0.5))  # off the bars


def _race_means() -> list[float]:
    return [float(np.mean(race_result(name))) for name in racers()]


@value("beyond-race-best", decimals=0, percent=True)
def race_best() -> float:
    return max(_race_means())


@value("beyond-race-worst", decimals=0, percent=True)
def race_worst() -> float:
    return min(_race_means())


@value("beyond-race-spread", decimals=0)
def race_spread() -> float:
    """The largest range of test accuracy over the seeds of one optimizer, in percentage
    points."""
    return 100 * max(float(np.ptp(race_result(name))) for name in racers())


def race_steps() -> int:
    """The number of steps of one run of the race."""
    return EPOCHS * math.ceil(len(lab_data()[1]) / BATCH)


@value("beyond-race-steps", integer=True)
def race_steps_value() -> int:
    return race_steps()


@value("beyond-race-ademamix-filled", decimals=0, percent=True)
def race_ademamix_filled() -> float:
    """The share of its full weight that AdEMAMix's slow momentum m_2 has gathered by the
    end of the race: 1 - beta3^steps."""
    return 1 - ADEMAMIX_BETA3 ** race_steps()


def train_one(make, seed: int = SEEDS[0]) -> list[np.ndarray]:
    """One run of the race, a plain loop over one network: its final arrays."""
    from snippets.lab import loss_and_grads

    X, y, _, _ = lab_data()
    params = init_mlp(SIZES, seed=seed)
    optimizer, rng = make(params), np.random.default_rng(seed)
    for _ in range(EPOCHS):
        order = rng.permutation(len(y))
        for start in range(0, len(y), BATCH):
            rows = order[start : start + BATCH]
            optimizer.step(loss_and_grads(params, X[rows], y[rows])[1])
    return params


@functools.cache
def bias_rms_trained_alone() -> dict[str, float]:
    """The root mean square of the biases (they start at 0) after one run (seed 0) in which
    one optimizer trains every array, at the rate the race chose for it (AdamW: its run of
    the race)."""
    makers = {"LAMB": lambda p: beyond.LAMB(p, lr=best_lr("LAMB")),
              "Adafactor": lambda p: beyond.Adafactor(p, lr=best_lr("Adafactor"))}
    return {"AdamW": float(_runs_of("AdamW")[best_lr("AdamW")]["bias_rms"][0])} | {
        name: beyond.rms(np.concatenate(train_one(make)[1::2])) for name, make in makers.items()}


@value("beyond-race-bias-rms-adamw", digits=2)
def bias_rms_adamw() -> float:
    return bias_rms_trained_alone()["AdamW"]


@value("beyond-race-bias-rms-lamb", digits=2)
def bias_rms_lamb() -> float:
    return bias_rms_trained_alone()["LAMB"]


@value("beyond-race-bias-rms-adafactor", digits=2, sci=True)
def bias_rms_adafactor() -> float:
    return bias_rms_trained_alone()["Adafactor"]


@table("beyond-race")
def race_table() -> str:
    """One row per optimizer: the rate chosen, and the seeds' test accuracy."""
    rows = ["| Optimizer | Learning rates tried | Chosen | Test accuracy: mean | lowest "
            "| highest |",
            "| --- | --- | --- | --- | --- | --- |"]
    for name, (grid, *_) in racers().items():
        accuracy = race_result(name)
        rows.append(f"| {name} | {', '.join(f'{lr:g}' for lr in grid)} | {best_lr(name):g} | "
                    f"{accuracy.mean():.0%} | {accuracy.min():.0%} | {accuracy.max():.0%} |")
    return "\n".join(rows)


# ---- Lion: the size of its steps -----------------------------------------------------------

LION_WEIGHTS, LION_STEPS = 1000, 300


@functools.cache
def step_sizes_on_noise() -> dict[str, np.ndarray]:
    """The root mean square of each step, in units of lr, of Lion and Adam (no weight decay)
    on the same gradients: pure noise, a weight's mean gradient 0."""
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((LION_STEPS, LION_WEIGHTS))
    out = {}
    for name, make in {"Adam": lambda p: Adam(p, lr=1.0),
                       "Lion": lambda p: beyond.Lion(p, lr=1.0, weight_decay=0.0)}.items():
        w = np.zeros(LION_WEIGHTS)
        optimizer, rms = make([w]), []
        for g in grads:
            before = w.copy()
            optimizer.step([g])
            rms.append(np.sqrt(np.mean((w - before) ** 2)))
        out[name] = np.array(rms)
    return out


@figure("lion-step-size", alt=(
    "The root mean square of each step, in units of the learning rate, over 300 steps on "
    "gradients that are pure noise: Lion's is 1 at every step, all of its coordinates ±1; "
    "Adam's falls to about [[value: beyond-adam-noise-rms]], so at the same learning rate "
    "Lion's steps are [[value: beyond-lion-adam-ratio]] times Adam's."))
def lion_step_size(fig, theme):
    ax = fig.subplots()
    sizes = step_sizes_on_noise()
    steps = np.arange(1, LION_STEPS + 1)
    ax.plot(steps, sizes["Lion"], "--", color=BEYOND_COLORS["Lion"], label="Lion")
    ax.plot(steps, sizes["Adam"], color=COLORS["adam"], label="Adam")
    ax.set(xlabel="step", ylabel="RMS of the step / lr", ylim=(0, 1.15))
    ax.legend(loc="center right")


@value("beyond-adam-noise-rms", digits=2)
def adam_noise_rms() -> float:
    """Adam's step RMS on noise, over the last 100 steps, in units of lr."""
    return float(np.mean(step_sizes_on_noise()["Adam"][-100:]))


@value("beyond-ema-noise-rms", digits=2)
def ema_noise_rms() -> float:
    """The standard deviation of an average with rate beta1 = 0.9 of unit noise, long after
    the start: sqrt((1 - beta1) / (1 + beta1))."""
    return math.sqrt((1 - 0.9) / (1 + 0.9))


@value("beyond-lion-adam-ratio", digits=2)
def lion_adam_ratio() -> float:
    sizes = step_sizes_on_noise()
    return float(np.mean(sizes["Lion"][-100:]) / np.mean(sizes["Adam"][-100:]))


# ---- Muon: the singular values of its update -----------------------------------------------


@functools.cache
def muon_problem_gradient() -> np.ndarray:
    """The gradient, at W = 0, of the mean squared error of a 16 x 8 linear map fitted by
    least squares from inputs whose 16 features have scales from 1 to 0.01."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 16)) * np.logspace(0, -2, 16)  # badly conditioned inputs
    Y = X @ rng.standard_normal((16, 8))  # the map to fit
    return X.T @ (X @ np.zeros((16, 8)) - Y) / len(X)


@functools.cache
def muon_singular_values() -> tuple[np.ndarray, np.ndarray]:
    """The singular values of that gradient, over its largest, and of Muon's step for it
    (Newton-Schulz in bfloat16, as torch.optim.Muon runs it)."""
    G = muon_problem_gradient()
    s_gradient = np.linalg.svd(G, compute_uv=False)
    s_update = np.linalg.svd(beyond.newton_schulz(G).astype(np.float64), compute_uv=False)
    return s_gradient / s_gradient[0], s_update


@figure("muon-singular-values", alt=(
    "The 8 singular values, largest first, of the gradient of a least-squares fit whose "
    "inputs are badly conditioned, and of Muon's step for it. The gradient's fall from 1 to "
    "[[value: beyond-muon-gradient-smallest]] of the largest; after Newton–Schulz every one "
    "lies between [[value: beyond-muon-update-smallest]] and "
    "[[value: beyond-muon-update-largest]]."))
def muon_singular(fig, theme):
    ax = fig.subplots()
    gradient, update = muon_singular_values()
    k = np.arange(1, len(gradient) + 1)
    ax.semilogy(k, gradient, "o-", color=theme.muted, label="gradient (over its largest)")
    ax.semilogy(k, update, "s--", color=BEYOND_COLORS["Muon"], label="Muon's step")
    ax.set(xlabel="singular value, largest first", ylabel="singular value", ylim=(1e-3, 3))
    ax.minorticks_off()
    ax.legend(loc="lower left")


@value("beyond-muon-gradient-smallest", digits=2, sci=True)
def muon_gradient_smallest() -> float:
    return float(muon_singular_values()[0][-1])


@value("beyond-muon-bfloat16-gap", decimals=1, percent=True)
def muon_bfloat16_gap() -> float:
    """How far torch's bfloat16 Newton-Schulz lands from a float32 run, relative to its size
    (the Frobenius norm), on the least-squares gradient."""
    G = muon_problem_gradient()
    bf16 = beyond.newton_schulz(G).astype(np.float64)
    f32 = beyond.newton_schulz(G, dtype="float32").astype(np.float64)
    return float(np.linalg.norm(bf16 - f32) / np.linalg.norm(f32))


@value("beyond-muon-update-smallest", digits=2)
def muon_update_smallest() -> float:
    return float(muon_singular_values()[1].min())


@value("beyond-muon-update-largest", digits=2)
def muon_update_largest() -> float:
    return float(muon_singular_values()[1].max())


# ---- ADOPT on the counterexample of /variants/ ---------------------------------------------

REDDI_C, REDDI_STEPS, REDDI_ALPHA = 3.0, 1500, 0.5  # the problem and step size of /variants/


@functools.cache
def adopt_on_counterexample() -> dict[str, np.ndarray]:
    """x_t of Adam and of ADOPT (its defaults but beta1 = 0 and the problem's beta2 =
    1 / (1 + C^2), steps alpha / sqrt(t), each x projected onto [-1, 1]) on the problem of
    Reddi et al. that /variants/ runs."""
    from snippets.variants import online_adam, reddi_gradient

    x = np.array([1.0])
    optimizer = beyond.ADOPT([x], lr=REDDI_ALPHA, betas=(0.0, 1 / (1 + REDDI_C**2)))
    xs = [1.0]
    for t in range(1, REDDI_STEPS + 1):
        optimizer.lr = REDDI_ALPHA / math.sqrt(t)
        optimizer.step([np.array([reddi_gradient(t, REDDI_C)])])
        np.clip(x, -1.0, 1.0, out=x)  # the projection onto [-1, 1]
        xs.append(float(x[0]))
    return {"Adam": online_adam(REDDI_STEPS, REDDI_C, REDDI_ALPHA), "ADOPT": np.array(xs)}


@figure("adopt-counterexample", alt=(
    "x over 1500 steps on the counterexample of Reddi et al., with the same β2 for both: "
    "Adam climbs to x = [[value: beyond-reddi-adam-x]], the worst point; ADOPT goes to "
    "x = [[value: beyond-reddi-adopt-x]], next to the best point, −1."))
def adopt_counterexample(fig, theme):
    ax = fig.subplots()
    runs = adopt_on_counterexample()
    t = np.arange(0, REDDI_STEPS + 1, 30)  # the same point of the period of 3 each time
    ax.plot(t, runs["Adam"][t], color=COLORS["adam"], label="Adam")
    ax.plot(t, runs["ADOPT"][t], "--", color=BEYOND_COLORS["ADOPT"], label="ADOPT")
    ax.axhline(-1, color=theme.muted, lw=0.8, ls=":")
    ax.set(xlabel="step t", ylabel="$x_t$", ylim=(-1.1, 1.1))
    ax.legend(loc="center right")


@value("beyond-reddi-adam-x", decimals=3)
def reddi_adam_x() -> float:
    return float(adopt_on_counterexample()["Adam"][-1])


@value("beyond-reddi-adopt-x", decimals=3)
def reddi_adopt_x() -> float:
    return float(adopt_on_counterexample()["ADOPT"][-1])


# ---- Schedule-Free: the average against the fast iterate -----------------------------------

SF_WEIGHTS, SF_STEPS, SF_LR = 100, 1000, 0.01


@functools.cache
def schedule_free_losses() -> dict[str, np.ndarray]:
    """The loss, at each step, of Schedule-Free AdamW's three points on a noisy quadratic
    (curvatures from 0.1 to 10, gradient noise of size 1, a constant lr): x, the average
    (eval_params), z, the fast iterate, and y, where the gradients are taken (params); and
    the root mean square of each of z's steps."""
    rng = np.random.default_rng(0)
    h = np.logspace(-1, 1, SF_WEIGHTS)  # the curvature of each weight

    def loss(w):
        return float(0.5 * np.sum(h * w**2))

    w = np.ones(SF_WEIGHTS)
    optimizer = beyond.ScheduleFreeAdamW([w], lr=SF_LR)
    out = {"x": [loss(w)], "y": [loss(w)], "z": [loss(w)], "z_step": [0.0]}
    for _ in range(SF_STEPS):
        z_before = optimizer.z[0].copy()
        optimizer.step([h * w + rng.standard_normal(SF_WEIGHTS)])
        out["z_step"].append(float(np.sqrt(np.mean((optimizer.z[0] - z_before) ** 2))))
        out["x"].append(loss(optimizer.eval_params()[0]))
        out["y"].append(loss(w))
        out["z"].append(loss(optimizer.z[0]))
    return {k: np.array(v) for k, v in out.items()}


@figure("schedule-free-average", alt=(
    "Loss over 1000 steps of Schedule-Free AdamW on a noisy quadratic at a constant "
    "learning rate, at its three points. z, the fast iterate, falls fastest at first, then "
    "bounces and does not settle: [[value: beyond-sf-z-loss]] over the last 100 steps; x, the "
    "average, lags at first, then keeps falling, to [[value: beyond-sf-x-loss]]; y, where "
    "the gradient is taken, stays close to x."))
def schedule_free_average(fig, theme):
    ax = fig.subplots()
    losses = schedule_free_losses()
    t = np.arange(0, SF_STEPS + 1, 5)
    ax.semilogy(t, losses["z"][t], color=theme.muted, label="z, the fast iterate")
    ax.semilogy(t, losses["y"][t], ":", color=theme.text, label="y, where g is taken")
    ax.semilogy(t, losses["x"][t], "--", color=BEYOND_COLORS["Schedule-Free"],
                label="x, the average (evaluate this)")
    ax.set(xlabel="step", ylabel="loss")
    ax.minorticks_off()
    ax.legend()


@value("beyond-sf-z-loss", digits=2)
def sf_z_loss() -> float:
    return float(np.mean(schedule_free_losses()["z"][-100:]))


@value("beyond-sf-x-loss", digits=2)
def sf_x_loss() -> float:
    return float(np.mean(schedule_free_losses()["x"][-100:]))


@value("beyond-race-lion-lr-ratio", digits=2)
def race_lion_lr_ratio() -> float:
    """How many times smaller a rate the race's sweep chose for Lion than for AdamW."""
    return best_lr("AdamW") / best_lr("Lion")


@value("beyond-race-lion-grid-ratio", digits=2)
def race_lion_grid_ratio() -> float:
    """How many times lower Lion's grid lies than AdamW's (each grid's middle rate)."""
    return RACERS["AdamW"][0][1] / RACERS["Lion"][0][1]


# ---- LAMB: each layer's step to its own size -----------------------------------------------


@functools.cache
def relative_first_steps() -> dict[str, np.ndarray]:
    """How far one step of Adam and of LAMB (lr 0.001, no weight decay) moves two layers of
    100 weights, of norms 10 and 0.1, with the same random gradient: the step's norm over
    the layer's norm, in units of lr."""
    rng = np.random.default_rng(0)
    g = rng.standard_normal(100)
    out = {}
    for name, make in {"Adam": lambda p: Adam(p, lr=1e-3),
                       "LAMB": lambda p: beyond.LAMB(p, lr=1e-3)}.items():
        layers = [np.full(100, 1.0), np.full(100, 0.01)]  # norms 10 and 0.1
        before = [w.copy() for w in layers]
        make(layers).step([g, g])
        out[name] = np.array([np.linalg.norm(w - b) / np.linalg.norm(b) / 1e-3
                              for w, b in zip(layers, before, strict=True)])
    return out


@value("beyond-adam-relative-ratio", integer=True)
def adam_relative_ratio() -> int:
    """How many times more, relative to its size, Adam's first step moves the small layer."""
    steps = relative_first_steps()["Adam"]
    return round(steps[1] / steps[0])


@value("beyond-lamb-relative-step", digits=3)
def lamb_relative_step() -> float:
    """LAMB's first step over each layer's norm, in units of lr (the same for both)."""
    return float(relative_first_steps()["LAMB"][0])
