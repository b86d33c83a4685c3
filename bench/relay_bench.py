"""Relay benchmark: the chatshop relay against a bare websockets relay, same load, same run.

Workloads (see docs/benchmarks.md for the figures and what they mean):

* W1 fan-out: one group thread, 50 subscribed clients and 5 senders; 20,000 messages of 100
  bytes, at most 100 in flight per sender. Deliveries per second, send-to-receive latency,
  server CPU per delivery.
* W2 one to one: 5,000 messages one at a time in a direct thread; send-to-result round trip.
* W3 idle: 5,000 authenticated connections (hello + auth) held idle; server memory per
  connection and the time to connect them all.
* W4 money: 40 payers, each in a direct thread with its payee, 4 requests in flight each;
  first 100 messages each, then 100 payments of one cent each, on the same relay and
  clients. Messages and payments per second, and server CPU per request of each.

Every relay runs as a process of its own: ``chatshop-server`` (``--rate-limit 0
--fast-passwords``, a fresh SQLite database per workload, ``--synchronous FULL`` as in
production and optionally ``NORMAL``) and ``bench/bare_relay.py`` (no validation, no storage,
``websockets.broadcast``). The load generator runs in separate processes too (W1: one for
the subscribers, one for the senders) and drives both relays with the same code.

Run: ``.venv/bin/python bench/relay_bench.py`` (about 2 minutes; ``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime
import importlib.metadata
import json
import multiprocessing
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psutil

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import _loadgen  # noqa: E402
from _wsclient import WsClient, open_session  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "bench-password"
KIB = 1024
TIMES = "\u00d7"  # the multiplication sign, for ratios


# ------------------------------------------------------------------------------ settings


@dataclass(frozen=True)
class Scale:
    w1_messages: int = 20_000
    w1_subscribers: int = 50
    w1_senders: int = 5
    w1_window: int = 100
    w2_messages: int = 5_000
    w2_warmup: int = 200
    w3_connections: int = 5_000
    w3_accounts: int = 50
    w3_concurrency: int = 50
    w4_clients: int = 40
    w4_per_client: int = 100
    w4_window: int = 4

    @classmethod
    def quick(cls) -> Scale:
        return cls(
            w1_messages=2_000,
            w2_messages=500,
            w2_warmup=50,
            w3_connections=500,
            w4_per_client=20,
        )


@dataclass(frozen=True)
class Target:
    """One relay under test."""

    key: str  # "bare", "FULL", "NORMAL"
    label: str

    @property
    def is_bare(self) -> bool:
        return self.key == "bare"


BARE = Target("bare", "bare relay")


def chatshop_target(synchronous: str) -> Target:
    return Target(synchronous, f"chatshop ({synchronous})")


# ------------------------------------------------------------------------------ relay processes


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


class RelayProcess:
    """A relay started as a subprocess on a free port; stopped with SIGTERM."""

    started = 0

    def __init__(self, target: Target, workdir: Path, name: str) -> None:
        self.target = target
        RelayProcess.started += 1
        stem = f"{RelayProcess.started:02d}-{name}-{target.key}"
        self.log_path = workdir / f"{stem}.log"
        self.db_path = workdir / f"{stem}.db"  # a fresh database every time
        if target.is_bare:
            self.command = [sys.executable, str(BENCH_DIR / "bare_relay.py")]
        else:
            script = Path(sys.executable).parent / "chatshop-server"
            launcher = (
                [str(script)] if script.exists() else [sys.executable, "-m", "chatshop_server"]
            )
            self.command = [
                *launcher,
                "--db",
                str(self.db_path),
                "--rate-limit",
                "0",
                "--fast-passwords",
                "--demo-funding",
                # W3 holds 5,000 connections from this one address.
                "--max-connections-per-address",
                "100000",
                "--log-level",
                "WARNING",
                "--synchronous",
                target.key,
            ]
        self.command += ["--host", HOST, "--port", "0", "--print-port"]
        self._popen: subprocess.Popen[str] | None = None
        self.port = 0
        self.process: psutil.Process | None = None

    def __enter__(self) -> RelayProcess:
        self._log = self.log_path.open("w")
        self._popen = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=self._log, text=True
        )
        assert self._popen.stdout is not None
        line = self._popen.stdout.readline()
        if not line.strip().isdigit():
            self._popen.kill()
            raise RuntimeError(f"{self.target.label} did not start: {self.log_tail()}")
        self.port = int(line)
        self.process = psutil.Process(self._popen.pid)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._popen is not None:
            self._popen.send_signal(signal.SIGTERM)
            try:
                self._popen.wait(15)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait()
        self._log.close()

    def cpu_seconds(self) -> float:
        assert self.process is not None
        return cpu_seconds(self.process)

    def main_thread_cpu_seconds(self) -> float:
        """CPU of the event loop's thread alone (the others: SQLite writer and readers)."""
        assert self.process is not None
        for thread in self.process.threads():
            if thread.id == self.process.pid:
                return float(thread.user_time + thread.system_time)
        return 0.0

    def rss(self) -> int:
        assert self.process is not None
        return int(self.process.memory_info().rss)

    def check_alive(self) -> None:
        assert self._popen is not None
        if self._popen.poll() is not None:
            raise RuntimeError(f"{self.target.label} exited: {self.log_tail()}")

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text()[-2000:]
        return ""


