"""Drives `mcpproxy proxy` with the real MCP Python SDK client, from a JSON plan.

Usage: python mcp_client.py PLAN.json
The plan: {"command": [...], "env": {...}, "mode": "auto"|"legacy", "elicitation": "accept"|"decline"|null,
           "steps": [{"op": "list_tools"} | {"op": "call", "name": N, "args": {...}, "progress": bool,
                      "cancel_after": seconds} | {"op": "list_prompts"} | {"op": "list_resources"} | {"op": "ping"}]}
Prints one JSON object per line for every step result and every server->client request seen.
"""

import json
import sys

import anyio
from mcp import Client, types
from mcp.client.stdio import StdioServerParameters


def emit(obj):
    print(json.dumps(obj), flush=True)


async def main(plan):
    cmd = plan["command"]
    params = StdioServerParameters(command=cmd[0], args=cmd[1:], env=plan.get("env"))
    answer = plan.get("elicitation")

    async def sampling(context, p):
        emit({"event": "sampling", "messages": len(p.messages)})
        return types.CreateMessageResult(role="assistant", content=types.TextContent(type="text", text="sampled reply"), model="test-model", stop_reason="endTurn")

    async def elicitation(context, p):
        emit({"event": "elicitation", "message": getattr(p, "message", "")})
        if answer == "accept":
            return types.ElicitResult(action="accept", content={})
        return types.ElicitResult(action=answer or "decline")

    async def roots(context):
        emit({"event": "roots"})
        return types.ListRootsResult(roots=[types.Root(uri=plan.get("root", "file:///tmp"), name="root")])

    async def logging(p):
        emit({"event": "log", "level": p.level})

    kwargs = dict(mode=plan.get("mode", "auto"), sampling_callback=sampling, list_roots_callback=roots, logging_callback=logging)
    if answer is not None:
        kwargs["elicitation_callback"] = elicitation
    async with Client(params, **kwargs) as client:
        emit({"event": "connected", "protocolVersion": client.protocol_version, "server": client.server_info.name if client.server_info else None})
        for step in plan["steps"]:
            op = step["op"]
            if op == "list_tools":
                r = await client.list_tools()
                emit({"op": op, "names": sorted(t.name for t in r.tools)})
            elif op == "list_prompts":
                r = await client.list_prompts()
                emit({"op": op, "names": sorted(p.name for p in r.prompts)})
            elif op == "list_resources":
                r = await client.list_resources()
                emit({"op": op, "count": len(r.resources)})
            elif op == "hook":
                # A Claude Code hook event through `mcpproxy hook evaluate`, between proxy calls.
                import subprocess
                env = dict(plan.get("env") or {})
                r = subprocess.run([plan["command"][0], "hook", "evaluate"], input=json.dumps(step["payload"]).encode(), env=env, capture_output=True)
                emit({"op": op, "stdout": r.stdout.decode(), "code": r.returncode})
            elif op == "get_prompt":
                try:
                    r = await client.get_prompt(step["name"], step.get("args", {}))
                    texts = [m.content.text for m in r.messages if getattr(m.content, "type", "") == "text"]
                    emit({"op": op, "name": step["name"], "text": "\n".join(texts)})
                except Exception as e:  # a JSON-RPC error from the proxy or upstream
                    emit({"op": op, "name": step["name"], "error": str(e)})
            elif op == "ping":
                await client.send_ping()
                emit({"op": op, "ok": True})
            elif op == "call":
                progress = []

                async def on_progress(value, total, message):
                    progress.append(value)

                cb = on_progress if step.get("progress") else None
                if step.get("cancel_after"):
                    with anyio.move_on_after(step["cancel_after"]) as scope:
                        await client.call_tool(step["name"], step.get("args", {}), progress_callback=cb)
                    emit({"op": op, "name": step["name"], "cancelled": scope.cancelled_caught, "progress": len(progress)})
                    continue
                try:
                    r = await client.call_tool(step["name"], step.get("args", {}), progress_callback=cb)
                except Exception as e:  # a JSON-RPC error from the proxy or upstream
                    emit({"op": op, "name": step["name"], "error": str(e)})
                    continue
                texts = [c.text for c in r.content if getattr(c, "type", "") == "text"]
                emit({"op": op, "name": step["name"], "isError": bool(r.is_error), "text": "\n".join(texts), "progress": len(progress)})
    emit({"event": "closed"})


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        anyio.run(main, json.load(f))
