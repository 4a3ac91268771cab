//! Runs the real `pangolin` binary in a temporary working directory and talks plain HTTP to it.

#![allow(dead_code, unreachable_pub)] // Each test binary uses a different part of this module.

pub mod jail;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(90);
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// The binary with a clean `PANGOLIN_*` environment, run in `dir`.
pub fn pangolin(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pangolin"));
    cmd.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PANGOLIN_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("PANGOLIN_LOG", "info");
    cmd
}

/// Runs a command that is expected to exit on its own.
pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run pangolin")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A running `pangolin serve`; killed on drop if a test fails before stopping it.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `serve` on an ephemeral loopback port and waits for the listening line.
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
        let mut cmd = pangolin(dir);
        cmd.arg("serve").env("PANGOLIN_SERVER__BIND", "127.0.0.1:0");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pangolin serve");
        let (log, lines) = collect_lines(child.stderr.take().expect("stderr"));
        let addr = wait_for_listening(&mut child, &lines, &log);
        Server { child, addr, log }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Sends `signal` (e.g. `TERM`, `INT`) and waits for the exit.
    pub fn stop(mut self, signal: &str) -> (ExitStatus, String) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                // Give the reader thread a moment to drain the last lines.
                thread::sleep(Duration::from_millis(100));
                return (status, self.log());
            }
            assert!(
                Instant::now() < deadline,
                "no exit after SIG{signal}:\n{}",
                self.log()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn collect_lines(stderr: impl Read + Send + 'static) -> (Arc<Mutex<String>>, Receiver<String>) {
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = channel();
    let sink = log.clone();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&format!("{line}\n"));
            let _ = tx.send(line);
        }
    });
    (log, rx)
}

fn wait_for_listening(
    child: &mut Child,
    lines: &Receiver<String>,
    log: &Mutex<String>,
) -> SocketAddr {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left.min(Duration::from_millis(200))) {
            Ok(line) => {
                if let Some(addr) = listening_addr(&line) {
                    return addr;
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = child.wait().expect("wait");
                panic!(
                    "pangolin exited ({status}) before listening:\n{}",
                    log.lock().unwrap()
                );
            }
            Err(RecvTimeoutError::Timeout) => {
                assert!(
                    !left.is_zero(),
                    "pangolin did not start:\n{}",
                    log.lock().unwrap()
                );
            }
        }
    }
}

/// `... listening on http://127.0.0.1:40123 store=...` → the address.
fn listening_addr(line: &str) -> Option<SocketAddr> {
    let rest = line.split("listening on http://").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

/// `GET path` over a fresh connection: (status, body).
pub fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

/// A fresh temporary working directory.
pub fn workdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

pub fn data_dir(dir: &Path) -> PathBuf {
    dir.join("pangolin-data")
}
