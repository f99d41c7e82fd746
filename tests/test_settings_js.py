"""docs/assets/playground/settings.js, the labs' settings and links, run with node:
any query string gives a state within the spec, and a link reads back as its state."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from test_playground import PROTOTYPE_NAMES, _node, generated_queries

SETTINGS_JS = Path(__file__).resolve().parents[1] / "docs" / "assets" / "playground" / "settings.js"

SPEC = {
    "alpha": {"kind": "number", "value": 0.05, "min": 1e-4, "max": 1},
    "steps": {"kind": "number", "value": 200, "min": 10, "max": 1000, "integer": True},
    "surface": {"kind": "choice", "value": "valley", "options": ["valley", "bowl", "noisy valley"]},
    "bias_correction": {"kind": "flag", "value": True},
    "start": {"kind": "list", "value": [1, 2], "min": -3, "max": 3, "length": [2, 2]},
    "seed": {"kind": "list", "value": [0], "min": 0, "max": 9, "integer": True, "length": [1, 5]},
}


def run(script: str, data) -> object:
    program = (
        f"const settings = require({json.dumps(str(SETTINGS_JS))});\n"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        f"process.stdout.write(JSON.stringify((() => {{ {script} }})()));\n"
    )
    result = subprocess.run([_node(), "-e", program], input=json.dumps(data),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def within(value, spec) -> bool:
    if spec["kind"] == "number":
        ok = spec["min"] <= value <= spec["max"]
        return ok and (not spec.get("integer") or value == int(value))
    if spec["kind"] == "choice":
        return value in spec["options"]
    if spec["kind"] == "flag":
        return isinstance(value, bool)
    lo, hi = spec["length"]
    return lo <= len(value) <= hi and all(within(v, {**spec, "kind": "number"}) for v in value)


def test_any_query_gives_a_state_within_the_spec_and_its_link_reads_back():
    queries = generated_queries(600) + [f"?{name}=1&surface={name}" for name in PROTOTYPE_NAMES]
    out = run("""return input.queries.map(q => {
        try {
          const s = settings.fromQuery(q, input.spec);
          const link = settings.toQuery(s, input.spec);
          const back = settings.fromQuery(link, input.spec);
          return {s, same: JSON.stringify(back) === JSON.stringify(s)
                           && settings.toQuery(back, input.spec) === link};
        } catch (e) { return {error: String(e)}; }
    });""", {"queries": queries, "spec": SPEC})
    for query, result in zip(queries, out, strict=True):
        assert "error" not in result, (query, result["error"])
        assert list(result["s"]) == list(SPEC), query  # the spec's keys, no other
        for key, spec in SPEC.items():
            assert within(result["s"][key], spec), (query, key, result["s"][key])
        assert result["same"], query


def test_a_link_sets_what_it_says_and_bad_values_keep_their_defaults():
    out = run("return input.map(q => settings.fromQuery(q, " + json.dumps(SPEC) + "));", [
        "?alpha=0.3&steps=12.6&surface=noisy%20valley&bias_correction=off&start=-1,0.5&seed=3,4",
        "?alpha=&steps=%20&surface=constructor&bias_correction=maybe&start=1,x&seed=",
        "?alpha=7&steps=-5&start=-9,9&seed=1,2,3,4,5,6",
    ])
    assert out[0] == {"alpha": 0.3, "steps": 13, "surface": "noisy valley",
                      "bias_correction": False, "start": [-1, 0.5], "seed": [3, 4]}
    assert out[1] == {"alpha": 0.05, "steps": 200, "surface": "valley",
                      "bias_correction": True, "start": [1, 2], "seed": [0]}
    assert out[2]["alpha"] == 1 and out[2]["steps"] == 10 and out[2]["start"] == [-3, 3]
    assert out[2]["seed"] == [0]  # six items: more than the spec allows
