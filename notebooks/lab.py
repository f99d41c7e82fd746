# ---
# jupyter:
#   description: >-
#     The lab: a small neural network written in NumPy learns two interleaved
#     spirals, trained with SGD, momentum, RMSProp, Adam and AdamW; compare their loss
#     curves, decision boundaries and weight decay.
#   typed_numbers:
#     what the notebook needs (Python version): [3.10]
#     the data (points per spiral, validation points): [200, 400]
#     the network and its training (units per layer, batch size, epochs): [32, 100]
#     the learning-rate grids and the tuned rates: [0.03, 0.001, 0.1, 0.01]
#     the rates Exercise 1 tries: [0.3, 0.003, 0.09]
#     the weight decays the notebook and Exercise 3 try: [0.01, 0.1]
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The lab: five optimizers, one network
#
# The other notebooks run each layer of Adam on 2-D landscapes. This one trains a
# real model: a small neural network, written out in NumPy, learns to tell two
# interleaved spirals apart. The same network, the same data and the same batches
# are trained with SGD, momentum, RMSProp, Adam and AdamW, the optimizers of
# *Adam, Layer by Layer* ([the site](https://adam-layer-by-layer.github.io/adam/)).
# Run it from top to bottom (about ten seconds), then change things and run again. It
# needs Python 3.10 or newer with NumPy and matplotlib.

# %% [markdown]
# ## The optimizers
#
# From the site's modules: the reference `Adam` of `adam.py` (AdamW is the same class
# with `decoupled_weight_decay=True` and a `weight_decay`, as in PyTorch) with its input
# checks, and SGD,
# momentum and RMSProp of `optimizers.py`. Each one updates a list of NumPy arrays in
# place with `step(grads)`.

# %%
--8<-- "snippets/adam.py:setup"
--8<-- "snippets/adam.py:checks"

# %%
--8<-- "snippets/adam.py:Adam"

# %%
--8<-- "snippets/optimizers.py:optimizer"
--8<-- "snippets/optimizers.py:sgd"
--8<-- "snippets/optimizers.py:heavy_ball"
--8<-- "snippets/optimizers.py:rmsprop"
--8<-- "snippets/optimizers.py:no_bias_correction"

# %% [markdown]
# ## The data
#
# Two spirals of 200 points each, with a little noise, and 400 new points of the
# same spirals to check the network on points it has not trained on (the validation
# set):

# %%
--8<-- "snippets/lab.py:setup"
--8<-- "snippets/notebooks.py:colors"
--8<-- "snippets/lab.py:pyplot"
--8<-- "snippets/lab.py:data"
--8<-- "snippets/lab.py:plotting"

# %%
--8<-- "snippets/lab.py:make_data"

# %% [markdown]
# ## The network
#
# A multilayer perceptron: the two coordinates of a point go through two layers of
# 32 units with the ReLU activation, $\max(z, 0)$, and a last layer gives one number
# $z$; the network says class 1 when $z > 0$. Its loss is the logistic loss,
# $\log(1 + e^{z}) - y z$ averaged over the points, and `loss_and_grads` computes its
# gradient with respect to every weight by the chain rule, layer by layer from the
# last (backpropagation).

# %%
--8<-- "snippets/lab.py:mlp"

# %% [markdown]
# A backward pass written by hand deserves a check: nudge single weights by $\pm h$
# and compare the change in the loss with the gradient.

# %%
--8<-- "snippets/lab.py:gradient_check"

# %% [markdown]
# ## Training
#
# `train` starts every optimizer from the same weights, shows it the training points
# in the same random batches of 32, and records the loss on the whole training set
# and the accuracy on the validation set after each epoch (one pass over the data,
# [[value: lab-steps-per-epoch]] steps).

# %%
--8<-- "snippets/lab.py:train"

# %% [markdown]
# Each optimizer gets the learning rate that ends with the lowest training loss on a grid
# spaced by factors of about 3 (0.03 to 3 for SGD, 0.001 to 0.1 for the others):
# comparing optimizers at one shared learning rate would compare learning rates. The
# one exception is Adam, whose loss at [[value: lab-adam-best-grid-lr]] ends a little
# lower ([[value: lab-adam-best-grid-loss]] against [[value: lab-loss-adam]]); it keeps
# AdamW's best rate, [[value: lab-adamw-best-grid-lr]], so that the two differ only by
# the weight decay. Momentum is PyTorch's `SGD(momentum=0.9)`, whose learning rate 0.1
# takes the steps of Adam's averaging form with 1.0, the same as SGD's.

# %%
--8<-- "snippets/lab.py:optimizers"

# %%
--8<-- "snippets/lab.py:race"

# %% [markdown]
# All five learn the spirals. Adam and RMSProp, which scale each weight's step by its
# own gradient history, end with a training loss [[value: lab-loss-ratio-min]] to
# [[value: lab-loss-ratio-max]] times lower than SGD and momentum after the same 100
# epochs. AdamW's curve lies close to Adam's (its weight decay is the subject of the
# last section). The validation accuracy ends between [[value: lab-accuracy-min]] and
# [[value: lab-accuracy-max]]. Part of the rest cannot be had: the noise carries some
# points onto the other spiral, and even the best possible classifier, one that knows
# how the spirals were drawn, gets only [[value: lab-bayes-accuracy]] of the validation
# points right.
#
# What the networks learned, drawn on the validation points (shaded: where the network
# says class 1):

