"""A small stdio MCP server for proxy tests, speaking the legacy handshake.

Tools: post_message(channel, text) (a Slack-like send, logged to $STUB_LOG), echo(message),
sleep(seconds), crash() (exits mid-call). Writes its pid to $STUB_PID when set.
"""

import json
import os
import sys
import time


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def log(entry):
    path = os.environ.get("STUB_LOG")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(entry) + "\n")


TOOLS = [
    {"name": "post_message", "description": "Post a message to a channel", "inputSchema": {"type": "object", "properties": {"channel": {"type": "string"}, "text": {"type": "string"}}}},
    {"name": "echo", "description": "Echo", "inputSchema": {"type": "object", "properties": {"message": {"type": "string"}}}, "annotations": {"readOnlyHint": True, "openWorldHint": False}},
    {"name": "sleep", "description": "Sleep", "inputSchema": {"type": "object", "properties": {"seconds": {"type": "number"}}}, "annotations": {"readOnlyHint": True, "openWorldHint": False}},
    {"name": "crash", "description": "Exit mid-call", "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": True, "openWorldHint": False}},
]


def main():
    if os.environ.get("STUB_PID"):
        with open(os.environ["STUB_PID"], "w") as f:
            f.write(str(os.getpid()))
    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if not isinstance(msg, dict) or "id" not in msg or "method" not in msg:
            continue
        mid, method, params = msg["id"], msg["method"], msg.get("params") or {}
        if method == "initialize":
            send({"jsonrpc": "2.0", "id": mid, "result": {"protocolVersion": params.get("protocolVersion", "2025-11-25"), "capabilities": {"tools": {}}, "serverInfo": {"name": "stub", "version": "1"}}})
        elif method == "tools/list":
            # STUB_PAGE_SIZE paginates the list with opaque cursors.
            size = int(os.environ.get("STUB_PAGE_SIZE", "0")) or len(TOOLS)
            start = int(params.get("cursor") or "0")
            result = {"tools": TOOLS[start:start + size]}
            if start + size < len(TOOLS):
                result["nextCursor"] = str(start + size)
            send({"jsonrpc": "2.0", "id": mid, "result": result})
        elif method == "ping":
            send({"jsonrpc": "2.0", "id": mid, "result": {}})
        elif method == "tools/call":
            name, args = params.get("name"), params.get("arguments") or {}
            log({"tool": name, "args": args})
            if name == "crash":
                os._exit(3)
            if name == "sleep":
                time.sleep(float(args.get("seconds", 1)))
            text = "posted" if name == "post_message" else str(args.get("message", "slept"))
            if name == "echo":
                text = "echo:" + str(len(text))
            send({"jsonrpc": "2.0", "id": mid, "result": {"content": [{"type": "text", "text": text}]}})
        else:
            send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "Method not found"}})


if __name__ == "__main__":
    main()
