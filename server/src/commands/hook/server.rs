//! The hook's warm server (`layergate hook-server CONFIG`): one process per
//! workspace that keeps the workspace loaded and checked between hook calls,
//! so that a call costs a few stat calls and the edited file's check rather
//! than a load and a full check (over half a second on 10,000 files).
//!
//! - The first hook call of a workspace finds no server: it judges the edit
//!   itself, as before, and starts one in the background (its own process
//!   group, no standard streams, so the agent does not wait for it).
//! - Later calls send the edit over a Unix socket in a private directory
//!   (`$XDG_RUNTIME_DIR/layergate/`, else `$TMPDIR/layergate-UID/`, mode
//!   0700 and owned by the user, or no server is used) and get the verdict.
//! - Before each answer the server brings its workspace up to date with the
//!   disk ([`crate::warm`]).
//! - It leaves after 10 minutes without a call (`LAYERGATE_HOOK_SERVER_IDLE`
//!   seconds), when its config or its socket is gone, and when a call comes
//!   from another build of layergate.
//!
//! `LAYERGATE_HOOK_SERVER=off` never uses a server; `require` fails a call
//! that no server answers (to test and diagnose the server).

use std::io::Read;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rules::workspace;
use serde::{Deserialize, Serialize};

use super::judge::{judge_source, Verdict, MAX_INPUT};
use crate::project;
use crate::warm::Warm;

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// The `layergate.toml` of the workspace to serve.
    pub config: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Request {
    /// The caller's build (see [`project::build_identity`]).
    identity: String,
    config: PathBuf,
    /// The edited file relative to the config's folder, as the caller found
    /// the config above it (the server's root is canonical: a symlinked
    /// prefix must not make the file look outside the workspace).
    rel: String,
    proposed: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Response {
    Allow,
    Block(String),
    /// Ask someone else: the server is leaving (another build called, its
    /// config does not load, the request is for another workspace).
    Stale,
    /// Still loading the workspace: the caller judges the edit itself.
    Busy,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Auto,
    Off,
    Require,
}

fn mode() -> Mode {
    match std::env::var("LAYERGATE_HOOK_SERVER").as_deref() {
        Ok("off" | "0" | "false") => Mode::Off,
        Ok("require") => Mode::Require,
        _ => Mode::Auto,
    }
}

/// How long a call waits for the server's answer (the server may be
/// loading); past it, the call judges the edit itself.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);

fn identity() -> String {
    project::build_identity()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The private directory of this user's sockets, created if missing; `None`
/// when it is not a directory that only this user can enter.
fn socket_dir() -> Option<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    // SAFETY: getuid has no preconditions and cannot fail
    let uid = unsafe { libc::getuid() };
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(run) if run.is_absolute() => run.join("layergate"),
        _ => std::env::temp_dir().join(format!("layergate-{uid}")),
    };
    let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
    let m = std::fs::symlink_metadata(&dir).ok()?;
    (m.is_dir() && m.uid() == uid && m.mode() & 0o077 == 0).then_some(dir)
}

/// The socket of this build's server of the workspace configured by
/// `config` (canonical): two installs of layergate used on one workspace
/// each keep their own server rather than replacing each other's.
fn socket_path(config: &Path) -> Option<PathBuf> {
    let key = rules::memo::Key::new()
        .part(config.as_os_str().as_encoded_bytes())
        .part(identity().as_bytes())
        .finish();
    Some(socket_dir()?.join(format!("{key:016x}.sock")))
}

/// The server's verdict on writing `proposed` to `path`, or `None` when no
/// server answered (then one is started, unless `LAYERGATE_HOOK_SERVER` says
/// otherwise, and the caller judges the edit itself).
pub fn ask(config: &Path, path: &Path, proposed: &str) -> Result<Option<Verdict>, String> {
    let mode = mode();
    if mode == Mode::Off {
        return Ok(None);
    }
    let answer = (|| {
        let rel = workspace::relative(config.parent()?, path)?;
        let config = std::fs::canonicalize(config).ok()?;
        let socket = socket_path(&config)?;
        let request = Request {
            identity: identity(),
            config,
            rel,
            proposed: proposed.to_string(),
        };
        let started = Instant::now();
        loop {
            let Ok(stream) = UnixStream::connect(&socket) else {
                if mode == Mode::Auto {
                    start(&request.config);
                }
                return None;
            };
            match exchange(stream, &request).ok()? {
                Response::Allow => return Some(Verdict::Allow),
                Response::Block(reason) => return Some(Verdict::Block(reason)),
                Response::Stale => return None,
                // `require` waits for the load; otherwise the call judges alone
                Response::Busy if mode == Mode::Require && started.elapsed() < ANSWER_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Response::Busy => return None,
            }
        }
    })();
    match answer {
        None if mode == Mode::Require => {
            Err("no hook server answered (LAYERGATE_HOOK_SERVER=require)".into())
        }
        answer => Ok(answer),
    }
}

