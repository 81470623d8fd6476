//! Reading X.509 certificates out of PEM text: the same checks run whatever transport is
//! compiled in, and a bad file is refused when the session is built. The PEM framing and
//! its base64 are `rustls-pki-types`'s ([`PemObject`]), base64 for headers the `base64`
//! crate's; what is this crate's own is the words of the errors.

use base64::Engine as _;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::CertificateDer;

/// One certificate: its DER bytes, and the PEM block it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PemCertificate {
    pub(crate) der: Vec<u8>,
    pub(crate) pem: String,
}

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// Every `CERTIFICATE` block of `text`, decoded. Other blocks (keys, CRLs) are skipped.
/// `Err` says what is wrong in words a person can act on; it never quotes the text.
pub(crate) fn certificates(text: &[u8]) -> Result<Vec<PemCertificate>, String> {
    if std::str::from_utf8(text).is_err() {
        return Err(
            "is not PEM text (it is not UTF-8; a DER file must be converted with \
                    `openssl x509 -inform der -in FILE -out FILE.pem`)"
                .to_owned(),
        );
    }
    let mut found = Vec::new();
    for certificate in CertificateDer::pem_slice_iter(text) {
        let n = found.len() + 1;
        let der = certificate.map_err(|e| pem_error(&e, n))?;
        // Every X.509 certificate is a DER SEQUENCE.
        if der.len() < 16 || der[0] != 0x30 {
            return Err(format!(
                "certificate {n} does not hold an X.509 certificate"
            ));
        }
        let der = der.to_vec();
        found.push(PemCertificate {
            pem: pem_block(&der),
            der,
        });
    }
    if found.is_empty() {
        return Err(format!(
            "holds no PEM certificate (no line {BEGIN}); give the CA certificate in PEM form"
        ));
    }
    Ok(found)
}

/// What is wrong with the `n`th certificate block (counting from 1), in words.
fn pem_error(error: &pem::Error, n: usize) -> String {
    match error {
        pem::Error::MissingSectionEnd { end_marker } if end_marker == b"CERTIFICATE" => {
            format!("certificate {n} has no line {END}: the file is cut short")
        }
        pem::Error::MissingSectionEnd { .. } => {
            "has a PEM block (not a certificate) with no END line: the file is cut short".to_owned()
        }
        pem::Error::Base64Decode(_) => {
            format!("certificate {n} is not valid base64 between its BEGIN and END lines")
        }
        pem::Error::IllegalSectionStart { .. } => format!(
            "has a line starting -----BEGIN that does not end in five dashes (before \
             certificate {n} ended)"
        ),
        _ => format!("certificate {n} could not be read as PEM"),
    }
}

/// `der` as one PEM block, base64 in lines of 64 characters (RFC 7468).
fn pem_block(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::with_capacity(BEGIN.len() + END.len() + body.len() * 65 / 64 + 4);
    pem.push_str(BEGIN);
    pem.push('\n');
    let mut rest = body.as_str();
    while !rest.is_empty() {
        // base64 is ASCII: any byte offset is a character boundary.
        let (line, tail) = rest.split_at(rest.len().min(64));
        pem.push_str(line);
        pem.push('\n');
        rest = tail;
    }
    pem.push_str(END);
    pem.push('\n');
    pem
}

/// Standard base64 with padding, for `Proxy-Authorization: Basic`.
#[cfg_attr(not(feature = "ureq"), allow(dead_code))]
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_standard_base64_with_padding() {
        assert_eq!(base64_encode(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64_encode(b"user:p@ss w0rd"), "dXNlcjpwQHNzIHcwcmQ=");
    }

    #[test]
    fn the_pem_block_kept_reads_back_to_the_same_certificate() {
        // 90 bytes: 120 characters of base64, in a line of 64 and one of 56.
        let der = [&[0x30u8, 0x58][..], &[7u8; 88][..]].concat();
        let text = format!("{BEGIN}\n{}\n{END}\n", base64_encode(&der));
        let cert = certificates(text.as_bytes()).unwrap().remove(0);
        assert_eq!(cert.der, der);
        let lines: Vec<&str> = cert.pem.lines().collect();
        assert_eq!(lines.len(), 4, "{}", cert.pem);
        assert_eq!((lines[0], lines[3]), (BEGIN, END));
        assert_eq!(lines[1].len(), 64);
        let again = certificates(cert.pem.as_bytes()).unwrap();
        assert_eq!(again, vec![cert]);
    }

    #[test]
    fn refuses_what_is_not_a_pem_certificate() {
        assert!(certificates(b"hello")
            .unwrap_err()
            .contains("no PEM certificate"));
        let cut = format!("{BEGIN}\nMIIB\n");
        assert!(certificates(cut.as_bytes())
            .unwrap_err()
            .contains("cut short"));
        let bad = format!("{BEGIN}\n!!!!\n{END}\n");
        assert!(certificates(bad.as_bytes()).unwrap_err().contains("base64"));
        let not_der = format!("{BEGIN}\n{}\n{END}\n", base64_encode(&[1u8; 40]));
        assert!(certificates(not_der.as_bytes())
            .unwrap_err()
            .contains("X.509"));
        assert!(certificates(&[0xff, 0xfe])
            .unwrap_err()
            .contains("not UTF-8"));
        let key_cut = "-----BEGIN PRIVATE KEY-----\nAAAA\n";
        assert!(certificates(key_cut.as_bytes())
            .unwrap_err()
            .contains("(not a certificate) with no END line"));
        let bad_begin = format!("{BEGIN}\nAAAA\n-----BEGIN CERTIFICATE---\n{END}\n");
        assert!(certificates(bad_begin.as_bytes())
            .unwrap_err()
            .contains("does not end in five dashes"));
    }

    #[test]
    fn reads_every_certificate_block_and_skips_others() {
        let der = [&[0x30u8, 0x82][..], &[7u8; 30][..]].concat();
        let b64 = base64_encode(&der);
        let text = format!(
            "# a bundle\n{BEGIN}\n{b64}\n{END}\n-----BEGIN PRIVATE KEY-----\nAAAA\n\
             -----END PRIVATE KEY-----\n{BEGIN}\r\n{b64}\r\n{END}\r\n"
        );
        let certs = certificates(text.as_bytes()).unwrap();
        assert_eq!(certs.len(), 2);
        assert!(certs.iter().all(|c| c.der == der));
        assert!(certs[0].pem.starts_with(BEGIN));
    }
}
