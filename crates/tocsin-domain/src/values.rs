//! Validated value types (parse, don't validate): a value of these types is known to be well formed.
use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

fn refuse<T>(message: impl Into<String>) -> Result<T, ValueError> {
    Err(ValueError(message.into()))
}

fn has_control_chars(s: &str) -> bool {
    s.chars().any(char::is_control)
}

macro_rules! string_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// A display name: 1 to 100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);
string_value!(Name);

impl Name {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return refuse("must not be empty");
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return refuse(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if has_control_chars(trimmed) {
            return refuse("must not contain control characters");
        }
        Ok(Self(trimmed.to_owned()))
    }
}

/// Free text such as a description: at most 10,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);
string_value!(Description);

impl Description {
    pub const MAX_CHARS: usize = 10_000;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        if raw.chars().count() > Self::MAX_CHARS {
            return refuse(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        Ok(Self(raw.trim().to_owned()))
    }
}

/// An email address, lower-cased: `local@domain` with a dotted domain, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);
string_value!(Email);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let value = raw.trim().to_lowercase();
        if value.len() > 254 {
            return refuse("must be at most 254 characters");
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return refuse("must be an email address like name@example.com");
        };
        let domain_ok = !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@');
        if !(domain_ok && local_ok) {
            return refuse("must be an email address like name@example.com");
        }
        Ok(Self(value))
    }
}

/// An absolute `http` or `https` URL, at most 2,048 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HttpUrl(String);
string_value!(HttpUrl);

impl HttpUrl {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let trimmed = raw.trim();
        if trimmed.len() > 2048 {
            return refuse("must be at most 2048 characters");
        }
        let parsed = url::Url::parse(trimmed)
            .map_err(|e| ValueError(format!("must be an absolute URL ({e})")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return refuse("must use http or https");
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return refuse("must name a host");
        }
        Ok(Self(parsed.to_string()))
    }
}

/// A tag: 1 to 64 characters of lower-case letters, digits, `-`, `_`, `.`, `:` or `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Tag(String);
string_value!(Tag);

impl Tag {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() || value.len() > 64 {
            return refuse("must be 1 to 64 characters");
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c))
        {
            return refuse("may contain only letters, digits and - _ . : /");
        }
        Ok(Self(value))
    }
}

/// Service criticality: tier 1 (most critical) to tier 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Tier(u8);

impl Tier {
    pub fn parse(raw: i64) -> Result<Self, ValueError> {
        match u8::try_from(raw) {
            Ok(tier @ 1..=4) => Ok(Self(tier)),
            _ => refuse("must be a criticality tier from 1 (most critical) to 4"),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Tier {
    type Error = ValueError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<Tier> for i64 {
    fn from(value: Tier) -> i64 {
        i64::from(value.0)
    }
}

/// An IANA time zone name such as `Europe/Paris` or `UTC`, checked against the time zone database
/// (bundled into the binary, so validation does not depend on the host's tzdata).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);
string_value!(TimeZoneName);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let name = raw.trim();
        if name.is_empty() || name.len() > 64 {
            return refuse("must be an IANA time zone such as Europe/Paris or UTC");
        }
        match jiff::tz::TimeZone::get(name) {
            Ok(_) => Ok(Self(name.to_owned())),
            Err(_) => refuse("must be an IANA time zone such as Europe/Paris or UTC"),
        }
    }

    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Self("UTC".to_owned())
    }
}

/// A password a user chose: 12 to 1,024 characters.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return refuse(format!("must be at least {} characters", Self::MIN_CHARS));
        }
        if count > 1024 {
            return refuse("must be at most 1024 characters");
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Password {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            Name::parse("  Payments  ").expect("valid").as_str(),
            "Payments"
        );
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse(&"x".repeat(101)).is_err());
        assert!(Name::parse("bad\u{0007}name").is_err());
    }

    #[test]
    fn emails_are_lowercased_and_need_a_domain() {
        assert_eq!(
            Email::parse("Ada@Example.COM").expect("valid").as_str(),
            "ada@example.com"
        );
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@.com",
            "a da@example.com",
            "ada@exa..mple",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(HttpUrl::parse("https://wiki.example.com/runbooks/payments").is_ok());
        assert!(HttpUrl::parse("ftp://example.com").is_err());
        assert!(HttpUrl::parse("javascript:alert(1)").is_err());
        assert!(HttpUrl::parse("/relative").is_err());
    }

    #[test]
    fn tiers_are_one_to_four() {
        assert!((1..=4).all(|t| Tier::parse(t).is_ok()));
        assert!(Tier::parse(0).is_err());
        assert!(Tier::parse(5).is_err());
        assert!(Tier::parse(-1).is_err());
    }

    #[test]
    fn tags_are_normalized_slugs() {
        assert_eq!(
            Tag::parse("Team:Payments").expect("valid").as_str(),
            "team:payments"
        );
        assert!(Tag::parse("has space").is_err());
        assert!(Tag::parse("").is_err());
    }

    #[test]
    fn time_zones_must_exist_in_the_database() {
        for valid in [
            "UTC",
            "Europe/Paris",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
        ] {
            assert_eq!(TimeZoneName::parse(valid).expect(valid).as_str(), valid);
        }
        for invalid in [
            "",
            "Mars/Olympus_Mons",
            "Europe/Pariss",
            "../../etc/passwd",
            "Europe/Paris Extra",
        ] {
            assert!(
                TimeZoneName::parse(invalid).is_err(),
                "{invalid:?} should be refused"
            );
        }
    }

    #[test]
    fn passwords_never_print() {
        let password = Password::parse("correct horse battery").expect("valid");
        assert!(!format!("{password:?}").contains("horse"));
        assert!(Password::parse("short").is_err());
    }

    proptest! {
        #[test]
        fn a_parsed_name_parses_again_to_itself(raw in "\\PC{0,120}") {
            if let Ok(name) = Name::parse(&raw) {
                prop_assert_eq!(Name::parse(name.as_str()).expect("idempotent"), name);
            }
        }

        #[test]
        fn a_parsed_tag_has_only_allowed_characters(raw in ".{0,80}") {
            if let Ok(tag) = Tag::parse(&raw) {
                prop_assert!(tag.as_str().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.:/".contains(c)));
            }
        }
    }
}
