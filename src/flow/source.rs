//! The source side: fingerprints of what a tool returned (content k-grams, secrets found in
//! it or in its decoded forms) and taint of files written with secrets.

use crate::config::Config;
use crate::flow::call::{Call, Phase, Tool};
use crate::flow::classify::{self, Origin, ToolClass};
use crate::flow::decode::{self, Limits};
use crate::flow::extract;
use crate::flow::fingerprint::{self, SECRET_K};
use crate::flow::hosts;
use crate::flow::licence;
use crate::flow::runs;
use crate::flow::secrets::{self, Category};
use crate::flow::shell;
use crate::flow::stated_issuer;
use crate::flow::stored::{self, Stored};
use crate::flow::taint::{TaintKind, TaintKinds};
use crate::flow::view::{NewSecret, NewSource, SessionView, Taint};
use crate::flow::written_code;
use std::collections::HashMap;

/// The bytes of a secret that identify it: PEM bodies without whitespace or escaped newlines.
fn secret_core(text: &str, f: &secrets::Finding) -> String {
    let core = &text[f.core_start..f.core_end];
    if matches!(f.category, Category::Card | Category::Ssn) {
        // Digits only: the number may leave with another grouping.
        core.chars().filter(char::is_ascii_digit).collect()
    } else if f.category == Category::PrivateKey {
        core.replace("\\n", "").replace("\\r", "").chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        core.to_owned()
    }
}

/// How many leading chars of a secret every secret of its kind shares: a JWT's header
/// (`eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.`, the same for most tokens) and the start of its
/// payload's JSON (`eyJzdWIiOi` is `{"sub":`).
fn shared_prefix_len(core: &str, kind: &str) -> usize {
    if kind != "jwt" {
        return 0;
    }
    match core.find('.') {
        Some(dot) => (dot + 1 + 10).min(core.len()),
        None => 0,
    }
}

/// Record one secret (once per session source) by the keyed hashes of its core.
fn push_secret(
    core: &str,
    kind: &str,
    category: Category,
    key: u64,
    stated_issuers: Vec<String>,
    into: &mut Vec<NewSecret>,
    kinds: &mut Vec<String>,
) {
    if core.len() < SECRET_K {
        return;
    }
    let ident = fingerprint::window_hashes(core.as_bytes(), core.len(), key)[0];
    if into.iter().any(|s| s.ident == ident) {
        return;
    }
    if !kinds.iter().any(|k| k == kind) {
        kinds.push(kind.to_owned());
    }
    // Windows every token of the kind shares say nothing about this one: they never match.
    let shared = shared_prefix_len(core, kind).saturating_sub(SECRET_K - 1);
    let windows_of = |text: &str| {
        let mut w = fingerprint::window_hashes(text.as_bytes(), SECRET_K, key);
        w.iter_mut().take(shared).for_each(|h| *h = fingerprint::NO_MATCH);
        w
    };
    let mut windows = windows_of(core);
    // DNS names are case-insensitive, so a secret sent as labels may go lowercased: the
    // lowercased windows follow the exact ones (SessionView::window_map folds the offsets).
    if core.bytes().any(|b| b.is_ascii_uppercase()) {
        windows.extend(windows_of(&core.to_ascii_lowercase()));
    }
    into.push(NewSecret { kind: kind.to_owned(), category, ident, core_len: core.len(), windows, stated_issuers });
}

fn new_secrets(text: &str, key: u64, into: &mut Vec<NewSecret>, kinds: &mut Vec<String>) {
    new_secrets_found(text, secrets::scan(text), key, into, kinds);
}

fn new_secrets_found(
    text: &str,
    findings: Vec<secrets::Finding>,
    key: u64,
    into: &mut Vec<NewSecret>,
    kinds: &mut Vec<String>,
) {
    for f in findings {
        // Only a credential no rule knows the issuer of takes the one its file names.
        let stated = if f.category == Category::Secret && secrets::issuer_hosts(f.kind).is_empty() {
            stated_issuer::stated_issuers(text, f.core_start)
        } else {
            Vec::new()
        };
        push_secret(&secret_core(text, &f), f.kind, f.category, key, stated, into, kinds);
    }
    // Values the text stores encoded (a Kubernetes Secret, a Docker config, basic auth).
    for v in stored::decoded_values(text) {
        match v {
            Stored::Value(kind, value) if secrets::plausible_value(&value) => {
                push_secret(&value, kind, Category::Secret, key, Vec::new(), into, kinds);
            }
            Stored::Value(..) => {}
            Stored::Text(t) => {
                for f in secrets::scan(&t) {
                    push_secret(&secret_core(&t, &f), f.kind, f.category, key, Vec::new(), into, kinds);
                }
            }
        }
    }
    // Many personal records (emails, phone numbers, addresses): one bulk finding.
    if let Some(core) = secrets::pii::bulk_core(text) {
        push_secret(&core, secrets::pii::BULK_KIND, Category::Pii, key, Vec::new(), into, kinds);
    }
}

