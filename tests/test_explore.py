"""``lrtool explore`` driven through Textual's test pilot: keys pressed, the screen read back.

Each key must change what the user sees: the argument panel, the plot, the status line. Values
under the cursor are compared with the backends themselves; TensorFlow's arrival must switch
the picture to its values and say so.
"""

from __future__ import annotations

import asyncio
import json
import os
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from textual.geometry import Region

from lrtool.backends import resolve
from lrtool.backends.numpy_backend import NumpyBackend
from lrtool.explore.app import ExploreApp
from lrtool.explore.state import initial_state
from lrtool.schedules import ScheduleError
from lrtool.spec import Reader, parse
from lrtool.steps import Steps
from tests.conftest import run

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

COSINE = "CosineDecay(1e-3, decay_steps=1000, warmup_target=1e-2, warmup_steps=100)"


def text_of(widget: Any) -> str:
    """What a widget shows, as plain text."""
    size = widget.size
    return "\n".join(s.text for s in widget.render_lines(Region(0, 0, size.width, size.height)))


class Screen:
    """The explorer's three parts, read from the pilot's screen."""

    def __init__(self, app: ExploreApp) -> None:
        self.plot = text_of(app.query_one("#plot"))
        self.params = text_of(app.query_one("#params"))
        self.status = text_of(app.query_one("#status"))


def explore(specs: list[str], check: Callable[[Any, ExploreApp], Awaitable[None]],
            steps: int = 3000, tensorflow: str = "numpy", backend: Any = None) -> ExploreApp:
    """Run the explorer on these SCHEDULE arguments at 120x40 and ``check`` it."""
    reader = Reader()
    state = initial_state([reader.parse(s) for s in specs], Steps.span(0, steps),
                          backend or NumpyBackend())
    app = ExploreApp(state, tensorflow)

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await check(pilot, app)

    asyncio.run(main())
    return app


def row(params: str, name: str) -> str:
    """The value the argument panel shows for an argument."""
    for line in params.splitlines():
        words = line.replace("│", " ").split()
        if len(words) == 2 and words[0] == name:
            return words[1]
    raise AssertionError(f"{name} not in the panel:\n{params}")


def shown_range(status: str) -> tuple[int, int]:
    """The first and last step the status line says are shown."""
    first, last = status.split("steps ")[1].split(" ")[0].split("–")
    return int(first.replace(",", "")), int(last.replace(",", ""))


def test_first_picture_panel_and_status() -> None:
    async def check(pilot: Any, app: ExploreApp) -> None:
        screen = Screen(app)
        assert "CosineDecay(initial_learning_rate=0.001" in screen.plot
        assert "└" in screen.plot and "step" in screen.plot
        assert row(screen.params, "decay_steps") == "1000"
        assert row(screen.params, "warmup_target") == "0.01"
        assert "numpy · steps 0–2,999 · step 0: lr 0.001" in screen.status

    explore([COSINE], check)


def test_up_down_choose_and_left_right_step_each_kind() -> None:
    """Rates and step counts move multiplicatively, fractions additively, booleans toggle."""

    async def check(pilot: Any, app: ExploreApp) -> None:
        before = Screen(app).plot
        await pilot.press("down")  # decay_steps
        assert "Steps of the cosine decay" in Screen(app).params
        await pilot.press("right")
        assert row(Screen(app).params, "decay_steps") == "1500"
        assert Screen(app).plot != before
        await pilot.press("left", "left")
        assert row(Screen(app).params, "decay_steps") == "700"
        await pilot.press("down", "right", "right")  # alpha
        assert row(Screen(app).params, "alpha") == "0.1"
        await pilot.press("up", "up")  # initial_learning_rate
        await pilot.press("right")
        assert row(Screen(app).params, "initial_learning_rate") == "0.0015"
        await pilot.press("up")  # wraps to warmup_steps
        await pilot.press("left")
        assert row(Screen(app).params, "warmup_steps") == "70"

    explore([COSINE], check)


