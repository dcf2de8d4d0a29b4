"""`layergate lsp` under pytest-lsp's recorded VS Code and Neovim capabilities.

Every expectation comes from `layergate check --format json` on the same
contents (the oracle), and is pinned to the fixture markers (file, line, rule)
so that an empty oracle cannot pass.
"""

from __future__ import annotations

import subprocess

import pytest
from conftest import (
    LAYERGATE,
    ENV,
    custom,
    eventually,
    encoding_of,
    expected,
    markers,
    norm,
    rel_of,
    run_check,
    status,
    uri_of,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

# fixture -> its `//~` markers, "file:line:rule"
MARKERS = {
    "ts-layers": [
        "src/app/placeOrder.ts:4:layers",
        "src/domain/billing/invoice.ts:1:layers",
        "src/domain/orders/order.ts:2:layers",
        "src/infra/orderRepository.ts:3:layers",
    ],
    "ts-boundary": [
        "src/app/deploy.ts:12:network",
        "src/app/deploy.ts:1:process-spawn",
        "src/app/deploy.ts:2:process-spawn",
        "src/app/deploy.ts:7:env-access",
        "src/app/global-object.ts:4:network",
        "src/app/global-object.ts:5:network",
        "src/app/global-object.ts:6:network",
        "src/app/global-object.ts:7:network",
        "src/app/global-object.ts:8:env-access",
        "src/app/plugins.ts:12:process-spawn",
        "src/app/plugins.ts:8:dynamic-code",
        "src/app/settings.ts:13:env-access",
        "src/app/settings.ts:1:env-access",
        "src/scripts/release.ts:4:process-spawn",
    ],
    "rust-layers": [
        "src/api/handlers.rs:15:visibility",
        "src/domain/account.rs:23:layers",
        "src/domain/account.rs:3:layers",
        "src/domain/account.rs:3:layers",
        "src/domain/account.rs:4:layers",
        "src/domain/account.rs:5:layers",
        "src/infra/http.rs:4:layers",
        "src/infra/mod.rs:3:unresolved",
    ],
    "py-layers": [
        "src/shop/api/views.py:3:unresolved",
        "src/shop/domain/models.py:13:layers",
        "src/shop/domain/models.py:18:layers",
        "src/shop/domain/models.py:24:layers",
        "src/shop/domain/models.py:6:layers",
        "src/shop/domain/models.py:7:layers",
        "src/shop/domain/models.py:8:layers",
        "src/shop/domain/models.py:9:layers",
        "src/shop/domain/rules.py:3:layers",
        "src/shop/domain/rules.py:5:unresolved",
        "src/shop/domain/rules.py:6:unresolved",
        "tools/release.py:4:unresolved",
    ],
    "py-boundary": [
        "src/domain/model.py:14:no-subprocess",
        "src/domain/model.py:16:no-pickle",
        "src/domain/model.py:17:no-eval",
        "src/domain/model.py:3:no-subprocess",
        "src/domain/model.py:4:no-subprocess",
        "src/domain/model.py:5:domain-no-http",
        "src/domain/model.py:6:domain-no-http",
        "src/infra/shell.py:8:no-eval",
    ],
}
DIAG_FIXTURES = list(MARKERS)


def oracle_by_file(client: LanguageClient, texts: dict[str, str] | None = None):
    ws = client.ws
    want = expected(ws, run_check(ws), encoding_of(client.init_result), texts)
    assert markers(want) == sorted(MARKERS[ws.name]), "the oracle matches the fixture markers"
    return want


def published(client: LanguageClient) -> dict[str, list[tuple]]:
    return {rel_of(client.ws, uri): norm(ds) for uri, ds in client.diagnostics.items() if ds}


def open_doc(client: LanguageClient, rel: str, language: str = "typescript") -> tuple[str, str]:
    path = client.ws / rel
    text = path.read_text()
    uri = uri_of(path)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )
    return uri, text


# ------------------------------------------------------------------ push


@pytest.mark.parametrize("ws", DIAG_FIXTURES, indirect=True)
async def test_push_diagnostics_for_the_whole_workspace(push_client: LanguageClient, ws):
    """No file opened: the server indexes and pushes every file's diagnostics."""
    client = push_client
    assert client.init_result.capabilities.diagnostic_provider is None
    st = await status(client)
    assert st["indexed"] is True and st["settled"] is True
    want = oracle_by_file(client)
    assert await eventually(client, lambda: published(client), want) == want
    # $/progress begin ... end while indexing
    kinds = [type(v).__name__ for vs in client.progress_reports.values() for v in vs]
    assert kinds and kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd", kinds


