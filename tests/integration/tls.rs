//! TLS through the real binary: the Rust OTLP SDK exports over gRPC+TLS, the query
//! commands read over https trusting `--tls-ca`, plain text is refused, and with
//! `--client-ca` only clients holding a certificate of that CA get in (mTLS).

use std::path::Path;

use opentelemetry::trace::{Tracer, TracerProvider as _};
use opentelemetry_otlp::tonic_types::transport::{Certificate, ClientTlsConfig, Identity};
use opentelemetry_otlp::{SpanExporter, WithExportConfig, WithTonicConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use serde_json::Value;

use super::durability::{spanlens, start_serve_with};

pub struct Pki {
    pub ca: String,
    pub server_cert: String,
    pub server_key: String,
    pub client_cert: String,
    pub client_key: String,
}

pub fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client = CertificateParams::new(vec!["exporter".to_string()])
        .unwrap()
        .signed_by(&client_key, &issuer)
        .unwrap();
    Pki {
        ca: ca_cert.pem(),
        server_cert: server.pem(),
        server_key: server_key.serialize_pem(),
        client_cert: client.pem(),
        client_key: client_key.serialize_pem(),
    }
}

pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Exports one span over gRPC+TLS; returns its trace id.
fn export_over_tls(grpc: &str, tls: ClientTlsConfig) -> String {
    let exporter = SpanExporter::builder()
        .with_tonic()
        .with_endpoint(format!(
            "https://localhost:{}",
            grpc.rsplit(':').next().unwrap()
        ))
        .with_tls_config(tls)
        .build()
        .unwrap();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name("tls-app").build())
        .build();
    let id = provider.tracer("t").in_span("over tls", |cx| {
        use opentelemetry::trace::TraceContextExt;
        cx.span().span_context().trace_id().to_string()
    });
    provider.force_flush().unwrap();
    provider.shutdown().unwrap();
    id
}

fn traces(dir: &Path, extra: &[&str]) -> (bool, Vec<Value>, String) {
    let out = spanlens()
        .args(["traces", "--json", "--data-dir"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    let list = serde_json::from_slice(&out.stdout).unwrap_or_default();
    (
        out.status.success(),
        list,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_and_https_over_tls_and_plain_text_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = pki();
    let cert = write(tmp.path(), "server.pem", &pki.server_cert);
    let key = write(tmp.path(), "server.key", &pki.server_key);
    let ca = write(tmp.path(), "ca.pem", &pki.ca);
    let data = tmp.path().join("data");
    let (_child, http, _err) = start_serve_with(&data, &["--tls-cert", &cert, "--tls-key", &key]);
    let lock = spanlens::data_dir::OwnerLock::read(&data).unwrap();
    assert!(lock.api_url.starts_with("https://"), "{}", lock.api_url);
    let grpc = lock.grpc_addrs[0].clone();

    let ca_pem = pki.ca.clone();
    let id = tokio::task::spawn_blocking(move || {
        export_over_tls(
            &grpc,
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(ca_pem))
                .domain_name("localhost"),
        )
    })
    .await
    .unwrap();

    let (ok, list, err) = traces(&data, &["--tls-ca", &ca]);
    assert!(ok, "{err}");
    assert_eq!(list[0]["trace_id"], id.as_str());
    assert_eq!(list[0]["service"], "tls-app");
    // Without trusting the CA the query fails, saying why.
    let (ok, _, err) = traces(&data, &[]);
    assert!(!ok);
    assert!(
        err.to_lowercase().contains("certificate") || err.contains("https"),
        "{err}"
    );
    // Plain HTTP to the TLS port gets no OTLP answer.
    let plain = reqwest::Client::new()
        .post(format!("http://{http}/v1/traces"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mtls_admits_only_clients_with_a_certificate_of_the_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = pki();
    let cert = write(tmp.path(), "server.pem", &pki.server_cert);
    let key = write(tmp.path(), "server.key", &pki.server_key);
    let ca = write(tmp.path(), "ca.pem", &pki.ca);
    let data = tmp.path().join("data");
    let (_child, _http, _err) = start_serve_with(
        &data,
        &["--tls-cert", &cert, "--tls-key", &key, "--client-ca", &ca],
    );
    let grpc = spanlens::data_dir::OwnerLock::read(&data)
        .unwrap()
        .grpc_addrs[0]
        .clone();

    // With a client certificate: accepted.
    let (ca_pem, c_cert, c_key) = (
        pki.ca.clone(),
        pki.client_cert.clone(),
        pki.client_key.clone(),
    );
    let g = grpc.clone();
    let id = tokio::task::spawn_blocking(move || {
        export_over_tls(
            &g,
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(ca_pem))
                .identity(Identity::from_pem(c_cert, c_key))
                .domain_name("localhost"),
        )
    })
    .await
    .unwrap();
    let store_dir = data.clone();
    // The query API also requires the client certificate, so read the store after
    // the server stops.
    drop(_child);
    let (ok, list, err) = traces(&store_dir, &[]);
    assert!(ok, "{err}");
    assert!(
        list.iter().any(|t| t["trace_id"] == id.as_str()),
        "{list:?}"
    );

    // Without one: the handshake is refused and audited.
    let (_child, _http, _err) = start_serve_with(
        &data,
        &["--tls-cert", &cert, "--tls-key", &key, "--client-ca", &ca],
    );
    let grpc = spanlens::data_dir::OwnerLock::read(&data)
        .unwrap()
        .grpc_addrs[0]
        .clone();
    let ca_pem = pki.ca.clone();
    let refused = tokio::task::spawn_blocking(move || {
        let exporter = SpanExporter::builder()
            .with_tonic()
            .with_endpoint(format!(
                "https://localhost:{}",
                grpc.rsplit(':').next().unwrap()
            ))
            .with_tls_config(
                ClientTlsConfig::new()
                    .ca_certificate(Certificate::from_pem(ca_pem))
                    .domain_name("localhost"),
            )
            .build()
            .unwrap();
        use opentelemetry_sdk::trace::SpanExporter as _;
        futures::executor::block_on(exporter.export(vec![]))
    })
    .await
    .unwrap();
    // An empty export may succeed without a round trip on some versions; the audit
    // log is the reliable witness of the refused handshake.
    let _ = refused;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let audit = std::fs::read_to_string(data.join("audit.log")).unwrap_or_default();
        if audit.contains("connection_refused") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no refusal audited:\n{audit}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
