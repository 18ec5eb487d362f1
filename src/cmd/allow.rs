//! `mcpproxy allow`: the user's answer to a false positive. Approves the flows of one denied or
//! asked call (by the data's hashed identity and the destination), lists and revokes approvals.
//! Only a person at a terminal can approve: the agent's tools have none, and the guard denies
//! the command when an agent runs it.

use crate::cli::{AllowAction, AllowArgs, AllowScope};
use crate::paths::Paths;
use crate::store::approvals::Scope;
use crate::store::{OnCorrupt, Store};
use anyhow::{bail, Context, Result};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

pub fn run(args: &AllowArgs) -> Result<ExitCode> {
    let paths = Paths::resolve()?;
    let open = || Store::open_writer(&paths, Duration::from_secs(5), OnCorrupt::Fail);
    let mut out = std::io::stdout().lock();
    match (&args.action, args.id) {
        (Some(AllowAction::List { all, json }), _) => {
            if !paths.database().exists() {
                writeln!(out, "no approvals")?;
                return Ok(ExitCode::SUCCESS);
            }
            let rows = open()?.list_approvals(*all)?;
            if *json {
                writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
            } else if rows.is_empty() {
                writeln!(out, "no approvals")?;
            } else {
                for r in rows {
                    let place = r.session_id.or(r.project).map(|p| format!(" {p}")).unwrap_or_default();
                    let revoked = if r.revoked_at.is_some() { " (revoked)" } else { "" };
                    // A secret's label already ends with its kind: `stripe-secret-key (secret)`.
                    let kind = format!("({})", r.kind);
                    let what = if r.data.ends_with(&kind) { r.data } else { format!("{} {kind}", r.data) };
                    writeln!(
                        out,
                        "{:>4} {}{place}: {what} to {}{revoked}{}",
                        r.id,
                        r.scope,
                        r.destination,
                        r.reason.map(|x| format!(" — {x}")).unwrap_or_default()
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        (Some(AllowAction::Revoke { id }), _) => {
            require_terminal()?;
            open()?.revoke_approval(*id, now())?;
            writeln!(out, "approval {id} revoked")?;
            Ok(ExitCode::SUCCESS)
        }
        (None, Some(id)) => {
            require_terminal()?;
            let scope = match args.scope {
                AllowScope::Session => Scope::Session,
                AllowScope::Project => Scope::Project,
                AllowScope::Always => Scope::Always,
            };
            let project = match &args.project {
                Some(p) => Some(p.clone()),
                None => std::env::current_dir().ok(),
            }
            .map(|p| p.to_string_lossy().into_owned());
            let store = open().context("opening the flow database")?;
            let ids = store.approve_activity(id, scope, args.reason.as_deref(), project.as_deref(), now())?;
            writeln!(
                out,
                "approved activity {id} ({} flow{}, scope {}): the same data to the same destination is no longer blocked",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                scope.as_str()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        (None, None) => bail!("give the activity id to approve (see `mcpproxy activity list`), or `allow list`"),
    }
}

/// Approving is the user's decision: refuse without a terminal (the agent's shell has none).
fn require_terminal() -> Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!("must be run by the user in a terminal (stdin is not a terminal); an agent cannot approve its own call");
    }
    // A pseudo-terminal is all an agent needs to pass the check above.
    if let Some(agent) = super::started_by_agent::agent_above() {
        bail!(
            "started by {agent}: approvals are the user's, so run `mcpproxy allow` in a terminal of your own, \
             outside the agent"
        );
    }
    Ok(())
}
