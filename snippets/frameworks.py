"""The /frameworks/ page: one training run in NumPy, PyTorch, JAX/Optax and Keras.

The four tabs of the page train the same model with each framework's own Adam. Their code
sits under ``if __name__ == "__main__":`` (it needs the frameworks, and it prints), so
importing this module runs nothing; tests/test_frameworks.py runs the tabs as the page
does and compares their paths. What sits at the top level is NumPy only: each
framework's way of computing Adam, written as a small change to the reference
``adam_step`` / ``Adam`` of adam.py. The framework tests check every one of them against
the framework itself, and the figures draw them, so the site builds without any
framework installed.

Public names:
    loss(w), START, LR, STEPS, report(path): the problem every tab solves
    rosenbrock_grad_by_hand(w): its gradient, for the NumPy tab
    reference_path(): the NumPy tab's path, an array (STEPS + 1, 2)
    keras_epsilon(epsilon_hat, t, beta2): the Algorithm 1 epsilon a Keras epsilon equals
    KerasAdam: keras.optimizers.Adam in NumPy (epsilon as eps_hat, decoupled decay)
    optax_adam_step(...): one step of optax.adam, eps_root included
    amsgrad_denominators(grads, beta2, of): AMSGrad's denominator, PyTorch's or Optax's
"""

# The problem section imports NumPy again: each tab runs it in a fresh interpreter.
# ruff: noqa: F811, I001

from __future__ import annotations

# --8<-- [start:setup]
import math

import numpy as np

# --8<-- [end:setup]

# --8<-- [start:problem]
import numpy as np


def loss(w):
    """Rosenbrock's banana, least at w = (1, 1). Takes any framework's array."""
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2


START, LR, STEPS = [-1.2, 1.0], 0.05, 1000


def report(path):
    """Print the point and the loss after 1, 10, 100 and 1000 steps."""
    for t in (1, 10, 100, 1000):
        w = np.asarray(path[t], dtype=np.float64)
        print(f"step {t:4d}: w = ({w[0]:+.6f}, {w[1]:+.6f})  loss {loss(w):.6f}")


# --8<-- [end:problem]

import functools  # noqa: E402

from snippets.adam import Adam, adam_step  # noqa: E402
from snippets.figures import COLORS, LINESTYLES, figure  # noqa: E402
from snippets.surfaces import ROSENBROCK  # noqa: E402
from snippets.values import value  # noqa: E402


# --8<-- [start:grad]
def rosenbrock_grad_by_hand(w):
    """The gradient of loss, worked out with pencil and paper."""
    x, y = w
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


# --8<-- [end:grad]


def reference_path() -> np.ndarray:
    """The NumPy tab's path: START and the point after each of STEPS steps of adam_step."""
    w, m, v = np.array(START), np.zeros(2), np.zeros(2)
    path = [w]
    for t in range(1, STEPS + 1):
        w, m, v = adam_step(w, rosenbrock_grad_by_hand(w), m, v, t, lr=LR)
        path.append(w)
    return np.array(path)


if __name__ == "__main__":
    # --8<-- [start:numpy]
    w, m, v = np.array(START), np.zeros(2), np.zeros(2)  # (1)!
    path = [w]
    for t in range(1, STEPS + 1):  # t counts from 1
        g = rosenbrock_grad_by_hand(w)  # (2)!
        w, m, v = adam_step(w, g, m, v, t, lr=LR)  # (3)!
        path.append(w)
    report(path)
    # --8<-- [end:numpy]

    # --8<-- [start:torch]
    import torch

    w = torch.tensor(START, dtype=torch.float64, requires_grad=True)  # (1)!
    optimizer = torch.optim.Adam([w], lr=LR)  # (2)!
    path = [w.detach().numpy().copy()]
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss(w).backward()  # (3)!
        optimizer.step()
        path.append(w.detach().numpy().copy())
    report(path)
    # --8<-- [end:torch]

    # --8<-- [start:optax]
    import jax

    jax.config.update("jax_enable_x64", True)  # (1)!
    import optax

    optimizer = optax.adam(learning_rate=LR)  # (2)!
    w = jax.numpy.array(START)
    state = optimizer.init(w)  # (3)!

    @jax.jit
    def step(w, state):
        """One step: the gradient, Adam's update, and the new point."""
        updates, state = optimizer.update(jax.grad(loss)(w), state)
        return optax.apply_updates(w, updates), state

    path = [np.asarray(w)]
    for _ in range(STEPS):
        w, state = step(w, state)
        path.append(np.asarray(w))
    report(path)
    # --8<-- [end:optax]

    # --8<-- [start:keras]
    import os

    os.environ["KERAS_BACKEND"] = "jax"  # (1)!
    import jax

    jax.config.update("jax_enable_x64", True)
    import keras

    keras.config.set_floatx("float64")  # (2)!

    w = keras.Variable(START)
    optimizer = keras.optimizers.Adam(learning_rate=LR)  # (3)!
    grad = jax.jit(jax.grad(loss))
    path = [np.asarray(w.value)]
    for _ in range(STEPS):
        optimizer.apply([grad(w.value)], [w])
        path.append(np.asarray(w.value))
    report(path)
    # --8<-- [end:keras]


