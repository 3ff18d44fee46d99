//! A real DNS server on the host: a `hickory-server` listener (UDP and TCP) on loopback that
//! answers with `answer` from one vantage point (the internet view by default, or a VPC's
//! resolver view), so `dig @127.0.0.1 -p PORT` works. It runs a tokio runtime on its own thread.

use super::answer::{answer, Question};
use super::client::Client;
use super::health::HealthTable;
use super::rdata::RType;
use super::rng::Rng;
use super::wire::fill;
use super::zones::Zones;
use hickory_proto::op::{Header, HeaderCounts, Message, Metadata, OpCode, ResponseCode};
use hickory_proto::rr::DNSClass;
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use hickory_server::Server;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Idle timeout of TCP connections: one without a query for 10 s is closed.
const TCP_TIMEOUT: Duration = Duration::from_secs(10);

struct Handler {
    zones: Arc<Zones>,
    health: Arc<HealthTable>,
    view: Client,
    seed: u64,
    counter: AtomicU64,
}

impl Handler {
    fn respond(&self, req: &Request) -> Option<(Metadata, Message)> {
        let md = req.metadata;
        let mut meta = Metadata::response_from_request(&md);
        meta.recursion_available = true;
        meta.authoritative = false;
        let mut msg = Message::response(md.id, md.op_code);
        if md.op_code != OpCode::Query {
            meta.response_code = ResponseCode::NotImp;
            return Some((meta, msg));
        }
        let qs = req.queries.queries();
        if qs.len() != 1 {
            meta.response_code = ResponseCode::FormErr;
            return Some((meta, msg));
        }
        let q = qs[0].original();
        if q.query_class != DNSClass::IN {
            meta.response_code = ResponseCode::Refused;
            return Some((meta, msg));
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut rng = Rng::new(self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let question = Question {
            name: q.name.to_ascii(),
            qtype: RType::from_wire(q.query_type),
        };
        let r = answer(&self.zones, &question, &self.view, &*self.health, &mut rng)?;
        fill(&mut msg, &r);
        meta.response_code = msg.metadata.response_code;
        Some((meta, msg))
    }
}

// `RequestHandler` is declared with `#[async_trait]`; this is its desugared form (no extra crate).
impl RequestHandler for Handler {
    fn handle_request<'life0, 'life1, 'async_trait, R, T>(
        &'life0 self,
        request: &'life1 Request,
        mut response_handle: R,
    ) -> Pin<Box<dyn Future<Output = ResponseInfo> + Send + 'async_trait>>
    where
        R: ResponseHandler + 'async_trait,
        T: Time + 'async_trait,
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let Some((meta, msg)) = self.respond(request) else {
                // The VPC resolver does not answer (enableDnsSupport false): drop.
                return ResponseInfo::from(Header {
                    metadata: request.metadata,
                    counts: HeaderCounts::default(),
                });
            };
            let builder = MessageResponseBuilder::new(&request.queries, request.edns.as_ref());
            let resp = builder.build(
                meta,
                msg.answers.iter(),
                msg.authorities.iter(),
                std::iter::empty(),
                std::iter::empty(),
            );
            match response_handle.send_response(resp).await {
                Ok(info) => info,
                Err(_) => ResponseInfo::from(Header {
                    metadata: meta,
                    counts: HeaderCounts::default(),
                }),
            }
        })
    }
}

/// A running listener; dropping it stops the server and joins its thread.
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// The bound address (UDP and TCP share the port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts a listener on `addr` (port 0 = ephemeral; the same port is used for UDP and TCP)
/// answering from `view` (e.g. `Client::internet(..)` or `Client::vpc(..)`), with health from
/// `health` and choices seeded by `seed`. Returns once both sockets are bound.
pub fn spawn(
    zones: Arc<Zones>,
    health: Arc<HealthTable>,
    view: Client,
    addr: SocketAddr,
    seed: u64,
) -> std::io::Result<ServerHandle> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (udp, tcp) = rt.block_on(async {
        let udp = tokio::net::UdpSocket::bind(addr).await?;
        let bound = udp.local_addr()?;
        let tcp = tokio::net::TcpListener::bind(bound).await?;
        Ok::<_, std::io::Error>((udp, tcp))
    })?;
    let bound = udp.local_addr()?;
    let handler = Handler {
        zones,
        health,
        view,
        seed,
        counter: AtomicU64::new(0),
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("vpclab-dns".into())
        .spawn(move || {
            rt.block_on(async move {
                let mut server = Server::new(handler);
                server.register_socket(udp);
                server.register_listener(tcp, TCP_TIMEOUT, 64);
                let _ = stop_rx.await;
                let _ = server.shutdown_gracefully().await;
            });
        })?;
    Ok(ServerHandle {
        addr: bound,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}
