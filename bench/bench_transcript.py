"""Benchmark: open a 100,000-message thread and scroll back 10,000 messages.

No relay is needed: a fake history source plays the relay, generating each message from its
``seq`` on demand (the relay's storage is not the client's memory). The real transcript widget
runs inside a headless Textual app at 120x40 and asks for pages exactly as it does in the app.

Prints: time to first paint of the thread, then resident memory while scrolling back, and the
time the scroll-back took. Run: ``.venv/bin/python bench/bench_transcript.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import time

import psutil
from textual.app import App, ComposeResult

from chatshop.protocol.frames import History
from chatshop.protocol.models import Message, User
from chatshop.tui.widgets.transcript import Transcript
from chatshop.tui.window import Window

THREAD_ID = 7
BASE_MS = 1_700_000_000_000
MEMBERS = [
    User(id=1, handle="sam", display_name="Sam Carter"),
    User(id=2, handle="alice", display_name="Alice Moreau"),
    User(id=3, handle="bob", display_name="Bob Okafor"),
]
_SENTENCE = (
    "pizza friday order tonight who is in pepperoni margherita [TODO] plan the table at eight "
    "bring cash card split the bill see you there \x1b[31mred\x1b[0m ok"
)
WORDS = tuple(_SENTENCE.split(" "))


def make_message(seq: int) -> Message:
    """The message numbered ``seq``: deterministic, of varied length, some replies and edits."""
    n = 3 + (seq * 7919) % 40
    text = " ".join(WORDS[(seq * 31 + i * 17) % len(WORDS)] for i in range(n))
    return Message(
        id=1_000_000 + seq,
        thread_id=THREAD_ID,
        seq=seq,
        sender_id=1 + seq % 3,
        text=text,
        created_at=BASE_MS + seq * 37_000,
        reply_to=1_000_000 + seq - 3 if seq % 11 == 0 and seq > 3 else None,
        edited_at=BASE_MS + seq * 37_000 + 5000 if seq % 13 == 0 else None,
        deleted=seq % 97 == 0,
    )


class FakeRelay:
    """Answers history requests like the relay would, for one thread of ``size`` messages."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.requests = 0

    async def history(self, before: int | None, limit: int) -> History:
        self.requests += 1
        await asyncio.sleep(0)
        top = self.size + 1 if before is None else min(before, self.size + 1)
        low = max(top - limit, 1)
        messages = [make_message(seq) for seq in range(low, top)]
        return History(thread_id=THREAD_ID, messages=messages, more=low > 1)


class BenchApp(App[None]):
    """Just the transcript, served by the fake relay."""

    def __init__(self, relay: FakeRelay) -> None:
        super().__init__()
        self.animation_level = "none"  # measure the widget, not the smooth-scroll animation
        self.relay = relay
        self.window = Window(thread_id=THREAD_ID)
        self.page_times: list[float] = []

    def compose(self) -> ComposeResult:
        yield Transcript(id="transcript")

    async def open_thread(self) -> None:
        page = await self.relay.history(None, 50)
        self.window.reset(page.messages, more=page.more, last_seq=self.relay.size)
        transcript = self.query_one(Transcript)
        transcript.show(self.window, members=MEMBERS, me=1)

    async def on_transcript_page_wanted(self, event: Transcript.PageWanted) -> None:
        page = await self.relay.history(event.before, event.limit)
        started = time.perf_counter()
        transcript = self.query_one(Transcript)
        if event.older:
            self.window.prepend(page.messages, more=page.more)
            transcript.changed(loaded_older=True)
        else:
            self.window.append_newer(page.messages)
            transcript.changed(loaded_newer=True)
        self.page_times.append(time.perf_counter() - started)


def rss_mb() -> float:
    return float(psutil.Process(os.getpid()).memory_info().rss) / 2**20


async def run(size: int, scroll_back: int) -> dict[str, float]:
    relay = FakeRelay(size)
    app = BenchApp(relay)
    results: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        gc.collect()
        results["rss_before_open_mb"] = rss_mb()
        painted = asyncio.Event()
        start = time.perf_counter()
        await app.open_thread()
        app.call_after_refresh(painted.set)
        await painted.wait()
        results["first_paint_s"] = time.perf_counter() - start
        transcript = app.query_one(Transcript)
        transcript.focus()
        target = size - scroll_back
        samples: list[float] = []
        start = time.perf_counter()
        cpu_start = time.process_time()
        presses = 0
        while (app.window.first_seq or 0) > target or transcript.scroll_y > 0:
            await pilot.press("pageup")
            presses += 1
            if presses % 50 == 0:
                await pilot.pause()
                samples.append(rss_mb())
            if (app.window.first_seq or 0) <= target:
                break
        await pilot.pause()
        results["scroll_back_wall_s"] = time.perf_counter() - start
        results["scroll_back_cpu_s"] = time.process_time() - cpu_start
        results["page_load_mean_ms"] = 1000 * sum(app.page_times) / max(len(app.page_times), 1)
        results["page_load_max_ms"] = 1000 * max(app.page_times, default=0.0)
        results["pageups"] = presses
        results["requests"] = relay.requests
        results["window_messages"] = len(app.window.messages)
        results["oldest_seq_loaded"] = app.window.first_seq or 0
        gc.collect()
        results["rss_after_scroll_mb"] = rss_mb()
        results["rss_peak_during_scroll_mb"] = max(samples, default=rss_mb())
        results["rss_min_during_scroll_mb"] = min(samples, default=rss_mb())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--scroll-back", type=int, default=10_000)
    args = parser.parse_args()
    results = asyncio.run(run(args.messages, args.scroll_back))
    print(f"thread: {args.messages:,} messages; scrolled back {args.scroll_back:,} with PageUp")
    print("(wall time includes Pilot's settling between key presses; cpu time is the app's work)")
    for key, value in results.items():
        print(f"{key:28} {value:,.3f}" if isinstance(value, float) else f"{key:28} {value}")


if __name__ == "__main__":
    main()