# --8<-- [start:efficient]
def adam_step_efficient(params, grads, m, v, t, lr=0.001, beta1=0.9, beta2=0.999,
                        eps_hat=1e-8):
    """Adam in the paper's efficient order: corrections folded into lr_t."""
    m = beta1 * m + (1 - beta1) * grads
    v = beta2 * v + (1 - beta2) * grads**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)  # alpha_t of the paper
    params = params - lr_t * m / (np.sqrt(v) + eps_hat)
    return params, m, v


# --8<-- [end:efficient]

if __name__ == "__main__":
    # --8<-- [start:efficient_compare]
    eps, zero = 1e-8, np.zeros(1)
    print("first step / lr   Algorithm 1   eps_hat = eps   eps_hat = eps*sqrt(1-b2)")
    for size in (1.0, 1e-3, 1e-6, 1e-7):
        g = np.array([size])
        alg1, _, _ = adam_step(zero, g, zero, zero, t=1, lr=1.0, epsilon=eps)
        keras, _, _ = adam_step_efficient(zero, g, zero, zero, t=1, lr=1.0,
                                          eps_hat=eps)
        same, _, _ = adam_step_efficient(zero, g, zero, zero, t=1, lr=1.0,
                                         eps_hat=eps * np.sqrt(1 - 0.999))
        print(f"|g| = {size:<8.0e}  {-alg1[0]:11.4f}   {-keras[0]:13.4f}"
              f"   {-same[0]:26.4f}")
    # --8<-- [end:efficient_compare]


# --8<-- [start:keras_epsilon]
def keras_epsilon(epsilon_hat: float, t: int, beta2: float = 0.999) -> float:
    """Algorithm 1's epsilon at step t, for Keras's epsilon (eps_hat)."""
    return epsilon_hat / math.sqrt(1 - beta2**t)


# --8<-- [end:keras_epsilon]


# --8<-- [start:keras_adam]
class KerasAdam(Adam):
    """keras.optimizers.Adam in NumPy: Keras's epsilon and decay."""

    def __init__(self, params, learning_rate=1e-3, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, weight_decay=None) -> None:
        super().__init__(params, learning_rate, (beta_1, beta_2), epsilon,
                         weight_decay or 0.0, amsgrad=amsgrad,
                         decoupled_weight_decay=True)  # Keras decays as AdamW does
        self.epsilon_hat = epsilon  # the paper's eps_hat

    def step(self, grads) -> None:
        """One step, with eps = eps_hat / sqrt(1 - beta2^t)."""
        self.eps = keras_epsilon(self.epsilon_hat, self.t + 1, self.betas[1])
        super().step(grads)


# --8<-- [end:keras_adam]

if __name__ == "__main__":
    # --8<-- [start:keras_epsilon_table]
    print("step t   Keras epsilon=1e-7 is Algorithm 1's eps =")
    for t in (1, 10, 100, 1000, 10_000):
        print(f"{t:6d}   {keras_epsilon(1e-7, t):.2e}")
    # --8<-- [end:keras_epsilon_table]

    # --8<-- [start:tiny_gradients]
    def fit_tiny(make_optimizer, scale: float, steps: int = 200) -> float:
        """Minimise scale/2 * (w - 1)^2 from w = 0; return w after `steps` steps."""
        w = np.zeros(1)
        optimizer = make_optimizer([w])
        for _ in range(steps):
            optimizer.step([scale * (w - 1)])  # the gradient: at most `scale`
        return w[0]

    torch_defaults = lambda params: Adam(params, lr=0.01)  # eps = 1e-8  # noqa: E731
    keras_defaults = lambda params: KerasAdam(params, learning_rate=0.01)  # noqa: E731
    print("loss scale   w after 200 steps: PyTorch/Optax defaults   Keras defaults")
    for scale in (1.0, 1e-5, 1e-6, 1e-7):
        print(f"{scale:10.0e}   {fit_tiny(torch_defaults, scale):37.3f}"
              f"   {fit_tiny(keras_defaults, scale):14.3f}")
    # --8<-- [end:tiny_gradients]


