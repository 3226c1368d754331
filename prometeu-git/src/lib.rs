//! Git dependencies: checkouts made with the system `git` in a cache directory and
//! reused when present (`docs/spec/toolchain.md` §1).
//!
//! The project loader of `prometeu-analysis` asks for checkouts through its
//! [`GitCheckouts`] trait and runs no process itself. [`SystemGit`] answers by cloning
//! on the spot (the `prometeu` command); [`BackgroundGit`] answers at once with what is
//! in the cache and clones what is missing on another thread, then says so, so that a
//! language server never blocks a request on the network.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use prometeu_analysis::project::GitCheckouts;

/// Clones with the system `git` when asked, into a cache directory.
#[derive(Clone, Debug)]
pub struct SystemGit {
    /// Where checkouts live ([`default_cache_dir`] for the command).
    pub cache_dir: PathBuf,
}

impl SystemGit {
    /// The cache from the environment; `None` when neither `PROMETEU_CACHE_DIR` nor
    /// `HOME` is set.
    pub fn from_env() -> Option<SystemGit> {
        default_cache_dir().map(|cache_dir| SystemGit { cache_dir })
    }
}

impl GitCheckouts for SystemGit {
    fn checkout(&self, url: &str, rev: Option<&str>) -> Result<PathBuf, String> {
        checkout(&self.cache_dir, url, rev)
    }
}

/// How long a failed clone is remembered before a later load tries again (the network
/// came back, the repository was created): a load happens on every keystroke, so
/// failures are not retried at that rate.
pub const RETRY_AFTER: Duration = Duration::from_secs(30);

/// Answers from the cache at once; a checkout that is missing is cloned on a thread of
/// its own (one at a time per source), and `on_fetched` runs when it is there (or
/// failed), so the caller can load the projects again. A failure is the answer for
/// [`RETRY_AFTER`]; the next load after that clones again.
pub struct BackgroundGit {
    cache_dir: PathBuf,
    fetching: Arc<Mutex<HashSet<String>>>,
    /// Failed checkouts by directory name: the error and when it happened.
    failed: Arc<Mutex<HashMap<String, (String, Instant)>>>,
    retry_after: Duration,
    on_fetched: Arc<dyn Fn() + Send + Sync>,
}

impl BackgroundGit {
    /// Clones into `cache_dir`; calls `on_fetched` after each clone ends.
    pub fn new(cache_dir: PathBuf, on_fetched: Arc<dyn Fn() + Send + Sync>) -> BackgroundGit {
        BackgroundGit {
            cache_dir,
            fetching: Arc::default(),
            failed: Arc::default(),
            retry_after: RETRY_AFTER,
            on_fetched,
        }
    }

    /// The same, remembering a failure for `retry_after` instead of [`RETRY_AFTER`].
    pub fn with_retry_after(mut self, retry_after: Duration) -> BackgroundGit {
        self.retry_after = retry_after;
        self
    }
}

impl GitCheckouts for BackgroundGit {
    fn checkout(&self, url: &str, rev: Option<&str>) -> Result<PathBuf, String> {
        let name = checkout_dir_name(url, rev);
        let target = self.cache_dir.join(&name);
        if target.is_dir() {
            return Ok(target);
        }
        {
            let mut failed = lock(&self.failed);
            match failed.get(&name) {
                Some((error, at)) if at.elapsed() < self.retry_after => {
                    return Err(format!(
                        "{error} (tried again {} s after the failure)",
                        self.retry_after.as_secs()
                    ));
                }
                Some(_) => {
                    failed.remove(&name);
                }
                None => {}
            }
        }
        if lock(&self.fetching).insert(name.clone()) {
            let (cache, url, rev) = (
                self.cache_dir.clone(),
                url.to_string(),
                rev.map(str::to_string),
            );
            let (fetching, failed, done) = (
                Arc::clone(&self.fetching),
                Arc::clone(&self.failed),
                Arc::clone(&self.on_fetched),
            );
            std::thread::spawn(move || {
                if let Err(error) = checkout(&cache, &url, rev.as_deref()) {
                    lock(&failed).insert(name.clone(), (error, Instant::now()));
                }
                lock(&fetching).remove(&name);
                done();
            });
        }
        Err(format!(
            "`{url}` is being fetched; the project loads again when it is there"
        ))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The cache directory git dependencies are checked out in: `$PROMETEU_CACHE_DIR`, else
/// `$HOME/.cache/prometeu/git`; `None` when neither variable is set.
pub fn default_cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PROMETEU_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(Path::new(&home).join(".cache/prometeu/git"))
}

/// The name of the checkout of `url` at `rev` inside the cache directory:
/// `<repository>-<rev or HEAD>-<16 hex digits>`, where the first two parts are for
/// humans (sanitised to `[a-z0-9._-]`) and the digits are a 64-bit FNV-1a hash of the
/// URL and rev, so distinct sources get distinct directories on every machine.
pub fn checkout_dir_name(url: &str, rev: Option<&str>) -> String {
    let repo = url
        .trim_end_matches('/')
        .rsplit(['/', ':', '\\'])
        .next()
        .unwrap_or("")
        .trim_end_matches(".git");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    // The separator byte keeps ("ab", "c") and ("a", "bc") apart; a missing rev hashes
    // differently from every written one.
    let key = format!("{url}\n{}", rev.map_or("\u{0}", |r| r));
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!(
        "{}-{}-{hash:016x}",
        sanitise(repo, 40),
        sanitise(rev.unwrap_or("HEAD"), 40)
    )
}

fn sanitise(text: &str, max: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '_' | '-') => c,
            _ => '_',
        })
        .take(max)
        .collect();
    if clean.is_empty() || clean.starts_with('.') {
        format!("_{clean}")
    } else {
        clean
    }
}

