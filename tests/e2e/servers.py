"""The real `pangolin` binary, run for the end-to-end suites: started in its own data directory
on an ephemeral loopback port, stopped with SIGTERM (which must exit 0)."""

import os
import re
import signal
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90  # seconds; a cold SQLite/PostgreSQL migration is well below this
STOP_TIMEOUT = 30
LISTENING = re.compile(r"listening on (http://\S+)")

# Every server started in this session, so a failing test can name their logs.
STARTED: list["Server"] = []


def binary() -> Path:
    """PANGOLIN_BIN, else the debug build under ${CARGO_TARGET_DIR:-target}."""
    if os.environ.get("PANGOLIN_BIN"):
        return Path(os.environ["PANGOLIN_BIN"]).resolve()
    target = Path(os.environ.get("CARGO_TARGET_DIR", "target"))
    return (target if target.is_absolute() else ROOT / target) / "debug" / "pangolin"


class Server:
    """One `pangolin serve`. `config` is TOML written to <workdir>/pangolin.toml; `env` adds
    PANGOLIN_* variables (the caller's own PANGOLIN_* variables are never inherited)."""

    def __init__(self, name: str, workdir: Path, config: str | None = None, env: dict | None = None):
        self.name = name
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.log_path = workdir / "server.log"
        self.config = config
        self.env = env or {}
        self.url: str | None = None
        self.proc: subprocess.Popen | None = None
        self._listening = threading.Event()
        self._lines: list[str] = []
        self._logged = threading.Condition(threading.RLock())
        self._reader: threading.Thread | None = None

    def start(self) -> "Server":
        exe = binary()
        if not exe.is_file():
            raise FileNotFoundError(f"no pangolin binary at {exe}: `cargo build --bin pangolin` or set PANGOLIN_BIN")
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PANGOLIN_")}
        env.update(PANGOLIN_SERVER__BIND="127.0.0.1:0", PANGOLIN_DATA_DIR=str(self.data_dir), PANGOLIN_LOG="info")
        env.update(self.env)
        args = [str(exe)]
        if self.config is not None:
            path = self.workdir / "pangolin.toml"
            path.write_text(self.config)
            args += ["--config", str(path)]
        self.proc = subprocess.Popen(args + ["serve"], cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        STARTED.append(self)
        self._reader = threading.Thread(target=self._copy_log, daemon=True)
        self._reader.start()
        if not self._listening.wait(START_TIMEOUT) or self.url is None:
            self.kill()
            raise RuntimeError(f"pangolin ({self.name}) did not start; log {self.log_path}:\n{self.tail()}")
        return self

    def _copy_log(self):
        """Tees the server's stderr into the log file and spots the listening line."""
        with open(self.log_path, "w") as log:
            for line in self.proc.stderr:
                log.write(line)
                log.flush()
                with self._logged:
                    self._lines.append(line)
                    self._logged.notify_all()
                if self.url is None and (m := LISTENING.search(line)):
                    self.url = m.group(1)
                    self._listening.set()
        self._listening.set()  # exited: wake start() up

    def stop(self) -> int:
        """SIGTERM, then the exit code (0 when the shutdown was clean)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError(f"pangolin ({self.name}) ignored SIGTERM for {STOP_TIMEOUT}s; log {self.log_path}")
        self._reader.join(5)
        return code

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def requests_served(self, method: str, path: str) -> int:
        """How many `method path` requests the log shows so far (needs pangolin_api::front=debug)."""
        needle = f"method={method} uri={path} "
        with self._logged:
            return sum(needle in line and "finished processing request" in line for line in self._lines)

    def await_requests(self, method: str, path: str, count: int, timeout: float = 10) -> bool:
        """Whether the log shows `count` such requests within `timeout` (the log is copied
        from the server's stderr by a thread, so a line may trail the response a little)."""
        with self._logged:
            return self._logged.wait_for(lambda: self.requests_served(method, path) >= count, timeout)

    def tail(self, lines: int = 30) -> str:
        try:
            return "".join(self.log_path.read_text().splitlines(keepends=True)[-lines:])
        except OSError:
            return "(no log)"

    def __repr__(self):
        return f"Server({self.name}, {self.url})"
