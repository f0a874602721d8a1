//! Label matchers with Prometheus/Alertmanager semantics: `name="v"`, `name!="v"`, `name=~"re"`,
//! `name!~"re"`, and sets of them (`{a="b", c!~"d"}`), matched against a [`FieldMap`].
//!
//! Text form: a name, an operator and a value. Names and values may be double-quoted, with
//! backslash escapes (`\"`, `\\`, `\n`, `\t`; any other escaped character is kept with its
//! backslash, so `"\d+"` is the regex `\d+`), or bare (a bare name stops at an operator or space, a
//! bare value at a comma or closing brace; surrounding spaces are trimmed). [`Matcher`]'s
//! `Display` always quotes the value, and the name when it is not a plain identifier, so the text
//! form round-trips.
//!
//! Regexes are fully anchored, as in Prometheus: `=~"db"` matches `db` only, not `db-1`.
use std::fmt;
use std::str::FromStr;

use regex::{Regex, RegexBuilder};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::FieldMap;

/// Most bytes a compiled matcher regex may take; a pattern over it is refused.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The comparison a matcher makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `=`: the value equals.
    Equal,
    /// `!=`: the value differs.
    NotEqual,
    /// `=~`: the whole value matches the regex.
    Regex,
    /// `!~`: the whole value does not match the regex.
    NotRegex,
}

impl MatchOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }

    /// The operator from Alertmanager's `isRegex` / `isEqual` flags.
    pub fn from_flags(is_regex: bool, is_equal: bool) -> Self {
        match (is_regex, is_equal) {
            (false, true) => MatchOp::Equal,
            (false, false) => MatchOp::NotEqual,
            (true, true) => MatchOp::Regex,
            (true, false) => MatchOp::NotRegex,
        }
    }

    pub fn is_regex(self) -> bool {
        matches!(self, MatchOp::Regex | MatchOp::NotRegex)
    }

    /// True for the positive operators (`=`, `=~`).
    pub fn is_equal(self) -> bool {
        matches!(self, MatchOp::Equal | MatchOp::Regex)
    }
}

impl fmt::Display for MatchOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a matcher was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatcherError {
    #[error("matcher name must not be empty")]
    EmptyName,
    #[error("invalid regex {pattern:?}: {reason}")]
    InvalidRegex { pattern: String, reason: String },
    #[error("cannot parse matcher {text:?}: {reason}")]
    Syntax { text: String, reason: String },
}

/// One label matcher. The regex of `=~` / `!~` is compiled once, at construction.
#[derive(Debug, Clone)]
pub struct Matcher {
    name: String,
    op: MatchOp,
    value: String,
    regex: Option<Regex>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl Eq for Matcher {}

impl Matcher {
    /// A matcher; refuses an empty name and an invalid or oversized regex.
    pub fn new(
        name: impl Into<String>,
        op: MatchOp,
        value: impl Into<String>,
    ) -> Result<Self, MatcherError> {
        let name = name.into();
        let value = value.into();
        if name.is_empty() {
            return Err(MatcherError::EmptyName);
        }
        let regex = if op.is_regex() {
            let anchored = format!("^(?:{value})$");
            let compiled = RegexBuilder::new(&anchored)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|error| MatcherError::InvalidRegex {
                    pattern: value.clone(),
                    reason: regex_error_reason(&error),
                })?;
            Some(compiled)
        } else {
            None
        };
        Ok(Self {
            name,
            op,
            value,
            regex,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn op(&self) -> MatchOp {
        self.op
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the alert's value of this label (empty when missing) satisfies the matcher.
    pub fn matches(&self, fields: &FieldMap) -> bool {
        self.matches_value(fields.get(&self.name))
    }

    /// Whether `value` satisfies the matcher.
    pub fn matches_value(&self, value: &str) -> bool {
        match (self.op, &self.regex) {
            (MatchOp::Equal, _) => value == self.value,
            (MatchOp::NotEqual, _) => value != self.value,
            (MatchOp::Regex, Some(regex)) => regex.is_match(value),
            (MatchOp::NotRegex, Some(regex)) => !regex.is_match(value),
            // Unreachable by construction: regex operators always carry a compiled regex.
            (MatchOp::Regex | MatchOp::NotRegex, None) => false,
        }
    }

    /// Whether the matcher matches an alert that lacks the label entirely.
    pub fn matches_empty(&self) -> bool {
        self.matches_value("")
    }

    /// Parses one matcher in text form: `name="value"`, `name!~"re"`, `name=bare value`.
    pub fn parse(text: &str) -> Result<Self, MatcherError> {
        let mut parser = Parser::new(text);
        let matcher = parser.matcher(false)?;
        parser.skip_spaces();
        if !parser.at_end() {
            return Err(parser.error("unexpected text after the value"));
        }
        Ok(matcher)
    }
}

fn regex_error_reason(error: &regex::Error) -> String {
    match error {
        regex::Error::CompiledTooBig(limit) => {
            format!("compiled regex exceeds the size limit of {limit} bytes")
        }
        other => other
            .to_string()
            .lines()
            .last()
            .unwrap_or("syntax error")
            .trim()
            .to_string(),
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_plain_name(&self.name) {
            f.write_str(&self.name)?;
        } else {
            write_quoted(f, &self.name)?;
        }
        f.write_str(self.op.as_str())?;
        write_quoted(f, &self.value)
    }
}

impl FromStr for Matcher {
    type Err = MatcherError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Matcher::parse(s)
    }
}

/// A name written without quotes: starts with a letter or `_`, then letters, digits, `_`, `.`, `-`.
fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            other => write!(f, "{other}")?,
        }
    }
    f.write_str("\"")
}

