//! Shell commands against the protected set. Every simple command is looked at (wrappers,
//! `sh -c` and `xargs` included), its path words resolved; redirections, `dd of=`, copy
//! destinations, links and interpreter code are checked; what cannot be resolved but points at
//! the guard is a question.

use super::paths::{expand_braces, is_shell_rc, names_our_variables, resolve, unresolved};
use super::{ask, deny, describe, Guarded, InGit, Protected, CHANGE_WORDS, HINTS};
use crate::flow::call::Verdict;
use crate::flow::shell;

/// Programs that only read the files they are given (`git` only for its reading subcommands).
const READ_ONLY_PROGRAMS: &[&str] = &[
    "cat",
    "head",
    "tail",
    "ls",
    "stat",
    "file",
    "wc",
    "du",
    "grep",
    "egrep",
    "jq",
    "diff",
    "test",
    "[",
    "realpath",
    "readlink",
    "basename",
    "dirname",
    "echo",
    "printf",
    "md5sum",
    "sha256sum",
    "bat",
    "cd",
    "pwd",
    "which",
    "type",
    "df",
    "base64",
    "xxd",
    "od",
    "hexdump",
    "strings",
    "cmp",
    "less",
    "more",
    "rg",
    "nl",
    "sort",
    "uniq",
    "cut",
    "column",
    "sha1sum",
    "shasum",
];

/// Programs that may look at the key's folder without reading the key.
const METADATA_PROGRAMS: &[&str] =
    &["ls", "stat", "du", "df", "test", "[", "realpath", "readlink", "basename", "dirname", "cd", "file"];

/// `git` subcommands that change nothing in the working tree.
const GIT_READING: &[&str] = &[
    "status",
    "diff",
    "log",
    "show",
    "add",
    "commit",
    "push",
    "pull",
    "fetch",
    "blame",
    "grep",
    "ls-files",
    "branch",
    "remote",
    "tag",
    "describe",
    "rev-parse",
    "shortlog",
];

/// Programs that delete, move or change what they are given (an ancestor directory counts).
const DESTRUCTIVE_PROGRAMS: &[&str] = &[
    "rm", "rmdir", "mv", "chmod", "chown", "chgrp", "chattr", "truncate", "shred", "unlink", "srm", "wipe", "setfacl",
];

/// Programs that copy into a destination (the last operand, or their target option).
const COPY_PROGRAMS: &[&str] = &["cp", "install", "rsync", "scp", "ln", "tar", "unzip", "bsdtar", "7z", "ditto"];

/// `mcpproxy` subcommands an agent may run (they only report).
const READ_ONLY_SUBCOMMANDS: &[&[&str]] = &[
    &["--version"],
    &["-V"],
    &["--help"],
    &["-h"],
    &["help"],
    &["hook", "status"],
    &["hook", "evaluate"],
    &["activity"],
    &["sessions"],
    &["scan"],
    &["config", "show"],
    &["config", "path"],
    &["config", "check"],
    &["doctor"],
    &["allow", "list"],
    &["proxy"],
];

/// Wrappers whose operands are another command line (options with a value listed apart).
const WRAPPERS: &[&str] = &[
    "sudo",
    "env",
    "nohup",
    "command",
    "exec",
    "nice",
    "time",
    "doas",
    "xargs",
    "timeout",
    "setsid",
    "stdbuf",
    "busybox",
    "ionice",
    "chrt",
    "unbuffer",
    "strace",
    "flock",
    "caffeinate",
    "watch",
    "taskset",
    "runuser",
    "su",
    "chroot",
];
const WRAPPER_VALUED: &[&str] =
    &["-u", "-g", "-s", "-n", "-c", "-p", "-C", "-o", "-e", "-i", "-I", "-d", "-a", "-k", "-w", "--user", "--signal"];

/// What kind of change a program makes to its path operands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Effect {
    Reads,
    Destroys,
    CopiesInto,
    /// Writes into the files it names (`tee`, `dd`, `sed -i`, `sqlite3`).
    Writes,
    /// Writes or runs something this analyser does not know.
    Other,
}

fn effect_of(prog: &str, args: &[String]) -> Effect {
    let has = |flags: &[&str]| args.iter().any(|a| flags.iter().any(|f| a == f || a.starts_with(&format!("{f}="))));
    match prog {
        "find" if has(&["-delete", "-exec", "-execdir", "-ok"]) => Effect::Destroys,
        "find" => Effect::Reads,
        "rsync" if has(&["--delete", "--remove-source-files"]) => Effect::Destroys,
        "tar" if has(&["--remove-files"]) => Effect::Destroys,
        "git" => {
            let sub = args.iter().find(|a| !a.starts_with('-')).map(String::as_str).unwrap_or("");
            match sub {
                "rm" | "clean" | "mv" | "checkout" | "restore" | "stash" | "reset" | "apply" | "init" | "worktree" => {
                    Effect::Destroys
                }
                s if GIT_READING.contains(&s) => Effect::Reads,
                _ => Effect::Other,
            }
        }
        "grep" | "egrep" if has(&["--pre"]) => Effect::Other,
        "sed" | "perl" | "ruby" if args.iter().any(|a| a.starts_with("-i") || a == "--in-place") => Effect::Writes,
        // `sed -n 1,20p FILE` prints; a script with a `w` (write) or `e` (execute) command may not.
        "sed" if !args.iter().any(|a| ["w ", "W ", "e ", ";e", "/e", "w/"].iter().any(|c| a.contains(c))) => {
            Effect::Reads
        }
        // `sqlite3 -readonly DB 'select ...'`: attached databases open read-only too.
        "sqlite3" if has(&["-readonly"]) => Effect::Reads,
        "tee" | "dd" | "sqlite3" | "truncate" | "sponge" | "patch" | "ed" | "ex" => Effect::Writes,
        p if DESTRUCTIVE_PROGRAMS.contains(&p) => Effect::Destroys,
        p if COPY_PROGRAMS.contains(&p) => Effect::CopiesInto,
        p if READ_ONLY_PROGRAMS.contains(&p) => Effect::Reads,
        _ => Effect::Other,
    }
}

/// A program's name and its index in the argv.
type ProgramAt = Option<(String, usize)>;

