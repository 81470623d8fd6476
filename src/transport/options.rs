//! [`TransportOptions`]: the connection settings every built-in transport reads.

use std::path::Path;
use std::time::Duration;

use super::pem::{self, PemCertificate};
use super::proxy::{ProxyRoutes, ProxyUrl};
use crate::error::{Error, Result};
use crate::session::DEFAULT_CONNECT_TIMEOUT;

/// [`TransportOptions`]: the connection settings every built-in transport reads, whatever
/// HTTP crate it is built on: trust (extra root certificates, the system's store), proxy,
/// connect timeout.
///
/// [`SessionBuilder`](crate::SessionBuilder) fills one from its setters and hands it to
/// the built-in transport when the session is built. Build one yourself to make a
/// transport outside a session:
///
/// ```
/// # #[cfg(feature = "ureq")] {
/// use std::time::Duration;
/// use mattermost_status::transport::{ProxySetting, TransportOptions, UreqTransport};
///
/// let mut options = TransportOptions::default();
/// options.connect_timeout = Duration::from_secs(3);
/// options.proxy = ProxySetting::None;
/// let transport = UreqTransport::from_options(&options)?;
/// # }
/// # Ok::<(), mattermost_status::Error>(())
/// ```
///
/// ## Which roots are trusted
///
/// | settings | `ureq` (default features) | `ureq` + `platform-verifier` |
/// |---|---|---|
/// | nothing set | Mozilla's roots, compiled in (webpki-roots) | the same |
/// | [`root_certificates`](TransportOptions::root_certificates) only | those certificates only | the same |
/// | [`system_roots`](TransportOptions::system_roots) | the system's CA bundle file (below) | the operating system's verifier (rustls-platform-verifier: Keychain on macOS, the certificate store on Windows, the CA bundle on Linux) |
/// | both | the system's CA bundle file and the added certificates | the same as without the feature (the platform verifier cannot take extra roots through ureq) |
///
/// The system's CA bundle file is `SSL_CERT_FILE` when set (as OpenSSL, and so curl,
/// read it), else the first of `/etc/ssl/certs/ca-certificates.crt` (Debian, Ubuntu,
/// Arch, Gentoo), `/etc/pki/tls/certs/ca-bundle.crt` (Fedora, RHEL),
/// `/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem` (RHEL 7+), `/etc/ssl/ca-bundle.pem`
/// (openSUSE), `/etc/pki/tls/cacert.pem`, `/etc/ssl/cert.pem` (Alpine, macOS, the BSDs):
/// the list Go's `crypto/x509` reads. On Debian, a company CA installed with
/// `update-ca-certificates` is in the first. `SSL_CERT_DIR` is not read. Where none
/// exists (Windows), `system_roots` needs the `platform-verifier` feature; without it
/// the session is refused when built, with a message that says so.
///
/// Adding root certificates *replaces* Mozilla's compiled-in roots unless `system_roots`
/// is set too: a session for a server behind a company CA then trusts that CA alone.
///
/// The libcurl transport (cargo feature `curl`, [`SessionBuilder::curl`](crate::SessionBuilder)) always
/// trusts the system's store and adds the root certificates to it; see
/// `CurlTransport::from_options`.
/// Nothing here turns certificate checks off.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportOptions {
    /// How long setting up a connection may take: DNS, TCP, proxy, TLS. Default
    /// [`DEFAULT_CONNECT_TIMEOUT`](crate::DEFAULT_CONNECT_TIMEOUT).
    pub connect_timeout: Duration,
    /// Root certificates to trust, besides or instead of the default ones (see [the table](TransportOptions#which-roots-are-trusted)). Add them with
    /// [`add_root_certificate`](Self::add_root_certificate) or
    /// [`add_root_certificate_file`](Self::add_root_certificate_file), which check them.
    pub root_certificates: Vec<RootCertificate>,
    /// Trust the system's certificate store. Default `false`: the transport's own
    /// default (for ureq, Mozilla's roots compiled in).
    pub system_roots: bool,
    /// Which proxy to use. Default [`ProxySetting::Environment`].
    pub proxy: ProxySetting,
    /// How many idle connections to keep open for the next requests. Default
    /// [`DEFAULT_MAX_IDLE_CONNECTIONS`](crate::DEFAULT_MAX_IDLE_CONNECTIONS) (16); see
    /// [`SessionBuilder::max_idle_connections`](crate::SessionBuilder::max_idle_connections).
    pub max_idle_connections: usize,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            root_certificates: Vec::new(),
            system_roots: false,
            proxy: ProxySetting::Environment,
            max_idle_connections: crate::DEFAULT_MAX_IDLE_CONNECTIONS,
        }
    }
}

