//! Character-level measures of a value (entropy, distinct bytes, character classes, ascending
//! runs) and rounding of byte offsets to char boundaries.

pub(super) fn sequential_ratio(v: &str) -> f64 {
    let a: Vec<u8> = v.bytes().filter(|b| b.is_ascii_alphanumeric()).map(|b| b.to_ascii_lowercase()).collect();
    if a.len() < 2 {
        return 0.0;
    }
    // Ascending runs only ("abcd", "1234"): descending ones are rarer in placeholders.
    let n = a.windows(2).filter(|w| w[1] == w[0].wrapping_add(1)).count();
    n as f64 / (a.len() - 1) as f64
}

pub(super) fn distinct(v: &str) -> usize {
    let mut seen = [false; 256];
    let mut n = 0;
    for b in v.bytes() {
        if !seen[b as usize] {
            seen[b as usize] = true;
            n += 1;
        }
    }
    n
}

pub(super) fn entropy(v: &str) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for b in v.bytes() {
        counts[b as usize] += 1;
    }
    let n = v.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

pub(super) fn has_lower(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_lowercase())
}
pub(super) fn has_upper(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_uppercase())
}
pub(super) fn has_digit(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_digit())
}

pub(super) fn floor_cb(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
pub(super) fn ceil_cb(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}
