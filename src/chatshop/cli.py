"""``chatshop``: the terminal client's command line.

chatshop                       open the login screen (recent relays remembered)
chatshop --server ws://h:p     preselect a relay (log in at once with a stored session)
chatshop demo                  start a demo relay and bots, open the app as sam
chatshop screenshots           drive the demo and write SVG screenshots
chatshop brand import FILE --brand HANDLE
                               import a catalogue (CSV or JSON) as brand staff
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chatshop import __version__
from chatshop.config import CONFIG_DIR_ENV, ConfigError, config_dir, load

EPILOG = f"""\
keys (in the app; F1 shows them all):
  enter send · alt+enter or ctrl+j newline · up edit your last message · tab complete
  ctrl+k jump to a thread · alt+up/down previous/next thread · alt+a next unread
  ctrl+p command palette · ctrl+t pick a message (r reply, e edit, del delete; on a money
  card p pay, d decline, o open) · f3 wallet · ctrl+q quit

commands (type in the composer): /help /dm @handle /group new NAME @a @b /invite @handle
  /kick @handle /leave /rename NAME /reply /edit /delete /friend add|accept|remove|block
  @handle /search TEXT /logout
  money: start a line with an amount to pay ($20 taxi, 12,50€; in a group $20 @alice),
  /request /split /luckymoney /topup /wallet (see docs/payments.md)

files:
  settings   {config_dir() / "config.toml"}  (theme, notifications, keys, recent relays)
  sessions   the system keyring; without one, {config_dir() / "credentials.json"} (mode 0600)
  set {CONFIG_DIR_ENV} to use another directory.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatshop",
        description="chatshop: a terminal messenger with commerce built in. Without a "
        "command, opens the app on the login screen.",
        epilog=EPILOG,
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
