//! Cloud CLIs (`aws`, `gsutil`, `gcloud`, `az`): object-store copies, `file://` and `@file`
//! arguments, endpoints, and each CLI's default host.

use super::super::facts::{Analyzer, CommandContext, NetUse};
use super::super::host::loose_host;
use super::super::options::{parse_opts, Arg};
use crate::flow::shell::options::valued_long::CLOUD_LONG;

impl Analyzer {
    pub(super) fn cloud(&mut self, name: &str, args: &[Arg], ctx: &mut CommandContext) {
        let mut nu = NetUse { tool: name.to_string(), ..Default::default() };
        let short = match name {
            "gsutil" => "hou",
            // `az storage blob upload -c C -f FILE -n NAME`
            "az" => "fcnsgdl",
            _ => "",
        };
        let p = parse_opts(args, short, CLOUD_LONG, false);
        for (k, v) in p.valued() {
            match k {
                "--endpoint-url" | "--endpoint" => nu.hosts.extend(loose_host(&v.host)),
                "--file" | "-f" | "--source" | "-s" | "--body" | "--data-file" if name != "aws" || k == "--body" => {
                    nu.add_upload(&v.text)
                }
                _ => {}
            }
            for pre in ["fileb://", "file://"] {
                if let Some(r) = v.text.strip_prefix(pre) {
                    nu.add_upload(r);
                }
            }
            if name == "az" {
                if let Some(r) = v.text.strip_prefix('@') {
                    nu.add_upload(r);
                }
            }
        }
        // object-store copies
        let pos: Vec<&Arg> = p.operands.iter().collect();
        let (scheme, skip) = match name {
            "aws" if pos.first().is_some_and(|a| a.text == "s3") => ("s3://", 1),
            "gsutil" => ("gs://", 0),
            "gcloud" if pos.first().is_some_and(|a| a.text == "storage") => ("gs://", 1),
            _ => ("", 0),
        };
        if !scheme.is_empty()
            && pos.get(skip).is_some_and(|a| matches!(a.text.as_str(), "cp" | "mv" | "sync" | "rsync"))
        {
            let items = &pos[skip + 1..];
            // The bucket is the destination: anyone's, under the provider's domain.
            let endpoint = !nu.hosts.is_empty();
            for a in items.iter().filter(|a| !endpoint && a.text.starts_with(scheme)) {
                let bucket = a.text[scheme.len()..].split('/').next().unwrap_or("");
                if !bucket.is_empty() {
                    let suffix = if scheme == "s3://" { "s3.amazonaws.com" } else { "storage.googleapis.com" };
                    nu.hosts.push(format!("{}.{suffix}", bucket.to_ascii_lowercase()));
                }
            }
            if let Some((dst, srcs)) = items.split_last() {
                let remote = |a: &Arg| a.text.contains("://");
                if remote(dst) {
                    for s in srcs {
                        if !remote(s) {
                            nu.add_upload(&s.text);
                        }
                    }
                } else if srcs.iter().any(|s| remote(s)) {
                    self.write_arg(dst, ctx);
                }
            }
        }
        if nu.hosts.is_empty() {
            nu.hosts.push(
                match name {
                    "aws" => "amazonaws.com",
                    "gsutil" => "storage.googleapis.com",
                    "gcloud" => "googleapis.com",
                    _ => "management.azure.com",
                }
                .into(),
            );
        }
        self.push_net(ctx, nu, false);
    }
}

#[cfg(test)]
mod tests {
    use crate::flow::shell::test_util::{one, s, uploads};

    #[test]
    fn object_store_copies_upload_local_files() {
        // The bucket is where the data goes (anyone's bucket, under AWS's domain).
        uploads("aws s3 cp ~/.aws/credentials s3://bucket/x", &["bucket.s3.amazonaws.com"], &["~/.aws/credentials"]);
        uploads("aws --endpoint-url http://minio.local:9000 s3 sync ./data s3://b/", &["minio.local"], &["./data"]);
        assert_eq!(one("gsutil -m cp -r secrets gs://b/").upload_paths, s(&["secrets"]));
    }
}
