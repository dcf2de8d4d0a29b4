//! `layergate lsp`: the language server on standard input and output.
//!
//! Layout (the only part of layergate that knows LSP, JSON-RPC or tokio):
//! * [`server`]: the `LanguageServer` impl, the analysis task, custom requests;
//! * [`state`]: open documents, workspaces, the change queue, publishing diffs;
//! * [`features`]: hover, code actions, `layergate/explain`, `layergate/allowed`;
//! * [`proto`]: conversions to LSP types in the negotiated position encoding;
//! * [`fs`]: the file system resolvers see (disk + open documents).
//!
//! Custom requests: `layergate/explain` (→ `{ markdown }`),
//! `layergate/checkContent` (`{ uri | path, content }` → `{ diagnostics }`),
//! `layergate/allowed` (`{ uri | path }`), `layergate/status` (waits until the
//! queued changes are analysed → `{ indexed, settled, epoch, published }`).

mod features;
mod frames;
mod fs;
mod proto;
mod server;
mod state;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{LspService, Server};

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted for compatibility with clients that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

/// How long in-flight requests may still run once the input is over (EOF,
/// `exit`, or a frame the transport could not decode): their answers go to a client that is gone or leaving, and a
/// request waiting for the client (`client/registerCapability`) would
/// otherwise wait forever.
const GRACE: Duration = Duration::from_millis(250);

/// How a session ended, and the process exit status it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `exit` after a successful `shutdown`: status 0.
    Exit,
    /// `exit` without a successful `shutdown` before it: status 1, as the
    /// LSP specification asks.
    ExitWithoutShutdown,
    /// The input ended (the client closed the pipe or died, even in the
    /// middle of a frame), with or without `shutdown`: status 0. Nobody is
    /// left to read the status.
    Eof,
    /// The input broke: a read error, or a frame the transport could not
    /// decode (bad headers, a body that is not JSON or not JSON-RPC), which
    /// tower-lsp-server answers with one error response (id `null`, -32700
    /// or -32600) before it stops reading; requests in flight then get the
    /// same grace as at EOF. Status 1.
    Broken,
}

impl Outcome {
    /// The process exit status of `layergate lsp`.
    pub fn code(self) -> i32 {
        match self {
            Outcome::Exit | Outcome::Eof => 0,
            Outcome::ExitWithoutShutdown | Outcome::Broken => 1,
        }
    }
}

pub fn run(_args: LspArgs) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let outcome = rt.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // a blocked stdin read or a running analysis must not keep us alive
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(outcome.code())
}

/// Runs the language server on any byte streams until `exit`, the end of
/// `input`, or a transport error. Needs a tokio runtime with time enabled;
/// the analysis task it spawns lives until that runtime is dropped.
pub async fn serve<I, O>(input: I, output: O) -> Outcome
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let session = Arc::new(Session::default());
    let (service, socket) = LspService::build(server::Backend::new)
        .custom_method("layergate/status", server::Backend::status)
        .custom_method("layergate/explain", server::Backend::explain)
        .custom_method("layergate/checkContent", server::Backend::check_content)
        .custom_method("layergate/allowed", server::Backend::allowed)
        .finish();
    let input = Input {
        inner: input,
        session: session.clone(),
        surrogates: SurrogateFix::default(),
        frames: frames::Frames::default(),
        out: Default::default(),
        eof: false,
    };
    let output = Output {
        inner: output,
        session: session.clone(),
        tail: Vec::new(),
    };
    let service = EmptyParams {
        inner: service,
        session: session.clone(),
    };
    let served = Server::new(input, output, socket).serve(service);
    let over = async {
        session.over.notified().await;
        tokio::time::sleep(GRACE).await;
    };
    tokio::select! {
        _ = served => {}
        _ = over => {}
    }
    session.outcome()
}

/// What the transport saw of a session.
#[derive(Default)]
struct Session {
    /// `initialize` was answered successfully.
    initialized: AtomicBool,
    /// `shutdown` was received after a successful `initialize` (LSP: "exit
    /// with 0 if the shutdown request has been received before"; a client
    /// may send `exit` before the answer to `shutdown` is written).
    shutdown: AtomicBool,
    exit: AtomicBool,
    eof: AtomicBool,
    read_error: AtomicBool,
    /// The transport answered a frame it could not decode, and stopped
    /// reading.
    undecodable: AtomicBool,
    /// The client sent a request with id `null` (then an InvalidRequest
    /// with id `null` may be an answer to it, not a decoding error).
    null_id: AtomicBool,
    /// Signalled once no more input will be read.
    over: Notify,
}

impl Session {
    fn outcome(&self) -> Outcome {
        if self.exit.load(Ordering::SeqCst) {
            if self.shutdown.load(Ordering::SeqCst) {
                Outcome::Exit
            } else {
                Outcome::ExitWithoutShutdown
            }
        } else if self.eof.load(Ordering::SeqCst) && !self.read_error.load(Ordering::SeqCst) {
            // a frame cut short by EOF is also answered with -32700: that is
            // a client gone mid-message, not a broken stream
            Outcome::Eof
        } else {
            Outcome::Broken
        }
    }
}