# --8<-- [start:optax_adam_step]
def optax_adam_step(params, grads, m, v, t, lr, b1=0.9, b2=0.999, eps=1e-8,
                    eps_root=0.0):
    """One step of optax.adam: eps_root inside the square root, eps outside it."""
    m = b1 * m + (1 - b1) * grads
    v = b2 * v + (1 - b2) * grads**2
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return params - lr * m_hat / (np.sqrt(v_hat + eps_root) + eps), m, v


# --8<-- [end:optax_adam_step]


if __name__ == "__main__":
    # --8<-- [start:eps_root]
    import jax
    import optax

    def first_update(g, eps_root):
        """The first update optax.adam (lr = 1) makes for a gradient g."""
        optimizer = optax.adam(1.0, eps_root=eps_root)
        updates, _ = optimizer.update(g, optimizer.init(g))
        return updates[0]

    zero = jax.numpy.zeros(1)
    for eps_root in (0.0, 1e-8):
        slope = jax.grad(first_update)(zero, eps_root)  # d update / d g at g = 0
        print(f"eps_root = {eps_root:.0e}: d update / d g = {float(slope[0]):.1f}")
    # --8<-- [end:eps_root]


# --8<-- [start:amsgrad]
def amsgrad_denominators(grads, beta2: float = 0.999, of: str = "v") -> np.ndarray:
    """AMSGrad's denominator at each step: max of v, or of v_hat."""
    v, largest, out = 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        v = beta2 * v + (1 - beta2) * g**2
        if of == "v":  # PyTorch and Keras: keep the largest v, then correct it
            largest = max(largest, v)
            out.append(math.sqrt(largest / (1 - beta2**t)))
        elif of == "v_hat":  # Optax: keep the largest corrected v_hat
            largest = max(largest, v / (1 - beta2**t))
            out.append(math.sqrt(largest))
        else:
            raise ValueError(f"of must be 'v' (PyTorch, Keras) or 'v_hat' (Optax): {of!r}")
    return np.array(out)


# --8<-- [end:amsgrad]


def adam_denominators(grads, beta2: float = 0.999) -> np.ndarray:
    """Adam's own denominator sqrt(v_hat_t) at each step, without any maximum."""
    v, out = 0.0, []
    for t, g in enumerate(grads, start=1):
        v = beta2 * v + (1 - beta2) * g**2
        out.append(math.sqrt(v / (1 - beta2**t)))
    return np.array(out)


SPIKE = [10.0] + [1.0] * 9999  # one large gradient at step 1, then gradients of 1

if __name__ == "__main__":
    # --8<-- [start:amsgrad_spike]
    grads = [10.0] + [1.0] * 9999  # one large gradient first, then 1 for ever
    torch_style = amsgrad_denominators(grads, of="v")
    optax_style = amsgrad_denominators(grads, of="v_hat")
    print("step t   max of v (PyTorch, Keras)   max of v_hat (Optax)")
    for t in (1, 10, 100, 1000, 10_000):
        print(f"{t:6d}   {torch_style[t - 1]:25.3f}   {optax_style[t - 1]:20.3f}")
    # --8<-- [end:amsgrad_spike]


# Values of the page's prose ----------------------------------------------------
# NumPy only: the framework tests check each model here against the framework itself.


@value("frameworks-path-points", integer=True)
def path_points() -> float:
    """How many points a tab's path has: the start and one per step."""
    return len(reference_path())


@value("frameworks-keras-gap", sci=True, digits=2)
def keras_gap() -> float:
    """How far the Keras tab's path (KerasAdam, which matches it) gets from the NumPy tab's."""
    w = np.array(START, dtype=np.float64)
    optimizer = KerasAdam([w], learning_rate=LR)
    gap = 0.0
    for reference in reference_path()[1:]:
        optimizer.step([rosenbrock_grad_by_hand(w)])
        gap = max(gap, float(np.abs(w - reference).max()))
    return gap


@value("frameworks-eps-growth-first-step", digits=3)
def eps_growth_first_step() -> float:
    """A fixed eps_hat = eps acts as this many times eps at step 1: 1 / sqrt(1 - beta2)."""
    return keras_epsilon(1.0, 1)


@value("frameworks-eps-growth-1000", digits=3)
def eps_growth_1000() -> float:
    """A fixed eps_hat = eps acts as this many times eps at step 1000."""
    return keras_epsilon(1.0, 1000)


