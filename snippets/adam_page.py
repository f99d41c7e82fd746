"""The /adam/ page: the four layers put together, as Algorithm 1 and as an optimizer.

adam.py is the reference implementation itself (a standalone file readers download);
this module holds what the page adds around it: the paper's efficient form, the worked
example, the comparison of the four optimizers and the check of the source post's
examples. Functions at the top level are what the page and its figures use; the blocks
under ``if __name__ == "__main__":`` print what the page shows, so importing the module
runs nothing and ``python -m snippets.adam_page`` prints the page's outputs in order.
"""

from __future__ import annotations

# --8<-- [start:setup]
import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam, adam_step
from snippets.figures import COLORS, figure
from snippets.optimizers import SGD, EMAMomentum, RMSProp, trajectory
from snippets.source_post import run_section
from snippets.surfaces import ROSENBROCK, VALLEY, Surface

if __name__ == "__main__":
    # --8<-- [start:t_zero]
    g = np.array([0.5])
    m, v = 0.1 * g, 0.001 * g**2  # m_1 and v_1 after one gradient
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat, v_hat = m / (1 - 0.9**0), v / (1 - 0.999**0)  # t = 0
        print("t=0:", m_hat, v_hat, "step:", m_hat / np.sqrt(v_hat))
    try:
        adam_step(np.zeros(1), g, np.zeros(1), np.zeros(1), t=0)
    except ValueError as error:
        print("adam_step:", error)
    # --8<-- [end:t_zero]


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

    # --8<-- [start:effective_eps]
    for t in (1, 10, 100, 1000, 10_000):
        print(f"t={t:<6} eps_hat = eps acts as eps / sqrt(1 - beta2^t)"
              f" = {1 / np.sqrt(1 - 0.999**t):5.2f} eps")
    # --8<-- [end:effective_eps]

    # --8<-- [start:class_vs_step]
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(1000)  # the parameters, updated in place
    optimizer = Adam([theta], lr=0.01)
    reference, m, v = theta.copy(), np.zeros(1000), np.zeros(1000)
    for t in range(1, 101):
        g = rng.standard_normal(1000) * np.logspace(-6, 2, 1000)  # 8 decades
        optimizer.step([g])
        reference, m, v = adam_step(reference, g, m, v, t, lr=0.01)
    gap = np.abs(theta - reference).max()
    print(f"after {optimizer.t} steps: largest difference {gap:.1e}")
    # --8<-- [end:class_vs_step]


