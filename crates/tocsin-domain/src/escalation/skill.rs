//! Skills: short lowercase tags on users (`postgres`, `k8s`) that an escalation step can page.

/// The longest skill, in characters.
pub const MAX_SKILL_CHARS: usize = 40;

/// The skill in its stored form: trimmed, lowercase, 1 to 40 of `a-z`, `0-9`, `-` and `_`.
pub fn normalise_skill(raw: &str) -> Result<String, String> {
    let skill = raw.trim().to_lowercase();
    if skill.is_empty() || skill.chars().count() > MAX_SKILL_CHARS {
        return Err(format!("must be 1 to {MAX_SKILL_CHARS} characters"));
    }
    if !skill
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err("may contain only letters a-z, digits, '-' and '_'".to_owned());
    }
    Ok(skill)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_are_lowercased_and_limited_to_a_small_alphabet() {
        assert_eq!(normalise_skill(" Postgres ").as_deref(), Ok("postgres"));
        assert_eq!(normalise_skill("k8s_on-call").as_deref(), Ok("k8s_on-call"));
        assert!(normalise_skill("").is_err());
        assert!(normalise_skill("two words").is_err());
        assert!(normalise_skill("ünïcode").is_err());
        assert!(normalise_skill(&"a".repeat(41)).is_err());
    }
}
