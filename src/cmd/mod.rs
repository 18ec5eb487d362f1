//! One module per subcommand.

pub mod activity;
pub mod allow;
pub mod backups;
pub mod checks;
pub mod config_cmd;
pub mod doctor;
pub mod hook;
mod hook_input;
pub mod install;
pub mod listing;
pub mod proxy;
pub mod scan;
pub mod sessions;
pub mod settings;
pub(crate) mod started_by_agent;
pub mod status;
pub mod table;
pub mod trust;