# ------------------------------------------------------------------------------ setup


async def register_accounts(port: int, handles: list[str]) -> dict[str, str]:
    """Register each handle (hello + register) and return its session token."""
    slots = asyncio.Semaphore(4)

    async def one(handle: str) -> tuple[str, str]:
        async with slots:
            client = await WsClient.connect(HOST, port)
            await client.call({"type": "hello", "protocol": 1, "client": "relay-bench"})
            data = await client.call(
                {"type": "register", "handle": handle, "display_name": handle, "password": PASSWORD}
            )
            client.close()
            return handle, str(data["token"])

    return dict(await asyncio.gather(*(one(h) for h in handles)))


async def open_thread(port: int, token: str, request: dict[str, Any]) -> int:
    """Run ``group_create`` or ``dm_open`` as the owner of ``token``; return the thread id."""
    client = await open_session(HOST, port, token)
    data = await client.call(request)
    client.close()
    return int(data["id"])


# ------------------------------------------------------------------------------ child processes


@dataclass
class Child:
    """A load-generator process and its end of the pipe."""

    process: multiprocessing.process.BaseProcess
    pipe: Connection
    name: str

    def expect(self, word: str, timeout: float, relay: RelayProcess) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while not self.pipe.poll(0.5):
            relay.check_alive()
            if not self.process.is_alive():
                raise RuntimeError(
                    f"load generator {self.name} died (exit {self.process.exitcode})"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"load generator {self.name}: no {word!r} in {timeout:.0f} s")
        try:
            got, info = self.pipe.recv()
        except EOFError:
            raise RuntimeError(f"load generator {self.name} exited before {word!r}") from None
        if got != word:
            raise RuntimeError(f"load generator {self.name}: expected {word!r}, got {got!r}")
        assert isinstance(info, dict)
        return info

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            self.pipe.send("close")
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def spawn(name: str, target: Any, *args: Any) -> Child:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=target, args=(*args, child), name=name, daemon=True)
    process.start()
    child.close()
    return Child(process, parent, name)


# ------------------------------------------------------------------------------ workloads


