//! `mcpproxy proxy`: serve MCP on stdio in front of real MCP servers, with flow protection.

use crate::cli::ProxyArgs;
use crate::mcp::guard::Guard;
use crate::mcp::servers::{self, ServerSpec};
use anyhow::{bail, Result};
use std::collections::BTreeMap;

pub fn run(args: &ProxyArgs) -> Result<()> {
    let specs: Vec<ServerSpec> = match (&args.config, &args.name, args.command.is_empty()) {
        (Some(path), None, true) => servers::load(path)?,
        (None, Some(name), false) => {
            servers::check_name(name)?;
            vec![ServerSpec {
                name: name.clone(),
                command: args.command[0].clone(),
                args: args.command[1..].to_vec(),
                env: BTreeMap::new(),
                cwd: None,
            }]
        }
        _ => bail!("use either --config FILE, or --name NAME -- CMD ARGS..."),
    };
    // One wrapped server keeps its tool names; several are exposed as `server__tool`.
    let multi = specs.len() > 1;
    let guard = Guard::open();
    crate::mcp::relay::serve(specs, multi, guard)
}
