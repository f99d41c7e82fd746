"""The notebooks of the four layers: plotting helpers, and the cells only a notebook has.

A notebook (``notebooks/<layer>.py``) runs the sections of its page's module and of
the shared modules, then these cells: plots and experiments with the numbers to change
at the top of the cell, for the exercises. ``plot_paths`` and ``plot_curves`` draw in
the colours of the reader's matplotlib style (``rcParams``), so importing this module
needs no matplotlib. The blocks under ``if __name__ == "__main__":`` are the cells, in
the order of the notebooks (``MPLBACKEND=Agg python -m snippets.notebooks`` runs them).
"""

from __future__ import annotations

from dataclasses import replace

# --8<-- [start:setup]
from functools import partial

import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam, adam_step
from snippets.landscape import loss_along, noise_floor
from snippets.momentum import ema, rate, steps_to
from snippets.optimizers import (
    SGD,
    EMAMomentum,
    RMSProp,
    adam_step_no_bias_correction,
    trajectory,
)
from snippets.second_moment import step_sizes
from snippets.surfaces import BOWL, VALLEY, bowl_grad, bowl_loss, noisy

# --8<-- [start:colors]
COLORS = {  # one colour per optimizer, the same as in the site's figures
    "sgd": "#8c8c8c",
    "momentum": "#0077bb",
    "rmsprop": "#009e73",
    "adam": "#d55e00",
    "adamw": "#ee3377",
}
# --8<-- [end:colors]


# --8<-- [start:plotting]
def plot_paths(ax, surface, paths: dict, levels: int = 10) -> None:
    """Contour lines of a surface, its minimum (a star) and paths {label: (points, colour)}."""
    from matplotlib import rcParams  # the colours of your matplotlib style

    (x0, x1), (y0, y1) = surface.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, 50), np.linspace(y0, y1, 50))
    z = surface.loss(x, y)
    lowest = max(z.min(), 1e-3 * z.max())  # contour lines evenly spaced in log(loss)
    ax.contour(x, y, z, levels=np.geomspace(lowest, z.max(), levels),
               colors=rcParams["grid.color"], linewidths=0.8)
    ax.plot(*surface.minimum, "*", color=rcParams["text.color"], ms=9, zorder=5)
    for label, (points, colour) in paths.items():
        outside = (np.abs(points - np.mean(surface.bounds, axis=1))
                   > np.ptp(surface.bounds, axis=1) / 2).any(axis=1)
        if outside.any():  # a path that leaves the map is drawn up to where it leaves
            points = points[: np.argmax(outside) + 1]
        ax.plot(points[:, 0], points[:, 1], ".-", color=colour, ms=3, lw=1.2, label=label)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", xticks=[], yticks=[],
           xlabel="$x$", ylabel="$y$")


def plot_curves(ax, curves: dict, ylabel: str, xlabel: str = "step $t$") -> None:
    """One line per {label: (values, colour, line style)}, on a log scale, with a legend."""
    for label, (values, colour, style) in curves.items():
        ax.plot(values, style, color=colour, label=label)
    ax.set(yscale="log", xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)


# --8<-- [end:plotting]

