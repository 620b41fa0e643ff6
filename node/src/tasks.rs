//! The node's long-running tasks, and what happens when one ends.
//!
//! Every task the service starts is *essential*: the sync engine, the GRANDPA voter, the
//! slot worker, the network, the RPC server and the others each do one part of the node's
//! job, and a node missing one keeps answering RPC while it silently stops syncing,
//! finalizing or authoring. So a [`TaskManager`] owns them all, and
//! [`TaskManager::run_until_shutdown`] returns [`TaskEnded`] naming the first one that
//! returns, fails or panics; the service then stops the others and the process exits
//! non-zero (Substrate's "essential task failed", reth's `spawn_critical`).
//!
//! Threads that must run outside the async runtime (the block import thread) report their
//! end the same way through [`TaskManager::spawn_essential_thread`].
//!
//! In debug builds, `LUDUS_DEBUG_KILL_TASK=<name>[:<ms>]` makes the task `<name>` panic
//! after `<ms>` milliseconds (default 2,000), so a test can watch the node stop.

use std::{collections::HashMap, fmt::Display, future::Future, time::Duration};

use tokio::task::{Id, JoinSet};

/// How long after the first task's end others are awaited, to find the cause.
const SETTLE: Duration = Duration::from_millis(200);

/// An essential task ended; the node must stop.
#[derive(Debug, thiserror::Error)]
#[error("essential task `{name}` {how}; the node cannot do its job without it and stopped")]
pub struct TaskEnded {
    /// The task's name.
    pub name: &'static str,
    /// How it ended: "returned", "failed: …" or "panicked: …".
    pub how: String,
}

/// The node's essential tasks; see the module docs.
#[derive(Default)]
pub struct TaskManager {
    tasks: JoinSet<Result<(), String>>,
    names: HashMap<Id, &'static str>,
}

impl TaskManager {
    /// An empty manager. Must be used inside a tokio runtime.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `task` until it ends; its end (a return or a panic) stops the node.
    pub fn spawn_essential(&mut self, name: &'static str, task: impl Future<Output = ()> + Send + 'static) {
        self.spawn_fallible(name, async move {
            task.await;
            Ok::<(), std::convert::Infallible>(())
        });
    }

    /// Runs `task` until it ends; its end stops the node, with the error it returned.
    pub fn spawn_fallible<E: Display>(
        &mut self,
        name: &'static str,
        task: impl Future<Output = Result<(), E>> + Send + 'static,
    ) {
        let task = async move { task.await.map_err(|error| error.to_string()) };
        let handle = match debug_kill_after(name) {
            Some(after) => self.tasks.spawn(async move {
                tokio::select! {
                    outcome = task => outcome,
                    _ = tokio::time::sleep(after) => panic!("killed by LUDUS_DEBUG_KILL_TASK"),
                }
            }),
            None => self.tasks.spawn(task),
        };
        self.names.insert(handle.id(), name);
    }

    /// Runs `work` on a thread of its own named `ludus-<name>` with `stack_bytes` of stack;
    /// its end (a return or a panic) stops the node like an essential task's.
    pub fn spawn_essential_thread(
        &mut self,
        name: &'static str,
        stack_bytes: usize,
        work: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<()> {
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new().name(format!("ludus-{name}")).stack_size(stack_bytes).spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            let _ = done_tx.send(outcome.map_err(|payload| panic_message(payload.as_ref())));
        })?;
        self.spawn_fallible(name, async move {
            match done_rx.await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(message)) => Err(format!("thread panicked: {message}")),
                Err(_) => Err("thread vanished".to_owned()),
            }
        });
        Ok(())
    }

    /// Waits for `shutdown` (Ctrl-C, SIGTERM) or the end of any task, whichever comes
    /// first; on a task's end returns which one and how. Tasks still running are aborted
    /// when the manager is dropped.
    ///
    /// One failure often ends others (the network's end closes sync's event stream), so the
    /// tasks that end within [`SETTLE`] of the first are collected too, and the first that
    /// failed or panicked is reported: the cause rather than a consequence.
    pub async fn run_until_shutdown(&mut self, shutdown: impl Future<Output = ()>) -> Result<(), TaskEnded> {
        let first = tokio::select! {
            _ = shutdown => return Ok(()),
            // With no task left this branch is disabled and only `shutdown` is awaited.
            Some(ended) = self.tasks.join_next_with_id() => self.describe(ended),
        };
        let mut ended = vec![first];
        while let Ok(Some(next)) = tokio::time::timeout(SETTLE, self.tasks.join_next_with_id()).await {
            ended.push(self.describe(next));
        }
        let cause = ended.iter().position(|end| !end.how.starts_with("returned")).unwrap_or(0);
        Err(ended.swap_remove(cause))
    }

    fn describe(&self, ended: Result<(Id, Result<(), String>), tokio::task::JoinError>) -> TaskEnded {
        let (id, how) = match ended {
            Ok((id, Ok(()))) => (id, "returned".to_owned()),
            Ok((id, Err(error))) => (id, format!("failed: {error}")),
            Err(error) if error.is_panic() => {
                let id = error.id();
                (id, format!("panicked: {}", panic_message(error.into_panic().as_ref())))
            }
            Err(error) => (error.id(), "was cancelled".to_owned()),
        };
        TaskEnded { name: self.names.get(&id).copied().unwrap_or("unnamed"), how }
    }

    /// Stops every task that is still running and waits until they are gone.
    pub async fn shutdown(&mut self) {
        self.tasks.shutdown().await;
    }
}

