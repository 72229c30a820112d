"""Pasted training code: documentation snippets, Python's arithmetic, and every refusal."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtool.pysource import MAX_CHARS
from lrtool.snippet import Found, SnippetError, evaluate_expression, find_call

KERAS = ("ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay", "InverseTimeDecay",
         "CosineDecay", "CosineDecayRestarts")
SNIPPETS = Path(__file__).parent / "snippets"

#: fixture -> (class_name, qualifier, args, kwargs, names given with --set)
KERAS_DOCSTRINGS = {
    "keras_exponential_decay": ("ExponentialDecay", "keras.optimizers.schedules", (0.1,),
                                {"decay_steps": 100000, "decay_rate": 0.96, "staircase": True},
                                {}),
    "keras_piecewise_constant_decay": ("PiecewiseConstantDecay", "keras.optimizers.schedules",
                                       ([100000, 110000], [1.0, 0.5, 0.1]), {}, {}),
    "keras_polynomial_decay": ("PolynomialDecay", "keras.optimizers.schedules",
                               (0.1, 10000, 0.01), {"power": 0.5}, {}),
    "keras_inverse_time_decay": ("InverseTimeDecay", "keras.optimizers.schedules",
                                 (0.1, 1.0, 0.5), {}, {}),
    "keras_cosine_decay": ("CosineDecay", "keras.optimizers.schedules", (0.1, 1000), {}, {}),
    "keras_cosine_decay_warmup": ("CosineDecay", "keras.optimizers.schedules", (0, 1000),
                                  {"warmup_target": 0.1, "warmup_steps": 1000}, {}),
    # The docstring never sets initial_learning_rate: the CLI's --set gives it.
    "keras_cosine_decay_restarts": ("CosineDecayRestarts", "keras.optimizers.schedules",
                                    (0.1, 1000), {}, {"initial_learning_rate": 0.1}),
    "keras_learning_rate_schedule": ("ExponentialDecay", "keras.optimizers.schedules", (),
                                     {"initial_learning_rate": 1e-2, "decay_steps": 10000,
                                      "decay_rate": 0.9}, {}),
}
OTHER_SNIPPETS = {
    "tf_docs_inverse_time_decay": ("InverseTimeDecay", "keras.optimizers.schedules",
                                   (0.1, 1.0, 0.5), {}, {}),
    "keras_io_style_variables": ("ExponentialDecay", "keras.optimizers.schedules", (0.1,),
                                 {"decay_steps": 780, "decay_rate": 0.96, "staircase": True},
                                 {}),
    "adamw_cosine_decay": ("CosineDecay", "keras.optimizers.schedules", (),
                           {"initial_learning_rate": 1e-3, "decay_steps": 31260, "alpha": 1e-2},
                           {}),
    "keras2_lr_keyword": ("PiecewiseConstantDecay", "tf.keras.optimizers.schedules", (),
                          {"boundaries": [32000, 48000], "values": [0.1, 0.01, 0.001]}, {}),
    "notebook_several_schedules": ("CosineDecayRestarts", "keras.optimizers.schedules", (1e-3,),
                                   {"first_decay_steps": 1955, "t_mul": 2.0}, {}),
}


def snippet(name: str) -> str:
    return (SNIPPETS / f"{name}.txt").read_text(encoding="utf-8")


def refused(text: str, known: tuple[str, ...] = KERAS, **names: object) -> SnippetError:
    """The SnippetError ``text`` gives, checked to be one short line."""
    with pytest.raises(SnippetError) as info:
        find_call(text, known, names)
    return one_line(info.value)


def one_line(error: SnippetError) -> SnippetError:
    message = str(error)
    assert "\n" not in message and len(message) < 200, message
    assert all(c.isprintable() for c in message), message
    assert isinstance(error, ValueError)
    return error


def typed(value: object) -> object:
    """Value and type together, so that 0.1 vs 1e-1 agree and 1000 vs 1000.0 do not."""
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


def check(found: Found, class_name: str, qualifier: str, args: tuple, kwargs: dict) -> None:
    assert (found.class_name, found.qualifier) == (class_name, qualifier)
    assert typed(list(found.args)) == typed(list(args))
    assert {k: typed(v) for k, v in found.kwargs.items()} == {
        k: typed(v) for k, v in kwargs.items()}


# --- fixtures ---------------------------------------------------------------------------------


def test_every_fixture_is_tested_and_says_where_it_came_from() -> None:
    tested = {*KERAS_DOCSTRINGS, *OTHER_SNIPPETS, "keras_my_lr_schedule",
              "transformer_custom_schedule", "tf_docs_inverse_time_decay_scraped"}
    files = {p.stem for p in SNIPPETS.glob("*.txt")}
    assert files == tested
    for name in files:
        assert snippet(name).startswith("# Source: ")


@pytest.mark.parametrize("name", sorted({**KERAS_DOCSTRINGS, **OTHER_SNIPPETS}))
def test_documentation_snippet_gives_its_schedule(name: str) -> None:
    class_name, qualifier, args, kwargs, names = {**KERAS_DOCSTRINGS, **OTHER_SNIPPETS}[name]
    check(find_call(snippet(name), KERAS, names), class_name, qualifier, args, kwargs)


def test_keras_docstring_examples_build_real_keras_schedules() -> None:
    keras = pytest.importorskip("keras")
    built = set()
    for name, (class_name, _, _, _, names) in KERAS_DOCSTRINGS.items():
        found = find_call(snippet(name), KERAS, names)
        schedule = getattr(keras.optimizers.schedules, found.class_name)(*found.args,
                                                                         **found.kwargs)
        assert type(schedule).__name__ == class_name
        built.add(class_name)
    assert built == set(KERAS)


def test_undefined_name_in_a_docstring_example_asks_for_set() -> None:
    error = refused(snippet("keras_cosine_decay_restarts"))
    assert str(error) == ("undefined name 'initial_learning_rate' in argument 1 of"
                          " CosineDecayRestarts; give it with --set initial_learning_rate=VALUE")
    assert error.argument is None


def test_transformer_tutorial_custom_schedule_is_named_as_unknown() -> None:
    error = refused(snippet("transformer_custom_schedule"))
    assert str(error).startswith("unknown schedule 'CustomSchedule' passed to Adam on line 21;"
                                 " known: ExponentialDecay, PiecewiseConstantDecay")
    found = find_call(snippet("transformer_custom_schedule"), {*KERAS, "CustomSchedule"})
    check(found, "CustomSchedule", "", (128,), {})


def test_keras_custom_class_example_is_named_as_unknown() -> None:
    error = refused(snippet("keras_my_lr_schedule"))
    assert str(error).startswith("unknown schedule 'MyLRSchedule' passed to SGD on line 10;")


def test_scraped_page_with_a_lost_line_skips_it_and_says_so() -> None:
    """The seed's documentation page lost a line of its example when it was copied: the line
    left behind is skipped, and the note says which."""
    found = find_call(snippet("tf_docs_inverse_time_decay_scraped"), KERAS)
    assert (found.class_name, found.args) == ("InverseTimeDecay", (0.1, 1.0, 0.5))
    assert found.note == "skipped line 8, not Python"
    error = refused("x = 1\n  y = (\nCosineDecay(0.1, 10\n")  # nothing to salvage a call from
    assert str(error).startswith("not valid Python at line 2")


def test_note_says_which_of_several_schedules_is_shown() -> None:
    found = find_call(snippet("notebook_several_schedules"), KERAS)
    assert found.note == ("3 schedules are constructed; showing restarts (line 11), the one"
                          " passed to model.compile on line 21")


# --- accepted forms ---------------------------------------------------------------------------

BRIEF = """\
initial_learning_rate = 0.1
EPOCHS = 10
steps_per_epoch = 391
lr_schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate, decay_steps=EPOCHS * steps_per_epoch, decay_rate=0.96, staircase=True)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr_schedule), loss="mse")
"""


@pytest.mark.parametrize("text, class_name, qualifier, args, kwargs", [
    (BRIEF, "ExponentialDecay", "keras.optimizers.schedules", (0.1,),
     {"decay_steps": 3910, "decay_rate": 0.96, "staircase": True}),
    ("CosineDecay(1e-3, 10 * 1000)", "CosineDecay", "", (1e-3, 10000), {}),
    ("CosineDecay(1e-3 * 2, 10 / 2)", "CosineDecay", "", (0.002, 5.0), {}),
    ("keras.optimizers.AdamW(learning_rate=CosineDecay(1e-3, 1000), weight_decay=0.01)",
     "CosineDecay", "", (1e-3, 1000), {}),
    ("lr_schedule = schedules.CosineDecay(0.1, 100)\n"
     "optimizer = tf.keras.optimizers.Adam(lr_schedule)", "CosineDecay", "schedules", (0.1, 100),
     {}),
    ("a = b = 3\nc, d = 1, 2\n[e, f] = [0.5, 4]\ng: float = 0.25\ng *= 2\nh = 7\nh //= 2\n"
     "ExponentialDecay(a + c, d * h, g, name=e * f)", "ExponentialDecay", "", (4, 6, 0.5),
     {"name": 2.0}),
    ("a, b = 1, 2\nExponentialDecay(a, b, 0.5)", "ExponentialDecay", "", (1, 2, 0.5), {}),
    ("a, b = [1, 2]\nExponentialDecay(a, b, 0.5)", "ExponentialDecay", "", (1, 2, 0.5), {}),
    ("a = b = 3\nx: float = 0.5\nx *= 2\nExponentialDecay(a, b, x)", "ExponentialDecay", "",
     (3, 3, 1.0), {}),
    ("tf.keras.experimental.CosineDecay(0.1, 1000)", "CosineDecay", "tf.keras.experimental",
     (0.1, 1000), {}),
    ("optimizers.schedules.InverseTimeDecay(1, 2, 3, True, 'it')", "InverseTimeDecay",
     "optimizers.schedules", (1, 2, 3, True, "it"), {}),
    ("PiecewiseConstantDecay(boundaries=(100, 200), values=[0.1] * 3)",
     "PiecewiseConstantDecay", "", (), {"boundaries": [100, 200], "values": [0.1, 0.1, 0.1]}),
    ("PolynomialDecay(0.1, round(1e4 / 3), end_learning_rate=min(0.01, 2e-3), power=abs(-2),"
     " cycle=False, name=None)", "PolynomialDecay", "", (0.1, 3333),
     {"end_learning_rate": 2e-3, "power": 2, "cycle": False, "name": None}),
    ("ExponentialDecay(int(0.1 * 10), float(3), max([1, 2.5]), staircase=True)",
     "ExponentialDecay", "", (1, 3.0, 2.5), {"staircase": True}),
    ("from keras.optimizers.schedules import CosineDecay as CD\nCD(0.1, 5)", "CosineDecay", "",
     (0.1, 5), {}),
    ("import tensorflow.keras.optimizers.schedules as lrs\nlrs.CosineDecay(0.1, 5)",
     "CosineDecay", "lrs", (0.1, 5), {}),
    ("    steps = 10\n    CosineDecay(0.1, steps)\n", "CosineDecay", "", (0.1, 10), {}),
    ("```python\nCosineDecay(0.1, 10)\n```", "CosineDecay", "", (0.1, 10), {}),
    ("!pip install keras\n%load_ext tensorboard\nCosineDecay(0.1, 10)", "CosineDecay", "",
     (0.1, 10), {}),
    ("\ufeffCosineDecay(0.1, 10)", "CosineDecay", "", (0.1, 10), {}),
    ("def make_optimizer():\n    return keras.optimizers.AdamW(\n        learning_rate="
     "keras.optimizers.schedules.CosineDecay(1e-3, 500), weight_decay=1e-4)\n",
     "CosineDecay", "keras.optimizers.schedules", (1e-3, 500), {}),
    ("if True:\n    s = CosineDecay(0.1, 10)\nelse:\n    s = CosineDecay(0.2, 20)\n"
     "with strategy.scope():\n    model.compile(optimizer=SGD(lr=s))",
     "CosineDecay", "", (0.2, 20), {}),
])
def test_accepted_forms(text: str, class_name: str, qualifier: str, args: tuple,
                        kwargs: dict) -> None:
    check(find_call(text, KERAS), class_name, qualifier, args, kwargs)


def test_unrelated_statements_are_skipped() -> None:
    text = """