/// The program of an argv, past variable assignments and wrappers (and their options);
/// `$M` and `$(which mcpproxy)` resolve through the line's variables.
fn program_of(argv: &[String], vars: &[(String, String)]) -> ProgramAt {
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        if a.split_once('=').is_some_and(|(n, _)| is_var_name(n)) {
            i += 1;
            continue;
        }
        // Shell keywords before a command (`if true; then mcpproxy ...`, `! cmd`, `coproc cmd`).
        if SHELL_KEYWORDS.contains(&a.as_str()) {
            i += 1;
            continue;
        }
        let word = expand_program(a, vars);
        let mut prog = word.rsplit('/').next().unwrap_or(&word).to_owned();
        // A glob that names the binary (`/usr/local/bin/mcp*`) runs it.
        if prog.contains(['*', '?', '[']) && glob_matches(&prog, "mcpproxy") {
            prog = "mcpproxy".to_owned();
        }
        if WRAPPERS.contains(&prog.as_str()) {
            i += 1;
            while i < argv.len() && argv[i].starts_with('-') {
                let valued = WRAPPER_VALUED.contains(&argv[i].as_str());
                i += if valued { 2 } else { 1 };
            }
            // A duration (`timeout 10`), a lock file (`flock FILE`): one operand before the command.
            if matches!(prog.as_str(), "timeout" | "flock" | "taskset" | "chroot") && i < argv.len() {
                i += 1;
            }
            continue;
        }
        return Some((prog, i));
    }
    None
}

/// Words the shell reads before the command of a simple command.
const SHELL_KEYWORDS: &[&str] =
    &["if", "then", "else", "elif", "do", "while", "until", "!", "coproc", "time", "{", "("];

/// `pattern` (with `*`, `?`, `[...]`) matches `name` (a small matcher: program names only).
fn glob_matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some((b'?', rest)) => !n.is_empty() && go(rest, &n[1..]),
            Some((b'[', rest)) => {
                let Some(end) = rest.iter().position(|c| *c == b']') else { return false };
                let (set, after) = (&rest[..end], &rest[end + 1..]);
                !n.is_empty() && set.contains(&n[0]) && go(after, &n[1..])
            }
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

fn expand_program(word: &str, vars: &[(String, String)]) -> String {
    let mut w = shell::substitute(word, vars);
    for open in ["$(which ", "$(command -v ", "`which "] {
        if let Some(rest) = w.strip_prefix(open) {
            w = rest.trim_end_matches([')', '`']).trim().to_owned();
        }
    }
    w
}

fn is_var_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !n.starts_with(|c: char| c.is_ascii_digit())
}

fn known_variables(protected: &Protected, cwd: &str) -> Vec<(String, String)> {
    let mut vars = vec![("PWD".to_owned(), cwd.to_owned())];
    if let Some(state) = protected.paths.iter().find(|(_, k)| *k == Guarded::State) {
        vars.push(("MCPPROXY_HOME".to_owned(), state.0.clone()));
    }
    if let Some(h) = &protected.home_dir {
        vars.push(("XDG_DATA_HOME".to_owned(), format!("{h}/.local/share")));
        vars.push(("XDG_CONFIG_HOME".to_owned(), format!("{h}/.config")));
    }
    vars
}

/// The line mentions the protected set in words the analyser cannot follow exactly.
fn hints_at_guard(text: &str, protected: &Protected) -> bool {
    HINTS.iter().any(|h| text.contains(h))
        || protected.paths.iter().any(|(p, _)| p.len() > 1 && text.contains(p.as_str()))
        || ([
            "expanduser",
            "homedir",
            "$HOME",
            "os.environ['HOME']",
            "os.environ[\"HOME\"]",
            "ENV['HOME']",
            "ENV[\"HOME\"]",
            "$ENV{HOME}",
            "getenv(\"HOME\")",
            "getenv('HOME')",
            "Path.home()",
            "process.env.HOME",
            "Dir.home",
        ]
        .iter()
        .any(|h| text.contains(h))
            && [".local", ".config", ".claude", ".codex", ".gemini", ".cursor"].iter().any(|d| text.contains(d)))
}

fn changes_things(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    CHANGE_WORDS.iter().any(|w| lower.contains(w))
}

/// A script being written (run later by `bash x.sh`, `make`, `npm run`, a git hook): a shell
/// script is checked line by line like a command, other code by what its text names. Either
/// way a question, since writing it changes nothing yet.
pub(super) fn check_script_text(path: &str, content: &str, cwd: &str, protected: &Protected) -> Option<Verdict> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let first = content.lines().next().unwrap_or("");
    let shell_script = crate::flow::written_code::is_shell_script(path, content)
        || matches!(name, "Makefile" | "makefile" | "justfile" | "Justfile")
        || path.contains("/.git/hooks/")
        || path.contains("/.husky/");
    let code = [".py", ".rb", ".pl", ".js", ".mjs", ".cjs", ".ts", ".php", ".lua"].iter().any(|e| name.ends_with(e))
        || name == "package.json"
        || first.starts_with("#!");
    let flagged = if shell_script {
        content.lines().take(2000).any(|line| check_shell(line.trim_start_matches('\t'), cwd, protected).is_some())
    } else {
        code && hints_at_guard(content, protected) && changes_things(content)
    };
    flagged.then(|| {
        Verdict::Ask(format!(
            "mcpproxy check: {path} would change mcpproxy or the agent's hook settings when it is run, which \
             protects this session. Approve only if you asked for this script."
        ))
    })
}

pub(super) fn check_shell(command: &str, cwd: &str, protected: &Protected) -> Option<Verdict> {
    check_line(command, cwd, protected, 0).or_else(|| names_a_changing_subcommand(command))
}

/// Programs that run a command line or code handed to them as text (or start a terminal).
const TEXT_RUNNERS: &[&str] = &[
    "script",
    "expect",
    "unbuffer",
    "python",
    "python3",
    "node",
    "perl",
    "ruby",
    "php",
    "deno",
    "bun",
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "fish",
    "eval",
    "su",
    "runuser",
    "sudo",
    "doas",
    "tmux",
    "screen",
    "osascript",
    "xargs",
    "env",
    "nohup",
    "setsid",
    "timeout",
    "socat",
    "ssh",
    "pwsh",
    "busybox",
    "stdbuf",
    "watch",
    "at",
    "batch",
    "crontab",
    "systemd-run",
    "launchctl",
    "dtach",
    "abduco",
    "nsenter",
];