/// The checkout of `url` at `rev` under `cache_dir`, cloning it first unless it is
/// already there (then git is not run at all). The error is a one-line summary for a
/// diagnostic.
pub fn checkout(cache_dir: &Path, url: &str, rev: Option<&str>) -> Result<PathBuf, String> {
    let name = checkout_dir_name(url, rev);
    let target = cache_dir.join(&name);
    if target.is_dir() {
        return Ok(target);
    }
    std::fs::create_dir_all(cache_dir).map_err(|e| {
        format!(
            "cannot create the git cache directory {}: {e}",
            cache_dir.display()
        )
    })?;
    // Clone beside the target and rename at the end, so an interrupted or failed clone
    // never leaves a directory that a later load would take for a finished checkout.
    // Unique per process and per call, so concurrent loads never share a temporary.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = cache_dir.join(format!(".tmp-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&temp);
    let result = clone_into(&temp, url, rev);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&temp);
        return Err(e);
    }
    if let Err(e) = std::fs::rename(&temp, &target) {
        let _ = std::fs::remove_dir_all(&temp);
        // Another process may have finished the same checkout first.
        if !target.is_dir() {
            return Err(format!(
                "cannot move the checkout into {}: {e}",
                target.display()
            ));
        }
    }
    Ok(target)
}

fn clone_into(dir: &Path, url: &str, rev: Option<&str>) -> Result<(), String> {
    let dir_text = dir.to_string_lossy();
    run_git(&["clone", "--quiet", "--", url, &dir_text], None)?;
    let Some(rev) = rev else {
        return Ok(());
    };
    // A branch other than the default exists only as `origin/<branch>` after a clone.
    let commit = run_git(
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
        Some(dir),
    )
    .or_else(|_| {
        run_git(
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("origin/{rev}^{{commit}}"),
            ],
            Some(dir),
        )
    })
    .map_err(|_| format!("git found no tag, branch or commit `{rev}`"))?;
    run_git(
        &["checkout", "--quiet", "--detach", commit.trim()],
        Some(dir),
    )?;
    Ok(())
}

/// Runs git without a terminal prompt; returns its stdout, or a summary of its stderr.
fn run_git(args: &[&str], dir: Option<&Path>) -> Result<String, String> {
    let mut command = Command::new("git");
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command
        .args(["-c", "advice.detachedHead=false"])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `git`: {e}"))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    Err(summarise(&String::from_utf8_lossy(&output.stderr), args[0]))
}

/// git's stderr in one line: its non-empty lines joined, at most 300 characters.
fn summarise(stderr: &str, what: &str) -> String {
    let joined = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if joined.is_empty() {
        return format!("`git {what}` failed");
    }
    let mut summary: String = joined.chars().take(300).collect();
    if summary.len() < joined.len() {
        summary.push('…');
    }
    format!("`git {what}` failed: {summary}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkout_names_are_readable_and_distinct() {
        let a = checkout_dir_name("https://example.com/me/Tweens.git", Some("v1.2.0"));
        assert!(a.starts_with("tweens-v1.2.0-"), "{a}");
        assert_eq!(a.len(), "tweens-v1.2.0-".len() + 16);
        assert_eq!(
            a,
            checkout_dir_name("https://example.com/me/Tweens.git", Some("v1.2.0"))
        );
        assert_ne!(
            a,
            checkout_dir_name("https://example.com/me/Tweens.git", None)
        );
        assert_ne!(
            a,
            checkout_dir_name("https://example.com/you/Tweens.git", Some("v1.2.0"))
        );
        let odd = checkout_dir_name("..", Some("feature/x y"));
        assert!(odd.starts_with("_..-feature_x_y-"), "{odd}");
        assert!(!odd.contains('/'));
    }

    #[test]
    fn stderr_is_summarised_on_one_line() {
        assert_eq!(
            summarise("fatal: a\n\n  b  \n", "clone"),
            "`git clone` failed: fatal: a; b"
        );
        assert_eq!(summarise("", "clone"), "`git clone` failed");
        assert!(summarise(&"x".repeat(1000), "clone").ends_with('…'));
    }
}