/// Decoding limits for source text: shallower than sinks, since sources can be large.
fn source_limits() -> Limits {
    Limits { max_depth: 2, max_outputs: 64, max_output_bytes: 2 * 1024 * 1024 }
}

/// Source-side decoding undoes what a tool's output may carry encoded (base64, hex, gzip...);
/// the evasion layers (reflow, reversal, DNS labels) only make sense on sinks and would invent
/// spurious "secrets" out of joined tokens.
fn source_side_layer(d: &decode::Decoded) -> bool {
    !["whitespace", "reversed", "dns-labels"].iter().any(|l| d.encoding.contains(l))
}

/// Output that may carry something encoded: a run of 32+ base64/hex/percent characters.
/// Prose and code rarely have one, so they skip the (comparatively costly) decoding.
fn has_encoded_run(text: &str) -> bool {
    let mut run = 0;
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-' | b'%') {
            run += 1;
            if run >= 32 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Sensitivity of a response cut by the hook input's caps (the rest was never seen).
pub const CUT: &str = "cut-by-input-cap";

/// Fingerprint what a tool returned. Needs no session state, so the caller runs it before
/// taking the database lock.
pub fn prepare(call: &Call, class: ToolClass, cfg: &Config, key: u64) -> Option<NewSource> {
    // A response cut by the input caps may have held anything past the cut: it counts as
    // private data, recorded even when the part seen is empty (never silently clean).
    let origin = if call.cut.is_some() { Origin::Private } else { class.source? };
    let text = match (&call.response, &call.error) {
        (Some(resp), _) => extract::response_text(resp, cfg.max_source_bytes),
        (None, Some(err)) => err.chars().take(cfg.max_source_bytes).collect(),
        (None, None) => String::new(),
    };
    if text.trim().is_empty() && call.cut.is_none() {
        return None;
    }
    let mut found = Vec::new();
    let mut sensitivity = Vec::new();
    let location = extract::source_location(call);
    let (findings, public) =
        if origin == Origin::Private { secrets::scan_with_public(&text) } else { (Vec::new(), Vec::new()) };
    // Public keys (a Supabase anon key, a Firebase web key) are no private content either.
    let mut content = fingerprint::content_fingerprints(&blank_spans(&text, &public), key);
    if origin == Origin::Private {
        new_secrets_found(&text, findings, key, &mut found, &mut sensitivity);
        // Source-side decoding: `base64 < credentials` output carries the file.
        let decoded =
            if has_encoded_run(&text) { decode::decode_encodings(&text, &source_limits()) } else { Vec::new() };
        for d in decoded.into_iter().filter(source_side_layer) {
            new_secrets(&d.text, key, &mut found, &mut sensitivity);
            content.extend(fingerprint::content_fingerprints(&d.text, key));
        }
        content.sort_unstable();
        content.dedup();
        if licence::has_licence_text(&text) {
            let share = licence::strip_licence_grams(&mut content, key);
            if share > 0.5 && matches!(&call.tool, Tool::ReadFile { path } if licence::is_licence_path(path)) {
                content.clear();
            }
        }
        if matches!(&call.tool, Tool::ReadFile { path } if classify::is_sensitive_path(path)) {
            sensitivity.push("sensitive-path".to_owned());
        }
        if call.cut.is_some() {
            sensitivity.push(CUT.to_owned());
        }
    }
    Some(NewSource {
        tool: call.label.clone(),
        origin,
        location,
        bytes: text.len(),
        sensitivity,
        content,
        secrets: found,
    })
}

/// `text` with the given byte spans replaced by spaces (kept at char boundaries).
fn blank_spans<'a>(text: &'a str, spans: &[(usize, usize)]) -> std::borrow::Cow<'a, str> {
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for &(start, end) in spans {
        if start < pos || end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.extend(std::iter::repeat_n(' ', end - start));
        pos = end;
    }
    out.push_str(&text[pos..]);
    std::borrow::Cow::Owned(out)
}