/// The input stream, noting its end.
struct Input<I> {
    inner: I,
    session: Arc<Session>,
    surrogates: SurrogateFix,
    frames: frames::Frames,
    /// Bytes ready for the transport.
    out: std::collections::VecDeque<u8>,
    eof: bool,
}

impl<I: AsyncRead + Unpin> AsyncRead for Input<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        while this.out.is_empty() && !this.eof {
            let mut chunk = [0u8; 8192];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => {
                    this.session.read_error.store(true, Ordering::SeqCst);
                    this.session.over.notify_one();
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(Ok(())) => {
                    let data = read.filled();
                    this.eof = data.is_empty();
                    let fixed = this.surrogates.process(data, this.eof);
                    this.out.extend(this.frames.process(&fixed, this.eof));
                }
            }
        }
        if this.out.is_empty() {
            if buf.remaining() > 0 {
                this.session.eof.store(true, Ordering::SeqCst);
                this.session.over.notify_one();
            }
            return Poll::Ready(Ok(()));
        }
        let n = buf.remaining().min(this.out.len());
        let (a, b) = this.out.as_slices();
        let from_a = n.min(a.len());
        buf.put_slice(&a[..from_a]);
        buf.put_slice(&b[..n - from_a]);
        this.out.drain(..n);
        Poll::Ready(Ok(()))
    }
}

/// Rewrites the JSON escapes of lone UTF-16 surrogates (`\ud800` without
/// its low half, or a low half alone) to `\ufffd` as the bytes stream in.
/// serde_json refuses them, and the transport would answer -32700 and end
/// the session; the replacement has the same length, so `Content-Length`
/// still holds. An escape cut by a read boundary is held back until the
/// next read.
#[derive(Default)]
struct SurrogateFix {
    /// Bytes not yet decided (at most one escape pair).
    carry: Vec<u8>,
    /// Whether the byte before `carry` ends an odd run of backslashes.
    odd: bool,
}

impl SurrogateFix {
    fn process(&mut self, data: &[u8], eof: bool) -> Vec<u8> {
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(data);
        let hex4 = |buf: &[u8], at: usize| -> Option<u32> {
            let s = std::str::from_utf8(buf.get(at..at + 4)?).ok()?;
            u32::from_str_radix(s, 16).ok()
        };
        let mut odd = self.odd;
        let mut i = 0;
        while i < buf.len() {
            let b = buf[i];
            if b == b'\\' && !odd {
                odd = true;
                i += 1;
                continue;
            }
            if odd && b == b'u' {
                // `u` and its four digits, and for a high half the escape
                // after it: wait for them unless the input is over
                let cp = hex4(&buf, i + 1);
                let high = cp.is_some_and(|c| (0xD800..0xDC00).contains(&c));
                if (if high { i + 11 } else { i + 5 }) > buf.len() && !eof {
                    break;
                }
                if let Some(cp) = cp {
                    if high {
                        let paired = buf.get(i + 5) == Some(&b'\\')
                            && buf.get(i + 6) == Some(&b'u')
                            && hex4(&buf, i + 7).is_some_and(|c| (0xDC00..0xE000).contains(&c));
                        if paired {
                            i += 11;
                            odd = false;
                            continue;
                        }
                    }
                    if (0xD800..0xE000).contains(&cp) {
                        buf[i + 1..i + 5].copy_from_slice(b"fffd");
                    }
                    i += 5;
                    odd = false;
                    continue;
                }
            }
            odd = false;
            i += 1;
        }
        // `i` stops at a `u` whose escape is not complete yet: the backslash
        // before it is passed on, so the carry starts after an odd run
        self.carry = buf.split_off(i);
        self.odd = odd;
        buf
    }
}

/// The output stream, watching for the transport's answer to a frame it
/// could not decode (after which it reads nothing more, but would still wait
/// for every request in flight, some of which wait for the client).
struct Output<O> {
    inner: O,
    session: Arc<Session>,
    /// The end of what was written so far, for a match across writes.
    tail: Vec<u8>,
}

/// tower-lsp-server's answers to an undecodable frame. Only a response can
/// contain these bytes: inside a JSON string the quotes would be escaped.
const PARSE_ERROR: &[u8] = br#""error":{"code":-32700,"message":"Parse error"},"id":null}"#;
const INVALID_REQUEST: &[u8] = br#""error":{"code":-32600,"message":"Invalid request"},"id":null}"#;

impl<O> Output<O> {
    fn scan(&mut self, written: &[u8]) {
        self.tail.extend_from_slice(written);
        let has = |pat: &[u8]| self.tail.windows(pat.len()).any(|w| w == pat);
        if has(PARSE_ERROR)
            || (has(INVALID_REQUEST) && !self.session.null_id.load(Ordering::SeqCst))
        {
            self.session.undecodable.store(true, Ordering::SeqCst);
            self.session.over.notify_one();
        }
        let keep = INVALID_REQUEST.len().max(PARSE_ERROR.len());
        let cut = self.tail.len().saturating_sub(keep);
        self.tail.drain(..cut);
    }
}

