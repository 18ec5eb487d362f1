//! Which files a shell command may run, whatever the form: a word of any command that runs
//! something (`exec ./x.sh`, `nohup sh x.sh`, `find . -name x.sh -exec sh {} ;`), the file a
//! shell or interpreter reads as its stdin (`sh < x.txt`), and the copies the command makes
//! before it runs them (`mv x.txt x.sh && sh x.sh`). Only the words are listed here; whether
//! one of them is a script this session wrote is the sink's question.

/// Programs that read, list, move or edit files without running what they hold: a word of
/// theirs names a file they do not run.
const INERT: &[&str] = &[
    "cat",
    "less",
    "more",
    "head",
    "tail",
    "ls",
    "rm",
    "rmdir",
    "stat",
    "file",
    "wc",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "diff",
    "cmp",
    "chmod",
    "chown",
    "touch",
    "echo",
    "printf",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "shasum",
    "git",
    "shellcheck",
    "mkdir",
    "cd",
    "pwd",
    "true",
    "false",
    "test",
    "[",
    "sed",
    "sort",
    "uniq",
    "cut",
    "tr",
    "nl",
    "od",
    "xxd",
    "hexdump",
    "strings",
    "realpath",
    "basename",
    "dirname",
    "readlink",
    "du",
    "tree",
    "vi",
    "vim",
    "nano",
    "bat",
    "jq",
    "yq",
];

/// Programs that copy or rename files: their last operand is the file under a new name.
const COPIERS: &[&str] = &["cp", "mv", "ln", "install"];

/// Programs that run the command after their own options and operands.
const WRAPPERS: &[&str] =
    &["exec", "nohup", "timeout", "env", "nice", "ionice", "setsid", "stdbuf", "time", "command", "sudo", "doas"];

/// Shells and interpreters: with no file operand they run what they read on stdin.
const STDIN_RUNNERS: &[&str] =
    &["sh", "bash", "zsh", "dash", "ksh", "python", "python3", "node", "perl", "ruby", "php", "deno", "bun", "pwsh"];

fn program(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Where the program that really runs starts in `argv` (past wrappers, `find ... -exec`,
/// `xargs`), or `None` when nothing is run.
fn runner_at(argv: &[String]) -> Option<usize> {
    let mut i = 0;
    while let Some(word) = argv.get(i) {
        let prog = program(word);
        if WRAPPERS.contains(&prog) || prog == "xargs" {
            i += 1;
            // Options, `VAR=value`, a duration (`timeout 5`).
            while argv.get(i).is_some_and(|a| {
                a.starts_with('-') || a.contains('=') || a.chars().next().is_some_and(|c| c.is_ascii_digit())
            }) {
                i += 1;
            }
            continue;
        }
        if prog == "find" {
            let exec = argv[i..].iter().position(|a| matches!(a.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir"))?;
            i += exec + 1;
            continue;
        }
        return (!INERT.contains(&prog) && !COPIERS.contains(&prog)).then_some(i);
    }
    None
}

/// The words that may name a file the command runs, and the copies it makes
/// (`(sources, destination)`). `read_paths` are the files read anywhere on the line: they count
/// when a shell or interpreter runs with no file operand (it runs its stdin).
pub fn named_and_copies(commands: &[Vec<String>], read_paths: &[String]) -> (Vec<String>, Vec<(Vec<String>, String)>) {
    let mut named = Vec::new();
    let mut copies = Vec::new();
    let mut runs_stdin = false;
    for argv in commands {
        let first = argv.first().map(|w| program(w)).unwrap_or("");
        if COPIERS.contains(&first) {
            let operands: Vec<String> = argv[1..].iter().filter(|a| !a.starts_with('-')).cloned().collect();
            if let Some((to, from)) = operands.split_last().filter(|(_, from)| !from.is_empty()) {
                copies.push((from.to_vec(), to.clone()));
            }
            continue;
        }
        let Some(at) = runner_at(argv) else { continue };
        if STDIN_RUNNERS.contains(&program(&argv[at])) && argv[at + 1..].iter().all(|a| a.starts_with('-')) {
            runs_stdin = true;
        }
        named.extend(argv[at..].iter().filter(|a| !a.is_empty() && !a.starts_with('-')).cloned());
    }
    if runs_stdin {
        named.extend(read_paths.iter().cloned());
    }
    (named, copies)
}

/// `path` is `dir/<name>` for the copy destination `dir` (`cp x.sh /tmp/ && sh /tmp/x.sh`).
pub fn inside(dir: &str, path: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    !dir.is_empty() && path.strip_prefix(dir).and_then(|rest| rest.strip_prefix('/')).is_some_and(|n| !n.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::shell;

    fn named(cmd: &str) -> Vec<String> {
        let facts = shell::analyze(cmd);
        named_and_copies(&facts.simple_commands, &facts.read_paths).0
    }

    #[test]
    fn words_of_commands_that_run_something() {
        assert!(named("exec ./x.sh").contains(&"./x.sh".to_owned()));
        assert!(named("nohup sh x.sh >/dev/null 2>&1 &").contains(&"x.sh".to_owned()));
        assert!(named("timeout 5 ./x.sh").contains(&"./x.sh".to_owned()));
        assert!(named("env -i sh x.sh").contains(&"x.sh".to_owned()));
        assert!(named("find . -name x.sh -exec sh {} \\;").contains(&"{}".to_owned()));
        assert!(named("source x.sh").contains(&"x.sh".to_owned()));
        assert!(named("sh < x.txt").contains(&"x.txt".to_owned()));
        assert!(named("python3 < x.py").contains(&"x.py".to_owned()));
    }

    #[test]
    fn readers_and_copies_run_nothing() {
        for cmd in
            ["cat x.sh", "rm -f x.sh", "chmod +x x.sh", "git add x.sh", "find . -name x.sh", "cp x.sh y.sh", "ls -l"]
        {
            assert!(named(cmd).is_empty(), "{cmd}: {:?}", named(cmd));
        }
        // `sh script.sh < input`: the shell runs its file operand, not its stdin.
        assert!(!named("sh run.sh < data.txt").contains(&"data.txt".to_owned()));
    }

    #[test]
    fn copies_and_folders() {
        let facts = shell::analyze("mv x.txt x.sh && sh x.sh");
        let (_, copies) = named_and_copies(&facts.simple_commands, &facts.read_paths);
        assert_eq!(copies, vec![(vec!["x.txt".to_owned()], "x.sh".to_owned())]);
        assert!(inside("/tmp/", "/tmp/x.sh"));
        assert!(!inside("/tmp", "/tmp/a/x.sh"));
        assert!(!inside("", "x.sh"));
    }
}