# --8<-- [start:data]
def make_data(n: int = 500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features on the scales 1, 10 and 0.1, and 0/1 labels of a logistic model."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)) * np.array([1.0, 10.0, 0.1])
    w_true, b_true = np.array([2.0, -0.3, 15.0]), 0.5  # each feature matters
    p = 1 / (1 + np.exp(-(X @ w_true + b_true)))
    y = (rng.random(n) < p).astype(float)  # label 1 with probability p
    return X, y


# --8<-- [end:data]


# --8<-- [start:model]
def loss_and_grads(w, b, X, y):
    """Mean logistic loss of the model sigmoid(X @ w + b), and its gradients."""
    z = X @ w + b
    loss = np.mean(np.logaddexp(0.0, z) - y * z)  # -log-likelihood, stable
    dz = (1 / (1 + np.exp(-z)) - y) / len(y)  # d loss / d z
    return loss, X.T @ dz, np.array([dz.sum()])


# --8<-- [end:model]


# --8<-- [start:fit]
def fit(make_optimizer, X, y, steps: int = 300) -> list[float]:
    """Train w and b from zero with an in-place optimizer; return the losses."""
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    optimizer = make_optimizer([w, b])  # it updates w and b in place
    losses = []
    for _ in range(steps + 1):
        loss, grad_w, grad_b = loss_and_grads(w, b, X, y)
        losses.append(loss)
        optimizer.step([grad_w, grad_b])
    return losses


# --8<-- [end:fit]

if __name__ == "__main__":
    # --8<-- [start:train]
    X, y = make_data()
    losses = fit(lambda params: Adam(params, lr=0.1), X, y)
    for step in (0, 50, 100, 200, 300):
        print(f"step {step:3d}: loss {losses[step]:.4f}")
    # --8<-- [end:train]


# --8<-- [start:racers]
RACERS = {  # name: (colour, optimizer on Rosenbrock, optimizer on the valley)
    "SGD": ("sgd", lambda p: SGD(p, lr=1e-3),
            lambda p: SGD(p, lr=0.07)),
    "momentum": ("momentum", lambda p: EMAMomentum(p, lr=1e-2),
                 lambda p: EMAMomentum(p, lr=0.2)),
    "RMSProp": ("rmsprop", lambda p: RMSProp(p, lr=1e-2),
                lambda p: RMSProp(p, lr=0.05)),
    "Adam": ("adam", lambda p: Adam(p, lr=0.05),
             lambda p: Adam(p, lr=0.1)),
}
STEPS = {"rosenbrock": 1000, "valley": 60}
# --8<-- [end:racers]

if __name__ == "__main__":
    # --8<-- [start:race]
    print("loss after     Rosenbrock, 1000 steps   valley, 60 steps")
    for name, (_, on_rosenbrock, on_valley) in RACERS.items():
        r = trajectory(on_rosenbrock, ROSENBROCK, steps=STEPS["rosenbrock"])[-1]
        v = trajectory(on_valley, VALLEY, steps=STEPS["valley"])[-1]
        print(f"{name:12s} {ROSENBROCK.loss(*r):24.2e} {VALLEY.loss(*v):18.2e}")
    # --8<-- [end:race]

    # On the page, the post's Example 3 (run before this block) defines this function:
    adam_simplified_update = run_section("example3")[0]["adam_simplified_update"]
    # --8<-- [start:example3_loop]
    theta_adam, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
    theta_post = np.zeros(1)
    for t in range(1, 201):
        g = np.array([1.1 if t % 2 else -0.9])  # zig-zags around a mean of 0.1
        theta_adam, m, v = adam_step(theta_adam, g, m, v, t, lr=0.01)
        # The post's function returns only params: m and v restart from zero.
        zero = np.zeros(1)
        theta_post = adam_simplified_update(theta_post, g, zero, zero, t, lr=0.01)
    print(f"after 200 steps: Adam at {theta_adam[0]:+.4f},"
          f" Example 3 in a loop at {theta_post[0]:+.4f}")
    # --8<-- [end:example3_loop]


# Figures ---------------------------------------------------------------------


def _contours(ax, surface: Surface, theme, levels: int = 10) -> None:
    """Log-spaced contour lines of a surface, in the scheme's grid colour."""
    (x0, x1), (y0, y1) = surface.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, 61), np.linspace(y0, y1, 61))
    z = surface.loss(x, y)
    lo = max(z.min(), z.max() * 1e-3)
    ax.contour(x, y, z, levels=np.geomspace(lo, z.max(), levels), colors=theme.grid,
               linewidths=0.7)
    ax.plot(*surface.minimum, "*", color=theme.text, markersize=9, zorder=5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


@figure(
    "four-optimizers",
    alt=(
        "Two contour maps with the paths of SGD, momentum, RMSProp and Adam. Top, "
        "Rosenbrock's banana-shaped valley, 1000 steps from (-1.2, 1): SGD and RMSProp "
        "stop partway along the curved floor, momentum and Adam reach the minimum at "
        "(1, 1). Bottom, the narrow quadratic valley, 60 steps from (-2.5, 1): SGD and "
        "momentum zig-zag across it, RMSProp and Adam go diagonally to the minimum."
    ),
    size=(5.6, 6.2),
)
def four_optimizers(fig, theme):
    """The four optimizers on Rosenbrock and on the valley."""
    import matplotlib  # only when drawn: importing snippets stays cheap

    with matplotlib.rc_context({"path.simplify_threshold": 0.5}):  # a smaller SVG
        _four_optimizers(fig, theme)


def _four_optimizers(fig, theme) -> None:
    """Draw four_optimizers (paths simplified to half a pixel)."""
    top, bottom = fig.subplots(2, 1)
    for ax, surface, which in ((top, ROSENBROCK, 1), (bottom, VALLEY, 2)):
        _contours(ax, surface, theme)
        steps = STEPS[surface.name]
        for width, (name, racer) in zip((4.5, 2.0, 3.0, 1.4), RACERS.items(), strict=True):
            path = trajectory(racer[which], surface, steps=steps)
            ax.plot(*path.T, color=COLORS[racer[0]], linewidth=width, label=name)
            ax.plot(*path[-1], "o", color=COLORS[racer[0]], markersize=7,
                    markeredgecolor=theme.text, markeredgewidth=0.8, zorder=6)
        ax.set_title(f"{surface.name.capitalize()}, {steps} steps", fontsize=10)
        ax.set_xlabel("$x$")
        ax.set_ylabel("$y$")
    top.set_xlim(-1.5, 1.5)
    top.set_ylim(-0.5, 1.5)
    top.legend(loc="lower right", fontsize=8, ncols=2)


@figure(
    "logistic-loss",
    alt=(
        "Training loss of the logistic regression example over 300 steps on a log "
        "step axis: Adam with learning rate 0.1 falls from 0.69 to 0.33 within about "
        "100 steps; SGD with learning rate 0.15, the largest that does not first push "
        "the loss up, falls more slowly and creeps along at 0.41 after 300 steps, "
        "because the feature on the scale 0.1 gets gradients a hundred times smaller."
    ),
    size=(5.6, 3.2),
)
def logistic_loss(fig, theme):
    """Adam against SGD on the worked example's logistic regression."""
    ax = fig.subplots()
    X, y = make_data()
    step = np.arange(301)
    for name, color, make in (
        ("SGD, lr = 0.15", "sgd", lambda p: SGD(p, lr=0.15)),
        ("Adam, lr = 0.1", "adam", lambda p: Adam(p, lr=0.1)),
    ):
        ax.plot(step[1:], fit(make, X, y)[1:], color=COLORS[color], label=name)
    ax.set_xscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.grid(True, linewidth=0.5)
    ax.legend(fontsize=8)


@figure(
    "efficient-epsilon",
    alt=(
        "First step of Adam, in units of the learning rate, against the gradient "
        "magnitude on a log scale, for Algorithm 1 and for the efficient form with "
        "eps-hat equal to eps as Keras computes it, at step 1 and at step 1000. "
        "Algorithm 1 reaches half a step at a gradient of 1e-8 at every step; the "
        "efficient form needs a gradient 31.6 times larger at step 1 and 1.26 times "
        "larger at step 1000."
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


@figure(
    "example3-loop",
    alt=(
        "The parameter over 200 steps for a gradient that alternates between 1.1 and "
        "-0.9. Adam, which keeps m and v, moves steadily downhill to about -0.22. The "
        "source post's Example 3 called in a loop, which starts m and v from zero at "
        "every call, zig-zags by about the learning rate each step and ends where it "
        "started."
    ),
    size=(5.6, 3.0),
)
def example3_loop(fig, theme):
    """Adam against the post's Example 3 used in a training loop."""
    ax = fig.subplots()
    adam_path, post_path = example3_paths(200)
    t = np.arange(1, 201)
    ax.plot(t, post_path, color=theme.muted, linewidth=1,
            label="Example 3 in a loop (m, v thrown away)")
    ax.plot(t, adam_path, color=COLORS["adam"], label="Adam (m, v kept)")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$\theta_t$")
    ax.grid(True, linewidth=0.5)
    ax.legend(fontsize=8, loc="lower left")


def example3_paths(steps: int, lr: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """theta over `steps` steps of Adam and of the post's Example 3 in a loop."""
    post_update = run_section("example3")[0]["adam_simplified_update"]
    theta, m, v, post = np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1)
    adam_path, post_path = [], []
    for t in range(1, steps + 1):
        g = np.array([1.1 if t % 2 else -0.9])
        theta, m, v = adam_step(theta, g, m, v, t, lr=lr)
        post = post_update(post, g, np.zeros(1), np.zeros(1), t, lr=lr)
        adam_path.append(theta[0])
        post_path.append(post[0])
    return np.array(adam_path), np.array(post_path)
