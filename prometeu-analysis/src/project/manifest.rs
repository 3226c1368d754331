//! Reading and validating `prometeu.json` (`docs/spec/toolchain.md` §1).
//!
//! Validation never stops at the first problem: every field is checked, every error is
//! reported with a span inside the manifest, and the result always carries usable values
//! (defaults where a field is missing or wrong) so that analysis can carry on.

use super::json::{JsonKind, JsonMember, JsonValue, parse_json};
use crate::{Diagnostic, DiagnosticCode, FileId, Span};

/// What a project builds into.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectKind {
    /// A runnable cartridge: needs `src/main.pbs` with `fn frame()`.
    App,
    /// A library: checked and built for other projects to depend on.
    Lib,
}

/// Where a dependency's project comes from.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum DependencySource {
    /// A directory, relative to the manifest's directory as written.
    Path(String),
    /// A git repository, checked out at `rev` (the default branch when `None`).
    Git {
        /// The repository URL, passed to `git clone` as is.
        url: String,
        /// A tag, branch or commit.
        rev: Option<String>,
    },
}

/// One entry of the manifest's `dependencies` object.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ManifestDependency {
    /// The key: the name its modules are imported under (`"@alias/…"`).
    pub alias: String,
    /// The key's span, quotes included.
    pub alias_span: Span,
    /// Where the project is.
    pub source: DependencySource,
    /// The `path` or `git` value's span (what a "not found" error underlines).
    pub source_span: Span,
}

/// A manifest's contents after validation, with defaults filled in.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Manifest {
    /// The project name; may be invalid (or empty) when an error was reported.
    pub name: String,
    /// `MAJOR.MINOR.PATCH` as written; may be invalid when an error was reported.
    pub version: String,
    /// `app` unless the manifest says `lib`.
    pub kind: ProjectKind,
    /// The cartridge title; the name by default.
    pub title: String,
    /// The cartridge's application ID; 0 by default.
    pub app_id: u32,
    /// The valid dependency entries, in manifest order.
    pub dependencies: Vec<ManifestDependency>,
    /// Whether the text was a JSON object; when not, every field is a default and
    /// checks that depend on the manifest (like `E_PROJECT_NO_MAIN`) are skipped.
    pub is_object: bool,
    /// The span `E_PROJECT_NO_MAIN` underlines: the `kind` value, else the `name` value,
    /// else the root object's `{`.
    pub entry_span: Span,
}

/// Whether `text` is a valid project name or dependency alias: one or more lowercase
/// ASCII letters, digits, `-` and `_`.
pub fn is_valid_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Whether `text` is `MAJOR.MINOR.PATCH`: three decimal numbers without leading zeros
/// (as in semantic versioning), each fitting in 64 bits.
pub fn is_valid_version(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u64>().is_ok()
        })
}

/// Parses and validates the text of `prometeu.json` (file `file`). `fallback_name` (the
/// directory's name) stands in for a missing or unreadable `name`.
pub fn parse_manifest(
    text: &str,
    file: FileId,
    fallback_name: &str,
) -> (Manifest, Vec<Diagnostic>) {
    let mut manifest = Manifest {
        name: fallback_name.to_string(),
        version: String::new(),
        kind: ProjectKind::App,
        title: String::new(),
        app_id: 0,
        dependencies: Vec::new(),
        entry_span: Span::empty(file, 0),
        is_object: false,
    };
    let mut diagnostics = Vec::new();
    match parse_json(text, file) {
        Err(e) => diagnostics.push(Diagnostic::new(
            DiagnosticCode::ProjectManifest,
            e.span,
            format!("prometeu.json is not valid JSON: {}", e.message),
        )),
        Ok(root) => validate(&root, &mut manifest, &mut diagnostics),
    }
    if manifest.title.is_empty() {
        manifest.title = manifest.name.clone();
    }
    crate::diagnostic::sort_diagnostics(&mut diagnostics);
    (manifest, diagnostics)
}

fn manifest_error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(DiagnosticCode::ProjectManifest, span, message)
}

/// The span of an object's opening `{`, where "missing field" errors point.
fn open_brace(object: &JsonValue) -> Span {
    Span::new(object.span.file, object.span.start, object.span.start + 1)
}

