//! Reading one hook payload from stdin: until EOF or the first complete JSON value, within the
//! deadline (an agent that keeps stdin open must not hang the hook) and within a byte cap (a
//! payload of any size must not cost unbounded memory). A payload cut at the cap is closed into
//! valid JSON so that what was read is still evaluated.

use std::io::Read;
use std::sync::mpsc;
use std::time::Instant;

/// What was read.
pub struct Input {
    pub bytes: Vec<u8>,
    /// The cap was reached before the payload ended (the bytes were closed into valid JSON).
    pub cut: bool,
}

/// Chunks queued between the reading thread and the scanner (64 KiB each).
const QUEUED_CHUNKS: usize = 16;

/// Read stdin until EOF, the first complete JSON value or `cap` bytes, whichever comes first,
/// within the deadline.
pub fn read(deadline: Instant, cap: usize) -> Result<Input, String> {
    // A bounded queue: a reader faster than the scanner waits instead of buffering everything.
    let (tx, rx) = mpsc::sync_channel::<std::io::Result<Vec<u8>>>(QUEUED_CHUNKS);
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => {
                    let _ = tx.send(Ok(Vec::new()));
                    return;
                }
                Ok(n) => {
                    if tx.send(Ok(buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
    });
    let mut input = Vec::new();
    let mut scan = JsonScan::default();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Ok(chunk)) if chunk.is_empty() => return Ok(Input { bytes: input, cut: false }),
            Ok(Ok(chunk)) => {
                let start = input.len();
                let room = cap.saturating_sub(start);
                let take = chunk.len().min(room);
                input.extend_from_slice(&chunk[..take]);
                if let Some(end) = scan.feed(&input[start..]) {
                    input.truncate(start + end);
                    return Ok(Input { bytes: input, cut: false });
                }
                if take < chunk.len() {
                    // The rest is left unread (the reading thread ends with the process).
                    scan.close(&mut input);
                    return Ok(Input { bytes: input, cut: true });
                }
            }
            Ok(Err(e)) => return Err(format!("cannot read hook input from stdin: {e}")),
            Err(_) => return Err("hook input on stdin did not end within the deadline".to_owned()),
        }
    }
}

/// Follows the JSON structure chunk by chunk: where the first complete top-level object or
/// array ends, and, at any point, how to close what was read so far.
#[derive(Default)]
pub struct JsonScan {
    /// Open containers, innermost last (`{` or `[`).
    open: Vec<u8>,
    started: bool,
    in_string: bool,
    /// The string being read is an object key.
    in_key: bool,
    escaped: bool,
    /// Offset of the opening quote of the string being read.
    string_start: usize,
    /// The last structural byte outside strings (`{`, `[`, `,`, `:`, `}`, `]`, `"`).
    last: u8,
    consumed: usize,
}

