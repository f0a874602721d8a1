//! The outbound-address guard: every host Tocsin connects to for a notification (webhook hops,
//! Slack, Teams, the Twilio API, the SMTP relay) is resolved here and only addresses that are
//! public or allow-listed are connected to. Checking the resolved addresses themselves (not the
//! name) means DNS rebinding cannot slip a private address in between the check and the connect.
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tocsin_domain::delivery::AllowList;
use tocsin_domain::delivery::address::{Refusal, check_host_name};
use url::{Host, Url};

/// Why the guard would not connect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// The destination is not allowed: retrying cannot help.
    #[error("refused outbound destination: {0}")]
    Refused(#[from] Refusal),
    #[error("refused outbound URL {url}: {reason}")]
    BadUrl { url: String, reason: String },
    /// The name did not resolve (perhaps for now).
    #[error("cannot resolve {host}: {reason}")]
    Unresolved { host: String, reason: String },
}

/// The guard: an allow-list applied to every name and address.
#[derive(Debug, Clone, Default)]
pub struct AddressGuard {
    allow: Arc<AllowList>,
}

impl AddressGuard {
    pub fn new(allow: AllowList) -> Self {
        Self {
            allow: Arc::new(allow),
        }
    }

    /// Checks what can be checked before resolving: an http(s) URL whose host is an allowed
    /// address, or a name that is not a metadata service. The name's addresses are checked by
    /// `resolve` when the connection is made.
    pub fn check_url(&self, url: &Url) -> Result<(), GuardError> {
        let bad = |reason: &str| GuardError::BadUrl {
            url: redacted(url),
            reason: reason.to_owned(),
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("only http and https are allowed"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("credentials in the URL are not allowed"));
        }
        match url.host() {
            Some(Host::Ipv4(v4)) => Ok(self.allow.check_address(IpAddr::V4(v4))?),
            Some(Host::Ipv6(v6)) => Ok(self.allow.check_address(IpAddr::V6(v6))?),
            Some(Host::Domain(name)) => Ok(check_host_name(name)?),
            None => Err(bad("the URL has no host")),
        }
    }

    /// Resolves `host` and keeps the addresses that are public or allow-listed; refuses when none
    /// is left. An IP literal is checked as it is.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, GuardError> {
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(address) = literal.parse::<IpAddr>() {
            self.allow.check_address(address)?;
            return Ok(vec![SocketAddr::new(address, port)]);
        }
        check_host_name(host)?;
        let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|error| GuardError::Unresolved {
                host: host.to_owned(),
                reason: error.to_string(),
            })?
            .collect();
        let mut first_refusal = None;
        let allowed: Vec<SocketAddr> = resolved
            .into_iter()
            .filter(|address| match self.allow.check_address(address.ip()) {
                Ok(()) => true,
                Err(refusal) => {
                    first_refusal.get_or_insert(refusal);
                    false
                }
            })
            .collect();
        match (allowed.is_empty(), first_refusal) {
            (false, _) => Ok(allowed),
            (true, Some(refusal)) => Err(GuardError::Refused(refusal)),
            (true, None) => Err(GuardError::Unresolved {
                host: host.to_owned(),
                reason: "no addresses".to_owned(),
            }),
        }
    }
}

/// A URL for messages: scheme, host and port only (paths and queries may hold tokens).
pub fn redacted(url: &Url) -> String {
    match url.host_str() {
        Some(host) => format!(
            "{}://{host}{}",
            url.scheme(),
            url.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        None => url.scheme().to_owned(),
    }
}

impl Resolve for AddressGuard {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port in.
            let addresses = AddressGuard::resolve(&guard, &host, 0).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(allow: &[&str]) -> AddressGuard {
        AddressGuard::new(AllowList::parse(allow).expect("valid"))
    }

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    #[test]
    fn urls_with_forbidden_literals_schemes_or_credentials_are_refused() {
        let g = guard(&[]);
        for text in [
            "http://10.0.0.1/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "ftp://example.com/",
            "file:///etc/passwd",
            "https://user:pass@example.com/",
        ] {
            assert!(g.check_url(&url(text)).is_err(), "{text}");
        }
        assert_eq!(
            g.check_url(&url("https://hooks.slack.com/services/x")),
            Ok(())
        );
        assert_eq!(
            guard(&["10.0.0.0/8"]).check_url(&url("http://10.0.0.1/")),
            Ok(())
        );
    }

    #[tokio::test]
    async fn resolving_keeps_only_allowed_addresses() {
        let refused = guard(&[]).resolve("localhost", 25).await;
        assert!(
            matches!(refused, Err(GuardError::Refused(_))),
            "{refused:?}"
        );
        let allowed = guard(&["127.0.0.1"])
            .resolve("localhost", 25)
            .await
            .expect("allowed");
        assert!(!allowed.is_empty());
        assert!(
            allowed
                .iter()
                .all(|a| a.ip() == IpAddr::from([127, 0, 0, 1]) && a.port() == 25)
        );
        assert!(guard(&[]).resolve("[::1]", 25).await.is_err());
    }

    #[test]
    fn redacted_urls_keep_only_the_origin() {
        assert_eq!(
            redacted(&url("https://hooks.slack.com:8443/services/T/B/secret?x=1")),
            "https://hooks.slack.com:8443"
        );
    }
}