def run_w1(target: Target, scale: Scale, workdir: Path) -> dict[str, Any]:
    subs = [f"sub{i:03d}" for i in range(scale.w1_subscribers)]
    senders = [f"snd{i:02d}" for i in range(scale.w1_senders)]
    per_sender = scale.w1_messages // scale.w1_senders
    messages = per_sender * scale.w1_senders
    timeout = 240.0
    with RelayProcess(target, workdir, "w1") as relay:
        tokens = asyncio.run(register_accounts(relay.port, subs + senders))
        group = {"type": "group_create", "name": "bench", "handles": subs + senders[1:]}
        thread_id = asyncio.run(open_thread(relay.port, tokens[senders[0]], group))
        sub = spawn(
            "w1-subscribers",
            _loadgen.subscriber_main,
            HOST,
            relay.port,
            [tokens[h] for h in subs],
            messages,
            timeout,
        )
        snd = spawn(
            "w1-senders",
            _loadgen.sender_main,
            HOST,
            relay.port,
            [tokens[h] for h in senders],
            thread_id,
            per_sender,
            scale.w1_window,
            timeout,
        )
        try:
            sub.expect("ready", 60, relay)
            snd.expect("ready", 60, relay)
            time.sleep(0.5)
            loadgen = [psutil.Process(c.process.pid) for c in (sub, snd)]
            cpu0 = relay.cpu_seconds()
            main0 = relay.main_thread_cpu_seconds()
            loadgen0 = sum(cpu_seconds(p) for p in loadgen)
            snd.pipe.send("go")
            received = sub.expect("done", timeout + 10, relay)
            sent = snd.expect("done", timeout + 10, relay)
            cpu = relay.cpu_seconds() - cpu0
            main_cpu = relay.main_thread_cpu_seconds() - main0
            loadgen_cpu = sum(cpu_seconds(p) for p in loadgen) - loadgen0
            rss = relay.rss()
        finally:
            sub.finish()
            snd.finish()
    for stats in (received, sent):
        if stats["error"]:
            raise RuntimeError(f"W1 on {target.label}: {stats['error']}")
    elapsed = (received["t_last"] - sent["t_go"]) / 1e9
    deliveries = received["deliveries"]
    return {
        "messages": messages,
        "subscribers": scale.w1_subscribers,
        "senders": scale.w1_senders,
        "window": scale.w1_window,
        "deliveries": deliveries,
        "frames": received["frames"],
        "seconds": elapsed,
        "deliveries_per_s": deliveries / elapsed,
        "events_per_frame": deliveries / max(1, received["frames"]),
        "messages_per_s": messages / elapsed,
        "latency_ms": received["latency_ms"],
        "ack_ms": sent["ack_ms"],
        "server_cpu_s": cpu,
        "server_cpu_us_per_delivery": cpu / deliveries * 1e6,
        "server_cores": cpu / elapsed,
        "server_main_thread_share": main_cpu / cpu if cpu else 0.0,
        "server_rss_mib": rss / KIB / KIB,
        "loadgen_cpu_s": loadgen_cpu,
        "loadgen_cpu_us_per_delivery": loadgen_cpu / deliveries * 1e6,
    }


def run_w2(target: Target, scale: Scale, workdir: Path) -> dict[str, Any]:
    with RelayProcess(target, workdir, "w2") as relay:
        tokens = asyncio.run(register_accounts(relay.port, ["alice", "bob"]))
        thread_id = asyncio.run(
            open_thread(relay.port, tokens["alice"], {"type": "dm_open", "handle": "bob"})
        )
        cpu0 = relay.cpu_seconds()
        main0 = relay.main_thread_cpu_seconds()
        result = asyncio.run(
            _loadgen.round_trips(
                HOST,
                relay.port,
                tokens["alice"],
                tokens["bob"],
                thread_id,
                scale.w2_messages,
                scale.w2_warmup,
            )
        )
        cpu = relay.cpu_seconds() - cpu0
        main_cpu = relay.main_thread_cpu_seconds() - main0
    total = scale.w2_messages + scale.w2_warmup
    result["server_cpu_us_per_message"] = cpu / total * 1e6
    result["server_main_thread_us_per_message"] = main_cpu / total * 1e6
    return result