/// Interpreters in [`TEXT_RUNNERS`]: their code starts another program only through one of
/// [`SPAWN_WORDS`] (`python3 -c "print('mcpproxy allow 5')"` prints, it runs nothing).
const CODE_RUNNERS: &[&str] = &["python", "python3", "node", "perl", "ruby", "php", "deno", "bun"];
const SPAWN_WORDS: &[&str] = &[
    "subprocess",
    "system",
    "popen",
    "spawn",
    "exec",
    "pty",
    "child_process",
    "`",
    "open(\"|",
    "open('|",
    "open(my",
    "Command",
    "run(",
    "call(",
    "check_output",
    "%x",
    "qx",
    "shell",
    "Deno.run",
    "$(",
];

/// Something on the line runs text as a command: a terminal or scheduling wrapper, a shell
/// reading its stdin or an inline script that itself starts programs; `sh -c 'grep "mcpproxy
/// allow" docs'` is followed into its inner line.
fn runs_text(command: &str, depth: usize) -> bool {
    shell::simple_commands(command).iter().any(|argv| {
        let names: Vec<&str> = argv.iter().take(4).map(|w| w.rsplit('/').next().unwrap_or(w)).collect();
        let Some(at) = names.iter().position(|n| TEXT_RUNNERS.contains(n)) else { return false };
        let rest = &argv[at + 1..];
        let is_shell = matches!(names[at], "sh" | "bash" | "zsh" | "dash" | "ksh");
        let inline_flag = if is_shell { &['c'][..] } else { &['c', 'e', 'p'][..] };
        let inline = rest.iter().position(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(inline_flag));
        match (names[at], inline.and_then(|i| rest.get(i + 1))) {
            ("sh" | "bash" | "zsh" | "dash" | "ksh", Some(inner)) if depth < 4 => runs_text(inner, depth + 1),
            (n, Some(code)) if CODE_RUNNERS.contains(&n) => SPAWN_WORDS.iter().any(|w| code.contains(w)),
            _ => true,
        }
    })
}

/// `mcpproxy` subcommands that change what it decides: an approval, an install or uninstall.
fn changing_subcommand(words: &[&str]) -> Option<String> {
    match words {
        ["allow", next, ..] if matches!(*next, "list" | "--help" | "-h") => None,
        ["allow", rest @ ..] => Some(format!("allow {}", rest.first().copied().unwrap_or("")).trim_end().to_owned()),
        ["hook", sub @ ("install" | "uninstall"), ..] => Some(format!("hook {sub}")),
        _ => None,
    }
}

/// The text of a command line, quotes and all, names mcpproxy followed by a subcommand that
/// changes it: `script -qc 'mcpproxy allow 5' /dev/null`, `pty.spawn(["mcpproxy", "allow", "5"])`,
/// `m=mcpproxy; $m allow 5` (variables set on the line are substituted first). Whatever runs
/// it (a pseudo-terminal wrapper, an interpreter, a pipe), an agent has no business there.
fn names_a_changing_subcommand(command: &str) -> Option<Verdict> {
    // Only where something on the line runs text (a reader quoting the words, `grep 'mcpproxy
    // allow' docs/`, runs nothing).
    if !runs_text(command, 0) {
        return None;
    }
    let text = shell::substitute(command, &shell::assignments(command)).to_ascii_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '[' | ']' | '(' | ')' | ';' | '`' | '{' | '}')
        })
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let name = w.rsplit('/').next().unwrap_or(w);
        if name != "mcpproxy" {
            continue;
        }
        if let Some(sub) = changing_subcommand(&words[i + 1..]) {
            return Some(deny(&format!("mcpproxy itself (`mcpproxy {sub}`)"), &format!("run `mcpproxy {sub}`")));
        }
    }
    None
}

