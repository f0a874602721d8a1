//! Statement arguments: a typed value or a typed NULL (PostgreSQL checks a parameter's type even
//! when it is NULL, so a NULL remembers what it stands for).
use uuid::Uuid;

/// One bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
    Uuid(Option<Uuid>),
    Bool(Option<bool>),
}

macro_rules! from_value {
    ($variant:ident: $($ty:ty => $convert:expr),* $(,)?) => {$(
        impl From<$ty> for Arg {
            fn from(value: $ty) -> Self {
                let convert: fn($ty) -> _ = $convert;
                Arg::$variant(Some(convert(value)))
            }
        }
        impl From<Option<$ty>> for Arg {
            fn from(value: Option<$ty>) -> Self {
                let convert: fn($ty) -> _ = $convert;
                Arg::$variant(value.map(convert))
            }
        }
    )*};
}

from_value!(Int: i64 => |v| v, i32 => i64::from, u32 => i64::from, i16 => i64::from, u16 => i64::from);
from_value!(Real: f64 => |v| v);
from_value!(Text: String => |v| v, &str => str::to_owned, &String => String::clone);
from_value!(Blob: Vec<u8> => |v| v, &[u8] => <[u8]>::to_vec, &Vec<u8> => Vec::clone);
from_value!(Uuid: Uuid => |v| v, &Uuid => |v| *v);
from_value!(Bool: bool => |v| v);

impl From<&Option<String>> for Arg {
    fn from(value: &Option<String>) -> Self {
        Arg::Text(value.clone())
    }
}

impl From<&Option<Uuid>> for Arg {
    fn from(value: &Option<Uuid>) -> Self {
        Arg::Uuid(*value)
    }
}

impl From<&Option<i64>> for Arg {
    fn from(value: &Option<i64>) -> Self {
        Arg::Int(*value)
    }
}

impl From<usize> for Arg {
    /// Counts and limits; a count beyond `i64::MAX` cannot occur and saturates.
    fn from(value: usize) -> Self {
        Arg::Int(Some(i64::try_from(value).unwrap_or(i64::MAX)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_keeps_the_type_it_stands_for() {
        assert_eq!(Arg::from(None::<&str>), Arg::Text(None));
        assert_eq!(Arg::from(None::<Uuid>), Arg::Uuid(None));
        assert_eq!(Arg::from(&None::<String>), Arg::Text(None));
        assert_eq!(Arg::from(Some(3_u32)), Arg::Int(Some(3)));
    }

    #[test]
    fn borrowed_values_are_copied_into_the_argument() {
        let name = String::from("payments");
        assert_eq!(Arg::from(&name), Arg::Text(Some("payments".into())));
        assert_eq!(Arg::from(&[1_u8, 2][..]), Arg::Blob(Some(vec![1, 2])));
        assert_eq!(Arg::from(usize::MAX), Arg::Int(Some(i64::MAX)));
    }
}