def run_w3(target: Target, scale: Scale, workdir: Path) -> dict[str, Any]:
    count = scale.w3_connections
    first = count // 5
    handles = [f"idle{i:03d}" for i in range(scale.w3_accounts)]
    with RelayProcess(target, workdir, "w3") as relay:
        tokens = asyncio.run(register_accounts(relay.port, handles))
        time.sleep(0.5)
        rss0 = relay.rss()
        cpu0 = relay.cpu_seconds()
        idle = spawn(
            "w3-idle",
            _loadgen.idle_main,
            HOST,
            relay.port,
            [tokens[h] for h in handles],
            [first, count],
            scale.w3_concurrency,
        )
        try:
            stage1 = idle.expect("ready", 180, relay)
            time.sleep(1.0)
            rss1 = relay.rss()
            idle.pipe.send("more")
            stage2 = idle.expect("ready", 180, relay)
            time.sleep(1.0)
            rss2 = relay.rss()
            cpu = relay.cpu_seconds() - cpu0
            idle.pipe.send("close")
            done = idle.expect("done", 30, relay)
        finally:
            idle.finish()
    if stage2["connections"] != count:
        raise RuntimeError(f"W3 on {target.label}: {stage2['connections']} of {count} connected")
    return {
        "connections": count,
        "concurrency": scale.w3_concurrency,
        "connect_seconds": stage1["seconds"] + stage2["seconds"],
        "connects_per_s": count / (stage1["seconds"] + stage2["seconds"]),
        "connect_ms": done["connect_ms"],
        "server_cpu_us_per_connection": cpu / count * 1e6,
        "rss_before_mib": rss0 / KIB / KIB,
        "rss_after_mib": rss2 / KIB / KIB,
        "bytes_per_connection": (rss2 - rss0) / count,
        "marginal_bytes_per_connection": (rss2 - rss1) / (count - first),
    }


def run_w4(target: Target, scale: Scale, workdir: Path) -> dict[str, Any]:
    """Payments against messages: the same clients, the same relay, one phase after the
    other (the bare relay moves no money, so it has no W4)."""
    count = scale.w4_clients
    payers = [f"payer{i:03d}" for i in range(count)]
    payees = [f"payee{i:03d}" for i in range(count)]
    with RelayProcess(target, workdir, "w4") as relay:
        tokens = asyncio.run(register_accounts(relay.port, payers + payees))
        pairs = asyncio.run(_fund_pairs(relay.port, tokens, payers, payees))
        child = spawn(
            "w4-money",
            _loadgen.money_main,
            HOST,
            relay.port,
            pairs,
            scale.w4_per_client,
            scale.w4_window,
        )
        phases: dict[str, Any] = {}
        try:
            child.expect("ready", 120, relay)
            for _ in ("messages", "payments"):
                cpu0 = relay.cpu_seconds()
                child.pipe.send("go")
                done = child.expect("done", 600, relay)
                if done["error"]:
                    raise RuntimeError(f"W4 {done['phase']}: {done['error']}")
                done["server_cpu_us_per_request"] = (
                    (relay.cpu_seconds() - cpu0) / done["acked"] * 1e6
                )
                phases[done["phase"]] = done
        finally:
            child.finish()
    messages, payments = phases["messages"], phases["payments"]
    return {
        "clients": count,
        "per_client": scale.w4_per_client,
        "window": scale.w4_window,
        "messages_per_s": messages["per_s"],
        "payments_per_s": payments["per_s"],
        "payments_to_messages": payments["per_s"] / messages["per_s"],
        "message_cpu_us": messages["server_cpu_us_per_request"],
        "payment_cpu_us": payments["server_cpu_us_per_request"],
        "payment_cost_ratio": payments["server_cpu_us_per_request"]
        / messages["server_cpu_us_per_request"],
        "message_ack_ms": messages["ack_ms"],
        "payment_ack_ms": payments["ack_ms"],
    }


async def _fund_pairs(
    port: int, tokens: dict[str, str], payers: list[str], payees: list[str]
) -> list[tuple[str, int, str]]:
    """Each payer opens a direct thread with its payee and tops up (the demo card)."""
    pairs = []
    for payer, payee in zip(payers, payees, strict=True):
        client = await open_session(HOST, port, tokens[payer])
        thread = await client.call({"type": "dm_open", "handle": payee})
        await client.call(
            {"type": "topup", "amount": 50_000, "currency": "EUR", "key": f"fund-{payer}"}
        )
        client.close()
        pairs.append((tokens[payer], int(thread["id"]), payee))
    return pairs


WORKLOADS = {"W1": run_w1, "W2": run_w2, "W3": run_w3, "W4": run_w4}


# ------------------------------------------------------------------------------ reporting


