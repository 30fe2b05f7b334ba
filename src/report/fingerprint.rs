//! Fingerprints: one finding's identity across runs, for SARIF `partialFingerprints` and the
//! baseline. Built from the rule, the resource address and the message with every position
//! taken out, so moving lines or editing another resource leaves it unchanged; a changed
//! message (another port, another name) is another finding.
use crate::rules::Finding;
use sha2::{Digest, Sha256};

/// The message as fingerprints see it: whitespace collapsed, `file:line[:col]` cut to `file`.
pub fn normalized_message(message: &str) -> String {
    static POS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let pos = POS.get_or_init(|| {
        regex::Regex::new(r"(\.(?:tf|tf\.json|tfvars|tfvars\.json|tfstate|json)):\d+(?::\d+)?")
            .expect("valid regex")
    });
    let collapsed = message.split_whitespace().collect::<Vec<_>>().join(" ");
    pos.replace_all(&collapsed, "$1").into_owned()
}

/// What a finding is, independent of where its lines are: code, resource (or, for findings on
/// no resource, the file), normalized message.
pub fn key(f: &Finding, file: Option<&str>) -> String {
    let subject = if f.resource.is_empty() {
        file.unwrap_or("")
    } else {
        f.resource.as_str()
    };
    format!(
        "{}\u{1f}{}\u{1f}{}",
        f.code,
        subject,
        normalized_message(&f.message)
    )
}

/// Hex SHA-256 of `key`, with the occurrence number when one run has the same key more than
/// once (two identical findings stay two).
pub fn of(key: &str, occurrence: usize) -> String {
    let mut h = Sha256::new();
    h.update(key.as_bytes());
    if occurrence > 0 {
        h.update(format!("\u{1f}{occurrence}").as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Every finding's fingerprint, in order, with repeats numbered.
pub fn all<'a>(findings: impl IntoIterator<Item = (&'a Finding, Option<&'a str>)>) -> Vec<String> {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    findings
        .into_iter()
        .map(|(f, file)| {
            let k = key(f, file);
            let n = seen.entry(k.clone()).or_insert(0);
            let fp = of(&k, *n);
            *n += 1;
            fp
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_do_not_change_the_message_others_do() {
        assert_eq!(
            normalized_message("port 8080 (main.tf:12:3)  vs\n 80 in a.tfvars:4"),
            "port 8080 (main.tf) vs 80 in a.tfvars"
        );
        assert_ne!(
            normalized_message("health check probes 8080"),
            normalized_message("health check probes 8081")
        );
    }

    #[test]
    fn repeats_get_distinct_fingerprints() {
        let a = of("k", 0);
        assert_eq!(a.len(), 64);
        assert_ne!(a, of("k", 1));
        assert_eq!(a, of("k", 0));
    }
}
