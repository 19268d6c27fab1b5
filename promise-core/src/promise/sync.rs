//! The synchronization types of the promise's shared state, swapped for loom's under
//! `--cfg loom` so that the model checker can explore every interleaving of them. (The task
//! handle's `OnceLock` stays std's: no runtime runs under loom, so no promise has a task.)

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Mutex, MutexGuard};

pub(crate) use std::sync::OnceLock;

/// What `cancel` aborts: the task running a promisified body.
pub(crate) type Task = tokio::task::JoinHandle<()>;