def machine() -> dict[str, Any]:
    model = platform.processor() or "unknown"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        for line in subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=False
        ).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(psutil.virtual_memory().total / KIB**3, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "websockets": importlib.metadata.version("websockets"),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "git": git_revision(),
    }


def git_revision() -> str:
    """The commit measured, "+changes" when the relay or the protocol differ from it."""
    root = BENCH_DIR.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "server", "src/chatshop/protocol"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}+changes" if dirty else head or "unknown"


def headline(workload: str, result: dict[str, Any]) -> str:
    if workload == "W1":
        return (
            f"{result['deliveries_per_s']:,.0f} deliveries/s, "
            f"{result['server_cpu_us_per_delivery']:.1f} µs CPU each, "
            f"p99 {result['latency_ms']['p99']:.0f} ms"
        )
    if workload == "W2":
        return (
            f"round trip p50 {result['rtt_ms']['p50']:.2f} ms, p99 {result['rtt_ms']['p99']:.2f} ms"
        )
    if workload == "W4":
        return (
            f"{result['messages_per_s']:,.0f} messages/s, {result['payments_per_s']:,.0f} "
            f"payments/s ({result['payment_cost_ratio']:.1f}{TIMES} the CPU of a message)"
        )
    return (
        f"{result['bytes_per_connection'] / KIB:.1f} KiB per connection, "
        f"{result['connect_seconds']:.1f} s to connect"
    )


def median_results(rounds: list[Any]) -> Any:
    """The median of every number across rounds (same structure as one round)."""
    first = rounds[0]
    if isinstance(first, dict):
        return {k: median_results([r[k] for r in rounds if k in r]) for k in first}
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        return statistics.median(rounds)
    return first


def _fmt(value: float, digits: int = 2) -> str:
    if value != value:  # NaN
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


@dataclass
class Row:
    metric: str
    values: dict[str, float]  # target key -> value
    target: str = ""
    # "min0.7": at least 0.7 times bare; "max1.5": at most 1.5 times bare; "abs20": below 20
    check: str = ""
    ratio: bool = True  # print the ratio to the bare relay


