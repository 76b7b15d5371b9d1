"""The `cdsbot` console script. `cdsbot ask` takes a short path that skips loading the server
stack (web, Telegram, charts), so that its first answer comes within a second or two; a bare
`cdsbot serve` skips the command line's own stack (Typer, Rich), which a server never uses."""

from __future__ import annotations

import sys


def main() -> None:
    """Run `cdsbot`: the ask command directly, everything else through `bot.cli`."""
    if sys.argv[1:2] == ["ask"]:
        from bot.cli.vietnamese import App
        from bot.content.console import ask

        app = App(no_args_is_help=False)
        app.command()(ask)
        sys.argv = [f"{sys.argv[0]} ask", *sys.argv[2:]]
        app()
        return
    if sys.argv[1:2] == ["serve"]:  # a long-running server: no collector passes while it starts
        from bot.startup import hold_collection

        hold_collection()
        if sys.argv[2:] == []:  # no options to parse: without Typer (bot.cli.serving)
            from bot.cli.serving import main as serve

            serve()
            return
    from bot.cli import main as cli_main

    cli_main()


if __name__ == "__main__":  # `python -m bot.entry …` runs the same as `cdsbot …`
    main()
