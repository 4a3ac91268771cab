"""Where the CPU goes, from the perf recordings `BENCH_PERF=1 bench/run.sh` leaves in
bench/results/<stamp>-<backend>-perf/:

  <slug>.system.data  the whole machine (perf record -a, no call graphs): which process, which DSO
  <slug>.server.data  the server alone, DWARF call graphs: which component
  <slug>.json         the scenario's requests and server CPU seconds (written by bench.py)

Usage: python bench/perf_breakdown.py DIR   (prints markdown; bench.py saves it as DIR/breakdown.md)

A sample is charged to a component by walking its stack from the leaf towards the root and taking
the first frame that belongs to a known component. Kernel, libc and std/core/alloc frames, and
tokio's socket wrappers, are skipped on that walk, so the kernel time of a socket write lands on
whoever wrote (hyper or sqlx), and a memcpy lands on whoever copied. The kernel/user split is kept.
Sampling is cpu-clock (the VM has no PMU), which lands late on irq-enable points: kernel time
shows up as finish_task_switch / _raw_spin_unlock_irqrestore, i.e. wake-ups and context switches.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

GENERIC_CRATES = {"core", "alloc", "std", "sys", "backtrace", "thread", "pal", "F", "T", "S", "B", "I", "E", "Fut", "Self", "dyn",
                  "futures_util", "futures_core", "pin_project_lite", "bytes", "http_body",
                  "http_body_util", "__rustc", "hashbrown"}

COMPONENTS = [
    # (component, crate-or-path prefixes)
    ("tracing (spans, TraceLayer, subscriber)", ("tracing", "tracing_core", "tracing_subscriber",
                                                 "tower_http::trace", "sharded_slab")),
    ("sqlx + store (queries, pool, row decoding, socket IO)", ("sqlx", "sqlx_core", "sqlx_postgres",
                                                               "sqlx_sqlite", "pangolin_store_sql",
                                                               "libsqlite3_sys", "crossbeam_queue")),
    ("JSON (serde_json / serde)", ("serde_json", "serde", "serde_core")),
    ("iceberg metadata builders", ("iceberg", "apache_avro")),
    ("ETag hashing (sha2, hex)", ("sha2", "hex", "digest")),
    ("metadata cache (quick_cache)", ("quick_cache",)),
    ("thread park/unpark (parking_lot futexes; mostly tokio's)", ("parking_lot", "parking_lot_core")),
    ("object storage IO (object_store, std::fs)", ("object_store", "pangolin_storage",
                                                    "std::fs", "std::sys::fs")),
    ("HTTP (hyper, httparse, http)", ("hyper", "hyper_util", "httparse", "http", "h2")),
    ("axum/tower (routing, extractors, middleware)", ("axum", "axum_core", "tower", "tower_http",
                                                     "tower_layer", "tower_service", "matchit",
                                                     "serde_urlencoded", "percent_encoding",
                                                     "form_urlencoded")),
    ("pangolin (api, catalog, core)", ("pangolin_api", "pangolin_catalog", "pangolin_core",
                                       "pangolin_store", "pangolin_server")),
    ("ids, time, misc (uuid, chrono, rand)", ("uuid", "chrono", "rand", "rand_core", "rand_chacha",
                                              "getrandom", "ring", "aes_gcm")),
    ("tokio runtime (scheduler, timers, IO driver, parking)", ("tokio::runtime", "tokio::time",
                                                               "tokio::sync", "tokio::task",
                                                               "tokio::loom", "mio::poll",
                                                               "mio::sys", "tokio")),
]
# Socket wrappers: skipped, so IO is charged to the protocol code above them.
PASS_THROUGH = ("tokio::net", "tokio::io", "mio::net", "mio::io_source", "tokio_util",
                "socket2", "tokio::fs", "tokio::runtime::io::registration")

FRAME = re.compile(r"^\s*[0-9a-f]+ (.*) \((.*)\)$")
# The first segment of each path in a symbol (`alloc::raw_vec::X` yields `alloc` only).
PATH = re.compile(r"(?<![:\w])([A-Za-z_]\w*)::")


def component(sym: str) -> str | None:
    """The component of one (non-inlined, user-space) frame, or None to keep walking."""
    if any(p in sym for p in PASS_THROUGH):
        return None
    for m in PATH.finditer(sym):
        crate = m.group(1)
        for name, prefixes in COMPONENTS:
            for p in prefixes:
                if sym.startswith(p, m.start()) if "::" in p else crate == p:
                    return name
        if crate not in GENERIC_CRATES:
            return f"other: {crate}"
    return None


def samples(path: Path):
    """Yields (comm, frames) with frames leaf-first as (symbol, dso) pairs."""
    proc = subprocess.Popen(["perf", "script", "-i", str(path), "-F", "comm,ip,sym,dso"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            errors="replace")
    comm, frames = None, []
    for line in proc.stdout:
        if not line.strip():
            if comm is not None:
                yield comm, frames
            comm, frames = None, []
        elif line[0] not in " \t":
            comm, frames = line.split()[0] if line.split() else "?", []
        else:
            m = FRAME.match(line.rstrip("\n"))
            if m:
                frames.append((m.group(1), m.group(2)))
    if comm is not None:
        yield comm, frames
    proc.wait()


def charge(frames: list[tuple[str, str]]) -> tuple[str, bool]:
    """(component, in_kernel) of one sample."""
    kernel = bool(frames) and "kernel" in frames[0][1]
    for sym, dso in frames:
        if dso == "inlined" or "kernel" in dso or dso.endswith((".so.6", ".so")) or dso == "[vdso]":
            continue
        c = component(sym)
        if c:
            return c, kernel
    return ("kernel (no user frame)" if kernel else "unattributed"), kernel


def leaf_name(frames: list[tuple[str, str]]) -> str:
    if not frames:
        return "?"
    sym, dso = frames[0]
    where = "[k]" if "kernel" in dso else ""
    return f"{where} {sym[:110]}".strip()


def breakdown(server: Path, meta: dict) -> list[str]:
    total = 0
    comps: Counter = Counter()
    kernel_by_comp: Counter = Counter()
    leaves: Counter = Counter()
    ours: Counter = Counter()  # inclusive, our functions
    for _, frames in samples(server):
        total += 1
        c, k = charge(frames)
        comps[c] += 1
        if k:
            kernel_by_comp[c] += 1
        leaves[leaf_name(frames)] += 1
        seen = set()
        for sym, dso in frames:
            if dso != "inlined" and sym.startswith(("pangolin_", "<pangolin_")) and sym not in seen:
                seen.add(sym)
                ours[re.sub(r"::\{\{closure\}\}", "", sym)[:140]] += 1
    if not total:
        return ["(no samples)"]
    us_per_req = 1e6 * meta["server_cpu_s"] / max(meta["requests"], 1)
    out = [f"{total} samples of the server; it used {meta['server_cpu_s']:.2f} CPU s for "
           f"{meta['requests']} requests = **{us_per_req:.0f} µs CPU per request** "
           "(without perf; perf itself slows the run down).", "",
           "| Component | Share of server CPU | of which kernel | ≈ µs per request |",
           "|---|---|---|---|"]
    for c, n in comps.most_common():
        out.append(f"| {c} | {100 * n / total:.1f}% | {100 * kernel_by_comp[c] / total:.1f}% | "
                   f"{us_per_req * n / total:.1f} |")
    out += ["", "Hottest leaf functions:", "", "| Self | Function |", "|---|---|"]
    for name, n in leaves.most_common(20):
        out.append(f"| {100 * n / total:.1f}% | `{name}` |")
    out += ["", "Our functions, inclusive (their callees included):", "",
            "| Total | Function |", "|---|---|"]
    for name, n in ours.most_common(20):
        out.append(f"| {100 * n / total:.1f}% | `{name}` |")
    return out


def system(path: Path) -> list[str]:
    out = subprocess.run(["perf", "report", "-i", str(path), "--sort", "comm,dso", "--stdio",
                          "--percent-limit", "0.5"], capture_output=True, text=True).stdout
    rows = ["| Share of both CPUs | Process | DSO |", "|---|---|---|"]
    for line in out.splitlines():
        m = re.match(r"^\s+([\d.]+)%\s+(\S+)\s+(.+?)\s*$", line)
        if m:
            rows.append(f"| {m.group(1)}% | {m.group(2)} | {m.group(3)} |")
    return rows


def main() -> None:
    d = Path(sys.argv[1])
    lines = [f"# perf breakdown ({d.name})", "", __doc__.split("\n\n", 2)[2].strip(), ""]
    for meta_path in sorted(d.glob("*.json")):
        slug = meta_path.stem
        meta = json.loads(meta_path.read_text())
        lines += [f"## {meta['name']} ({meta['connections']} connections, "
                  f"{meta['rps']:,.0f} req/s under perf)", "", "### The whole machine", ""]
        lines += system(d / f"{slug}.system.data")
        lines += ["", "### The server, by component", ""]
        lines += breakdown(d / f"{slug}.server.data", meta)
        lines.append("")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
