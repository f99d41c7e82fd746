"""How fast is one Adam step? Run ``python -m snippets.benchmark`` (or ``make bench``).

Times, in one process and on one thread, the textbook ``adam_step``, ``Adam.step`` and,
where PyTorch is installed, ``torch.optim.Adam`` with ``foreach=True`` and with
``fused=True``, on 1e3, 1e5 and 1e7 float32 parameters. It also measures how fast one
thread moves data through memory, because an Adam step must read and write at least 7
arrays, 28 bytes per float32 parameter; the time that takes at that speed is a reference
once the arrays no longer fit in the cache. Each time is printed as a multiple of that
reference and as a speed-up over the textbook step. Takes about 15 s.

The speed comes from NumPy's ``a += b``, which does not reach the memory's peak: a step
compiled to one pass (``fused=True``) can stream faster and come out well under 1x the
reference. Small sizes fit in the cache, where fixed costs per call rule.

Public names:
    best_time(run, budget=1.0) -> float: the fastest of repeated runs, in seconds
    memory_bandwidth(n=25_000_000) -> float: bytes per second one thread moves
    contenders(n, with_torch=True) -> dict: name -> a function taking one Adam step on n
        float32 parameters
    main(sizes=(1_000, 100_000, 10_000_000), bandwidth_elements=25_000_000, with_torch=True)
        -> list of (n, name, seconds); prints the table
"""

# --8<-- [start:setup]
import os

# One thread, for every library, set before NumPy or PyTorch start their thread pools.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import time  # noqa: E402 - after the thread settings, on purpose

import numpy as np  # noqa: E402

from snippets.adam import Adam, adam_step  # noqa: E402

BYTES_PER_PARAMETER = 7 * 4  # read p, g, m, v and write p, m, v: 7 float32 arrays

# --8<-- [end:setup]


# --8<-- [start:timing]
def best_time(run, budget: float = 1.0, min_runs: int = 3) -> float:
    """Return the fastest of repeated calls of run(), in seconds, within about `budget` s."""
    run()  # warm up: first-touch page faults, caches, lazy initialisation
    times, spent = [], 0.0
    while len(times) < min_runs or spent < budget:
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return min(times)


# --8<-- [end:timing]


# --8<-- [start:bandwidth]
def memory_bandwidth(n: int = 25_000_000) -> float:
    """Return the bytes per second one thread moves updating a in place from b (a += b)."""
    a = np.ones(n, np.float32)  # 100 MB each: far larger than any cache
    b = np.ones(n, np.float32)
    seconds = best_time(lambda: np.add(a, b, out=a))
    return 3 * a.nbytes / seconds  # read a, read b, write a


# --8<-- [end:bandwidth]


# --8<-- [start:contenders]
def contenders(n: int, with_torch: bool = True) -> dict:
    """Return name -> a function that takes one Adam step on n float32 parameters."""
    rng = np.random.default_rng(0)
    p = rng.standard_normal(n, dtype=np.float32)
    g = rng.standard_normal(n, dtype=np.float32)
    m, v = np.zeros_like(p), np.zeros_like(p)
    optimizer = Adam([p.copy()])
    steps = {
        "textbook adam_step": lambda: adam_step(p, g, m, v, t=1),
        "Adam.step": lambda: optimizer.step([g]),
    }
    if not with_torch:
        return steps
    try:
        import torch
    except ImportError:  # PyTorch is optional: compared with where it is installed
        return steps
    torch.set_num_threads(1)
    for name, options in [("torch foreach", {"foreach": True}), ("torch fused", {"fused": True})]:
        tp = torch.tensor(p, requires_grad=True)
        tp.grad = torch.tensor(g)
        steps[name] = torch.optim.Adam([tp], **options).step
    return steps


# --8<-- [end:contenders]


# --8<-- [start:report]
def main(sizes=(1_000, 100_000, 10_000_000), bandwidth_elements=25_000_000, with_torch=True):
    """Time every contender at every size; print and return (n, name, seconds) rows."""
    bandwidth = memory_bandwidth(bandwidth_elements)
    print(f"memory bandwidth, one thread: {bandwidth / 1e9:.1f} GB/s")
    print(f"{'parameters':>10}  {'step':<19}{'time':>11}{'x ref':>9}{'x faster':>10}")
    rows = []
    for n in sizes:
        reference = BYTES_PER_PARAMETER * n / bandwidth  # 28 bytes/param at a += b's speed
        times = {}
        for name, step in contenders(n, with_torch).items():
            times[name] = seconds = best_time(step, budget=1.0 if n >= 1e6 else 0.3)
            textbook = times["textbook adam_step"]  # the first contender
            rows.append((n, name, seconds))
            print(
                f"{n:>10.0e}  {name:<19}{seconds * 1e3:>8.3f} ms"
                f"{seconds / reference:>9.1f}{textbook / seconds:>10.1f}"
            )
    print("x ref: time / (28 bytes per parameter at the speed of a += b); one pass can beat 1")
    print("x faster: textbook time / time")
    return rows


if __name__ == "__main__":
    main()
# --8<-- [end:report]