fn exchange(mut stream: UnixStream, request: &Request) -> std::io::Result<Response> {
    stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
    stream.set_write_timeout(Some(ANSWER_TIMEOUT))?;
    serde_json::to_writer(&mut stream, request)?;
    stream.shutdown(std::net::Shutdown::Write)?;
    let mut answer = String::new();
    stream.take(MAX_INPUT).read_to_string(&mut answer)?;
    Ok(serde_json::from_str(&answer)?)
}

/// Starts the server of `config` in the background (best effort).
fn start(config: &Path) {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let _ = Command::new(exe)
        .arg("hook-server")
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
}

/// `layergate hook-server CONFIG`: serves hook calls for one workspace until
/// it is idle, gone, or called by another build.
pub fn serve(args: ServerArgs) -> anyhow::Result<i32> {
    let config = std::fs::canonicalize(&args.config)?;
    let Some(socket) = socket_path(&config) else {
        anyhow::bail!("no private directory for the hook server's socket");
    };
    let Some(listener) = bind(&socket) else {
        // another server serves this workspace
        return Ok(0);
    };
    let ours = inode(&socket);
    let last_call = Arc::new(Mutex::new(Instant::now()));
    watch(config.clone(), socket.clone(), ours, last_call.clone());
    // the socket is claimed first, so that calls during the load find it
    // (and are told it is busy) rather than starting more servers
    let (loaded, load) = std::sync::mpsc::channel();
    let to_load = config.clone();
    std::thread::spawn(move || {
        let _ = loaded.send(Warm::load(&to_load).ok());
    });
    let mut state: Option<Option<Warm>> = None;
    let me = identity();
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        touch(&last_call);
        let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
        let Some(request) = read_request(&mut stream) else {
            continue;
        };
        if state.is_none() {
            state = load.try_recv().ok();
        }
        let response = match state.as_mut() {
            None => Response::Busy,
            Some(Some(s)) if request.identity == me && request.config == config => {
                judge(s, &request.rel, request.proposed)
            }
            Some(_) => Response::Stale,
        };
        let leaving = matches!(response, Response::Stale);
        if leaving {
            // the caller judges the edit itself; its next call starts a
            // new server
            leave(&socket, ours);
        }
        let _ = serde_json::to_writer(&mut stream, &response);
        drop(stream);
        if leaving {
            return Ok(0);
        }
        touch(&last_call);
    }
    Ok(0)
}

fn touch(last_call: &Mutex<Instant>) {
    *last_call.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
}

fn read_request(stream: &mut UnixStream) -> Option<Request> {
    // a caller that connects and says nothing does not hold the server
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut text = String::new();
    stream
        .take(MAX_INPUT + 4096)
        .read_to_string(&mut text)
        .ok()?;
    serde_json::from_str(&text).ok()
}

/// Binds the socket, replacing one no server listens on; `None` when a
/// server listens there.
fn bind(socket: &Path) -> Option<UnixListener> {
    match UnixListener::bind(socket) {
        Ok(l) => Some(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            if UnixStream::connect(socket).is_ok() {
                return None;
            }
            std::fs::remove_file(socket).ok()?;
            UnixListener::bind(socket).ok()
        }
        Err(_) => None,
    }
}

fn inode(path: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).ok().map(|m| m.ino())
}

/// Removes the socket if it is still this server's.
fn leave(socket: &Path, ours: Option<u64>) {
    if inode(socket) == ours {
        let _ = std::fs::remove_file(socket);
    }
}

fn idle_limit() -> Duration {
    let secs = std::env::var("LAYERGATE_HOOK_SERVER_IDLE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    Duration::from_secs(secs)
}

/// Ends the process when it has been idle too long, or its config or socket
/// is gone (a deleted checkout, another server in its place).
fn watch(config: PathBuf, socket: PathBuf, ours: Option<u64>, last_call: Arc<Mutex<Instant>>) {
    let limit = idle_limit();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        let idle = last_call
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed();
        if idle > limit || !config.is_file() || inode(&socket) != ours {
            leave(&socket, ours);
            std::process::exit(0);
        }
    });
}

/// The verdict on writing `proposed` to `rel` in the served workspace.
fn judge(warm: &mut Warm, rel: &str, proposed: String) -> Response {
    if warm.catch_up().is_err() {
        return Response::Stale;
    }
    // a workspace-relative name, as `walk` lists them
    let plain = !rel.is_empty()
        && !rel.starts_with('/')
        && rel
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    if !plain || !workspace::walked(&warm.host.config, rel) {
        return Response::Allow;
    }
    let path = warm.host.root().join(rel);
    match judge_source(&mut warm.host, rel, &path, proposed) {
        Verdict::Allow => Response::Allow,
        Verdict::Block(reason) => Response::Block(reason),
    }
}