if __name__ == "__main__":
    # --8<-- [start:pyplot]
    import matplotlib.pyplot as plt

    # --8<-- [end:pyplot]

    # Layer 1: the loss landscape ---------------------------------------------------

    # --8<-- [start:landscape_step_sizes]
    alphas = [0.01, 0.07, 0.085]  # the learning rates to compare; 2/L = 0.08 on VALLEY
    steps = 50

    fig, axes = plt.subplots(2, 2, figsize=(8, 5.5), layout="constrained")
    losses = {}
    for ax, alpha, style in zip(axes.flat, alphas, [":", "-", "--"], strict=False):
        path = trajectory(partial(SGD, lr=alpha), VALLEY, steps=steps)
        name = rf"$\alpha = {alpha}$"
        plot_paths(ax, VALLEY, {name: (path, COLORS["sgd"])}, levels=8)
        ax.set_title(name)
        losses[name] = (loss_along(path, VALLEY), COLORS["sgd"], style)
    plot_curves(axes.flat[-1], losses, ylabel="loss")
    plt.show()
    # --8<-- [end:landscape_step_sizes]

    # --8<-- [start:landscape_noise]
    noise = 1.0  # the standard deviation of the noise on each gradient coordinate
    steps = 4000
    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    for alpha, style in [(0.04, "-"), (0.01, "--")]:
        path = trajectory(partial(SGD, lr=alpha), noisy(VALLEY, noise), steps=steps)
        loss = loss_along(path, VALLEY)  # the true loss at each point of the noisy path
        floor = noise_floor(alpha, [1, 25], noise)
        print(f"alpha = {alpha}: average loss over steps 1000-{steps} {loss[1000:].mean():.4f},"
              f" formula {floor:.4f}")
        ax.plot(np.arange(0, steps + 1, 10), loss[::10], style, color=COLORS["sgd"], lw=1,
                label=rf"$\alpha = {alpha}$")
        ax.axhline(floor, ls=":", color=plt.rcParams["text.color"], lw=1)
    ax.set(yscale="log", ylim=(1e-4, 30), xlabel="step $t$", ylabel="loss")
    ax.legend()
    plt.show()
    # --8<-- [end:landscape_noise]

    # --8<-- [start:landscape_one_rate]
    alpha = 2 / (0.1 + 10)  # the best single learning rate for BOWL's curvatures 0.1 and 10
    steps = 60
    path = trajectory(partial(SGD, lr=alpha), BOWL, steps=steps)

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.4), layout="constrained")
    plot_paths(left, BOWL, {rf"$\alpha = {alpha:.3f}$": (path, COLORS["sgd"])})
    left.set_title(f"{steps} steps of gradient descent")
    plot_curves(right, {"|x| (curvature 0.1)": (np.abs(path[:, 0]), COLORS["sgd"], "-"),
                        "|y| (curvature 10)": (np.abs(path[:, 1]), COLORS["sgd"], "--")},
                ylabel="distance to the minimum")
    plt.show()
    # --8<-- [end:landscape_one_rate]

    # Layer 2: momentum ---------------------------------------------------------------

    # --8<-- [start:momentum_ema_noise]
    betas = [0.9, 0.99]  # the values of beta1 to compare
    rng = np.random.default_rng(1)
    t = np.arange(1, 401)
    mean = np.where(t <= 150, 1.0, -0.5)  # the true gradient: 1, then -0.5 from step 151
    g = mean + rng.normal(0.0, 1.0, t.size)  # what each step sees: the mean plus noise

    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    ax.plot(t, g, ".", ms=2, color=plt.rcParams["grid.color"], label="gradient $g_t$")
    ax.plot(t, mean, "--", color=plt.rcParams["text.color"], lw=1, label="its mean")
    for beta1, style in zip(betas, ["-", ":", "-.", "--"], strict=False):
        ax.plot(t, ema(g, beta1), style, color=COLORS["momentum"], lw=2,
                label=rf"$m_t$, $\beta_1 = {beta1}$")
    ax.set(ylim=(-3.2, 3.6), xlabel="step $t$", ylabel="gradient")
    ax.legend(ncols=2, fontsize=8)
    plt.show()
    # --8<-- [end:momentum_ema_noise]

    # --8<-- [start:momentum_valley]
    alpha, beta1 = 0.15, 0.5  # momentum's settings; gradient descent runs at 0.075
    shown = 60  # steps drawn
    runs = {  # name: (optimizer, colour, label on the plot)
        "gradient descent": (partial(SGD, lr=0.075), COLORS["sgd"], r"$\alpha = 0.075$"),
        "momentum": (partial(EMAMomentum, lr=alpha, beta=beta1), COLORS["momentum"],
                     rf"$\alpha = {alpha}$, $\beta_1 = {beta1}$"),
    }
    paths = {}
    for name, (make, colour, label) in runs.items():
        path = trajectory(make, VALLEY, steps=300)
        print(f"{name}: loss below 1e-6 after {steps_to(path, VALLEY) or 'never'} steps")
        paths[f"{name}, {label}"] = (path[: shown + 1], colour)

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.4), layout="constrained",
                                      width_ratios=[1.4, 1])
    plot_paths(left, VALLEY, paths)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=8)
    for path, colour in paths.values():
        right.semilogy(np.abs(path[:, 1]), color=colour)  # across the valley
        right.semilogy(np.abs(path[:, 0]), "--", color=colour)  # along it
    right.set(ylim=(1e-5, 5), xlabel="step $t$",
              ylabel="distance to the minimum\nacross (solid), along (dashed)")
    plt.show()
    # --8<-- [end:momentum_valley]

    # --8<-- [start:momentum_betas]
    alpha = 0.075  # the same learning rate for every panel
    betas = [0.0, 0.5, 0.9, 0.99]
    steps = 80

    fig, axes = plt.subplots(2, 2, figsize=(8, 4.6), layout="constrained")
    for ax, beta1 in zip(axes.flat, betas, strict=True):
        path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=steps)
        colour = COLORS["sgd"] if beta1 == 0 else COLORS["momentum"]
        plot_paths(ax, VALLEY, {"": (path, colour)}, levels=8)
        factor = max(rate(alpha, beta1, 25), rate(alpha, beta1, 1))
        ax.set_title(rf"$\beta_1 = {beta1}$: factor {factor:.3f} per step", fontsize=10)
    plt.show()
    # --8<-- [end:momentum_betas]

    # Layer 3: the second moment ------------------------------------------------------

    # --8<-- [start:second_moment_noise]
    beta1, beta2 = 0.9, 0.999
    noise_levels = [0.0, 1.0, 3.0]  # the spread of the gradient around its mean, 0.3
    steps = 3000

    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    rng = np.random.default_rng(0)
    for noise, style in zip(noise_levels, ["-", "--", ":", "-."], strict=False):
        grads = 0.3 + noise * rng.standard_normal(steps)
        sizes = step_sizes(grads, step=partial(adam_step, beta1=beta1, beta2=beta2))
        print(f"noise {noise}: average step {sizes[1000:].mean():.3f} lr; "
              f"mean/rms of the gradient {0.3 / np.hypot(0.3, noise):.3f}")
        every = np.arange(0, steps, 10)  # every 10th step is enough for the eye
        ax.plot(every + 1, sizes[every], style, color=COLORS["adam"], lw=1,
                label=f"noise {noise}")
    ax.set(yscale="log", ylim=(1e-3, 3), xlabel="step $t$", ylabel="step / lr")
    ax.legend(fontsize=8)
    plt.show()
    # --8<-- [end:second_moment_noise]

    # --8<-- [start:second_moment_race]
    c = 1.0  # multiply the loss, and so every gradient, by c
    surface = replace(BOWL, loss=lambda x, y: c * bowl_loss(x, y),
                      grad=lambda x, y: c * bowl_grad(x, y))
    steps = 60
    racers = {  # name: (colour, the optimizer for params)
        "SGD, lr=0.18": (COLORS["sgd"], lambda p: SGD(p, lr=0.18)),
        "momentum, lr=0.5": (COLORS["momentum"], lambda p: EMAMomentum(p, lr=0.5, beta=0.9)),
        "RMSProp, lr=0.05": (COLORS["rmsprop"], lambda p: RMSProp(p, lr=0.05, alpha=0.99)),
        "Adam, lr=0.05": (COLORS["adam"], lambda p: Adam(p, lr=0.05)),
    }

    print(f"distance to the minimum after 20 and {steps} steps:")
    fig, axes = plt.subplots(2, 2, figsize=(8, 7), layout="constrained")
    for ax, (name, (colour, make)) in zip(axes.flat, racers.items(), strict=True):
        path = trajectory(make, surface, steps=steps)
        print(f"{name:17s} {np.hypot(*path[20]):.3g} {np.hypot(*path[-1]):.3g}")
        plot_paths(ax, surface, {name: (path, colour)}, levels=8)
        ax.set_title(name, fontsize=10)
    plt.show()
    # --8<-- [end:second_moment_race]

    # Layer 4: bias correction --------------------------------------------------------

    # --8<-- [start:bias_step_sizes]
    beta1, beta2 = 0.9, 0.999
    steps = 2000
    grads = np.full(steps, 0.3)  # the same gradient at every step


    def uncorrected(params, grads, m, v, t, lr):
        """One step of Adam without its bias corrections, with these betas."""
        return adam_step_no_bias_correction(params, grads, m, v, lr, beta1, beta2)


    with_ = step_sizes(grads, step=partial(adam_step, beta1=beta1, beta2=beta2))
    without = step_sizes(grads, step=uncorrected)
    print(f"first step: {without[0]:.2f} lr without correction, {with_[0]:.2f} lr with it")
    print(f"largest step without correction: {without.max():.2f} lr at t = {without.argmax() + 1}")

    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    t = np.arange(1, steps + 1)
    ax.plot(t, without, "--", color=plt.rcParams["text.color"], label="without correction")
    ax.plot(t, with_, color=COLORS["adam"], label="with correction (Adam)")
    ax.set(xscale="log", xlabel="step $t$", ylabel="step / lr")
    ax.legend(fontsize=8)
    plt.show()
    # --8<-- [end:bias_step_sizes]
