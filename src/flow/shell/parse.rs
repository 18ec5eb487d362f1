//! Parser: groups tokens into simple commands, `( )` subshells, `{ }` groups and pipelines.
//! Keywords (`if`, `do`, ...) stay words; the analysis skips them.

use super::ast::{Command, CommandKind, Op, Pipeline, Redirect, Script, Token};
use super::lex::Lexer;
use super::MAX_DEPTH;

/// What ends the script being parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Closer {
    Top,
    Paren,
    Brace,
}

/// Tokenize and parse `s`; `depth` is the nesting already reached.
pub(super) fn parse_str(s: &str, depth: usize) -> Script {
    let mut lx = Lexer::new(s.as_bytes());
    let toks = lx.tokens(depth, false);
    parse_tokens(toks, depth)
}

pub(super) fn parse_tokens(toks: Vec<Token>, depth: usize) -> Script {
    let mut p = Parser { tokens: toks, next: 0 };
    p.script(depth, Closer::Top)
}

struct Parser {
    tokens: Vec<Token>,
    /// Index of the next token.
    next: usize,
}

impl Parser {
    fn is_op(&self, op: Op) -> bool {
        matches!(self.tokens.get(self.next), Some(Token::Op(o)) if *o == op)
    }
    fn is_word(&self, s: &str) -> bool {
        matches!(self.tokens.get(self.next), Some(Token::Word(w)) if !w.quoted && w.text == s)
    }
    fn take(&mut self) -> Token {
        let t = std::mem::replace(&mut self.tokens[self.next], Token::Op(Op::Sep));
        self.next += 1;
        t
    }

    fn script(&mut self, depth: usize, closer: Closer) -> Script {
        let mut sc = Script::default();
        while self.next < self.tokens.len() {
            match &self.tokens[self.next] {
                Token::Op(Op::RParen) => {
                    self.next += 1;
                    if closer == Closer::Paren {
                        return sc;
                    }
                    continue;
                }
                Token::Op(Op::LParen) => {}
                Token::Op(_) => {
                    self.next += 1;
                    continue;
                }
                _ => {}
            }
            if closer == Closer::Brace && self.is_word("}") {
                self.next += 1;
                return sc;
            }
            let before = self.next;
            let p = self.pipeline(depth, closer);
            if !p.cmds.is_empty() {
                sc.pipes.push(p);
            }
            if self.next == before {
                self.next += 1;
            }
        }
        sc
    }

    fn pipeline(&mut self, depth: usize, closer: Closer) -> Pipeline {
        let mut p = Pipeline::default();
        loop {
            if let Some(c) = self.command(depth, closer) {
                p.cmds.push(c);
            }
            if self.is_op(Op::Pipe) {
                self.next += 1;
                while self.is_op(Op::Newline) {
                    self.next += 1;
                }
                continue;
            }
            break;
        }
        p
    }

    fn trailing_redirs(&mut self) -> Vec<Redirect> {
        let mut v = Vec::new();
        while matches!(self.tokens.get(self.next), Some(Token::Redirect(_))) {
            if let Token::Redirect(r) = self.take() {
                v.push(r);
            }
        }
        v
    }

    fn command(&mut self, depth: usize, closer: Closer) -> Option<Command> {
        if self.is_op(Op::LParen) {
            self.next += 1;
            if depth >= MAX_DEPTH {
                return None;
            }
            let inner = self.script(depth + 1, Closer::Paren);
            let redirs = self.trailing_redirs();
            return Some(Command { kind: CommandKind::Group(inner), redirs });
        }
        if self.is_word("{") && depth < MAX_DEPTH {
            self.next += 1;
            let inner = self.script(depth + 1, Closer::Brace);
            let redirs = self.trailing_redirs();
            return Some(Command { kind: CommandKind::Group(inner), redirs });
        }
        if closer == Closer::Brace && self.is_word("}") {
            return None;
        }
        let mut words = Vec::new();
        let mut redirs = Vec::new();
        while self.next < self.tokens.len() {
            match &self.tokens[self.next] {
                Token::Word(_) => {
                    if let Token::Word(w) = self.take() {
                        words.push(w);
                    }
                }
                Token::Redirect(_) => {
                    if let Token::Redirect(r) = self.take() {
                        redirs.push(r);
                    }
                }
                Token::Op(Op::LParen) if !words.is_empty() => {
                    // function definition: name ( ) body
                    self.next += 1;
                    if self.is_op(Op::RParen) {
                        self.next += 1;
                    }
                    while self.is_op(Op::Newline) {
                        self.next += 1;
                    }
                    if depth >= MAX_DEPTH {
                        return None;
                    }
                    return self.command(depth + 1, closer);
                }
                _ => break,
            }
        }
        if words.is_empty() && redirs.is_empty() {
            None
        } else {
            Some(Command { kind: CommandKind::Simple(words), redirs })
        }
    }
}
