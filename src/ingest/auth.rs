//! Bearer-token check shared by gRPC, OTLP/HTTP and the query API. Compared in
//! constant time; the token is never logged or echoed.

use subtle::ConstantTimeEq;

/// The expected token. `Debug` never shows it.
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    pub fn new(token: impl Into<String>) -> Self {
        Token(token.into())
    }

    /// The token itself, for the one place that stores it: the owner's private lock
    /// file (`crate::read_secret`). Never log it.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Checks an `Authorization` header value (`Bearer <token>`).
    pub fn accepts(&self, authorization: Option<&[u8]>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let Some(presented) = value
            .strip_prefix(b"Bearer ")
            .or_else(|| value.strip_prefix(b"bearer "))
        else {
            return false;
        };
        presented.ct_eq(self.0.as_bytes()).into()
    }
}

/// True when no token is configured or the header carries the right one.
pub fn authorized(token: Option<&Token>, authorization: Option<&[u8]>) -> bool {
    token.is_none_or(|t| t.accepts(authorization))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_passes() {
        let t = Token::new("s3cret");
        assert!(t.accepts(Some(b"Bearer s3cret")));
        assert!(!t.accepts(Some(b"Bearer s3cre")));
        assert!(!t.accepts(Some(b"Bearer s3cret2")));
        assert!(!t.accepts(Some(b"s3cret")));
        assert!(!t.accepts(None));
        assert!(authorized(None, None));
        assert!(!format!("{t:?}").contains("s3cret"));
    }
}