fn check_line(command: &str, cwd: &str, protected: &Protected, depth: usize) -> Option<Verdict> {
    if depth > 4 {
        return None;
    }
    let home = protected.home_dir.as_deref();
    let mut cwd = cwd.to_owned();
    // Assignments anywhere in the line (the parser drops them from the argv lists).
    // Variables whose values the guard knows: its own home, the XDG folders, the folder it runs in.
    let mut vars: Vec<(String, String)> = known_variables(protected, &cwd);
    for (name, value) in shell::assignments(command) {
        if name == "MCPPROXY_HOME" {
            return Some(deny("where mcpproxy keeps its state (MCPPROXY_HOME)", "set it"));
        }
        let value = resolve(&value, &cwd, home, &vars);
        vars.push((name, value));
    }
    for (name, value) in echoed_assignments(command) {
        let value = resolve(&value, &cwd, home, &vars);
        vars.push((name, value));
    }
    // `> "$(mcpproxy config path)"`, `f=$(mcpproxy config path); tee $f`: the target is the
    // config, named by mcpproxy itself at run time.
    if asks_mcpproxy_for_a_path(command) && writes_somewhere(command) {
        return Some(deny(describe(Guarded::Config), "write it"));
    }
    if command.contains("MCPPROXY_") && is_export_of_mcpproxy(command) {
        return Some(deny("where mcpproxy keeps its state (MCPPROXY_HOME)", "set it"));
    }
    let commands = shell::simple_commands(command);
    let expands = shell::expands_anything(command);
    let pipes_into_shell = commands.iter().any(|argv| {
        program_of(argv, &vars).is_some_and(|(p, at)| {
            matches!(p.as_str(), "sh" | "bash" | "zsh" | "dash" | "ksh" | "eval" | "source" | ".")
                && !argv[at + 1..].iter().any(|a| !a.starts_with('-'))
        }) || argv.first().is_some_and(|a| a == "eval" || a == "trap")
    });
    for argv in &commands {
        if let Some(v) = check_lock_files(argv, &cwd, protected, &vars) {
            return Some(v);
        }
        let Some((prog, at)) = program_of(argv, &vars) else { continue };
        let args = &argv[at + 1..];
        if prog == "cd" {
            cwd = match args.first().map(String::as_str) {
                None | Some("~") => home.unwrap_or("/").to_owned(),
                // `cd -`: the folder is unknown from here.
                Some("-") => "/<unknown>".to_owned(),
                Some(dir) => resolve(dir, &cwd, home, &vars),
            };
            continue;
        }
        // `echo hook uninstall | xargs mcpproxy`: its subcommand arrives on stdin, unseen.
        if prog == "mcpproxy" && argv[..at].iter().any(|a| matches!(a.rsplit('/').next(), Some("xargs" | "parallel"))) {
            return Some(deny("mcpproxy itself (a subcommand read from stdin)", "run mcpproxy that way"));
        }
        if let Some(v) = check_special(&prog, args, &cwd, protected, &vars, depth) {
            return Some(v);
        }
        if let Some(v) = check_operands(&prog, args, &cwd, protected, &vars, expands) {
            return Some(v);
        }
        // (After the operands: a pathspec naming the file itself is denied there.)
        if let Some(v) = (prog == "git").then(|| check_git_restores(args, &cwd, protected, &vars)).flatten() {
            return Some(v);
        }
        // `... | xargs rm -rf`: the operands arrive on stdin, from the rest of the line.
        if argv[..at].iter().any(|a| a.rsplit('/').next() == Some("xargs")) {
            // xargs appends them after the command's own operands (`xargs cp /tmp/c.json`).
            let piped = commands.iter().filter(|c| !std::ptr::eq(*c, argv)).flat_map(|c| c.iter().skip(1).cloned());
            let words: Vec<String> = args.iter().cloned().chain(piped).collect();
            if matches!(prog.as_str(), "kill" | "pkill" | "killall") {
                // The pids come from the rest of the line (`pgrep -f mcpp | xargs kill`).
                if let Some(v) = check_kill("pkill", &words) {
                    return Some(v);
                }
            }
            if let Some(v) = check_operands(&prog, &words, &cwd, protected, &vars, expands) {
                return Some(v);
            }
        }
    }
    // Code the analyser does not follow (a pipe into a shell, eval, trap, heredocs): judged
    // by what its text names.
    // A heredoc is code only when a shell or interpreter reads it (`python3 - <<EOF`); one fed
    // to `cat` for a commit message or a file is text (its target is checked as a redirect).
    let heredoc_runs = command.contains("<<")
        && commands.iter().any(|argv| {
            program_of(argv, &vars).is_some_and(|(p, at)| {
                matches!(
                    p.as_str(),
                    "sh" | "bash"
                        | "zsh"
                        | "dash"
                        | "ksh"
                        | "python"
                        | "python3"
                        | "node"
                        | "perl"
                        | "ruby"
                        | "php"
                        | "osascript"
                        | "sqlite3"
                        | "ed"
                        | "ex"
                        | "expect"
                        | "script"
                ) && argv[at + 1..].iter().all(|a| a.starts_with('-') || a.ends_with(".db") || a.contains("EOF"))
            })
        });
    if (pipes_into_shell || heredoc_runs) && hints_at_guard(command, protected) && changes_things(command) {
        return Some(deny(describe(Guarded::State), "run it"));
    }
    check_redirections(command, &cwd, protected, &vars)
}

/// The line runs `mcpproxy config path` (or `hook status --json`, which names the database) in
/// a command substitution.
fn asks_mcpproxy_for_a_path(command: &str) -> bool {
    let squeezed: String = command.split_whitespace().collect::<Vec<_>>().join(" ");
    (squeezed.contains("$(") || squeezed.contains('`'))
        && ["mcpproxy config path", "mcpproxy hook status --json", "mcpproxy doctor --json"]
            .iter()
            .any(|c| squeezed.contains(c))
}

/// The line writes a file: a redirect, or a program whose effect on its operands changes them
/// (see [`effect_of`]).
fn writes_somewhere(command: &str) -> bool {
    shell::unquoted_text(command).contains('>')
        || shell::simple_commands(command).iter().any(|argv| {
            let Some((prog, at)) = program_of(argv, &[]) else { return false };
            matches!(effect_of(&prog, &argv[at + 1..]), Effect::Writes | Effect::Destroys | Effect::CopiesInto)
        })
}

fn is_export_of_mcpproxy(command: &str) -> bool {
    // `printf 'export MCPPROXY_%s=...' HOME >> ~/.bashrc`: the name is assembled, the target is
    // a shell profile.
    command.contains(">>")
        || command.contains('>') && [".bashrc", ".zshrc", ".profile", ".zshenv"].iter().any(|r| command.contains(r))
}

/// `flock FILE cmd`: holding mcpproxy's lock (or any of its files) stalls its writers.
fn check_lock_files(argv: &[String], cwd: &str, protected: &Protected, vars: &[(String, String)]) -> Option<Verdict> {
    let at = argv.iter().position(|a| a.rsplit('/').next() == Some("flock"))?;
    let file = argv[at + 1..].iter().find(|a| !a.starts_with('-'))?;
    let path = resolve(file, cwd, protected.home_dir.as_deref(), vars);
    let kind = protected.guarded(&path)?;
    Some(deny(describe(kind), "lock it"))
}

