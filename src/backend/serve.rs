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
/// where IPv6 is off, and serves forever (returns only on a bind error).
pub fn run(name: &str, services: &[Service]) -> io::Result<()> {
    let mut threads = Vec::new();
    for s in services {
        let host = name.to_string();
        let t = match *s {
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

/// Reads a request head (up to a blank line) and answers with the name.
fn http_conn(c: TcpStream, name: &str) {
    let _ = c.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(w) = c.try_clone() else { return };
    let mut r = BufReader::new(c.take(64 * 1024));
    let mut w = w;
    let mut line = String::new();
    let mut any = false;
    loop {
        line.clear();
        match r.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                any = true;
                if line == "\r\n" || line == "\n" {
                    break;
                }
            }
        }
    }
    if any {
        let _ = w.write_all(http_response(name).as_bytes());
        let _ = w.flush();
    }
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
