//! HTTPS for the AWS services' hosts: a per-topology certificate authority, leaf certificates
//! for each service's DNS names, and the rustls server configuration that serves them. Pure:
//! everything is PEM text in and out; the backends keep the files (`backend::netns::trust`).

use std::sync::Arc;

/// A certificate authority made for one running topology: its certificate and private key,
/// both PEM.
#[derive(Clone, Debug)]
pub struct Authority {
    /// The CA certificate (PEM), what every namespace trusts.
    pub cert_pem: String,
    /// Its private key (PKCS#8 PEM): kept 0600 in the state directory.
    pub key_pem: String,
}

/// A server certificate (PEM) and its key (PEM), issued by an [`Authority`].
#[derive(Clone, Debug)]
pub struct Leaf {
    /// The leaf certificate followed by the CA's (the chain a server sends).
    pub chain_pem: String,
    /// Its private key (PKCS#8 PEM).
    pub key_pem: String,
}

/// An error of certificate generation or of the TLS configuration, as text.
#[derive(Debug, thiserror::Error)]
#[error("TLS: {0}")]
pub struct TlsError(pub String);

fn err(e: impl std::fmt::Display) -> TlsError {
    TlsError(e.to_string())
}

/// The names a service host's certificate covers: its own name (`SERVICE.REGION.amazonaws.com`),
/// every single-label name under it (S3's `BUCKET.s3.REGION.amazonaws.com`), the interface
/// endpoints' names (`*.SERVICE.REGION.vpce.amazonaws.com`), and for us-east-1's S3 the global
/// `s3.amazonaws.com` names, as AWS's own certificates do.
pub fn service_names(host: &str) -> Vec<String> {
    let mut names = vec![host.to_string(), format!("*.{host}")];
    if let Some(base) = host.strip_suffix(".amazonaws.com") {
        names.push(format!("*.{base}.vpce.amazonaws.com"));
    }
    if host == "s3.us-east-1.amazonaws.com" {
        names.push("s3.amazonaws.com".into());
        names.push("*.s3.amazonaws.com".into());
    }
    names
}

impl Authority {
    /// A new CA named after topology `topology` (a fresh ECDSA P-256 key).
    pub fn generate(topology: &str) -> Result<Authority, TlsError> {
        let key = rcgen::KeyPair::generate().map_err(err)?;
        let cert = Self::params(topology)?.self_signed(&key).map_err(err)?;
        Ok(Authority {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// The CA's certificate parameters (also what signs leaves: same name, same key).
    fn params(topology: &str) -> Result<rcgen::CertificateParams, TlsError> {
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(rcgen::DnType::CommonName, format!("vpclab CA {topology}"));
        p.distinguished_name
            .push(rcgen::DnType::OrganizationName, "vpclab");
        p.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        Ok(p)
    }

    /// A leaf certificate for `names` (DNS names, `*.` wildcards allowed), for server auth.
    pub fn issue(&self, topology: &str, names: &[String]) -> Result<Leaf, TlsError> {
        let ca_key = rcgen::KeyPair::from_pem(&self.key_pem).map_err(err)?;
        let issuer = rcgen::Issuer::new(Self::params(topology)?, ca_key);
        let key = rcgen::KeyPair::generate().map_err(err)?;
        let mut p = rcgen::CertificateParams::new(names.to_vec()).map_err(err)?;
        if let Some(first) = names.first() {
            p.distinguished_name
                .push(rcgen::DnType::CommonName, first.clone());
        }
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        p.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        let cert = p.signed_by(&key, &issuer).map_err(err)?;
        Ok(Leaf {
            chain_pem: format!("{}{}", cert.pem(), self.cert_pem),
            key_pem: key.serialize_pem(),
        })
    }
}

/// The rustls server configuration of a leaf (TLS 1.3, ring, no client certificates; ALPN
/// `http/1.1`).
pub fn server_config(
    chain_pem: &str,
    key_pem: &str,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    if chain.is_empty() {
        return Err(TlsError("no certificate in the chain".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(err)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(err)?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A TLS client trusting only `ca` completes a handshake with a server of a leaf for the
    /// S3 names, by a bucket's name, and refuses a name the leaf does not cover.
    #[test]
    fn a_leaf_of_the_authority_is_trusted_by_name() {
        let ca = Authority::generate("t").unwrap();
        assert!(ca.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(ca.key_pem.contains("PRIVATE KEY"));
        let host = "s3.us-east-1.amazonaws.com";
        let names = service_names(host);
        assert!(names.contains(&"*.s3.us-east-1.amazonaws.com".to_string()));
        let leaf = ca.issue("t", &names).unwrap();
        let server = server_config(&leaf.chain_pem, &leaf.key_pem).unwrap();
        let handshake = |name: &'static str| {
            use rustls::pki_types::pem::PemObject;
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(
                    rustls::pki_types::CertificateDer::from_pem_slice(ca.cert_pem.as_bytes())
                        .unwrap(),
                )
                .unwrap();
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let client = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
            let mut c =
                rustls::ClientConnection::new(Arc::new(client), name.try_into().unwrap()).unwrap();
            let mut s = rustls::ServerConnection::new(server.clone()).unwrap();
            c.writer().write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
            let mut buf = Vec::new();
            for _ in 0..10 {
                buf.clear();
                c.write_tls(&mut buf).unwrap();
                s.read_tls(&mut buf.as_slice()).unwrap();
                if s.process_new_packets().is_err() {
                    return Err(());
                }
                buf.clear();
                s.write_tls(&mut buf).unwrap();
                c.read_tls(&mut buf.as_slice()).unwrap();
                if c.process_new_packets().is_err() {
                    return Err(());
                }
            }
            let mut got = vec![0u8; 18];
            s.reader().read_exact(&mut got).map_err(|_| ())?;
            Ok(got)
        };
        assert_eq!(
            handshake("notes.s3.us-east-1.amazonaws.com").unwrap(),
            b"GET / HTTP/1.1\r\n\r\n"
        );
        assert!(handshake("sqs.us-east-1.amazonaws.com").is_err());
        assert!(server_config("", &leaf.key_pem).is_err());
    }
}