/// Programs with their own rules: mcpproxy itself, process killers, shells and interpreters
/// running inline code, links.
fn check_special(
    prog: &str,
    args: &[String],
    cwd: &str,
    protected: &Protected,
    vars: &[(String, String)],
    depth: usize,
) -> Option<Verdict> {
    match prog {
        "mcpproxy" => {
            if args.iter().any(|a| a == "--help" || a == "-h") {
                return None;
            }
            let positional = args.iter().filter(|a| !a.starts_with('-')).count();
            let allowed = READ_ONLY_SUBCOMMANDS.iter().any(|sub| {
                let evaluate = sub.len() == 2 && sub[1] == "evaluate";
                args.len() >= sub.len() && sub.iter().zip(args).all(|(a, b)| a == b) && (!evaluate || positional == 2)
            });
            if !allowed && !args.is_empty() {
                let shown = args.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
                return Some(deny(
                    &format!("mcpproxy itself (`mcpproxy {shown}`)"),
                    &format!("run `mcpproxy {shown}`"),
                ));
            }
            None
        }
        // `pgrep` only lists; `pgrep ... | xargs kill` is judged at the kill.
        "kill" | "pkill" | "killall" | "skill" => check_kill(prog, args),
        "find" => check_find(args, cwd, protected, vars),
        "git" => check_git_untracked(args, cwd, protected),
        // `cd ~/.local/share && tar xf x.tar`: without `-C` an archive extracts into the folder.
        "tar" | "bsdtar" | "unzip" | "7z" if extracts_here(prog, args) => {
            judge(prog, Effect::CopiesInto, cwd, true, true, protected)
        }
        // `sed 'w FILE'`: the script's write command names a file of its own.
        "sed" => args.iter().find_map(|a| {
            let at = a.find("w ").or_else(|| a.find("W "))?;
            let file = a[at + 2..].split(['\n', ';']).next()?.trim();
            let kind = protected.guarded(&resolve(file, cwd, protected.home_dir.as_deref(), vars))?;
            Some(deny(describe(kind), "write it"))
        }),
        // `script -qc CMD FILE`: runs CMD in a pseudo-terminal.
        "script" => {
            let at = args
                .iter()
                .position(|a| a == "--command" || (a.starts_with('-') && !a.starts_with("--") && a.contains('c')))?;
            check_line(args.get(at + 1)?, cwd, protected, depth + 1)
        }
        "sh" | "bash" | "zsh" | "dash" | "ksh" => {
            // `-c`, also inside a flag cluster (`-lc`, `-ec`) and after `--`.
            let at = args.iter().position(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('c'))?;
            let inner = args[at + 1..].iter().find(|a| *a != "--")?;
            check_line(inner, cwd, protected, depth + 1)
        }
        "python" | "python3" | "node" | "perl" | "ruby" | "php" | "deno" | "bun" | "osascript" | "sqlite3" => {
            let code: String = args.iter().filter(|a| !a.starts_with('-')).cloned().collect::<Vec<_>>().join(" ");
            (hints_at_guard(&code, protected) && changes_things(&code))
                .then(|| deny(describe(Guarded::State), &format!("run `{prog}`")))
        }
        "ln" => {
            // A link to the protected set lets later calls reach it under another name.
            let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
            let target = operands.first()?;
            let path = resolve(target, cwd, protected.home_dir.as_deref(), vars);
            let reaches = protected.guarded(&path).is_some() || protected.is_ancestor_of_protected(&path);
            reaches.then(|| deny(describe(protected.guarded(&path).unwrap_or(Guarded::State)), "make the link"))
        }
        // `cp $(which mcpproxy) /tmp/x; /tmp/x hook uninstall`: mcpproxy under another name.
        _ if acts_like_mcpproxy(prog, args) => {
            let shown = args.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
            Some(deny(
                &format!("mcpproxy itself, under another name (`{prog} {shown}`)"),
                &format!("run `mcpproxy {shown}`"),
            ))
        }
        _ => None,
    }
}

/// `d=$(echo ~/.local/share/mcpproxy)`, `` f=`realpath x` ``, `d="$(dirname ~/.x/db)"`: a
/// variable set from a substitution that only prints (or trims) the path it is given.
fn echoed_assignments(command: &str) -> Vec<(String, String)> {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex::Regex::new(
            r#"(?:^|[;&|\s(])([A-Za-z_][A-Za-z0-9_]*)=["']?(?:\$\(|`)\s*(echo(?:\s+-[neE]+)?|printf(?:\s+['"]?%s['"]?)?|realpath(?:\s+-\w+)*|readlink(?:\s+-\w+)*|dirname)\s+([^)`;|&]+)[)`]"#,
        )
        .expect("echoed assignment pattern")
    });
    re.captures_iter(command)
        .take(16)
        .map(|c| {
            let arg = c[3].trim().trim_matches(['"', '\'']).to_owned();
            let value = if c[2].starts_with("dirname") {
                arg.trim_end_matches('/').rsplit_once('/').map_or(".".to_owned(), |(dir, _)| dir.to_owned())
            } else {
                arg
            };
            (c[1].to_owned(), value)
        })
        .collect()
}

/// Programs of their own with an `allow N` subcommand (firewalls).
const OTHER_ALLOW_PROGRAMS: &[&str] = &["ufw", "firewall-cmd", "pfctl", "tailscale", "iptables", "nft", "csf"];