def test_booleans_toggle_and_lists_have_a_row_per_entry() -> None:
    async def check(pilot: Any, app: ExploreApp) -> None:
        params = Screen(app).params
        assert row(params, "boundaries[1]") == "2000"
        assert row(params, "values[2]") == "0.001"
        await pilot.press("down", "right")  # boundaries[1]
        assert row(Screen(app).params, "boundaries[1]") == "3000"
        await pilot.press("down", "down", "left")  # values[1]
        assert row(Screen(app).params, "values[1]") == "0.007"
        await pilot.press("q")

    app = explore(["PiecewiseConstantDecay([1000, 2000], [0.1, 0.01, 0.001])"], check)
    assert app.return_value == "PiecewiseConstantDecay(boundaries=[1000, 3000], values=[0.1, 0.007, 0.001])"

    async def toggle(pilot: Any, app: ExploreApp) -> None:
        await pilot.press("down", "down", "down", "right")
        assert row(Screen(app).params, "staircase") == "True"
        assert "staircase=True" in Screen(app).plot  # the title names what the optimizer gets
        await pilot.press("s")
        assert row(Screen(app).params, "staircase") == "False"
        await pilot.press("q")

    assert explore(["ExponentialDecay(0.1, 100, 0.5)"], toggle).return_value == \
        "ExponentialDecay(initial_learning_rate=0.1, decay_steps=100, decay_rate=0.5)"


def test_enter_types_a_value_read_like_the_command_line() -> None:
    with pytest.raises(ScheduleError) as refused:
        parse("CosineDecay(1e-3, decay_steps=-5)")

    async def check(pilot: Any, app: ExploreApp) -> None:
        await pilot.press("down", "enter", "ctrl+u", *"2e4", "enter")
        assert row(Screen(app).params, "decay_steps") == "20000"
        await pilot.press("enter", "ctrl+u", *"10 * 300", "enter")
        assert row(Screen(app).params, "decay_steps") == "3000"
        plot = Screen(app).plot
        await pilot.press("enter", "ctrl+u", "-", "5", "enter")
        screen = Screen(app)
        assert refused.value.message in screen.status  # "must be > 0, not -5"
        assert row(screen.params, "decay_steps") == "3000" and screen.plot == plot
        await pilot.press("enter", "ctrl+u", *"abc", "enter")
        assert "undefined name 'abc'" in Screen(app).status
        await pilot.press("enter", "escape")  # Esc leaves an edit, not the explorer
        assert app.is_running
        await pilot.press("q")

    app = explore([COSINE], check)
    assert parse(app.return_value or "").decay_steps == 3000


def test_a_change_giving_an_unusable_rate_is_refused() -> None:
    async def check(pilot: Any, app: ExploreApp) -> None:
        await pilot.press("down", "down", "left", "left")  # decay_rate 0.5 -> 0 -> -0.5
        screen = Screen(app)
        assert "unusable learning rate" in screen.status
        assert row(screen.params, "decay_rate") == "0"

    explore(["InverseTimeDecay(0.1, 100, 0.5)"], check)


def test_log_axis_zoom_and_the_cursor_reading_exact_values() -> None:
    schedule = parse(COSINE)

    async def check(pilot: Any, app: ExploreApp) -> None:
        assert "(linear)" in Screen(app).plot
        await pilot.press("l")
        assert "(log" in Screen(app).plot
        await pilot.press("l")
        await pilot.press(*">" * 3)
        status = Screen(app).status
        step = int(status.split("· step ")[1].split(":")[0].replace(",", ""))
        assert step > 0
        value = NumpyBackend().evaluate(schedule, np.array([step]))[0]
        assert status.rstrip().endswith(f"lr {value!r}".replace("np.float32(", "").rstrip(")"))
        await pilot.press("plus")  # half the range, around the cursor's step
        first, last = shown_range(Screen(app).status)
        assert last - first + 1 == 1500 and first <= step <= last
        await pilot.press("minus", "minus")
        first, last = shown_range(Screen(app).status)
        assert first == 0 and last - first + 1 == 6000

    explore([COSINE], check)


def test_resizing_redraws_to_fit() -> None:
    async def check(pilot: Any, app: ExploreApp) -> None:
        wide = Screen(app).plot.splitlines()
        await pilot.resize_terminal(90, 24)
        await pilot.pause()
        narrow = Screen(app).plot.splitlines()
        assert max(len(line.rstrip()) for line in narrow) < max(len(line.rstrip()) for line in wide)
        assert len([l for l in narrow if "┤" in l or "│" in l]) < \
            len([l for l in wide if "┤" in l or "│" in l])
        assert any("└" in line for line in narrow)

    explore([COSINE], check)


def test_question_mark_tab_and_several_schedules() -> None:
    async def check(pilot: Any, app: ExploreApp) -> None:
        screen = Screen(app)
        assert "[1/2]" in screen.params and "decay_rate" in screen.params
        assert "ExponentialDecay" in screen.plot and "InverseTimeDecay" in screen.plot
        await pilot.press("tab")
        assert "[2/2]" in Screen(app).params
        await pilot.press("right")
        assert row(Screen(app).params, "initial_learning_rate") == "0.15"
        await pilot.press("question_mark")
        assert "Left/Right" in Screen(app).params
        await pilot.press("question_mark", "q")

    app = explore(["ExponentialDecay(0.1, 100, 0.5)", "InverseTimeDecay(0.1, 100, 0.5)"], check)
    assert app.return_value == \
        "InverseTimeDecay(initial_learning_rate=0.15, decay_steps=100, decay_rate=0.5)"