async def test_push_diagnostic_fields(push_client: LanguageClient, ws):
    client = push_client
    uri = uri_of(ws / "src/app/placeOrder.ts")
    await eventually(client, lambda: len(client.diagnostics.get(uri, [])), 1)
    (d,) = client.diagnostics[uri]
    assert d.source == "layergate"
    assert d.code == "layers"
    assert d.code_description is not None and "layers" in d.code_description.href
    rel = d.related_information or []
    assert [r.location.uri for r in rel] == [uri_of(ws / "layergate.toml")]
    toml_lines = (ws / "layergate.toml").read_text().split("\n")
    assert toml_lines[rel[0].location.range.start.line].startswith("[layers]")
    data = d.data
    assert data["rule"] == "layers"
    assert data["from_module"] == "app" and data["to_module"] == "ui"
    assert data["target"] == "src/ui/toast.ts"
    assert data["baselined"] is False


async def type_then_undo(client: LanguageClient, rel: str, language: str, line: str, message: str):
    """Opens ``rel``, types ``line`` above its first line (a `layers`
    violation at line 1 appears, as `check --stdin-filename` says, with
    ``message`` in it), then undoes it: the diagnostic goes, and the whole
    workspace is as the oracle says."""
    ws = client.ws
    await status(client)
    uri, text = open_doc(client, rel, language)
    assert await eventually(client, lambda: list(client.diagnostics.get(uri, [])), []) == []

    def change(version: int, end_line: int, new: str):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=types.Position(0, 0), end=types.Position(end_line, 0)), text=new
                    )
                ],
            )
        )

    change(2, 0, line)
    new_text = line + text
    want = expected(ws, run_check(ws, rel, new_text), encoding_of(client.init_result), {rel: new_text})
    assert markers(want) == [f"{rel}:1:layers"]
    assert await eventually(client, lambda: norm(client.diagnostics.get(uri, [])), want[rel]) == want[rel]
    assert message in client.diagnostics[uri][0].message
    change(3, 1, "")
    assert await eventually(client, lambda: list(client.diagnostics[uri]), []) == []
    # and nothing else in the workspace changed
    want = oracle_by_file(client)
    assert await eventually(client, lambda: published(client), want) == want


async def test_did_change_adds_then_removes_a_layers_violation(push_client: LanguageClient, ws):
    """orderLine.ts (bottom layer) imports app: `layers` at line 1 appears; undo: gone."""
    await type_then_undo(
        push_client,
        "src/domain/orders/orderLine.ts",
        "typescript",
        "import { placeOrder } from '../../app/placeOrder';\n",
        "in module `orders` imports `src/app/placeOrder.ts` in module `app`",
    )


@pytest.mark.parametrize("ws", ["py-layers"], indirect=True)
async def test_did_change_in_a_python_file(push_client: LanguageClient, ws):
    """A Python buffer: infra's cache.py imports the api (a higher layer) as it
    is typed, unsaved; `layers` at line 1 appears, and goes with the undo."""
    await type_then_undo(
        push_client,
        "src/shop/infra/cache.py",
        "python",
        "from shop.api.views import View\n",
        "in module `infra` imports `src/shop/api/views.py` in module `api`",
    )


async def test_hover_on_an_import(push_client: LanguageClient, ws):
    client = push_client
    await status(client)
    uri, text = open_doc(client, "src/app/placeOrder.ts")
    line = text.split("\n")[3]
    assert line.startswith("import { showToast } from '../ui/toast';")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=3, character=line.index("../ui/toast") + 3),
        )
    )
    assert hover is not None and hover.contents.kind == types.MarkupKind.Markdown
    value = hover.contents.value
    assert "Resolves to `src/ui/toast.ts`" in value
    assert "- this file: `src/app/placeOrder.ts` in module `app`, layer 2 of 4" in value
    assert "- target: `src/ui/toast.ts` in module `ui`, layer 1 of 4" in value
    assert "Rules governing this file: `layers`" in value
    assert "- `layers`: `src/app/placeOrder.ts` in module `app` imports `src/ui/toast.ts`" in value
    assert hover.range == types.Range(start=types.Position(3, 0), end=types.Position(3, 40))