import os
from keras import layers
import keras

@keras.saving.register_keras_serializable()
class Block(layers.Layer):
    def call(self, x):
        return x * 2

def data():
    for i in range(10):
        yield i

model = keras.Sequential([layers.Dense(1)])
print("training", os.getcwd())  # a comment
steps = len(os.listdir("."))  # not arithmetic: steps has no value, unused
total = 10 * 100
model.compile(optimizer=keras.optimizers.SGD(
    learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, total, 0.5)), loss="mse")
model.fit(data(), epochs=3, callbacks=[keras.callbacks.TensorBoard()])
"""
    check(find_call(text, KERAS), "ExponentialDecay", "keras.optimizers.schedules",
          (0.1, 1000, 0.5), {})


def test_arguments_take_the_values_names_had_at_the_call() -> None:
    found = find_call("lr = 0.1\ns = CosineDecay(lr, 10)\nlr = 5\n", KERAS)
    assert found.args == (0.1, 10)


def test_set_values_win_over_the_snippets_assignments() -> None:
    text = "EPOCHS = 10\nsteps = EPOCHS * 100\nCosineDecay(0.1, steps)"
    assert find_call(text, KERAS, {"EPOCHS": 3}).args == (0.1, 300)
    assert find_call(text, KERAS, {"steps": 7}).args == (0.1, 7)


def test_unset_name_used_later_says_why() -> None:
    error = refused("steps = len(data)\nCosineDecay(0.1, decay_steps=steps * 2)")
    assert str(error) == ("'steps' in decay_steps has no value (line 1 sets it to a call to"
                          " len()); give it with --set steps=VALUE")
    assert error.argument == "decay_steps"
    error = refused("steps = 1 / 0\nCosineDecay(0.1, decay_steps=steps)")
    assert "line 1: division by zero: 1 / 0" in str(error)
    error = refused("for steps in range(3):\n    pass\nCosineDecay(0.1, decay_steps=steps)")
    assert "line 1 binds it in code lrtool does not run" in str(error)


def test_the_optimizers_schedule_wins_else_the_last_one() -> None:
    text = ("lr_a = CosineDecay(0.1, 10)\nlr_b = ExponentialDecay(0.1, 10, 0.5)\n"
            "lr_c = CosineDecay(0.3, 30)\nopt = keras.optimizers.Adam(learning_rate=lr_b)\n")
    found = find_call(text, KERAS)
    assert found.class_name == "ExponentialDecay"
    assert found.note == ("3 schedules are constructed; showing lr_b (line 2), the one passed"
                          " to Adam on line 4")
    found = find_call("CosineDecay(0.1, 10)\nCosineDecay(0.2, 20)", KERAS)
    assert found.args == (0.2, 20)
    assert found.note == ("2 schedules are constructed; showing the CosineDecay on line 2, the"
                          " last one")
    assert find_call("CosineDecay(0.1, 10)", KERAS).note is None


def test_the_compiled_optimizer_wins_over_another_optimizer() -> None:
    text = ("a = CosineDecay(0.1, 10)\nb = CosineDecay(0.2, 20)\n"
            "opt1 = Adam(learning_rate=b)\nopt2 = SGD(a)\nmodel.compile(optimizer=opt2)\n"
            "other = Adam(learning_rate=CosineDecay(0.3, 30))\n")
    found = find_call(text, KERAS)
    assert found.args == (0.1, 10)
    assert found.note is not None and "model.compile on line 5" in found.note


def test_an_unknown_schedule_compiled_wins_over_a_known_one_merely_passed() -> None:
    text = ("opt_a = Adam(learning_rate=CosineDecay(0.1, 10))\n"
            "opt_b = Adam(learning_rate=OneCycle(0.1))\nmodel.compile(optimizer=opt_b)\n")
    assert str(refused(text)).startswith("unknown schedule 'OneCycle' passed to"
                                         " model.compile on line 3;")
    text = "g = Adam(learning_rate=CosineDecay(0.1, 10))\nd = Adam(learning_rate=OneCycle(0.1))"
    assert find_call(text, KERAS).args == (0.1, 10)  # equals: the known one is shown


def test_a_wrapper_around_an_unknown_call_is_not_a_schedule() -> None:
    text = ("lr = CosineDecay(0.1, 10)\n"
            "opt = mixed_precision.LossScaleOptimizer(make_optimizer(lr))")
    assert find_call(text, KERAS).args == (0.1, 10)


def test_names_known_later_are_accepted_bare() -> None:
    text = "warm = WarmUp(initial_learning_rate=0.1, warmup_steps=100, power=1.0)"
    found = find_call(text, {*KERAS, "WarmUp"})
    assert (found.class_name, found.kwargs["warmup_steps"]) == ("WarmUp", 100)


# --- refusals ---------------------------------------------------------------------------------

E = "ExponentialDecay(0.1, decay_steps={}, decay_rate=0.9)"


@pytest.mark.parametrize("text, start, argument", [
    ("x = (\n", "not valid Python at line 1, column 5: '(' was never closed", None),
    ("a = 1\n  b = 2", "not valid Python at line 2, column 2: unexpected indent: b = 2", None),
    (E.format("EPOCHS"), "undefined name 'EPOCHS' in decay_steps; give it with --set"
     " EPOCHS=VALUE", "decay_steps"),
    ("epochs = 3\n" + E.format("EPOCH * 2"), "undefined name 'EPOCH' in decay_steps; give it"
     " with --set EPOCH=VALUE (did you mean 'epochs'?)", "decay_steps"),
    (E.format("open('f')"), "decay_steps must be a number or arithmetic, not a call to open()",
     "decay_steps"),
    (E.format("os.environ"), "decay_steps must be a number or arithmetic, not attribute access"
     " (os.environ)", "decay_steps"),
    (E.format("lambda: 1"), "decay_steps must be a number or arithmetic, not a lambda",
     "decay_steps"),
    (E.format("[i for i in x]"), "decay_steps must be a number or arithmetic, not a"
     " comprehension", "decay_steps"),
    (E.format("f'{x}'"), "decay_steps must be a number or arithmetic, not an f-string",
     "decay_steps"),
    (E.format("steps[0]"), "decay_steps must be a number or arithmetic, not a subscript",
     "decay_steps"),
    (E.format("__import__('os').system('ls')"), "decay_steps must be a number or arithmetic,"
     " not a call to __import__('os').system()", "decay_steps"),
    (E.format("1 if x else 2"), "decay_steps must be a number or arithmetic, not a conditional",
     "decay_steps"),
    (E.format("round(10, key=1)"), "decay_steps must be a number or arithmetic, not round(10,",
     "decay_steps"),
    ("import keras\nmodel.fit(x)", "no schedule constructor found; expected e.g."
     " ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)", None),
    ("opt = Adam(learning_rate=1e-3)", "no schedule constructor found (Adam on line 1 gets the"
     " learning rate 0.001)", None),
    ("s = CosineDecay", "no schedule constructor found (CosineDecay on line 1 is named but not"
     " called)", None),
    ("torch.optim.lr_scheduler.StepLR(opt, 30)", "no schedule constructor found"
     " (torch.optim.lr_scheduler.StepLR on line 1 is PyTorch's)", None),
    ("ExponentialDecay(*args)", "*arguments are not supported", None),
    ("ExponentialDecay(**config)", "**arguments are not supported", None),
    ("ExponentialDecay(0.1, decay_steps=1, decay_steps=2)", "ExponentialDecay on line 1 gets"
     " decay_steps twice", "decay_steps"),
    ("PiecewiseConstantDecay([1] + 2, [1, 2])", "unsupported operand types in argument 1 of"
     " PiecewiseConstantDecay: list + int ([1] + 2)", None),
    ("PiecewiseConstantDecay(boundaries=[1, 2], values=[1, 2] * 1.5)", "unsupported operand"
     " types in values: list * float", "values"),
    (E.format("True + 1"), "unsupported operand types in decay_steps: bool + int",
     "decay_steps"),
    (E.format("'1000' * 3"), "strings cannot take part in arithmetic: '1000' * 3 in"
     " decay_steps", "decay_steps"),
    (E.format("10 // (5 - 5)"), "division by zero: 10 // (5 - 5) in decay_steps",
     "decay_steps"),
    (E.format("0 ** -1"), "division by zero: 0 ** (-1) in decay_steps", "decay_steps"),
    (E.format("(-8) ** 0.5"), "(-8) ** 0.5 gives a complex number in decay_steps",
     "decay_steps"),
    (E.format("[[1]]"), "decay_steps must be a number or arithmetic, not a list holding [1]",
     "decay_steps"),
    (E.format("1j"), "decay_steps must be a number or arithmetic, not the constant 1j",
     "decay_steps"),
    ("foo.bar.ExponentialDecay(0.1, 10, 0.5)", "foo.bar.ExponentialDecay on line 1 is not a"
     " Keras schedule: write keras.optimizers.schedules.ExponentialDecay or just"
     " ExponentialDecay", None),
    ("keras.ExponentialDecay(0.1, 10, 0.5)", "keras.ExponentialDecay on line 1 is not a Keras"
     " schedule", None),
    ("opt = Adam(learning_rate=os.system('rm -rf /'))", "os.system() passed to Adam on line 1"
     " is not a Keras schedule; known: ExponentialDecay,", None),
    ("opt = SGD(learning_rate=Foo(0.1))", "unknown schedule 'Foo' passed to SGD on line 1;"
     " known: ExponentialDecay, PiecewiseConstantDecay", None),
    ("opt = SGD(learning_rate=keras.optimizers.schedules.CosineDecai(0.1, 2))", "unknown"
     " schedule 'CosineDecai' passed to SGD on line 1; did you mean 'CosineDecay'?", None),
    ("s = WarmUp(CosineDecay(0.1, 10), 100)\nopt = Adam(learning_rate=s)", "unknown schedule"
     " 'WarmUp' passed to Adam on line 2", None),
])
def test_refusals_are_one_line_and_name_the_argument(text: str, start: str,
                                                     argument: str | None) -> None:
    error = refused(text)
    assert str(error).startswith(start), str(error)
    assert error.argument == argument


def test_a_schedule_name_used_as_a_number_is_refused() -> None:
    error = refused("s = CosineDecay(0.1, 10)\nExponentialDecay(s, 10, 0.5)")
    assert "'s' in argument 1 of ExponentialDecay has no value (line 1 sets it to a schedule)"\
        in str(error)


def test_control_characters_in_source_are_escaped_in_messages() -> None:
    for bad in ("\x1b[2J", "\u202e", "\x07", "\r"):
        error = refused(E.format(f"'{bad}' * 3"))
        assert bad not in str(error)


def test_long_names_and_excerpts_are_cut() -> None:
    name = "n" * 5000
    error = refused(E.format(name))
    assert "..." in str(error)
    error = refused(E.format("+".join(["open('x')"] * 50)))
    assert len(str(error)) < 200


# --- bounded cost -----------------------------------------------------------------------------


@pytest.mark.parametrize("expression, start", [
    ("10**10**10", "10 ** 10 ** 10 is too large"),
    ("2 ** 100000", "2 ** 100000 is too large"),
    ("(10 ** 600) * (10 ** 600)", "10 ** 600 * 10 ** 600 is too large"),
    ("9.9 ** 1000", "9.9 ** 1000 is too large"),
    ("1e308 * 10", "1e+308 * 10 is too large"),
    ("1e999", "1e309 is too large"),
    ("float(10 ** 400)", "float(10 ** 400) is too large"),
    ("[0] * 10**9", "[0] * 10 ** 9 has 1,000,000,000 items; lrtool reads at most 1,000,000"),
    ("[0.1] * 500000 + [0.2] * 500001", "[0.1] * 500000 + [0.2] * 500001 has 1,000,001 items"),
    ("'x' * 10**9", "strings cannot take part in arithmetic"),
    ("1" * 1001, "1111111111"),
    ("1" * 5000, "an integer literal at line 1, column"),
])
def test_huge_results_are_refused_before_computing(expression: str, start: str) -> None:
    error = refused(E.format(expression))
    assert str(error).startswith(start), str(error)
    with pytest.raises(SnippetError):
        evaluate_expression(expression)


def test_int_limit_is_exact() -> None:
    assert evaluate_expression("10 ** 999 * 9") == 9 * 10**999
    assert evaluate_expression("(10 ** 500) * (10 ** 499) * 9") == 9 * 10**999
    assert evaluate_expression("round(5, -10 ** 9)") == 0
    with pytest.raises(SnippetError):
        evaluate_expression("10 ** 1000")


@pytest.mark.parametrize("text", [
    "(" * 100000 + "1" + ")" * 100000,
    "-" * 100000 + "1",
    "[" * 50000,
    "not " * 100000 + "x",
    "+".join(["1"] * 100000),
    "x = " + "+".join(["1"] * 150),
    "x = " + "**".join(["2"] * 120),
    "f" + "()" * 100000,
    "a" + ".b" * 100000,
    "CosineDecay(" + "[" * 150 + "]" * 150 + ", 1)",
])
def test_deep_nesting_is_refused(text: str) -> None:
    refused(text)
    with pytest.raises(SnippetError):
        evaluate_expression(text)


def test_big_inputs_are_refused() -> None:
    text = "x = 1\n" * (MAX_CHARS // 6 + 1)
    assert str(refused(text)) == (f"the input has {len(text):,} characters; lrtool reads at"
                                  f" most {MAX_CHARS:,}")
    assert "syntax nodes" in str(refused("x = [" + "1," * 110_000 + "]"))


def test_too_much_work_in_all_is_refused() -> None:
    error = refused("a = [0] * 10000\n" + "b = a * 1\n" * 300 + "CosineDecay(0.1, 10)")
    assert str(error) == "the snippet needs too much arithmetic (over 2,000,000 steps)"


@pytest.mark.parametrize("text, start", [
    ("CosineDecay(0.1, 10)\0", "the input contains NUL bytes"),
    (bytes(range(256)).decode("latin-1"), "the input contains NUL bytes"),
    (bytes(range(1, 256)).decode("latin-1"), "not valid Python at line 1"),
    ("CosineDecay(0.1, 10)\ud800", "the input is not Python source text"),
    ("\ufeff\ufeffCosineDecay(0.1, 10)", "not valid Python at line 1"),
    ("", "no schedule constructor found"),
])
def test_garbage_is_refused(text: str, start: str) -> None:
    assert str(refused(text)).startswith(start)


# --- arithmetic against Python's own ----------------------------------------------------------

INT_LIMIT = 10**1000


def _leaf() -> st.SearchStrategy[str]:
    return st.one_of(st.integers(-30, 30).map(str),
                     st.floats(-1e6, 1e6, allow_nan=False).map(repr),
                     st.sampled_from(["0", "0.0", "-0.0", "1e300", "1.7e308", "2", "10"]))


def _tree(children: st.SearchStrategy[tuple]) -> st.SearchStrategy[tuple]:
    ops = st.sampled_from(["+", "-", "*", "/", "//", "%", "**"])
    return st.one_of(
        st.tuples(st.just("bin"), ops, children, children),
        st.tuples(st.just("unary"), st.sampled_from(["-", "+"]), children),
        st.tuples(st.just("call"), st.sampled_from(["int", "float", "abs", "round"]), children),
        st.tuples(st.just("call2"), st.sampled_from(["min", "max"]), children, children),
        st.tuples(st.just("round2"), children, st.integers(-5, 5)),
    )


TREES = st.recursive(_leaf().map(lambda t: ("leaf", t)), _tree, max_leaves=8)


def render(tree: tuple) -> str:
    kind = tree[0]
    if kind == "leaf":
        return tree[1]
    if kind == "bin":
        return f"({render(tree[2])} {tree[1]} {render(tree[3])})"
    if kind == "unary":
        return f"{tree[1]}{render(tree[2])}"
    if kind == "call":
        return f"{tree[1]}({render(tree[2])})"
    if kind == "call2":
        return f"{tree[1]}({render(tree[2])}, {render(tree[3])})"
    return f"round({render(tree[1])}, {tree[2]})"


class TooLarge(Exception):
    """What lrtool's limits refuse although Python would compute it."""


