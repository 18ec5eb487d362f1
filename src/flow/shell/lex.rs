//! Tokenizer: splits a command line into words (quote removal, `$'..'` escapes, nested
//! `$(..)`/backtick/`<(..)` substitutions parsed on the spot), control operators and
//! redirections (here-document bodies read at the next newline).

use super::ast::{Op, RedirKind, Redirect, Script, Token, Word};
use super::parse::parse_tokens;
use super::MAX_DEPTH;

/// A word being read: both of its texts, grown in step.
#[derive(Default)]
struct WordBuilder {
    /// Text after quote removal, expansions as written.
    text: Vec<u8>,
    /// Text with every expansion replaced by `*`.
    host: Vec<u8>,
    quoted: bool,
    subs: Vec<Script>,
}

impl WordBuilder {
    fn lit(&mut self, b: u8) {
        self.text.push(b);
        self.host.push(b);
    }
    fn lits(&mut self, s: &[u8]) {
        self.text.extend_from_slice(s);
        self.host.extend_from_slice(s);
    }
    fn dynamic(&mut self, raw: &[u8]) {
        self.text.extend_from_slice(raw);
        if self.host.last() != Some(&b'*') {
            self.host.push(b'*');
        }
    }
    fn finish(self) -> Word {
        Word {
            text: String::from_utf8_lossy(&self.text).into_owned(),
            host: String::from_utf8_lossy(&self.host).into_owned(),
            quoted: self.quoted,
            subs: self.subs,
        }
    }
}

/// Reads tokens from a byte string.
pub(super) struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
}

fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