impl<O: AsyncWrite + Unpin> AsyncWrite for Output<O> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &r {
            this.scan(&buf[..(*n).min(buf.len())]);
        }
        r
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Requests without parameters (`layergate/status`, `layergate/explain`) also
/// accept `{}` and `[]` as their params: pygls, Neovim's `vim.empty_dict()`
/// and VS Code's `sendRequest(m, {})` send those, and the JSON-RPC router
/// would reject them as unexpected.
///
/// Also the place that sees every message: it notes a successful `shutdown`
/// and `exit` for the exit status.
struct EmptyParams<S> {
    inner: S,
    session: Arc<Session>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S> tower::Service<Request> for EmptyParams<S>
where
    S: tower::Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let method = req.method().to_string();
        if method == frames::INVALID_MESSAGE {
            // the stand-in for a malformed message: its JSON-RPC error
            let params = req.params().cloned().unwrap_or_default();
            let code = match params["code"].as_i64() {
                Some(-32700) => tower_lsp_server::jsonrpc::ErrorCode::ParseError,
                _ => tower_lsp_server::jsonrpc::ErrorCode::InvalidRequest,
            };
            let error = tower_lsp_server::jsonrpc::Error {
                code,
                message: params["message"]
                    .as_str()
                    .unwrap_or("Invalid message")
                    .to_string()
                    .into(),
                data: None,
            };
            let response = Response::from_error(tower_lsp_server::jsonrpc::Id::Null, error);
            return Box::pin(async move { Ok(Some(response)) });
        }
        if req.id() == Some(&tower_lsp_server::jsonrpc::Id::Null) {
            self.session.null_id.store(true, Ordering::SeqCst);
        }
        let empty = matches!(method.as_str(), "layergate/status" | "layergate/explain")
            && req.params().is_some_and(|p| {
                p.as_object().is_some_and(|o| o.is_empty())
                    || p.as_array().is_some_and(|a| a.is_empty())
            });
        let req = if empty {
            let (method, id, _) = req.into_parts();
            let b = Request::build(method);
            match id {
                Some(id) => b.id(id).finish(),
                None => b.finish(),
            }
        } else {
            req
        };
        if method == "exit" {
            // the transport stops reading after `exit`
            self.session.exit.store(true, Ordering::SeqCst);
            self.session.over.notify_one();
        }
        if method == "shutdown" && self.session.initialized.load(Ordering::SeqCst) {
            self.session.shutdown.store(true, Ordering::SeqCst);
        }
        let fut = self.inner.call(req);
        if method != "initialize" {
            return Box::pin(fut);
        }
        let session = self.session.clone();
        Box::pin(async move {
            let r = fut.await;
            if let Ok(Some(res)) = &r {
                if res.is_ok() {
                    session.initialized.store(true, Ordering::SeqCst);
                }
            }
            r
        })
    }
}

#[cfg(test)]
mod tests {
    use super::SurrogateFix;

    /// `input` through the fix cut at every point, as two reads.
    fn fixed(input: &str) -> String {
        let whole = {
            let mut f = SurrogateFix::default();
            let mut out = f.process(input.as_bytes(), false);
            out.extend(f.process(&[], true));
            out
        };
        for cut in 0..=input.len() {
            let mut f = SurrogateFix::default();
            let mut out = f.process(&input.as_bytes()[..cut], false);
            out.extend(f.process(&input.as_bytes()[cut..], false));
            out.extend(f.process(&[], true));
            assert_eq!(out, whole, "cut at {cut}");
        }
        String::from_utf8(whole).unwrap()
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(fixed(r#"{"t":"a\ud800b"}"#), r#"{"t":"a\ufffdb"}"#);
        assert_eq!(fixed(r#"{"t":"\udc00"}"#), r#"{"t":"\ufffd"}"#);
        assert_eq!(fixed(r#"{"t":"\uD83D"}"#), r#"{"t":"\ufffd"}"#);
        // a high half followed by something else than a low half
        assert_eq!(fixed(r#"{"t":"\ud800\u0041"}"#), r#"{"t":"\ufffd\u0041"}"#);
        // pairs, escaped backslashes and ordinary escapes are left alone
        for kept in [
            r#"{"t":"\ud83d\ude00"}"#,
            r#"{"t":"\\ud800"}"#,
            r#"{"t":"\\\ud83d\ude00\n\u00e9"}"#,
            r#"{"t":"plain"}"#,
        ] {
            assert_eq!(fixed(kept), kept);
        }
        // the length never changes (Content-Length holds)
        let s = r#"{"t":"\\\ud800x\udfff"}"#;
        assert_eq!(fixed(s).len(), s.len());
        assert_eq!(fixed(s), r#"{"t":"\\\ufffdx\ufffd"}"#);
    }
}
