//! Small text helpers shared by the reporting commands: the output width, colour, column
//! truncation, UTC timestamps, ages, byte sizes and `--since` parsing.

use anyhow::{bail, Result};
use std::io::IsTerminal;

/// Narrowest layout the tables are squeezed into.
const MIN_WIDTH: usize = 40;

/// Columns to fit: `COLUMNS` when set, else the width of the terminal on stdout, else 80;
/// unlimited with `wide`.
pub fn width(wide: bool) -> usize {
    if wide {
        return usize::MAX;
    }
    let from_env = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|&c| c > 0);
    from_env.or_else(tty_width).unwrap_or(80).max(MIN_WIDTH)
}

#[cfg(unix)]
fn tty_width() -> Option<usize> {
    let mut ws = libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCGWINSZ fills the winsize struct it is given; stdout may be anything.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_col > 0).then_some(ws.ws_col as usize)
}

#[cfg(not(unix))]
fn tty_width() -> Option<usize> {
    None
}

/// Colours for the few words that matter.
#[derive(Clone, Copy)]
pub enum Colour {
    Red,
    Yellow,
    Green,
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to anything (no-color.org) or
/// `TERM=dumb`.
pub fn colour_enabled() -> bool {
    std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// `text` in `colour` when `on`, as is otherwise. Pad before painting: escapes have no width.
pub fn paint(text: &str, colour: Colour, on: bool) -> String {
    if !on {
        return text.to_owned();
    }
    let code = match colour {
        Colour::Red => "31",
        Colour::Yellow => "33",
        Colour::Green => "32",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The colour of a decision word, if any.
pub fn decision_colour(decision: &str) -> Option<Colour> {
    match decision {
        "deny" => Some(Colour::Red),
        "ask" => Some(Colour::Yellow),
        _ => None,
    }
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// `text` cut to `width` characters (ending in `...` when cut), on one line.
pub fn fit(text: &str, width: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if width == usize::MAX {
        return one_line;
    }
    if one_line.chars().count() <= width {
        return one_line;
    }
    if width <= 3 {
        return one_line.chars().take(width).collect();
    }
    let cut: String = one_line.chars().take(width - 3).collect();
    format!("{cut}...")
}

/// Word-wrap `text` to lines of at most `width` characters (long words are kept whole).
/// `usize::MAX` (a `--wide` layout) keeps it on one line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Days since 1970-01-01 -> (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `2026-11-20 10:15:02Z`
pub fn utc(ts: i64) -> String {
    let (y, m, d) = civil(ts.div_euclid(86_400));
    let s = ts.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
}

/// `11-20 10:15:02` (UTC), for narrow columns.
pub fn utc_short(ts: i64) -> String {
    utc(ts)[5..19].to_owned()
}

/// `3m ago`, `2h ago`, `5d ago`.
pub fn age(ts: i64, now: i64) -> String {
    let d = (now - ts).max(0);
    match d {
        0..=59 => format!("{d}s ago"),
        60..=3599 => format!("{}m ago", d / 60),
        3600..=86_399 => format!("{}h ago", d / 3600),
        _ => format!("{}d ago", d / 86_400),
    }
}

pub fn bytes(n: u64) -> String {
    match n {
        0..=1023 => format!("{n} B"),
        1024..=1_048_575 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

/// `--since`: a duration back from `now` (`90s`, `30m`, `1h`, `2d`, `1w`) or a unix time.
pub fn parse_since(text: &str, now: i64) -> Result<i64> {
    let t = text.trim();
    if let Ok(unix) = t.parse::<i64>() {
        return Ok(unix);
    }
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let Ok(n) = num.parse::<i64>() else {
        bail!("--since `{text}`: expected a duration such as 30m, 1h, 2d or a unix time");
    };
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => bail!("--since `{text}`: unknown unit `{unit}` (use s, m, h, d or w)"),
    };
    Ok(now - n * secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(utc(0), "1970-01-01 00:00:00Z");
        assert_eq!(utc(1_795_000_000), "2026-11-18 11:06:40Z");
        assert_eq!(fit("abcdefgh", 5), "ab...");
        assert_eq!(fit("a\nb", 5), "a b");
        assert_eq!(parse_since("2h", 10_000).unwrap(), 2_800);
        assert_eq!(parse_since("1700000000", 0).unwrap(), 1_700_000_000);
        assert!(parse_since("2y", 0).is_err());
    }
}