@pytest.mark.parametrize(("key", "code"), [("escape", 0), ("ctrl+c", 130)])
def test_esc_and_ctrl_c_quit_without_printing(key: str, code: int) -> None:
    async def check(pilot: Any, app: ExploreApp) -> None:
        await pilot.press("right", key)

    app = explore([COSINE], check)
    assert app.return_value is None and (app.return_code or 0) == code


def test_tensorflow_arriving_switches_the_backend() -> None:
    resolve("tensorflow")  # must not skip: CI installs TensorFlow
    schedule = parse(COSINE)

    async def wait_for(pilot: Any, app: ExploreApp, text: str) -> Screen:
        for _ in range(2400):  # TensorFlow's import takes long on a busy machine
            screen = Screen(app)
            if text in screen.status:
                return screen
            await pilot.pause(0.05)
        raise AssertionError(f"{text!r} never shown:\n{screen.status}")

    async def check(pilot: Any, app: ExploreApp) -> None:
        screen = await wait_for(pilot, app, "tensorflow · steps")
        assert "backend tensorflow" in screen.plot
        await pilot.press(*">" * 5)
        status = Screen(app).status
        step = int(status.split("· step ")[1].split(":")[0].replace(",", ""))
        value = resolve("tensorflow").evaluate(schedule, np.array([step]))[0]
        assert f"lr {value!r}".replace("np.float32(", "").rstrip(")") in status
        await pilot.press("right")  # NumPy at once, TensorFlow once the keys pause
        assert Screen(app).status.split("\n")[1].startswith("numpy")
        await wait_for(pilot, app, "tensorflow · steps")

    explore([COSINE], check, tensorflow="auto")


CUSTOM = '''
import tensorflow as tf
import keras


class Warm(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, peak, warmup_steps=100):
        self.peak, self.warmup_steps = peak, warmup_steps

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        return self.peak * tf.minimum(1.0, (step + 1) / self.warmup_steps)

    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps}
'''


@pytest.fixture(scope="module")
def custom_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    resolve("tensorflow")
    path = tmp_path_factory.mktemp("explore") / "warm.py"
    path.write_text(textwrap.dedent(CUSTOM))
    return path


def test_a_custom_schedule_shows_its_arguments_and_is_read_again(custom_file: Path) -> None:
    async def check(pilot: Any, app: ExploreApp) -> None:
        assert row(Screen(app).params, "warmup_steps") == "100"
        await pilot.press("down", "right")
        assert row(Screen(app).params, "warmup_steps") == "150"
        await pilot.press("q")

    app = explore([f"{custom_file}:Warm(0.1, 100)"], check, backend=resolve("tensorflow"))
    assert app.return_value == f"{custom_file}:Warm(peak=0.1, warmup_steps=150)"
    assert Reader().parse(app.return_value).obj.warmup_steps == 150


def test_a_custom_schedule_from_json_is_read_only(custom_file: Path) -> None:
    document = {"class_name": "Warm", "config": {"peak": 0.1, "warmup_steps": 100},
                "module": "warm", "registered_name": "Warm"}
    from lrtool.usercode import deserialize, import_target

    import_target(str(custom_file))
    import keras

    keras.saving.get_custom_objects()["Warm"] = import_target(str(custom_file)).Warm
    reader = Reader(custom=deserialize)
    schedule = reader.parse(json.dumps(document))

    async def check(pilot: Any, app: ExploreApp) -> None:
        assert "read-only" in Screen(app).params
        await pilot.press("right")
        assert "read-only" in Screen(app).status
        assert row(Screen(app).params, "warmup_steps") == "100"

    state = initial_state([schedule], Steps.span(0, 300), resolve("tensorflow"))
    app = ExploreApp(state, "tensorflow")

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await check(pilot, app)

    asyncio.run(main())


def test_help_without_textual_and_without_a_terminal(tmp_path: Path) -> None:
    out = run("explore", "--help")
    assert out.returncode == 0 and b"Examples:" in out.stdout
    (tmp_path / "textual.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'textual'\", name='textual')\n")
    out = run("explore", "CosineDecay(0.1, 1000)", no_tf_dir=tmp_path)
    assert out.returncode == 2 and out.stdout == b""
    assert out.stderr.decode().strip().endswith("pip install textual")
    assert len(out.stderr.decode().strip().splitlines()) == 1
