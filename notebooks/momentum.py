# ---
# jupyter:
#   description: >-
#     Notebook for layer 2: average noisy gradients with an EMA, run momentum on the
#     valley at a learning rate where gradient descent diverges, and see what beta1
#     does to the path.
#   typed_numbers:
#     what the notebook needs (Python version): [3.10]
#     the valley's curvatures: [25]
#     the noisy gradient's settings (means, the step where it drops): [-0.5, 150]
#     the values of beta1 the notebook and its exercises try: [0.5, 0.9, 0.99]
#     the learning rates of the runs and the exercises: [0.15, 0.075, 0.1]
#     the learning rates the momentum page compares floors at: [0.01, 0.07]
#     Exercise 4's number of steps: [100]
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Notebook 2: momentum
#
# This notebook runs the code of layer 2 of *Adam, Layer by Layer*,
# [momentum](https://adam-layer-by-layer.github.io/adam/momentum/), and adds plots and
# exercises. Run it from top to bottom, then change the numbers at the top of a cell
# and run that cell again. It needs Python 3.10 or newer with NumPy and matplotlib.
#
# Momentum steps along a running average of the gradients instead of the newest
# one. With $g_t$ the gradient at step $t$, $m_0 = 0$ and $\beta_1$ between 0 and 1:
#
# $$m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad \theta_t = \theta_{t-1} - \alpha\, m_t .$$
#
# With $\beta_1 = 0$ this is gradient descent again.

# %% [markdown]
# ## The code from the site
#
# The argument checks of `adam.py`, the landscapes of `surfaces.py`, the optimizers
# and `trajectory` of `optimizers.py`, and the plotting helpers of these notebooks:

# %%
--8<-- "snippets/adam.py:setup"
--8<-- "snippets/adam.py:checks"

# %%
--8<-- "snippets/surfaces.py:setup"
--8<-- "snippets/surfaces.py:surface"
--8<-- "snippets/surfaces.py:valley"

--8<-- "snippets/surfaces.py:bowl"

--8<-- "snippets/optimizers.py:optimizer"
--8<-- "snippets/optimizers.py:sgd"
--8<-- "snippets/optimizers.py:trajectory"

# %%
--8<-- "snippets/notebooks.py:setup"
--8<-- "snippets/notebooks.py:pyplot"
--8<-- "snippets/notebooks.py:colors"
--8<-- "snippets/notebooks.py:plotting"

# %% [markdown]
# ## The exponential moving average
#
# `ema` computes every $m_t$ of a sequence of gradients. Fed the same gradient three
# times, it reaches only [[value: nb-momentum-ema-three-steps]] of it: it starts at zero
# (layer 4 repairs that).

# %%
--8<-- "snippets/momentum.py:setup"
--8<-- "snippets/momentum.py:ema"
--8<-- "snippets/momentum.py:ema_print"

# %% [markdown]
# $m_t$ weighs the gradient of $k$ steps ago by $(1 - \beta_1)\beta_1^k$: it remembers
# roughly the last $1/(1 - \beta_1)$ gradients.

# %%
--8<-- "snippets/momentum.py:ema_weights"
--8<-- "snippets/momentum.py:memory"

# %% [markdown]
# Averaging shrinks the noise of the direction and costs a lag. Below, a noisy gradient
# whose mean drops from 1 to $-0.5$ after step 150, and its EMA for two values of
# $\beta_1$:

# %%
--8<-- "snippets/notebooks.py:momentum_ema_noise"

# %%
--8<-- "snippets/momentum.py:noise"

# %% [markdown]
# **Exercise 1.** Set `betas = [0.0, 0.5, 0.9, 0.99]` in the cell with the plot. What
# does $\beta_1 = 0$ give, and what is the price of $\beta_1 = 0.99$?
#
# <details class="success"><summary>What you should see</summary>
#
# With $\beta_1 = 0$, $m_t = g_t$: the noise passes through untouched. Each larger
# $\beta_1$ keeps less of it, a fraction $\sqrt{(1 - \beta_1)/(1 + \beta_1)}$ of its
# standard deviation: [[value: nb-momentum-kept-noise-05]] for 0.5,
# [[value: nb-momentum-kept-noise-09]] for 0.9, [[value: nb-momentum-kept-noise-099]] for
# 0.99. The price is the lag: the average trails a changing gradient by
# $\beta_1/(1 - \beta_1)$ steps (the cell under the plot measures it),
# [[value: nb-momentum-lag-099]] with 0.99 and one with 0.5. With 0.99 the average is
# still far from the new mean long after the drop, and it climbs from zero as slowly at
# the start.
#
# </details>
#
# A smoother average is a steadier direction, not always a path that settles closer
# to the minimum: with noisy gradients and a small learning rate $\alpha$ (here 0.01,
# an eighth of gradient descent's limit), momentum in this averaging form jitters
# about the minimum about as much as gradient descent at the same $\alpha$: its floor
# is [[value: momentum-floor-drop-small]] lower. What lowers that floor is a smaller
# $\alpha$. Near gradient descent's limit it is another matter: at $\alpha = 0.07$
# momentum's floor is [[value: momentum-floor-drop-large]] lower, because the average
# also damps the swing across the steep direction (the
# [momentum page](https://adam-layer-by-layer.github.io/adam/momentum/) measures both).

