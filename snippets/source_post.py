"""The source post's three examples, quoted as published, so that the pages can run them.

The post is "How can I intuitively understand the Adam optimizer?" (2024). Its code is
kept exactly as published (only indented under the guard below): the pages show it, run
it, print what it prints, and then say what it gets right and what it gets wrong. The
examples print as they run, so they sit under ``if __name__ == "__main__":``: importing
this module runs nothing; ``python -m snippets.source_post`` prints what the pages show,
and ``run_section(*names)`` runs examples as a page runs them.
"""

# ruff: noqa: E501 - the post's code is quoted as published, long lines and all.

import contextlib
import io
import textwrap
from pathlib import Path


def run_section(*names: str) -> tuple[dict, str]:
    """Run quoted sections in order in one namespace, as a page runs them.

    Return the namespace and everything the sections printed.
    """
    source = Path(__file__).read_text()
    namespace: dict = {"__name__": "source_post_example"}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        for name in names:
            start, end = f"# --8<-- [start:{name}]\n", f"# --8<-- [end:{name}]"
            if start not in source:
                raise ValueError(f"no section {name!r} in {Path(__file__).name}")
            body = source.split(start, 1)[1].split(end, 1)[0]
            lines = [line for line in body.splitlines() if "# --8<-- [" not in line]
            code = compile(textwrap.dedent("\n".join(lines)), f"<{name}>", "exec")
            exec(code, namespace)
    return namespace, printed.getvalue()


if __name__ == "__main__":
    # --8<-- [start:example1]
    # --8<-- [start:adam_numpy]
    import numpy as np

    def adam_numpy(params, grads, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
        """
        Performs one step of the Adam optimization algorithm.

        Args:
        params: NumPy array of parameters to be updated.
        grads: NumPy array of gradients corresponding to the parameters.
        m: NumPy array of first moment estimates.
        v: NumPy array of second moment estimates.
        t: Integer representing the timestep
        lr: Learning rate.
        beta1: Exponential decay rate for the first moment.
        beta2: Exponential decay rate for the second moment.
        epsilon: A small value to prevent division by zero.

        Returns:
        Updated parameters, updated first and second moment estimates.
        """
        m = beta1 * m + (1 - beta1) * grads
        v = beta2 * v + (1 - beta2) * (grads ** 2)
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        params = params - lr * m_hat / (np.sqrt(v_hat) + epsilon)
        return params, m, v
    # --8<-- [end:adam_numpy]

    #Example Usage
    params = np.array([1.0, 2.0])
    grads = np.array([0.1, -0.2])
    m = np.array([0.0, 0.0])
    v = np.array([0.0, 0.0])
    t = 1

    updated_params, updated_m, updated_v = adam_numpy(params, grads, m, v, t)

    print("Updated parameters:", updated_params)
    print("Updated first moment:", updated_m)
    print("Updated second moment:", updated_v)
    # --8<-- [end:example1]

    # --8<-- [start:example2]
    import numpy as np

    def adaptive_adam_example():
        params = np.array([1.0, 2.0])
        grads = np.array([0.001, 1.0]) #notice the big difference in gradient values
        m = np.array([0.0, 0.0])
        v = np.array([0.0, 0.0])
        t = 1
        lr = 0.01 #global learning rate

        for i in range(10):
          params, m, v = adam_numpy(params, grads, m, v, t, lr)
          t+=1
          print("Iteration:",i,"Updated Parameters:", params)
          if i % 2 == 0:
            grads = grads/5
          else:
            grads = grads*5

    adaptive_adam_example()
    # --8<-- [end:example2]

    # --8<-- [start:example3]
    import numpy as np

    def adam_simplified_update(params, grads, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
        m = beta1 * m + (1 - beta1) * grads
        v = beta2 * v + (1 - beta2) * (grads ** 2)
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        params = params - lr * m_hat / (np.sqrt(v_hat) + epsilon)
        return params
    params = np.array([1.0, 2.0])
    grads = np.array([0.1, -0.2])
    m = np.array([0.0, 0.0])
    v = np.array([0.0, 0.0])
    t = 1

    updated_params = adam_simplified_update(params, grads, m, v, t)

    print("Updated parameters:", updated_params)
    # --8<-- [end:example3]