@value("frameworks-keras-epsilon-first", sci=True, digits=2)
def keras_epsilon_first() -> float:
    """Algorithm 1's epsilon at t = 1 for Keras's default epsilon = 1e-7."""
    return keras_epsilon(1e-7, 1)


@value("frameworks-keras-epsilon-ratio", digits=3)
def keras_epsilon_ratio() -> float:
    """Keras's default epsilon at t = 1, as Algorithm 1's, over PyTorch's 1e-8."""
    return keras_epsilon(1e-7, 1) / 1e-8


@value("frameworks-keras-1e-8-ratio", digits=3)
def keras_1e_8_ratio() -> float:
    """Keras with epsilon = 1e-8, as Algorithm 1's epsilon at t = 1, over PyTorch's 1e-8."""
    return keras_epsilon(1e-8, 1) / 1e-8


def _steady_step(g: float, t: int, keras: bool) -> float:
    """The step / lr at step t for a steady gradient g: m_hat = g, v_hat = g^2 exactly."""
    eps = keras_epsilon(1e-7, t) if keras else 1e-8
    return g / (g + eps)


def _register_steady_steps() -> None:
    """frameworks-steady-{torch,keras-first,keras-last}-{5,6,7}: steps at |g| = 1e-5..1e-7."""
    for exponent in (5, 6, 7):
        for name, t, keras in (("torch", 1, False), ("keras-first", 1, True),
                               ("keras-last", 10_000, True)):
            def steady(g=10.0**-exponent, t=t, keras=keras) -> float:
                return _steady_step(g, t, keras)

            value(f"frameworks-steady-{name}-{exponent}", decimals=2)(steady)


_register_steady_steps()


@functools.cache
def _fit_paths(steps: int = 400) -> dict[tuple[str, float], np.ndarray]:
    """The tiny-gradient fit's paths (figure and values), by defaults and loss scale."""
    makers = {"torch": lambda params: Adam(params, lr=0.01),
              "keras": lambda params: KerasAdam(params, learning_rate=0.01)}
    return {(name, scale): _fit_path(make, scale, steps)
            for name, make in makers.items() for scale in (1.0, 1e-6, 1e-7)}


@value("frameworks-tiny-torch", decimals=2)
def tiny_torch() -> float:
    """w after 200 steps with gradients scaled by 1e-7, PyTorch's defaults."""
    return float(_fit_paths()[("torch", 1e-7)][200])


@value("frameworks-tiny-keras", decimals=2)
def tiny_keras() -> float:
    """w after 200 steps with gradients scaled by 1e-7, Keras's defaults."""
    return float(_fit_paths()[("keras", 1e-7)][200])


@value("frameworks-eps-root-slope", decimals=1)
def eps_root_slope() -> float:
    """d update / d g at g = 0 of optax.adam's first update, eps_root = eps = 1e-8."""
    return -1 / (math.sqrt(1e-8) + 1e-8)


def _decay_step(decoupled: bool) -> float:
    """theta after one step from 2 with a zero loss gradient, lr 0.1, weight decay 0.05."""
    theta = np.array([2.0])
    Adam([theta], lr=0.1, weight_decay=0.05, decoupled_weight_decay=decoupled).step(
        [np.zeros(1)])
    return float(theta[0])


@value("frameworks-l2-end", digits=2)
def l2_end() -> float:
    """Where Adam with L2 weight decay 0.05 takes theta = 2 in one step (lr 0.1)."""
    return _decay_step(decoupled=False)


@value("frameworks-l2-gradient", digits=1)
def l2_gradient() -> float:
    """The gradient that L2 weight decay 0.05 adds at theta = 2."""
    return 0.05 * 2.0


@value("frameworks-decoupled-move", digits=1)
def decoupled_move() -> float:
    """How far decoupled weight decay 0.05 moves theta = 2 in one step (lr 0.1)."""
    return 2.0 - _decay_step(decoupled=True)


def amsgrad_step_ratios(grads=SPIKE) -> np.ndarray:
    """Optax's AMSGrad denominator over PyTorch's at each step: how much shorter its steps are."""
    return amsgrad_denominators(grads, of="v_hat") / amsgrad_denominators(grads, of="v")


def _register_amsgrad_ratios() -> None:
    """frameworks-amsgrad-ratio-{10,100,1000}: the ratio after one gradient of 10, then 1."""
    for t in (10, 100, 1000):
        def ratio(t=t) -> float:
            return float(amsgrad_step_ratios()[t - 1])

        value(f"frameworks-amsgrad-ratio-{t}", digits=2)(ratio)


