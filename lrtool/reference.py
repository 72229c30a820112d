"""Regenerate what is derived from the code: the README's command and schedule references,
and completions/.

Run ``python -m lrtool.reference`` after changing a command, an option, a help text or the
schedule registry; the tests fail while any of them is out of date.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- reference:start -->"
END = "<!-- reference:end -->"
SCHEDULES_START = "<!-- schedules:start -->"
SCHEDULES_END = "<!-- schedules:end -->"
#: Where each shell's script goes, and click's name for the shell.
COMPLETION_FILES = {"bash": "lrtool.bash", "zsh": "_lrtool", "fish": "lrtool.fish"}
WIDTH = 100


def help_text(*command: str) -> str:
    """``lrtool COMMAND --help`` as printed on a 100-column terminal."""
    from click.testing import CliRunner

    from lrtool.cli import cli

    result = CliRunner().invoke(cli, [*command, "--help"], prog_name="lrtool", terminal_width=WIDTH)
    return result.output


def reference() -> str:
    """The Markdown of every command's help, in the order ``lrtool --help`` lists them."""
    from lrtool.cli import cli

    parts = [START, "", "```text", f"$ lrtool --help\n{help_text()}```"]
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        parts += ["", f"### lrtool {name}", "", "```text", f"$ lrtool {name} --help\n{help_text(name)}```"]
        group = cli.commands[name]
        for sub in getattr(group, "commands", {}):  # a group's commands: lrtool worker status
            parts += ["", "```text", f"$ lrtool {name} {sub} --help\n{help_text(name, sub)}```"]
    return "\n".join(parts + ["", END])


def schedules_reference() -> str:
    """A Markdown table of every registry schedule's arguments, defaults and meaning."""
    import dataclasses

    from lrtool.schedules import REGISTRY
    from lrtool.schedules.params import number_text

    rows = [SCHEDULES_START, "", "| schedule | argument | default | meaning |",
            "| --- | --- | --- | --- |"]
    for name, cls in REGISTRY.items():
        for i, field in enumerate(dataclasses.fields(cls)):
            default = "" if field.default is dataclasses.MISSING else (
                f"`{number_text(field.default, True)}`")
            rows.append(f"| {f'`{name}`' if i == 0 else ''} | `{field.name}` | {default} |"
                        f" {field.metadata.get('help', '')} |")
    return "\n".join(rows + ["", SCHEDULES_END])


def completion_script(shell: str) -> str:
    """What ``lrtool completion SHELL`` prints: click's own script for the shell."""
    from click.testing import CliRunner

    from lrtool.cli import cli

    return CliRunner().invoke(cli, ["completion", shell], prog_name="lrtool").output


def readme_with_reference(readme: str) -> str:
    """The README with both generated sections replaced by what the code says now."""
    for start, end, make in ((START, END, reference),
                             (SCHEDULES_START, SCHEDULES_END, schedules_reference)):
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
        if not pattern.search(readme):
            raise SystemExit(f"README.md has no {start} ... {end} section")
        readme = pattern.sub(lambda _, make=make: make(), readme)
    return readme


def main() -> None:
    readme = ROOT / "README.md"
    readme.write_text(readme_with_reference(readme.read_text(encoding="utf-8")), encoding="utf-8")
    for shell, name in COMPLETION_FILES.items():
        (ROOT / "completions" / name).write_text(completion_script(shell), encoding="utf-8")
    print("updated README.md and completions/")


if __name__ == "__main__":
    main()
