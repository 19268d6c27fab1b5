use std::boxed::Box;
use std::mem;
use std::sync::PoisonError;
use std::task::{Context, Poll, Waker};
use std::vec::Vec;

use super::body::{Outside, Work};
use super::callbacks::{Callback, Callbacks, Jobs};
use super::error::{Failure, Outcome, PromiseError};
use super::queue;
use super::runtime::guard;
use super::sync::{AbortHandle, Arc, AtomicUsize, JoinHandle, Mutex, MutexGuard, Ordering};

/// The state of a promise that was not settled when it was made, shared by its handles, the
/// callbacks chained to it, and whatever settles it (its task or its `Resolver`).
///
/// No user code runs under the lock: not `T::clone`, not `T`'s drop, not a callback. The lock
/// only decides who gets what; the cloning, dropping and calling happen after it is released.
///
/// The work that settles it (a promisified body) lives in the same allocation, after the
/// state: its handles see it as `dyn Work<T>`, whatever its type.
pub(crate) struct Shared<T, W: ?Sized = dyn Work<T>> {
    state: Mutex<State<T>>,
    work: W,
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
    callbacks: Callbacks<T>,
    /// Runs the callbacks once it settles; set with the first callback, where `T: 'static`
    /// is known (see `queue`).
    run: Option<fn(Jobs<T>)>,
    /// The task running the work, if there is one, to abort it, once the handle that holds its
    /// `JoinHandle` has been cloned: a clone may be the one to `cancel`.
    task: Option<AbortHandle>,
}

enum Slot<T> {
    Pending,
    Settled(Outcome<T>),
    /// Settled with a value that readers are cloning, outside the state's lock; the slot
    /// holds it too while more readers are to come.
    Lent(Arc<Lent<T>>),
    Taken,
}

/// One consumer's share of the outcome, as decided under the lock: read it after.
pub(crate) enum Share<T> {
    Outcome(Outcome<T>),
    /// Clone the value, or take it if this is the last reader.
    Lent(Arc<Lent<T>>, fn(&T) -> T),
}

/// A settled value that several readers share: each clones it, but the last to come takes it,
/// so that it is cloned exactly once per other reader. Clones from several threads take turns
/// under the value's own lock (`T` need not be `Sync`), which the state's lock never waits for.
pub(crate) struct Lent<T> {
    value: Mutex<Option<T>>,
    /// The readers holding the value, and the slot while more readers are to come. Each
    /// reader leaves under `value`'s lock; one that finds itself alone takes the value.
    holders: AtomicUsize,
}

impl<T> Lent<T> {
    /// A reader leaves with its value: the value itself if it is the last holder, else a clone.
    fn read(&self, clone: fn(&T) -> T) -> Outcome<T> {
        self.leave(|value, alone| {
            if alone {
                Ok(value.take().expect("a lent value taken twice"))
            } else {
                let value = value.as_ref().expect("a lent value taken while lent");
                // A clone that panics has only had `&T`: the value is as it was.
                guard(|| clone(value))
            }
        })
    }

    /// The slot leaves without reading: a reader still to leave may now be the one to take it.
    fn release(&self) {
        self.leave(|_, _| ());
    }

    /// One holder leaves, doing `f` with the value and whether it is the last holder.
    fn leave<R>(&self, f: impl FnOnce(&mut Option<T>, bool) -> R) -> R {
        let mut value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        // A new holder comes only from the slot, which is one: alone, we stay alone.
        let outcome = f(&mut value, self.holders.load(Ordering::Acquire) == 1);
        self.holders.fetch_sub(1, Ordering::Release);
        outcome
    }
}

impl<T> Share<T> {
    /// The outcome itself: a clone of a lent value, or the value if this is its last reader.
    /// A `T::clone` that panics fails this reader alone, as `Panicked`.
    pub(crate) fn read(self) -> Outcome<T> {
        match self {
            Share::Outcome(outcome) => outcome,
            Share::Lent(lent, clone) => lent.read(clone),
        }
    }
}

impl<T, W> Shared<T, W> {
    /// The state of a promise settled by `work`, not yet shared.
    pub(crate) fn fresh(work: W) -> Self {
        Shared {
            state: Mutex::new(State::new()),
            work,
        }
    }

