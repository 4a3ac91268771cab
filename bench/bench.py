"""Pangolin's benchmark driver, run by bench/run.sh (which builds the binaries, provides wrk,
PostgreSQL and the Python venv, and passes everything in through BENCH_* variables).

Per backend: start the release server on a fresh store, measure idle RSS, measure the HTTP
ceiling (bench/ceiling) with the same load generator, seed the catalog over the Iceberg REST API,
run every scenario (warm-up, then a measured run while sampling the server's CPU and RSS), check
that no commit was lost, and print a markdown report (also saved to bench/results/).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WRK_DIR = BENCH / "wrk"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


DURATION = int(env("BENCH_DURATION", "10"))
WARMUP = int(env("BENCH_WARMUP", "2"))
THREADS = int(env("BENCH_THREADS", "2"))
CONNECTIONS = int(env("BENCH_CONNECTIONS", "16"))
ONLY = re.compile(env("BENCH_ONLY", ".*"))
PANGOLIN = env("PANGOLIN_BIN", str(ROOT / "target/release/pangolin"))
CEILING = env("CEILING_BIN", str(ROOT / "target/release/pangolin-bench-ceiling"))
WRK = env("WRK", "wrk")
WORK = Path(env("BENCH_WORK", "/tmp/pangolin-bench"))
RESULTS = Path(env("BENCH_RESULTS", str(BENCH / "results")))
PIDS = WORK / "pids"
# BENCH_PERF=1: record the measured runs with perf (cpu-clock; the VM has no hardware counters):
# the server with DWARF call graphs, the whole machine without, for bench/perf_breakdown.py.
PERF = env("BENCH_PERF", "") not in ("", "0")
PERF_FREQ = env("BENCH_PERF_FREQ", "499")
MAX_LOAD = env("BENCH_MAX_LOAD", "0.5")
WAIT_LOAD = int(env("BENCH_WAIT_LOAD", "600"))
# The server runs without these unless BENCH_KEEP_BACKTRACE=1: with RUST_BACKTRACE=1 every
# iceberg::Error::new captures a backtrace, and iceberg builds some errors eagerly even on success
# (`ok_or(Error::new(..))` in MetadataLocation::from_str), which costs commits measurably.
SCRUBBED = () if env("BENCH_KEEP_BACKTRACE", "") else ("RUST_BACKTRACE", "RUST_LIB_BACKTRACE")
# The root password of the bench servers (fresh stores, loopback only).
BENCH_ROOT_PASSWORD = "bench-root-password-1"
NAMESPACE = "bench"
TABLES = 100
HISTORY = 200


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Processes and /proc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def postgres_cpu() -> dict[int, float]:
    """utime + stime of every running `postgres` process, by pid (the cluster may be shared)."""
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        if stat[stat.index("(") + 1 : stat.rindex(")")] != "postgres":
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        out[int(d.name)] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def postgres_cpu_delta(before: dict[int, float]) -> float:
    """CPU the postgres processes used since `before` (processes that exited meanwhile are lost)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in postgres_cpu().items())


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent not idle (user, nice, system, irq, softirq, steal)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def memory_kb(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, value = line.split(":", 1)
            out[name] = int(value.split()[0])
    return out


def reset_peak(pid: int) -> bool:
    """Resets VmHWM to the current RSS (Linux >= 4.0), so the next read is this scenario's peak."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class RssSampler(threading.Thread):
    """Samples VmRSS every 100 ms (the fallback when VmHWM cannot be reset)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.stop_event = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.peak_kb = max(self.peak_kb, memory_kb(self.pid)["VmRSS"])
            except (OSError, KeyError):
                return
            self.stop_event.wait(0.1)

    def stop(self) -> int:
        self.stop_event.set()
        self.join()
        return self.peak_kb


def spawn(args: list[str], log_path: Path, extra_env: dict[str, str] | None = None,
          scrub: tuple[str, ...] = ()):
    logf = open(log_path, "wb")
    child_env = {k: v for k, v in os.environ.items() if k not in scrub}
    proc = subprocess.Popen(
        args,
        stdout=logf,
        stderr=subprocess.STDOUT,
        env={**child_env, **(extra_env or {})},
        start_new_session=True,
    )
    PIDS.mkdir(parents=True, exist_ok=True)
    (PIDS / str(proc.pid)).write_text(" ".join(args))
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    (PIDS / str(proc.pid)).unlink(missing_ok=True)


def wait_http(proc: subprocess.Popen, url: str, what: str, log_path: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench: {what} exited with {proc.returncode}; see {log_path}:\n"
                     + log_path.read_text()[-3000:])
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    sys.exit(f"bench: {what} did not answer {url} within 120 s; see {log_path}")


# ---------------------------------------------------------------------------------------------
# wrk


@dataclass
class WrkResult:
    requests: int
    duration_s: float
    bytes: int
    non_2xx_3xx: int
    socket_errors: int
    timeouts: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    sent: int
    received: int
    client_cpu_s: float

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s


def wrk(url: str, connections: int, threads: int, seconds: int, script: str,
        headers: list[str] = (), script_args: list[str] = ()) -> WrkResult:
    args = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
            "-s", str(WRK_DIR / script)]
    for h in headers:
        args += ["-H", h]
    args.append(url)
    if script_args:
        args += ["--", *script_args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(args, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        sys.exit(f"bench: wrk failed ({out.returncode}): {' '.join(args)}\n{out.stderr}{out.stdout}")
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH_RESULT ")), None)
    if line is None:
        sys.exit(f"bench: no BENCH_RESULT from wrk: {' '.join(args)}\n{out.stdout}{out.stderr}")
    r = json.loads(line.split(" ", 1)[1])
    return WrkResult(
        requests=r["requests"],
        duration_s=r["duration_us"] / 1e6,
        bytes=r["bytes"],
        non_2xx_3xx=r["status_errors"],
        socket_errors=r["connect_errors"] + r["read_errors"] + r["write_errors"],
        timeouts=r["timeouts"],
        p50_ms=r["p50_us"] / 1000,
        p90_ms=r["p90_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        max_ms=r["max_us"] / 1000,
        sent=r["sent"],
        received=r["received"],
        client_cpu_s=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    )


# ---------------------------------------------------------------------------------------------
# Scenarios


@dataclass
class Scenario:
    name: str
    connections: int
    url: str
    script: str = "report.lua"
    headers: list[str] = field(default_factory=list)
    script_args: list[str] = field(default_factory=list)
    # commit scenarios: "spread" | "one" | "assert"
    commit_mode: str | None = None
    # GET scenarios: the expected status (checked once before the run) and body size
    expect_status: int = 200
    body_bytes: int = 0
    kind: str = "get"  # get | ceiling | commit


@dataclass
class Measured:
    scenario: Scenario
    wrk: WrkResult
    server_cpu_s: float
    pg_cpu_s: float | None
    peak_rss_kb: int
    machine_busy_s: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    verification: dict | None = None


class Bench:
    def __init__(self, backend: str, stamp: str) -> None:
        self.backend, self.stamp = backend, stamp
        self.dir = WORK / backend
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.api = f"{self.base}/v1/default"
        self.http = requests.Session()
        self.server: subprocess.Popen | None = None
        self.schema = None
        self.results: list[Measured] = []
        self.notes: list[str] = []
        self.idle: dict[str, int] = {}
        self.tables: dict[str, dict] = {}  # name -> {"uuid": ..., "role": ...}

    # -- server ---------------------------------------------------------------------------

    def start_server(self) -> None:
        server_env = {
            "PANGOLIN_DATA_DIR": str(self.dir / "data"),
            "PANGOLIN_SERVER__BIND": f"127.0.0.1:{self.port}",
            "PANGOLIN_STORE__BACKEND": self.backend,
            # A known root password, so the bench can make a user for the authenticated runs.
            "PANGOLIN_ROOT_PASSWORD": BENCH_ROOT_PASSWORD,
        }
        if self.backend == "postgres":
            url = os.environ.get("PANGOLIN_TEST_POSTGRES_URL")
            if not url:
                sys.exit("bench: PANGOLIN_TEST_POSTGRES_URL is not set (run through bench/run.sh)")
            self.schema = f"bench_{self.stamp.replace('-', '_').lower()}"
            server_env |= {"PANGOLIN_STORE__URL": url, "PANGOLIN_STORE__SCHEMA": self.schema}
        for key in ("PANGOLIN_LOG", "PANGOLIN_STORE__MAX_CONNECTIONS"):
            if os.environ.get(f"BENCH_{key}"):
                server_env[key] = os.environ[f"BENCH_{key}"]
        log_path = self.dir / "server.log"
        self.server = spawn([PANGOLIN, "serve"], log_path, server_env, scrub=SCRUBBED)
        wait_http(self.server, f"{self.base}/health/ready", "the pangolin server", log_path)
        log(f"{self.backend}: server pid {self.server.pid} ready on {self.base}")

    def stop_server(self) -> None:
        if self.server is not None:
            stop(self.server)
            self.server = None
        if self.schema:
            drop_schema(self.schema)

    def rss_mb(self) -> float:
        return memory_kb(self.server.pid)["VmRSS"] / 1024

    # -- seeding --------------------------------------------------------------------------

    def post(self, path: str, body: dict, expect: int = 200) -> dict:
        r = self.http.post(f"{self.api}{path}", json=body, timeout=30)
        if r.status_code != expect:
            sys.exit(f"bench: POST {path} -> {r.status_code}: {r.text[:500]}")
        return r.json() if r.content else {}

    def seed(self) -> None:
        t0 = time.monotonic()
        self.post("/namespaces", {"namespace": [NAMESPACE], "properties": {}})
        schema = {"type": "struct", "schema-id": 0, "fields": [
            {"id": 1, "name": "id", "required": True, "type": "long"},
            {"id": 2, "name": "data", "required": False, "type": "string"},
            {"id": 3, "name": "ts", "required": False, "type": "timestamptz"}]}
        for i in range(TABLES):
            name = f"t{i:03d}"
            created = self.post(f"/namespaces/{NAMESPACE}/tables", {"name": name, "schema": schema})
            self.tables[name] = {"uuid": created["metadata"]["table-uuid"], "role": "",
                                 "location": created["metadata"]["location"], "a": "-", "b": "-"}
        roles = {"t000": "hist_props", "t001": "hist_snaps", "t002": "contended", "t099": "small"}
        for name, role in roles.items():
            self.tables[name]["role"] = role
        # 200 set-properties commits, as the "table with 200 commits of history".
        for n in range(HISTORY):
            self.commit("t000", [], [{"action": "set-properties",
                                      "updates": {"owner": "bench", "seed.version": str(n)}}])
        # 200 append commits: the same history as real writers leave it (a snapshot each).
        for n in range(HISTORY):
            self.append_snapshot("t001", n)
        # Two snapshots the `assert` contention scenario flips `main` between.
        a = self.append_snapshot("t002", 0)
        b = self.append_snapshot("t002", 1)
        self.tables["t002"] |= {"a": str(b), "b": str(a)}  # main is at b: writers start there
        with open(self.dir / "tables.txt", "w") as f:
            for name, t in self.tables.items():
                f.write(f"{name} {t['uuid']} {t['a']} {t['b']}\n")
        sizes = {role: len(self.http.get(self.table_url(name)).content) for name, role in roles.items()}
        log(f"{self.backend}: seeded {TABLES} tables in {time.monotonic() - t0:.1f} s; "
            f"loadTable bytes: {sizes}")
        self.sizes = sizes

    def commit(self, name: str, requirements: list, updates: list) -> dict:
        return self.post(f"/namespaces/{NAMESPACE}/tables/{name}",
                         {"requirements": [{"type": "assert-table-uuid",
                                            "uuid": self.tables[name]["uuid"]}, *requirements],
                          "updates": updates})

    def append_snapshot(self, name: str, n: int) -> int:
        current = self.http.get(self.table_url(name)).json()["metadata"]
        parent = current.get("current-snapshot-id")
        if parent == -1:
            parent = None
        seq = current.get("last-sequence-number", 0) + 1
        snapshot_id = 1_000_000 + n * 7 + len(name)
        location = self.tables[name]["location"]
        snapshot = {
            "snapshot-id": snapshot_id,
            "sequence-number": seq,
            "timestamp-ms": int(time.time() * 1000),
            "manifest-list": f"{location}/metadata/snap-{snapshot_id}-1-bench.avro",
            "summary": {"operation": "append", "added-data-files": "1", "added-records": "1000",
                        "added-files-size": "40960", "changed-partition-count": "1",
                        "total-records": str(1000 * (n + 1)), "total-files-size": str(40960 * (n + 1)),
                        "total-data-files": str(n + 1), "total-delete-files": "0",
                        "total-position-deletes": "0", "total-equality-deletes": "0"},
            "schema-id": 0,
        }
        if parent is not None:
            snapshot["parent-snapshot-id"] = parent
        self.commit(name,
                    [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": parent}],
                    [{"action": "add-snapshot", "snapshot": snapshot},
                     {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch",
                      "snapshot-id": snapshot_id}])
        return snapshot_id

    def bearer_token(self) -> str:
        """A tenant admin of the default tenant (made by root, impersonating), logged in."""
        login = f"{self.base}/api/v1/users/login"
        r = self.http.post(login, json={"username": "root", "password": BENCH_ROOT_PASSWORD})
        if r.status_code != 200:
            sys.exit(f"bench: root login -> {r.status_code}: {r.text[:300]}")
        root = {"Authorization": f"Bearer {r.json()['access-token']}", "X-Pangolin-Tenant": "default"}
        body = {"name": "bench", "tier": "tenant-admin", "password": BENCH_ROOT_PASSWORD}
        r = self.http.post(f"{self.base}/api/v1/users", json=body, headers=root)
        if r.status_code not in (201, 409):
            sys.exit(f"bench: creating the bench user -> {r.status_code}: {r.text[:300]}")
        r = self.http.post(login, json={"tenant": "default", "username": "bench",
                                        "password": BENCH_ROOT_PASSWORD})
        if r.status_code != 200:
            sys.exit(f"bench: bench user login -> {r.status_code}: {r.text[:300]}")
        return r.json()["access-token"]

    def table_url(self, name: str) -> str:
        return f"{self.api}/namespaces/{NAMESPACE}/tables/{name}"

    def table_by_role(self, role: str) -> str:
        return next(n for n, t in self.tables.items() if t["role"] == role)

    def etag(self, name: str) -> str:
        r = self.http.get(self.table_url(name))
        tag = r.headers.get("etag")
        if r.status_code != 200 or not tag:
            sys.exit(f"bench: loading {name} gave {r.status_code} without an ETag")
        return tag

    # -- scenarios ------------------------------------------------------------------------

    def scenarios(self, ceiling_url: str) -> list[Scenario]:
        out = [Scenario("HTTP ceiling (trivial axum handler)", CONNECTIONS, ceiling_url, kind="ceiling"),
               Scenario("config", CONNECTIONS, f"{self.base}/v1/config?warehouse=default")]
        labels = {"small": "small table", "hist_props": "200-commit table (set-properties)",
                  "hist_snaps": "200-commit table (200 snapshots)"}
        for role, label in labels.items():
            name = self.table_by_role(role)
            url = self.table_url(name)
            for conns in (CONNECTIONS, 1):
                out.append(Scenario(f"loadTable {label}", conns, url, body_bytes=self.sizes[role]))
            for conns in (CONNECTIONS, 1):
                out.append(Scenario(f"loadTable {label}, If-None-Match", conns, url,
                                    headers=[f"If-None-Match: {self.etag(name)}"],
                                    expect_status=304))
        token = self.bearer_token()
        small = self.table_url(self.table_by_role("small"))
        out.append(Scenario("authenticated loadTable small table (bearer token)", CONNECTIONS, small,
                            headers=[f"Authorization: Bearer {token}"],
                            body_bytes=self.sizes["small"]))
        prefix = f"/v1/default/namespaces/{NAMESPACE}/tables/"
        tables = str(self.dir / "tables.txt")
        contended = self.table_by_role("contended")
        for mode, label, table in (
                ("spread", f"commits, {CONNECTIONS} writers over {TABLES} tables", None),
                ("one", f"commits, {CONNECTIONS} writers on one table (assert uuid only)", contended),
                ("assert", f"commits, {CONNECTIONS} writers on one table (assert main snapshot)", contended)):
            args = [mode, str(self.dir / "wrk-logs"), mode, tables, prefix]
            if table:
                args.append(table)
            out.append(Scenario(label, CONNECTIONS, self.base, script="commit.lua",
                                script_args=args, commit_mode=mode, kind="commit"))
        return [s for s in out if ONLY.search(s.name)]

    def precheck(self, s: Scenario) -> None:
        if s.kind == "commit":
            return
        headers = dict(h.split(": ", 1) for h in s.headers)
        r = self.http.get(s.url, headers=headers)
        if r.status_code != s.expect_status:
            sys.exit(f"bench: {s.name}: expected {s.expect_status}, got {r.status_code}")
        s.body_bytes = len(r.content)

    def measure(self, s: Scenario, pid: int) -> Measured:
        threads = 1 if s.connections == 1 else THREADS
        self.precheck(s)
        if s.kind == "commit":
            (self.dir / "wrk-logs").mkdir(exist_ok=True)
            before = self.versions()
        if WARMUP > 0:
            wrk(s.url, s.connections, threads, WARMUP, s.script, s.headers, self.args(s, "w"))
        busy0 = machine_busy_seconds()
        cpu0 = cpu_seconds(pid)
        pg0 = postgres_cpu() if self.backend == "postgres" else None
        exact_peak = reset_peak(pid)
        sampler = RssSampler(pid)
        sampler.start()
        perf = self.start_perf(s, pid) if PERF else []
        result = wrk(s.url, s.connections, threads, DURATION, s.script, s.headers, self.args(s, "m"))
        sampled = sampler.stop()
        busy = machine_busy_seconds() - busy0
        for p in perf:
            p.wait()
        peak = max(sampled, memory_kb(pid)["VmHWM"] if exact_peak else 0)
        m = Measured(s, result, cpu_seconds(pid) - cpu0,
                     postgres_cpu_delta(pg0) if pg0 is not None else None, peak, busy)
        if s.kind == "commit":
            m.statuses, m.verification = self.verify_commits(s, before)
        if PERF:
            (self.perf_dir / f"{self.slug(s)}.json").write_text(json.dumps({
                "name": s.name, "connections": s.connections, "requests": result.requests,
                "rps": result.rps, "server_cpu_s": m.server_cpu_s}))
        log(f"{self.backend}: {s.name} c{s.connections}: {result.rps:,.0f} req/s, "
            f"p99 {result.p99_ms:.2f} ms, non-2xx/3xx {result.non_2xx_3xx}")
        return m

    @property
    def perf_dir(self) -> Path:
        return RESULTS / f"{self.stamp}-{self.backend}-perf"

    @staticmethod
    def slug(s: Scenario) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{s.name} c{s.connections}".lower()).strip("-")

    def start_perf(self, s: Scenario, pid: int) -> list[subprocess.Popen]:
        slug, out = self.slug(s), self.perf_dir
        out.mkdir(parents=True, exist_ok=True)
        common = ["perf", "record", "-q", "-e", "cpu-clock", "-F", PERF_FREQ]
        procs = [
            subprocess.Popen([*common, "--call-graph", "dwarf,32768", "-p", str(pid),
                              "-o", str(out / f"{slug}.server.data"), "--", "sleep", str(DURATION)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
            subprocess.Popen([*common, "-a", "-o", str(out / f"{slug}.system.data"),
                              "--", "sleep", str(DURATION)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        ]
        return procs

    @staticmethod
    def args(s: Scenario, run: str) -> list[str]:
        """Commit keys and logs are tagged per run (warm-up "w", measured "m") to stay unique."""
        if s.kind != "commit":
            return s.script_args
        return [*s.script_args[:2], f"{s.commit_mode}{run}", *s.script_args[3:]]

    # -- commit verification --------------------------------------------------------------

    def versions(self) -> dict[str, tuple[int, dict]]:
        """Each table's metadata version (NNNNN of its metadata file) and properties."""
        out = {}
        for name in self.tables:
            r = self.http.get(self.table_url(name))
            if r.status_code != 200:
                sys.exit(f"bench: loading {name} after commits -> {r.status_code}: {r.text[:500]}")
            body = r.json()
            version = int(re.search(r"/(\d+)-[^/]*\.metadata\.json$", body["metadata-location"]).group(1))
            out[name] = (version, body["metadata"].get("properties", {}))
        return out

    def verify_commits(self, s: Scenario, before: dict) -> tuple[dict[str, int], dict]:
        """Both runs (warm-up and measured) of the scenario count: both committed."""
        after = self.versions()
        logs = list((self.dir / "wrk-logs").glob(f"{s.commit_mode}?-*.log"))
        sent, answered, statuses = set(), {}, {}
        for path in logs:
            measured = path.name.startswith(f"{s.commit_mode}m-")
            for line in path.read_text().splitlines():
                code, key = line.split(" ", 1)
                if code == "S":
                    sent.add(key)
                else:
                    answered[key] = code
                    if measured:
                        statuses[code] = statuses.get(code, 0) + 1
        ok = {k for k, c in answered.items() if c == "200"}
        unanswered = sent - answered.keys()
        applied_versions = sum(after[n][0] - before[n][0] for n in self.tables)
        v = {"sent": len(sent), "answered": len(answered), "ok": len(ok),
             "unanswered": len(unanswered), "applied_versions": applied_versions}
        if s.commit_mode == "spread":
            applied = {k for n in self.tables for k in after[n][1] if k.startswith("spread")}
            v["applied_keys"] = len(applied)
            v["lost"] = len(ok - applied)
            v["applied_after_error"] = len(applied - ok - unanswered)
            v["applied_unanswered"] = len((applied - ok) & unanswered)
            # one new metadata version per applied key, or something committed twice
            v["duplicated"] = applied_versions - len(applied)
        else:
            v["lost"] = max(0, len(ok) - applied_versions)
            v["duplicated"] = max(0, applied_versions - len(ok) - len(unanswered))
            v["applied_unanswered"] = applied_versions - len(ok) - v["duplicated"]
            last = after[s.script_args[5]][1].get("bench.last")
            v["last_is_acknowledged"] = last in ok or last in unanswered
        v["passed"] = (v["lost"] == 0 and v["duplicated"] == 0
                       and v.get("applied_after_error", 0) == 0
                       and v.get("last_is_acknowledged", True))
        for path in logs:
            path.rename(path.with_suffix(".done"))
        return statuses, v

    # -- the run --------------------------------------------------------------------------

    def run(self) -> str:
        started = datetime.datetime.now().astimezone()
        load_at_start = os.getloadavg()
        self.start_server()
        pid = self.server.pid
        time.sleep(1)
        self.idle["fresh"] = memory_kb(pid)["VmRSS"]
        config_body = self.http.get(f"{self.base}/v1/config?warehouse=default").content
        (self.dir / "config.json").write_bytes(config_body)
        ceiling_port = free_port()
        ceiling_log = self.dir / "ceiling.log"
        ceiling = spawn([CEILING, f"127.0.0.1:{ceiling_port}", str(self.dir / "config.json")],
                        ceiling_log)
        ceiling_url = f"http://127.0.0.1:{ceiling_port}/v1/config"
        try:
            wait_http(ceiling, ceiling_url, "the ceiling server", ceiling_log)
            self.seed()
            time.sleep(1)
            self.idle["seeded"] = memory_kb(pid)["VmRSS"]
            for s in self.scenarios(ceiling_url):
                target = ceiling.pid if s.kind == "ceiling" else pid
                self.results.append(self.measure(s, target))
                if s.kind == "ceiling":
                    stop(ceiling)
            time.sleep(1)
            self.idle["after"] = memory_kb(pid)["VmRSS"]
            self.idle["hwm"] = memory_kb(pid)["VmHWM"]
        finally:
            stop(ceiling)
        report = self.report(started, load_at_start)
        return report

    # -- report ---------------------------------------------------------------------------

    def report(self, started: datetime.datetime, load_at_start: tuple) -> str:
        ceiling = next((m for m in self.results if m.scenario.kind == "ceiling"), None)
        config = next((m for m in self.results if m.scenario.name == "config"), None)
        lines = [f"# Pangolin benchmark — {self.backend}", ""]
        lines += [f"- started {started:%Y-%m-%d %H:%M:%S %z}, git {git_describe()}",
                  f"- machine: {os.cpu_count()} CPUs ({cpu_model()}), {mem_total()}, "
                  f"Linux {platform.release()}",
                  f"- load average at start: {fmt_load(load_at_start)}; at end: {fmt_load(os.getloadavg())}",
                  f"- load generator: {wrk_version()}, {THREADS} threads for {CONNECTIONS} connections "
                  f"(1 thread for 1); {WARMUP} s warm-up, then {DURATION} s measured per scenario",
                  f"- store: {self.backend}" + (f" ({pg_version()}, schema `{self.schema}`, "
                                                 "default pool)" if self.schema else " (default pool)")
                  + f"; warehouse: local filesystem ({fs_type(self.dir)}); server: `pangolin serve`, "
                  "default settings, " + ("RUST_BACKTRACE unset" if SCRUBBED else
                                          f"RUST_BACKTRACE={os.environ.get('RUST_BACKTRACE', '')}"),
                  f"- seeded: 1 namespace, {TABLES} tables; t000 has {HISTORY} set-properties commits, "
                  f"t001 {HISTORY} append commits (a snapshot each)",
                  ""]
        head = ("| Scenario | Conns | Req/s | % ceiling | p50 ms | p90 ms | p99 ms | Responses | "
                "Body B | Server CPU s | CPU µs/req | Peak RSS MB | PG CPU s | Client CPU s | Rest CPU s |")
        lines += [head, "|" + "---|" * 15]
        for m in self.results:
            r, s = m.wrk, m.scenario
            rest = max(0.0, m.machine_busy_s - m.server_cpu_s - (m.pg_cpu_s or 0) - r.client_cpu_s)
            pct = f"{100 * r.rps / ceiling.wrk.rps:.0f}%" if ceiling and s.kind != "commit" else ""
            if s.kind == "commit":
                responses = ", ".join(f"{v} × {k}" for k, v in sorted(m.statuses.items()))
            else:
                responses = f"{r.requests - r.non_2xx_3xx} × {s.expect_status}"
                if r.non_2xx_3xx:
                    responses += f", {r.non_2xx_3xx} other"
            if r.socket_errors or r.timeouts:
                responses += f", {r.socket_errors} socket errors, {r.timeouts} timeouts"
            lines.append(
                f"| {s.name} | {s.connections} | {r.rps:,.0f} | {pct} | {r.p50_ms:.2f} | "
                f"{r.p90_ms:.2f} | {r.p99_ms:.2f} | {responses} | "
                f"{s.body_bytes if s.kind != 'commit' else ''} | {m.server_cpu_s:.2f} | "
                f"{1e6 * m.server_cpu_s / max(r.requests, 1):.0f} | {m.peak_rss_kb / 1024:.1f} | "
                f"{'' if m.pg_cpu_s is None else f'{m.pg_cpu_s:.2f}'} | {r.client_cpu_s:.2f} | "
                f"{rest:.2f} |")
        lines += ["", f"Columns: Req/s, latency and CPU are for the {DURATION} s measured run. "
                  "Server CPU s = the pangolin process (utime+stime); PG CPU s = every postgres "
                  "process; Client CPU s = wrk; Rest CPU s = the machine's other busy time "
                  "(softirq, other processes: interference when large); "
                  f"{2 * DURATION} CPU s are available. Peak RSS = the server's VmHWM, reset "
                  "before each run.", "", "Server RSS: "
                  + ", ".join(f"{k} {v / 1024:.1f} MB" for k, v in self.idle.items()
                              if k != "hwm")
                  + f"; lifetime peak (VmHWM) {self.idle.get('hwm', 0) / 1024:.1f} MB.",
                  "", "## Commit checks", "",
                  "| Scenario | Sent | Answered | 200 | Applied | Lost | Duplicated | "
                  "Applied after an error | Applied, in flight at stop | OK |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for m in self.results:
            v = m.verification
            if v is None:
                continue
            applied = v.get("applied_keys", v["applied_versions"])
            lines.append(f"| {m.scenario.name} | {v['sent']} | {v['answered']} | {v['ok']} | "
                         f"{applied} | {v['lost']} | {v['duplicated']} | "
                         f"{v.get('applied_after_error', 'n/a')} | {v['applied_unanswered']} | "
                         f"{'yes' if v['passed'] else '**NO**'} |")
        lines += ["", "Counted over warm-up and measured runs. Spread: each commit sets a unique "
                  "property key, so lost = acknowledged keys missing from the final tables, "
                  "duplicated = metadata versions beyond one per applied key. One table: applied = "
                  "metadata versions added (NNNNN of the file name), compared with 200s (+ requests "
                  "wrk abandoned in flight at the end of a run, which may have landed)."]
        lines += ["", "## Targets (issue 9; they apply to the Postgres backend)", ""]
        lines += self.targets(ceiling, config)
        return "\n".join(lines) + "\n"

    def targets(self, ceiling: Measured | None, config: Measured | None) -> list[str]:
        rows = ["| Target | Measured | Met |", "|---|---|---|"]

        def row(target: str, measured: str, ok: bool) -> None:
            rows.append(f"| {target} | {measured} | {'yes' if ok else '**no**'} |")

        by = {(m.scenario.name, m.scenario.connections): m for m in self.results}
        if ceiling and config:
            ratio = config.wrk.rps / ceiling.wrk.rps
            row("config ≥ 80% of the HTTP ceiling", f"{100 * ratio:.0f}% "
                f"({config.wrk.rps:,.0f} / {ceiling.wrk.rps:,.0f})", ratio >= 0.8)
        for (name, conns), m in by.items():
            if not name.startswith("loadTable") or conns != CONNECTIONS:
                continue
            if "If-None-Match" in name:
                if config:
                    ratio = m.wrk.rps / config.wrk.rps
                    row(f"{name}: 304 ≥ 80% of config", f"{100 * ratio:.0f}% ({m.wrk.rps:,.0f})",
                        ratio >= 0.8)
            else:
                row(f"{name}: ≥ 11,000 req/s, p99 < 5 ms",
                    f"{m.wrk.rps:,.0f} req/s, p99 {m.wrk.p99_ms:.2f} ms",
                    m.wrk.rps >= 11_000 and m.wrk.p99_ms < 5)
        for m in self.results:
            v = m.verification
            if not v:
                continue
            if m.scenario.commit_mode == "spread":
                commits = m.wrk.requests and (m.wrk.requests - m.wrk.non_2xx_3xx) / m.wrk.duration_s
                row("commits over 100 tables ≥ 700/s, none lost or duplicated",
                    f"{commits:,.0f}/s, lost {v['lost']}, duplicated {v['duplicated']}",
                    commits >= 700 and v["passed"])
            else:
                fivexx = sum(c for k, c in m.statuses.items() if k.startswith("5"))
                other = sum(c for k, c in m.statuses.items() if k not in ("200", "409")
                            and not k.startswith("5"))
                row(f"{m.scenario.name}: 409s only, never 5xx",
                    f"409: {m.statuses.get('409', 0)}, 5xx: {fivexx}, other: {other}; "
                    f"lost {v['lost']}", fivexx == 0 and other == 0 and v["passed"])
        if "fresh" in self.idle:
            idle = max(self.idle["fresh"], self.idle.get("seeded", 0))
            row("idle RSS < 30 MB", f"{idle / 1024:.1f} MB (fresh {self.idle['fresh'] / 1024:.1f}, "
                f"seeded {self.idle.get('seeded', 0) / 1024:.1f})", idle < 30 * 1024)
        loaded = [m.peak_rss_kb for m in self.results if m.scenario.kind != "ceiling"]
        if loaded:
            row("peak RSS under load < 150 MB", f"{max(loaded) / 1024:.1f} MB", max(loaded) < 150 * 1024)
        return rows


# ---------------------------------------------------------------------------------------------
# Machine facts


def fmt_load(load: tuple) -> str:
    return " ".join(f"{x:.2f}" for x in load)


def fs_type(path: Path) -> str:
    out = subprocess.run(["df", "--output=fstype", str(path)], capture_output=True, text=True)
    lines = out.stdout.split()
    return lines[-1] if out.returncode == 0 and lines else "?"


def git_describe() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def mem_total() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    return "? RAM"


def wrk_version() -> str:
    out = subprocess.run([WRK, "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).split("Copyright")[0].strip()


def pg_version() -> str:
    url = os.environ.get("PANGOLIN_TEST_POSTGRES_URL", "")
    out = subprocess.run(["psql", "-X", "-tA", url, "-c", "SHOW server_version"],
                         capture_output=True, text=True)
    return f"PostgreSQL {out.stdout.strip().split()[0]}" if out.returncode == 0 else "PostgreSQL"


def drop_schema(schema: str) -> None:
    url = os.environ.get("PANGOLIN_TEST_POSTGRES_URL", "")
    subprocess.run(["psql", "-X", "-q", url, "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
                   capture_output=True)


def wait_until_quiet() -> None:
    """Client, server and database share the cores: wait for the 1-minute load average to drop
    below BENCH_MAX_LOAD (our own previous pass included), at most BENCH_WAIT_LOAD seconds."""
    if not MAX_LOAD:
        return
    deadline = time.monotonic() + WAIT_LOAD
    announced = False
    while os.getloadavg()[0] >= float(MAX_LOAD):
        if time.monotonic() > deadline:
            log(f"warning: load average still {fmt_load(os.getloadavg())} after {WAIT_LOAD} s; "
                "running anyway (see the report header)")
            return
        if not announced:
            log(f"waiting for the load average ({fmt_load(os.getloadavg())}) to drop below {MAX_LOAD}")
            announced = True
        time.sleep(5)


def main() -> None:
    backends = sys.argv[1:] or ["postgres", "sqlite"]
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for backend in backends:
        wait_until_quiet()
        bench = Bench(backend, stamp)
        try:
            report = bench.run()
        finally:
            bench.stop_server()
        path = RESULTS / f"{stamp}-{backend}.md"
        path.write_text(report)
        print(report, flush=True)
        log(f"saved {path}")
        if PERF and bench.perf_dir.is_dir():
            log("analysing the perf recordings (takes a while)")
            out = subprocess.run([sys.executable, str(BENCH / "perf_breakdown.py"), str(bench.perf_dir)],
                                 capture_output=True, text=True, check=True).stdout
            (bench.perf_dir / "breakdown.md").write_text(out)
            print(out, flush=True)
            log(f"saved {bench.perf_dir / 'breakdown.md'}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
