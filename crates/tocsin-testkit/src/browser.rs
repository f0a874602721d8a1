//! A signed-in browser for console tests: a cookie-carrying client, its session's CSRF token, and
//! helpers to fetch pages and post forms the way a browser without JavaScript would.
use tocsin_domain::catalog::OrgRole;

use crate::app::{TEST_PASSWORD, TestApp, TestUser};
use crate::client::{Client, TestResponse};

/// A user signed in through the login form.
#[derive(Debug, Clone)]
pub struct Browser {
    pub user: TestUser,
    pub client: Client,
    pub csrf_token: String,
}

impl Browser {
    /// Fetches `path` and fails the test unless it answers 200; returns the HTML.
    pub async fn page(&self, path: &str) -> String {
        let answer = self.client.get(path).await;
        assert_eq!(
            answer.status, 200,
            "GET {path} answered {}: {}",
            answer.status, answer.text
        );
        assert!(
            answer
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/html")),
            "GET {path} is not HTML"
        );
        answer.text
    }

    /// Posts a form to `path` with the session's CSRF token added.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let mut all = vec![("csrf_token", self.csrf_token.as_str())];
        all.extend_from_slice(fields);
        self.client.form(path, &all).await
    }
}

impl TestApp {
    /// A new user with `role`, signed in through the login form.
    pub async fn browser(&self, role: OrgRole) -> Browser {
        let user = self.user(role).await;
        let (client, csrf) = self
            .browser_login(user.user.email.as_str(), TEST_PASSWORD)
            .await;
        Browser {
            user,
            client,
            csrf_token: csrf.expect("the test user can sign in"),
        }
    }
}
