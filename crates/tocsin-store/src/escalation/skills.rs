//! Users' skills: lowercase tags (`postgres`, `k8s`) a step can page by; replaced as a whole set.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::id::UserId;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::tx::Tx;

const USER_EXISTS: &str = "SELECT COUNT(*) FROM users WHERE id = $1";
pub(crate) const OF_USER: &str = "SELECT skill FROM user_skills WHERE user_id = $1 ORDER BY skill";
const CLEAR: &str = "DELETE FROM user_skills WHERE user_id = $1";
const INSERT: &str =
    "INSERT INTO user_skills (user_id, skill) VALUES ($1, $2) ON CONFLICT DO NOTHING";

/// The user's skills, sorted.
pub async fn get_skills(reader: Reader<'_>, user: UserId) -> Result<Vec<String>, StoreError> {
    reader.scalars(OF_USER, crate::args![user.0]).await
}

/// Replaces the user's skills (already normalised with `escalation::normalise_skill`) and appends
/// `user.skills_set`; answers the stored set, sorted.
pub async fn set_skills(
    tx: &mut Tx,
    user: UserId,
    skills: Vec<String>,
    actor: &str,
    at: Timestamp,
) -> Result<Vec<String>, StoreError> {
    let found: i64 = tx.scalar(USER_EXISTS, crate::args![user.0]).await?;
    if found == 0 {
        return Err(StoreError::NotFound("user"));
    }
    tx.execute(CLEAR, crate::args![user.0]).await?;
    for skill in &skills {
        tx.execute(INSERT, crate::args![user.0, skill.as_str()])
            .await?;
    }
    let stored: Vec<String> = tx.scalars(OF_USER, crate::args![user.0]).await?;
    let body = json!({ "skills": stored });
    tx.append(NewEvent::new(
        "user",
        user.0,
        "user.skills_set",
        actor,
        at,
        body,
    ))
    .await?;
    Ok(stored)
}