/// How long the task `name` lives in a debug build run with `LUDUS_DEBUG_KILL_TASK`.
fn debug_kill_after(name: &str) -> Option<Duration> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let value = std::env::var("LUDUS_DEBUG_KILL_TASK").ok()?;
    let (target, after) = value.split_once(':').unwrap_or((&value, "2000"));
    (target == name).then(|| Duration::from_millis(after.parse().unwrap_or(2_000)))
}

/// The message a panic was raised with (`panic!("…")`), or "unknown panic".
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "unknown panic".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shutdown_ends_the_wait_while_every_task_runs() {
        let mut tasks = TaskManager::new();
        tasks.spawn_essential("forever", std::future::pending());
        tasks.run_until_shutdown(async {}).await.unwrap();
    }

    #[tokio::test]
    async fn a_task_that_returns_is_named() {
        let mut tasks = TaskManager::new();
        tasks.spawn_essential("forever", std::future::pending());
        tasks.spawn_essential("sync", async {});
        let ended = tasks.run_until_shutdown(std::future::pending()).await.unwrap_err();
        assert_eq!(ended.name, "sync");
        assert_eq!(ended.how, "returned");
        assert!(ended.to_string().contains("essential task `sync` returned"), "{ended}");
    }

    #[tokio::test]
    async fn a_task_that_fails_or_panics_is_named_with_its_reason() {
        let mut tasks = TaskManager::new();
        tasks.spawn_fallible("network", async { Err::<(), _>("port in use") });
        let ended = tasks.run_until_shutdown(std::future::pending()).await.unwrap_err();
        assert_eq!((ended.name, ended.how.as_str()), ("network", "failed: port in use"));

        let mut tasks = TaskManager::new();
        tasks.spawn_essential("grandpa-voter", async { panic!("voter state unreadable") });
        let ended = tasks.run_until_shutdown(std::future::pending()).await.unwrap_err();
        assert_eq!((ended.name, ended.how.as_str()), ("grandpa-voter", "panicked: voter state unreadable"));
    }

    #[tokio::test]
    async fn the_cause_is_reported_rather_than_a_task_that_ended_because_of_it() {
        let mut tasks = TaskManager::new();
        let (events_tx, mut events_rx) = tokio::sync::mpsc::channel::<()>(1);
        tasks.spawn_essential("sync", async move { while events_rx.recv().await.is_some() {} });
        tasks.spawn_essential("network", async move {
            let _events = events_tx;
            tokio::task::yield_now().await;
            panic!("swarm failed");
        });
        let ended = tasks.run_until_shutdown(std::future::pending()).await.unwrap_err();
        assert_eq!((ended.name, ended.how.as_str()), ("network", "panicked: swarm failed"));
    }

    #[tokio::test]
    async fn a_thread_that_panics_is_named() {
        let mut tasks = TaskManager::new();
        tasks.spawn_essential_thread("import", 1 << 20, || panic!("database gone")).unwrap();
        let ended = tasks.run_until_shutdown(std::future::pending()).await.unwrap_err();
        assert_eq!((ended.name, ended.how.as_str()), ("import", "failed: thread panicked: database gone"));
    }
}