_register_amsgrad_ratios()


@value("frameworks-amsgrad-ratio-near-10", integer=True)
def amsgrad_ratio_near_10() -> int:
    """The first step from which Optax's AMSGrad steps are within 1 % of 10 times PyTorch's."""
    ratios = amsgrad_step_ratios()
    assert np.all(np.diff(ratios) >= 0)  # the ratio only grows: "from step ... on"
    return int(np.argmax(ratios >= 0.99 * 10)) + 1


@value("frameworks-keras-lr-float32", digits=16)
def keras_lr_float32() -> float:
    """The learning rate 0.05 as Keras stores it, in float32."""
    return float(np.float32(LR))


@value("frameworks-lr-rounding", sci=True, digits=2)
def lr_rounding() -> float:
    """The relative change of the learning rate 0.05 when Keras stores it in float32."""
    return abs(keras_lr_float32() - LR) / LR


@value("frameworks-float32-unit-roundoff", sci=True, digits=2)
def float32_unit_roundoff() -> float:
    """The largest relative error of rounding a number to float32, 2^-24."""
    return float(np.finfo(np.float32).eps) / 2


@value("frameworks-lr-rounding-gap", sci=True, digits=2)
def lr_rounding_gap() -> float:
    """How far KerasAdam's Rosenbrock path moves when its lr 0.05 is rounded to float32."""
    paths = []
    for lr in (LR, keras_lr_float32()):
        w = np.array(START, dtype=np.float64)
        optimizer = KerasAdam([w], learning_rate=lr)
        path = [w.copy()]
        for _ in range(STEPS):
            optimizer.step([rosenbrock_grad_by_hand(w)])
            path.append(w.copy())
        paths.append(np.array(path))
    return float(np.abs(paths[0] - paths[1]).max())


# Figures ---------------------------------------------------------------------


@figure(
    "framework-path",
    alt=(
        "Contour map of Rosenbrock's banana-shaped valley with the path of Adam, learning "
        "rate 0.05, from (-1.2, 1): it drops into the curved floor, follows it round and "
        "ends near the minimum at (1, 1). Dots mark the points after 1, 10, 100 and 1000 "
        "steps, the points each tab prints."
    ),
    size=(5.6, 4.2),
)
def framework_path(fig, theme):
    """The path every tab computes, with the steps the tabs print."""
    ax = fig.subplots()
    (x0, x1), (y0, y1) = ROSENBROCK.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, 100), np.linspace(y0, y1, 100))
    z = ROSENBROCK.loss(x, y)
    ax.contour(x, y, z, levels=np.geomspace(0.05, z.max(), 14), colors=theme.grid,
               linewidths=0.7)
    path = reference_path()
    ax.plot(path[::2, 0], path[::2, 1], color=COLORS["adam"], label="Adam, every tab")
    offsets = {0: (-38, -14), 1: (-30, 8), 10: (8, 6), 100: (8, -6), 1000: (8, -14)}
    for t, offset in offsets.items():
        ax.plot(*path[t], "o", color=COLORS["adam"], markersize=5)
        ax.annotate("start" if t == 0 else f"t = {t}", path[t], textcoords="offset points",
                    xytext=offset, color=theme.text, fontsize=9)
    ax.plot(*ROSENBROCK.minimum, "*", color=theme.text, markersize=10, label="minimum")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$w_0$")
    ax.set_ylabel("$w_1$")
    ax.legend(loc="upper right", fontsize=9)


def _fit_path(make_optimizer, scale: float, steps: int) -> np.ndarray:
    """w over `steps` steps on scale/2 * (w - 1)^2 from w = 0 (the page's tiny-gradient fit)."""
    w = np.zeros(1)
    optimizer = make_optimizer([w])
    out = [0.0]
    for _ in range(steps):
        optimizer.step([scale * (w - 1)])
        out.append(w[0])
    return np.array(out)


