//! A real SMTP server on loopback that keeps what it receives, and can be stopped and
//! started again on the same port to simulate an outage.
use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpSocket, TcpStream},
    task::JoinHandle,
};

pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<String>>>,
    server: Option<JoinHandle<()>>,
    /// Open client connections (the app keeps a pool of them), closed by `stop`.
    sessions: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let mut sink = SmtpSink { port: 0, messages: Arc::default(), server: None, sessions: Arc::default() };
        sink.listen(0).await;
        sink
    }

    async fn listen(&mut self, port: u16) {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.bind(format!("127.0.0.1:{port}").parse().unwrap()).unwrap();
        let listener = socket.listen(64).unwrap();
        self.port = listener.local_addr().unwrap().port();
        let (messages, sessions) = (self.messages.clone(), self.sessions.clone());
        self.server = Some(tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handle = tokio::spawn(session(stream, messages.clone()));
                let mut open = sessions.lock().unwrap();
                open.retain(|h| !h.is_finished());
                open.push(handle);
            }
        }));
    }

    /// Refuses connections from now on and drops the open ones, like a mail server
    /// that is down.
    pub fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.abort();
        }
        for session in self.sessions.lock().unwrap().drain(..) {
            session.abort();
        }
    }

    pub async fn resume(&mut self) {
        self.listen(self.port).await;
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages have arrived (or panics after `secs`).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(std::time::Instant::now() < deadline, "expected {n} emails, got {}", got.len());
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

async fn session(stream: TcpStream, messages: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("DATA") {
            let _ = write.write_all(b"354 go ahead\r\n").await;
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                data.push('\n');
            }
            messages.lock().unwrap().push(data);
            b"250 queued\r\n"
        } else if upper.starts_with("RCPT") && upper.contains("REFUSED.") {
            // As real servers answer an unknown mailbox: the address echoed back.
            let address = line.split_once(':').map_or("", |(_, a)| a.trim()).to_string();
            let reply = format!("550 5.1.1 {address}: Recipient address rejected: User unknown\r\n");
            if write.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
            continue;
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"250 OK\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// Undoes quoted-printable soft line breaks and finds the first link to `path`.
pub fn link_in(message: &str, path: &str) -> Option<String> {
    let text = message.replace("=\n", "").replace("=3D", "=");
    let start = text.find("http")?;
    text[start..]
        .split(|c: char| c.is_whitespace())
        .chain(text.split(|c: char| c.is_whitespace()))
        .find(|w| w.contains(path))
        .map(|w| w.to_string())
}

/// A message as a person reads it: encoded words in headers (RFC 2047) and the body's
/// quoted-printable or base64 transfer encoding undone, so non-English text can be
/// checked letter for letter.
pub fn decoded(message: &str) -> String {
    use base64::Engine;
    let message = message.replace("\r\n", "\n");
    let (head, body) = message.split_once("\n\n").unwrap_or((&message, ""));
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s.trim()).unwrap_or_default();
    // Headers: unfold, then decode =?utf-8?b?…?= and =?utf-8?q?…?= words.
    let head = head.replace("\n ", " ").replace("\n\t", " ");
    let mut out = String::new();
    let mut rest = head.as_str();
    while let Some(start) = rest.find("=?") {
        out.push_str(&rest[..start]);
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        let end = parts.get(2).and_then(|p| p.find("?=")).unwrap_or(0);
        if parts.len() < 3 || end == 0 && !parts[2].starts_with("?=") {
            out.push_str("=?");
            rest = word;
            continue;
        }
        let text = &parts[2][..end];
        let bytes = if parts[1].eq_ignore_ascii_case("b") { b64(text) } else { qp(&text.replace('_', " ")) };
        out.push_str(&String::from_utf8_lossy(&bytes));
        rest = &parts[2][end + 2..];
        // Whitespace between two encoded words is not part of the text.
        if rest.trim_start_matches(' ').starts_with("=?") {
            rest = rest.trim_start_matches(' ');
        }
    }
    out.push_str(rest);
    let lower = head.to_ascii_lowercase();
    let body = if lower.contains("content-transfer-encoding: base64") {
        String::from_utf8_lossy(&b64(&body.replace('\n', ""))).into_owned()
    } else if lower.contains("content-transfer-encoding: quoted-printable") {
        String::from_utf8_lossy(&qp(body)).into_owned()
    } else {
        body.to_string()
    };
    format!("{out}\n\n{body}")
}

fn qp(s: &str) -> Vec<u8> {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}
