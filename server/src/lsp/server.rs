//! The `LanguageServer` implementation: converts, delegates to [`state`] and
//! [`features`], converts back. Notification handlers change state
//! synchronously before any `.await`; requests run in blocking threads so a
//! panic becomes an error response, never a dead server.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{watch, Notify};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::notification::Progress;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::features;
use super::proto::{self, Encoding};
use super::state::{self, Doc, Docs, Pending, World};

/// How long the analysis waits after a change for more changes (a burst of
/// keystrokes is analysed once).
/// Yields to the runtime before an analysis round (coalescing, not a delay).
const DEBOUNCE_YIELDS: usize = 8;

/// What the client can do, from `initialize`.
#[derive(Debug, Default, Clone, Copy)]
struct Caps {
    progress: bool,
    pull: bool,
    refresh: bool,
    dynamic_watch: bool,
}

pub struct Shared {
    docs: Mutex<Docs>,
    world: Mutex<World>,
    notify: Notify,
    /// `(indexed, epoch analysed)`.
    done: watch::Sender<(bool, u64)>,
    published: AtomicU64,
    caps: Mutex<Caps>,
    started: AtomicBool,
}

impl Shared {
    fn docs(&self) -> MutexGuard<'_, Docs> {
        self.docs.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn caps(&self) -> Caps {
        *self.caps.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        let (done, _) = watch::channel((false, 0));
        Backend {
            client,
            shared: Arc::new(Shared {
                docs: Mutex::new(Docs::default()),
                world: Mutex::new(World::new(Encoding::Utf16, Vec::new())),
                notify: Notify::new(),
                done,
                published: AtomicU64::new(0),
                caps: Mutex::new(Caps::default()),
                started: AtomicBool::new(false),
            }),
        }
    }

    /// Runs a synchronous change of the documents (catching panics), then
    /// wakes the analysis.
    fn sync(&self, what: &'static str, f: impl FnOnce(&mut Docs, Encoding)) {
        let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let mut d = self.shared.docs();
            let enc = d.enc;
            f(&mut d, enc)
        }));
        if let Err(p) = r {
            let msg = format!(
                "layergate: internal error in {what}: {}",
                panic_message(&*p)
            );
            let c = self.client.clone();
            tokio::spawn(async move { c.log_message(MessageType::ERROR, msg).await });
        }
        self.shared.notify.notify_one();
    }

    /// Runs `f` on the world in a blocking thread; a panic is logged and
    /// answered with an internal error.
    async fn with_world<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce(&mut World) -> T + Send + 'static,
    ) -> Result<T> {
        let sh = self.shared.clone();
        match tokio::task::spawn_blocking(move || {
            let mut w = sh.world();
            f(&mut w)
        })
        .await
        {
            Ok(v) => Ok(v),
            Err(e) => {
                let msg = match e.try_into_panic() {
                    Ok(p) => panic_message(&*p),
                    Err(e) => e.to_string(),
                };
                self.client
                    .log_message(
                        MessageType::ERROR,
                        format!("layergate: internal error in {what}: {msg}"),
                    )
                    .await;
                Err(Error::internal_error())
            }
        }
    }

    /// Waits (bounded) until every change queued so far is analysed; while
    /// the first index is being built, answers at once from what there is.
    async fn settle_if_indexed(&self, limit: Duration) {
        if self.shared.done.borrow().0 {
            self.settle(limit).await;
        }
    }

    /// Waits (bounded) until every change queued so far is analysed. Before
    /// `initialized` nothing is analysed yet: answers at once (a request
    /// waiting here would also hold one of the transport's four slots, and
    /// four of them would hold back `initialized` itself).
    async fn settle(&self, limit: Duration) -> bool {
        if !self.shared.started.load(Ordering::SeqCst) {
            return false;
        }
        let target = self.shared.docs().epoch;
        let mut rx = self.shared.done.subscribe();
        tokio::time::timeout(limit, rx.wait_for(|&(idx, e)| idx && e >= target))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// `layergate/status`: waits for the queued changes to be analysed, then
    /// tells whether the index is built and how many publishes were sent.
    pub async fn status(&self) -> Result<Value> {
        let settled = self.settle(Duration::from_secs(60)).await;
        let (indexed, epoch) = *self.shared.done.borrow();
        Ok(json!({
            "indexed": indexed,
            "settled": settled,
            "epoch": epoch,
            "published": self.shared.published.load(Ordering::SeqCst),
        }))
    }

    /// `layergate/explain`: `{ "markdown": ... }`.
    pub async fn explain(&self) -> Result<Value> {
        self.settle(Duration::from_secs(30)).await;
        let md = self
            .with_world("layergate/explain", |w| features::explain(w))
            .await?;
        Ok(json!({ "markdown": md }))
    }

    /// `layergate/checkContent`: diagnostics of a proposed content for a path,
    /// without opening or writing it.
    pub async fn check_content(&self, params: CheckContentParams) -> Result<Value> {
        let path = params.path()?;
        self.settle(Duration::from_secs(30)).await;
        let content = params.content;
        let r = self
            .with_world("layergate/checkContent", move |w| {
                w.check_content(&path, content)
            })
            .await?;
        match r {
            Ok(diags) => Ok(json!({ "diagnostics": diags })),
            Err(msg) => Err(Error::invalid_params(msg)),
        }
    }

    /// `layergate/allowed`: what a path may import.
    pub async fn allowed(&self, params: PathParams) -> Result<Value> {
        let path = params.path()?;
        self.settle(Duration::from_secs(30)).await;
        let r = self
            .with_world("layergate/allowed", move |w| features::allowed(w, &path))
            .await?;
        r.map_err(Error::invalid_params)
    }

    async fn register_watchers(&self) {
        // the sources and manifests of every language, then layergate's own files
        let sources = format!(
            "**/*.{{{}}}",
            rules::lang::extensions().collect::<Vec<_>>().join(",")
        );
        let globs: Vec<String> = std::iter::once(sources)
            .chain(
                rules::lang::LANGUAGES
                    .iter()
                    .flat_map(|d| d.manifests)
                    .map(|m| format!("**/{m}")),
            )
            .chain(
                [
                    "**/layergate.toml",
                    "**/layergate-baseline.json",
                    "**/.gitignore",
                    "**/.ignore",
                ]
                .map(String::from),
            )
            .collect();
        let watchers: Vec<FileSystemWatcher> = globs
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.clone()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let reg = Registration {
            id: "layergate-watched-files".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![reg]).await {
            self.client
                .log_message(
                    MessageType::WARNING,
                    format!("layergate: cannot watch files: {e}"),
                )
                .await;
        }
    }
}

