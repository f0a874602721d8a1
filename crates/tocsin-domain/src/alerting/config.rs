//! Reading user-supplied alerting configs from JSON: shape errors and rule violations both come
//! back as a [`ValidationError`] naming the field with a JSON pointer (`/matchers/0`).
use serde::de::DeserializeOwned;

use crate::error::{FieldError, ValidationError};

/// A config whose rules go beyond its shape (cross-field checks, bounds).
pub trait Validate {
    /// Every problem found, each under the pointer of its field.
    fn validate(&self) -> Result<(), ValidationError>;
}

/// Deserializes `value` and validates it. A shape error (unknown field, bad regex, wrong type)
/// is reported alone under the pointer where deserializing stopped (for a variant of an
/// internally tagged enum, such as a rule action, the pointer of the variant's object: serde reads
/// it whole before choosing the variant); otherwise every rule violation is reported, each under
/// its exact pointer.
pub fn from_json<T: DeserializeOwned + Validate>(
    value: serde_json::Value,
) -> Result<T, ValidationError> {
    let parsed: T = serde_path_to_error::deserialize(value).map_err(|error| {
        let pointer = json_pointer(error.path());
        ValidationError(vec![FieldError::new(
            pointer,
            error.into_inner().to_string(),
        )])
    })?;
    parsed.validate()?;
    Ok(parsed)
}

/// The RFC 6901 pointer of a deserializer path (`~` and `/` in keys escaped).
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

/// The pointer of item `index` of the array at `parent`.
pub(crate) fn item(parent: &str, index: usize) -> String {
    format!("{parent}/{index}")
}

/// Refuses duplicates and blank entries in a list of names (label names, tags, fields).
pub(crate) fn check_names(
    collector: &mut crate::error::Collector,
    pointer: &str,
    names: &[String],
    what: &str,
) {
    for (index, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            collector.push(FieldError::new(
                item(pointer, index),
                format!("{what} must not be empty"),
            ));
        } else if names[..index].contains(name) {
            collector.push(FieldError::new(
                item(pointer, index),
                format!("duplicate {what} {name:?}"),
            ));
        }
    }
}
