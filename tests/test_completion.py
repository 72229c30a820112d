"""TAB for SCHEDULE: schedule names and schedule files, through click's completion protocol
and through the bash script users install, without importing anything heavy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, _env
from tests.test_polish import HEAVY, complete, values


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A training project: schedule files at the top and in subdirectories, and other files."""
    for name in ("lr.json", "model.keras", "weights.h5", "train.py", "notes.txt", ".hidden.json",
                 "configs/adam.json", "configs/sgd.py", "configs/old/v1.json", "data/x.csv"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    return tmp_path


def test_schedule_class_names_complete() -> None:
    assert values(complete("lrtool plot CosineD")) == ["CosineDecay", "CosineDecayRestarts"]
    assert values(complete("lrtool table Pi")) == ["PiecewiseConstantDecay"]
    assert values(complete("lrtool csv keras.optimizers.schedules.Ex")) == [
        "keras.optimizers.schedules.ExponentialDecay"]
    assert values(complete("lrtool config tf.keras.optimizers.schedules.Po")) == [
        "tf.keras.optimizers.schedules.PolynomialDecay"]


def test_an_empty_word_offers_names_schedule_files_and_folders(project: Path) -> None:
    offered = values(complete("lrtool plot ", cwd=project))
    assert offered[:7] == ["ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
                           "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts", "WarmUp"]
    assert offered[7:] == ["lr.json", "model.keras", "train.py", "weights.h5", "configs/", "data/"]


def test_files_in_subdirectories_complete(project: Path) -> None:
    assert complete("lrtool table configs/", cwd=project) == [
        ("plain", "configs/adam.json"), ("plain", "configs/sgd.py"), ("plain", "configs/old/")]
    assert values(complete("lrtool table configs/a", cwd=project)) == ["configs/adam.json"]
    assert values(complete(f"lrtool table {project}/configs/old/", cwd=ROOT)) == [
        f"{project}/configs/old/v1.json"]
    assert values(complete("lrtool table l", cwd=project)) == ["lr.json"]
    assert values(complete("lrtool table .h", cwd=project)) == [".hidden.json"]


def test_only_folders_match_leaves_them_to_the_shell(project: Path) -> None:
    assert complete("lrtool plot con", cwd=project) == [("dir", "con")]
    assert complete("lrtool plot zzz", cwd=project) == []


def test_the_installed_bash_script_offers_names_and_files_together(project: Path) -> None:
    """click's bash script drops every candidate once it sees a 'dir' item: none may come
    with the names and files."""
    bin_dir = project / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "lrtool"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m lrtool "$@"\n')
    wrapper.chmod(0o755)
    script = (ROOT / "completions" / "lrtool.bash").read_text()

    def bash(*words: str) -> list[str]:
        code = (f"{script}\nCOMP_WORDS=({' '.join(repr(w) for w in words)}); "
                f"COMP_CWORD={len(words) - 1}; _lrtool_completion lrtool 2>/dev/null; "
                "printf '%s\\n' \"${COMPREPLY[@]}\"")
        env = _env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        out = subprocess.run(["bash", "-c", code], capture_output=True, text=True, env=env,
                             cwd=project).stdout
        return [line for line in out.splitlines() if line]

    assert bash("lrtool", "plot", "CosineD") == ["CosineDecay", "CosineDecayRestarts"]
    assert bash("lrtool", "plot", "") == values(complete("lrtool plot ", cwd=project))
    assert bash("lrtool", "plot", "configs/") == ["configs/adam.json", "configs/sgd.py",
                                                   "configs/old/"]


def test_completing_a_schedule_imports_nothing_heavy(project: Path) -> None:
    probe = ("import sys\nfrom lrtool.cli import main\n"
             "try:\n    main([])\nexcept SystemExit:\n    pass\n"
             f"print(sorted(m for m in {HEAVY[:4]!r} if m in sys.modules), file=sys.stderr)\n")
    env = _env(_LRTOOL_COMPLETE="bash_complete", COMP_WORDS="lrtool plot ", COMP_CWORD="2")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=env, cwd=project)
    assert "lr.json" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"
