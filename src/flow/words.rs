//! Splitting identifiers into words: `snake_case`, `kebab-case`, `dotted.keys` and `camelCase`;
//! telling prose words from random characters.

/// `text` reads as a word, not as random characters: letters only, with a run of six or more
/// lowercase letters (`attacker`, `Account`s, `ttackerO`). A random base62 string has such a
/// run in an 8-char window about once in sixty, so few windows of a real secret are lost,
/// while a word that happens to be inside a hand-written key is no evidence that it leaked.
pub fn is_wordlike(text: &[u8]) -> bool {
    let mut run = 0;
    let mut longest = 0;
    for &b in text {
        if !b.is_ascii_alphabetic() {
            return false;
        }
        run = if b.is_ascii_lowercase() { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest >= 6
}

/// Split `text` into words at every char `is_separator` accepts and where a lowercase letter or
/// digit is followed by an uppercase one (`createPullRequest`), each char passed through `case`.
pub fn split_words(text: &str, is_separator: impl Fn(char) -> bool, case: fn(&char) -> char) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if is_separator(c) {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(case(&c));
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod wordlike_tests {
    use super::is_wordlike;

    #[test]
    fn words_are_wordlike_and_random_characters_are_not() {
        for w in ["attacker", "Attacker", "ttackerO", "account", "password"] {
            assert!(is_wordlike(w.as_bytes()), "{w}");
        }
        for r in ["51QzAtta", "sk_live_", "Hx9KqLmN", "q8ZR3KT9", "AKIAIOSF", "abcde1fg"] {
            assert!(!is_wordlike(r.as_bytes()), "{r}");
        }
    }
}