@figure(
    "keras-tiny-gradients",
    alt=(
        "Two panels. Left: the step Adam takes, in units of the learning rate, over "
        "10,000 steps of a steady gradient of 1e-5, 1e-6 or 1e-7. With PyTorch's, "
        "Optax's and MLX's default epsilon (1e-8, MLX with its bias correction on) the "
        "steps are flat at "
        "[[value: frameworks-steady-torch-5]], [[value: frameworks-steady-torch-6]] and "
        "[[value: frameworks-steady-torch-7]] learning rates; with Keras's default (1e-7) "
        "they start at [[value: frameworks-steady-keras-first-5]], "
        "[[value: frameworks-steady-keras-first-6]] and "
        "[[value: frameworks-steady-keras-first-7]] and rise only slowly, to "
        "[[value: frameworks-steady-keras-last-5]], [[value: frameworks-steady-keras-last-6]] "
        "and [[value: frameworks-steady-keras-last-7]]. Right: a parameter fitted from 0 "
        "to 1 with gradients scaled by 1e-6 or 1e-7; with PyTorch's defaults it follows "
        "the unscaled run, with Keras's it lags far behind."
    ),
    size=(7.0, 3.3),
)
def keras_tiny_gradients(fig, theme):
    """Keras's default epsilon against PyTorch's, where gradients are tiny."""
    left, right = fig.subplots(1, 2)
    t = np.unique(np.geomspace(1, 10_000, 60).astype(int))
    styles = {1e-5: "-", 1e-6: "--", 1e-7: ":"}
    for g, style in styles.items():
        # A steady gradient g: m_hat = g and v_hat = g^2 exactly, at every step.
        torch_step = np.array([_steady_step(g, k, keras=False) for k in t])
        keras_step = np.array([_steady_step(g, k, keras=True) for k in t])
        left.plot(t, torch_step, style, color=theme.text)
        left.plot(t, keras_step, style, color=COLORS["adam"])
        left.plot([], [], style, color=theme.text, label=f"|g| = {g:.0e}")
    left.plot([], [], color=theme.text, label="PyTorch, Optax, MLX")
    left.plot([], [], color=COLORS["adam"], label="Keras")
    left.set_xscale("log")
    left.set_ylim(0, 1.05)
    left.set_xlabel("step t")
    left.set_ylabel(r"step $/\ \alpha$")
    left.set_title("a steady tiny gradient", fontsize=10)
    left.legend(fontsize=8, loc="lower right")
    paths = _fit_paths()
    right.plot(paths[("torch", 1.0)], color=theme.muted, linewidth=3, label="scale 1, both")
    for scale, style in ((1e-6, "--"), (1e-7, ":")):
        right.plot(paths[("torch", scale)], style, color=theme.text,
                   label=f"PyTorch, {scale:.0e}")
        right.plot(paths[("keras", scale)], style, color=COLORS["adam"],
                   label=f"Keras, {scale:.0e}")
    right.set_xlabel("step")
    right.set_ylabel("w (target 1)")
    right.set_title(r"fit $w$ to 1, loss $\times$ scale", fontsize=10)
    right.legend(fontsize=8, loc="lower right")


@figure(
    "amsgrad-max",
    alt=(
        "AMSGrad's denominator over 10,000 steps after one gradient of 10 at step 1 and "
        "gradients of 1 after it, on a log step axis. Adam's own denominator falls from "
        "10 towards 1. PyTorch's and Keras's AMSGrad, which keep the largest raw v, "
        "follow Adam exactly here. Optax's, which keeps the largest bias-corrected "
        "v_hat, stays at 10 for ever, so its steps are shorter than PyTorch's by the ratio "
        "of the two curves: [[value: frameworks-amsgrad-ratio-10]] times at step 10, "
        "[[value: frameworks-amsgrad-ratio-100]] at step 100, "
        "[[value: frameworks-amsgrad-ratio-1000]] at step 1000, and ten times, to within "
        "1 %, only from step [[value: frameworks-amsgrad-ratio-near-10]] on."
    ),
    size=(5.6, 3.2),
)
def amsgrad_max(fig, theme):
    """Where the maximum is taken decides how long one early spike is remembered."""
    ax = fig.subplots()
    t = np.arange(1, len(SPIKE) + 1)
    keep = np.unique(np.geomspace(1, len(SPIKE), 80).astype(int)) - 1
    ax.plot(t[keep], adam_denominators(SPIKE)[keep], color=COLORS["adam"], linewidth=4,
            label=r"Adam: $\sqrt{\hat v_t}$")
    ax.plot(t[keep], amsgrad_denominators(SPIKE, of="v")[keep], LINESTYLES["amsgrad"],
            color=COLORS["amsgrad"], label="AMSGrad, max of $v$ (PyTorch, Keras)")
    ax.plot(t[keep], amsgrad_denominators(SPIKE, of="v_hat")[keep],
            color=COLORS["amsgrad"], label=r"AMSGrad, max of $\hat v$ (Optax)")
    ax.set_xscale("log")
    ax.set_ylim(0, 11)
    ax.set_xlabel("step t  (gradient 10 at t = 1, then 1)")
    ax.set_ylabel("denominator")
    ax.grid(True, linewidth=0.5)
    ax.legend(fontsize=8, loc="center right")


