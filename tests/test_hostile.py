"""Hostile input, categories 1-3: numbers at the edges, input built to exhaust the reader, and
names and echoes. Each case runs in-process on the NumPy backend in a directory of its own and
is checked by ``tests.hostile.check``: exit code, no traceback, short stderr, no nan or inf
printed, no file touched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile import run_checked

BIG = "9" * 400  # beyond float32 and int64, under Python's 4300-digit limit
HUGE = "9" * 5000  # beyond Python's 4300-digit limit for int(str)
EXP = '{"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": %s, "decay_rate": 0.5}}'


def lrtool(folder: Path, args: list[str], code: int, stdin: bytes | None = None,
           creates: tuple[str, ...] = ()) -> str:
    """One case: numpy backend for the commands that evaluate."""
    if args and args[0] in ("table", "csv", "plot") and "--backend" not in args:
        args = [args[0], "--backend", "numpy", *args[1:]]
    return run_checked(folder, args, code, stdin, creates)


# ---- 1. numbers at the edges ---------------------------------------------------------------

NUMBERS = [
    # (args, exit code, a word the message must hold)
    (["table", "--steps", "99999999999999999999999999"], 2, "--steps"),
    (["table", "--steps", "9223372036854775808"], 2, "--steps"),
    (["table", "--steps", "1e400"], 2, "--steps"),
    (["table", "--steps", "1e19"], 2, "--steps"),
    (["table", "--start", "99999999999999999999999", "--steps", "1e18"], 2, "--start"),
    (["table", "--every", "99999999999999999999999999", "--steps", "10"], 2, "--every"),
    (["table", "--at", "99999999999999999999999999"], 2, "--at"),
    (["table", "--at", "9223372036854775808"], 2, "--at"),
    (["table", "--at", "1" + "0" * 5000], 2, "--at"),
    (["csv", "--at", "0,1e19"], 2, "--at"),
    (["table", "--epochs", "99999999999999999999", "--steps-per-epoch", "9"], 2, "--epochs"),
    (["table", "--epochs", "999999999999", "--steps-per-epoch", "9999999999999"], 2, "--epochs"),
    (["table", "--dataset-size", "1e30", "--batch-size", "1", "--epochs", "1"], 2,
     "--dataset-size"),
    (["table", "--dataset-size", "1e18", "--batch-size", "1", "--epochs", "10"], 2, "--epochs"),
    (["table", "--steps", "9223372036854775807"], 0, ""),
    (["table", "--steps", "1e18"], 0, ""),
    (["csv", "--at", "9223372036854775807,0"], 0, ""),
    (["table", "--lr", "nan"], 2, "--lr"),
    (["table", "--lr", "1e999"], 2, "--lr"),
    (["table", "--lr", "1e39"], 2, "--lr"),
    (["csv", "--lr", "1" * 5000], 2, "--lr"),
    (["table", "--decay-rate", "-inf"], 2, "--decay-rate"),
    (["csv", "--steps", "5", "--decay-steps", "1e-320"], 2, "--decay-steps"),
    (["plot", "--steps", "50", "--decay-steps", "1e-40", "--log-y"], 2, "--decay-steps"),
    (["plot", "--steps", "10", "-o", "x.png", "--width", "nan"], 2, "--width"),
    (["plot", "--steps", "10", "-o", "x.png", "--height", "inf"], 2, "--height"),
    (["plot", "--steps", "10", "-o", "x.png", "--height", "-inf"], 2, "--height"),
    (["plot", "--steps", "10", "-o", "x.png", "--dpi", "1e400"], 2, "--dpi"),
    (["plot", "--steps", "10", "-o", "x.png", "--dpi", "9" * 30], 2, "--dpi"),
    (["plot", "--steps", "10", "-o", "x.png", "--dpi", "nan"], 2, "--dpi"),
    (["table", f"ExponentialDecay(0.1, {BIG}, 0.5)"], 2, "decay_steps"),
    (["table", f"ExponentialDecay(0.1, {HUGE}, 0.5)"], 2, "4300 digits"),
    (["table", f"ExponentialDecay(0.1, 10**{BIG}, 0.5)"], 2, "too large"),
    (["table", "ExponentialDecay(0.1, 2**9999999, 0.5)"], 2, "too large"),
    (["table", "ExponentialDecay(0.1, 1e308*10, 0.5)"], 2, "too large"),
    (["table", EXP % BIG], 2, "decay_steps"),
    (["table", EXP % HUGE], 2, "4300 digits"),
    (["table", EXP % "NaN"], 2, "finite"),
    (["table", EXP % "1e999"], 2, "finite"),
    (["table", '{"learning_rate": %s}' % ("9" * 4000)], 2, "constant"),
    (["table", f"PiecewiseConstantDecay([{BIG}], [0.1, 0.2])"], 2, "boundaries"),
    (["table", "--set", f"X={HUGE}", "ExponentialDecay(0.1, X, 0.5)"], 2, "--set"),
    (["table", "--set", "X=1e999", "ExponentialDecay(0.1, X, 0.5)"], 2, "--set"),
    (["csv", "ExponentialDecay(1.0, 1, 2)", "--steps", "500"], 2, "inf"),
    (["plot", "ExponentialDecay(1.0, 1, 1e30)", "--steps", "50", "--log-y"], 2, "inf"),
    (["csv", "PolynomialDecay(3e38, 1, end_learning_rate=-3e38)", "--steps", "3"], 2, "inf"),
    (["csv", "InverseTimeDecay(3e38, 1e-30, 3e38)", "--steps", "50"], 2, "nan"),
    (["csv", "InverseTimeDecay(0.1, 1e-37, 0)", "--steps", "50", "--run-eagerly"], 2, "nan"),
    (["table", "CosineDecayRestarts(0.1, 1e-30)", "--steps", "1e18"], 2, "nan"),
    (["plot", "InverseTimeDecay(3e38, 1e-30, 3e38)", "--steps", "20"], 2, "nan"),
    (["plot", "ExponentialDecay(1e-45, 1, 0.5)", "--steps", "30", "--log-y"], 2, "--log-y"),
    (["csv", "CosineDecayRestarts(3e38, 3, m_mul=3e38)", "--steps", "50"], 2, "inf"),
]


@pytest.mark.parametrize("args, code, word", NUMBERS, ids=lambda v: str(v)[:60])
def test_numbers_at_the_edges(tmp_path: Path, args: list[str], code: int, word: str) -> None:
    stderr = lrtool(tmp_path, args, code)
    assert word in stderr


# ---- 2. input built to exhaust the reader --------------------------------------------------

def _utf16(text: str) -> bytes:
    return text.encode("utf-16")


CALL = "ExponentialDecay(0.1, 10, 0.5)"
EXHAUST = [
    # (args, stdin, exit code, a word the message must hold)
    (["table", "ExponentialDecay(0.1, " + "[" * 100000 + "1" + "]" * 100000 + ", 0.5)"], None,
     2, "nested"),
    (["table", "ExponentialDecay(0.1, " + "(" * 100000 + "1" + ")" * 100000 + ", 0.5)"], None,
     2, "nested"),
    (["table", "[" * 100000 + "]" * 100000], None, 2, "nested"),
    (["table", '{"a":' * 100000 + "1" + "}" * 100000], None, 2, "nested"),
    (["table", '{"class_name":"ExponentialDecay","config":' + '{"config":' * 5000 + "1"
      + "}" * 5001], None, 2, "nested"),
    (["table", "ExponentialDecay(0.1, 1" + "+1" * 100000 + ", 0.5)"], None, 2, "nested"),
    (["table", "ExponentialDecay(0.1, 1" + "**1" * 100000 + ", 0.5)"], None, 2, "nested"),
    (["table", "ExponentialDecay(0.1, " + "-" * 100000 + "1, 0.5)"], None, 2, "nested"),
    (["table", "ExponentialDecay(0.1, " + "not " * 100000 + "1, 0.5)"], None, 2, "nested"),
    (["table", "x=1\n" * 200000 + CALL], None, 2, "too large"),
    (["table", "ExponentialDecay(0.1, 10, 0.5, name='" + "a" * 5_000_000 + "')"], None, 2,
     "at most"),
    (["table", CALL * 10000], None, 2, "SCHEDULE"),
    (["table", "ExponentialDecay(0.1, 10, 0.5, " + "1," * 1000 + ")"], None, 2, "positional"),
    (["table", "\x00\x01\x02"], None, 2, "NUL"),
    (["table", "\ud800"], None, 2, "SCHEDULE"),
    (["csv", "--at", "1," * 100000 + "1"], None, 0, ""),
    (["table", "-"], b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 2, "binary"),
    (["table", "-"], b"\xff\xd8\xff\xe0garbage", 2, "UTF-8"),
    (["table", "-"], b"\xc0\xaf", 2, "UTF-8"),
    (["table", "-"], b"", 2, "empty"),
    (["table", "-"], b"   \n\n ", 2, "empty"),
    (["table", "-"], CALL.encode("utf-16-le"), 2, "binary"),
    (["table", "-"], (CALL + "\n#" + "x" * 70_000_000).encode(), 2, "MB"),
    (["table", "-", "-"], b"x", 2, "once"),
    (["table", "-"], _utf16(CALL), 0, ""),
    (["table", "-"], CALL.encode("utf-32"), 0, ""),
    (["table", "-"], b"\xef\xbb\xbf" + CALL.encode(), 0, ""),
    (["config", "-"], b"\xef\xbb\xbf" + (EXP % 10).encode(), 0, ""),
    (["config", "-"], _utf16(EXP % 10), 0, ""),
]


@pytest.mark.parametrize("args, stdin, code, word", EXHAUST, ids=lambda v: repr(v)[:40])
def test_input_built_to_exhaust_the_reader(tmp_path: Path, args: list[str], stdin: bytes | None,
                                           code: int, word: str) -> None:
    stderr = lrtool(tmp_path, args, code, stdin)
    assert word in stderr


# ---- 3. names and echoes -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sched(1).json", "[draft].json", "{x}.json", "CosineDecay",
                                  "ExponentialDecay(0.1, 10, 0.5)", "-x.json", "a b.json",
                                  "*.json", "$HOME.json"])
def test_a_file_named_like_code_is_read_as_the_file(tmp_path: Path, name: str) -> None:
    """The file holds a PiecewiseConstantDecay; what its name says is not what is read."""
    (tmp_path / name).write_text(json.dumps({"class_name": "PiecewiseConstantDecay", "config": {
        "boundaries": [2], "values": [0.5, 0.25]}}))
    lrtool(tmp_path, ["csv", "--steps", "4", "--", name], 0)
    outcome_file = tmp_path / "out.csv"
    lrtool(tmp_path, ["csv", "--steps", "4", "-o", "out.csv", "--", name], 0, creates=("out.csv",))
    assert outcome_file.read_text().splitlines()[1:] == ["0,0.5", "1,0.5", "2,0.5", "3,0.25"]


SECRET = b"root:$6$s3cr3tSALT$hAsHhAsHhAsH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"


@pytest.mark.parametrize("content", [SECRET, b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1r"
                                     b"ZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n", b"password = hunter2 !!\n"])
@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_refused_file_is_not_echoed(tmp_path: Path, content: bytes, how: str) -> None:
    (tmp_path / "shadow").write_bytes(content)
    args, stdin = (["table", "shadow"], None) if how == "file" else (["table", "-"], content)
    stderr = lrtool(tmp_path, args, 2, stdin)
    for secret in ("s3cr3t", "hAsH", "b3BlbnNz", "hunter2", "daemon"):
        assert secret not in stderr


ESCAPE = "\x1b]0;owned\x07\x1b[2J\x1b[31m"


@pytest.mark.parametrize("args", [
    ["table", f"/nonexistent/{ESCAPE}.json"],
    ["table", f"{ESCAPE}.json"],
    ["table", f"{ESCAPE}CosineDecy(1, 2)"],
    ["table", f"ExponentialDecay(0.1, X, 0.5)", "--set", f"X={ESCAPE}"],
    ["table", "--import", f"{ESCAPE}nope.py", CALL],
    ["table", f"nope.py:{ESCAPE}Class(1)"],
    ["csv", "--steps", ESCAPE],
    ["csv", "--at", ESCAPE],
    ["csv", "--lr", ESCAPE],
    ["plot", "-o", f"x.{ESCAPE}"],
    ["csv", "-o", f"{ESCAPE}/x.csv"],
    ["table", '{"class_name": "\\u001b[31mEvil", "config": {}}'],
], ids=lambda v: repr(v)[:50])
def test_no_terminal_escape_reaches_the_screen(tmp_path: Path, args: list[str]) -> None:
    lrtool(tmp_path, args, 2)  # check() refuses any ESC byte on stderr


def test_a_file_of_50_mb_gets_a_short_error(tmp_path: Path) -> None:
    (tmp_path / "log.txt").write_bytes(b"epoch 1 loss 0.5 \x1b[32mok\x1b[0m\n" * 1_700_000)
    stderr = lrtool(tmp_path, ["table", "log.txt"], 2)
    assert "log.txt" in stderr


def test_a_directory_and_an_unreadable_path_are_named(tmp_path: Path) -> None:
    (tmp_path / "d.json").mkdir()
    assert "directory" in lrtool(tmp_path, ["table", "d.json"], 2)
    (tmp_path / "loop.json").symlink_to("loop.json")
    assert "loop.json" in lrtool(tmp_path, ["table", "loop.json"], 2)
