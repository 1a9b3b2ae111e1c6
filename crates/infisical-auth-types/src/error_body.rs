//! Hand-written conveniences on the shared error body.

use crate::{ErrorMessage, ErrorResponse, ValidationIssue};

impl ErrorResponse {
    /// The validation issues of a 422 answer (empty for any other error).
    pub fn validation_issues(&self) -> &[ValidationIssue] {
        match &self.message {
            Some(ErrorMessage::Issues(issues)) => issues,
            _ => &[],
        }
    }

    /// The message as text: the text itself, or the issues' messages joined with "; ".
    pub fn message_text(&self) -> String {
        match &self.message {
            Some(ErrorMessage::Text(text)) => text.clone(),
            Some(ErrorMessage::Issues(issues)) => issues
                .iter()
                .map(|i| i.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            None => String::new(),
        }
    }
}

impl std::fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {} ({})",
            self.status_code,
            self.error,
            self.message_text(),
            self.req_id
        )
    }
}
