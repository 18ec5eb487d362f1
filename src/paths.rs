//! Where mcpproxy keeps its state: `MCPPROXY_HOME` when set, else the platform directories.

use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub config_dir: PathBuf,
}

impl Paths {
    pub fn resolve() -> Result<Paths> {
        if let Some(home) = std::env::var_os("MCPPROXY_HOME").filter(|h| !h.is_empty()) {
            let home = PathBuf::from(home);
            return Ok(Paths { data_dir: home.clone(), config_dir: home });
        }
        let dirs = directories::ProjectDirs::from("", "", "mcpproxy")
            .context("cannot find a home directory for mcpproxy state; set MCPPROXY_HOME")?;
        Ok(Paths { data_dir: dirs.data_dir().to_path_buf(), config_dir: dirs.config_dir().to_path_buf() })
    }

    pub fn database(&self) -> PathBuf {
        self.data_dir.join("mcpproxy.db")
    }

    pub fn lock_file(&self) -> PathBuf {
        self.data_dir.join("mcpproxy.db.lock")
    }

    /// The fingerprint key, kept outside the database.
    pub fn key_file(&self) -> PathBuf {
        self.data_dir.join("fingerprint.key")
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.json")
    }
}