@figure(
    "efficient-epsilon",
    alt=(
        "Adam's step under a steady gradient, in units of the learning rate, against the "
        "gradient magnitude on a log scale, for Algorithm 1 and for the efficient form with "
        "eps-hat equal to eps as Keras computes it, at step 1 and at step 1000. "
        "Algorithm 1 reaches half a step at a gradient of 1e-8 at every step; the "
        "efficient form needs a gradient [[value: frameworks-eps-growth-first-step]] times "
        "larger at step 1 and [[value: frameworks-eps-growth-1000]] times larger at step 1000."
    ),
    size=(5.6, 3.2),
)
def efficient_epsilon(fig, theme):
    """Where Algorithm 1 and the eps_hat = eps form stop scaling, at two steps."""
    ax = fig.subplots()
    sizes = np.logspace(-10, -4, 49)
    for t, style in ((1, "-"), (1000, "--")):
        alg1, keras = [], []
        for s in sizes:  # a steady gradient s for t steps: m, v as after t steps
            m, v = (1 - 0.9**t) * s, (1 - 0.999**t) * s**2
            alg1.append((m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8) / s)
            keras.append(np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(v) + 1e-8))
        alg1 = np.array(alg1) * sizes  # step / lr
        ax.plot(sizes, alg1, color=theme.text, linestyle=style,
                label=f"Algorithm 1, t = {t}")
        ax.plot(sizes, keras, color=COLORS["adam"], linestyle=style,
                label=rf"$\hat\varepsilon = \varepsilon$ (Keras), t = {t}")
    ax.axhline(0.5, color=theme.muted, linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel(r"steady gradient $|g|$  ($\varepsilon = 10^{-8}$)")
    ax.set_ylabel(r"step $/\ \alpha$")
    ax.grid(True, linewidth=0.5)
    ax.legend(fontsize=8, loc="upper left")


# MLX (added with the translator, issue 22) -------------------------------------------

if __name__ == "__main__":
    # --8<-- [start:mlx]
    import mlx.core as mx
    import mlx.optimizers as optim

    params = {"w": mx.array(START, dtype=mx.float64)}  # (1)!
    optimizer = optim.Adam(learning_rate=LR, bias_correction=True)  # (2)!
    grad = mx.grad(lambda params: loss(params["w"]))
    path = [np.array(params["w"])]
    for _ in range(STEPS):
        params = optimizer.apply_gradients(grad(params), params)
        mx.eval(params, optimizer.state)  # (3)!
        path.append(np.array(params["w"]))
    report(path)
    # --8<-- [end:mlx]


# --8<-- [start:mlx_adam_step]
def mlx_adam_step(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8,
                  bias_correction=False):
    """One step of mlx.optimizers.Adam: lr and beta^t in float32, as MLX keeps them."""
    f32 = np.float32
    m = beta1 * m + (1 - beta1) * grads
    v = beta2 * v + (1 - beta2) * grads**2
    lr = float(f32(lr))  # MLX stores the learning rate as a float32 array
    if not bias_correction:  # MLX's default: m and v as they are
        return params - lr * m / (np.sqrt(v) + eps), m, v
    c1 = lr / float(1 - f32(beta1) ** f32(t))  # beta^t computed in float32
    c2 = float(1 / np.sqrt(1 - f32(beta2) ** f32(t)))  # and 1/sqrt(1 - beta2^t) too
    return params - c1 * m / (np.sqrt(v) * c2 + eps), m, v


# --8<-- [end:mlx_adam_step]

if __name__ == "__main__":
    # --8<-- [start:mlx_uncorrected]
    import mlx.core as mx
    import mlx.optimizers as optim

    params = {"w": mx.zeros(1)}
    optimizer = optim.Adam(learning_rate=1e-3)  # bias_correction=False by default
    before, steps = 0.0, []
    for _ in range(1000):
        params = optimizer.apply_gradients({"w": mx.ones(1)}, params)  # g = 1, always
        mx.eval(params, optimizer.state)
        steps.append((before - params["w"].item()) / 1e-3)
        before = params["w"].item()
    print("step t   step / lr")
    for t in (1, 2, 10, 100, 1000):
        print(f"{t:6d}   {steps[t - 1]:9.3f}")
    # --8<-- [end:mlx_uncorrected]


def mlx_rosenbrock_path(bias_correction: bool = True) -> np.ndarray:
    """The MLX tab's path, computed by mlx_adam_step (a test checks it against MLX)."""
    w, m, v = np.array(START), np.zeros(2), np.zeros(2)
    path = [w]
    for t in range(1, STEPS + 1):
        w, m, v = mlx_adam_step(w, rosenbrock_grad_by_hand(w), m, v, t, LR,
                                bias_correction=bias_correction)
        path.append(w)
    return np.array(path)


@value("frameworks-mlx-gap", sci=True, digits=2)
def mlx_gap() -> float:
    """How far the MLX tab's path gets from the NumPy tab's."""
    return float(np.abs(mlx_rosenbrock_path() - reference_path()).max())


@value("frameworks-mlx-first-step-error", sci=True, digits=2)
def mlx_first_step_error() -> float:
    """The relative error of MLX's first corrected step (lr 1, eps 0), from its float32s."""
    step, _, _ = mlx_adam_step(np.zeros(1), np.ones(1), np.zeros(1), np.zeros(1), 1, 1.0,
                               eps=0.0, bias_correction=True)
    return abs(-float(step[0]) - 1)


def mlx_default_steps(steps: int = 10_000, g: float = 1.0) -> np.ndarray:
    """MLX's default (uncorrected) Adam's steps / lr on a steady gradient g (NumPy model)."""
    w, m, v, out = np.zeros(1), np.zeros(1), np.zeros(1), []
    for t in range(1, steps + 1):
        new, m, v = mlx_adam_step(w, np.full(1, g), m, v, t, lr=1e-3)
        out.append(float((w - new)[0]) / float(np.float32(1e-3)))
        w = new
    return np.array(out)


@value("frameworks-mlx-first-step", digits=3)
def mlx_first_step() -> float:
    """MLX's default Adam: its first step on a steady gradient, in units of lr."""
    return float(mlx_default_steps(1)[0])


@value("frameworks-mlx-largest-step", digits=3)
def mlx_largest_step() -> float:
    """MLX's default Adam: its largest step on a steady gradient, in units of lr."""
    return float(mlx_default_steps(100).max())


@value("frameworks-mlx-above-until", integer=True)
def mlx_above_until() -> int:
    """The last step at which MLX's default Adam steps more than 1.01 lr (steady gradient)."""
    steps = mlx_default_steps()
    return int(np.nonzero(steps > 1.01)[0][-1]) + 1


@value("frameworks-mlx-adamax-first", digits=2)
def mlx_adamax_first() -> float:
    """MLX's Adamax: its first step on a steady gradient g = 1, in units of lr, from its
    update: m = (1 - beta1) g, u = max(beta2 u, |g|), then lr m / (u + eps), m uncorrected."""
    beta1, beta2, eps, g = 0.9, 0.999, 1e-8, 1.0  # MLX's defaults
    m, u = (1 - beta1) * g, max(beta2 * 0.0, abs(g))
    return m / (u + eps)


@figure(
    "mlx-uncorrected",
    alt=(
        "The step MLX's Adam takes on a steady gradient, in units of the learning rate, "
        "over 10,000 steps on a log step axis, computed in float64. With its default "
        "bias_correction=False the first step is [[value: frameworks-mlx-first-step]] "
        "learning rates, the steps rise to [[value: frameworks-mlx-largest-step]] and stay "
        "more than 1 % above the learning rate until step "
        "[[value: frameworks-mlx-above-until]]; with bias_correction=True every "
        "step is one learning rate, as in PyTorch, Optax and Keras."
    ),
    size=(5.6, 3.2),
)
def mlx_uncorrected(fig, theme):
    """MLX's default Adam, without bias correction, against Algorithm 1's steps."""
    ax = fig.subplots()
    t = np.arange(1, 10_001)
    keep = np.unique(np.geomspace(1, len(t), 120).astype(int)) - 1
    ax.plot(t[keep], np.ones(len(keep)), color=theme.muted, linewidth=4,
            label="bias_correction=True (PyTorch, Optax, Keras)")
    steps = mlx_default_steps()
    ax.plot(t[keep], steps[keep], color=COLORS["adam"],
            label="MLX's default, bias_correction=False")
    ax.set_xscale("log")
    ax.set_ylim(0, steps.max() * 1.25)  # the peak, with room for the legend
    ax.set_xlabel("step t  (a steady gradient)")
    ax.set_ylabel(r"step $/\ \alpha$")
    ax.grid(True, linewidth=0.5)
    ax.legend(fontsize=8, loc="upper right")
