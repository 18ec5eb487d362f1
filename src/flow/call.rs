//! The engine's input and output: a typed tool call and a typed verdict.
//!
//! Each front end (an agent adapter, the MCP proxy) turns what it received into a [`Call`]; the
//! engine never sees an agent's event names, tool-name strings or argument keys, only these
//! kinds. Arguments stay available as JSON (`input`) because every argument of a sink is
//! examined, whatever its key.

use serde_json::Value;

/// When the call is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the tool runs: the call is a sink candidate.
    Before,
    /// After the tool ran: its response is a source.
    After,
    /// After the tool failed: its error text is a source.
    AfterFailure,
}

/// What kind of tool is called, with the arguments the engine reasons about by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    /// A shell command (Bash, PowerShell, Gemini's `run_shell_command`, Cursor's shell).
    Shell { command: String },
    /// Output of a background shell (reads what a command printed).
    ShellOutput,
    /// Reads one file.
    ReadFile { path: String },
    /// Lists or searches files: by content (Grep, `in_content`) or by name (Glob, LS).
    SearchFiles { pattern: String, path: String, in_content: bool },
    /// Writes a whole file.
    WriteFile { path: String, content: String },
    /// Changes part of a file (Edit, MultiEdit, NotebookEdit): each new text written.
    EditFile {
        path: String,
        new_texts: Vec<String>,
        /// The whole file after the edit, when the agent reports what it was before (after
        /// the call only): judged as a file written whole.
        whole_after: Option<String>,
    },
    /// Fetches a URL the caller chooses.
    WebFetch { url: String },
    /// Sends a query to a web search engine.
    WebSearch { query: String },
    /// Hands a prompt to a sub-agent (of this session, now or later).
    /// `remote`: the other agent runs on another machine (a cloud sandbox), so its prompt leaves.
    Subagent { description: String, remote: bool },
    /// Reads an MCP resource through the agent (`ReadMcpResourceTool`).
    McpResource { server: String, uri: String },
    /// A tool of an MCP server, with the server's real identity.
    Mcp { server: String, tool: String },
    /// A built-in that neither reads data nor sends it (todo lists, questions to the user).
    Inert,
    /// A built-in this version does not know: a sink of unknown destination.
    Unknown,
}

/// One tool call as the engine sees it.
#[derive(Debug, Clone)]
pub struct Call {
    /// Before the tool runs, after it, or after it failed.
    pub phase: Phase,
    /// The conversation the call belongs to (its records are the session's).
    pub session_id: String,
    /// What kind of tool it is.
    pub tool: Tool,
    /// The tool's name as the user sees it (`WebFetch`, `mcp__slack__post`): reasons, logs and
    /// per-tool config overrides only; never compared by the engine.
    pub label: String,
    /// All arguments, as sent.
    pub input: Value,
    /// What the tool returned (after it ran).
    pub response: Option<Value>,
    /// The failure text of a failed call.
    pub error: Option<String>,
    /// The working directory relative paths resolve against.
    pub cwd: Option<String>,
    /// MCP tool annotations the proxy saw in `tools/list` (`readOnlyHint`, `openWorldHint`).
    pub annotations: Option<Value>,
    /// Why part of the call was not seen (the hook input's size caps): for a sink, unverified
    /// arguments; for a source, a response that may have held more than was recorded.
    pub cut: Option<String>,
}

/// The command line an MCP tool runs on this machine: a tool named for running commands
/// (`execute_command`, `run_terminal_cmd`, `shell_exec`, `bash`) with a `command` argument.
pub fn mcp_command_line<'a>(tool: &str, input: &'a serde_json::Value) -> Option<&'a str> {
    let words = crate::flow::classify::name_words(tool);
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    let runs = (has(&["exec", "execute", "run", "start", "spawn"])
        && has(&["command", "cmd", "shell", "terminal", "process", "bash", "script"]))
        || matches!(words.as_slice(), [w] if matches!(w.as_str(), "bash" | "shell" | "sh" | "exec" | "terminal"));
    if !runs {
        return None;
    }
    ["command", "cmd", "script"].iter().find_map(|k| input.get(*k).and_then(serde_json::Value::as_str))
}

impl Call {
    /// The MCP server the call goes to, if it is an MCP call.
    pub fn server(&self) -> Option<&str> {
        match &self.tool {
            Tool::Mcp { server, .. } | Tool::McpResource { server, .. } => Some(server),
            _ => None,
        }
    }

    /// The shell command, if this is a shell call (or an MCP tool that runs a command line,
    /// such as desktop-commander's `execute_command`).
    pub fn command(&self) -> Option<&str> {
        match &self.tool {
            Tool::Shell { command } => Some(command),
            Tool::Mcp { tool, .. } => mcp_command_line(tool, &self.input),
            _ => None,
        }
    }

    /// Files this call writes, with the text written into each.
    pub fn written_files(&self) -> Vec<(&str, &str)> {
        match &self.tool {
            Tool::WriteFile { path, content } => vec![(path.as_str(), content.as_str())],
            Tool::EditFile { path, new_texts, .. } => new_texts.iter().map(|t| (path.as_str(), t.as_str())).collect(),
            _ => Vec::new(),
        }
    }
}

/// What the engine decided about a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No opinion: print nothing.
    Silent,
    Ask(String),
    Deny(String),
}

/// A decision as logged in the activity table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    None,
    Ask,
    Deny,
    /// A source was recorded (after a call).
    Record,
    /// The evaluation failed; the row says how the failure was answered.
    Error,
}

text_names!(Decision {
    None => "none",
    Ask => "ask",
    Deny => "deny",
    Record => "record",
    Error => "error",
});

impl Verdict {
    pub fn decision_kind(&self) -> Decision {
        match self {
            Verdict::Silent => Decision::None,
            Verdict::Ask(_) => Decision::Ask,
            Verdict::Deny(_) => Decision::Deny,
        }
    }

    pub fn label(&self) -> &'static str {
        self.decision_kind().as_str()
    }

    /// `("deny" | "ask", reason)`, or `None` for no opinion: the shared core of every renderer.
    pub fn decision(&self) -> Option<(&'static str, &str)> {
        match self {
            Verdict::Silent => None,
            Verdict::Ask(r) => Some(("ask", r)),
            Verdict::Deny(r) => Some(("deny", r)),
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Verdict::Silent => None,
            Verdict::Ask(r) | Verdict::Deny(r) => Some(r),
        }
    }

    /// The stronger of two verdicts (deny > ask > silent); the first wins a tie.
    pub fn max(self, other: Verdict) -> Verdict {
        let rank = |v: &Verdict| match v {
            Verdict::Silent => 0,
            Verdict::Ask(_) => 1,
            Verdict::Deny(_) => 2,
        };
        if rank(&other) > rank(&self) {
            other
        } else {
            self
        }
    }
}