/// Secrets (detected, or known to this session) in `text`, as taint kinds.
fn secret_kinds_in(text: &str, view: &SessionView, key: u64) -> Vec<String> {
    let mut kinds: Vec<String> = secrets::scan(text)
        .into_iter()
        .filter(|f| matches!(f.category, Category::Secret | Category::PrivateKey))
        .map(|f| f.kind.to_owned())
        .collect();
    let map = view.window_map();
    if !map.is_empty() {
        // As written, and decoded: a script may hold the value base64-encoded or reversed
        // (`b64decode('c2tf...')`, `'...evil_ks'[::-1]`).
        let limits = Limits { max_depth: 2, max_outputs: 16, max_output_bytes: 256 * 1024 };
        let decoded = if text.len() <= 256 * 1024 { decode::decode_encodings(text, &limits) } else { Vec::new() };
        for t in std::iter::once(text).chain(decoded.iter().map(|d| d.text.as_str())) {
            let hashes = fingerprint::window_hashes(t.as_bytes(), SECRET_K, key);
            let mut matched: HashMap<usize, usize> = HashMap::new();
            for h in hashes {
                if let Some(entries) = map.get(&h) {
                    for &(idx, _) in entries {
                        *matched.entry(idx).or_default() += 1;
                    }
                }
            }
            for (idx, n) in matched {
                // n consecutive 8-char windows cover n + 7 chars.
                if n + SECRET_K > 16.min(view.secrets[idx].core_len) {
                    kinds.push(view.secrets[idx].kind.clone());
                }
            }
        }
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

/// Code whose every URL is on a host that issues one of the secrets this session read, with no
/// literal credential of its own (`load_dotenv(); requests.get('https://api.stripe.com/...')`).
fn names_only_issuers(text: &str, view: &SessionView, cfg: &Config) -> bool {
    let hosts: Vec<String> = text.match_indices("http").filter_map(|(i, _)| hosts::url_host(&text[i..])).collect();
    !hosts.is_empty()
        && !secrets::scan(text).iter().any(|f| matches!(f.category, Category::Secret | Category::PrivateKey))
        && hosts
            .iter()
            .all(|h| hosts::is_local(h, cfg) || view.secrets.iter().any(|s| hosts::is_issuer(h, &s.kind, cfg)))
}

/// `text` names an http(s) URL on a host that is neither local nor the issuer of every kind
/// in it (a script using its own API key against its own API is fine; a copied sensitive file
/// has no issuer).
fn calls_out_elsewhere(text: &str, kinds: &TaintKinds, cfg: &Config) -> bool {
    let issued_by = |host: &str, kind: &TaintKind| match kind {
        TaintKind::Secret(k) => hosts::is_issuer(host, k, cfg),
        _ => false,
    };
    let mut url_hosts = text.match_indices("http").filter_map(|(i, _)| hosts::url_host(&text[i..])).peekable();
    // Network code that names no URL (`socket.create_connection(('host', 9))`): its peer is
    // not shown to be the issuer.
    if url_hosts.peek().is_none() {
        return written_code::uses_network(text);
    }
    url_hosts.any(|host| !hosts::is_local(&host, cfg) && !kinds.iter().all(|k| issued_by(&host, k)))
}

/// The taint recorded for a commit message that carries a secret.
pub const GIT_COMMIT: &str = "<git commit message>";

/// Taint path of a credential file committed this session: `<commit of .env>`.
pub const COMMITTED_PREFIX: &str = "<commit of ";

/// Taint path of a git remote this session added or redirected: `<git remote backup ->
/// https://evil.example/r.git>`. Says where a later `git push backup` goes.
pub const REMOTE_PREFIX: &str = "<git remote ";

/// Taint path of a script that runs another file: `<script a.sh runs /repo/b.sh>`. What the other
/// file does when it is written later counts for the first.
pub const RUNS_PREFIX: &str = "<script ";
const RUNS_JOIN: &str = " runs ";

/// `<script runs target>` taints for the files a shell script written this session runs.
fn files_a_script_runs(path: &str, content: &str) -> Vec<Taint> {
    if !written_code::is_shell_script(path, content) {
        return Vec::new();
    }
    let mut targets: Vec<String> = Vec::new();
    for line in content.lines().take(500) {
        for target in crate::flow::sink::files_run_by(line) {
            if target != path && !targets.contains(&target) {
                targets.push(target);
            }
        }
    }
    targets
        .into_iter()
        .take(16)
        .map(|t| Taint {
            path: format!("{RUNS_PREFIX}{path}{RUNS_JOIN}{t}>"),
            kinds: TaintKinds::of([TaintKind::RunsAnotherFile]),
        })
        .collect()
}

/// `(script, target)` of a `<script runs target>` taint path.
pub fn script_and_target(taint_path: &str) -> Option<(&str, &str)> {
    taint_path.strip_prefix(RUNS_PREFIX)?.strip_suffix('>')?.split_once(RUNS_JOIN)
}

/// Whether the call may have written files (and so may taint them).
pub fn may_write_files(call: &Call) -> bool {
    call.phase == Phase::After && (call.command().is_some() || !call.written_files().is_empty())
}

/// Files written with secret-bearing content (Write/Edit/NotebookEdit, shell redirects and
/// copies of sensitive files) become tainted: pushing them later is exfiltration.
pub fn taints_from_writes(call: &Call, view: &SessionView, cfg: &Config, key: u64) -> Vec<Taint> {
    let mut taints = Vec::new();
    if call.phase != Phase::After {
        return taints;
    }
    // An edit the agent reported the whole result of is judged as that whole file.
    let whole_edit = match &call.tool {
        Tool::EditFile { path, whole_after: Some(after), .. } => Some((path.as_str(), after.as_str())),
        _ => None,
    };
    for (path, content) in call.written_files() {
        if let Some((whole_path, after)) = whole_edit.filter(|(p, _)| *p == path) {
            let judged = written_code::code_taint(whole_path, after);
            if judged.is_none() {
                taints.extend(written_code::sends_its_input(whole_path, after));
                taints.extend(written_code::reads_sensitive(whole_path, after));
                taints.extend(files_a_script_runs(whole_path, after));
            }
            taints.extend(judged);
        }
        if stated_issuer::may_state_issuer(content) {
            taints.push(Taint { path: path.to_owned(), kinds: TaintKinds::of([TaintKind::EditedConfig]) });
        }
        let code = written_code::code_taint(path, content);
        if code.is_none() && matches!(call.tool, Tool::WriteFile { .. }) {
            // Whole files only: an edit's fragment does not show where the code's URL comes from.
            taints.extend(written_code::sends_its_input(path, content));
            taints.extend(written_code::reads_sensitive(path, content));
            taints.extend(files_a_script_runs(path, content));
        }
        if code.is_none() && !matches!(call.tool, Tool::WriteFile { .. }) {
            // An edit is a fragment: judged with what the file was written to do.
            let earlier: Vec<&TaintKinds> = view.taints.iter().filter(|t| t.path == path).map(|t| &t.kinds).collect();
            taints.extend(written_code::edit_completes_a_sender(path, content, &earlier));
        }
        if let Some(mut t) = code {
            if names_only_issuers(content, view, cfg) {
                t.kinds.insert(TaintKind::NamesOnlyIssuers);
            }
            taints.push(t);
        }
        let profile_proxy =
            crate::flow::protect::is_shell_rc(path) && crate::flow::shell::proxy_variable(content).is_some();
        if written_code::is_client_config(path) || profile_proxy {
            taints.push(written_code::client_config_taint());
        }
        let secret_kinds = secret_kinds_in(content, view, key);
        if !path.is_empty() && !secret_kinds.is_empty() {
            let mut kinds = TaintKinds::secrets(&secret_kinds);
            if calls_out_elsewhere(content, &kinds, cfg) {
                kinds.insert(TaintKind::NetworkCode);
            }
            taints.push(Taint { path: path.to_owned(), kinds });
        }
    }
    {
        if let Some(cmd) = call.command() {
            let facts = shell::analyze(cmd);
            // A commit whose message (or tag annotation) carries a secret: a push publishes it.
            let commits = facts.simple_commands.iter().any(|argv| {
                argv.first().is_some_and(|c| c == "git") && argv.iter().any(|a| a == "commit" || a == "tag")
            });
            if facts.written_paths.iter().any(|p| written_code::is_client_config(p))
                || redirects_git(&facts)
                || persists_a_proxy(cmd, &facts)
            {
                taints.push(written_code::client_config_taint());
            }
            // Any shell edit of a credential file (`sed -i 's#issuer#evil#' .env`) makes the
            // issuers it names the agent's word, whatever the command text shows.
            let edits_credentials = facts.written_paths.iter().any(|p| classify::is_sensitive_path(p));
            if stated_issuer::may_state_issuer(cmd) || edits_credentials {
                for p in facts.written_paths.iter().filter(|p| !p.starts_with("/dev/")) {
                    taints.push(Taint { path: p.clone(), kinds: TaintKinds::of([TaintKind::EditedConfig]) });
                }
            }
            // A bundle of commits that carry data holds that data (a later upload sends it).
            let committed = view
                .taints
                .iter()
                .filter(|t| !classify::is_sensitive_path(&t.path))
                .fold(TaintKinds::default(), |held, t| held.union(&t.kinds.data()));
            if !committed.is_empty() {
                for b in &facts.git_bundles {
                    taints.push(Taint { path: b.clone(), kinds: committed.clone() });
                }
            }
            taints.extend(code_written_by_shell(cmd, &facts));
            taints.extend(remotes_set(&facts));
            taints.extend(copies_of_tainted_files(&facts, view));
            if !commits && facts.written_paths.is_empty() {
                return taints;
            }
            // The secrets the command text itself carries (scanned once for both cases).
            let cmd_kinds = secret_kinds_in(cmd, view, key);
            if commits && !cmd_kinds.is_empty() {
                taints.push(Taint { path: GIT_COMMIT.to_owned(), kinds: TaintKinds::secrets(&cmd_kinds) });
            }
            // `git add -f .env && git commit`: the session's commits now carry a credential file
            // (kept out of repositories by convention); a later push publishes it.
            if commits {
                if let Some(p) = facts.git_commit_paths.iter().find(|p| classify::is_sensitive_path(p)) {
                    // The name only: the pseudo-path must not read as the credential file itself.
                    let name = p.rsplit('/').next().unwrap_or(p);
                    taints.push(Taint {
                        path: format!("{COMMITTED_PREFIX}{name}>"),
                        kinds: TaintKinds::of([TaintKind::SensitiveFileCopy]),
                    });
                }
            }
            if !facts.written_paths.is_empty() {
                let mut kinds = TaintKinds::secrets(&cmd_kinds);
                if facts.read_paths.iter().any(|p| classify::is_sensitive_path(p)) {
                    kinds.insert(TaintKind::SensitiveFileCopy);
                }
                if !kinds.is_empty() {
                    if calls_out_elsewhere(cmd, &kinds, cfg) {
                        kinds.insert(TaintKind::NetworkCode);
                    }
                    for p in facts.written_paths {
                        taints.push(Taint { path: p, kinds: kinds.clone() });
                    }
                }
            }
        }
    }
    taints
}

/// `cp c.py g.py`, `mv c.py g.py`, `cat c.py > g.py`: the copy holds and does what the file
/// it copies was recorded to hold or do.
fn copies_of_tainted_files(facts: &shell::ShellFacts, view: &SessionView) -> Vec<Taint> {
    const COPIERS: &[&str] = &["cp", "mv", "install", "ln", "rsync", "ditto"];
    let same_file = |named: &str, tainted: &str| {
        let named = named.trim_start_matches("./");
        !named.is_empty() && (named == tainted || tainted.ends_with(&format!("/{named}")))
    };
    let kinds_of = |paths: &[&str]| {
        view.taints
            .iter()
            .filter(|t| paths.iter().any(|p| same_file(p, &t.path)))
            .fold(TaintKinds::default(), |held, t| held.union(&t.kinds))
    };
    let mut out = Vec::new();
    for argv in &facts.simple_commands {
        let prog = argv.first().map(|c| c.rsplit('/').next().unwrap_or(c)).unwrap_or("");
        let operands: Vec<&str> = argv.iter().skip(1).map(String::as_str).filter(|a| !a.starts_with('-')).collect();
        if COPIERS.contains(&prog) && operands.len() >= 2 {
            let kinds = kinds_of(&operands[..operands.len() - 1]);
            if !kinds.is_empty() {
                out.push(Taint { path: operands[operands.len() - 1].to_owned(), kinds });
            }
        }
        // `cat c.py > g.py`: what `cat` reads lands in what the line writes.
        if prog == "cat" && !facts.written_paths.is_empty() {
            let reads: Vec<&str> = facts.read_paths.iter().map(String::as_str).collect();
            let kinds = kinds_of(&reads);
            if !kinds.is_empty() {
                out.extend(facts.written_paths.iter().map(|p| Taint { path: p.clone(), kinds: kinds.clone() }));
            }
        }
    }
    out
}

/// `git remote add NAME URL`, `git remote set-url [--push] NAME URL`: later pushes to NAME go to
/// URL, which the push itself does not show.
fn remotes_set(facts: &shell::ShellFacts) -> Vec<Taint> {
    let mut out = Vec::new();
    for argv in &facts.simple_commands {
        let Some(at) = argv.iter().position(|a| a == "remote") else { continue };
        if argv.first().map(|c| c.rsplit('/').next().unwrap_or(c)) != Some("git") {
            continue;
        }
        let words: Vec<&String> = argv[at + 1..].iter().filter(|a| !a.starts_with('-')).collect();
        if let [sub, name, url, ..] = words.as_slice() {
            if matches!(sub.as_str(), "add" | "set-url") {
                out.push(Taint {
                    path: format!("{REMOTE_PREFIX}{name} -> {url}>"),
                    // A marker of where pushes go, not data a push carries.
                    kinds: TaintKinds::of([TaintKind::EditedConfig]),
                });
            }
        }
    }
    out
}

/// Scripts a shell command writes (`printf ... > x.sh`, `echo ... | tee x.sh`, a heredoc,
/// `base64 -d > x.sh`): the code is the command's own text or a decoding of it. Git
/// configuration that runs a command (`git config filter.x.clean 'curl ...'`) taints every later
/// git command.
fn code_written_by_shell(cmd: &str, facts: &shell::ShellFacts) -> Vec<Taint> {
    let sets_git_command = git_config_sets(facts, runs::is_git_command_key);
    let written: Vec<&String> = facts.written_paths.iter().filter(|p| !p.starts_with("/dev/")).collect();
    if written.is_empty() && !sets_git_command {
        return Vec::new();
    }
    let limits = Limits { max_depth: 2, max_outputs: 16, max_output_bytes: 256 * 1024 };
    let decoded = decode::decode_encodings(cmd, &limits);
    let texts = std::iter::once(cmd).chain(decoded.iter().map(|d| d.text.as_str()));
    let Some(found) = texts.filter_map(|t| written_code::code_taint("<shell>", t)).next() else {
        // `curl -o p.sh URL`, `wget -O p.sh`: what it wrote came off the network unseen.
        if facts.net.is_empty() {
            return Vec::new();
        }
        let unseen = TaintKinds::of([TaintKind::UnseenCode]);
        return written.into_iter().map(|p| Taint { path: p.clone(), kinds: unseen.clone() }).collect();
    };
    let mut paths: Vec<String> = written.into_iter().cloned().collect();
    if sets_git_command {
        paths.push(runs::GIT_CONFIG_CODE.to_owned());
    }
    paths.into_iter().map(|path| Taint { path, kinds: found.kinds.clone() }).collect()
}

/// `git config [--global] http.proxy|url.X.insteadOf|core.sshCommand ...`: later pushes and
/// fetches go somewhere else.
fn redirects_git(facts: &shell::ShellFacts) -> bool {
    git_config_sets(facts, |a| {
        let a = a.to_ascii_lowercase();
        ["proxy", "insteadof", "sshcommand", "pushurl"].iter().any(|w| a.contains(w))
    })
}

/// `export HTTPS_PROXY=...` (the agent's shell may keep it for later calls), or a proxy
/// variable written into a shell profile: later connections may go through that proxy.
fn persists_a_proxy(cmd: &str, facts: &shell::ShellFacts) -> bool {
    shell::proxy_variable(cmd).is_some()
        && (facts.simple_commands.iter().any(|argv| {
            argv.first().is_some_and(|c| matches!(c.as_str(), "export" | "declare" | "typeset" | "setenv" | "set"))
        }) || facts.written_paths.iter().any(|p| crate::flow::protect::is_shell_rc(p)))
}

/// A `git ... config ...` command on the line has a word for which `key` holds.
fn git_config_sets(facts: &shell::ShellFacts, key: impl Fn(&str) -> bool) -> bool {
    facts.simple_commands.iter().any(|argv| {
        argv.first().is_some_and(|c| c == "git") && argv.iter().any(|a| a == "config") && argv.iter().any(|a| key(a))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_runs_are_spotted_cheaply() {
        assert!(!has_encoded_run("fn main() { let value = compute_something(42); }"));
        assert!(has_encoded_run("W2RlZmF1bHRdCmF3c19hY2Nlc3Nfa2V5X2lkID0gQUtJQVc2S0lVRlNSVDNL"));
        assert!(has_encoded_run("736b5f6c6976655f3531756d6932596539785462"));
    }
}