/// `args` are one of mcpproxy's own changing subcommands (`hook install|uninstall`, `allow N`,
/// `allow revoke N`): no other program takes these words this way.
fn acts_like_mcpproxy(prog: &str, args: &[String]) -> bool {
    let words: Vec<&str> = args.iter().map(String::as_str).take(3).collect();
    match words.as_slice() {
        ["hook", "install" | "uninstall", ..] => true,
        ["allow", "revoke", id, ..] => !OTHER_ALLOW_PROGRAMS.contains(&prog) && id.bytes().all(|b| b.is_ascii_digit()),
        ["allow", id, ..] => {
            !OTHER_ALLOW_PROGRAMS.contains(&prog) && id.len() < 12 && id.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// An archive extraction with no destination option: it writes into the current folder.
fn extracts_here(prog: &str, args: &[String]) -> bool {
    let first = args.first().map(String::as_str).unwrap_or("");
    let extracts = match prog {
        "tar" | "bsdtar" => {
            args.iter().any(|a| a == "--extract" || a == "--get")
                || (!first.starts_with("--") && first.trim_start_matches('-').contains('x'))
        }
        "unzip" => !args.iter().any(|a| matches!(a.as_str(), "-l" | "-t" | "-p" | "-v" | "-Z")),
        _ => matches!(first, "x" | "e"),
    };
    extracts && copy_destination(prog, args).is_none() && !args.iter().any(|a| a.starts_with("-o") && prog == "7z")
}

/// `find ROOT -name P -delete` (or `-exec rm`): the name patterns against the hook settings
/// files known under ROOT (denied) and the agents' settings names anywhere (asked).
fn check_find(args: &[String], cwd: &str, protected: &Protected, vars: &[(String, String)]) -> Option<Verdict> {
    let exec_changes = args.windows(2).any(|w| {
        matches!(w[0].as_str(), "-exec" | "-execdir" | "-ok" | "-okdir") && effect_of(&w[1], &[]) != Effect::Reads
    });
    if !(exec_changes || args.iter().any(|a| a == "-delete")) {
        return None;
    }
    let roots: Vec<String> = args
        .iter()
        .take_while(|a| !a.starts_with('-') && !matches!(a.as_str(), "(" | "!" | "\\(" | "\\!"))
        .map(|r| resolve(r, cwd, protected.home_dir.as_deref(), vars))
        .collect();
    let roots = if roots.is_empty() { vec![cwd.to_owned()] } else { roots };
    let patterns: Vec<(bool, &str)> = args
        .windows(2)
        .filter(|w| matches!(w[0].as_str(), "-name" | "-iname"))
        .map(|w| (w[0] == "-iname", w[1].trim_matches(['\'', '"'])))
        .collect();
    let matches = |pattern: &str, folded: bool, name: &str| {
        let (p, n) = if folded { (pattern.to_lowercase(), name.to_lowercase()) } else { (pattern.into(), name.into()) };
        p == n || shell::glob_regex(&p).is_some_and(|re| re.is_match(&n))
    };
    for file in &protected.project_hook_files {
        let under_root = roots.iter().any(|r| file.starts_with(&format!("{}/", r.trim_end_matches('/'))));
        let parts: Vec<&str> = file.rsplit('/').take(2).collect();
        if under_root && patterns.iter().any(|(folded, p)| parts.iter().any(|part| matches(p, *folded, part))) {
            return Some(deny(describe(Guarded::AgentSettings), "delete it"));
        }
    }
    let named = ["settings.local.json", ".claude", ".codex", ".gemini", ".cursor"];
    patterns
        .iter()
        .any(|(folded, p)| named.iter().any(|n| matches(p, *folded, n)))
        .then(|| ask(describe(Guarded::AgentSettings)))
}

/// `git clean` (which removes untracked files, with `-x` the ignored ones too) and `git stash
/// -u|-a` in a project whose hook settings run mcpproxy: `settings.local.json` is not tracked.
fn check_git_untracked(args: &[String], cwd: &str, protected: &Protected) -> Option<Verdict> {
    let sub_at = args.iter().position(|a| !a.starts_with('-'))?;
    let (sub, flags) = (args[sub_at].as_str(), &args[sub_at + 1..]);
    let cluster_has = |c: char| flags.iter().any(|f| f.starts_with('-') && !f.starts_with("--") && f.contains(c));
    let dry_run = cluster_has('n') || flags.iter().any(|f| f == "--dry-run");
    let removes = match sub {
        "clean" => !dry_run,
        "stash" => {
            cluster_has('u')
                || cluster_has('a')
                || flags.iter().any(|f| matches!(f.as_str(), "--all" | "--include-untracked"))
        }
        _ => false,
    };
    if !removes {
        return None;
    }
    let ignored_too = match sub {
        "clean" => cluster_has('x') || cluster_has('X'),
        _ => cluster_has('a') || flags.iter().any(|f| f == "--all"),
    };
    let file = protected.project_hook_files.iter().find(|f| {
        // `/repo/.claude/settings.local.json` -> `/repo`.
        let Some(root) = f.rsplitn(3, '/').nth(2) else { return false };
        let related = cwd == root || cwd.starts_with(&format!("{root}/")) || root.starts_with(&format!("{cwd}/"));
        related && (ignored_too || f.ends_with("settings.local.json"))
    })?;
    Some(Verdict::Ask(format!(
        "mcpproxy check: `git {sub}` here also removes {file}, the hook settings that run mcpproxy (git does not \
         track it). Approve only if you asked for it."
    )))
}

/// What a restoring git command puts back in the working tree: the last commit's (or the
/// index's) version, or another revision's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restores {
    Committed,
    OtherRevision,
}

/// `git stash`, `git reset --hard`, `git checkout [REV] -- PATHS`, `git restore`, `git switch
/// -f`, `git read-tree -u`: whether the command rewrites files in the working tree, from which
/// version, and the pathspecs it is limited to (none: every file).
fn git_restores(args: &[String]) -> Option<(Restores, Vec<&str>)> {
    let sub_at = args.iter().position(|a| !a.starts_with('-'))?;
    let (sub, rest) = (args[sub_at].as_str(), &args[sub_at + 1..]);
    let dashdash = rest.iter().position(|a| a == "--");
    let (before, after): (&[String], &[String]) = match dashdash {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[]),
    };
    let has = |f: &[&str]| before.iter().any(|a| f.iter().any(|x| a == x || a.starts_with(&format!("{x}="))));
    let words: Vec<&str> = before.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    fn with_after<'a>(extra: &[&'a str], after: &'a [String]) -> Vec<&'a str> {
        let mut v: Vec<&str> = extra.to_vec();
        v.extend(after.iter().map(String::as_str));
        v
    }
    match sub {
        "stash" => {
            let action = words.first().copied();
            match action {
                None | Some("push") | Some("save") => {
                    let spec =
                        if action == Some("push") { with_after(&words[1..], after) } else { with_after(&[], after) };
                    (!has(&["--staged", "-S"])).then_some((Restores::Committed, spec))
                }
                _ => None,
            }
        }
        "reset" if has(&["--hard", "--merge", "--keep"]) => {
            let to = if words.is_empty() || words == ["HEAD"] { Restores::Committed } else { Restores::OtherRevision };
            Some((to, with_after(&[], after)))
        }
        "checkout" => {
            let forced = has(&["-f", "--force"]);
            if has(&["-b", "-B", "--orphan"]) {
                return None;
            }
            match (dashdash.is_some(), words.as_slice()) {
                // `git checkout -- PATHS`: the index's version; `git checkout REV -- PATHS`.
                (true, []) => Some((Restores::Committed, with_after(&[], after))),
                (true, [_rev, ..]) => Some((Restores::OtherRevision, with_after(&words[1..], after))),
                // `git checkout -f BRANCH` discards changes; `git checkout BRANCH` keeps them.
                (false, [_branch]) if forced => Some((Restores::OtherRevision, Vec::new())),
                (false, [_branch]) => None,
                (false, [_rev, spec @ ..]) => Some((Restores::OtherRevision, spec.to_vec())),
                (false, []) => None,
            }
        }
        "restore" => {
            let staged_only = has(&["--staged", "-S"]) && !has(&["--worktree", "-W"]);
            let source = before.iter().any(|a| a == "-s" || a.starts_with("--source") || a.starts_with("-s"));
            let to = if source { Restores::OtherRevision } else { Restores::Committed };
            // (`-s REV`: the word after `-s` is the revision, not a path.)
            let spec: Vec<&str> = before
                .iter()
                .enumerate()
                .filter(|(i, a)| !(a.starts_with('-') || *i > 0 && before[i - 1] == "-s"))
                .map(|(_, a)| a.as_str())
                .chain(after.iter().map(String::as_str))
                .collect();
            (!staged_only && !spec.is_empty()).then_some((to, spec))
        }
        "switch" if has(&["-f", "--force", "--discard-changes"]) && !has(&["-c", "-C", "--orphan"]) => {
            Some((Restores::OtherRevision, Vec::new()))
        }
        "read-tree" if has(&["-u"]) => Some((Restores::OtherRevision, Vec::new())),
        _ => None,
    }
}

