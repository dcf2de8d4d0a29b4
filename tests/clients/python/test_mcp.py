"""The official MCP Python SDK (``mcp``) driving the real ``layergate mcp``.

The SDK validates every tool result against the ``outputSchema`` the tool
declares (and fails the call when it does not conform), so these tests hold
the check tools' structured results to their schema; the oracle for their
content is ``layergate check --format json`` in the same workspace.
"""

from __future__ import annotations

import json
import subprocess

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from conftest import ENV, LAYERGATE

CHECK_TOOLS = ("check_files", "check_content", "check_patch")


def cli_check(ws, *args: str, stdin: str | None = None) -> dict:
    out = subprocess.run(
        [LAYERGATE, "check", "--format", "json", *args],
        cwd=ws, env=ENV, input=stdin, capture_output=True, text=True, check=False,
    )
    return json.loads(out.stdout)


def rows(report: dict) -> list[tuple]:
    return [(d["rule"], d["file"], d["line"], d["column"], d["message"]) for d in report["diagnostics"]]


async def test_check_tools_return_structured_results_that_fit_their_schema(ws):
    params = StdioServerParameters(command=LAYERGATE, args=["mcp", "--root", str(ws)], env=ENV)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = {t.name: t for t in (await session.list_tools()).tools}
            assert set(tools) == {*CHECK_TOOLS, "allowed_dependencies", "explain"}
            for name in CHECK_TOOLS:
                schema = tools[name].output_schema
                assert schema is not None and schema["type"] == "object", name

            # the whole workspace: what `check` reports, each with how to fix it
            result = await session.call_tool("check_files", {})
            assert not result.is_error
            got = result.structured_content
            want = cli_check(ws)
            assert want["diagnostics"], "the fixture has violations"
            assert rows(got) == rows(want)
            assert all(len(d["how_to_fix"]) > 20 for d in got["diagnostics"])
            assert json.loads(result.content[0].text) == got

            # a proposed file: what `check --stdin-filename` reports for it
            path = "src/domain/orders/proposed.ts"
            content = 'import { toast } from "../../ui/toast";\nexport const x = toast;\n'
            result = await session.call_tool("check_content", {"path": path, "content": content})
            assert not result.is_error
            got = result.structured_content
            want = cli_check(ws, "--stdin-filename", path, stdin=content)
            assert got["diagnostics"], "the proposed import breaks a rule"
            assert rows(got) == [r for r in rows(want) if r[1] == path]

            # a patch adding the same file: only what it adds
            patch = (
                "--- /dev/null\n+++ b/src/domain/orders/proposed.ts\n@@ -0,0 +1,2 @@\n"
                + "".join("+" + line + "\n" for line in content.splitlines())
            )
            result = await session.call_tool("check_patch", {"unified_diff": patch})
            assert not result.is_error
            assert rows(result.structured_content) == rows(got)
            assert result.structured_content["removed"] == 0

            # a bad call is an error result, not a broken session
            result = await session.call_tool("check_content", {"path": "../outside.ts", "content": ""})
            assert result.is_error
            result = await session.call_tool("check_files", {"paths": ["src/app"]})
            assert not result.is_error
