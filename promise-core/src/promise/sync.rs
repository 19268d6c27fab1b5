//! The synchronization types of the promise's shared state, swapped for loom's under
//! `--cfg loom` so that the model checker can explore every interleaving of them.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Mutex, MutexGuard};

pub(crate) use tokio::task::{AbortHandle, JoinHandle};

use super::body::Work;
use super::shared::Shared;

/// `shared`, made as a std `Arc`, its work seen as `dyn Work<T>`.
#[cfg(not(loom))]
pub(crate) fn erase<T, W: Work<T> + 'static>(
    shared: std::sync::Arc<Shared<T, W>>,
) -> Arc<Shared<T>> {
    shared
}

/// `shared`, its work seen as `dyn Work<T>`, under loom: loom's `Arc` cannot be unsized, std's
/// can, and loom takes it over.
#[cfg(loom)]
pub(crate) fn erase<T, W: Work<T> + 'static>(
    shared: std::sync::Arc<Shared<T, W>>,
) -> Arc<Shared<T>> {
    let shared: std::sync::Arc<Shared<T>> = shared;
    Arc::from_std(shared)
}
