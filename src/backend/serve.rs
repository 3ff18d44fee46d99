//! Part of `backend` (rank 7). The built-in services a host runs inside its namespace
//! (`vpclab serve`): `http:PORT` answers
//! every request with the host's name, `tcp:PORT` echoes, `udp:PORT` echoes datagrams. Plain
//! std threads, one per listener and per connection.

use crate::model::Service;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

/// The whole HTTP/1.1 response an `http:` service sends: `200 OK`, `Connection: close`, the
/// body `NAME\n` (the host's name and a newline).
pub fn http_response(name: &str) -> String {
    let body = format!("{name}\n");
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\nServer: vpclab\r\n\r\n{body}",
        body.len()
    )
}

/// Binds every service on `::` (both families: Linux's dual-stack sockets), or on 0.0.0.0
/// where IPv6 is off, and serves forever (returns only on a bind error). With `tls` (an AWS
/// service's host, `backend::netns::trust`), its `http:443` speaks HTTPS with that identity.
pub fn run(
    name: &str,
    services: &[Service],
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
) -> io::Result<()> {
    let mut threads = Vec::new();
    // An AWS service's host: one store shared by its listeners (S3's objects).
    let store = std::sync::Arc::new(std::sync::Mutex::new(crate::services::s3::Store::new()));
    for s in services {
        let host = name.to_string();
        let t = match *s {
            Service::Http(443) if tls.is_some() && crate::services::aws::is_service_host(name) => {
                let l = TcpListener::bind(("0.0.0.0", 443))?;
                let store = store.clone();
                let cfg = tls.clone();
                std::thread::spawn(move || {
                    accept(l, move |c| {
                        if let Some(cfg) = &cfg {
                            aws_tls_conn(c, cfg.clone(), &host, &store)
                        }
                    })
                })
            }
            Service::Http(p) if crate::services::aws::is_service_host(name) => {
                let l = TcpListener::bind(("0.0.0.0", p))?;
                let store = store.clone();
                std::thread::spawn(move || accept(l, move |c| aws_conn(c, &host, &store)))
            }
            Service::Http(p) => {
                let l =
                    TcpListener::bind(("::", p)).or_else(|_| TcpListener::bind(("0.0.0.0", p)))?;
                std::thread::spawn(move || accept(l, move |c| http_conn(c, &host)))
            }
            Service::Tcp(p) => {
                let l =
                    TcpListener::bind(("::", p)).or_else(|_| TcpListener::bind(("0.0.0.0", p)))?;
                std::thread::spawn(move || accept(l, tcp_echo))
            }
            Service::Udp(p) => {
                let sock =
                    UdpSocket::bind(("::", p)).or_else(|_| UdpSocket::bind(("0.0.0.0", p)))?;
                std::thread::spawn(move || udp_echo(sock))
            }
        };
        eprintln!("vpclab serve: {name} listening on {s}");
        threads.push(t);
    }
    for t in threads {
        let _ = t.join();
    }
    Ok(())
}

fn accept(l: TcpListener, f: impl Fn(TcpStream) + Send + Clone + 'static) {
    for c in l.incoming().flatten() {
        let f = f.clone();
        let _ = std::thread::Builder::new().spawn(move || f(c));
    }
}

/// Reads a request head (up to a blank line) and answers with the name. A request a load
/// balancer forwarded (it carries `X-Forwarded-For`) is logged with that header, so a
/// target's log shows the client's address.
fn http_conn(c: TcpStream, name: &str) {
    let _ = c.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(w) = c.try_clone() else { return };
    let mut r = BufReader::new(c.take(64 * 1024));
    let mut w = w;
    let mut line = String::new();
    let mut any = false;
    let mut first = String::new();
    loop {
        line.clear();
        match r.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if !any {
                    first = line.trim_end().to_string();
                }
                any = true;
                if line == "\r\n" || line == "\n" {
                    break;
                }
                if line
                    .get(..16)
                    .is_some_and(|k| k.eq_ignore_ascii_case("x-forwarded-for:"))
                {
                    eprintln!("vpclab serve: {name}: {first} {}", line.trim_end());
                }
            }
        }
    }
    if any {
        let _ = w.write_all(http_response(name).as_bytes());
        let _ = w.flush();
    }
}