/// A restoring git command (see [`git_restores`]) that would put back a version of a project's
/// hook settings other than the one running mcpproxy: the committed version of a file the
/// install changed, or any file under a command that checks out another revision.
fn check_git_restores(args: &[String], cwd: &str, protected: &Protected, vars: &[(String, String)]) -> Option<Verdict> {
    let (restores, spec) = git_restores(args)?;
    // Each pathspec once: excluded or not, and the path it names (`None`: the whole tree).
    let spec: Vec<(bool, Option<String>)> = spec
        .iter()
        .map(|p| {
            let p = p.trim_matches(['\'', '"']);
            let excluded = [":!", ":^", ":(exclude)"].iter().find_map(|x| p.strip_prefix(x));
            let path = excluded.unwrap_or(p);
            let full = (!matches!(path, ":/" | ":" | "*")).then(|| {
                let full = resolve(path, cwd, protected.home_dir.as_deref(), vars);
                full.trim_end_matches("/.").trim_end_matches('/').to_owned()
            });
            (excluded.is_some(), full)
        })
        .collect();
    let names = |full: &Option<String>, file: &str| {
        full.as_deref().is_none_or(|d| file == d || file.strip_prefix(d).is_some_and(|r| r.starts_with('/')))
    };
    let covers = |file: &str| spec.iter().all(|(x, _)| *x) || spec.iter().any(|(x, f)| !x && names(f, file));
    let excluded = |file: &str| spec.iter().any(|(x, f)| *x && names(f, file));
    let (file, _) = protected.hook_files_in_git.iter().find(|(file, state)| {
        let affected = matches!((restores, state), (_, InGit::Changed) | (Restores::OtherRevision, InGit::Committed));
        affected && covers(file) && !excluded(file)
    })?;
    let sub = args.iter().find(|a| !a.starts_with('-')).map(String::as_str).unwrap_or("");
    Some(Verdict::Ask(format!(
        "mcpproxy check: `git {sub}` here would put back another version of {file}, the hook settings that run \
         mcpproxy (they could stop running it). Approve only if you asked for it; `git {sub}` with the pathspec \
         ':!{rel}' leaves the file as it is.",
        // `.claude/settings.json`: the folder and the name (every hook file lies in a folder).
        rel = file.rsplitn(3, '/').nth(2).map_or(file.as_str(), |root| &file[root.len() + 1..]),
    )))
}

fn check_kill(prog: &str, args: &[String]) -> Option<Verdict> {
    let patterns: Vec<&String> =
        args.iter().filter(|a| !a.starts_with('-') && !a.chars().all(|c| c.is_ascii_digit() || c == '%')).collect();
    for p in patterns {
        let literal = p.trim_matches(|c| c == '\'' || c == '"');
        if literal.contains("mcpproxy") || literal.contains("cpprox") {
            return Some(deny("the mcpproxy processes that check this session's calls", "stop them"));
        }
        let matches_us = regex::Regex::new(literal).is_ok_and(|re| re.is_match("mcpproxy"));
        if matches_us && prog != "pgrep" {
            // `pkill cpp` matches mcpproxy too, but names something else first: a question.
            return Some(if literal.len() >= 5 || literal.contains('.') || literal.contains('[') {
                deny("the mcpproxy processes that check this session's calls", "stop them")
            } else {
                ask("the mcpproxy processes (the pattern also matches them)")
            });
        }
    }
    None
}

/// The path operands of one program against the protected set.
fn check_operands(
    prog: &str,
    args: &[String],
    cwd: &str,
    protected: &Protected,
    vars: &[(String, String)],
    expands: bool,
) -> Option<Verdict> {
    let home = protected.home_dir.as_deref();
    let effect = effect_of(prog, args);
    // A short flag cluster with r/R (or a for the copiers' archive mode), or the long forms.
    let archive_ok = matches!(prog, "cp" | "rsync" | "scp" | "install");
    let recursive = args.iter().any(|a| {
        let cluster = a.len() <= 5
            && a.starts_with('-')
            && !a.starts_with("--")
            && a[1..].chars().all(|c| c.is_ascii_alphabetic());
        cluster && (a.contains('r') || a.contains('R') || (archive_ok && a.contains('a')))
            || matches!(a.as_str(), "--recursive" | "--archive" | "--dereference-recursive")
    });
    let destination = copy_destination(prog, args);
    for arg in args {
        if arg.starts_with('-') && !arg.contains('/') && !arg.contains('=') {
            continue;
        }
        // `--target=/x`, `of=/x` (dd), `-C/x`: the value is the path.
        let value = arg
            .split_once('=')
            .map(|(k, v)| if k.starts_with('-') || k.len() <= 3 { v } else { arg.as_str() })
            .unwrap_or(arg);
        for word in expand_braces(value) {
            let path = resolve(&word, cwd, home, vars);
            if let Some(v) =
                judge(prog, effect, &path, recursive, destination.as_deref() == Some(arg.as_str()), protected)
            {
                return Some(v);
            }
            // Without expansions on the line a `$` or backtick in a word is literal text.
            let unknown = if expands { unresolved(&path) } else { path.contains("/<unknown>") || path.contains("/~") };
            if unknown && effect != Effect::Reads && hints_at_guard(value, protected) {
                return Some(ask(describe(Guarded::State)));
            }
        }
    }
    None
}