/// A hand-written recursive-descent parser over the text forms.
struct Parser<'t> {
    text: &'t str,
    position: usize,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str) -> Self {
        Self { text, position: 0 }
    }

    fn rest(&self) -> &'t str {
        self.text.get(self.position..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.rest().is_empty()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.position += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.position += token.len();
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn error(&self, reason: &str) -> MatcherError {
        MatcherError::Syntax {
            text: self.text.to_string(),
            reason: format!("{reason} at byte {}", self.position),
        }
    }

    /// One matcher; `in_set` makes a bare value stop at `,` and `}`.
    fn matcher(&mut self, in_set: bool) -> Result<Matcher, MatcherError> {
        self.skip_spaces();
        let name = if self.peek() == Some('"') {
            self.quoted()?
        } else {
            let start = self.position;
            while self.peek().is_some_and(|c| {
                !c.is_whitespace() && !matches!(c, '=' | '!' | '~' | '"' | ',' | '{' | '}')
            }) {
                self.bump();
            }
            self.text
                .get(start..self.position)
                .unwrap_or("")
                .to_string()
        };
        if name.is_empty() {
            return Err(self.error("expected a label name"));
        }
        self.skip_spaces();
        let op = if self.eat("=~") {
            MatchOp::Regex
        } else if self.eat("!~") {
            MatchOp::NotRegex
        } else if self.eat("!=") {
            MatchOp::NotEqual
        } else if self.eat("=") {
            MatchOp::Equal
        } else {
            return Err(self.error("expected one of =, !=, =~, !~"));
        };
        self.skip_spaces();
        let value = if self.peek() == Some('"') {
            self.quoted()?
        } else {
            let start = self.position;
            while self
                .peek()
                .is_some_and(|c| !(in_set && matches!(c, ',' | '}')))
            {
                self.bump();
            }
            let bare = self.text.get(start..self.position).unwrap_or("").trim();
            if bare.contains('"') {
                return Err(self.error("a bare value must not contain a double quote"));
            }
            bare.to_string()
        };
        Matcher::new(name, op, value)
    }

    /// A double-quoted string; the cursor is on the opening quote.
    fn quoted(&mut self) -> Result<String, MatcherError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(self.error("unterminated quoted string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    None => return Err(self.error("unterminated escape")),
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(c @ ('"' | '\\')) => out.push(c),
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// A comma-separated set, braces optional, trailing comma allowed.
    fn set(&mut self) -> Result<Vec<Matcher>, MatcherError> {
        self.skip_spaces();
        let braced = self.eat("{");
        let mut matchers = Vec::new();
        loop {
            self.skip_spaces();
            if self.at_end() || (braced && self.peek() == Some('}')) {
                break;
            }
            matchers.push(self.matcher(true)?);
            self.skip_spaces();
            if !self.eat(",") {
                break;
            }
        }
        self.skip_spaces();
        if braced && !self.eat("}") {
            return Err(self.error("expected , or }"));
        }
        self.skip_spaces();
        if !self.at_end() {
            return Err(self.error("unexpected text after the matchers"));
        }
        Ok(matchers)
    }
}

/// Alertmanager API v2 silence matcher object.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ApiMatcher {
    name: String,
    value: String,
    is_regex: bool,
    #[serde(default = "default_true")]
    is_equal: bool,
}

fn default_true() -> bool {
    true
}

impl Serialize for Matcher {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ApiMatcher {
            name: self.name.clone(),
            value: self.value.clone(),
            is_regex: self.op.is_regex(),
            is_equal: self.op.is_equal(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Matcher {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MatcherVisitor;
        impl<'de> Visitor<'de> for MatcherVisitor {
            type Value = Matcher;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    r#"a matcher such as "name=\"value\"" or {"name","value","isRegex","isEqual"}"#,
                )
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Matcher, E> {
                Matcher::parse(text).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Matcher, A::Error> {
                let api = ApiMatcher::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Matcher::new(
                    api.name,
                    MatchOp::from_flags(api.is_regex, api.is_equal),
                    api.value,
                )
                .map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(MatcherVisitor)
    }
}

/// A conjunction of matchers: an alert matches when every matcher does (an empty set matches all).
/// Deserializes from a list of matchers or from the set text form `{a="b", c!~"d"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Matchers(pub Vec<Matcher>);

impl Matchers {
    /// Parses the set form: `{a="b", c!~"d"}`, braces optional, comma separated.
    pub fn parse(text: &str) -> Result<Self, MatcherError> {
        Parser::new(text).set().map(Matchers)
    }

    pub fn matches_all(&self, fields: &FieldMap) -> bool {
        self.0.iter().all(|matcher| matcher.matches(fields))
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Matcher> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The matchers joined with ", ", without braces (for explanations).
    pub fn joined(&self) -> String {
        self.0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Matchers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}", self.joined())
    }
}

impl FromStr for Matchers {
    type Err = MatcherError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Matchers::parse(s)
    }
}

impl From<Vec<Matcher>> for Matchers {
    fn from(matchers: Vec<Matcher>) -> Self {
        Matchers(matchers)
    }
}

impl<'de> Deserialize<'de> for Matchers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MatchersVisitor;
        impl<'de> Visitor<'de> for MatchersVisitor {
            type Value = Matchers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a list of matchers or a set such as {a="b", c!~"d"}"#)
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Matchers, E> {
                Matchers::parse(text).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Matchers, A::Error> {
                let mut matchers = Vec::new();
                while let Some(matcher) = seq.next_element::<Matcher>()? {
                    matchers.push(matcher);
                }
                Ok(Matchers(matchers))
            }
        }
        deserializer.deserialize_any(MatchersVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn fields(pairs: &[(&str, &str)]) -> FieldMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn operators_follow_prometheus_semantics_and_a_missing_label_is_empty() {
        let alert = fields(&[("service", "db"), ("env", "prod")]);
        let check = |text: &str| Matcher::parse(text).expect(text).matches(&alert);
        assert!(check(r#"service="db""#));
        assert!(!check(r#"service!="db""#));
        assert!(check(r#"service=~"d.""#));
        assert!(!check(r#"service=~"d""#), "regexes are fully anchored");
        assert!(!check(r#"service=~"b|x""#), "alternation is anchored too");
        assert!(check(r#"service!~"web|api""#));
        assert!(check(r#"team="""#), "missing label equals the empty string");
        assert!(check(r#"team=~".*""#));
        assert!(!check(r#"team!="""#));
        assert!(check(r#"team!="ops""#));
    }

    #[test]
    fn construction_refuses_empty_names_and_bad_regexes() {
        assert_eq!(
            Matcher::new("", MatchOp::Equal, "x"),
            Err(MatcherError::EmptyName)
        );
        let error = Matcher::new("a", MatchOp::Regex, "(unclosed").expect_err("bad regex");
        assert!(
            matches!(&error, MatcherError::InvalidRegex { pattern, .. } if pattern == "(unclosed"),
            "{error:?}"
        );
        assert!(error.to_string().contains("(unclosed"));
        let huge = Matcher::new("a", MatchOp::Regex, "\\w{1000}\\w{1000}\\w{1000}")
            .expect_err("over the size limit");
        assert!(error_mentions(&huge, "size limit"), "{huge}");
        // An invalid pattern for an equality matcher is just text.
        assert!(Matcher::new("a", MatchOp::Equal, "(unclosed").is_ok());
    }

    fn error_mentions(error: &MatcherError, words: &str) -> bool {
        error.to_string().contains(words)
    }

    #[test]
    fn text_form_parses_quotes_escapes_bare_values_and_spaces() {
        let matcher = Matcher::parse(r#" msg = "say \"hi\" \\ now\n" "#).expect("quoted");
        assert_eq!(matcher.name(), "msg");
        assert_eq!(matcher.op(), MatchOp::Equal);
        assert_eq!(matcher.value(), "say \"hi\" \\ now\n");
        let regex = Matcher::parse(r#"code=~"\d+""#).expect("unknown escape kept");
        assert_eq!(regex.value(), r"\d+");
        assert!(regex.matches_value("503"));
        let bare = Matcher::parse("env!=  staging ").expect("bare");
        assert_eq!((bare.op(), bare.value()), (MatchOp::NotEqual, "staging"));
        let dotted = Matcher::parse("details.disk.free=~0|1").expect("dotted name");
        assert_eq!(dotted.name(), "details.disk.free");
        let quoted_name = Matcher::parse(r#""my label"="x""#).expect("quoted name");
        assert_eq!(quoted_name.name(), "my label");
        for bad in [
            "",
            "=x",
            "name",
            "name~x",
            r#"name="open"#,
            r#"a="b" c"#,
            r#"a=b"c"#,
        ] {
            assert!(
                matches!(Matcher::parse(bad), Err(MatcherError::Syntax { .. })),
                "{bad:?} should not parse"
            );
        }
    }

    #[test]
    fn set_form_with_and_without_braces() {
        let set = Matchers::parse(r#"{alertname="DiskFull", env!~"dev|test", note="a,b}c"}"#)
            .expect("braced");
        assert_eq!(set.len(), 3);
        assert_eq!(
            set.0[2].value(),
            "a,b}c",
            "quoted commas and braces are text"
        );
        let bare = Matchers::parse("a=b, c!=d,").expect("unbraced, trailing comma");
        assert_eq!(
            bare,
            Matchers(vec![
                Matcher::new("a", MatchOp::Equal, "b").expect("valid"),
                Matcher::new("c", MatchOp::NotEqual, "d").expect("valid"),
            ])
        );
        assert_eq!(Matchers::parse("{}").expect("empty"), Matchers::default());
        assert!(Matchers::parse(r#"{a="b""#).is_err());
        assert!(Matchers::parse(r#"{a="b"} c"#).is_err());
        assert!(
            Matchers::parse(r#"a="b" c="d""#).is_err(),
            "commas required"
        );
        assert_eq!(
            set.to_string(),
            r#"{alertname="DiskFull", env!~"dev|test", note="a,b}c"}"#
        );
    }

    #[test]
    fn matches_all_needs_every_matcher_and_an_empty_set_matches_anything() {
        let set = Matchers::parse(r#"{service="db", env=~"prod|staging"}"#).expect("valid");
        assert!(set.matches_all(&fields(&[("service", "db"), ("env", "prod")])));
        assert!(!set.matches_all(&fields(&[("service", "db"), ("env", "dev")])));
        assert!(!set.matches_all(&fields(&[("env", "prod")])));
        assert!(Matchers::default().matches_all(&FieldMap::new()));
    }

    #[test]
    fn serde_uses_the_alertmanager_object_and_accepts_text() {
        let matcher = Matcher::parse(r#"env!~"dev.*""#).expect("valid");
        assert_eq!(
            serde_json::to_value(&matcher).expect("serialize"),
            json!({"name": "env", "value": "dev.*", "isRegex": true, "isEqual": false})
        );
        let from_object: Matcher =
            serde_json::from_value(json!({"name": "env", "value": "dev.*", "isRegex": true}))
                .expect("isEqual defaults to true");
        assert_eq!(from_object.op(), MatchOp::Regex);
        let from_text: Matcher = serde_json::from_value(json!("env!~\"dev.*\"")).expect("text");
        assert_eq!(from_text, matcher);
        let set: Matchers =
            serde_json::from_value(json!(["a=b", {"name": "c", "value": "d", "isRegex": false}]))
                .expect("list");
        assert_eq!(set.len(), 2);
        let from_set_text: Matchers = serde_json::from_value(json!("{a=b}")).expect("set text");
        assert_eq!(
            from_set_text.0,
            vec![Matcher::new("a", MatchOp::Equal, "b").expect("valid")]
        );
        let bad_regex =
            serde_json::from_value::<Matcher>(json!({"name": "a", "value": "(", "isRegex": true}))
                .expect_err("invalid regex");
        assert!(bad_regex.to_string().contains("invalid regex"));
        assert!(
            serde_json::from_value::<Matcher>(
                json!({"name": "a", "value": "b", "isRegex": false, "extra": 1})
            )
            .is_err()
        );
    }

    fn op_strategy() -> impl Strategy<Value = MatchOp> {
        prop_oneof![
            Just(MatchOp::Equal),
            Just(MatchOp::NotEqual),
            Just(MatchOp::Regex),
            Just(MatchOp::NotRegex),
        ]
    }

    proptest! {
        #[test]
        fn equal_and_not_equal_are_complements(expected in ".{0,8}", actual in ".{0,8}") {
            let equal = Matcher::new("x", MatchOp::Equal, expected.clone()).expect("valid");
            let not_equal = Matcher::new("x", MatchOp::NotEqual, expected).expect("valid");
            prop_assert_ne!(equal.matches_value(&actual), not_equal.matches_value(&actual));
        }

        #[test]
        fn regex_and_not_regex_are_complements(pattern in "[ab.*|]{0,6}", actual in "[abc]{0,6}") {
            if let Ok(regex) = Matcher::new("x", MatchOp::Regex, pattern.clone()) {
                let not_regex = Matcher::new("x", MatchOp::NotRegex, pattern).expect("same pattern");
                prop_assert_ne!(regex.matches_value(&actual), not_regex.matches_value(&actual));
            }
        }

        #[test]
        fn an_escaped_regex_agrees_with_equality(expected in ".{0,8}", actual in ".{0,8}") {
            let equal = Matcher::new("x", MatchOp::Equal, expected.clone()).expect("valid");
            let regex = Matcher::new("x", MatchOp::Regex, regex::escape(&expected)).expect("escaped");
            prop_assert_eq!(equal.matches_value(&actual), regex.matches_value(&actual));
            prop_assert!(regex.matches_value(&expected));
        }

        #[test]
        fn text_form_round_trips(name in r#"[a-z_][a-z0-9_.]{0,6}|.{1,8}"#, op in op_strategy(), value in r#"(.|["\\\n\t])*"#) {
            let value = if op.is_regex() { regex::escape(&value) } else { value };
            let matcher = Matcher::new(name, op, value).expect("valid");
            let text = matcher.to_string();
            let parsed = Matcher::parse(&text).expect("display output parses");
            prop_assert_eq!(&parsed, &matcher);
            let set = Matchers(vec![matcher.clone(), matcher]);
            prop_assert_eq!(Matchers::parse(&set.to_string()).expect("set parses"), set);
        }
    }
}
