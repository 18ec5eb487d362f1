//! Splitting identifiers into words: `snake_case`, `kebab-case`, `dotted.keys` and `camelCase`.

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
