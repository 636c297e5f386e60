//! Input rules and their errors, keyed by JSON path (Decision 5).

use std::collections::BTreeMap;

use crate::limits::MAX_NAME_CHARS;

/// Every problem found in one request, by JSON path (`$.expiresAt`,
/// `$[2].name`), in the order found. Becomes the `errors` member of a 400
/// problem body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    entries: Vec<(String, String)>,
}

impl ValidationErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// One error at `path`.
    pub fn single(path: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(path, message);
        errors
    }

    /// Records an error at `path`.
    pub fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.entries.push((path.into(), message.into()));
    }

    /// Moves every error of `other` in.
    pub fn extend(&mut self, other: ValidationErrors) {
        self.entries.extend(other.entries);
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many errors were found.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `Ok(())` when empty, else `Err(self)`.
    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The errors in the order found.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(path, message)| (path.as_str(), message.as_str()))
    }

    /// Whether any error names `path`.
    pub fn names(&self, path: &str) -> bool {
        self.entries.iter().any(|(p, _)| p == path)
    }

    /// The errors grouped by path, as the problem body's `errors` member.
    pub fn to_map(&self) -> BTreeMap<String, Vec<String>> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, message) in &self.entries {
            map.entry(path.clone()).or_default().push(message.clone());
        }
        map
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, (path, message)) in self.entries.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{path}: {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// A request that can check its own rules, naming every offending field.
pub trait Validate {
    /// Checks every rule that needs no stored data, in one pass.
    fn validate(&self) -> Result<(), ValidationErrors>;
}

/// Checks an operator or organization name (Decisions 8, 14): non-blank
/// after trimming, at most [`MAX_NAME_CHARS`] Unicode scalar values, no U+0000.
pub fn check_name(name: &str, path: &str, errors: &mut ValidationErrors) {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        errors.add(path, "The name must not be blank.");
    } else if trimmed.chars().count() > MAX_NAME_CHARS {
        errors.add(path, format!("The name must be at most {MAX_NAME_CHARS} characters long."));
    }
    check_no_nul(name, path, errors);
}

/// Records an error when `text` holds U+0000 (Decision 14).
pub fn check_no_nul(text: &str, path: &str, errors: &mut ValidationErrors) {
    if text.contains('\0') {
        errors.add(path, "The value must not contain the character U+0000.");
    }
}
