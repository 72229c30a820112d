"""Hostile input, category 6 (CSV that readers parse), the TensorFlow backend on overflowing
rates, and a hypothesis fuzz of SCHEDULE text, JSON documents and option values.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtool.schedules import REGISTRY
from tests.hostile import run_checked

# ---- 6. CSV that readers parse -------------------------------------------------------------

PIECEWISE = ["PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001])",
             "PiecewiseConstantDecay([10, 30], [0.1, 0.01, 0.001])"]
CSV_RUNS = [
    ["--steps", "40", *PIECEWISE],
    ["--steps", "40", "--steps-per-epoch", "7", *PIECEWISE],
    ["--steps", "40", "ExponentialDecay(0.1, 10, 0.5)", "ExponentialDecay(0.1, 10, 0.5)"],
    ["--steps", "40", "CosineDecay(0.1, 10, alpha=0.5)", "CosineDecay(0.1, 10, alpha=0.25)",
     "CosineDecay(0.1, 20, alpha=0.25)"],
    ["--at", "0,5,1e9", "--both", "InverseTimeDecay(0.1, 3, 0.5)"],
    ["--epochs", "3", "--dataset-size", "100", "--batch-size", "32"],
    ["--steps", "1e5", "--every", "1000"],
    ["--steps", "40", "PolynomialDecay(0.1, 10, cycle=True)", "PolynomialDecay(0.1, 10)"],
]


@pytest.mark.parametrize("args", CSV_RUNS, ids=lambda a: " ".join(a)[:50])
@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "-o"])
def test_every_csv_reads_back_with_csv_and_numpy(tmp_path: Path, args: list[str],
                                                 to_file: bool) -> None:
    from tests.hostile import invoke

    if to_file:
        run_checked(tmp_path, ["csv", "--backend", "numpy", "-o", "lr.csv", *args], 0,
                    creates=("lr.csv",))
        text = (tmp_path / "lr.csv").read_text()
    else:
        text = invoke(["csv", "--backend", "numpy", *args]).stdout.decode()
    rows = list(csv.reader(io.StringIO(text)))
    width = len(rows[0])
    assert width >= 2 and all(len(row) == width for row in rows), rows[:3]
    assert rows[0][0] == "step" and all(cell for cell in rows[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # genfromtxt warns on ragged lines
        data = np.genfromtxt(io.StringIO(text), delimiter=",", skip_header=1, ndmin=2)
    assert data.shape == (len(rows) - 1, width)
    assert np.isfinite(data).all() and (data[:, 1:] >= 0).all()


def test_headers_with_commas_are_quoted_as_rfc_4180() -> None:
    from tests.hostile import invoke

    text = invoke(["csv", "--backend", "numpy", "--steps", "2", *PIECEWISE]).stdout.decode()
    assert text.splitlines()[0] == ('step,"PiecewiseConstantDecay(boundaries=[10, 20])",'
                                    '"PiecewiseConstantDecay(boundaries=[10, 30])"')


# ---- the TensorFlow backend on rates that overflow -----------------------------------------

@pytest.mark.parametrize("args, word", [
    (["csv", "ExponentialDecay(1.0, 1, 2)", "--steps", "500"], "inf"),
    (["plot", "ExponentialDecay(1.0, 1, 1e30)", "--steps", "50", "--log-y"], "inf"),
    (["table", "InverseTimeDecay(3e38, 1e-30, 3e38)", "--steps", "50"], "nan"),
    (["csv", "PolynomialDecay(3e38, 1, end_learning_rate=-3e38)", "--steps", "3"], "inf"),
    (["table", "CosineDecayRestarts(0.1, 1e-30)", "--steps", "1e12"], "nan"),
    (["csv", "--lr", "3.5e38", "--steps", "3"], "--lr"),
], ids=lambda v: str(v)[:50])
def test_overflow_on_the_tensorflow_backend_is_refused(tmp_path: Path, tensorflow_backend: None,
                                                       args: list[str], word: str) -> None:
    stderr = run_checked(tmp_path, [args[0], "--backend", "tensorflow", *args[1:]], 2)
    assert word in stderr


@pytest.fixture(scope="session")
def tensorflow_backend() -> None:
    """TensorFlow imported once for this process's in-process runs."""
    from lrtool.backends import resolve

    assert resolve("tensorflow").name == "tensorflow"


# ---- fuzz ----------------------------------------------------------------------------------

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
NAMES = st.sampled_from([*REGISTRY, "keras.optimizers.schedules.CosineDecay", "Adam", "x"])
ATOMS = st.one_of(st.integers(), st.floats(), st.text(max_size=8), st.booleans(), st.none(),
                  st.sampled_from(["1e999", "-0.0", "9" * 400, "1e-320", "nan", "[]", "()"]))


def fuzzed(args: list[str], stdin: bytes | None = None) -> None:
    """Run in a fresh empty directory: exit 0 or 2, and the checks every hostile run gets."""
    with tempfile.TemporaryDirectory() as folder:
        run_checked(Path(folder), args, (0, 2), stdin)


@FUZZ
@given(st.one_of(
    st.text(max_size=80),
    st.builds(lambda name, args: f"{name}({', '.join(args)})", NAMES,
              st.lists(ATOMS.map(str), max_size=7)),
    st.builds(lambda name, kw: f"{name}({', '.join(f'{k}={v}' for k, v in kw)})", NAMES,
              st.lists(st.tuples(st.sampled_from(["initial_learning_rate", "decay_steps",
                                                  "decay_rate", "alpha", "boundaries", "values",
                                                  "t_mul", "m_mul", "power", "name", "x"]),
                                 ATOMS.map(repr)), max_size=6)),
))
def test_fuzzed_schedule_text(text: str) -> None:
    fuzzed(["table", "--backend", "numpy", "--steps", "50", "--", text])


JSON = st.recursive(ATOMS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["class_name", "config", "learning_rate", "optimizer",
                                     "module", "name", "decay_steps", "boundaries"]) | st.text(
                                         max_size=5), inner, max_size=4)), max_leaves=12)


@FUZZ
@given(JSON, st.sampled_from(list(REGISTRY)), st.dictionaries(
    st.sampled_from(["initial_learning_rate", "decay_steps", "decay_rate", "first_decay_steps",
                     "boundaries", "values", "alpha", "warmup_steps", "warmup_target", "power",
                     "cycle", "staircase", "t_mul", "m_mul", "name"]), ATOMS | JSON, max_size=6))
def test_fuzzed_json_documents(document: object, class_name: str, config: dict) -> None:
    fuzzed(["table", "--backend", "numpy", "--steps", "50", "-"],
           stdin=json.dumps(document).encode())
    fuzzed(["csv", "--backend", "numpy", "--steps", "20", "-"],
           stdin=json.dumps({"class_name": class_name, "config": config}).encode())


OPTIONS = ["--steps", "--start", "--every", "--at", "--lr", "--decay-steps", "--decay-rate",
           "--epochs", "--steps-per-epoch", "--dataset-size", "--batch-size", "--rows"]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(OPTIONS), st.one_of(
    st.text(max_size=12), ATOMS.map(str), st.integers(min_value=-2, max_value=2**70).map(str),
    st.floats().map(repr))), min_size=1, max_size=3))
def test_fuzzed_option_values(options: list[tuple[str, str]]) -> None:
    args = [part for option, value in options for part in (option, value)]
    fuzzed(["table", "--backend", "numpy", *args])
    fuzzed(["csv", "--backend", "numpy", *args])  # --rows is table's: csv refuses it, exit 2