# %%
--8<-- "snippets/lab.py:boundaries"

# %% [markdown]
# **Exercise 1.** How sensitive is each optimizer to its learning rate? In the cell
# with `OPTIMIZERS`, give each one three times its best learning rate on the grid (SGD
# 3, momentum 0.3, RMSProp 0.03, and Adam 0.09: Adam's best on the grid is
# [[value: lab-adam-best-grid-lr]], not the 0.01 it races with), run that cell and the
# race again; then a third of the best rate (SGD 0.3, momentum 0.03, RMSProp 0.003,
# Adam 0.01).
#
# <details class="success"><summary>What you should see</summary>
#
# Training loss after 100 epochs:
#
# | | SGD | momentum | RMSProp | Adam |
# |---|---|---|---|---|
# | the best rate on the grid | [[value: lab-loss-sgd]] | [[value: lab-loss-momentum]] | [[value: lab-loss-rmsprop]] | [[value: lab-adam-best-grid-loss]] |
# | three times the rate | [[value: lab-loss-sgd-triple]] | [[value: lab-loss-momentum-triple]] | [[value: lab-loss-rmsprop-triple]] | [[value: lab-loss-adam-triple]] |
# | a third of the rate | [[value: lab-loss-sgd-third]] | [[value: lab-loss-momentum-third]] | [[value: lab-loss-rmsprop-third]] | [[value: lab-loss-adam-third]] |
#
# Three times its best rate raises every optimizer's training loss, Adam's included:
# SGD's [[value: lab-triple-ratio-sgd]] times, Adam's [[value: lab-triple-ratio-adam]]
# times, momentum's [[value: lab-triple-ratio-momentum]] times and RMSProp's
# [[value: lab-triple-ratio-rmsprop]] times. Too large a rate hurts SGD most: at 3 it
# ends with [[value: lab-accuracy-sgd-triple]] on the validation set, against
# [[value: lab-accuracy-sgd]] at its best rate. A third of the best rate raises every
# loss too, from [[value: lab-third-ratio-min]] times (Adam) to
# [[value: lab-third-ratio-max]] times (RMSProp).
#
# </details>
#
# **Exercise 2.** Replace `Adam(p, lr=0.01)` by `AdamNoBiasCorrection(p, lr=0.01)`
# for "Adam" and run the race again.
#
# <details class="success"><summary>What you should see</summary>
#
# Without bias correction the first steps are several times too long (layer 4), and
# the run does not recover from them within 100 epochs: training loss
# [[value: lab-loss-no-bias-correction]] instead of [[value: lab-loss-adam]], and
# [[value: lab-accuracy-no-bias-correction]] instead of [[value: lab-accuracy-adam]] on
# the validation set.
#
# </details>

# %% [markdown]
# ## Weight decay: L2 or AdamW?
#
# Weight decay pulls the weights towards zero to keep them small. There are two ways
# to add it to Adam, and they differ. With `weight_decay` alone (an L2 penalty), the
# pull $\lambda\theta$ is added to the gradient, so it goes through Adam's division by
# $\sqrt{\hat v}$: for a weight whose gradients are small the pull dominates, and it
# is pulled at nearly the full rate of `lr` per step. AdamW decouples it: each step
# shrinks every weight by the same fraction, `lr * weight_decay`, outside the adaptive
# step.
#
# Both shrink every parameter the optimizer is given, the biases included: the lab's
# `Adam` decays all of them, as PyTorch's does unless the biases are put in a parameter
# group of their own with `weight_decay=0`. `weight_norm` measures the weight matrices
# only, the biases left out.

# %%
--8<-- "snippets/lab.py:weight_norm"
--8<-- "snippets/lab.py:weight_decay"

# %% [markdown]
# The same coefficient, 0.01, does very different things. As an L2 penalty it
# shrinks the weights [[value: lab-l2-shrink]] times and the network no longer fits the
# spirals ([[value: lab-l2-accuracy]] on the validation set); AdamW's decay,
# [[value: lab-adamw-decay-per-step]] of each weight per step, shrinks them by
# [[value: lab-adamw-shrink]] and costs little here. On this small problem neither
# improves the validation accuracy; AdamW is the usual choice for large networks
# trained for long, where Loshchilov and Hutter found its decoupled decay to
# generalize better than L2 and to be easier to tune.
#
# **Exercise 3.** Set AdamW's `weight_decay` to 0.1 in `OPTIMIZERS` and run the race
# and the last cell again.
#
# <details class="success"><summary>What you should see</summary>
#
# The weights' norm drops from [[value: lab-norm-adamw]] to about
# [[value: lab-norm-adamw-strong]] and the training loss rises to
# [[value: lab-loss-adamw-strong]], while the validation accuracy stays near
# [[value: lab-accuracy-adamw-strong]]: a stronger decay trades training loss for
# smaller weights. On this small problem it does not improve the
# validation accuracy, which the overlapping points cap at [[value: lab-bayes-accuracy]].
#
# </details>
#
# **More to try:** another `seed` for `make_spirals` or `train`; `batch=400` (one step
# per epoch: plain gradient descent); a wider network, `init_mlp(sizes=(2, 64, 64, 1))`
# (change it in `train`); `betas=(0.9, 0.9)` for Adam.
