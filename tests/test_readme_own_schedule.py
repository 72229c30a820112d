"""The README's "Your own schedule" examples run as written, with its my_schedules.py."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.conftest import ROOT, run

TRAIN = '''import tensorflow as tf
EPOCHS = 10
lr = tf.keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=EPOCHS * 1000)
model.compile(optimizer=tf.keras.optimizers.AdamW(learning_rate=lr), loss="mse")
'''


def test_every_example_runs(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Your own schedule"):readme.index("### Which steps")]
    code = re.search(r"```python\n# my_schedules.py\n(.*?)```", section, re.S)
    commands = re.search(r"```sh\n(.*?)```", section, re.S)
    assert code and commands
    (tmp_path / "my_schedules.py").write_text(code.group(1))
    (tmp_path / "train.py").write_text(TRAIN)
    lines = [line for line in commands.group(1).splitlines() if line.startswith("lrtool ")]
    assert len(lines) >= 7
    for line in lines:
        words, target = shlex.split(line.split(" # ")[0]), None
        if ">" in words:
            words, target = words[: words.index(">")], words[words.index(">") + 1]
        out = run(*words[1:], cwd=tmp_path)
        assert out.returncode == 0, (line, out.stderr)
        if target:
            (tmp_path / target).write_bytes(out.stdout)
