#!/usr/bin/env python3
"""A scripted fake model for driving the real agents headless (tests/real_agents.rs).

Usage: fake_model.py SCRIPT.json PORT_FILE LOG.jsonl

SCRIPT.json is {"steps": [{"name": TOOL, "input": {...}}, ...], "final": "text"}. The server
speaks the three APIs the agents use and is stateless: the step to answer is the number of tool
calls already in the conversation it is sent (Claude Code: assistant messages; Codex:
`function_call` items; Gemini: model turns with a `functionCall`); after the last step it answers
`final` as plain text. Side requests (Claude Code's WebFetch summariser, Gemini's router) get a
plain answer. It binds 127.0.0.1 on a free port, writes the port to PORT_FILE, and appends one
JSON line per request to LOG.jsonl ({"path", "body"}), which the tests read to see what the
agent sent back (tool results, hook denials).

It is also the local collector of the tests: a request in proxy form (`curl -x
http://127.0.0.1:PORT http://collector.example/...`, path `http://...`) is what a command sent
off the machine; it is logged with "collected": true and answered "ok". The text `__PORT__` in a
step's input is replaced with the server's port, so a step can name the collector.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCRIPT = json.load(open(sys.argv[1]))
PORT_FILE = sys.argv[2]
LOG = sys.argv[3]
LOCK = threading.Lock()


PORT = [0]


def step(n):
    steps = SCRIPT.get("steps", [])
    if n >= len(steps):
        return None
    return json.loads(json.dumps(steps[n]).replace("__PORT__", str(PORT[0])))


def sse(events):
    return "".join(
        (f"event: {name}\n" if name else "") + "data: " + json.dumps(data) + "\n\n" for name, data in events
    ).encode()


def schema_value(schema):
    """Any value that fits a (small) JSON schema: Gemini's router wants a structured answer."""
    if not isinstance(schema, dict):
        return None
    if "enum" in schema:
        return schema["enum"][0]
    t = schema.get("type")
    if isinstance(t, list):
        t = t[0]
    t = (t or "object").lower()
    if t == "object":
        return {k: schema_value(v) for k, v in schema.get("properties", {}).items()}
    if t == "array":
        return []
    if t in ("integer", "number"):
        return 1
    if t == "boolean":
        return False
    return "simple"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, body, ctype):
        self.send_response(200)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def collected(self, raw):
        """A request sent through us as a proxy: log it whole and answer ok."""
        with LOCK:
            with open(LOG, "a") as f:
                f.write(json.dumps({"path": self.path, "collected": True,
                                    "body": raw.decode("utf-8", "replace")}) + "\n")
        self.reply(b"ok", "text/plain")

    def do_GET(self):
        if self.path.startswith("http://"):
            return self.collected(b"")
        self.reply(json.dumps({"data": [], "models": []}).encode(), "application/json")

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.startswith("http://"):
            return self.collected(raw)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        with LOCK:
            with open(LOG, "a") as f:
                f.write(json.dumps({"path": self.path, "body": body}) + "\n")
        path = self.path.split("?")[0]
        if path.endswith("/messages"):
            self.anthropic(body)
        elif path.endswith("/responses"):
            self.openai(body)
        elif ":streamGenerateContent" in path:
            self.gemini(body, stream=True)
        elif ":generateContent" in path:
            self.gemini(body, stream=False)
        elif path.endswith("count_tokens"):
            self.reply(b'{"input_tokens": 10}', "application/json")
        else:
            self.reply(b"{}", "application/json")

    # Claude Code: Anthropic Messages API, streamed.
    def anthropic(self, body):
        side = not body.get("tools")
        n = sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")
        s = None if side else step(n)
        usage = {"input_tokens": 100, "output_tokens": 1, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        events = [
            ("message_start", {"type": "message_start", "message": {"id": f"msg_{n}", "type": "message",
                "role": "assistant", "model": body.get("model", "claude"), "content": [], "stop_reason": None,
                "stop_sequence": None, "usage": usage}}),
            ("ping", {"type": "ping"}),
        ]
        if s:
            block = {"type": "tool_use", "id": f"toolu_{n:02d}", "name": s["name"], "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(s["input"])}
            stop = "tool_use"
        else:
            text = "Fetched page summary." if side else SCRIPT.get("final", "Done.")
            block = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": text}
            stop = "end_turn"
        events += [
            ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": block}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 20}}),
            ("message_stop", {"type": "message_stop"}),
        ]
        self.reply(sse(events), "text/event-stream")

    # Codex: OpenAI Responses API, streamed.
    def openai(self, body):
        items = body.get("input", [])
        n = sum(1 for i in items if isinstance(i, dict) and i.get("type") == "function_call")
        s = step(n)
        rid = f"resp_{n}"
        if s:
            item = {"type": "function_call", "id": f"fc_{n}", "call_id": f"call_{n}", "name": s["name"],
                    "arguments": json.dumps(s["input"]), "status": "completed"}
            if "namespace" in s:
                item["namespace"] = s["namespace"]
        else:
            text = SCRIPT.get("final", "Done.")
            item = {"type": "message", "id": f"msg_{n}", "role": "assistant", "status": "completed",
                    "content": [{"type": "output_text", "text": text, "annotations": []}]}
        usage = {"input_tokens": 100, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 20,
                 "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 120}
        resp = {"id": rid, "object": "response", "status": "in_progress", "model": body.get("model"), "output": []}
        events = [("response.created", {"type": "response.created", "response": resp})]
        events.append(("response.output_item.added", {"type": "response.output_item.added", "output_index": 0,
                                                       "item": item}))
        if not s:
            events.append(("response.output_text.delta", {"type": "response.output_text.delta", "item_id": item["id"],
                                                           "output_index": 0, "content_index": 0,
                                                           "delta": item["content"][0]["text"]}))
        events.append(("response.output_item.done", {"type": "response.output_item.done", "output_index": 0,
                                                      "item": item}))
        done = dict(resp, status="completed", output=[item], usage=usage)
        events.append(("response.completed", {"type": "response.completed", "response": done}))
        self.reply(sse(events), "text/event-stream")

    # Gemini CLI: generateContent / streamGenerateContent.
    def gemini(self, body, stream):
        config = body.get("generationConfig") or {}
        schema = config.get("responseJsonSchema") or config.get("responseSchema")
        has_tools = any(t.get("functionDeclarations") for t in body.get("tools", []) or [])
        if schema and not has_tools:
            part = {"text": json.dumps(schema_value(schema))}
        else:
            n = sum(1 for c in body.get("contents", []) if c.get("role") == "model"
                    and any("functionCall" in p for p in c.get("parts", [])))
            s = step(n) if has_tools else None
            if s:
                part = {"functionCall": {"name": s["name"], "args": s["input"], "id": f"call_{n}"}}
            else:
                part = {"text": SCRIPT.get("final", "Done.")}
        answer = {"candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}],
                  "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": 20, "totalTokenCount": 120}}
        if stream:
            self.reply(sse([(None, answer)]), "text/event-stream")
        else:
            self.reply(json.dumps(answer).encode(), "application/json")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    PORT[0] = server.server_address[1]
    with open(PORT_FILE + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(PORT_FILE + ".tmp", PORT_FILE)
    server.serve_forever()


if __name__ == "__main__":
    main()
