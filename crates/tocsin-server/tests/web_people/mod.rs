//! What the profile and admin page tests share: the hostile text put in names, and the check
//! that a page shows it escaped and never raw.
#![allow(dead_code)]

/// A user-controlled value that must never reach a page as markup.
pub const HOSTILE: &str = "<script>alert(1)</script>";

/// The page escapes `HOSTILE` (askama writes `<` as `&#60;`) and never carries it raw.
pub fn assert_escaped(html: &str) {
    assert!(
        html.contains("&#60;script&#62;alert(1)") || html.contains("&lt;script&gt;alert(1)"),
        "not shown escaped"
    );
    assert!(!html.contains(HOSTILE), "the raw tag reached the page");
}
