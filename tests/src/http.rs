//! A tiny blocking HTTP/1.1 client and a handle on a running `digonce serve`, for
//! end-to-end tests against the real binary on a loopback port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Header names (lower-case) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    ///
    /// # Panics
    /// When the body is not JSON (a test failure).
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }
}

/// Sends one request on a fresh connection (`Connection: close`) and reads the answer.
/// Without a `Content-Length` in `headers`, the body's length is sent.
///
/// # Panics
/// On connection failure or a malformed answer (a test failure).
#[must_use]
pub fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut stream = TcpStream::connect(address).expect("connect to the service");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    // A caller-given Content-Length wins, so a test can announce a body it never sends.
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        head.push_str("Content-Length: ");
        head.push_str(&body.len().to_string());
        head.push_str("\r\n");
    }
    for (name, value) in headers {
        for part in [name, ": ", value, "\r\n"] {
            head.push_str(part);
        }
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send head");
    stream.write_all(body).expect("send body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("answer has a head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let body = raw[split + 4..].to_vec();
    assert!(
        !headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")),
        "this helper does not decode chunked bodies"
    );
    Response {
        status,
        headers,
        body,
    }
}

/// The `digonce` binary built beside the running test executable.
///
/// # Panics
/// When it is missing and cannot be built.
#[must_use]
pub fn digonce_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let binary = dir.join(format!("digonce{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        // `cargo test --workspace` builds it; a lone `-p digonce-tests` may not have.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["build", "-p", "api", "--bin", "digonce"])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building digonce failed");
    }
    binary
}

/// A running `digonce serve`, killed when dropped.
#[derive(Debug)]
pub struct Service {
    child: Child,
    /// Where it listens.
    pub address: SocketAddr,
}

impl Service {
    /// Starts `digonce serve --bind 127.0.0.1:0 --db DB` plus `extra` arguments and
    /// waits (up to 60 s) until it prints its address.
    ///
    /// # Panics
    /// When it does not start.
    #[must_use]
    pub fn start(db: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(digonce_binary())
            .arg("serve")
            .args(["--bind", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start digonce serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Some(address) = line.strip_prefix("digonce listening on http://") {
                    let _ = tx.send(address.to_owned());
                }
            }
        });
        let address = rx
            .recv_timeout(Duration::from_mins(1))
            .expect("digonce printed its address")
            .parse()
            .expect("a socket address");
        Self { child, address }
    }

    /// Sends a request to the service.
    #[must_use]
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        request(self.address, method, path, headers, body)
    }

    /// Kills the process (like a crash) and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