/// The operand a copy-like program writes into.
fn copy_destination(prog: &str, args: &[String]) -> Option<String> {
    if !COPY_PROGRAMS.contains(&prog) {
        return None;
    }
    for (i, a) in args.iter().enumerate() {
        if matches!(a.as_str(), "-t" | "--target-directory" | "-C" | "-d" | "--directory") {
            return args.get(i + 1).cloned();
        }
        for pre in ["--target-directory=", "--directory=", "-C"] {
            if let Some(v) = a.strip_prefix(pre).filter(|v| !v.is_empty() && a.starts_with(pre)) {
                return Some(v.to_owned());
            }
        }
    }
    let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    match prog {
        // `tar x` and `unzip` extract into the current directory unless told otherwise.
        "tar" | "unzip" | "bsdtar" | "7z" => None,
        _ if operands.len() >= 2 => operands.last().map(|s| s.to_string()),
        _ => None,
    }
}

fn judge(
    prog: &str,
    effect: Effect,
    path: &str,
    recursive: bool,
    is_destination: bool,
    protected: &Protected,
) -> Option<Verdict> {
    let glob = protected.glob_reaches(path);
    // A glob that reaches the key names the key, even inside the state folder.
    let kind =
        if glob == Some(Some(Guarded::Key)) { Some(Guarded::Key) } else { protected.guarded(path).or(glob.flatten()) };
    if kind == Some(Guarded::Key) && !METADATA_PROGRAMS.contains(&prog) {
        return Some(deny(describe(Guarded::Key), "inspect it"));
    }
    // A recursive read of a folder that holds the key reads the key.
    if effect == Effect::Reads && recursive && protected.contains_key(path) && !METADATA_PROGRAMS.contains(&prog) {
        return Some(deny(describe(Guarded::Key), "inspect it"));
    }
    let ancestor = protected.is_ancestor_of_protected(path) || glob == Some(None);
    match effect {
        Effect::Reads => None,
        Effect::Destroys if kind.is_some() || ancestor => {
            Some(deny(describe(kind.unwrap_or(Guarded::State)), &format!("run `{prog}` on it")))
        }
        Effect::Destroys => None,
        Effect::Writes => kind.map(|k| deny(describe(k), &format!("run `{prog}` on it"))),
        Effect::CopiesInto if !is_destination => {
            // `cp -r fake/.claude .`: a settings folder or file copied in by its name.
            let name = path.rsplit('/').next().unwrap_or("");
            let settings_dir = super::SETTINGS_DIRS.iter().any(|d| d.trim_start_matches('/') == name);
            (settings_dir && recursive && prog != "tar" && prog != "unzip")
                .then(|| ask(describe(Guarded::AgentSettings)))
        }
        Effect::CopiesInto if ancestor && matches!(prog, "tar" | "unzip" | "bsdtar" | "7z") => {
            Some(ask(describe(Guarded::State)))
        }
        Effect::CopiesInto => match kind {
            Some(Guarded::AgentSettings) | None if ancestor && recursive => Some(ask(describe(Guarded::State))),
            Some(k) => Some(deny(describe(k), &format!("run `{prog}`"))),
            None if parent_holds_protected(path, protected) => Some(ask(describe(Guarded::AgentSettings))),
            None => None,
        },
        Effect::Other => match kind {
            // An editor or unknown tool on an agent's settings: a question.
            Some(k @ (Guarded::AgentSettings | Guarded::McpConfig)) => Some(ask(describe(k))),
            Some(k) => Some(deny(describe(k), &format!("run `{prog}` on it"))),
            None => None,
        },
    }
}

/// `path` is a folder that directly holds a protected file (`~/.claude/` holds settings.json).
fn parent_holds_protected(path: &str, protected: &Protected) -> bool {
    let dir = path.trim_end_matches('/');
    protected.paths.iter().any(|(p, _)| p.rsplit_once('/').is_some_and(|(parent, _)| parent == dir))
        || super::SETTINGS_DIRS.iter().any(|s| dir.ends_with(s))
}

/// Text sets a variable that moves where mcpproxy or the agent looks for its files.
fn moves_our_home(text: &str) -> bool {
    ["HOME=", "XDG_DATA_HOME=", "XDG_CONFIG_HOME=", "CLAUDE_CONFIG_DIR=", "CODEX_HOME="].iter().any(|v| {
        text.match_indices(v).any(|(at, _)| {
            at == 0 || !text.as_bytes()[at - 1].is_ascii_alphanumeric() && text.as_bytes()[at - 1] != b'_'
        })
    })
}

/// Redirection targets (`>`, `>>`, `&>`, `<>`, `N>`) and inputs (`< key`) in the raw command.
fn check_redirections(command: &str, cwd: &str, protected: &Protected, vars: &[(String, String)]) -> Option<Verdict> {
    static PATTERN: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex::bytes::Regex::new(r#"(?-u)(<>|[0-9&]?>{1,2}\|?|<)\s*("[^"]+"|'[^']+'|[^\s;&|()<>]+)"#)
            .expect("redirect pattern")
    });
    for cap in re.captures_iter(command.as_bytes()) {
        let op = String::from_utf8_lossy(&cap[1]).into_owned();
        let target = String::from_utf8_lossy(&cap[2]);
        if target.starts_with('&') || target.starts_with('(') {
            continue;
        }
        // The shell removes quotes inside the word (`settings.local''.json`).
        let target: String = target.chars().filter(|c| !matches!(c, '\'' | '"' | '\\')).collect();
        let path = resolve(&target, cwd, protected.home_dir.as_deref(), vars);
        let kind = protected.guarded(&path).or(protected.glob_reaches(&path).flatten());
        match (op.as_str(), kind) {
            ("<", Some(Guarded::Key)) => return Some(deny(describe(Guarded::Key), "inspect it")),
            ("<", _) => {}
            (_, Some(k)) => return Some(deny(describe(k), "edit it")),
            (_, None) if path.rsplit('/').next() == Some("mcpproxy") => {
                return Some(deny(describe(Guarded::Binary), "replace it"))
            }
            (_, None) if is_shell_rc(&path) && (names_our_variables(command) || moves_our_home(command)) => {
                return Some(deny("where mcpproxy keeps its state (MCPPROXY_HOME in a shell profile)", "edit it"))
            }
            _ => {}
        }
    }
    None
}