def build_rows(results: dict[str, dict[str, dict[str, Any]]], keys: list[str]) -> list[Row]:
    rows: list[Row] = []

    def collect(workload: str, path: tuple[str, ...]) -> dict[str, float]:
        out: dict[str, float] = {}
        for key in keys:
            value: Any = results.get(workload, {}).get(key)
            if value is None:
                continue
            for part in path:
                value = value[part]
            out[key] = float(value)
        return out

    if "W1" in results:
        rows += [
            Row(
                "W1 deliveries/s",
                collect("W1", ("deliveries_per_s",)),
                f"≥ 2 {TIMES} bare",
                "min2.0",
            ),
            Row("W1 messages/s", collect("W1", ("messages_per_s",))),
            Row(
                "W1 messages per frame received",
                collect("W1", ("events_per_frame",)),
                ratio=False,
            ),
            Row("W1 server CPU per delivery (µs)", collect("W1", ("server_cpu_us_per_delivery",))),
            Row(
                "W1 deliveries per server CPU-second",
                {k: 1e6 / v for k, v in collect("W1", ("server_cpu_us_per_delivery",)).items()},
                "≥ 70 % of bare",
                "min0.7",
            ),
            Row("W1 server CPU use (cores)", collect("W1", ("server_cores",))),
            Row(
                "W1 server CPU share of the event-loop thread",
                collect("W1", ("server_main_thread_share",)),
                ratio=False,
            ),
            Row("W1 latency p50 (ms)", collect("W1", ("latency_ms", "p50"))),
            Row(
                "W1 latency p99 (ms)",
                collect("W1", ("latency_ms", "p99")),
                f"≤ 1.5 {TIMES} bare",
                "max1.5",
            ),
            Row("W1 send→result p99 (ms)", collect("W1", ("ack_ms", "p99"))),
            Row(
                "W1 load generator CPU per delivery (µs)",
                collect("W1", ("loadgen_cpu_us_per_delivery",)),
            ),
        ]
    if "W2" in results:
        rows += [
            Row("W2 round trip p50 (ms)", collect("W2", ("rtt_ms", "p50"))),
            Row("W2 round trip p99 (ms)", collect("W2", ("rtt_ms", "p99")), "< 1 ms", "abs1.0"),
            Row("W2 send→delivery p99 (ms)", collect("W2", ("delivery_ms", "p99"))),
            Row(
                "W2 server CPU per message (µs)",
                collect("W2", ("server_cpu_us_per_message",)),
                f"≤ 2 {TIMES} bare",
                "max2.0",
            ),
            Row(
                "W2 of which the event-loop thread (µs)",
                collect("W2", ("server_main_thread_us_per_message",)),
            ),
        ]
    if "W3" in results:
        per_conn = collect("W3", ("bytes_per_connection",))
        marginal = collect("W3", ("marginal_bytes_per_connection",))
        rows += [
            Row(
                "W3 memory per idle connection (KiB)",
                {k: v / KIB for k, v in per_conn.items()},
                "< 20 KiB",
                "abs20",
            ),
            Row(
                "W3 same, marginal over the last 80 % (KiB)",
                {k: v / KIB for k, v in marginal.items()},
            ),
            Row("W3 time to connect all (s)", collect("W3", ("connect_seconds",))),
            Row("W3 connect p99 (ms)", collect("W3", ("connect_ms", "p99"))),
            Row(
                "W3 server CPU per connection (µs)",
                collect("W3", ("server_cpu_us_per_connection",)),
                f"≤ 2.5 {TIMES} bare",
                "max2.5",
            ),
        ]
    if "W4" in results:
        rows += [
            Row("W4 messages/s", collect("W4", ("messages_per_s",)), ratio=False),
            Row("W4 payments/s", collect("W4", ("payments_per_s",)), ratio=False),
            Row(
                "W4 payments per message (same relay, same clients)",
                collect("W4", ("payments_to_messages",)),
                "≥ 0.33",
                "geq0.333",
                ratio=False,
            ),
            Row("W4 server CPU per message (µs)", collect("W4", ("message_cpu_us",)), ratio=False),
            Row("W4 server CPU per payment (µs)", collect("W4", ("payment_cpu_us",)), ratio=False),
            Row("W4 payment p99 (ms)", collect("W4", ("payment_ack_ms", "p99")), ratio=False),
        ]
    return rows


def verdict(row: Row, key: str) -> tuple[str, str]:
    """(ratio to bare, target met?) for one chatshop column."""
    value = row.values.get(key)
    bare = row.values.get("bare")
    ratio = "" if value is None or not bare or not row.ratio else f"{value / bare:.2f}{TIMES}"
    met = ""
    if row.check and value is not None:
        kind, limit = row.check[:3], float(row.check[3:])
        if kind == "abs":
            met = "yes" if value < limit else "**no**"
        elif kind == "geq":
            met = "yes" if value >= limit else "**no**"
        elif bare:
            ok = value / bare >= limit if kind == "min" else value / bare <= limit
            met = "yes" if ok else "**no**"
    return ratio, met


def markdown_table(rows: list[Row], targets: list[Target]) -> str:
    chatshop = [t for t in targets if not t.is_bare]
    has_bare = any(t.is_bare for t in targets)
    head = ["Metric"] + (["bare relay"] if has_bare else [])
    for t in chatshop:
        head += [t.label] + (["vs bare"] if has_bare else [])
    head += ["Target"] + [f"Met ({t.key})" for t in chatshop]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [row.metric]
        if has_bare:
            cells.append(_fmt(row.values["bare"]) if "bare" in row.values else "-")
        mets = []
        for t in chatshop:
            ratio, met = verdict(row, t.key)
            cells.append(_fmt(row.values[t.key]) if t.key in row.values else "-")
            if has_bare:
                cells.append(ratio)
            mets.append(met)
        cells.append(row.target)
        cells += mets
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_table(rows: list[Row], targets: list[Target]) -> None:
    width = max(len(r.metric) for r in rows) + 2
    print("\n" + "".ljust(width) + "".join(t.label.rjust(18) for t in targets))
    for row in rows:
        line = row.metric.ljust(width)
        for t in targets:
            value = row.values.get(t.key)
            text = "-" if value is None else _fmt(value)
            if value is not None and not t.is_bare:
                ratio, met = verdict(row, t.key)
                text += f" {ratio}" if ratio else ""
                text += " ok" if met == "yes" else " MISS" if met else ""
            line += text.rjust(18)
        print(line)


