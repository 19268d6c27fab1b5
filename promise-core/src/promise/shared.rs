use std::boxed::Box;
use std::mem;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Poll, Waker};
use std::vec::Vec;

use tokio::task::JoinHandle;

use super::error::{Failure, Outcome, PromiseError};

type Callback<T> = Box<dyn FnOnce(Outcome<T>) + Send>;

/// The state of a promise that was not settled when it was made, shared by its handles, the
/// callbacks chained to it, and whatever settles it (its task or its `Resolver`).
pub(crate) struct Shared<T> {
    state: Mutex<State<T>>,
    /// The task running the work, if there is one, to abort it. Outside the lock: set once,
    /// right after the spawn, and read only by `cancel`. The `JoinHandle` itself, not an
    /// `AbortHandle` made from it: one reference to the task instead of two.
    task: OnceLock<JoinHandle<()>>,
}

struct State<T> {
    outcome: Slot<T>,
    /// Who will still read the outcome: the promise handles alive and the callbacks chained.
    /// The last one to read it takes it; the others get a clone.
    consumers: usize,
    /// `T::clone`, stored by the first `Promise::clone`. Several consumers exist only through
    /// a clone, so it is there whenever `consumers > 1`.
    cloner: Option<fn(&T) -> T>,
    /// The wakers of the handles awaiting it, each at the index its handle keeps.
    wakers: Wakers,
    callbacks: Vec<Callback<T>>,
}

enum Slot<T> {
    Pending,
    Settled(Outcome<T>),
    Taken,
}

impl<T> Shared<T> {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Shared {
            state: Mutex::new(State {
                outcome: Slot::Pending,
                consumers: 1,
                cloner: None,
                wakers: Wakers::default(),
                callbacks: Vec::new(),
            }),
            task: OnceLock::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // The lock is never held while user code runs, so it cannot be poisoned by user code.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Settles the promise, unless it already is (a cancelled promise ignores a late result).
    /// Wakes the awaiters and runs the chained callbacks, on this thread.
    pub(crate) fn settle(&self, outcome: Outcome<T>) -> bool {
        let mut state = self.lock();
        if !matches!(state.outcome, Slot::Pending) {
            return false;
        }
        state.outcome = Slot::Settled(outcome);
        let first = state.wakers.first.take();
        let more = mem::take(&mut state.wakers.more);
        let callbacks = mem::take(&mut state.callbacks);
        drop(state);
        if let Some(waker) = first {
            waker.wake();
        }
        for waker in more.into_iter().flatten() {
            waker.wake();
        }
        for callback in callbacks {
            let outcome = self.lock().take();
            callback(outcome);
        }
        true
    }

    /// The outcome for one consumer, if settled; otherwise registers the waker under `slot`.
    pub(crate) fn poll_take(
        &self,
        slot: &mut Option<usize>,
        cx: &mut Context<'_>,
    ) -> Poll<Outcome<T>> {
        let mut state = self.lock();
        if !matches!(state.outcome, Slot::Pending) {
            return Poll::Ready(state.take());
        }
        state.wakers.register(slot, cx.waker());
        Poll::Pending
    }

    /// The outcome for one consumer if settled; otherwise forgets the waker under `slot`, as the
    /// handle is about to become a callback.
    pub(crate) fn take_or_unregister(&self, slot: Option<usize>) -> Option<Outcome<T>> {
        let mut state = self.lock();
        if matches!(state.outcome, Slot::Pending) {
            state.wakers.clear(slot);
            None
        } else {
            Some(state.take())
        }
    }

    /// Runs `callback` with one consumer's share of the outcome: when the promise settles, on the
    /// thread that settles it, or now if it already has.
    pub(crate) fn when_settled(&self, callback: Callback<T>) {
        let mut state = self.lock();
        if matches!(state.outcome, Slot::Pending) {
            state.callbacks.push(callback);
        } else {
            let outcome = state.take();
            drop(state);
            callback(outcome);
        }
    }

    pub(crate) fn add_consumer(&self, cloner: fn(&T) -> T) {
        let mut state = self.lock();
        state.consumers += 1;
        state.cloner = Some(cloner);
    }

    /// A handle that never read the outcome is gone.
    pub(crate) fn drop_consumer(&self, slot: Option<usize>) {
        let mut state = self.lock();
        state.consumers -= 1;
        state.wakers.clear(slot);
        if state.consumers == 0 {
            // Nobody will read it: drop the value now, not with the last `Arc`.
            if let Slot::Settled(_) = state.outcome {
                state.outcome = Slot::Taken;
            }
        }
    }

    pub(crate) fn is_settled(&self) -> bool {
        !matches!(self.lock().outcome, Slot::Pending)
    }

    pub(crate) fn set_task(&self, task: JoinHandle<()>) {
        let _ = self.task.set(task);
    }

    /// Settles the promise as cancelled and aborts its task, if it has one still running.
    pub(crate) fn cancel(&self) {
        if self.settle(Err(Failure::new(PromiseError::Cancelled))) {
            if let Some(task) = self.task.get() {
                task.abort();
            }
        }
    }
}

impl<T> State<T> {
    /// One consumer reads the settled outcome: the last takes it, the others clone it.
    fn take(&mut self) -> Outcome<T> {
        self.consumers -= 1;
        if self.consumers > 0 {
            match &self.outcome {
                Slot::Settled(Ok(value)) => {
                    let clone = self
                        .cloner
                        .expect("several consumers imply a `Clone` value");
                    return Ok(clone(value));
                }
                Slot::Settled(Err(failure)) => return Err(failure.take_first()),
                Slot::Pending | Slot::Taken => {}
            }
        }
        match mem::replace(&mut self.outcome, Slot::Taken) {
            Slot::Settled(outcome) => outcome,
            Slot::Pending | Slot::Taken => unreachable!("a promise's outcome read twice"),
        }
    }
}

/// The wakers of a promise's awaiters: the first inline, as most promises have one awaiter,
/// the others in a list. A handle keeps the index of its own.
#[derive(Default)]
struct Wakers {
    /// Free (`None`) until a handle registers, and again once that handle is gone: a handle
    /// clears its entry when it stops waiting, and after `settle` takes it nobody registers.
    first: Option<Waker>,
    more: Vec<Option<Waker>>,
}

impl Wakers {
    fn entry(&mut self, slot: usize) -> Option<&mut Option<Waker>> {
        match slot {
            0 => Some(&mut self.first),
            i => self.more.get_mut(i - 1),
        }
    }

    fn register(&mut self, slot: &mut Option<usize>, waker: &Waker) {
        if let Some(entry) = slot.and_then(|i| self.entry(i)) {
            match entry {
                Some(old) if old.will_wake(waker) => {}
                _ => *entry = Some(waker.clone()),
            }
        } else if self.first.is_none() {
            self.first = Some(waker.clone());
            *slot = Some(0);
        } else {
            self.more.push(Some(waker.clone()));
            *slot = Some(self.more.len());
        }
    }

    fn clear(&mut self, slot: Option<usize>) {
        if let Some(entry) = slot.and_then(|i| self.entry(i)) {
            *entry = None;
        }
    }
}
