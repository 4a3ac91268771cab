//! `pangolin healthcheck`: one plain HTTP/1.1 request to `/health/ready`, for container
//! healthchecks. A raw socket keeps an HTTP client library out of the server binary.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

/// Longest status line + headers read before giving up on finding the status code.
const MAX_HEAD: usize = 8 * 1024;

/// The URL to check when none is given: the configured bind address, reached over loopback
/// when the server listens on all interfaces.
pub(crate) fn default_url(bind: SocketAddr) -> String {
    let ip = match bind.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, bind.port()))
}

/// Succeeds when `<base>/health/ready` answers 200 within `timeout`.
pub(crate) async fn check(base: &str, timeout: Duration) -> anyhow::Result<()> {
    let url = ready_url(base)?;
    let status = tokio::time::timeout(timeout, get_status(&url))
        .await
        .with_context(|| format!("{url} did not answer within {}s", timeout.as_secs()))??;
    if status != 200 {
        bail!("{url} answered {status}");
    }
    Ok(())
}

fn ready_url(base: &str) -> anyhow::Result<Url> {
    let mut url = Url::parse(base).with_context(|| format!("invalid URL {base:?}"))?;
    if url.scheme() != "http" {
        bail!("only http:// URLs can be checked, not {base:?}");
    }
    let path = format!("{}/health/ready", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url)
}

async fn get_status(url: &Url) -> anyhow::Result<u16> {
    let addrs = url.socket_addrs(|| None).context("resolving the host")?;
    let mut stream = TcpStream::connect(&*addrs)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    let host = url.host_str().unwrap_or_default();
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: pangolin-healthcheck\r\nConnection: close\r\n\r\n",
        url.path()
    );
    stream.write_all(request.as_bytes()).await?;
    let head = read_status_line(&mut stream).await?;
    parse_status(&head).with_context(|| format!("not an HTTP response: {head:?}"))
}

async fn read_status_line(stream: &mut TcpStream) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < MAX_HEAD {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

/// `HTTP/1.1 200 OK` → 200.
fn parse_status(line: &str) -> Option<u16> {
    let mut parts = line.split_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_status_lines() {
        assert_eq!(
            default_url("0.0.0.0:8181".parse().unwrap()),
            "http://127.0.0.1:8181"
        );
        assert_eq!(default_url("[::]:1".parse().unwrap()), "http://[::1]:1");
        let url = ready_url("http://h:1/base/").unwrap();
        assert_eq!(url.as_str(), "http://h:1/base/health/ready");
        assert!(ready_url("https://h").is_err());
        assert_eq!(parse_status("HTTP/1.1 503 Service Unavailable"), Some(503));
        assert_eq!(parse_status("SSH-2.0-OpenSSH"), None);
    }
}