async def test_code_action_suppress_then_the_diagnostic_is_gone(push_client: LanguageClient, ws):
    client = push_client
    await status(client)
    rel = "src/app/placeOrder.ts"
    uri, text = open_doc(client, rel)
    await eventually(client, lambda: len(client.diagnostics.get(uri, [])), 1)
    (d,) = client.diagnostics[uri]
    assert (d.code, d.range.start.line) == ("layers", 3)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    titles = [a.title for a in actions]
    assert titles == ["Suppress `layers` on this line", "Show rule `layers` in layergate.toml"]
    suppress = actions[0]
    assert suppress.kind == types.CodeActionKind.QuickFix
    (edit,) = suppress.edit.changes[uri]
    assert edit.range == types.Range(start=types.Position(3, 0), end=types.Position(3, 0))
    assert edit.new_text == "// layergate-ignore layers: <reason>\n"
    # "Show rule" is a CodeAction carrying a `command`; lsprotocol's union
    # structuring turns any object with a `command` key into a Command, so
    # only its wire content is checked here
    show = actions[1]
    assert "layergate.showRule" in repr(show) and uri_of(ws / "layergate.toml") in repr(show)

    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)],
        )
    )
    # the violation is silenced; the placeholder is no reason: a warning on it
    placeholder = "the suppression's reason is still the placeholder `<reason>`: say why"
    codes = lambda: [(d.code, d.range.start.line, d.message) for d in client.diagnostics[uri]]  # noqa: E731
    assert await eventually(client, codes, [("suppression", 3, placeholder)]) == [("suppression", 3, placeholder)]
    lines = text.split("\n")
    new_text = "\n".join(lines[:3] + [edit.new_text.rstrip("\n")] + lines[3:])
    assert [(d["rule"], d["line"]) for d in run_check(ws, rel, new_text)] == [("suppression", 4)]
    # a real reason: nothing left
    reason_at = edit.new_text.index("<reason>")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(3, reason_at), end=types.Position(3, reason_at + len("<reason>"))
                    ),
                    text="wiring, see ARCH-1",
                )
            ],
        )
    )
    assert await eventually(client, lambda: list(client.diagnostics[uri]), []) == []
    assert run_check(ws, rel, new_text.replace("<reason>", "wiring, see ARCH-1")) == []


async def test_unknown_document_and_bad_positions_get_answers(push_client: LanguageClient, ws):
    """Requests for a document the server does not know, or a position past
    the end, answer empty, and the server keeps serving."""
    client = push_client
    await status(client)
    missing = types.TextDocumentIdentifier(uri=uri_of(ws / "src/nowhere/missing.ts"))
    assert await client.text_document_hover_async(types.HoverParams(text_document=missing, position=types.Position(0, 0))) is None
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=missing,
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert list(actions or []) == []
    known = types.TextDocumentIdentifier(uri=uri_of(ws / "src/app/placeOrder.ts"))
    assert await client.text_document_hover_async(types.HoverParams(text_document=known, position=types.Position(500, 3))) is None
    st = await status(client)
    assert st["indexed"] is True
    want = oracle_by_file(client)
    assert await eventually(client, lambda: published(client), want) == want


async def test_watched_files_registered_and_disk_changes_picked_up(push_client: LanguageClient, ws):
    """A file written behind the editor's back (an agent, `git checkout`) and
    announced with workspace/didChangeWatchedFiles gets its diagnostics;
    deleting it clears them."""
    client = push_client
    await status(client)
    dynamic = client.capabilities.workspace.did_change_watched_files
    if dynamic is not None and dynamic.dynamic_registration:
        assert [r.method for r in client.registrations] == ["workspace/didChangeWatchedFiles"]
        globs = sorted(w["globPattern"] for w in client.registrations[0].register_options["watchers"])
        # at least the sources, layergate.toml, tsconfig*.json, package.json, Cargo.toml
        assert set(globs) >= {
            "**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,rs,py,pyi}",
            "**/pyproject.toml",
            "**/layergate.toml",
            "**/tsconfig*.json",
            "**/package.json",
            "**/Cargo.toml",
        }, globs
    else:
        assert client.registrations == []

    rel = "src/infra/agentWrote.ts"
    path = ws / rel
    path.write_text("import { showToast } from '../ui/toast';\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri_of(path), type=types.FileChangeType.Created)])
    )
    want = oracle_with(client, [f"{rel}:1:layers"])
    assert await eventually(client, lambda: published(client), want) == want

    path.unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri_of(path), type=types.FileChangeType.Deleted)])
    )
    want = oracle_by_file(client)
    assert await eventually(client, lambda: published(client), want) == want


