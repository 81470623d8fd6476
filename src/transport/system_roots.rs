//! The system's CA bundle as a PEM file: `SSL_CERT_FILE`, else the distribution's
//! bundle (the list Go's `crypto/x509` reads on Linux and the BSDs). See the table in
//! [`options`](super::options).

use std::path::{Path, PathBuf};

use super::options::{read_certificates, ROOT_FIELD};
use super::pem::PemCertificate;
use crate::error::{Error, Result};

/// Where distributions keep the CA bundle, most common first.
pub(crate) const BUNDLE_PATHS: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/ssl/cert.pem",
];

/// The bundle file to read: `SSL_CERT_FILE` when set and not empty, else the first of
/// [`BUNDLE_PATHS`] that exists.
pub(crate) fn bundle_path() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(file));
    }
    BUNDLE_PATHS
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .map(Path::to_path_buf)
}

/// The bundle file to read, or an error that says none was found and what to do.
pub(crate) fn path() -> Result<PathBuf> {
    bundle_path().ok_or_else(|| {
        Error::invalid(
            ROOT_FIELD,
            format!(
                "the system's certificate store was asked for, but no CA bundle file was \
                 found (SSL_CERT_FILE is not set and none of {} exists); set SSL_CERT_FILE \
                 to a PEM bundle, or build with the cargo feature `platform-verifier`",
                BUNDLE_PATHS.join(", ")
            ),
        )
    })
}

/// The certificates of the system's bundle; an error names the file, or says that none
/// was found and what to do.
#[cfg_attr(not(feature = "ureq"), allow(dead_code))]
pub(crate) fn load() -> Result<Vec<PemCertificate>> {
    let path = path()?;
    read_certificates(&path).map_err(|reason| {
        let via = if std::env::var_os("SSL_CERT_FILE").is_some_and(|v| !v.is_empty()) {
            " (from SSL_CERT_FILE)"
        } else {
            ""
        };
        Error::invalid(ROOT_FIELD, format!("the system's CA bundle{via}: {reason}"))
    })
}
