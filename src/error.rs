//! Typed errors of the library. The binary adds context with anyhow at its edge.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read rule file {path}: {source}")]
    RuleFileRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid rule file {path}: {message}")]
    RuleFileParse { path: String, message: String },
    #[error("rule `{id}`: {message}")]
    RuleInvalid { id: String, message: String },
    #[error("cannot compile the rule patterns: {0}")]
    MatcherBuild(String),
    #[error(
        "unknown entity `{0}` (known: email, phone, licence_plate, vin, iban, bsn, credit_card, ip_address, postcode, date_of_birth)"
    )]
    UnknownEntity(String),
    #[error("invalid glob `{glob}`: {message}")]
    InvalidGlob { glob: String, message: String },
    #[error("fingerprint key: {0}")]
    Key(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("configuration {path}: {message}")]
    Config { path: String, message: String },
    #[error("baseline {path}: {message}")]
    Baseline { path: String, message: String },
    #[error("git: {0}")]
    Git(String),
    #[error("truth file {path}: {message}")]
    Truth { path: String, message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}
