"""Shared helpers: run lrtool as a user would, with or without TensorFlow importable."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from typing import Any

import pytest

from lrtool.engine import Engine
from lrtool.picture import Picture, default_panels
from lrtool.series import title_label

ROOT = Path(__file__).resolve().parent.parent

#: No test starts a TensorFlow worker unless it asks for one (tests/test_worker.py does).
os.environ["LRTOOL_WORKER"] = "off"


def _env(**extra: str) -> dict[str, str]:
    """The environment lrtool runs in: this tree's code first on the path, no lrtool settings
    but the worker turned off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LRTOOL_", "PYTHONUNBUFFERED"))}
    env.pop("NO_COLOR", None)
    env["LRTOOL_WORKER"] = "off"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def no_tensorflow_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory that, first on PYTHONPATH, makes ``import tensorflow`` fail as if absent."""
    path = tmp_path_factory.mktemp("no_tf")
    (path / "tensorflow.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'tensorflow'\", name='tensorflow')\n"
    )
    return path


def picture_of(schedule: Any, steps: Any, backend: Any = "numpy", log_y: bool = False,
               exhaustive: bool = False) -> Picture:
    """The picture ``lrtool plot`` draws of one schedule (continuous | staircase when it has one)."""
    return Picture(title_label(schedule), default_panels(schedule),
                   Engine(steps, backend, exhaustive), log_y=log_y)


def every_step(picture: Picture, backend: Any = "numpy") -> Picture:
    """The same picture drawn from every requested step: the reference to compare with."""
    return dataclasses.replace(picture, engine=Engine(picture.steps, backend, exhaustive=True))


def run(
    *args: str,
    no_tf_dir: Path | None = None,
    input: bytes | None = None,
    cwd: Path | None = None,
    **env: str,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m lrtool ARGS`` in a fresh process; TensorFlow hidden when ``no_tf_dir``."""
    extra = dict(env)
    if no_tf_dir is not None:
        extra["PYTHONPATH"] = os.pathsep.join([str(no_tf_dir), str(ROOT)])
    return subprocess.run(
        [sys.executable, "-m", "lrtool", *args],
        capture_output=True,
        input=input,
        cwd=cwd,
        env=_env(**extra),
        timeout=300,
    )
