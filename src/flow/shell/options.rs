//! Arguments of a simple command and a getopt-like option parser the tool modules share.

use super::ast::Word;

pub(super) mod valued_long;

/// One argument of a simple command.
#[derive(Clone, Debug)]
pub(super) struct Arg {
    /// Text after quote removal.
    pub(super) text: String,
    /// Host text: expansions replaced by `*`.
    pub(super) host: String,
}

impl Arg {
    pub(super) fn from_word(w: &Word) -> Arg {
        Arg { text: w.text.clone(), host: w.host.clone() }
    }
    pub(super) fn lit(s: &str) -> Arg {
        Arg { text: s.to_string(), host: s.to_string() }
    }
    /// Suffix starting at byte offset `off` of the text (prefix assumed literal).
    pub(super) fn slice(&self, off: usize) -> Arg {
        let text = self.text.get(off..).unwrap_or("").to_string();
        let host = if self.host.get(..off).is_some() && self.host.get(..off) == self.text.get(..off) {
            self.host[off..].to_string()
        } else {
            text.clone()
        };
        Arg { text, host }
    }
}

/// Arguments split by [`parse_opts`].
pub(super) struct ParsedOptions {
    /// Non-option arguments, in order.
    pub(super) operands: Vec<Arg>,
    /// Options as written (`-x`, `--name`) with their value, in order.
    pub(super) options: Vec<(String, Option<Arg>)>,
}

impl ParsedOptions {
    pub(super) fn has(&self, keys: &[&str]) -> bool {
        self.options.iter().any(|(k, _)| keys.contains(&k.as_str()))
    }
    /// The file operands of a program-taking tool (`grep`, `awk`, `sed`, `gh gist`): all
    /// operands when the program came from an option, else those after the first (the program,
    /// or the tag of `gh release`).
    pub(super) fn files_after_program(&self, program_in_option: bool) -> &[Arg] {
        if program_in_option {
            &self.operands
        } else {
            self.operands.get(1..).unwrap_or(&[])
        }
    }
    /// The options that carry a value, as (`-x` or `--name`, value), in order.
    pub(super) fn valued(&self) -> impl Iterator<Item = (&str, &Arg)> {
        self.options.iter().filter_map(|(k, v)| Some((k.as_str(), v.as_ref()?)))
    }
    pub(super) fn vals(&self, keys: &[&str]) -> Vec<Arg> {
        self.options.iter().filter(|(k, _)| keys.contains(&k.as_str())).filter_map(|(_, v)| v.clone()).collect()
    }
}

/// Long options written as an unambiguous prefix (`--res` for `--resolve`: getopt_long, and so
/// wget, accepts them) spelled out in full, for the `targets` that change where a client
/// connects. Only a prefix of exactly one target, and not itself a valued option, is expanded.
pub(super) fn expand_abbreviated(args: &[Arg], long: &[&str], targets: &[&str]) -> Vec<Arg> {
    args.iter()
        .map(|a| {
            let Some(rest) = a.text.strip_prefix("--") else { return a.clone() };
            let (name, value) = rest.split_once('=').map_or((rest, None), |(n, v)| (n, Some(v)));
            if name.len() < 3 || long.contains(&name) || targets.contains(&name) {
                return a.clone();
            }
            let mut full = targets.iter().filter(|t| t.starts_with(name));
            match (full.next(), full.next()) {
                (Some(t), None) => Arg::lit(&match value {
                    Some(v) => format!("--{t}={v}"),
                    None => format!("--{t}"),
                }),
                _ => a.clone(),
            }
        })
        .collect()
}

/// Generic getopt-like parser. `short`: short options taking an argument;
/// `long`: long options (without `--`) taking an argument.
pub(super) fn parse_opts(args: &[Arg], short: &str, long: &[&str], stop_at_pos: bool) -> ParsedOptions {
    let mut p = ParsedOptions { operands: Vec::new(), options: Vec::new() };
    let mut i = 0;
    let mut only_pos = false;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        let t = a.text.as_str();
        if only_pos || t == "-" || !t.starts_with('-') {
            p.operands.push(a.clone());
            if stop_at_pos {
                only_pos = true;
            }
            continue;
        }
        if t == "--" {
            only_pos = true;
            continue;
        }
        if let Some(body) = t.strip_prefix("--") {
            if let Some(eq) = body.find('=') {
                p.options.push((format!("--{}", &body[..eq]), Some(a.slice(2 + eq + 1))));
            } else if long.contains(&body) {
                p.options.push((t.to_string(), take_next(args, &mut i)));
            } else {
                p.options.push((t.to_string(), None));
            }
            continue;
        }
        for (off, c) in t.char_indices().skip(1) {
            if short.contains(c) {
                let o = off + c.len_utf8();
                let v = if o < t.len() { Some(a.slice(o)) } else { take_next(args, &mut i) };
                p.options.push((format!("-{}", c), v));
                break;
            }
            p.options.push((format!("-{}", c), None));
        }
    }
    p
}

/// The argument at `*i` (an option's value), stepping past it when there is one.
fn take_next(args: &[Arg], i: &mut usize) -> Option<Arg> {
    let v = args.get(*i).cloned();
    if v.is_some() {
        *i += 1;
    }
    v
}

/// Index of the first non-option argument starting at `start`.
pub(super) fn skip_opts(args: &[Arg], start: usize, short: &str, long: &[&str]) -> usize {
    let mut i = start;
    while let Some(a) = args.get(i) {
        let t = a.text.as_str();
        if t == "--" {
            return i + 1;
        }
        if !t.starts_with('-') || t.len() < 2 {
            return i;
        }
        i += 1;
        if let Some(body) = t.strip_prefix("--") {
            if !body.contains('=') && long.contains(&body) {
                i += 1;
            }
            continue;
        }
        for (off, c) in t.char_indices().skip(1) {
            if short.contains(c) {
                if off + c.len_utf8() >= t.len() {
                    i += 1;
                }
                break;
            }
        }
    }
    i
}

/// A non-empty string of ASCII digits.
pub(super) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}
