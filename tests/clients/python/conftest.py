"""pytest-lsp driving the real `layergate lsp` with recorded client capabilities.

Fixtures:
- ``ws``: a copy of a fixture workspace under ``tests/fixtures`` (default
  ``ts-layers``; ``@pytest.mark.parametrize("ws", [...], indirect=True)`` for others).
- ``push_client``: initialized with a preset that has no pull-diagnostic
  capability (Neovim 0.7, Debian's; VS Code 1.65) -> the server pushes.
- ``pull_client``: initialized with a preset that has ``textDocument.diagnostic``
  (Neovim 0.11 as recorded; VS Code 1.65 plus the capability every VS Code since
  1.70 sends) -> the server answers ``textDocument/diagnostic`` and
  ``workspace/diagnostic`` and does not push.

The oracle everywhere is ``layergate check --format json`` run in the same
workspace (``--stdin-filename`` for proposed contents).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = Path(__file__).resolve().parents[3]
LAYERGATE = os.path.abspath(os.environ.get("LAYERGATE", str(REPO / "target/debug/layergate")))
ENV = {**os.environ, "LAYERGATE_NOW": os.environ.get("LAYERGATE_NOW", "2026-06-01")}
SEVERITY = {"error": 1, "warning": 2, "info": 3, "hint": 4}

CONFIG = ClientServerConfig(server_command=[LAYERGATE, "lsp"], server_env=ENV)


@pytest.fixture
def ws(request, tmp_path) -> Path:
    name = getattr(request, "param", "ts-layers")
    dest = tmp_path / name
    shutil.copytree(REPO / "tests" / "fixtures" / name, dest, symlinks=True)
    return dest


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def rel_of(ws: Path, uri: str) -> str:
    prefix = uri_of(ws) + "/"
    assert uri.startswith(prefix), uri
    return uri[len(prefix) :]


def run_check(ws: Path, rel: str | None = None, content: str | None = None) -> list[dict]:
    """`layergate check --format json` in ``ws``; with ``content``, on that
    proposed content of ``rel``."""
    args = [LAYERGATE, "check", "--format", "json", "--no-cache"]
    if content is not None:
        args += ["--stdin-filename", rel]
    p = subprocess.run(
        args, cwd=ws, env=ENV, input=content or "", capture_output=True, text=True, timeout=60
    )
    assert p.returncode in (0, 1), p.stderr
    diags = json.loads(p.stdout)["diagnostics"]
    if rel is not None:
        diags = [d for d in diags if d["file"] == rel]
    return diags


def _col(line: str, scalar_col: int, encoding: str) -> int:
    prefix = line[: scalar_col - 1]
    if encoding == "utf-8":
        return len(prefix.encode("utf-8"))
    if encoding == "utf-32":
        return len(prefix)
    return len(prefix.encode("utf-16-le")) // 2


def expected(ws: Path, diags: list[dict], encoding: str, texts: dict[str, str] | None = None):
    """The oracle's diagnostics as comparable tuples per file, columns in ``encoding``."""
    out: dict[str, list[tuple]] = {}
    for d in diags:
        text = (texts or {}).get(d["file"])
        if text is None:
            text = (ws / d["file"]).read_bytes().decode("utf-8", errors="replace")
        lines = text.split("\n")
        line = lambda n: lines[n - 1] if n - 1 < len(lines) else ""  # noqa: E731
        out.setdefault(d["file"], []).append(
            (
                d["line"] - 1,
                _col(line(d["line"]), d["column"], encoding),
                d["end_line"] - 1,
                _col(line(d["end_line"]), d["end_column"], encoding),
                d["rule"],
                SEVERITY[d["severity"]],
                d["message"],
            )
        )
    return {k: sorted(v) for k, v in out.items()}


def norm(diags) -> list[tuple]:
    return sorted(
        (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.code,
            int(d.severity),
            d.message,
        )
        for d in diags
    )


def markers(by_file: dict[str, list[tuple]]) -> list[str]:
    """``file:line:rule`` (1-based line), the shape of the fixtures' markers."""
    return sorted(f"{f}:{t[0] + 1}:{t[4]}" for f, ts in by_file.items() for t in ts)


def encoding_of(result: types.InitializeResult) -> str:
    enc = result.capabilities.position_encoding
    return str(enc.value if hasattr(enc, "value") else enc) if enc else "utf-16"


async def status(client: LanguageClient) -> dict:
    """`layergate/status`: waits until every queued change is analysed."""
    r = await client.protocol.send_request_async("layergate/status", None)
    return _plain(r)


async def eventually(client: LanguageClient, get, want, timeout: float = 15.0):
    """``get()`` once it equals ``want`` (or when ``timeout`` runs out).

    `layergate/status` answers once the server has analysed every queued change
    and handed its publishes to the transport, but the response can overtake
    those `publishDiagnostics` notifications on the wire (see the README), so
    a test waits for the expected state and then asserts it exactly."""
    await status(client)
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while get() != want and loop.time() < end:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.05)  # anything published right after must not change it
    return get()


def _plain(obj):
    """pygls returns custom results as attribute objects; make them dicts/lists."""
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if hasattr(obj, "_asdict"):  # pygls' Object is a namedtuple
        return {k: _plain(v) for k, v in obj._asdict().items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if hasattr(obj, "__dict__"):
        return {k: _plain(v) for k, v in vars(obj).items()}
    return obj


async def custom(client: LanguageClient, method: str, params: dict):
    return _plain(await client.protocol.send_request_async(method, params))


def _caps_with_pull(preset: str) -> types.ClientCapabilities:
    caps = client_capabilities(preset)
    if caps.text_document.diagnostic is None:
        # what VS Code sends since 1.70 (LSP 3.17 pull diagnostics)
        caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
            dynamic_registration=True, related_document_support=False
        )
    return caps


def _accept_registrations(client: LanguageClient):
    """Answer `client/registerCapability` as VS Code does (pytest-lsp's client
    has no handler for it) and keep what was registered."""
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams):
        ls.registrations.extend(params.registrations)
        return None


async def _initialize(client: LanguageClient, ws: Path, caps: types.ClientCapabilities):
    _accept_registrations(client)
    uri = uri_of(ws)
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            root_uri=uri,
            workspace_folders=[types.WorkspaceFolder(uri=uri, name=ws.name)],
        )
    )
    client.init_result = result
    client.ws = ws
    return result


PUSH_PRESETS = ["neovim@v0.7.0", "visual-studio-code@v1.65.2"]
PULL_PRESETS = ["neovim@v0.11.0", "visual-studio-code@v1.65.2+pull"]


@pytest_lsp.fixture(config=CONFIG, params=PUSH_PRESETS)
async def push_client(lsp_client: LanguageClient, request, ws):
    caps = client_capabilities(request.param)
    assert caps.text_document.diagnostic is None, "a push preset must not offer pull"
    await _initialize(lsp_client, ws, caps)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, params=PULL_PRESETS)
async def pull_client(lsp_client: LanguageClient, request, ws):
    caps = _caps_with_pull(request.param.removesuffix("+pull"))
    assert caps.text_document.diagnostic is not None
    await _initialize(lsp_client, ws, caps)
    yield
    await lsp_client.shutdown_session()