/// One HTTP exchange with an AWS service's host over plain TCP (see [`aws_exchange`]).
fn aws_conn(c: TcpStream, name: &str, store: &std::sync::Mutex<crate::services::s3::Store>) {
    let _ = c.set_read_timeout(Some(Duration::from_secs(30)));
    let local = local_ip(&c);
    aws_exchange(c, &local, name, store);
}

/// One HTTPS exchange: the TLS handshake with `cfg`'s identity, then [`aws_exchange`] over the
/// decrypted stream, then `close_notify`.
fn aws_tls_conn(
    c: TcpStream,
    cfg: std::sync::Arc<rustls::ServerConfig>,
    name: &str,
    store: &std::sync::Mutex<crate::services::s3::Store>,
) {
    let _ = c.set_read_timeout(Some(Duration::from_secs(30)));
    let local = local_ip(&c);
    let Ok(conn) = rustls::ServerConnection::new(cfg) else {
        return;
    };
    let mut s = rustls::StreamOwned::new(conn, c);
    aws_exchange(&mut s, &local, name, store);
    s.conn.send_close_notify();
    let _ = s.flush();
}

/// The local address a connection reached (the public address or an endpoint ENI's).
fn local_ip(c: &TcpStream) -> String {
    c.local_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

/// Reads one request (the head and the body it announces, at most 64 MiB) from `s`, answers
/// through `services::aws::answer`, flushes.
fn aws_exchange(
    mut s: impl Read + Write,
    local: &str,
    name: &str,
    store: &std::sync::Mutex<crate::services::s3::Store>,
) {
    const MAX: usize = 64 << 20;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let mut continued = false;
    loop {
        if crate::services::http::request_len(&buf).is_some() {
            break;
        }
        if let (Some(len), Some(end)) = (
            crate::services::http::body_len(&buf),
            crate::services::http::head_end(&buf),
        ) {
            if end + len > MAX {
                break;
            }
        }
        // `Expect: 100-continue` (curl's large uploads, the AWS CLI): say go on once.
        if !continued
            && crate::services::http::head_end(&buf).is_some_and(|e| e == buf.len())
            && String::from_utf8_lossy(&buf)
                .to_ascii_lowercase()
                .contains("expect: 100-continue")
        {
            continued = true;
            let _ = s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
            let _ = s.flush();
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > MAX {
            break;
        }
    }
    if buf.is_empty() {
        return;
    }
    let out = match store.lock() {
        Ok(mut st) => crate::services::aws::answer(name, &buf, local, &mut st),
        Err(_) => return,
    };
    let _ = s.write_all(&out);
    let _ = s.flush();
}

fn tcp_echo(c: TcpStream) {
    let Ok(mut w) = c.try_clone() else { return };
    let mut r = c;
    let _ = io::copy(&mut r, &mut w);
}

fn udp_echo(sock: UdpSocket) {
    let mut buf = vec![0u8; 65536];
    while let Ok((n, from)) = sock.recv_from(&mut buf) {
        let _ = sock.send_to(&buf[..n], from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Shutdown;

    #[test]
    fn http_response_is_well_formed() {
        let r = http_response("web");
        assert!(r.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(r.contains("Content-Length: 4\r\n"));
        assert!(r.ends_with("\r\n\r\nweb\n"));
    }

    #[test]
    fn services_on_loopback() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || accept(l, |c| http_conn(c, "app")));
        let mut c = TcpStream::connect(addr).unwrap();
        c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut s = String::new();
        c.read_to_string(&mut s).unwrap();
        assert!(s.ends_with("app\n"), "{s}");

        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || accept(l, tcp_echo));
        let mut c = TcpStream::connect(addr).unwrap();
        c.write_all(b"ping").unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        let mut s = String::new();
        c.read_to_string(&mut s).unwrap();
        assert_eq!(s, "ping");

        let u = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = u.local_addr().unwrap();
        std::thread::spawn(move || udp_echo(u));
        let c = UdpSocket::bind("127.0.0.1:0").unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c.send_to(b"hello", addr).unwrap();
        let mut buf = [0u8; 16];
        let (n, _) = c.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"hello");
    }
}