/// Params naming a file by `uri` or `path`.
#[derive(Debug, Deserialize)]
pub struct PathParams {
    pub uri: Option<Uri>,
    pub path: Option<String>,
}

fn resolve_path(uri: &Option<Uri>, path: &Option<String>) -> Result<PathBuf> {
    if let Some(u) = uri {
        return proto::path_of(u).ok_or_else(|| Error::invalid_params("`uri` is not a file URI"));
    }
    if let Some(p) = path {
        let p = PathBuf::from(p);
        let abs = if p.is_absolute() {
            p
        } else {
            crate::project::cwd().join(p)
        };
        return Ok(proto::canonical(&abs));
    }
    Err(Error::invalid_params("expected `uri` or `path`"))
}

impl PathParams {
    fn path(&self) -> Result<PathBuf> {
        resolve_path(&self.uri, &self.path)
    }
}

#[derive(Debug, Deserialize)]
pub struct CheckContentParams {
    pub uri: Option<Uri>,
    pub path: Option<String>,
    pub content: String,
}

impl CheckContentParams {
    fn path(&self) -> Result<PathBuf> {
        resolve_path(&self.uri, &self.path)
    }
}

/// The single analysis task: indexes, then applies queued changes and
/// publishes, one round at a time (a burst is one round).
async fn analysis_task(shared: Arc<Shared>, client: Client) {
    let caps = shared.caps();
    let token = NumberOrString::String("layergate/index".into());
    let progress = caps.progress
        && client
            .create_work_done_progress(token.clone())
            .await
            .is_ok();
    let send = |value: WorkDoneProgress| {
        let client = client.clone();
        let token = token.clone();
        async move {
            if progress {
                client
                    .send_notification::<Progress>(ProgressParams {
                        token,
                        value: ProgressParamsValue::WorkDone(value),
                    })
                    .await;
            }
        }
    };
    send(WorkDoneProgress::Begin(WorkDoneProgressBegin {
        title: "layergate: indexing".into(),
        cancellable: Some(false),
        message: Some("finding files".into()),
        percentage: Some(0),
    }))
    .await;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
    let sh = shared.clone();
    let handle = tokio::task::spawn_blocking(move || {
        let (folders, overlay) = {
            let w = sh.world();
            (w.folders.clone(), w.overlay.clone())
        };
        let mut log = Vec::new();
        let roots = state::load_roots(&folders, overlay, &mut log, &mut |d, t| {
            let _ = tx.send((d, t));
        });
        let mut w = sh.world();
        w.install(roots, &sh.docs);
        w.log.extend(log);
        w.indexed = true;
    });
    while let Some((done, total)) = rx.recv().await {
        let pct = (done * 100).checked_div(total).unwrap_or(100) as u32;
        send(WorkDoneProgress::Report(WorkDoneProgressReport {
            cancellable: Some(false),
            message: Some(format!("{done}/{total} files")),
            percentage: Some(pct),
        }))
        .await;
    }
    if let Err(e) = handle.await {
        client
            .log_message(
                MessageType::ERROR,
                format!("layergate: indexing failed: {e}"),
            )
            .await;
        shared.world().indexed = true;
    }
    round(&shared, &client).await;
    let (files, errors) = shared.world().summary();
    send(WorkDoneProgress::End(WorkDoneProgressEnd {
        message: Some(format!("{files} files, {errors} errors")),
    }))
    .await;
    loop {
        shared.notify.notified().await;
        // let notifications already read from the client be applied first,
        // so a burst becomes one round; no fixed delay: latency matters
        for _ in 0..DEBOUNCE_YIELDS {
            tokio::task::yield_now().await;
        }
        round(&shared, &client).await;
    }
}

