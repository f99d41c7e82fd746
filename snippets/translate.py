"""Translate an Adam or AdamW between PyTorch, Optax, Keras, MLX and the site's NumPy Adam.

    translate(framework, optimizer, to, **hyperparameters) -> Translation

``framework`` and ``to`` are "torch", "optax", "keras", "mlx" or "numpy" (the reference
``Adam`` of adam.py); ``optimizer`` is that framework's own name for it ("Adam", "AdamW";
"adam", "adamw" in Optax); the hyperparameters use that framework's own argument names,
and those left out take its defaults (snippets/framework_defaults.json, which a test
regenerates from the installed frameworks' signatures).

The translation goes through what the optimizer computes: the learning rate, the betas,
where epsilon goes (Algorithm 1's eps added to sqrt(v_hat); Keras's fixed eps_hat added
to sqrt(v)), Optax's eps_root, the bias corrections (MLX's default skips them), weight
decay (none, L2 or decoupled), AMSGrad and maximize. ``exact`` is True when the target
follows the same updates to floating-point rounding. A Keras epsilon and an Algorithm 1
eps agree at one step only: the translation then matches them at step 1, and its note
gives the largest difference of one update over the first 1000 steps, measured by
``update_gap`` on ``probe_gradients()``: steady gradients, and gradients that vary in sign
and size, of 121 sizes from 1 down to 1e-12. Where no setting of the target reproduces the
source, the note says what to do instead and ``kwargs`` leave that part out.

tests/test_translate.py runs every framework on a grid of translations and checks these
promises; docs/assets/frameworks/translate.js is a port that a test checks against this
module on the same grid.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from snippets.values import table

DEFAULTS_FILE = Path(__file__).with_name("framework_defaults.json")
DEFAULTS = json.loads(DEFAULTS_FILE.read_text())
FRAMEWORKS = ("torch", "optax", "keras", "mlx", "numpy")
OPTIMIZERS = {fw: tuple(DEFAULTS["optimizers"][fw]) for fw in FRAMEWORKS}
REQUIRED = "required"
NAMES = {"torch": "PyTorch", "optax": "Optax", "keras": "Keras", "mlx": "MLX",
         "numpy": "the reference Adam"}
PREFIX = {"torch": "torch.optim.", "optax": "optax.", "keras": "keras.optimizers.",
          "mlx": "mlx.optimizers.", "numpy": ""}
TAKES_PARAMS = ("torch", "numpy")  # their constructors take the parameters first
STEPS = 1000  # the notes' bounds cover the first 1000 steps


@dataclass(frozen=True)
class Translation:
    """An optimizer for ``framework``: its name, its arguments, one line of code, and how
    far it follows the source (``exact``; ``notes``, one sentence per difference)."""

    framework: str
    optimizer: str
    kwargs: dict
    code: str
    exact: bool
    notes: list[str] = field(default_factory=list)


# ---- numbers as Python writes them ---------------------------------------------------------


def literal(x) -> str:
    """A value as Python source: repr for numbers and flags, (a, b) or [a, b] for pairs."""
    if isinstance(x, tuple):
        return "(" + ", ".join(literal(v) for v in x) + ")"
    if isinstance(x, list):
        return "[" + ", ".join(literal(v) for v in x) + "]"
    return repr(x)


def round_sig(x: float, digits: int = 3) -> float:
    """x to `digits` significant digits (a setting a reader can type)."""
    return float(f"{x:.{digits - 1}e}")


def round_up(x: float) -> float:
    """x to two significant digits, rounded up: a bound stays a bound."""
    y = float(f"{x:.1e}")
    if y < x:
        mantissa, exponent = f"{x:.1e}".split("e")
        y = float(f"{(round(float(mantissa) * 10) + 1) / 10}e{exponent}")
    return y


# ---- what an optimizer computes ---------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """The updates an optimizer makes, whatever its framework calls its arguments."""

    lr: float
    beta1: float
    beta2: float
    eps: float
    eps_hat: bool = False  # eps is Keras's fixed eps_hat, added to sqrt(v), not sqrt(v_hat)
    eps_root: float = 0.0  # Optax's: inside the square root
    bias_correction: bool = True
    weight_decay: float = 0.0
    decoupled: bool = False  # theta -= lr * weight_decay * theta; else L2, g += wd * theta
    amsgrad: bool = False  # the running max of v, then corrected
    maximize: bool = False

    def normal(self) -> Spec:
        """The same updates, written one way: eps 0 is placed nowhere, no decay decouples."""
        return Spec(self.lr, self.beta1, self.beta2, self.eps,
                    self.eps_hat and self.eps > 0, self.eps_root, self.bias_correction,
                    self.weight_decay, self.decoupled and self.weight_decay > 0,
                    self.amsgrad, self.maximize)


def _fail(message: str) -> None:
    raise ValueError(message)


def _number(name: str, where: str, x, low: float, high: float | None, rule: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        _fail(f"{name} for {where} must be a number {rule}, got {x!r}")
    if x < low or (high is not None and x >= high):
        _fail(f"{name} for {where} must be {rule}, got {x!r}")
    return float(x)


def _flag(name: str, where: str, x) -> bool:
    if not isinstance(x, bool):
        _fail(f"{name} for {where} must be True or False, got {x!r}")
    return x


def _pair(name: str, where: str, x) -> tuple[float, float]:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        _fail(f"{name} for {where} must be a pair (beta1, beta2), e.g. (0.9, 0.999), got {x!r}")
    return tuple(_number(name, where, b, 0, 1, "in [0, 1), e.g. 0.9") for b in x)


def _where(framework: str, optimizer: str) -> str:
    return PREFIX[framework] + optimizer if framework != "numpy" else "the reference Adam"


def read(framework: str, optimizer: str, hyperparameters: dict) -> Spec:
    """The Spec of framework's optimizer(**hyperparameters), checked; raises ValueError."""
    if framework not in FRAMEWORKS:
        _fail(f"framework must be one of {', '.join(map(repr, FRAMEWORKS))}, got {framework!r}")
    if optimizer not in OPTIMIZERS[framework]:
        _fail(f"optimizer for {framework} must be one of "
              f"{', '.join(map(repr, OPTIMIZERS[framework]))}, got {optimizer!r}")
    where = _where(framework, optimizer)
    defaults = DEFAULTS["optimizers"][framework][optimizer]
    for name in hyperparameters:
        if name not in defaults:
            _fail(f"{where} has no argument {name!r} that this translator knows; "
                  f"its arguments are: {', '.join(defaults)}")
    h = {**defaults, **hyperparameters}
    for name, x in hyperparameters.items():
        if x is None and defaults[name] is not None:
            _fail(f"{name} for {where} cannot be None (its default is {defaults[name]!r})")
    for name, x in h.items():
        if x == REQUIRED and name not in hyperparameters:
            _fail(f"{name} is required for {where}: it has no default")
    real = lambda name, rule="finite and >= 0": _number(name, where, h[name], 0, None, rule)  # noqa: E731
    unit = lambda name: _number(name, where, h[name], 0, 1, "in [0, 1), e.g. 0.9")  # noqa: E731
    if framework in ("torch", "numpy", "mlx"):
        lr = real("lr" if framework != "mlx" else "learning_rate", "finite and >= 0, e.g. 1e-3")
        beta1, beta2 = _pair("betas", where, h["betas"])
        eps = real("eps", "finite and >= 0, e.g. 1e-8")
    elif framework == "optax":
        lr = real("learning_rate", "finite and >= 0, e.g. 1e-3")
        beta1, beta2, eps = unit("b1"), unit("b2"), real("eps", "finite and >= 0, e.g. 1e-8")
    else:
        lr = real("learning_rate", "finite and >= 0, e.g. 1e-3")
        beta1, beta2 = unit("beta_1"), unit("beta_2")
        eps = real("epsilon", "finite and >= 0, e.g. 1e-7")
    weight_decay = 0.0
    if "weight_decay" in h and h["weight_decay"] is not None:
        weight_decay = real("weight_decay", "finite and >= 0, e.g. 1e-2")
    flags = {name: _flag(name, where, h[name])
             for name in ("amsgrad", "maximize", "decoupled_weight_decay", "bias_correction")
             if name in h}
    decoupled = {"torch": optimizer == "AdamW" or flags.get("decoupled_weight_decay", False),
                 "numpy": flags.get("decoupled_weight_decay", False)}.get(framework, True)
    return Spec(lr, beta1, beta2, eps, eps_hat=framework == "keras",
                eps_root=real("eps_root", "finite and >= 0, e.g. 1e-8") if "eps_root" in h
                else 0.0,
                bias_correction=flags.get("bias_correction", True),
                weight_decay=weight_decay, decoupled=decoupled,
                amsgrad=flags.get("amsgrad", False),
                maximize=flags.get("maximize", False)).normal()