def oracle_with(client: LanguageClient, extra_markers: list[str]):
    ws = client.ws
    want = expected(ws, run_check(ws), encoding_of(client.init_result))
    assert markers(want) == sorted(MARKERS[ws.name] + extra_markers)
    return want


# ------------------------------------------------------------------ custom requests


async def test_explain_is_the_markdown_of_layergate_explain(push_client: LanguageClient, ws):
    client = push_client
    r = await custom(client, "layergate/explain", None)
    cli = subprocess.run([LAYERGATE, "explain"], cwd=ws, env=ENV, capture_output=True, text=True, check=True)
    assert r["markdown"].strip() == cli.stdout.strip()
    assert "`ui`" in r["markdown"] and "`orders`" in r["markdown"]


@pytest.mark.parametrize(
    "rel, content, want_markers",
    [
        # an existing file with a proposed violation added on line 2
        (
            "src/domain/orders/orderLine.ts",
            "import type { Money } from '../../shared/money';\nimport { showToast } from '../../ui/toast';\n",
            ["src/domain/orders/orderLine.ts:2:layers"],
        ),
        # a file that does not exist yet
        (
            "src/infra/newAdapter.ts",
            "import { placeOrder } from '../app/placeOrder';\nimport { Order } from '../domain/orders/order';\n",
            ["src/infra/newAdapter.ts:1:layers"],
        ),
        # a clean proposal
        ("src/app/clean.ts", "import { zero } from '../shared/money';\nexport const z = zero;\n", []),
    ],
)
async def test_check_content(push_client: LanguageClient, ws, rel, content, want_markers):
    client = push_client
    path = ws / rel
    existed = path.exists()
    r = await custom(client, "layergate/checkContent", {"uri": uri_of(path), "content": content})
    got = [
        types.Diagnostic(
            range=types.Range(
                start=types.Position(d["range"]["start"]["line"], d["range"]["start"]["character"]),
                end=types.Position(d["range"]["end"]["line"], d["range"]["end"]["character"]),
            ),
            message=d["message"],
            severity=types.DiagnosticSeverity(d["severity"]),
            code=d["code"],
        )
        for d in r["diagnostics"]
    ]
    want = expected(ws, run_check(ws, rel, content), encoding_of(client.init_result), {rel: content})
    assert markers(want) == want_markers
    assert norm(got) == want.get(rel, [])
    # nothing was written, and the workspace's diagnostics are as before
    assert path.exists() == existed
    want = oracle_by_file(client)
    assert await eventually(client, lambda: published(client), want) == want


# ------------------------------------------------------------------ pull


@pytest.mark.parametrize("ws", DIAG_FIXTURES, indirect=True)
async def test_pull_workspace_diagnostic(pull_client: LanguageClient, ws):
    client = pull_client
    opts = client.init_result.capabilities.diagnostic_provider
    assert opts is not None and opts.workspace_diagnostics is True and opts.inter_file_dependencies is True
    await status(client)
    report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    got = {}
    for item in report.items:
        assert item.kind == "full"
        if item.items:
            got[rel_of(ws, item.uri)] = norm(item.items)
    assert got == oracle_by_file(client)
    # a client that pulls is not pushed to
    assert published(client) == {}


@pytest.mark.parametrize("ws", DIAG_FIXTURES, indirect=True)
async def test_pull_document_diagnostic(pull_client: LanguageClient, ws):
    client = pull_client
    await status(client)
    want = oracle_by_file(client)
    for rel in sorted(want):
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri_of(ws / rel)))
        )
        assert report.kind == "full"
        assert norm(report.items) == want[rel], rel
    # a file without violations: an empty full report
    clean = next(
        p
        for p in sorted(ws.rglob("*"))
        if p.suffix in (".ts", ".rs", ".py") and str(p.relative_to(ws)) not in want
    )
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri_of(clean)))
    )
    assert report.kind == "full" and list(report.items) == []


async def test_pull_after_did_change(pull_client: LanguageClient, ws):
    client = pull_client
    await status(client)
    rel = "src/domain/orders/orderLine.ts"
    uri, text = open_doc(client, rel)
    line = "import { showToast } from '../../ui/toast';\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)), text=line
                )
            ],
        )
    )
    await status(client)
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    new_text = line + text
    want = expected(ws, run_check(ws, rel, new_text), encoding_of(client.init_result), {rel: new_text})
    assert markers(want) == [f"{rel}:1:layers"]
    assert norm(report.items) == want[rel]