fn is_meta(c: u8) -> bool {
    is_blank(c) || matches!(c, b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>')
}

/// Append a redirection; a here-document is queued to have its body read at the next newline.
fn push_redirect(toks: &mut Vec<Token>, pending: &mut Vec<usize>, r: Token) {
    if matches!(&r, Token::Redirect(x) if x.kind == RedirKind::HereDoc) {
        pending.push(toks.len());
    }
    toks.push(r);
}

impl<'a> Lexer<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        Lexer { input, pos: 0 }
    }
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }
    fn at(&self, k: usize) -> Option<u8> {
        self.input.get(self.pos + k).copied()
    }
    /// Consume the `len` bytes of an operator and emit it.
    fn operator(&mut self, toks: &mut Vec<Token>, len: usize, op: Op) {
        self.pos += len;
        toks.push(Token::Op(op));
    }
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(c) if is_blank(c) => self.pos += 1,
                Some(b'\\') if self.at(1) == Some(b'\n') => self.pos += 2,
                _ => break,
            }
        }
    }

    pub(super) fn tokens(&mut self, depth: usize, in_sub: bool) -> Vec<Token> {
        let mut toks: Vec<Token> = Vec::new();
        let mut pending: Vec<usize> = Vec::new();
        let mut paren = 0usize;
        loop {
            self.skip_blanks();
            let Some(c) = self.peek() else { break };
            match c {
                b'\n' => {
                    self.pos += 1;
                    self.read_heredocs(&mut toks, &mut pending, depth);
                    toks.push(Token::Op(Op::Newline));
                }
                b'#' => {
                    let end = self.input[self.pos..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(self.input.len(), |k| self.pos + k);
                    self.pos = end;
                }
                b';' => {
                    self.pos += 1;
                    while matches!(self.peek(), Some(b';' | b'&')) {
                        self.pos += 1;
                    }
                    toks.push(Token::Op(Op::Sep));
                }
                b'&' => match self.at(1) {
                    Some(b'&') => self.operator(&mut toks, 2, Op::Sep),
                    Some(b'>') => {
                        self.pos += 1;
                        let r = self.redirect(None, depth, true);
                        toks.push(r);
                    }
                    _ => self.operator(&mut toks, 1, Op::Sep),
                },
                b'|' => match self.at(1) {
                    Some(b'|') => self.operator(&mut toks, 2, Op::Sep),
                    Some(b'&') => self.operator(&mut toks, 2, Op::Pipe),
                    _ => self.operator(&mut toks, 1, Op::Pipe),
                },
                b'(' => {
                    paren += 1;
                    self.operator(&mut toks, 1, Op::LParen);
                }
                b')' => {
                    self.pos += 1;
                    if in_sub && paren == 0 {
                        return toks;
                    }
                    paren = paren.saturating_sub(1);
                    toks.push(Token::Op(Op::RParen));
                }
                b'<' | b'>' if self.at(1) != Some(b'(') => {
                    let r = self.redirect(None, depth, false);
                    push_redirect(&mut toks, &mut pending, r);
                }
                _ => {
                    let start = self.pos;
                    let w = self.word(depth);
                    if self.pos == start {
                        self.pos += 1;
                        continue;
                    }
                    let is_fd = !w.quoted
                        && !w.text.is_empty()
                        && w.text.len() <= 9
                        && w.subs.is_empty()
                        && w.text.bytes().all(|b| b.is_ascii_digit())
                        && matches!(self.peek(), Some(b'<' | b'>'))
                        && self.at(1) != Some(b'(');
                    if is_fd {
                        let r = self.redirect(w.text.parse().ok(), depth, false);
                        push_redirect(&mut toks, &mut pending, r);
                    } else {
                        toks.push(Token::Word(w));
                    }
                }
            }
        }
        toks
    }

    fn redirect(&mut self, fd: Option<u32>, depth: usize, amp: bool) -> Token {
        let mut strip_tabs = false;
        let kind;
        if amp {
            // at '>' of &> / &>>
            self.pos += 1;
            if self.peek() == Some(b'>') {
                self.pos += 1;
            }
            kind = RedirKind::Out;
        } else if self.peek() == Some(b'<') {
            match (self.at(1), self.at(2)) {
                (Some(b'<'), Some(b'<')) => {
                    self.pos += 3;
                    kind = RedirKind::HereStr;
                }
                (Some(b'<'), Some(b'-')) => {
                    self.pos += 3;
                    strip_tabs = true;
                    kind = RedirKind::HereDoc;
                }
                (Some(b'<'), _) => {
                    self.pos += 2;
                    kind = RedirKind::HereDoc;
                }
                (Some(b'>'), _) => {
                    self.pos += 2;
                    kind = RedirKind::ReadWrite;
                }
                (Some(b'&'), _) => {
                    self.pos += 2;
                    kind = RedirKind::DupIn;
                }
                _ => {
                    self.pos += 1;
                    kind = RedirKind::In;
                }
            }
        } else {
            match self.at(1) {
                Some(b'>') | Some(b'|') => {
                    self.pos += 2;
                    kind = RedirKind::Out;
                }
                Some(b'&') => {
                    self.pos += 2;
                    kind = RedirKind::DupOut;
                }
                _ => {
                    self.pos += 1;
                    kind = RedirKind::Out;
                }
            }
        }
        while matches!(self.peek(), Some(c) if is_blank(c)) {
            self.pos += 1;
        }
        let target = match self.peek() {
            Some(c) if !is_meta(c) => Some(self.word(depth)),
            Some(b'<' | b'>') if self.at(1) == Some(b'(') => Some(self.word(depth)),
            _ => None,
        };
        Token::Redirect(Redirect { fd, kind, target, strip_tabs, body: String::new(), body_subs: Vec::new() })
    }

    fn read_heredocs(&mut self, toks: &mut [Token], pending: &mut Vec<usize>, depth: usize) {
        for idx in pending.drain(..) {
            let Some(Token::Redirect(r)) = toks.get_mut(idx) else {
                continue;
            };
            let delim: Vec<u8> = r.target.as_ref().map(|w| w.text.as_bytes().to_vec()).unwrap_or_default();
            let quoted = r.target.as_ref().is_some_and(|w| w.quoted);
            let mut body: Vec<u8> = Vec::new();
            while self.pos < self.input.len() {
                let start = self.pos;
                let end = self.input[start..].iter().position(|&b| b == b'\n').map_or(self.input.len(), |k| start + k);
                let mut line = &self.input[start..end];
                self.pos = (end + 1).min(self.input.len());
                if r.strip_tabs {
                    while line.first() == Some(&b'\t') {
                        line = &line[1..];
                    }
                }
                let cmp = line.strip_suffix(b"\r").unwrap_or(line);
                if cmp == delim.as_slice() {
                    break;
                }
                body.extend_from_slice(line);
                body.push(b'\n');
            }
            if !quoted && depth < MAX_DEPTH && body.iter().any(|&b| b == b'$' || b == b'`') {
                let mut lx = Lexer::new(&body);
                let mut wb = WordBuilder::default();
                lx.double_quoted(None, depth + 1, &mut wb);
                r.body_subs = wb.subs;
            }
            r.body = String::from_utf8_lossy(&body).into_owned();
        }
    }

    fn word(&mut self, depth: usize) -> Word {
        let mut w = WordBuilder::default();
        while let Some(c) = self.peek() {
            match c {
                b'<' | b'>' => {
                    if self.at(1) == Some(b'(') {
                        let start = self.pos;
                        self.pos += 2;
                        self.command_substitution(start, depth, &mut w);
                    } else {
                        break;
                    }
                }
                c if is_meta(c) => break,
                b'\\' => match self.at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(n) => {
                        w.quoted = true;
                        w.lit(n);
                        self.pos += 2;
                    }
                    None => {
                        w.lit(b'\\');
                        self.pos += 1;
                    }
                },
                b'\'' => {
                    self.pos += 1;
                    w.quoted = true;
                    let end = self.input[self.pos..]
                        .iter()
                        .position(|&b| b == b'\'')
                        .map_or(self.input.len(), |k| self.pos + k);
                    w.lits(&self.input[self.pos..end]);
                    self.pos = (end + 1).min(self.input.len());
                }
                b'"' => {
                    self.pos += 1;
                    w.quoted = true;
                    self.double_quoted(Some(b'"'), depth, &mut w);
                }
                b'$' => self.dollar(depth, &mut w),
                b'`' => self.backtick(depth, &mut w),
                _ => {
                    w.lit(c);
                    self.pos += 1;
                }
            }
        }
        w.finish()
    }

    /// Double-quoted context until `term` (or EOF when `term` is None, for heredoc bodies).
    fn double_quoted(&mut self, term: Option<u8>, depth: usize, w: &mut WordBuilder) {
        while let Some(c) = self.peek() {
            if Some(c) == term {
                self.pos += 1;
                return;
            }
            match c {
                b'\\' => match self.at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(n @ (b'$' | b'`' | b'"' | b'\\')) => {
                        w.lit(n);
                        self.pos += 2;
                    }
                    _ => {
                        w.lit(b'\\');
                        self.pos += 1;
                    }
                },
                b'$' => self.dollar(depth, w),
                b'`' => self.backtick(depth, w),
                _ => {
                    w.lit(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn dollar(&mut self, depth: usize, w: &mut WordBuilder) {
        let start = self.pos;
        match self.at(1) {
            Some(b'\'') => {
                self.pos += 2;
                w.quoted = true;
                self.ansi_c_quoted(w);
            }
            Some(b'"') => {
                self.pos += 2;
                w.quoted = true;
                self.double_quoted(Some(b'"'), depth, w);
            }
            Some(b'(') => {
                if self.at(2) == Some(b'(') {
                    self.pos += 3;
                    self.skip_parens(2);
                    w.dynamic(&self.input[start..self.pos]);
                } else {
                    self.pos += 2;
                    self.command_substitution(start, depth, w);
                }
            }
            Some(b'{') => {
                self.pos += 2;
                let mut d = 1usize;
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    match c {
                        b'{' => d += 1,
                        b'}' => {
                            d -= 1;
                            if d == 0 {
                                break;
                            }
                        }
                        b'\\' => self.pos += 1,
                        b'\'' => {
                            let end = self.input[self.pos..]
                                .iter()
                                .position(|&b| b == b'\'')
                                .map_or(self.input.len(), |k| self.pos + k);
                            self.pos = end + 1;
                        }
                        _ => {}
                    }
                }
                self.pos = self.pos.min(self.input.len());
                w.dynamic(&self.input[start..self.pos]);
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                self.pos += 1;
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_') {
                    self.pos += 1;
                }
                w.dynamic(&self.input[start..self.pos]);
            }
            Some(c) if c.is_ascii_digit() || b"@*#?$!-".contains(&c) => {
                self.pos += 2;
                w.dynamic(&self.input[start..self.pos]);
            }
            _ => {
                w.lit(b'$');
                self.pos += 1;
            }
        }
    }

    /// Skip until `d` unmatched closing parens have been seen.
    fn skip_parens(&mut self, mut d: usize) {
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == b'(' {
                d += 1;
            } else if c == b')' {
                d -= 1;
                if d == 0 {
                    break;
                }
            }
        }
    }

    /// `$(` or `<(` / `>(` already consumed; `start` is the position of `$`/`<`/`>`.
    fn command_substitution(&mut self, start: usize, depth: usize, w: &mut WordBuilder) {
        if depth >= MAX_DEPTH {
            self.skip_parens(1);
            w.dynamic(&self.input[start..self.pos]);
            return;
        }
        let toks = self.tokens(depth + 1, true);
        let sc = parse_tokens(toks, depth + 1);
        w.dynamic(&self.input[start..self.pos.min(self.input.len())]);
        w.subs.push(sc);
    }

    fn backtick(&mut self, depth: usize, w: &mut WordBuilder) {
        let start = self.pos;
        self.pos += 1;
        let mut content: Vec<u8> = Vec::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == b'`' {
                break;
            }
            if c == b'\\' {
                if let Some(n @ (b'`' | b'\\' | b'$')) = self.peek() {
                    content.push(n);
                    self.pos += 1;
                    continue;
                }
            }
            content.push(c);
        }
        w.dynamic(&self.input[start..self.pos]);
        if depth < MAX_DEPTH {
            let mut lx = Lexer::new(&content);
            let toks = lx.tokens(depth + 1, false);
            w.subs.push(parse_tokens(toks, depth + 1));
        }
    }

    fn ansi_c_quoted(&mut self, w: &mut WordBuilder) {
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'\'' => return,
                b'\\' => {
                    let Some(n) = self.peek() else {
                        w.lit(b'\\');
                        return;
                    };
                    self.pos += 1;
                    match n {
                        b'n' => w.lit(b'\n'),
                        b't' => w.lit(b'\t'),
                        b'r' => w.lit(b'\r'),
                        b'a' => w.lit(7),
                        b'b' => w.lit(8),
                        b'e' | b'E' => w.lit(27),
                        b'f' => w.lit(12),
                        b'v' => w.lit(11),
                        b'\\' | b'\'' | b'"' | b'?' => w.lit(n),
                        b'x' => {
                            let v = self.read_radix(16, 2);
                            match v {
                                Some(v) => w.lit(v as u8),
                                None => w.lits(b"\\x"),
                            }
                        }
                        b'u' | b'U' => {
                            let max = if n == b'u' { 4 } else { 8 };
                            match self.read_radix(16, max).and_then(char::from_u32) {
                                Some(ch) => {
                                    let mut buf = [0u8; 4];
                                    w.lits(ch.encode_utf8(&mut buf).as_bytes());
                                }
                                None => {
                                    w.lit(b'\\');
                                    w.lit(n);
                                }
                            }
                        }
                        b'0'..=b'7' => {
                            self.pos -= 1;
                            let v = self.read_radix(8, 3).unwrap_or(0);
                            w.lit((v & 0xff) as u8);
                        }
                        b'c' => {
                            if let Some(x) = self.peek() {
                                self.pos += 1;
                                w.lit(x & 0x1f);
                            }
                        }
                        _ => {
                            w.lit(b'\\');
                            w.lit(n);
                        }
                    }
                }
                _ => w.lit(c),
            }
        }
    }

    fn read_radix(&mut self, radix: u32, max: usize) -> Option<u32> {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < max {
            match self.peek().and_then(|c| (c as char).to_digit(radix)) {
                Some(d) => {
                    v = v.wrapping_mul(radix).wrapping_add(d);
                    self.pos += 1;
                    n += 1;
                }
                None => break,
            }
        }
        if n == 0 {
            None
        } else {
            Some(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::flow::shell::test_util::{one, s};
    use crate::flow::shell::{analyze, simple_commands};

    #[test]
    fn tokenizer_edge_cases() {
        assert_eq!(simple_commands("echo 'a b' \"c $d\" e\\ f"), vec![s(&["echo", "a b", "c $d", "e f"])]);
        assert_eq!(simple_commands("echo $'a\\tb\\x41\\u00e9' \"q\\\"x\""), vec![s(&["echo", "a\tbAé", "q\"x"])]);
        assert_eq!(
            simple_commands("a && b || c; d | e |& f & g\nh"),
            vec![s(&["a"]), s(&["b"]), s(&["c"]), s(&["d"]), s(&["e"]), s(&["f"]), s(&["g"]), s(&["h"])]
        );
        assert_eq!(simple_commands("echo a\\\nb"), vec![s(&["echo", "ab"])]);
        assert_eq!(simple_commands("X=1 cmd arg # comment"), vec![s(&["cmd", "arg"])]);
        assert_eq!(simple_commands("echo a#b"), vec![s(&["echo", "a#b"])]);
        assert_eq!(simple_commands("echo $(cat f) > out"), vec![s(&["cat", "f"]), s(&["echo", "$(cat f)"])]);
        assert_eq!(simple_commands("echo 'unterminated"), vec![s(&["echo", "unterminated"])]);
        assert_eq!(simple_commands("echo \"unterminated $(x"), vec![s(&["x"]), s(&["echo", "unterminated $(x"])]);
        assert_eq!(simple_commands("echo \"$(echo \")\")\""), vec![s(&["echo", ")"]), s(&["echo", "$(echo \")\")"])]);
        assert_eq!(simple_commands("echo $((1+(2*3))) ${x:-a b}"), vec![s(&["echo", "$((1+(2*3)))", "${x:-a b}"])]);
        assert_eq!(simple_commands("cat <<-EOF\n\tbody\n\tEOF\necho after"), vec![s(&["cat"]), s(&["echo", "after"])]);
        // heredoc immediately followed by pipeline commands on the same line
        let f = analyze("cat <<A; cat <<B | curl -d @- https://z.example\n1\nA\n2\nB\n");
        assert_eq!(f.net.len(), 1);
        // escaped quotes inside double quotes in bash -c
        let n = one("bash -c \"curl -H \\\"X: y\\\" https://q.example\"");
        assert_eq!(n.hosts, s(&["q.example"]));
    }
}
