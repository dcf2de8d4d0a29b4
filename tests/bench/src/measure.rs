//! Whole-process measurements: wall time and peak RSS of a command and its
//! descendants, with a timeout, through GNU time (`/usr/bin/time`).
//!
//! GNU time reports the `ru_maxrss` of `wait4`, which for a child is the
//! largest resident set of the child or of any descendant it waited for:
//! the peak of the biggest single process of the tree (for node, and for
//! layergate and fallow, that is the one process doing the work).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

pub const GNU_TIME: &str = "/usr/bin/time";

/// One run of a command.
#[derive(Debug, Clone)]
pub struct Measured {
    pub wall: Duration,
    /// Peak RSS in KB (0 when GNU time reported none).
    pub max_rss_kb: u64,
    /// The command's exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    pub timed_out: bool,
    /// Where its stdout went.
    pub stdout: PathBuf,
}

/// Fails with an install hint when GNU time is missing.
pub fn require_gnu_time() -> anyhow::Result<()> {
    if !Path::new(GNU_TIME).exists() {
        bail!("{GNU_TIME} is missing: install GNU time (`apt-get install time`)");
    }
    Ok(())
}

/// Runs `argv` in `cwd` with `env` added, under GNU time and `timeout`,
/// stdout to `stdout`, stderr to `stdout` + `.err`.
pub fn run(
    argv: &[OsString],
    env: &[(String, String)],
    cwd: &Path,
    timeout: Duration,
    stdout: &Path,
) -> anyhow::Result<Measured> {
    let (exe, args) = argv.split_first().context("empty command")?;
    let rss_file = stdout.with_extension("time");
    let err_file = stdout.with_extension("err");
    let _ = std::fs::remove_file(&rss_file);
    let t = Instant::now();
    let status = Command::new(GNU_TIME)
        .arg("-o")
        .arg(&rss_file)
        .arg("-f")
        .arg("%M")
        .arg("timeout")
        .arg("--kill-after=5")
        .arg(format!("{}", timeout.as_secs().max(1)))
        .arg(exe)
        .args(args)
        .current_dir(cwd)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(stdout)?)
        .stderr(std::fs::File::create(&err_file)?)
        .status()
        .with_context(|| format!("running {}", exe.to_string_lossy()))?;
    let wall = t.elapsed();
    let report = std::fs::read_to_string(&rss_file).unwrap_or_default();
    let code = parse_exit_code(&report).or(status.code());
    Ok(Measured {
        wall,
        max_rss_kb: parse_max_rss(&report).unwrap_or(0),
        timed_out: code == Some(124) || code == Some(137),
        code,
        stdout: stdout.to_path_buf(),
    })
}

/// The `%M` line GNU time wrote (the last line that is a number: when the
/// command fails, a "Command exited with non-zero status N" line comes first).
pub fn parse_max_rss(report: &str) -> Option<u64> {
    report.lines().rev().find_map(|l| l.trim().parse().ok())
}

/// "Command exited with non-zero status N" → N.
fn parse_exit_code(report: &str) -> Option<i32> {
    report.lines().find_map(|l| {
        l.trim()
            .strip_prefix("Command exited with non-zero status ")?
            .parse()
            .ok()
    })
}

/// The median of `xs` (the lower middle for an even count); `None` if empty.
pub fn median<T: Copy + Ord>(xs: &[T]) -> Option<T> {
    let mut v = xs.to_vec();
    v.sort();
    v.get((v.len().max(1) - 1) / 2).copied()
}

pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

pub fn mb(kb: u64) -> String {
    format!("{} MB", kb / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnu_time_reports_are_parsed() {
        assert_eq!(parse_max_rss("818676\n"), Some(818_676));
        let failed = "Command exited with non-zero status 16\n818676\n";
        assert_eq!(parse_max_rss(failed), Some(818_676));
        assert_eq!(parse_exit_code(failed), Some(16));
        assert_eq!(parse_exit_code("42\n"), None);
        assert_eq!(parse_max_rss(""), None);
    }

    #[test]
    fn median_is_the_lower_middle() {
        assert_eq!(median(&[5, 1, 3]), Some(3));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2));
        assert_eq!(median::<u32>(&[]), None);
    }
}