# ------------------------------------------------------------------------------ main


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the chatshop relay against a bare one.")
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    parser.add_argument(
        "--only", default="W1,W2,W3,W4", help="workloads to run (default: %(default)s)"
    )
    parser.add_argument(
        "--synchronous",
        default="FULL,NORMAL",
        help="chatshop SQLite synchronous modes to run, FULL is production (default: %(default)s)",
    )
    parser.add_argument(
        "--connect-concurrency",
        type=int,
        default=Scale.w3_concurrency,
        help="W3: connections being opened at once (default: %(default)s)",
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare relay")
    parser.add_argument(
        "--rounds", type=int, default=1, help="run everything N times and report medians"
    )
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    parser.add_argument("--markdown", type=Path, help="write the results table to this file")
    parser.add_argument("--keep", action="store_true", help="keep the databases and relay logs")
    parser.add_argument(
        "--from-json", type=Path, help="print the tables of a --json file instead of running"
    )
    args = parser.parse_args(argv)
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        keys = {key for per_target in saved["median"].values() for key in per_target}
        shown = [t for t in [BARE, *map(chatshop_target, ("FULL", "NORMAL"))] if t.key in keys]
        rows = build_rows(saved["median"], [t.key for t in shown])
        print_table(rows, shown)
        print(f"\n{saved['machine']}\n{saved['command']}\n\n{markdown_table(rows, shown)}")
        return 0

    scale = Scale.quick() if args.quick else Scale()
    scale = dataclasses.replace(scale, w3_concurrency=args.connect_concurrency)
    workloads = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    unknown = set(workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")
    modes = [m.strip().upper() for m in args.synchronous.split(",") if m.strip()]
    targets = ([] if args.no_bare else [BARE]) + [chatshop_target(m) for m in modes]
    raise_file_limit()
    info = machine()
    print(
        f"{info['date']}: {info['cpus']} {TIMES} {info['cpu_model']}, Python {info['python']}, "
        f"websockets {info['websockets']}, chatshop {info['git']}"
        f"{' (quick)' if args.quick else ''}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="chatshop-relay-bench-"))
    rounds: list[dict[str, dict[str, dict[str, Any]]]] = []
    started = time.monotonic()
    try:
        for number in range(1, args.rounds + 1):
            results: dict[str, dict[str, dict[str, Any]]] = {}
            for workload in workloads:
                # W3 stores nothing per message: SQLite's synchronous mode does not matter there.
                runs = [t for t in targets if workload != "W3" or t.key in ("bare", "FULL")]
                if workload == "W4":  # the bare relay moves no money
                    runs = [t for t in runs if not t.is_bare]
                for target in runs:
                    t0 = time.monotonic()
                    print(f"round {number} {workload} {target.label} ...", end=" ", flush=True)
                    result = WORKLOADS[workload](target, scale, workdir)
                    results.setdefault(workload, {})[target.key] = result
                    print(
                        f"{headline(workload, result)} ({time.monotonic() - t0:.0f} s)", flush=True
                    )
            rounds.append(results)
    finally:
        if args.keep:
            print(f"databases and logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    info["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    summary = median_results(rounds)
    rows = build_rows(summary, [t.key for t in targets])
    print_table(rows, targets)
    table = markdown_table(rows, targets)
    what = f"median of {args.rounds} rounds" if args.rounds > 1 else "one round"
    print(
        f"\nTotal {time.monotonic() - started:.0f} s ({what}); load average before "
        f"{info['load_average_before']}, after {info['load_average_after']}.\n\n{table}"
    )
    if args.markdown:
        args.markdown.write_text(table + "\n")
    if args.json:
        command = "python bench/relay_bench.py " + " ".join(sys.argv[1:] if argv is None else argv)
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "command": command.strip(),
                    "scale": dataclasses.asdict(scale),
                    "median": summary,
                    "rounds": rounds,
                },
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