def oracle(tree: tuple) -> object:
    """Python's ``eval`` of each subexpression, children first, with lrtool's limits applied to
    every intermediate value; an exponent that would hang Python is judged without computing."""
    if tree[0] == "bin" and tree[1] == "**":
        base, exponent = oracle(tree[2]), oracle(tree[3])
        if type(base) is int and type(exponent) is int and abs(base) > 1 and exponent > 4000:
            raise TooLarge  # |base| ** exponent >= 2 ** 4000 > 10 ** 1000
    else:
        for child in tree[1:]:
            if isinstance(child, tuple):
                oracle(child)
    value = eval(render(tree), {"__builtins__": {}}, {  # the oracle only, never in lrtool
        "int": int, "float": float, "abs": abs, "round": round, "min": min, "max": max})
    if isinstance(value, complex) or (isinstance(value, float) and not math.isfinite(value)) or (
            type(value) is int and abs(value) >= INT_LIMIT):
        raise TooLarge
    return value


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_arithmetic_agrees_with_python(tree: tuple) -> None:
    text = render(tree)
    try:
        expected: object = oracle(tree)
    except ZeroDivisionError:
        with pytest.raises(SnippetError, match="division by zero"):
            evaluate_expression(text)
        return
    except (TooLarge, OverflowError, TypeError, ValueError):
        with pytest.raises(SnippetError):
            evaluate_expression(text)
        return
    value = evaluate_expression(text)
    assert (type(value), repr(value)) == (type(expected), repr(expected)), text


