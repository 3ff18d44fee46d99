//! Record types and values on the wire: conversions between the topology's record data
//! (`topology::records`, re-exported here) and hickory-proto's wire types.

pub use crate::topology::records::{domain, RType, Soa, Value};

use hickory_proto::rr::{rdata, Name, RData, RecordType};

impl RType {
    /// From hickory's type (None for types vpclab does not serve).
    pub fn from_wire(t: RecordType) -> Option<RType> {
        Some(match t {
            RecordType::A => RType::A,
            RecordType::AAAA => RType::Aaaa,
            RecordType::CNAME => RType::Cname,
            RecordType::MX => RType::Mx,
            RecordType::TXT => RType::Txt,
            RecordType::NS => RType::Ns,
            RecordType::SOA => RType::Soa,
            RecordType::SRV => RType::Srv,
            RecordType::PTR => RType::Ptr,
            _ => return None,
        })
    }
}

impl Value {
    /// To hickory's record data.
    pub fn to_rdata(&self) -> Option<RData> {
        let n = |s: &str| -> Option<Name> {
            let mut name = Name::from_ascii(if s.is_empty() { "." } else { s }).ok()?;
            name.set_fqdn(true);
            Some(name)
        };
        Some(match self {
            Value::A(a) => RData::A(rdata::A(*a)),
            Value::Aaaa(a) => RData::AAAA(rdata::AAAA(*a)),
            Value::Cname(c) => RData::CNAME(rdata::CNAME(n(c)?)),
            Value::Ns(c) => RData::NS(rdata::NS(n(c)?)),
            Value::Ptr(c) => RData::PTR(rdata::PTR(n(c)?)),
            Value::Mx(p, c) => RData::MX(rdata::MX::new(*p, n(c)?)),
            Value::Srv(p, w, port, c) => RData::SRV(rdata::SRV::new(*p, *w, *port, n(c)?)),
            Value::Txt(t) => {
                let bytes = t.as_bytes();
                let chunks: Vec<String> = if bytes.is_empty() {
                    vec![String::new()]
                } else {
                    bytes
                        .chunks(255)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect()
                };
                RData::TXT(rdata::TXT::new(chunks))
            }
            Value::Soa(s) => RData::SOA(rdata::SOA::new(
                n(&s.mname)?,
                n(&s.rname)?,
                s.serial,
                s.refresh,
                s.retry,
                s.expire,
                s.minimum,
            )),
        })
    }
}