/// Reports duplicate keys (on the second, related to the first) and returns the members
/// with each key's first occurrence only.
fn unique_members<'v>(
    members: &'v [JsonMember],
    where_: &str,
    out: &mut Vec<Diagnostic>,
) -> Vec<&'v JsonMember> {
    let mut seen: Vec<&JsonMember> = Vec::new();
    for member in members {
        match seen.iter().find(|m| m.key == member.key) {
            Some(first) => out.push(
                manifest_error(
                    member.key_span,
                    format!("field `{}` appears twice in {where_}", member.key),
                )
                .with_related(first.key_span, "first written here"),
            ),
            None => seen.push(member),
        }
    }
    seen
}

fn unknown_field(member: &JsonMember, where_: &str, known: &str) -> Diagnostic {
    Diagnostic::new(
        DiagnosticCode::ProjectUnknownField,
        member.key_span,
        format!(
            "unknown field `{}` in {where_} is ignored; known fields: {known}",
            member.key
        ),
    )
}

fn expect_string<'v>(member: &'v JsonMember, out: &mut Vec<Diagnostic>) -> Option<&'v str> {
    let text = member.value.as_str();
    if text.is_none() {
        out.push(manifest_error(
            member.value.span,
            format!(
                "`{}` must be a string, found {}",
                member.key,
                member.value.kind.describe()
            ),
        ));
    }
    text
}

const TOP_FIELDS: &str = "`name`, `version`, `kind`, `title`, `app_id`, `dependencies`";

fn validate(root: &JsonValue, manifest: &mut Manifest, out: &mut Vec<Diagnostic>) {
    let Some(members) = root.as_object() else {
        out.push(manifest_error(
            root.span,
            format!(
                "prometeu.json must contain a JSON object, found {}",
                root.kind.describe()
            ),
        ));
        return;
    };
    manifest.entry_span = open_brace(root);
    manifest.is_object = true;
    let members = unique_members(members, "the manifest", out);
    let field = |name: &str| members.iter().copied().find(|m| m.key == name);

    match field("name") {
        None => out.push(manifest_error(
            open_brace(root),
            "the manifest has no `name` field; add `\"name\": \"my-project\"`",
        )),
        Some(m) => {
            manifest.entry_span = m.value.span;
            if let Some(name) = expect_string(m, out) {
                if !is_valid_name(name) {
                    out.push(manifest_error(
                        m.value.span,
                        format!("`name` `{name}` is invalid: use lowercase ASCII letters, digits, `-` and `_`"),
                    ));
                }
                manifest.name = name.to_string();
            }
        }
    }

    match field("version") {
        None => out.push(manifest_error(
            open_brace(root),
            "the manifest has no `version` field; add `\"version\": \"0.1.0\"`",
        )),
        Some(m) => {
            if let Some(version) = expect_string(m, out) {
                if !is_valid_version(version) {
                    out.push(manifest_error(
                        m.value.span,
                        format!("`version` `{version}` is invalid: write MAJOR.MINOR.PATCH, e.g. `1.0.0`"),
                    ));
                }
                manifest.version = version.to_string();
            }
        }
    }

    if let Some(m) = field("kind") {
        manifest.entry_span = m.value.span;
        match expect_string(m, out) {
            Some("app") => manifest.kind = ProjectKind::App,
            Some("lib") => manifest.kind = ProjectKind::Lib,
            Some(other) => out.push(manifest_error(
                m.value.span,
                format!("`kind` must be \"app\" or \"lib\", found \"{other}\""),
            )),
            None => {}
        }
    }

    if let Some(m) = field("title") {
        if let Some(title) = expect_string(m, out) {
            manifest.title = title.to_string();
        }
    }

    if let Some(m) = field("app_id") {
        match m.value.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(id) => manifest.app_id = id,
            None => out.push(manifest_error(
                m.value.span,
                format!(
                    "`app_id` must be a whole number from 0 to {}, found {}",
                    u32::MAX,
                    match &m.value.kind {
                        JsonKind::Number(text) => format!("`{text}`"),
                        other => other.describe().to_string(),
                    }
                ),
            )),
        }
    }

    if let Some(m) = field("dependencies") {
        match m.value.as_object() {
            Some(entries) => {
                for entry in unique_members(entries, "`dependencies`", out) {
                    if let Some(dep) = validate_dependency(entry, out) {
                        manifest.dependencies.push(dep);
                    }
                }
            }
            None => out.push(manifest_error(
                m.value.span,
                format!(
                    "`dependencies` must be an object of alias: {{ \"path\": … }} or {{ \"git\": … }}, found {}",
                    m.value.kind.describe()
                ),
            )),
        }
    }

    for m in &members {
        if !matches!(
            m.key.as_str(),
            "name" | "version" | "kind" | "title" | "app_id" | "dependencies"
        ) {
            out.push(unknown_field(m, "the manifest", TOP_FIELDS));
        }
    }
}