# ---- the updates, in NumPy: what the notes' bounds are measured on ------------------------------

PHI, PSI = 0.6180339887498949, 0.7548776662466927  # steps of two low-discrepancy sequences
MANTISSAS = (7.94, 6.31, 5.01, 3.98, 3.16, 2.51, 2.0, 1.58, 1.26, 1.0)  # 10^(-j/10), rounded
PROBE_SCALES = [1.0] + [float(f"{m}e-{k}") for k in range(1, 13) for m in MANTISSAS]
PROBE_KINDS = ("varying", "steady")


def probe_gradients(steps: int = STEPS) -> np.ndarray:
    """Fixed gradients, (steps, 242): for each of 121 sizes from 1 down to 1e-12 (ten to a
    decade), one parameter whose gradient varies in sign and size from step to step (the
    size times a number in [-1, 1) from a low-discrepancy sequence, computed the same way
    in the port), then one whose gradient is that size at every step (a steady gradient,
    where the place of epsilon matters most)."""
    t = np.arange(1, steps + 1, dtype=np.float64)[:, None]
    i = np.arange(len(PROBE_SCALES), dtype=np.float64)[None, :]
    u = 2 * ((t * PHI + i * PSI) % 1.0) - 1
    scales = np.array(PROBE_SCALES)
    return np.hstack([scales * u, np.broadcast_to(scales, u.shape)])


