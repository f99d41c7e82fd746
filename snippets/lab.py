"""The lab notebook: a small neural network trained with SGD, momentum, RMSProp, Adam and AdamW.

Everything in NumPy: a data set of two interleaved spirals, drawn in the notebook; a
multilayer perceptron (MLP) with its backward pass written out; a minibatch training
loop that takes any optimizer of ``optimizers.py`` or ``adam.py``. Functions at the top
level are what the notebook and tests/test_lab.py use; the blocks under
``if __name__ == "__main__":`` are the notebook's cells (``python -m snippets.lab``
runs them in order, with ``MPLBACKEND=Agg`` to draw nowhere).
"""

from __future__ import annotations

# --8<-- [start:setup]
import numpy as np

# --8<-- [end:setup]
from snippets.adam import Adam
from snippets.notebooks import COLORS
from snippets.optimizers import SGD, HeavyBall, RMSProp


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
    """The length of all weights together (the biases left out), as weight decay sees it."""
    return float(np.sqrt(sum(np.sum(W**2) for W in params[::2])))


# --8<-- [end:weight_norm]


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

    fig, ax = plt.subplots(figsize=(4.2, 4.2), layout="constrained")
    plot_points(ax, X, y)
    ax.set_title("the training set")
    ax.legend(loc="lower right", fontsize=8)
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

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.4), layout="constrained")
    for name, (colour, style, _) in OPTIMIZERS.items():
        left.plot(histories[name]["loss"], style, color=colour, label=name)
        right.plot(np.arange(1, epochs + 1), histories[name]["val_accuracy"], style,
                   color=colour, label=name)
    left.set(yscale="log", xlabel="epoch", ylabel="training loss")
    right.set(ylim=(0.5, 1), xlabel="epoch", ylabel="validation accuracy")
    left.legend(fontsize=8)
    plt.show()
    # --8<-- [end:race]

    # --8<-- [start:boundaries]
    fig, axes = plt.subplots(1, 2, figsize=(8, 4), layout="constrained")
    for ax, name in zip(axes, ["SGD", "Adam"], strict=True):
        plot_boundary(ax, histories[name]["params"], X_val, y_val)
        ax.set_title(f"{name}: {histories[name]['val_accuracy'][-1]:.1%} of the "
                     "validation set right", fontsize=10)
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
