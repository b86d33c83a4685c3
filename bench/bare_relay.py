"""The ceiling for the relay benchmark: a bare ``websockets`` relay.

It speaks just enough of the chatshop protocol for ``bench/relay_bench.py`` to drive it with
the same load generator as the real relay: ``hello``, ``register`` and ``auth`` (stubs: any
token it handed out is accepted), ``group_create`` and ``dm_open`` (member lists kept in a
dict), and ``send``, which answers with a ``result`` and hands the message, as an ``events``
frame shaped like the relay's, to ``websockets.broadcast`` for every connection of every
member of the thread (the sender's own connection included, as the relay does). Any other
request gets an empty result.

No validation beyond parsing the JSON, no storage, no idempotency, no batching: one frame
per message per connection. Run it as a process of its own::

    python bench/bare_relay.py --port 0 --print-port
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import secrets
import signal
import sys
import time
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


class BareRelay:
    """Users, tokens and thread members in dicts; connections grouped by user."""

    def __init__(self) -> None:
        self.user_ids = itertools.count(1)
        self.thread_ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.users: dict[str, dict[str, Any]] = {}  # handle -> public profile
        self.tokens: dict[str, dict[str, Any]] = {}  # token -> public profile
        self.members: dict[int, list[int]] = {}  # thread id -> member user ids
        self.connections: dict[int, set[ServerConnection]] = {}  # user id -> connections

    def _thread(self, thread_id: int, kind: str, name: str, owner: int | None) -> dict[str, Any]:
        by_id = {user["id"]: user for user in self.users.values()}
        return {
            "id": thread_id,
            "kind": kind,
            "name": name,
            "owner_id": owner,
            "members": [by_id[m] for m in self.members[thread_id]],
            "last_seq": 0,
            "last_activity": int(time.time() * 1000),
            "last_message": None,
            "unread": 0,
            "read_seq": 0,
        }

    def _login(self, ws: ServerConnection, user: dict[str, Any], token: str) -> dict[str, Any]:
        self.connections.setdefault(user["id"], set()).add(ws)
        return {"token": token, "user": user, "cursor": 0}

    async def handle(self, ws: ServerConnection) -> None:
        user: dict[str, Any] | None = None
        try:
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                rid = frame.get("id")
                data: Any = {}
                if kind == "send" and user is not None:
                    thread_id = frame["thread_id"]
                    message_id = next(self.message_ids)
                    message = _dumps(
                        {
                            "id": message_id,
                            "thread_id": thread_id,
                            "seq": message_id,
                            "sender_id": user["id"],
                            "text": frame["text"],
                            "created_at": int(time.time() * 1000),
                            "reply_to": frame.get("reply_to"),
                            "edited_at": None,
                            "deleted": False,
                        }
                    )
                    event = b'{"type":"events","events":[{"cursor":%d,"type":"message",' % (
                        message_id
                    ) + b'"thread_id":%d,"message":%s}]}' % (thread_id, message)
                    connections = self.connections
                    broadcast(
                        [
                            c
                            for m in self.members.get(thread_id, ())
                            for c in connections.get(m, ())
                        ],
                        event,
                        text=True,
                    )
                    await ws.send(
                        b'{"type":"result","id":%s,"data":%s}' % (_dumps(rid), message), text=True
                    )
                    continue
                if kind == "hello":
                    data = {
                        "protocol": 1,
                        "server": "bare-relay",
                        "version": "0",
                        "limits": {
                            "max_frame_bytes": 65536,
                            "max_text_chars": 4000,
                            "max_name_chars": 64,
                            "max_group_members": 256,
                            "max_history_page": 200,
                            "rate_per_second": 0.0,
                            "rate_burst": 100,
                        },
                    }
                elif kind == "register":
                    user = {
                        "id": next(self.user_ids),
                        "handle": frame["handle"],
                        "display_name": frame["display_name"],
                        "kind": "person",
                    }
                    self.users[frame["handle"].lower()] = user
                    token = secrets.token_urlsafe(32)
                    self.tokens[token] = user
                    data = self._login(ws, user, token)
                elif kind == "auth":
                    user = self.tokens[frame["token"]]
                    data = self._login(ws, user, frame["token"])
                elif kind == "group_create" and user is not None:
                    thread_id = next(self.thread_ids)
                    others = [self.users[h.lower()]["id"] for h in frame.get("handles", [])]
                    self.members[thread_id] = [user["id"], *others]
                    data = self._thread(thread_id, "group", frame["name"], user["id"])
                elif kind == "dm_open" and user is not None:
                    thread_id = next(self.thread_ids)
                    self.members[thread_id] = [
                        user["id"],
                        self.users[frame["handle"].lower()]["id"],
                    ]
                    data = self._thread(thread_id, "direct", "", None)
                await ws.send(_dumps({"type": "result", "id": rid, "data": data}), text=True)
        finally:
            if user is not None:
                self.connections.get(user["id"], set()).discard(ws)


async def main_async(host: str, port: int, print_port: bool) -> None:
    relay = BareRelay()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with serve(relay.handle, host, port, compression=None, max_size=65536) as server:
        if print_port:
            print(server.sockets[0].getsockname()[1], flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--print-port", action="store_true")
    args = parser.parse_args(argv)
    asyncio.run(main_async(args.host, args.port, args.print_port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
