//! One upstream MCP server as a child process: a reader thread for its stdout, a writer
//! thread for its stdin (a slow child never blocks the relay), a drain for its stderr.

use crate::mcp::servers::ServerSpec;
use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

/// Everything the relay's main loop reacts to.
pub enum Event {
    ClientLine(Vec<u8>),
    ClientEof,
    UpstreamLine(usize, Vec<u8>),
    UpstreamEof(usize),
}

pub struct Upstream {
    pub spec: ServerSpec,
    child: Child,
    writer: Option<Sender<Vec<u8>>>,
    pub alive: bool,
}

impl Upstream {
    pub fn spawn(idx: usize, spec: &ServerSpec, events: Sender<Event>) -> Result<Upstream> {
        let mut cmd = Command::new(&spec.command);
        cmd.args(&spec.args).envs(&spec.env).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        if let Some(dir) = &spec.cwd {
            cmd.current_dir(dir);
        }
        #[cfg(target_os = "linux")]
        unsafe {
            use std::os::unix::process::CommandExt;
            // If the proxy dies without cleaning up, the kernel ends its children.
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = cmd.spawn().with_context(|| format!("starting upstream `{}` ({})", spec.name, spec.command))?;
        let stdout = child.stdout.take().context("upstream stdout")?;
        let stderr = child.stderr.take().context("upstream stderr")?;
        let mut stdin = child.stdin.take().context("upstream stdin")?;
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = Vec::new();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if events.send(Event::UpstreamLine(idx, line)).is_err() {
                            return;
                        }
                    }
                }
            }
            let _ = events.send(Event::UpstreamEof(idx));
        });
        let name = spec.name.clone();
        std::thread::spawn(move || {
            let reader = BufReader::new(stderr);
            for line in reader.split(b'\n').map_while(Result::ok) {
                eprintln!("[{name}] {}", String::from_utf8_lossy(&line));
            }
        });
        let (tx, rx) = mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            for line in rx {
                if stdin.write_all(&line).and_then(|_| stdin.write_all(b"\n")).and_then(|_| stdin.flush()).is_err() {
                    break;
                }
            }
        });
        Ok(Upstream { spec: spec.clone(), child, writer: Some(tx), alive: true })
    }

    /// Queue one message for the child's stdin; false when the upstream is gone.
    pub fn send(&self, msg: &serde_json::Value) -> bool {
        match (&self.writer, self.alive) {
            (Some(w), true) => w.send(msg.to_string().into_bytes()).is_ok(),
            _ => false,
        }
    }

    /// Close the child's stdin (the writer thread drops it after flushing what is queued).
    pub fn close_stdin(&mut self) {
        self.writer = None;
    }

    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_all(ups: &mut [Upstream], deadline: Duration) -> bool {
    let start = Instant::now();
    loop {
        if ups.iter_mut().all(|u| u.exited()) {
            return true;
        }
        if start.elapsed() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Shut every upstream down: close stdin, wait, SIGTERM, wait, SIGKILL (about 2 s a step).
pub fn shutdown(ups: &mut [Upstream]) {
    for u in ups.iter_mut() {
        u.close_stdin();
    }
    if wait_all(ups, Duration::from_millis(1500)) {
        return;
    }
    for u in ups.iter_mut() {
        if !u.exited() {
            unsafe {
                libc::kill(u.pid() as libc::pid_t, libc::SIGTERM);
            }
        }
    }
    if wait_all(ups, Duration::from_millis(1500)) {
        return;
    }
    for u in ups.iter_mut() {
        u.kill();
    }
}