PROBE = probe_gradients()


@functools.lru_cache(maxsize=32)
def _moments(beta1: float, beta2: float) -> tuple[np.ndarray, np.ndarray]:
    """m_t and v_t of the probe gradients at every step."""
    m, v = np.empty_like(PROBE), np.empty_like(PROBE)
    m_t, v_t = np.zeros(PROBE.shape[1]), np.zeros(PROBE.shape[1])
    for t, g in enumerate(PROBE):
        m_t = beta1 * m_t + (1 - beta1) * g
        v_t = beta2 * v_t + (1 - beta2) * (g * g)
        m[t], v[t] = m_t, v_t
    return m, v


def updates(spec: Spec) -> np.ndarray:
    """theta_t - theta_{t-1} at every probe step, from theta_0 = 1, in NumPy (no L2)."""
    s = spec
    if s.weight_decay > 0 and not s.decoupled:
        raise ValueError("updates() models no L2 weight decay: no bound is measured for it")
    m, v = _moments(s.beta1, s.beta2)
    if s.maximize:
        m = -m  # the moments of -g
    if s.amsgrad:
        v = np.maximum.accumulate(v, axis=0)
    b1t = np.cumprod(np.full(len(m), s.beta1))[:, None]
    b2t = np.cumprod(np.full(len(m), s.beta2))[:, None]
    if s.bias_correction:
        m, v = m / (1 - b1t), v / (1 - b2t)
    eps = s.eps / np.sqrt(1 - b2t) if s.eps_hat and s.bias_correction else s.eps
    step = s.lr * m / (np.sqrt(v + s.eps_root) + eps)
    if not s.decoupled:
        return -step
    out, theta, shrink = np.empty_like(step), np.ones(step.shape[1]), s.lr * s.weight_decay
    for t in range(len(step)):
        new = theta - shrink * theta - step[t]
        out[t], theta = new - theta, new
    return out


