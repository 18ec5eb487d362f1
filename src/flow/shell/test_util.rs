//! Helpers the unit tests of the shell modules share.

use super::{analyze, NetUse, ShellFacts};

/// The network uses of `cmd`.
pub(super) fn net(cmd: &str) -> Vec<NetUse> {
    analyze(cmd).net
}

/// The only network use of `cmd`.
pub(super) fn one(cmd: &str) -> NetUse {
    let n = net(cmd);
    assert_eq!(n.len(), 1, "expected one NetUse for {cmd:?}: {n:#?}");
    n.into_iter().next().unwrap()
}

/// The facts of `cmd`, which must have exactly one network use, and that use.
pub(super) fn facts_and_one(cmd: &str) -> (ShellFacts, NetUse) {
    let f = analyze(cmd);
    assert_eq!(f.net.len(), 1, "expected one NetUse for {cmd:?}: {:#?}", f.net);
    let n = f.net[0].clone();
    (f, n)
}

/// The only network use of `cmd`, which must be `tool` talking to exactly `hosts`
/// and sending its standard input, which comes from exactly `stdin_from`.
pub(super) fn pipes(cmd: &str, tool: &str, hosts: &[&str], stdin_from: &[&str]) -> NetUse {
    let n = sends(cmd, tool, hosts);
    assert_eq!((&n.stdin_from, n.reads_stdin), (&s(stdin_from), true), "{cmd}");
    n
}

/// The only network use of `cmd`, which must be `tool` talking to exactly `hosts`.
pub(super) fn sends(cmd: &str, tool: &str, hosts: &[&str]) -> NetUse {
    let n = one(cmd);
    assert_eq!((n.tool.as_str(), &n.hosts), (tool, &s(hosts)), "{cmd}");
    n
}

/// The only network use of `cmd`, which must send exactly the files `uploads` to exactly `hosts`.
pub(super) fn uploads(cmd: &str, hosts: &[&str], uploads: &[&str]) -> NetUse {
    let n = one(cmd);
    assert_eq!((&n.hosts, &n.upload_paths), (&s(hosts), &s(uploads)), "{cmd}");
    n
}

pub(super) fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}