    /// Makes the state of a promise every reader is done with as new, but for its work.
    #[cfg_attr(loom, allow(dead_code, reason = "no spares under loom"))]
    pub(crate) fn renew(&mut self) {
        *self.state.get_mut().unwrap_or_else(PoisonError::into_inner) = State::new();
    }

    pub(crate) fn work_mut(&mut self) -> &mut W {
        &mut self.work
    }
}

impl<T, W: ?Sized> Shared<T, W> {
    pub(crate) fn work(&self) -> &W {
        &self.work
    }
}

impl<T> Shared<T> {
    /// The state of a promise settled from outside: by a `Resolver`, or a callback.
    pub(crate) fn new() -> Arc<Self> {
        super::sync::erase(std::sync::Arc::new(Shared::fresh(Outside)))
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // No user code runs under the lock, so no user code can poison it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Settles the promise, unless it already is (a cancelled promise ignores a late result).
    /// Wakes the awaiters and runs the chained callbacks, on this thread; a callback that
    /// settles another promise in turn only queues that one's callbacks (see `queue`), so a
    /// chain of any length runs in constant stack.
    pub(crate) fn settle(&self, outcome: Outcome<T>) -> bool {
        let mut state = self.lock();
        if !matches!(state.outcome, Slot::Pending) {
            drop(state);
            drop(outcome);
            return false;
        }
        state.outcome = Slot::Settled(outcome);
        let first = state.wakers.first.take();
        let more = state.wakers.more.take();
        let callbacks = mem::replace(&mut state.callbacks, Callbacks::new());
        let run = state
            .run
            .map(|run| (run, callbacks.into_jobs(|| state.take())));
        drop(state);
        if let Some(waker) = first {
            waker.wake();
        }
        if let Some(more) = more {
            for waker in more.wakers.into_iter().flatten() {
                waker.wake();
            }
        }
        if let Some((run, jobs)) = run {
            run(jobs);
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
        if matches!(state.outcome, Slot::Pending) {
            state.wakers.register(slot, cx.waker());
            return Poll::Pending;
        }
        let share = state.take();
        drop(state);
        Poll::Ready(share.read())
    }

    /// The outcome for one consumer if settled; otherwise forgets the waker under `slot`, as the
    /// handle is about to become a callback.
    pub(crate) fn take_or_unregister(&self, slot: Option<usize>) -> Option<Outcome<T>> {
        let mut state = self.lock();
        if matches!(state.outcome, Slot::Pending) {
            state.wakers.clear(slot);
            None
        } else {
            let share = state.take();
            drop(state);
            Some(share.read())
        }
    }

    /// Runs `callback` with one consumer's share of the outcome: when the promise settles, on the
    /// thread that settles it, or now if it already has.
    pub(crate) fn when_settled(&self, callback: Callback<T>)
    where
        T: Send + 'static,
    {
        let mut state = self.lock();
        if matches!(state.outcome, Slot::Pending) {
            state.callbacks.push(callback);
            state.run = Some(queue::run::<T>);
        } else {
            let share = state.take();
            drop(state);
            queue::run(Jobs::one(callback, share));
        }
    }

    /// A new handle, cloned from one that may hold the task: the state keeps an `AbortHandle`
    /// of it, if it has none yet, for the clone to `cancel` with.
    pub(crate) fn add_consumer(&self, cloner: fn(&T) -> T, task: Option<&JoinHandle<()>>) {
        let mut state = self.lock();
        state.consumers += 1;
        state.cloner = Some(cloner);
        if state.task.is_none() {
            state.task = task.map(JoinHandle::abort_handle);
        }
    }

    /// A handle that never read the outcome is gone. Out of line: a handle's drop is often
    /// that of a promise settled when made, which inlines to a test.
    #[inline(never)]
    pub(crate) fn drop_consumer(&self, slot: Option<usize>) {
        let mut state = self.lock();
        state.consumers -= 1;
        state.wakers.clear(slot);
        // Nobody will read it: drop the value now, not with the last `Arc`, and not under
        // the lock.
        let unread = if state.consumers == 0 && !matches!(state.outcome, Slot::Pending) {
            mem::replace(&mut state.outcome, Slot::Taken)
        } else {
            Slot::Taken
        };
        drop(state);
        if let Slot::Lent(lent) = unread {
            lent.release();
        }
    }

    pub(crate) fn is_settled(&self) -> bool {
        !matches!(self.lock().outcome, Slot::Pending)
    }

    /// Settles the promise as cancelled and aborts its task, if it has one still running:
    /// `task`, held by the handle cancelling, or the one a clone left in the state.
    pub(crate) fn cancel(&self, task: Option<&JoinHandle<()>>) {
        if self.settle(Err(Failure::new(PromiseError::Cancelled))) {
            if let Some(task) = task {
                task.abort();
            } else if let Some(task) = self.lock().task.take() {
                task.abort();
            }
        }
    }
}

impl<T> State<T> {
    fn new() -> Self {
        State {
            outcome: Slot::Pending,
            consumers: 1,
            cloner: None,
            wakers: Wakers::default(),
            callbacks: Callbacks::new(),
            run: None,
            task: None,
        }
    }

    /// One consumer's share of the settled outcome: the last takes it, the others clone it,
    /// after the lock is released (see `Share::read`).
    fn take(&mut self) -> Share<T> {
        self.consumers -= 1;
        let last = self.consumers == 0;
        match mem::replace(&mut self.outcome, Slot::Taken) {
            Slot::Settled(Err(failure)) if !last => {
                let first = failure.take_first();
                self.outcome = Slot::Settled(Err(failure));
                Share::Outcome(Err(first))
            }
            Slot::Settled(outcome) if last => Share::Outcome(outcome),
            Slot::Settled(Ok(value)) => {
                let lent = Arc::new(Lent {
                    value: Mutex::new(Some(value)),
                    holders: AtomicUsize::new(1),
                });
                self.lend(lent, last)
            }
            Slot::Lent(value) => self.lend(value, last),
            Slot::Settled(Err(_)) | Slot::Pending | Slot::Taken => {
                unreachable!("a promise's outcome read twice")
            }
        }
    }

    /// The value for one more reader, from the slot, which keeps holding it unless this is
    /// the last reader, who gets the slot's hold.
    fn lend(&mut self, lent: Arc<Lent<T>>, last: bool) -> Share<T> {
        let clone = self
            .cloner
            .expect("several consumers imply a `Clone` value");
        if !last {
            lent.holders.fetch_add(1, Ordering::Relaxed);
            self.outcome = Slot::Lent(Arc::clone(&lent));
        }
        Share::Lent(lent, clone)
    }
}

/// The wakers of a promise's awaiters: the first inline, as most promises have one awaiter,
/// the others in a list whose freed entries are reused, so it holds no more entries than
/// there were awaiters at once. A handle keeps the index of its own.
#[derive(Default)]
struct Wakers {
    /// Free (`None`) until a handle registers, and again once that handle is gone: a handle
    /// clears its entry when it stops waiting, and after `settle` takes it nobody registers.
    first: Option<Waker>,
    /// The others, boxed: a promise with one awaiter at a time never needs them.
    more: Option<Box<More>>,
}

#[derive(Default)]
struct More {
    wakers: Vec<Option<Waker>>,
    /// The indices of the entries of `wakers` that handles cleared.
    free: Vec<usize>,
}

impl Wakers {
    fn entry(&mut self, slot: usize) -> Option<&mut Option<Waker>> {
        match slot {
            0 => Some(&mut self.first),
            i => self.more.as_mut()?.wakers.get_mut(i - 1),
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
            let more = self.more.get_or_insert_with(Box::default);
            if let Some(i) = more.free.pop() {
                more.wakers[i - 1] = Some(waker.clone());
                *slot = Some(i);
            } else {
                more.wakers.push(Some(waker.clone()));
                *slot = Some(more.wakers.len());
            }
        }
    }

    fn clear(&mut self, slot: Option<usize>) {
        let Some(i) = slot else { return };
        if let Some(entry) = self.entry(i) {
            if entry.take().is_some() && i > 0 {
                if let Some(more) = &mut self.more {
                    more.free.push(i);
                }
            }
        }
    }
}