impl JsonScan {
    /// The end offset (in all bytes fed so far) once the value is complete.
    pub fn feed(&mut self, chunk: &[u8]) -> Option<usize> {
        for (i, &b) in chunk.iter().enumerate() {
            if self.in_string {
                match (self.escaped, b) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => {
                        self.in_string = false;
                        self.last = b'"';
                    }
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    self.in_key = self.open.last() == Some(&b'{') && matches!(self.last, b'{' | b',');
                    self.string_start = self.consumed + i;
                }
                b'{' | b'[' => {
                    self.open.push(b);
                    self.started = true;
                    self.last = b;
                }
                b'}' | b']' => {
                    self.open.pop();
                    self.last = b;
                    if self.started && self.open.is_empty() {
                        return Some(self.consumed + i + 1);
                    }
                }
                b',' | b':' => self.last = b,
                _ => {}
            }
        }
        self.consumed += chunk.len();
        None
    }

    /// Close `bytes` (everything fed) into valid JSON: an open value string is ended (an
    /// unfinished escape or UTF-8 sequence dropped), an open key or unfinished number or word
    /// is dropped, a dangling `:` gets `null`, a dangling `,` goes, open containers are closed.
    pub fn close(&self, bytes: &mut Vec<u8>) {
        if !self.started {
            return;
        }
        if self.in_string && self.in_key {
            bytes.truncate(self.string_start);
        } else if self.in_string {
            let mut end = bytes.len();
            // Back to before an unfinished escape (`\`, `\u12`).
            if let Some(at) = bytes[self.string_start + 1..end].iter().rposition(|&b| b == b'\\') {
                let at = self.string_start + 1 + at;
                let escape = &bytes[at..end];
                let complete = escape.len() >= 2 && (escape[1] != b'u' || escape.len() >= 6);
                let escaped_backslash = at > 0 && trailing_backslashes(&bytes[..=at]).is_multiple_of(2);
                if !complete && !escaped_backslash {
                    end = at;
                }
            }
            // Back to a UTF-8 boundary.
            while end > self.string_start + 1 && std::str::from_utf8(&bytes[self.string_start + 1..end]).is_err() {
                end -= 1;
            }
            bytes.truncate(end);
            bytes.push(b'"');
        }
        let trim = |bytes: &mut Vec<u8>| {
            while bytes.last().is_some_and(|b| b.is_ascii_whitespace()) {
                bytes.pop();
            }
        };
        trim(bytes);
        // An unfinished number or literal (`12`, `tru`): dropped.
        if !self.in_string && bytes.last().is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
        {
            while bytes.last().is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')) {
                bytes.pop();
            }
            trim(bytes);
        }
        match bytes.last() {
            Some(b',') => {
                bytes.pop();
            }
            Some(b':') => bytes.extend_from_slice(b"null"),
            _ => {}
        }
        for open in self.open.iter().rev() {
            bytes.push(if *open == b'{' { b'}' } else { b']' });
        }
    }
}

/// How many `\` end `bytes`.
fn trailing_backslashes(bytes: &[u8]) -> usize {
    bytes.iter().rev().take_while(|&&b| b == b'\\').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_end_is_found_across_chunks() {
        let mut s = JsonScan::default();
        assert_eq!(s.feed(br#"{"a":"}\"","#), None);
        assert_eq!(s.feed(br#""b":[1,{}]} trailing"#), Some(22));
    }

    fn closed(text: &str) -> serde_json::Value {
        let mut s = JsonScan::default();
        assert_eq!(s.feed(text.as_bytes()), None, "{text}");
        let mut bytes = text.as_bytes().to_vec();
        s.close(&mut bytes);
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{text} -> {}: {e}", String::from_utf8_lossy(&bytes)))
    }

    #[test]
    fn a_cut_payload_is_closed_into_what_was_read() {
        let v = closed(r#"{"session_id":"s","tool_input":{"url":"https://x.example/?k=abc"#);
        assert_eq!(v["tool_input"]["url"], "https://x.example/?k=abc");
        assert_eq!(v["session_id"], "s");
        assert_eq!(closed(r#"{"a":[1,2,3"#)["a"], serde_json::json!([1, 2]));
        assert_eq!(closed(r#"{"a":"x","b":"#)["b"], serde_json::Value::Null);
        assert_eq!(closed(r#"{"a":"x","bkey"#), serde_json::json!({"a": "x"}));
        assert_eq!(closed(r#"{"a":"x\u00"#)["a"], "x");
        assert_eq!(closed(r#"{"a":"x\\"#)["a"], "x\\");
        assert_eq!(closed(r#"{"a":"x\"#)["a"], "x");
        assert_eq!(closed(r#"{"a":[{"b":tru"#), serde_json::json!({"a": [{"b": null}]}));
        let mut cut_utf8 = r#"{"a":"é"#.as_bytes().to_vec();
        cut_utf8.pop();
        let mut s = JsonScan::default();
        s.feed(&cut_utf8);
        s.close(&mut cut_utf8);
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&cut_utf8).unwrap()["a"], "");
    }
}
