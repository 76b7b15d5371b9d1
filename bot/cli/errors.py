"""The command line's one place for expected errors: a `UserError`, a file that cannot be read or
written, a database that is missing, not migrated or not reachable, a mistyped option. Each is
one Vietnamese line on stderr and a non-zero exit; anything else is a bug and keeps its
traceback."""

from __future__ import annotations

from typing import Any

import typer
from typer._click import exceptions as click_errors
from typer._click.core import Context

from bot.cli.explain import explain
from bot.cli.vietnamese import VietGroup, translate


class RootGroup(VietGroup):
    """`cdsbot` itself: every command runs inside `invoke`, so expected errors end here."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except click_errors.UsageError as error:
            raise translate(error) from None
        except (typer.Exit, typer.Abort, click_errors.ClickException):
            raise
        except Exception as error:
            message = explain(error)
            if message is None:
                raise
            typer.echo(message, err=True)
            raise typer.Exit(1) from None

    def make_context(self, *args: Any, **kwargs: Any) -> Context:
        try:
            return super().make_context(*args, **kwargs)
        except click_errors.UsageError as error:
            raise translate(error) from None


__all__ = ["RootGroup", "explain"]