def test_python_division_semantics() -> None:
    cases = {"7 / 2": 3.5, "8 / 2": 4.0, "7 // 2": 3, "-7 // 2": -4, "7.0 // 2": 3.0,
             "-7 % 3": 2, "7 % -3": -2, "2 ** -1": 0.5, "2 ** 10": 1024, "4 ** 0.5": 2.0,
             "round(2.5)": 2, "round(3.5)": 4, "round(2.675, 2)": 2.67, "round(1234, -2)": 1200,
             "int(-3.9)": -3, "float(3)": 3.0, "min(1, 1.0)": 1, "max(1.0, 1)": 1.0,
             "abs(-0.0)": 0.0, "10 * 1000": 10000, "1e-3 * 2": 0.002, "-(-3)": 3, "+2.0": 2.0}
    for text, expected in cases.items():
        value = evaluate_expression(text)
        assert (type(value), value) == (type(expected), expected), text


def test_evaluate_expression_reads_names_and_says_where() -> None:
    assert evaluate_expression("EPOCHS * 391", {"EPOCHS": 10}) == 3910
    assert evaluate_expression("[1, 2.5]") == [1, 2.5]
    assert evaluate_expression(" 'cosine' ") == "cosine"
    with pytest.raises(SnippetError) as info:
        evaluate_expression("EPOCH * 2", {"EPOCHS": 10}, where="--set TOTAL")
    assert str(info.value) == ("undefined name 'EPOCH' in --set TOTAL; give it with --set"
                               " EPOCH=VALUE (did you mean 'EPOCHS'?)")
    with pytest.raises(SnippetError, match="^not valid Python"):
        evaluate_expression("x = 1")


# --- fuzz -------------------------------------------------------------------------------------

TOKENS = ["CosineDecay", "ExponentialDecay", "keras.optimizers.schedules.", "Adam", "(", ")",
          "[", "]", ",", "=", "x", "lr", "1", "0", "1e308", "10", "**", "*", "/", "//", "%", "-",
          "+", "\n", "    ", "learning_rate=", "decay_steps=", "'s'", "lambda", ":", "def",
          "if", "else", "import", "model.compile(optimizer=", "*args", "**kw", ".", "#", "\\",
          "\ufeff", "\0", "x, y = ", "x *= ", "opt = SGD(lr=", "\"", "f'", "{", "}", "None"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1")),
                 st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
                 st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join)))
def test_any_text_gives_a_call_or_a_one_line_snippet_error(text: str) -> None:
    try:
        found = find_call(text, KERAS)
    except SnippetError as error:
        one_line(error)
    else:
        assert found.class_name in KERAS
    try:
        evaluate_expression(text)
    except SnippetError as error:
        one_line(error)
