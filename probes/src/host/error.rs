//! Why a host could not give what was asked.

use std::io;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    #[error("{path}: not found")]
    NotFound { path: String },
    #[error("{path}: permission denied")]
    PermissionDenied { path: String },
    #[error("{path}: symbolic links loop or nest too deeply")]
    LinkLoop { path: String },
    #[error("{path}: larger than {limit} bytes")]
    TooLarge { path: String, limit: u64 },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("`{command}` is not installed")]
    CommandMissing { command: String },
    #[error("`{command}` failed: {message}")]
    CommandFailed { command: String, message: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

impl HostError {
    pub fn from_io(path: &str, err: &io::Error) -> Self {
        let path = path.to_string();
        match err.kind() {
            io::ErrorKind::NotFound => HostError::NotFound { path },
            io::ErrorKind::PermissionDenied => HostError::PermissionDenied { path },
            _ => match err.raw_os_error() {
                // ELOOP: the kernel's own link-loop answer.
                Some(40) => HostError::LinkLoop { path },
                _ => HostError::Io { path, message: err.to_string() },
            },
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, HostError::NotFound { .. } | HostError::CommandMissing { .. })
    }

    /// A short reason without the path, for the unreadable list.
    pub fn reason(&self) -> String {
        match self {
            HostError::NotFound { .. } => "not found".into(),
            HostError::PermissionDenied { .. } => "permission denied".into(),
            HostError::LinkLoop { .. } => "symbolic links loop".into(),
            HostError::TooLarge { limit, .. } => format!("larger than {limit} bytes"),
            HostError::Invalid { message, .. } | HostError::Io { message, .. } => message.clone(),
            HostError::CommandMissing { .. } => "not installed".into(),
            HostError::CommandFailed { message, .. } => message.clone(),
        }
    }
}
