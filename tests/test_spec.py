"""The SCHEDULE argument: expressions (literals only), JSON files and stdin, and every bad spec."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from lrtool.schedules import REGISTRY, ScheduleError
from lrtool.labels import short_labels
from lrtool.spec import parse
from lrtool.steps import Steps
from lrtool.surprises import warnings


@pytest.mark.parametrize("text", [
    "ExponentialDecay(0.1, 100000, 0.96, True)",
    "ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)",
    "keras.optimizers.schedules.ExponentialDecay(0.1, 100000, 0.96, staircase=True)",
    "tf.keras.optimizers.schedules.ExponentialDecay(0.1, 100000, 0.96, staircase=True)",
    "schedules.ExponentialDecay(initial_learning_rate=0.1, decay_steps=100000, decay_rate=0.96,"
    " staircase=True, name='lr')",
    "  ExponentialDecay(\n 0.1,\n 100_000,\n 0.96,\n True,\n)  ",
])
def test_positional_keyword_and_prefixed_spellings_agree(text: str) -> None:
    schedule = parse(text)
    assert schedule.arguments() == {"initial_learning_rate": 0.1, "decay_steps": 100000,
                                    "decay_rate": 0.96, "staircase": True}


def test_positional_arguments_follow_keras_signature_with_name() -> None:
    # CosineDecay(initial_learning_rate, decay_steps, alpha, name, warmup_target, warmup_steps)
    schedule = parse("CosineDecay(0.0, 1000, 0.1, 'cos', 0.2, 100)")
    assert schedule.arguments() == {"initial_learning_rate": 0.0, "decay_steps": 1000,
                                    "alpha": 0.1, "warmup_target": 0.2, "warmup_steps": 100}


def test_every_example_parses_back_from_its_label() -> None:
    for cls in REGISTRY.values():
        schedule = cls.from_arguments(cls.example)
        again = parse(schedule.label())
        assert again == schedule  # whole floats print as ints: the same float32 to Keras
        for name in cls.dtype_arguments:  # but the arguments that set Keras's dtype keep theirs
            assert repr(getattr(again, name)) == repr(getattr(schedule, name))
        assert cls.__doc__ and "Example:" in cls.__doc__
        assert schedule.suggested_steps() >= 10 and cls.bad_rate_hint


def test_int_and_float_spelling_is_kept() -> None:
    assert isinstance(parse("InverseTimeDecay(1, 3, 2)").initial_learning_rate, int)
    assert isinstance(parse("InverseTimeDecay(1.0, 3, 2)").initial_learning_rate, float)
    assert parse("InverseTimeDecay(1.0, 3, 2)").label().startswith(
        "InverseTimeDecay(initial_learning_rate=1.0,")


def test_a_code_injection_is_rejected_without_running(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    attacks = [
        f'__import__("os").system("touch {marker}")',
        f'ExponentialDecay(__import__("os").system("touch {marker}"), 1, 1)',
        f'ExponentialDecay(0.1, 1, [__import__("os").system("touch {marker}")])',
        f'ExponentialDecay(0.1, 1, 0.5, name=open("{marker}", "w"))',
        'ExponentialDecay(0.1, 1, (lambda: 0.5)())',
        "[c for c in ().__class__.__base__.__subclasses__()]",
        f'import os\nos.system("touch {marker}")\nExponentialDecay(0.1, 1, 0.5)',
        f'x = open("{marker}", "w")\nExponentialDecay(0.1, 1, x)',
    ]
    for text in attacks[:-2]:
        with pytest.raises(ScheduleError):
            parse(text)
    # Code around a schedule is skipped, never run; code inside its arguments is refused.
    assert parse(attacks[-2]) == parse("ExponentialDecay(0.1, 1, 0.5)")
    with pytest.raises(ScheduleError, match="x"):
        parse(attacks[-1])
    assert not marker.exists()


@pytest.mark.parametrize("text, argument, fragment", [
    ("Foo(1, 2)", None, "unknown schedule 'Foo'"),
    ("os.path.ExponentialDecay(0.1, 1, 0.5)", None, "is not a Keras schedule"),
    ("ExponentialDecay(0.1, 1000)", "decay_rate", "needs the argument 'decay_rate'"),
    ("ExponentialDecay(0.1, 1000, 0.5, decay=3)", "decay", "has no argument 'decay'"),
    ("ExponentialDecay(0.1, 1000, 0.5, decay_steps=3)", "decay_steps", "twice"),
    ("ExponentialDecay(0.1, 1, 0.5, False, 'n', 7)", None, "at most 5 positional"),
    ("CosineDecy(0.1, 1000)", None, "did you mean 'CosineDecay'?"),
    ("ExponentialDecay(0.1, 1000, rate)", "decay_rate", "give it with --set rate=VALUE"),
    ("ExponentialDecay(0.1, 10**10**10, 0.5)", "decay_steps", "too large"),
    ("ExponentialDecay(0.1, 1000, 1j)", "decay_rate", "must be a number or arithmetic"),
    ("ExponentialDecay(0.1, 1000, '0.5')", "decay_rate", "must be a number"),
    ("ExponentialDecay(0.1, 1000, True)", "decay_rate", "must be a number"),
    ("ExponentialDecay(0.1, 0, 0.5)", "decay_steps", "must be > 0"),
    ("ExponentialDecay(0.1, 1000, -0.5)", "decay_rate", "must be >= 0"),
    ("ExponentialDecay(0.1, 1000, 0.5, staircase=1)", "staircase", "true or false"),
    ("ExponentialDecay(0.1, 1e39, 0.5)", "decay_steps", "float32's range"),
    ("ExponentialDecay(0.1, 1e999, 0.5)", "decay_steps", "finite"),
    ("ExponentialDecay(-0.1, 1000, 0.5)", "initial_learning_rate", ">= 0"),
    ("ExponentialDecay(0.1, 1000, 0.5, name=3)", "name", "must be a string"),
    ("ExponentialDecay(*[0.1, 1000, 0.5])", None, "*arguments"),
    ("ExponentialDecay(**{'decay_rate': 0.5})", None, "**arguments"),
    ("ExponentialDecay", None, "needs its arguments"),
    ("ExponentialDecay(0.1, 1000, 0.5", None, "not valid Python"),
    ("0.1 * 2", None, "no schedule constructor found"),
    ("PiecewiseConstantDecay([], [0.1])", "boundaries", "at least one boundary"),
    ("PiecewiseConstantDecay([10, 5], [0.1, 0.2, 0.3])", "boundaries", "increase strictly"),
    ("PiecewiseConstantDecay([10, 10], [0.1, 0.2, 0.3])", "boundaries", "increase strictly"),
    ("PiecewiseConstantDecay([10, 20], [0.1, 0.2])", "values", "one more entry"),
    ("PiecewiseConstantDecay([10], [1, 0.5])", "values", "mixes ints and floats"),
    ("PiecewiseConstantDecay([10], [0.1, [0.2]])", "values", "lists hold numbers only"),
    ("PiecewiseConstantDecay(10, [0.1, 0.2])", "boundaries", "list of numbers"),
    ("PiecewiseConstantDecay([10], [0.1, float('nan')])", "values", "float() takes numbers"),
    ("PolynomialDecay(0.1, -5)", "decay_steps", "must be > 0"),
    ("InverseTimeDecay(1, 0.5, 1)", "decay_steps", "becomes 0 as an int32"),
    ("CosineDecay(0.1, 0)", "decay_steps", "must be > 0"),
    ("CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=-1)", "warmup_steps", ">= 0"),
    ("CosineDecayRestarts(0.1, 1000, t_mul=0)", "t_mul", "must be > 0"),
    ("CosineDecayRestarts(0.1, 1000, m_mul=None)", "m_mul", "must be a number"),
])
def test_bad_specs_name_the_argument_in_one_line(text: str, argument: str | None,
                                                 fragment: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse(text)
    assert fragment in info.value.message
    assert info.value.argument == argument
    assert "\n" not in info.value.message


@pytest.mark.parametrize("text, fragment", [
    ("PolynomialDecay(1, 10.5, cycle=True)", "float decay_steps"),
    ("CosineDecay(0, 1000, warmup_target=0.1, warmup_steps=1000)", "Keras then fails"),
    ("CosineDecayRestarts(1, 1000)", "Keras then fails"),
])
def test_int_rates_keras_cannot_run_are_shown_as_floats_with_a_note(text: str,
                                                                     fragment: str) -> None:
    from lrtool.schedules import REGISTRY as registry
    from lrtool.spec import Reader

    reader = Reader()
    schedule = reader.parse(text)
    assert isinstance(schedule.initial_learning_rate, float)
    (note,) = reader.notes
    assert fragment in note and "showing it with initial_learning_rate=" in note
    with pytest.raises(ScheduleError, match=fragment):  # built directly, it is still refused
        registry[schedule.keras_name].from_arguments(
            {**schedule.arguments(), "initial_learning_rate": int(schedule.initial_learning_rate)})


def test_json_file_inline_json_and_stdin(tmp_path: Path) -> None:
    document = ('{"class_name": "PolynomialDecay", "config": {"initial_learning_rate": 0.1,'
                ' "decay_steps": 10000, "end_learning_rate": 0.01, "power": 0.5, "cycle": false,'
                ' "name": null}}')
    path = tmp_path / "schedule.json"
    path.write_text(document)
    expected = parse("PolynomialDecay(0.1, 10000, 0.01, 0.5)")
    assert parse(str(path)) == expected
    assert parse(document) == expected
    assert parse("-", stdin=io.BytesIO(document.encode())) == expected
    assert parse("-", stdin=io.BytesIO(b"PolynomialDecay(0.1, 10000, 0.01, 0.5)\n")) == expected


@pytest.mark.parametrize("argument, fragment", [
    ("missing.json", "no such file: missing.json"),
    (".", "is a directory"),
    ("{not json", "not valid JSON"),
])
def test_unusable_arguments(argument: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse(argument)
    assert fragment in info.value.message


def test_empty_stdin() -> None:
    with pytest.raises(ScheduleError, match="empty"):
        parse("-", stdin=io.BytesIO(b"  \n"))


def test_parse_expression_imports_neither_numpy_nor_tensorflow() -> None:
    code = ("import sys; from lrtool.spec import parse; parse('CosineDecay(0.1, 1000)');"
            " print('numpy' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("text, steps, fragment", [
    ("ExponentialDecay(0.1, 100000, 0.96, staircase=True)", 1000, "never drops"),
    ("ExponentialDecay(0.1, 100000, 0.96)", 1000, "falls by only 0.041%"),
    ("InverseTimeDecay(0.1, 1000000, 0.5)", 1000, "falls by only 0.05%"),
    ("PiecewiseConstantDecay([100000, 110000], [1.0, 0.5, 0.1])", 1000, "stays 1.0 throughout"),
    ("PiecewiseConstantDecay([10], [2, 1])", 100, "int32"),
    ("PiecewiseConstantDecay([16777217.0], [0.2, 0.1])", 100, "reads as 16777216"),
    ("PolynomialDecay(0.1, 10000)", 100, "never reaches end_learning_rate"),
    ("PolynomialDecay(1, 100, power=0.5)", 1000, "never changes"),
    ("CosineDecay(0.2, 1000, warmup_target=0.1, warmup_steps=100)", 5000, "warmup lowers"),
    ("CosineDecay(0.2, 1000, warmup_steps=100)", 5000, "skips the warmup"),
    ("CosineDecay(1, 1000)", 5000, "pi cast to 3"),
    ("CosineDecayRestarts(0.1, 1000)", 100, "no restart shows"),
    ("ExponentialDecay(1, 10, 0.5)", 100, "the rate is 0 from step 1 on"),
    ("InverseTimeDecay(1, 3.5, 0.5)", 100, "never changes"),
    ("InverseTimeDecay(0.1, 1, 1e-40)", 100, "computes with 0"),
    ("InverseTimeDecay(1, 3, 2)", 2**31 + 10, "wrap around"),
])
def test_warnings_say_what_really_happens(text: str, steps: int, fragment: str) -> None:
    notes = warnings(parse(text), Steps.span(0, steps))
    assert any(fragment in note for note in notes), notes
    assert all("\n" not in note for note in notes)


def test_no_warnings_for_a_plain_schedule() -> None:
    assert warnings(parse("ExponentialDecay(0.1, 1000, 0.96)"), Steps.span(0, 10_000)) == []
    assert warnings(parse("CosineDecay(0.1, 1000)"), Steps.span(0, 0)) == []


def test_short_labels_tell_schedules_apart() -> None:
    a = parse("ExponentialDecay(0.1, 1000, 0.5)")
    b = parse("ExponentialDecay(0.1, 1000, 0.9)")
    c = parse("CosineDecay(0.1, 1000)")
    assert short_labels([a, b, c, a]) == [
        "ExponentialDecay(decay_rate=0.5)", "ExponentialDecay(decay_rate=0.9)", "CosineDecay",
        "ExponentialDecay(decay_rate=0.5) #2",
    ]
    one = parse("InverseTimeDecay(1, 3, 2)")
    other = parse("InverseTimeDecay(1.0, 3, 2)")
    assert short_labels([one, other]) == ["InverseTimeDecay(initial_learning_rate=1)",
                                          "InverseTimeDecay(initial_learning_rate=1.0)"]
