"""The full-screen explorer: the plot ``lrtool plot`` draws, the chosen schedule's arguments
beside it, and a status line; keys change the arguments and the view (``views.KEYS``).

The first picture comes from the NumPy backend at once; TensorFlow, when wanted, loads
meanwhile in a process of its own (``lrtool.explore.worker``), and from then on each picture
is drawn by NumPy first and replaced by TensorFlow's values when they are ready (the status
line names the backend drawing). A key whose change is refused leaves everything as it was and
says why in the status line.
"""

from __future__ import annotations

import threading
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from lrtool.explore.state import State
from lrtool.explore.views import PlotView, ValueInput, panel, status
from lrtool.output.terminal import Drawn, draw
from lrtool.picture import LogScaleError
from lrtool.schedules import ScheduleError

#: Seconds without a change before TensorFlow redraws what NumPy drew.
REFINE_DELAY = 0.3


class ExploreApp(App[str | None]):
    """The explorer over a State; ``tensorflow`` is the --backend choice to load later."""

    AUTO_FOCUS = None  # keys go to the explorer; the value field takes them only for an edit
    CSS = """
    #main { height: 1fr; }
    #plot { width: 1fr; height: 1fr; }
    #params { width: 30%; min-width: 30; max-width: 40; height: 1fr;
              border-left: solid $secondary; padding: 0 1; }
    #status { height: 2; }
    #input { display: none; height: 3; }
    #input.editing { display: block; }
    """
    BINDINGS = [
        Binding("up", "choose(-1)", show=False), Binding("down", "choose(1)", show=False),
        Binding("left", "nudge(-1)", show=False), Binding("right", "nudge(1)", show=False),
        Binding("enter", "edit", show=False),
        Binding("tab", "next_schedule", show=False, priority=True),
        Binding("s", "staircase", show=False), Binding("l", "log", show=False),
        Binding("plus,equals_sign", "zoom(0.5)", show=False),
        Binding("minus,underscore", "zoom(2)", show=False),
        Binding("comma", "cursor(-1)", show=False), Binding("full_stop", "cursor(1)", show=False),
        Binding("less_than_sign", "cursor(-10)", show=False),
        Binding("greater_than_sign", "cursor(10)", show=False),
        Binding("question_mark", "help", show=False),
        Binding("q", "quit_printing", show=False),
        Binding("escape", "quit_silently", show=False),
        Binding("ctrl+c", "interrupt", show=False, priority=True),
    ]

    def __init__(self, state: State, tensorflow: str = "auto", driver: Any = None) -> None:
        super().__init__(driver_class=driver)
        self.state = state
        self.want_tensorflow = tensorflow != "numpy" and state.backend.name == "numpy"
        self.numpy = state.backend
        self.tensorflow: Any = None
        self.tensorflow_note = "loading TensorFlow…" if self.want_tensorflow else ""
        self.message = ("", "")
        self.generation = 0
        self.drawn: Drawn | None = None
        self.drawn_key: tuple[Any, ...] = (None, None, None)
        self.pending: Any = None  # the timer of the next TensorFlow drawing
        self.worker: Any = None  # the process TensorFlow runs in (lrtool.explore.worker)

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield PlotView(id="plot")
            yield Static(id="params")
        yield Static(id="status")
        yield ValueInput(id="input")

    def on_unmount(self) -> None:
        if self.worker is not None:
            self.worker.close()

    def on_mount(self) -> None:
        self.redraw()
        if self.want_tensorflow:
            self.call_after_refresh(self.start_loading)

    # --- TensorFlow in the background -------------------------------------------------------

    def start_loading(self) -> None:
        """Start TensorFlow in its own process; a thread waits for it to be ready."""
        threading.Thread(target=self._load, name="lrtool-tensorflow", daemon=True).start()

    def _load(self) -> None:
        from lrtool.explore.worker import RemoteTensorFlow, WorkerFailed

        backend = RemoteTensorFlow(self.numpy.mode)
        self.worker = backend
        try:
            backend.wait_ready()
        except WorkerFailed as exc:
            backend.close()
            self.call_from_thread(self.loaded, None, str(exc))
        else:
            self.call_from_thread(self.loaded, backend, "")

    def loaded(self, backend: Any, problem: str) -> None:
        """TensorFlow is ready (or cannot be): draw with it from now on, or say why not."""
        self.tensorflow = backend
        self.tensorflow_note = problem
        if backend is None:
            self.redraw()
        else:
            self.refine()

    def refine(self) -> None:
        """Draw the current picture with TensorFlow in a thread; show it if still current."""
        self.pending = None
        generation, size = self.generation, self.plot_size() or (80, 24)
        picture = self.state.picture(self.tensorflow)
        self.tensorflow_note = "TensorFlow computing…"

        def work() -> None:
            try:
                draw(picture, size, self.state.cursor)
            except Exception as exc:  # noqa: BLE001 - shown, never a crash
                self.call_from_thread(self.refine_failed, generation, f"{type(exc).__name__}: {exc}")
                return
            self.call_from_thread(self.refined, generation)

        threading.Thread(target=work, name="lrtool-refine", daemon=True).start()
        self.redraw()  # the status line says TensorFlow is computing

    def refined(self, generation: int) -> None:
        if generation == self.generation:
            self.state.backend = self.tensorflow
            self.tensorflow_note = ""
            self.redraw()

    def refine_failed(self, generation: int, problem: str) -> None:
        if generation == self.generation:
            self.tensorflow_note = f"TensorFlow failed: {problem}"
            self.redraw()

    # --- drawing ------------------------------------------------------------------------------

    def plot_size(self) -> tuple[int, int] | None:
        """The plot's (columns, lines); None before the first layout gave it a size."""
        size = self.query_one("#plot").content_size
        if not size.width:
            return None
        return size.width, size.height + 1  # draw() leaves a line for a prompt

    def redraw(self) -> None:
        """Draw the plot, the argument panel and the status line for the current state.

        Should TensorFlow's process fail meanwhile, NumPy draws instead, and the status line
        says what happened.
        """
        from lrtool.explore.worker import WorkerFailed

        try:
            self._redraw()
        except WorkerFailed as exc:
            if self.state.backend is self.numpy:
                raise
            self.state.backend, self.tensorflow = self.numpy, None
            self.tensorflow_note = f"TensorFlow failed: {exc}"
            self._redraw()

    def _redraw(self) -> None:
        state = self.state
        picture, size = state.picture(), self.plot_size()
        key = (picture, size, state.cursor)
        if size is not None and any(a is not b and a != b for a, b in zip(key, self.drawn_key)):
            # Up/Down, ? and messages leave the plot as it is
            self.drawn = draw(picture, size, state.cursor)
            state.cursor = min(state.cursor, self.drawn.chars - 1)
            self.drawn_key = (picture, size, state.cursor)
            self.query_one("#plot", PlotView).show(self.drawn.lines)
        self.query_one("#params", Static).update(panel(state))
        self.query_one("#status", Static).update(
            status(state, self.drawn, self.tensorflow_note, self.message))

    def after_change(self, notes: list[str] | None = None) -> None:
        """Redraw after the state changed, and draw again with TensorFlow when it is loaded."""
        self.generation += 1
        self.message = ("note", "; ".join(notes)) if notes else ("", "")
        if self.tensorflow is not None and self.numpy.name == "numpy":
            # NumPy draws at once; TensorFlow (tracing a new function for each new schedule)
            # once the keys pause, so that holding a key stays fluid.
            self.state.backend = self.numpy
            self.tensorflow_note = "TensorFlow next…"
            if self.pending is not None:
                self.pending.stop()
            self.pending = self.set_timer(REFINE_DELAY, self.refine)
        self.redraw()

    def attempt(self, change: Any, *args: Any) -> None:
        """Run a key's change; a refused one becomes the status line's message."""
        try:
            notes = change(*args)
        except (ScheduleError, LogScaleError) as exc:
            self.message = ("error", getattr(exc, "message", None) or str(exc))
            self.redraw()
            return
        self.after_change(notes if isinstance(notes, list) else None)

    @property
    def editing(self) -> bool:
        return self.query_one("#input").has_class("editing")

    # --- keys ---------------------------------------------------------------------------------

    def action_choose(self, direction: int) -> None:
        if not self.editing:
            self.state.choose(direction)
            self.redraw()

    def action_nudge(self, direction: int) -> None:
        if not self.editing:
            self.attempt(self.state.nudge, direction)

    def action_next_schedule(self) -> None:
        if not self.editing:
            self.state.next_schedule()
            self.redraw()

    def action_staircase(self) -> None:
        self.attempt(self.state.toggle_staircase)

    def action_log(self) -> None:
        self.attempt(self.state.toggle_log)

    def action_zoom(self, factor: float) -> None:
        around = self.drawn.step_at(self.state.cursor) if self.drawn else self.state.steps.first
        self.attempt(self.state.zoom, factor, around)

    def action_cursor(self, by: int) -> None:
        chars = self.drawn.chars if self.drawn else 1
        self.state.cursor = min(max(self.state.cursor + by, 0), chars - 1)
        self.redraw()

    def action_help(self) -> None:
        self.state.help = not self.state.help
        self.redraw()

    def action_edit(self) -> None:
        knob = self.state.knob
        if knob is None or self.editing:
            return
        field = self.query_one("#input", Input)
        field.border_title = f"{knob.label} = (Enter: set, Esc: cancel)"
        field.value = knob.text
        field.add_class("editing")
        field.focus()

    def end_edit(self) -> None:
        field = self.query_one("#input", Input)
        field.remove_class("editing")
        self.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.end_edit()
        self.attempt(self.state.type_value, event.value)

    def action_quit_printing(self) -> None:
        self.exit(self.state.expression())

    def action_quit_silently(self) -> None:
        self.exit(None)

    def action_interrupt(self) -> None:
        self.exit(None, return_code=130)
