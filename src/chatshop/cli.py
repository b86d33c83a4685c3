"""``chatshop``: the terminal client's command line.

chatshop                       open the login screen (recent relays remembered)
chatshop --server ws://h:p     preselect a relay (log in at once with a stored session)
chatshop demo                  start a demo relay and bots, open the app as sam
chatshop serve [--demo]        the same app in a browser (textual-serve, loopback)
chatshop screenshots           drive the demo and write SVG screenshots
chatshop brand import FILE --brand HANDLE
                               import a catalogue (CSV or JSON) as brand staff
chatshop brand webhooks VERB --brand HANDLE
                               the brand's webhooks: add, list, remove, rotate-secret,
                               deliveries, replay (docs/webhooks.md)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chatshop import __version__
from chatshop.config import CONFIG_DIR_ENV, ConfigError, config_dir, load


def epilog() -> str:
    """Keys, commands and files: generated from the app's own key table and command
    registry, so ``--help`` never misses one."""
    import textwrap

    from chatshop.tui import keys
    from chatshop.tui.commands import REGISTRY

    def rows(pairs: list[tuple[str, str]], width: int) -> list[str]:
        out = []
        for left, right in pairs:
            wrapped = textwrap.wrap(right, 78 - width) or [""]
            if len(left) > width - 4:  # too long for the column: the text goes below
                out.append(f"  {left}")
                wrapped = [wrapped[0], *wrapped[1:]]
                out += [" " * width + line for line in wrapped]
                continue
            out.append(f"  {left:<{width - 2}}{wrapped[0]}")
            out += [" " * width + more for more in wrapped[1:]]
        return out

    lines = ["keys (in the app; F1 shows them all):"]
    lines += rows(keys.key_table(REGISTRY), 30)
    lines += ["", "commands (type in the composer):"]
    lines += rows(keys.command_table(REGISTRY), 30)
    lines += [
        "  money: start a line with an amount to pay (20€ taxi, $20 taxi; in a group",
        "  $20 @alice); see docs/payments.md",
        "",
        "files:",
        f"  settings   {config_dir() / 'config.toml'}",
        "             (theme, notifications, keys by binding id, recent relays)",
        f"  sessions   the system keyring; without one, {config_dir() / 'credentials.json'}",
        f"  set {CONFIG_DIR_ENV} to use another directory.",
    ]
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatshop",
        description="chatshop: a terminal messenger with commerce built in. Without a "
        "command, opens the app on the login screen.",
        epilog=epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"chatshop {__version__}")
    parser.add_argument(
        "--server",
        metavar="URL",
        help="relay to use, e.g. ws://127.0.0.1:8765 (a stored session logs in at once)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="try chatshop: a private relay with demo data, logged in as sam",
        description="Start a relay on a free loopback port with a fresh demo database, "
        "start the demo friends (alice and bob answer you), open the app as sam, and stop "
        "everything when the app exits. Nothing is written to your settings or keyring.",
    )
    demo.add_argument("--no-bots", action="store_true", help="do not start the reply bots")
    serve = sub.add_parser(
        "serve",
        help="run chatshop in a browser (textual-serve on a loopback port)",
        description="Serve the app over HTTP with textual-serve: open the printed address "
        "in a browser and each tab runs its own chatshop. Listens on the loopback interface "
        "only unless --host says otherwise.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument(
        "--demo", action="store_true", help="serve `chatshop demo` (a demo relay per tab)"
    )
    serve.add_argument("--server", metavar="URL", help="the relay the served app preselects")
    shots = sub.add_parser(
        "screenshots",
        help="drive the demo and write SVG screenshots",
        description="Start the demo in a headless terminal, walk through it and save SVG "
        "screenshots.",
    )
    shots.add_argument(
        "--out",
        type=Path,
        default=Path("screenshots"),
        help="directory for the SVG files (default: %(default)s)",
    )
    from chatshop.brand_cli import add_parser as add_brand_parser

    add_brand_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from chatshop.demo import run_demo

        return run_demo(bots=not args.no_bots)
    if args.command == "serve":
        from chatshop.serve import run_serve

        return run_serve(host=args.host, port=args.port, demo=args.demo, server=args.server)
    if args.command == "screenshots":
        from chatshop.demo import run_screenshots

        return run_screenshots(args.out)
    if args.command == "brand":
        from chatshop.brand_cli import run as run_brand

        return run_brand(args)
    try:
        config = load()
    except ConfigError as exc:
        print(f"chatshop: {exc}", file=sys.stderr)
        return 2
    if args.server and not args.server.startswith(("ws://", "wss://")):
        print(
            f"chatshop: --server takes a ws:// or wss:// URL, not {args.server!r}", file=sys.stderr
        )
        return 2
    from chatshop.credentials import TokenStore
    from chatshop.tui.app import ChatshopApp

    app = ChatshopApp(config, tokens=TokenStore(), server=args.server)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
