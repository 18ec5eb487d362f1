//! The syntax tree the lexer and parser build: words, redirections, simple commands, groups,
//! pipelines and scripts.

/// One shell word after quote removal, with the command substitutions found inside it.
#[derive(Debug, Default)]
pub(super) struct Word {
    /// Text after quote removal; expansions kept as written (`$X`, `$(..)`).
    pub(super) text: String,
    /// Same, but every expansion replaced by `*` (used for hosts).
    pub(super) host: String,
    /// Some part of the word was quoted or escaped (a quoted `{` is no group, a quoted digit
    /// string before `>` is no file descriptor).
    pub(super) quoted: bool,
    /// Scripts of the `$(..)`, backtick and `<(..)`/`>(..)` substitutions inside the word.
    pub(super) subs: Vec<Script>,
}

/// Control operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    /// `;`, `&`, `&&`, `||`: ends a pipeline.
    Sep,
    /// `|`, `|&`.
    Pipe,
    LParen,
    RParen,
    Newline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RedirKind {
    /// `<`
    In,
    /// `>`, `>>`, `>|`, `&>`, `&>>`
    Out,
    /// `<>`
    ReadWrite,
    /// `<&`
    DupIn,
    /// `>&`
    DupOut,
    /// `<<`, `<<-`
    HereDoc,
    /// `<<<`
    HereStr,
}

#[derive(Debug)]
pub(super) struct Redirect {
    /// The explicit file descriptor (`2>`), if any.
    pub(super) fd: Option<u32>,
    pub(super) kind: RedirKind,
    /// The file, fd, here-string or here-document delimiter.
    pub(super) target: Option<Word>,
    /// `<<-`: leading tabs are stripped from the here-document lines.
    pub(super) strip_tabs: bool,
    /// Here-document body.
    pub(super) body: String,
    /// Substitutions inside an unquoted here-document body.
    pub(super) body_subs: Vec<Script>,
}

#[derive(Debug)]
pub(super) enum Token {
    Word(Word),
    Op(Op),
    Redirect(Redirect),
}

/// Pipelines in the order they run.
#[derive(Debug, Default)]
pub(super) struct Script {
    pub(super) pipes: Vec<Pipeline>,
}

#[derive(Debug, Default)]
pub(super) struct Pipeline {
    pub(super) cmds: Vec<Command>,
}

#[derive(Debug)]
pub(super) struct Command {
    pub(super) kind: CommandKind,
    pub(super) redirs: Vec<Redirect>,
}

#[derive(Debug)]
pub(super) enum CommandKind {
    /// Words of a simple command (leading assignments included).
    Simple(Vec<Word>),
    /// `( .. )` subshell or `{ ..; }` group.
    Group(Script),
}

/// `NAME=value` or `NAME+=value`.
pub(super) fn is_assignment(t: &str) -> bool {
    let b = t.as_bytes();
    if b.is_empty() || !(b[0].is_ascii_alphabetic() || b[0] == b'_') {
        return false;
    }
    let mut i = 1;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    i < b.len() && (b[i] == b'=' || (b[i] == b'+' && b.get(i + 1) == Some(&b'=')))
}

impl Script {
    /// Argv of every simple command, substitutions before the command using them (see
    /// [`super::simple_commands`]).
    pub(super) fn simple_commands(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        collect_simple(self, &mut out);
        out
    }
}

fn collect_simple(sc: &Script, out: &mut Vec<Vec<String>>) {
    for p in &sc.pipes {
        for c in &p.cmds {
            for r in &c.redirs {
                if let Some(w) = &r.target {
                    for s in &w.subs {
                        collect_simple(s, out);
                    }
                }
                for s in &r.body_subs {
                    collect_simple(s, out);
                }
            }
            match &c.kind {
                CommandKind::Group(inner) => collect_simple(inner, out),
                CommandKind::Simple(words) => {
                    for w in words {
                        for s in &w.subs {
                            collect_simple(s, out);
                        }
                    }
                    let argv: Vec<String> =
                        words.iter().skip_while(|w| is_assignment(&w.text)).map(|w| w.text.clone()).collect();
                    if !argv.is_empty() {
                        out.push(argv);
                    }
                }
            }
        }
    }
}
