//! The devnet's child processes: each runs in its own process group with its stdout and stderr
//! appended to a log file, and is stopped with SIGTERM, then SIGKILL after a grace period.
//!
//! Own process groups keep a terminal's Ctrl-C (sent to the whole foreground group) away from
//! the children: only the devnet gets SIGINT, and it stops them in order, so a child that exits
//! is always a child that died, never one that was interrupted with the devnet.

use std::{
    fs::OpenOptions,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use nix::{sys::signal::Signal, unistd::Pid};

use crate::DevnetError;

/// How long a child has between SIGTERM and SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_secs(5);
/// Lines of a child's log quoted in errors.
pub const LOG_TAIL_LINES: usize = 30;
/// Interval between polls of a stopping child.
const POLL: Duration = Duration::from_millis(50);

/// A child process of the devnet (anvil, a node, a relayer) and its log.
#[derive(Debug)]
pub struct ChildProcess {
    name: String,
    program: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    /// The last exit status of a child that has ended and been reaped.
    exited: Option<ExitStatus>,
    /// Whether it is paused with SIGSTOP.
    paused: bool,
}

impl ChildProcess {
    /// Starts `command` as `name`, appending its stdout and stderr to `log`.
    pub fn spawn(name: impl Into<String>, mut command: Command, log: &Path) -> Result<ChildProcess, DevnetError> {
        let name = name.into();
        let program = PathBuf::from(command.get_program());
        let io_error = |source| DevnetError::Io { path: log.to_owned(), source };
        let stdout = OpenOptions::new().create(true).append(true).open(log).map_err(io_error)?;
        let stderr = stdout.try_clone().map_err(io_error)?;
        let child = command
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0)
            .spawn()
            .map_err(|source| DevnetError::Spawn { name: name.clone(), program: program.clone(), source })?;
        tracing::debug!(target: "devnet", "started {name} (pid {}), log {}", child.id(), log.display());
        Ok(ChildProcess { name, program, log: log.to_owned(), child: Some(child), exited: None, paused: false })
    }

    /// The component's name (`anvil`, `ludus-node 0 (Alice)`, `relayer 0`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The executable it runs.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Its log file (stdout and stderr).
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether it is paused (SIGSTOP) by [`ChildProcess::pause`].
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Its exit status if it has ended (reaping it), `None` while it runs.
    pub fn try_exit(&mut self) -> Option<ExitStatus> {
        if let Some(child) = &mut self.child {
            // An error means the child is no longer ours to wait for; it counts as running until
            // a signal says otherwise.
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                self.exited = Some(status);
            }
        }
        if self.child.is_none() {
            self.exited
        } else {
            None
        }
    }

    /// Whether the process runs (possibly paused).
    pub fn is_running(&mut self) -> bool {
        self.child.is_some() && self.try_exit().is_none()
    }

    /// The last `lines` lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text =
            std::fs::read(&self.log).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// An error saying the process ended during start-up, if it has.
    pub fn check_started(&mut self) -> Result<(), DevnetError> {
        match self.try_exit() {
            Some(status) => Err(DevnetError::ExitedDuringStartup {
                name: self.name.clone(),
                status,
                log: self.log.clone(),
                tail: self.log_tail(LOG_TAIL_LINES),
            }),
            None => Ok(()),
        }
    }

    /// An error saying the process ended while the devnet ran, if it has.
    pub fn check_running(&mut self) -> Result<(), DevnetError> {
        match self.try_exit() {
            Some(status) => Err(DevnetError::ChildExited {
                name: self.name.clone(),
                status,
                log: self.log.clone(),
                tail: self.log_tail(LOG_TAIL_LINES),
            }),
            None => Ok(()),
        }
    }

    /// A timeout error for this process, waiting for `what`.
    pub fn timeout(&self, what: impl Into<String>, waited: Duration) -> DevnetError {
        DevnetError::Timeout {
            name: self.name.clone(),
            what: what.into(),
            seconds: waited.as_secs(),
            log: self.log.clone(),
            tail: self.log_tail(LOG_TAIL_LINES),
        }
    }

    /// Sends `signal` if the process runs.
    pub fn signal(&mut self, signal: Signal) -> Result<(), DevnetError> {
        let Some(pid) = self.pid() else { return Ok(()) };
        let pid = i32::try_from(pid)
            .map_err(|_| DevnetError::Signal { name: self.name.clone(), reason: format!("pid {pid} out of range") })?;
        // The child is not reaped while `self.child` holds it, so the pid still names it.
        nix::sys::signal::kill(Pid::from_raw(pid), signal)
            .map_err(|errno| DevnetError::Signal { name: self.name.clone(), reason: errno.to_string() })
    }

    /// Pauses the process (SIGSTOP): it keeps its sockets but answers nothing.
    pub fn pause(&mut self) -> Result<(), DevnetError> {
        self.signal(Signal::SIGSTOP)?;
        self.paused = true;
        Ok(())
    }

    /// Resumes a paused process (SIGCONT).
    pub fn resume(&mut self) -> Result<(), DevnetError> {
        self.signal(Signal::SIGCONT)?;
        self.paused = false;
        Ok(())
    }

    /// SIGKILL and reap, at once.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            if let Ok(status) = child.wait() {
                self.exited = Some(status);
            }
        }
        self.paused = false;
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Stops `children` together: SIGTERM to each (SIGCONT too, so a paused one can act on it), then
/// SIGKILL to those still running after `grace`. Returns the names of those that needed SIGKILL.
pub async fn stop_all(children: &mut [&mut ChildProcess], grace: Duration) -> Vec<String> {
    for child in children.iter_mut() {
        if child.is_running() {
            let _ = child.signal(Signal::SIGTERM);
            if child.paused {
                let _ = child.resume();
            }
        }
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline && children.iter_mut().any(|child| child.is_running()) {
        tokio::time::sleep(POLL).await;
    }
    let mut killed = Vec::new();
    for child in children.iter_mut() {
        if child.is_running() {
            tracing::warn!(target: "devnet", "{} ignored SIGTERM for {grace:?}: SIGKILL", child.name);
            killed.push(child.name.clone());
        }
        child.kill();
    }
    killed
}
