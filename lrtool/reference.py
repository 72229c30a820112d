"""Regenerate what is derived from the CLI: the README's command reference and completions/.

Run ``python -m lrtool.reference`` after changing a command, an option or a help text; the
tests fail while either is out of date.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- reference:start -->"
END = "<!-- reference:end -->"
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
    return "\n".join(parts + ["", END])


def completion_script(shell: str) -> str:
    """What click's own mechanism prints: ``_LRTOOL_COMPLETE={shell}_source lrtool``."""
    from click.shell_completion import get_completion_class

    from lrtool.cli import cli

    completer = get_completion_class(shell)
    assert completer is not None
    return completer(cli, {}, "lrtool", "_LRTOOL_COMPLETE").source()


def readme_with_reference(readme: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise SystemExit(f"README.md has no {START} ... {END} section")
    return pattern.sub(lambda _: reference(), readme)


def main() -> None:
    readme = ROOT / "README.md"
    readme.write_text(readme_with_reference(readme.read_text(encoding="utf-8")), encoding="utf-8")
    for shell, name in COMPLETION_FILES.items():
        (ROOT / "completions" / name).write_text(completion_script(shell), encoding="utf-8")
    print("updated README.md and completions/")


if __name__ == "__main__":
    main()
