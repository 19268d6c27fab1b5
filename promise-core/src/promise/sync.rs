//! The synchronization types of the promise's shared state, swapped for loom's under
//! `--cfg loom` so that the model checker can explore every interleaving of them.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// What `cancel` aborts: the task running a promisified body.
#[cfg(not(loom))]
pub(crate) type Task = tokio::task::JoinHandle<()>;

/// Under loom no runtime runs: a promise has no task to abort.
#[cfg(loom)]
pub(crate) enum Task {}

#[cfg(loom)]
impl Task {
    pub(crate) fn abort(&self) {
        match *self {}
    }
}

/// Under loom, the one `OnceLock` of the shared state holds nothing: see [`Task`].
#[cfg(loom)]
pub(crate) struct OnceLock<T>(core::marker::PhantomData<T>);

#[cfg(loom)]
impl<T> OnceLock<T> {
    pub(crate) const fn new() -> Self {
        OnceLock(core::marker::PhantomData)
    }

    pub(crate) fn set(&self, _: T) -> Result<(), T> {
        unreachable!("no task under loom")
    }

    pub(crate) fn get(&self) -> Option<&T> {
        None
    }
}