/// A dependency's string field, which must not be empty nor start with `-` (git would
/// read it as an option).
fn text_field(m: &JsonMember, alias: &str, out: &mut Vec<Diagnostic>) -> Option<String> {
    let text = expect_string(m, out)?;
    if text.is_empty() || text.starts_with('-') || text.chars().any(char::is_control) {
        out.push(manifest_error(
            m.value.span,
            format!("`{}` of dependency `{alias}` must be non-empty, must not start with `-` and must not contain control characters", m.key),
        ));
        return None;
    }
    Some(text.to_string())
}

fn validate_dependency(
    entry: &JsonMember,
    out: &mut Vec<Diagnostic>,
) -> Option<ManifestDependency> {
    let alias = &entry.key;
    let mut valid = true;
    if !is_valid_name(alias) {
        out.push(manifest_error(
            entry.key_span,
            format!("dependency alias `{alias}` is invalid: use lowercase ASCII letters, digits, `-` and `_`"),
        ));
        valid = false;
    }
    let Some(fields) = entry.value.as_object() else {
        out.push(manifest_error(
            entry.value.span,
            format!(
                "dependency `{alias}` must be an object with `path` or `git`, found {}",
                entry.value.kind.describe()
            ),
        ));
        return None;
    };
    let fields = unique_members(fields, &format!("dependency `{alias}`"), out);
    let field = |name: &str| fields.iter().copied().find(|m| m.key == name);
    for m in &fields {
        if !matches!(m.key.as_str(), "path" | "git" | "rev") {
            out.push(unknown_field(
                m,
                &format!("dependency `{alias}`"),
                "`path`, `git`, `rev`",
            ));
        }
    }
    let source = match (field("path"), field("git")) {
        (Some(path), None) => {
            if let Some(rev) = field("rev") {
                out.push(manifest_error(
                    rev.key_span,
                    format!("dependency `{alias}`: `rev` only applies to `git` dependencies"),
                ));
                valid = false;
            }
            text_field(path, alias, out).map(|p| (DependencySource::Path(p), path.value.span))
        }
        (None, Some(git)) => {
            let rev = match field("rev") {
                Some(rev) => match text_field(rev, alias, out) {
                    Some(r) => Some(r),
                    None => {
                        valid = false;
                        None
                    }
                },
                None => None,
            };
            text_field(git, alias, out)
                .map(|url| (DependencySource::Git { url, rev }, git.value.span))
        }
        (Some(_), Some(git)) => {
            out.push(manifest_error(
                git.key_span,
                format!("dependency `{alias}` has both `path` and `git`; give exactly one"),
            ));
            None
        }
        (None, None) => {
            out.push(manifest_error(
                entry.key_span,
                format!("dependency `{alias}` needs `path` or `git`"),
            ));
            None
        }
    };
    let (source, source_span) = source?;
    valid.then(|| ManifestDependency {
        alias: alias.clone(),
        alias_span: entry.key_span,
        source,
        source_span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions() {
        for good in ["a", "my-game_2", "0"] {
            assert!(is_valid_name(good), "{good}");
        }
        for bad in ["", "My", "a b", "é", "a.b", "a/b", "@a"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
        for good in ["0.1.0", "10.20.30", "1.0.18446744073709551615"] {
            assert!(is_valid_version(good), "{good}");
        }
        for bad in [
            "",
            "1",
            "1.0",
            "1.0.0.0",
            "01.0.0",
            "1.0.x",
            "1.0.-1",
            "1.0.0-beta",
            "1..0",
            "1.0.18446744073709551616",
        ] {
            assert!(!is_valid_version(bad), "{bad}");
        }
    }

    #[test]
    fn defaults_fill_what_is_missing() {
        let (m, d) = parse_manifest(r#"{"name": "x", "version": "1.2.3"}"#, FileId(0), "dir");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(m.name, "x");
        assert_eq!(m.title, "x");
        assert_eq!(m.kind, ProjectKind::App);
        assert_eq!(m.app_id, 0);
        assert_eq!(m.entry_span, Span::new(FileId(0), 9, 12));
    }

    #[test]
    fn broken_json_keeps_the_fallback_name() {
        let (m, d) = parse_manifest("{", FileId(0), "dir");
        assert_eq!(m.name, "dir");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, DiagnosticCode::ProjectManifest);
    }
}