/// One analysis round: apply the queue, re-check, publish what changed.
async fn round(shared: &Arc<Shared>, client: &Client) {
    let sh = shared.clone();
    let r = tokio::task::spawn_blocking(move || {
        let mut w = sh.world();
        let epoch = sh.docs().epoch;
        let res = std::panic::catch_unwind(AssertUnwindSafe(|| w.process(&sh.docs)));
        let log = std::mem::take(&mut w.log);
        let indexed = w.indexed;
        (epoch, indexed, res.map_err(|p| panic_message(&*p)), log)
    })
    .await;
    let caps = shared.caps();
    match r {
        Ok((epoch, indexed, res, log)) => {
            for m in log {
                client.log_message(MessageType::WARNING, m).await;
            }
            match res {
                Ok(pubs) => {
                    if caps.pull {
                        if caps.refresh && !pubs.is_empty() {
                            let c = client.clone();
                            // the client answers with pulls: do not wait for it here
                            tokio::spawn(async move {
                                let _ = c.workspace_diagnostic_refresh().await;
                            });
                        }
                    } else {
                        for p in pubs {
                            client
                                .publish_diagnostics(p.uri, p.diagnostics, p.version)
                                .await;
                            shared.published.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
                Err(msg) => {
                    client
                        .log_message(
                            MessageType::ERROR,
                            format!("layergate: internal error while analysing: {msg}"),
                        )
                        .await;
                }
            }
            shared.done.send_replace((indexed, epoch));
        }
        Err(e) => {
            client
                .log_message(
                    MessageType::ERROR,
                    format!("layergate: internal error while analysing: {e}"),
                )
                .await;
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = Encoding::negotiate(&params.capabilities);
        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .as_ref()
            .map(|f| f.iter().filter_map(|f| proto::path_of(&f.uri)).collect())
            .unwrap_or_default();
        #[allow(deprecated)]
        if folders.is_empty() {
            if let Some(p) = params.root_uri.as_ref().and_then(proto::path_of) {
                folders.push(p);
            }
        }
        if folders.is_empty() {
            folders.push(crate::project::cwd());
        }
        let caps = &params.capabilities;
        let c = Caps {
            progress: caps
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            pull: caps
                .text_document
                .as_ref()
                .is_some_and(|t| t.diagnostic.is_some()),
            refresh: caps
                .workspace
                .as_ref()
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            dynamic_watch: caps
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
        };
        *self.shared.caps.lock().unwrap_or_else(|e| e.into_inner()) = c;
        self.shared.docs().enc = enc;
        {
            let mut w = self.shared.world();
            w.enc = enc;
            w.folders = folders;
        }
        let diagnostic_provider = c.pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("layergate".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        });
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(enc.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..Default::default()
                    },
                )),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![features::SHOW_RULE.into()],
                    ..Default::default()
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                diagnostic_provider,
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "layergate".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.shared.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let enc = self.shared.world().enc;
        self.client
            .log_message(
                MessageType::INFO,
                format!(
                    "layergate {} (positions in {})",
                    env!("CARGO_PKG_VERSION"),
                    features::encoding_name(enc)
                ),
            )
            .await;
        tokio::spawn(analysis_task(self.shared.clone(), self.client.clone()));
        if self.shared.caps().dynamic_watch {
            self.register_watchers().await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.sync("textDocument/didOpen", |d, _| {
            let item = params.text_document;
            let Some(path) = proto::path_of(&item.uri) else {
                return;
            };
            let lines = rules::text::LineIndex::new(&item.text);
            d.docs.insert(
                path.clone(),
                Doc {
                    uri: item.uri,
                    version: item.version,
                    text: item.text,
                    lines,
                    tree: None,
                },
            );
            d.queue(Pending::Doc(path));
        });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let mut stale = None;
        self.sync("textDocument/didChange", |d, enc| {
            let Some(path) = proto::path_of(&params.text_document.uri) else {
                return;
            };
            let Some(doc) = d.docs.get_mut(&path) else {
                return;
            };
            let version = params.text_document.version;
            if version <= doc.version {
                stale = Some((doc.version, version));
                return;
            }
            for ch in &params.content_changes {
                doc.apply_change(enc, ch.range, &ch.text);
            }
            doc.version = version;
            d.queue(Pending::Doc(path));
        });
        if let Some((have, got)) = stale {
            self.client
                .log_message(
                    MessageType::LOG,
                    format!("layergate: dropped a stale change (version {got}, have {have})"),
                )
                .await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.sync("textDocument/didClose", |d, _| {
            let Some(path) = proto::path_of(&params.text_document.uri) else {
                return;
            };
            if d.docs.remove(&path).is_some() {
                d.queue(Pending::Doc(path));
            }
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.sync("workspace/didChangeWatchedFiles", |d, _| {
            for ch in params.changes {
                if let Some(path) = proto::path_of(&ch.uri) {
                    d.queue(Pending::Disk(path, ch.typ));
                }
            }
        });
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        self.sync("workspace/didChangeWorkspaceFolders", |d, _| {
            let added = params
                .event
                .added
                .iter()
                .filter_map(|f| proto::path_of(&f.uri))
                .collect();
            let removed = params
                .event
                .removed
                .iter()
                .filter_map(|f| proto::path_of(&f.uri))
                .collect();
            d.queue(Pending::Folders { added, removed });
        });
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        let Some(path) = proto::path_of(&p.text_document.uri) else {
            return Ok(None);
        };
        self.settle_if_indexed(Duration::from_secs(5)).await;
        self.with_world("textDocument/hover", move |w| {
            features::hover(w, &path, p.position)
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(path) = proto::path_of(&params.text_document.uri) else {
            return Ok(None);
        };
        self.settle_if_indexed(Duration::from_secs(5)).await;
        let range = params.range;
        let actions = self
            .with_world("textDocument/codeAction", move |w| {
                features::code_actions(w, &path, range)
            })
            .await?;
        Ok(Some(actions))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        if params.command != features::SHOW_RULE {
            return Err(Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let mut args = params.arguments.into_iter();
        let uri: Option<Uri> = args.next().and_then(|v| serde_json::from_value(v).ok());
        let range: Option<Range> = args.next().and_then(|v| serde_json::from_value(v).ok());
        let Some(uri) = uri else {
            return Err(Error::invalid_params("expected [uri, range]"));
        };
        let shown = self
            .client
            .show_document(ShowDocumentParams {
                uri,
                external: Some(false),
                take_focus: Some(true),
                selection: range,
            })
            .await
            .unwrap_or(false);
        Ok(Some(json!(shown)))
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        self.settle(Duration::from_secs(30)).await;
        let path = proto::path_of(&params.text_document.uri);
        let items = self
            .with_world("textDocument/diagnostic", move |w| {
                path.and_then(|p| w.published.get(&p).map(|(_, d)| d.clone()))
                    .unwrap_or_default()
            })
            .await?;
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn workspace_diagnostic(
        &self,
        _: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        self.settle(Duration::from_secs(60)).await;
        let versions: std::collections::HashMap<PathBuf, i32> = self
            .shared
            .docs()
            .docs
            .iter()
            .map(|(p, d)| (p.clone(), d.version))
            .collect();
        let items = self
            .with_world("workspace/diagnostic", move |w| {
                w.published
                    .iter()
                    .map(|(p, (uri, d))| {
                        WorkspaceDocumentDiagnosticReport::Full(
                            WorkspaceFullDocumentDiagnosticReport {
                                uri: uri.clone(),
                                version: versions.get(p).map(|v| i64::from(*v)),
                                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                                    result_id: None,
                                    items: d.clone(),
                                },
                            },
                        )
                    })
                    .collect()
            })
            .await?;
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }
}
