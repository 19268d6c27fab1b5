//! The callbacks of settled promises waiting to run, per thread: JavaScript's microtask queue.
//!
//! A callback that settles another promise (each link of `p.then(f).then(g)...` does) would
//! otherwise run that promise's callbacks inside its own frame, one frame per link, and a long
//! enough chain would overflow the stack. Instead, whoever settles first on a thread runs its
//! callbacks and then, in order, those they queued, until none is left.

use std::any::Any;
use std::boxed::Box;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use super::callbacks::Jobs;

/// The callbacks of one settled promise, with their shares of its outcome.
type Batch = Box<dyn FnOnce() -> Option<Box<dyn Any + Send>>>;

#[cfg(not(loom))]
std::thread_local! {
    /// `Some` while a `run` on this thread is running callbacks: the batches queued meanwhile.
    static QUEUE: RefCell<Option<VecDeque<Batch>>> = const { RefCell::new(None) };
}

#[cfg(loom)]
loom::thread_local! {
    static QUEUE: RefCell<Option<VecDeque<Batch>>> = RefCell::new(None);
}

/// Runs each callback with its share of the outcome, in order, on this thread: now, or, if
/// callbacks are already running on this thread, after them.
pub(crate) fn run<T: Send + 'static>(jobs: Jobs<T>) {
    let mut jobs = Some(jobs);
    QUEUE.with(|queue| match &mut *queue.borrow_mut() {
        Some(queue) => {
            let jobs = jobs.take();
            queue.push_back(Box::new(move || jobs.and_then(call)));
        }
        idle @ None => *idle = Some(VecDeque::new()),
    });
    let Some(jobs) = jobs else { return };
    let mut panic = call(jobs);
    while let Some(batch) = QUEUE.with(|queue| queue.borrow_mut().as_mut()?.pop_front()) {
        let payload = batch();
        panic = panic.or(payload);
    }
    QUEUE.with(|queue| *queue.borrow_mut() = None);
    if let Some(payload) = panic {
        resume_unwind(payload);
    }
}

/// Calls each callback. They catch the panics of user code; should one escape anyway, every
/// other still runs, and the first panic is returned, to go on once the queue is empty.
fn call<T>(jobs: Jobs<T>) -> Option<Box<dyn Any + Send>> {
    let mut panic = None;
    for callback in jobs {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| callback.call())) {
            panic.get_or_insert(payload);
        }
    }
    panic
}