def update_gap(a: Spec, b: Spec) -> tuple[float, float, str]:
    """The largest |update of a - update of b| / lr over the first 1000 probe steps, and
    the size and kind ("varying" or "steady") of the probe gradient where it is largest."""
    if a.lr == 0:
        return 0.0, PROBE_SCALES[0], PROBE_KINDS[0]
    gap = np.abs(updates(a) - updates(b)).max(axis=0) / a.lr
    worst = int(np.argmax(gap))
    n = len(PROBE_SCALES)
    return float(gap[worst]), PROBE_SCALES[worst % n], PROBE_KINDS[worst // n]


def uncorrected_steps(beta1: float, beta2: float) -> tuple[float, float, int, int]:
    """Adam without bias correction on a steady gradient (much larger than eps): its step
    at t is (1 - beta1^t) / sqrt(1 - beta2^t) learning rates. Returns the first step, the
    largest, the step t where it is largest, and the last t whose step is more than 1 %
    above lr (0 if none). The steps rise, then fall (or only do one), so searches suffice."""
    def step(t):
        return (1 - beta1**t) / math.sqrt(1 - beta2**t) if beta2 > 0 else 1 - beta1**t

    def last(keep):  # the last t >= 1 with keep(t) true, keep true then false (keep(1))
        low, high = 1, 2
        while keep(high):
            if high > 2**50:
                return high  # never ends, as far as steps go
            low, high = high, high * 2
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if keep(mid) else (low, mid)
        return low

    peak = last(lambda t: t == 1 or step(t) > step(t - 1))
    above = last(lambda t: t <= peak or step(t) > 1.01) if step(peak) > 1.01 else 0
    return step(1), step(peak), peak, above


# ---- writing a Spec in a framework's terms ------------------------------------------------------


def _write(spec: Spec, to: str) -> tuple[str, dict, list[str], list[str], Spec]:
    """The target's optimizer and arguments for spec; notes on what it changes; notes on what
    no setting reproduces; and the Spec the target then computes."""
    s = spec
    notes, lost = [], []
    done = s  # what the target computes
    lr, beta1, beta2, eps = s.lr, s.beta1, s.beta2, s.eps
    # Where epsilon goes: Keras's is a fixed eps_hat; the others add eps to sqrt(v_hat).
    if to == "keras" and s.eps > 0 and not s.eps_hat and s.bias_correction:
        eps = round_sig(s.eps * math.sqrt(1 - beta2))
        done = _replace(done, eps=eps, eps_hat=True)
        notes.append(f"Keras adds its epsilon to √v before the bias correction (the "
                     f"paper's ε̂), which acts as ε = ε̂/√(1−β₂ᵗ), changing with t: epsilon="
                     f"{literal(eps)} (ε·√(1−β₂)) matches eps={literal(s.eps)} at step 1 only"
                     "{gap}")
    elif to != "keras" and s.eps > 0 and s.eps_hat:
        eps = round_sig(s.eps / math.sqrt(1 - beta2))
        done = _replace(done, eps=eps, eps_hat=False)
        notes.append(f"Keras adds its epsilon={literal(s.eps)} to √v before the bias "
                     f"correction (the paper's ε̂), which acts as ε = ε̂/√(1−β₂ᵗ), changing "
                     f"with t: eps={literal(eps)} (ε̂/√(1−β₂)) matches it at step 1 only"
                     "{gap}")
    if s.eps_root > 0 and to != "optax":
        lost.append(f"Only Optax has eps_root (an ε inside the square root): no {NAMES[to]} "
                    f"setting reproduces eps_root={literal(s.eps_root)}, and these arguments "
                    "leave it out.")
        done = _replace(done, eps_root=0.0)
    if not s.bias_correction and to != "mlx":
        first, largest, peak, above = uncorrected_steps(s.beta1, s.beta2)
        if above and peak > 1:
            course = (f"rising to {round_sig(largest)} × lr at step {peak} and more than "
                      f"1 % above lr until step {above}")
        elif above:
            course = f"and steps more than 1 % above lr until step {above}"
        else:
            course = "and no step more than 1 % above lr"
        lost.append(f"MLX's bias_correction=False skips both bias corrections (with these "
                    f"betas, on a steady gradient, a first step of {round_sig(first)} × lr, "
                    f"{course}); {NAMES[to]} always corrects, so "
                    "no setting reproduces it: train with bias_correction=True in MLX to "
                    "compare.")
        done = _replace(done, bias_correction=True)
    if s.maximize and to not in ("torch", "numpy"):
        lost.append(f"{NAMES[to]} has no maximize: negate the gradient (or the loss) to "
                    "climb; these arguments descend.")
        done = _replace(done, maximize=False)
    if s.amsgrad and to in ("optax", "mlx"):
        lost.append({"optax": "optax.adam has no AMSGrad, and optax.amsgrad keeps the maximum "
                              "of the corrected v̂ where the others keep the maximum of v, so "
                              "no Optax setting reproduces it; these arguments leave AMSGrad "
                              "out.",
                     "mlx": "MLX's Adam has no AMSGrad: no MLX setting reproduces it; these "
                            "arguments leave it out."}[to])
        done = _replace(done, amsgrad=False)
    l2 = s.weight_decay > 0 and not s.decoupled
    if l2 and to not in ("torch", "numpy"):
        wd = literal(s.weight_decay)
        lost.append({
            "optax": f"Optax's adamw decouples its weight decay; for L2 weight_decay={wd} use "
                     f"optax.chain(optax.add_decayed_weights({wd}), optax.adam(...)) instead: "
                     "these arguments leave it out.",
            "keras": f"Keras's weight_decay is decoupled; for L2 weight_decay={wd} add "
                     f"{literal(s.weight_decay / 2)}·‖θ‖² to the loss (e.g. "
                     f"kernel_regularizer=keras.regularizers.L2({literal(s.weight_decay / 2)}))"
                     " instead: these arguments leave it out.",
            "mlx": f"MLX's weight_decay (AdamW) is decoupled; for L2 weight_decay={wd} add "
                   f"{wd}·θ to each gradient before optimizer.update instead: these arguments "
                   "leave it out.",
        }[to])
        done = _replace(done, weight_decay=0.0)
    decay = done.weight_decay > 0
    # The optimizer and its arguments, in the target's names.
    adamw = decay and s.decoupled and to != "numpy"
    optimizer = {"torch": "AdamW" if adamw else "Adam", "optax": "adamw" if adamw else "adam",
                 "keras": "AdamW" if adamw else "Adam", "mlx": "AdamW" if adamw else "Adam",
                 "numpy": "Adam"}[to]
    if to in ("torch", "numpy"):
        args = {"lr": lr, "betas": (beta1, beta2), "eps": eps,
                "weight_decay": done.weight_decay, "amsgrad": done.amsgrad,
                "maximize": done.maximize,
                "decoupled_weight_decay": decay and s.decoupled and to == "numpy"}
    elif to == "optax":
        args = {"learning_rate": lr, "b1": beta1, "b2": beta2, "eps": eps,
                "eps_root": done.eps_root, "weight_decay": done.weight_decay}
    elif to == "keras":
        args = {"learning_rate": lr, "weight_decay": done.weight_decay if decay else None,
                "beta_1": beta1, "beta_2": beta2, "epsilon": eps, "amsgrad": done.amsgrad}
    else:
        args = {"learning_rate": lr, "betas": [beta1, beta2], "eps": eps,
                "weight_decay": done.weight_decay, "bias_correction": s.bias_correction}
        if s.bias_correction:
            notes.append("bias_correction=True: MLX's Adam and AdamW skip both bias "
                         "corrections by default.")
    defaults = DEFAULTS["optimizers"][to][optimizer]
    kwargs = {}
    for name, default in defaults.items():  # the target's order; defaults left out
        x = args[name]
        same = (list(x) == default) if isinstance(x, (tuple, list)) else x == default
        if default == REQUIRED or not same or (isinstance(default, bool) and x is not default):
            kwargs[name] = x
    return optimizer, kwargs, notes, lost, done.normal()


def mlx_rounding(beta1: float, beta2: float, t):
    """A bound on MLX's relative error in an update at step t from its float32 numbers (a
    float32 unit u = 2^-23): 3 u for its float32 operations (the learning rate, 1 - beta^t,
    a division, a reciprocal square root), and for each beta, u (its float32 power) and t
    times beta's own rounding to float32, over 1 - beta^t."""
    u = float(np.finfo(np.float32).eps)
    out = 3 * u
    for beta in (beta1, beta2):
        rounded = abs(float(np.float32(beta)) - beta) / beta if beta > 0 else 0.0
        bt = np.asarray(beta, dtype=np.float64) ** t
        out = out + bt / (1 - bt) * (u + t * rounded)
    return out


def mlx_rounding_worst(beta1: float, beta2: float) -> tuple[float, int]:
    """The largest of mlx_rounding over the first 1000 steps, and the step where it is."""
    bound = mlx_rounding(beta1, beta2, np.arange(1, STEPS + 1, dtype=np.float64))
    worst = int(np.argmax(bound))
    return float(bound[worst]), worst + 1


def _replace(spec: Spec, **changes) -> Spec:
    return Spec(**{**spec.__dict__, **changes})


def translate(framework: str, optimizer: str, to: str, **hyperparameters) -> Translation:
    """framework's optimizer(**hyperparameters) written for `to`, with how far it follows."""
    spec = read(framework, optimizer, hyperparameters)
    if to not in FRAMEWORKS:
        _fail(f"to must be one of {', '.join(map(repr, FRAMEWORKS))}, got {to!r}")
    name, kwargs, notes, lost, done = _write(spec, to)
    exact = not lost and done == spec
    if spec.bias_correction and "mlx" in (framework, to) and framework != to:
        bound, at = mlx_rounding_worst(spec.beta1, spec.beta2)
        notes.append(f"MLX keeps the learning rate and βᵗ in float32 even for float64 arrays "
                     f"(βᵗ from β rounded to float32), so its updates differ from these by "
                     f"float32 rounding, grown in the bias corrections by 1/(1 − βᵗ): in "
                     f"float64 by at most a relative "
                     f"{literal(round_up(bound))} (a bound, largest at step {at} of the first "
                     f"{STEPS}).")
    if not lost and not exact:  # only epsilon's place differs: measure by how much
        gap, size, kind = update_gap(spec, done)
        text = (f"; over the first {STEPS} steps the updates then differ by up to "
                f"{literal(round_up(gap))} × lr (most for a {kind} gradient of about "
                f"{literal(size)} in size).")
    else:
        text = "."
    notes = [note.replace("{gap}", text) for note in notes] + lost
    args = ", ".join(f"{k}={literal(v)}" for k, v in kwargs.items())
    if to in TAKES_PARAMS:
        args = "params" + (", " + args if args else "")
    code = f"{PREFIX[to]}{name}({args})"
    return Translation(to, name, kwargs, code, exact, notes)


# ---- the defaults table of /frameworks/, from the data file --------------------------------------


@table("frameworks-defaults")
def defaults_table() -> str:
    """Every optimizer's defaults, one row each, as framework_defaults.json gives them."""
    versions = DEFAULTS["versions"]
    lines = ["| Optimizer | Learning rate | β₁, β₂ | ε | Weight decay | Bias correction "
             "| AMSGrad |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for fw in FRAMEWORKS:
        pair = tuple if fw in TAKES_PARAMS else list  # betas as the framework writes them

        def code(name, x, pair=pair):
            return f"`{name}={literal(pair(x) if isinstance(x, list) else x)}`"

        for opt, args in DEFAULTS["optimizers"][fw].items():
            name = (f"`{PREFIX[fw]}{opt}` ({NAMES[fw]} {versions[fw]})" if fw != "numpy"
                    else "`Adam`, the reference (adam.py)")
            lr_name = "lr" if "lr" in args else "learning_rate"
            lr = (f"`{lr_name}`: required" if args[lr_name] == REQUIRED
                  else code(lr_name, args[lr_name]))
            betas = (code("betas", args["betas"]) if "betas" in args else ", ".join(
                code(k, args[k]) for k in args if k in ("b1", "b2", "beta_1", "beta_2")))
            eps = code("epsilon", args["epsilon"]) + " (ε̂)" if "epsilon" in args else (
                code("eps", args["eps"])
                + (", " + code("eps_root", args["eps_root"]) if "eps_root" in args else ""))
            if "weight_decay" not in args:
                decay = "none"
            else:
                spec = read(fw, opt, {lr_name: 1e-3, "weight_decay": 1.0})
                decay = code("weight_decay", args["weight_decay"]) + (
                    ", decoupled" if spec.decoupled else ", L2")
                if "decoupled_weight_decay" in args:
                    decay += " (decoupled with `decoupled_weight_decay=True`)"
            correction = (code("bias_correction", args["bias_correction"])
                          if "bias_correction" in args else "always")
            amsgrad = (code("amsgrad", args["amsgrad"]) if "amsgrad" in args
                       else "`optax.amsgrad`" if fw == "optax" else "none")
            lines.append(f"| {name} | {lr} | {betas} | {eps} | {decay} | {correction} "
                         f"| {amsgrad} |")
    return "\n".join(lines)


if __name__ == "__main__":
    # --8<-- [start:usage]
    from snippets.translate import translate

    for to in ("optax", "keras"):
        t = translate("torch", "AdamW", to, lr=3e-4, betas=(0.9, 0.95), weight_decay=0.1)
        print(t.code)
        print("exact:", t.exact)
        for note in t.notes:
            print("-", note)
    # --8<-- [end:usage]
