"""Typer's own words in Vietnamese: help headings, the usage line, the --help option and the
messages for mistakes typed on the command line (missing option, unknown command, bad value).

Every command group of `cdsbot` is an `App`, whose groups and commands use the classes below.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer import rich_utils
from typer._click import exceptions as click_errors
from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup

USAGE = "Cách dùng: "
HELP_OPTION = "Xem hướng dẫn này rồi thoát."
OPTIONS_METAVAR = "[TÙY CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [THAM SỐ]..."

rich_utils.ARGUMENTS_PANEL_TITLE = "Tham số"
rich_utils.OPTIONS_PANEL_TITLE = "Tùy chọn"
rich_utils.COMMANDS_PANEL_TITLE = "Lệnh"
rich_utils.ERRORS_PANEL_TITLE = "Lỗi"
rich_utils.ABORTED_TEXT = "Đã dừng."
rich_utils.RICH_HELP = "Gõ [blue]'{command_path} {help_option}'[/] để xem hướng dẫn."
rich_utils.DEFAULT_STRING = "[mặc định: {}]"
rich_utils.REQUIRED_LONG_STRING = "[bắt buộc]"
rich_utils.ENVVAR_STRING = "[biến môi trường: {}]"
rich_utils.DEPRECATED_STRING = "(không còn dùng) "
rich_utils.OptionHighlighter.highlights = [
    *rich_utils.OptionHighlighter.highlights,
    rf"(?P<usage>{USAGE})",
]


class _InVietnamese:
    """What a Vietnamese group and command share: the usage line and the help option."""

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option


class VietCommand(_InVietnamese, TyperCommand):
    """A command whose help and usage line are in Vietnamese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.options_metavar == "[OPTIONS]":
            self.options_metavar = OPTIONS_METAVAR


class VietGroup(_InVietnamese, TyperGroup):
    """A command group whose help, usage line and typing mistakes are in Vietnamese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("subcommand_metavar") is None:
            kwargs["subcommand_metavar"] = SUBCOMMAND_METAVAR
        super().__init__(*args, **kwargs)
        if self.options_metavar == "[OPTIONS]":
            self.options_metavar = OPTIONS_METAVAR


class App(typer.Typer):
    """A `cdsbot` command group: Vietnamese classes, help when called without a command."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", VietGroup)
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("add_completion", False)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        """Register a command (in Vietnamese)."""
        kwargs.setdefault("cls", VietCommand)
        return super().command(*args, **kwargs)


_PATH_KIND = {"file": "Tệp", "directory": "Thư mục", "path": "Đường dẫn"}
_PATH_PROBLEMS = (
    (
        re.compile(r"^(File|Directory|Path) (.+) does not exist\.$", re.I),
        "{kind} {name} không tồn tại.",
    ),
    (
        re.compile(r"^(File|Directory|Path) (.+) is a directory\.$", re.I),
        "{name} là thư mục, cần một tệp.",
    ),
    (
        re.compile(r"^(File|Directory|Path) (.+) is a file\.$", re.I),
        "{name} là tệp, cần một thư mục.",
    ),
    (
        re.compile(r"^(File|Directory|Path) (.+) is not readable\.$", re.I),
        "Không có quyền đọc {name}.",
    ),
    (
        re.compile(r"^(File|Directory|Path) (.+) is not writable\.$", re.I),
        "Không có quyền ghi {name}.",
    ),
)
_NOT_ONE_OF = re.compile(r"'([^']*)' is not one of (.+?)\.?$")
_BOUND = re.compile(r"should be (greater|less) than( or equal to)? (\S+?)\.?$")
_EXTRA = re.compile(r"^Got unexpected extra arguments? \((.*)\)$")
_NO_COMMAND = re.compile(r"^No such command '(.+?)'\.?(?: Did you mean (.+)\?)?$")


def translate(error: click_errors.UsageError) -> click_errors.UsageError:
    """The same mistake, said in Vietnamese (messages not recognised are kept as they are)."""
    if isinstance(error, click_errors.NoArgsIsHelpError):
        return error
    message = _vietnamese(error)
    if message is None:
        return error
    translated = click_errors.UsageError(message, error.ctx)
    translated.exit_code = error.exit_code
    return translated


def _vietnamese(error: click_errors.UsageError) -> str | None:
    ctx = error.ctx
    if isinstance(error, click_errors.MissingParameter):
        hint = _hint(error)
        if error.param is not None and error.param.param_type_name == "argument":
            return f"Thiếu tham số {hint}."
        return f"Thiếu tùy chọn {hint}."
    if isinstance(error, click_errors.BadParameter):
        return f"Giá trị của {_hint(error)} chưa đúng: {_reason(error.message)}"
    if isinstance(error, click_errors.NoSuchOption):
        found = f"Không có tùy chọn {error.option_name}."
        if error.possibilities:
            found += f" Có phải ý anh/chị là: {', '.join(sorted(error.possibilities))}?"
        return found
    if isinstance(error, click_errors.BadOptionUsage):
        if "requires an argument" in error.message or "requires" in error.message:
            return f"Tùy chọn {error.option_name} cần một giá trị."
        if "does not take a value" in error.message:
            return f"Tùy chọn {error.option_name} không nhận giá trị."
        return f"Tùy chọn {error.option_name} dùng chưa đúng."
    text = error.message
    if text == "Missing command.":
        return "Thiếu tên lệnh."
    if match := _EXTRA.match(text):
        return f"Thừa tham số: {match.group(1)}."
    if match := _NO_COMMAND.match(text):
        found = f"Không có lệnh '{match.group(1)}'."
        if match.group(2):
            found += f" Có phải ý anh/chị là {match.group(2)}?"
        return found
    if ctx is not None and text.startswith("Missing argument"):
        return "Thiếu tham số."
    return None


def _hint(error: click_errors.BadParameter) -> str:
    if error.param_hint is not None:
        hints = [error.param_hint] if isinstance(error.param_hint, str) else error.param_hint
        return " / ".join(hints)
    if error.param is not None:
        return error.param.get_error_hint()
    return "tham số"


def _reason(message: str) -> str:
    for pattern, template in _PATH_PROBLEMS:
        if match := pattern.match(message):
            return template.format(kind=_PATH_KIND[match.group(1).lower()], name=match.group(2))
    if match := _NOT_ONE_OF.search(message):
        choices = ", ".join(re.findall(r"'([^']*)'", match.group(2)))
        return f"'{match.group(1)}' không thuộc: {choices}."
    if match := _BOUND.search(message):
        words = {"greater": "lớn hơn", "less": "nhỏ hơn"}[match.group(1)]
        return f"cần {words}{' hoặc bằng' if match.group(2) else ''} {match.group(3)}."
    if "valid integer" in message:
        return "cần một số nguyên."
    if "valid number" in message or "valid float" in message:
        return "cần một số."
    if message.startswith("Input should be"):
        choices = re.findall(r"'([^']+)'", message)
        if choices:
            return f"chọn một trong: {', '.join(choices)}."
    return message