/// Where a transport's proxy comes from.
///
///
/// | target | variables, first set wins |
/// |---|---|
/// | `http://` | `http_proxy` (lower case only, as curl: `HTTP_PROXY` can be set by a CGI request header), then `all_proxy`, `ALL_PROXY` |
/// | `https://` | `https_proxy`, `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY` |
/// | bypass | `no_proxy`, then `NO_PROXY` |
///
/// An empty variable counts as unset. `NO_PROXY` is a list of host names and IP
/// addresses, separated by commas or spaces, matched as curl matches it: `example.com`
/// and `.example.com` both cover `example.com` and every name under it; an IP address,
/// or a network in CIDR form (`10.0.0.0/8`, `fd00::/8`), covers the addresses in it when
/// the site is given by address; `*` alone covers everything. No host is bypassed unless
/// the list says so (`localhost` included). The list also applies to a proxy given
/// explicitly, as curl's `--proxy`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProxySetting {
    /// The environment, read as curl reads it: `http_proxy` (lower case only) for
    /// `http://` sites, `https_proxy`/`HTTPS_PROXY` for `https://`, `all_proxy`/`ALL_PROXY`
    /// for both, and `no_proxy`/`NO_PROXY` for the hosts that go direct (see
    /// [the table above](ProxySetting)).
    #[default]
    Environment,
    /// No proxy, whatever the environment says.
    None,
    /// This proxy for every site, except the hosts `no_proxy`/`NO_PROXY` lists (as curl's
    /// `--proxy`).
    Url(ProxyUrl),
}

impl ProxySetting {
    /// Which proxy each request takes. Reads the environment (for
    /// [`Environment`](Self::Environment), and `NO_PROXY` for [`Url`](Self::Url)).
    pub(crate) fn routes(&self) -> Result<ProxyRoutes> {
        match self {
            ProxySetting::Environment => ProxyRoutes::from_env(),
            ProxySetting::None => Ok(ProxyRoutes::direct()),
            ProxySetting::Url(url) => Ok(ProxyRoutes::all_through(
                url.clone(),
                ProxyRoutes::no_proxy_from_env(),
            )),
        }
    }
}

/// One trusted root certificate, checked when it was added.
#[derive(Clone, PartialEq, Eq)]
pub struct RootCertificate {
    cert: PemCertificate,
    origin: String,
}

impl RootCertificate {
    /// The certificate in DER form (for TLS libraries that take DER, as rustls).
    pub fn der(&self) -> &[u8] {
        &self.cert.der
    }

    /// The certificate as one PEM block (for libraries that take PEM, as libcurl's
    /// `CURLOPT_CAINFO_BLOB`).
    pub fn pem(&self) -> &str {
        &self.cert.pem
    }

    /// Where it came from: the file's path, or `PEM bytes`.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl std::fmt::Debug for RootCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootCertificate")
            .field("origin", &self.origin)
            .field("der_len", &self.cert.der.len())
            .finish()
    }
}

/// The setting named in errors about root certificates.
pub(crate) const ROOT_FIELD: &str = "root_certificate";

impl TransportOptions {
    /// Trusts every certificate in `pem` (one or more `-----BEGIN CERTIFICATE-----`
    /// blocks) as a root. Refused, as [`Error::InvalidInput`] for `root_certificate`, when
    /// it holds none or one is damaged.
    pub fn add_root_certificate(&mut self, pem: impl AsRef<[u8]>) -> Result<()> {
        let certs = pem::certificates(pem.as_ref())
            .map_err(|reason| Error::invalid(ROOT_FIELD, format!("the PEM text {reason}")))?;
        self.push(certs, "PEM bytes".to_owned());
        Ok(())
    }

    /// Trusts every certificate in the PEM file at `path` as a root. Refused, as
    /// [`Error::InvalidInput`] for `root_certificate` naming the file, when it cannot be
    /// read, holds no certificate, or one is damaged.
    pub fn add_root_certificate_file(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let certs = read_certificates(path).map_err(|reason| Error::invalid(ROOT_FIELD, reason))?;
        self.push(certs, path.display().to_string());
        Ok(())
    }

    fn push(&mut self, certs: Vec<PemCertificate>, origin: String) {
        self.root_certificates
            .extend(certs.into_iter().map(|cert| RootCertificate {
                cert,
                origin: origin.clone(),
            }));
    }
}

/// The certificates of a PEM file; the error names the file.
pub(crate) fn read_certificates(path: &Path) -> std::result::Result<Vec<PemCertificate>, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("could not read the file {}: {e}", path.display()))?;
    pem::certificates(&bytes).map_err(|reason| format!("the file {} {reason}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_certificate_errors_name_the_setting_and_the_file() {
        let mut options = TransportOptions::default();
        let err = options
            .add_root_certificate_file("/nonexistent/company-ca.pem")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "invalid root_certificate: could not read the file /nonexistent/company-ca.pem"
            ),
            "{err}"
        );
        let err = options
            .add_root_certificate("not pem")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("root_certificate") && err.contains("no PEM certificate"),
            "{err}"
        );
        assert!(options.root_certificates.is_empty());
    }
}
