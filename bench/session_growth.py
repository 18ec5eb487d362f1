#!/usr/bin/env python3
"""Hook cost as the session grows, on real text.

Builds sessions of 1, 10, 50 and 200 MB (PostToolUse Reads of 1 MB each, concatenated real
Rust source files from the cargo registry, or from the folder given with --source; past the
end of them the files are read again under other paths, as a long session rereads), then
times PreToolUse calls that carry real text the session never read (Python's standard
library, or the last files of the source folder), against the floor (`mcpproxy --version`
spawned the same way). Prints a markdown table.

    python3 bench/session_growth.py target/release/mcpproxy [--sizes 1,10,50,200] [--runs 11]
"""
import argparse, glob, json, os, shutil, statistics, subprocess, sys, tempfile, time

PROMPT = ("Please summarise the main points of this page, focusing on how the derive macros work and what "
          "the attributes mean for field renaming, skipping, default values and flattening, and list any "
          "caveats about untagged enums and borrowing. Keep it short. Thanks a lot, really!")[:281]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--sizes", default="1,10,50,200")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--source", default=os.path.expanduser("~/.cargo/registry/src"))
    a = ap.parse_args()
    files = sorted(glob.glob(os.path.join(a.source, "**", "*.rs"), recursive=True))
    if len(files) < 20:
        sys.exit(f"too few source files under {a.source}")
    # The calls carry text no session below reads: Python's standard library when there is
    # one, else the last files of the source folder.
    stdlib = sorted(glob.glob(os.path.join(os.path.dirname(os.__file__), "*.py")))
    if len(stdlib) >= 20:
        unread = "".join(open(f, errors="replace").read() for f in stdlib[:40])
    else:
        unread = "".join(open(f, errors="replace").read() for f in files[-40:])
        files = files[:-40]
    body = unread[:2048].replace("'", " ")
    heredoc = (unread * 4)[: 100 * 1024]
    cases = {
        "clean short Pre (WebFetch)": {"tool_name": "WebFetch", "tool_input": {"url": "https://docs.rs/serde", "prompt": "summarise"}},
        "281-char prompt (WebFetch)": {"tool_name": "WebFetch", "tool_input": {"url": "https://docs.rs/serde", "prompt": PROMPT}},
        "curl with a 2 KB body": {"tool_name": "Bash", "tool_input": {"command": f"curl -s https://api.example.com/x -d '{body}'"}},
        "100 KB heredoc sent with curl": {"tool_name": "Bash", "tool_input": {"command": "curl -s https://api.example.com/x --data-binary @- <<'EOF'\n" + heredoc + "\nEOF"}},
    }
    home = tempfile.mkdtemp(prefix="mcpproxy-growth-")
    env = dict(os.environ, MCPPROXY_HOME=home)

    def run(args, data):
        t = time.perf_counter()
        out = subprocess.run(args, input=data, capture_output=True, env=env)
        return time.perf_counter() - t, out.stdout

    def median(args, data):
        return statistics.median(run(args, data)[0] for _ in range(a.runs)) * 1000

    built, fi = 0, 0
    rows = []
    try:
        for size in [int(s) for s in a.sizes.split(",")]:
            while built < size:
                chunk = []
                n = 0
                while n < 1024 * 1024:
                    t = open(files[fi % len(files)], errors="replace").read()
                    fi += 1
                    chunk.append(t)
                    n += len(t)
                content = "".join(chunk)
                path = f"/repo/src/part{built}.rs"
                ev = {"session_id": "grow", "hook_event_name": "PostToolUse", "tool_name": "Read", "cwd": "/repo",
                      "tool_input": {"file_path": path},
                      "tool_response": {"type": "text", "file": {"filePath": path, "content": content}}}
                run([a.binary, "hook", "evaluate"], json.dumps(ev).encode())
                built += 1
            floor = median([a.binary, "--version"], b"")
            for name, c in cases.items():
                ev = dict(session_id="grow", hook_event_name="PreToolUse", cwd="/repo", **c)
                data = json.dumps(ev).encode()
                ms = median([a.binary, "hook", "evaluate"], data)
                decision = run([a.binary, "hook", "evaluate"], data)[1].decode()
                answer = json.loads(decision)["hookSpecificOutput"]["permissionDecision"] if decision.strip() else "silent"
                rows.append((f"{built} MB", name, f"{ms:.1f} ms", f"{ms / floor:.1f}x", answer))
            print(f"{built} MB done (floor {floor:.2f} ms)", file=sys.stderr)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print("| session | call | median | / floor | decision |\n| --- | --- | --- | --- | --- |")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
