//! Reading X.509 certificates out of PEM text, without a TLS crate: the same checks run
//! whatever transport is compiled in, and a bad file is refused when the session is built.

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
    let Ok(text) = std::str::from_utf8(text) else {
        return Err(
            "is not PEM text (it is not UTF-8; a DER file must be converted with \
                    `openssl x509 -inform der -in FILE -out FILE.pem`)"
                .to_owned(),
        );
    };
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let Some(end) = after.find(END) else {
            return Err(format!(
                "certificate {} has no line {END}: the file is cut short",
                found.len() + 1
            ));
        };
        let body = &after[..end];
        let der = base64_decode(body).ok_or_else(|| {
            format!(
                "certificate {} is not valid base64 between its BEGIN and END lines",
                found.len() + 1
            )
        })?;
        // Every X.509 certificate is a DER SEQUENCE.
        if der.len() < 16 || der[0] != 0x30 {
            return Err(format!(
                "certificate {} does not hold an X.509 certificate",
                found.len() + 1
            ));
        }
        let pem = format!("{BEGIN}\n{}\n{END}\n", body.trim());
        found.push(PemCertificate { der, pem });
        rest = &after[end + END.len()..];
    }
    if found.is_empty() {
        return Err(format!(
            "holds no PEM certificate (no line {BEGIN}); give the CA certificate in PEM form"
        ));
    }
    Ok(found)
}

/// Standard base64 (RFC 4648), whitespace ignored, padding optional.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut padding = 0;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        if padding > 0 {
            return None; // data after padding
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (padding <= 2).then_some(out)
}

/// Standard base64 with padding, for `Proxy-Authorization: Basic`.
#[cfg_attr(not(feature = "ureq"), allow(dead_code))]
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = match *chunk {
            [a, b, c] => (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c),
            [a, b] => (u32::from(a) << 16) | (u32::from(b) << 8),
            [a] => u32::from(a) << 16,
            _ => 0,
        };
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for input in [&b""[..], b"f", b"fo", b"foo", b"foob", b"user:p@ss w0rd"] {
            let encoded = base64_encode(input);
            assert_eq!(base64_decode(&encoded).as_deref(), Some(input), "{encoded}");
        }
        assert_eq!(base64_encode(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64_decode("Zm9v\nYmFy"), Some(b"foobar".to_vec()));
        assert_eq!(base64_decode("Zm9v!"), None);
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