# %% [markdown]
# ## Momentum on the valley
#
# The valley $f(x, y) = \tfrac12(x^2 + 25y^2)$ is where gradient descent zig-zags: it
# is stable only for $\alpha < 2/25$, that is [[value: nb-valley-limit]]. Momentum
# averages the zig-zag away, so it runs at $\alpha = 0.15$, above that limit and twice
# the 0.075 gradient descent runs at:

# %%
--8<-- "snippets/optimizers.py:heavy_ball"
--8<-- "snippets/optimizers.py:ema_momentum"

--8<-- "snippets/momentum.py:rate"

# %%
--8<-- "snippets/notebooks.py:momentum_valley"

# %% [markdown]
# **Exercise 2.** Set `beta1 = 0` in the cell above and run it again. What changes,
# and why? Then try `beta1 = 0.9`.
#
# <details class="success"><summary>What you should see</summary>
#
# With $\beta_1 = 0$ the blue run is gradient descent at $\alpha = 0.15$, above its
# limit of [[value: nb-valley-limit]]: every step multiplies $y$ by $1 - 0.15 \cdot 25$,
# that is [[value: nb-momentum-gd-factor-015]], the path leaves the map at the first step
# and never reaches the minimum. With $\beta_1 = 0.9$ it converges again, but it swings
# past the minimum and back: each step keeps at least $\sqrt{\beta_1}$, here
# [[value: nb-momentum-factor-015-09]], of the distance, so it needs
# [[value: nb-momentum-steps-015-09]] steps instead of the
# [[value: nb-momentum-steps-015-05]] it needs with $\beta_1 = 0.5$.
#
# </details>
#
# Each step multiplies the distance along each direction by a factor that `rate`
# computes; the table shows it across the valley (curvature 25) and along it
# (curvature 1):

# %%
--8<-- "snippets/momentum.py:valley"

# %% [markdown]
# ## How much memory?
#
# The same learning rate, $\alpha = 0.075$, with four values of $\beta_1$:

# %%
--8<-- "snippets/notebooks.py:momentum_betas"

# %%
--8<-- "snippets/momentum.py:betas"

# %% [markdown]
# **Exercise 3.** Set `alpha = 0.3` in the cell with the four maps, nearly four times
# gradient descent's limit. Which values of $\beta_1$ still converge? Compare with the column
# "largest stable alpha" of the table.
#
# <details class="success"><summary>What you should see</summary>
#
# $\beta_1 = 0$ and $0.5$ diverge (their limits are [[value: nb-valley-limit]] and
# [[value: nb-momentum-limit-05]]); $0.9$ and $0.99$ converge, because their limits are
# [[value: nb-momentum-limit-09]] and [[value: nb-momentum-limit-099]]. But a stable run
# is not a fast one: their factors stay at $\sqrt{\beta_1}$,
# [[value: nb-momentum-factor-03-09]] and [[value: nb-momentum-factor-03-099]] per step,
# the price of swinging past the minimum.
#
# </details>

# %% [markdown]
# ## Heavy ball and the EMA: one algorithm, two scales
#
# PyTorch's `SGD(momentum=...)` sums the gradients instead of averaging them (the
# heavy ball). On a steady slope its steps grow to $1/(1 - \beta_1)$ times the EMA's,
# and with the learning rate scaled by that factor the two take the same steps:

# %%
--8<-- "snippets/momentum.py:two_forms"

# %% [markdown]
# **Exercise 4.** In the cell above, set `alpha, beta1 = 0.1, 0.99`. How long is the
# heavy ball's step after 100 steps, and why is it still growing?
#
# <details class="success"><summary>What you should see</summary>
#
# After 100 steps the heavy ball steps $0.1 \cdot (1 - 0.99^{100})/(1 - 0.99)$, that is
# [[value: nb-momentum-heavy-step-099]], on its way to $0.1/(1 - 0.99) = 10$: with
# $\beta_1 = 0.99$ the sum needs several hundred steps to fill up. The EMA's step is
# $1/(1 - \beta_1)$ times smaller, [[value: nb-momentum-ema-step-099]], on its way to
# $\alpha = 0.1$.
#
# </details>

# %% [markdown]
# ## What momentum alone cannot fix
#
# On the badly scaled bowl, tuned momentum needs far fewer steps than the best
# gradient descent, but its cost still grows with the stretch of the landscape, and
# its best setting depends on curvatures an optimizer does not know:

# %%
--8<-- "snippets/momentum.py:best"
--8<-- "snippets/momentum.py:bowl"

# %% [markdown]
# **Next:** [notebook 3, the second moment](https://adam-layer-by-layer.github.io/adam/notebooks/second-moment/),
# which gives every parameter a step size of its own.
