//! The one thing the eager promise needs that safe Rust cannot say: a promisified body kept in
//! its promise's shared allocation and polled, pinned, from there, so that a body that pends
//! costs one allocation (the state and the body together) besides its tokio task, not two.
//!
//! Every access to the body goes through the promise's [`Task`], of which there is one per
//! body, made with it; that is what makes each `unsafe` block below sound.
#![allow(unsafe_code)]

use std::cell::UnsafeCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::error::{Failure, Outcome, PromiseError};
use super::runtime::CatchUnwind;
use super::shared::Shared;
use super::sync::Arc;

/// What settles a promise besides a `Resolver` or a callback: its body, for a promise that
/// [`Task`] runs. The state is `Shared<T, dyn Work<T>>` whatever the body's type.
pub(crate) trait Work<T>: Send + Sync {
    /// Polls the body.
    ///
    /// # Safety
    ///
    /// Only the promise's [`Task`] may call it, with `&mut` access to itself.
    unsafe fn poll(&self, cx: &mut Context<'_>) -> Poll<Outcome<T>>;

    /// Drops the body, in place: the task is done with it.
    ///
    /// # Safety
    ///
    /// As for [`poll`](Self::poll).
    unsafe fn finish(&self);

    /// What keeps a state of this work, once nobody needs it, as this thread's spare; `None`
    /// for a state that cannot be one.
    fn recycler(&self) -> Option<Recycler<T>>;
}

/// A reader that read the outcome lets go of the state: if it was the last to hold it, the
/// state may become this thread's spare, for the next body of the same type.
pub(crate) fn release<T>(state: Arc<Shared<T>>) {
    if let Some(recycle) = state.work().recycler() {
        // SAFETY: `recycle` comes from this state's own work.
        unsafe { recycle(state) };
    }
}

/// Keeps `state`, if its caller was the last to hold it, as this thread's spare.
///
/// # Safety
///
/// `state`'s work is the one whose [`Work::recycler`] gave this function.
pub(crate) type Recycler<T> = unsafe fn(state: Arc<Shared<T>>);

/// The work of a promise settled from outside: by its `Resolver`, or by the callback of the
/// promise it is chained to. No task polls it.
pub(crate) struct Outside;

impl<T> Work<T> for Outside {
    unsafe fn poll(&self, _: &mut Context<'_>) -> Poll<Outcome<T>> {
        unreachable!("a promise settled from outside has no task")
    }

    unsafe fn finish(&self) {}

    fn recycler(&self) -> Option<Recycler<T>> {
        None
    }
}

/// A promisified body, in the allocation of its promise's [`Shared`] state: pinned there, as the
/// allocation never moves and the body is dropped in place (by [`first_poll`] or [`Task`], or with
/// the state).
pub(crate) struct Body<F> {
    /// `None` once done with, or while the state waits as a spare (see [`spare`]): a body
    /// aborted with its task is dropped at once, even if handles keep the state alive.
    future: UnsafeCell<Option<CatchUnwind<F>>>,
}

// SAFETY: a `Body` is shared (`&Body`) between the threads holding its promise's state, but
// only `Task` reaches the future inside through a shared reference, by `Work::poll` and
// `Work::finish`, whose callers must be the one `Task` of this body: one thread at a time, with
// `&mut Task`. The other threads never touch it. So `&Body` gives no shared access to `F`, and
// `F: Send` is all that moving that exclusive access between threads needs.
unsafe impl<F: Send> Sync for Body<F> {}

impl<F> Work<F::Output> for Body<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    unsafe fn poll(&self, cx: &mut Context<'_>) -> Poll<Outcome<F::Output>> {
        // SAFETY: the caller is this body's `Task`, with exclusive access to the future (see
        // `Work::poll`), so this `&mut` is the only reference to it; and it is the slot of a
        // `Body`, as `poll_pinned` asks.
        unsafe { poll_pinned(&mut *self.future.get(), cx) }
    }

    unsafe fn finish(&self) {
        // SAFETY: as in `poll`.
        unsafe { finish_pinned(&mut *self.future.get()) };
    }

    #[cfg(not(loom))]
    fn recycler(&self) -> Option<Recycler<F::Output>> {
        Some(recycle::<F>)
    }

    /// Under loom, no spares (see `spare`).
    #[cfg(loom)]
    fn recycler(&self) -> Option<Recycler<F::Output>> {
        None
    }
}

/// The [`Recycler`] of a state whose work is a `Body<F>`.
///
/// # Safety
///
/// `state`'s work is a `Body<F>`.
#[cfg(not(loom))]
unsafe fn recycle<F>(state: Arc<Shared<F::Output>>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let state = Arc::into_raw(state).cast::<Shared<F::Output, Body<F>>>();
    // SAFETY: every state whose work is a `Body<F>` was made as an
    // `Arc<Shared<F::Output, Body<F>>>` (in `first_poll`) and unsized to `dyn Work`, which
    // `Arc::from_raw` allows: the data pointer is that of the type it was made as.
    let mut state = unsafe { Arc::from_raw(state) };
    let Some(unique) = Arc::get_mut(&mut state) else {
        return;
    };
    // The task finished the body before it settled the promise, and let go of the state
    // after: a state nobody else holds has no body.
    if unique.work_mut().future.get_mut().is_none() {
        unique.renew();
        spare::put(state);
    }
}

/// Polls the body in `slot`.
///
/// # Safety
///
/// `slot` is the one inside a [`Body`] in the state of a promise.
unsafe fn poll_pinned<F: Future>(
    slot: &mut Option<CatchUnwind<F>>,
    cx: &mut Context<'_>,
) -> Poll<Outcome<F::Output>> {
    // SAFETY: pinning. `slot` is inside a `Body`, in the `Arc` allocation of its promise's
    // state, which never moves; the future leaves it only by being dropped in place
    // (`finish_pinned`, or the state's own drop). A spare's slot is `None`, and a new body is
    // written into it before its first poll.
    let future = unsafe { Pin::new_unchecked(slot) };
    match future.as_pin_mut() {
        Some(future) => future.poll(cx),
        None => panic!("a promisified body polled after it finished"),
    }
}

/// Drops the body in `slot`, in place.
///
/// # Safety
///
/// As for [`poll_pinned`].
unsafe fn finish_pinned<F>(slot: &mut Option<CatchUnwind<F>>) {
    // SAFETY: as in `poll_pinned`; `Pin::set` drops the future in place.
    unsafe { Pin::new_unchecked(slot) }.set(None);
}

/// Polls `body` for the first time, in a state for its promise that nobody else holds yet:
/// this thread's spare if it fits, else a new one. Done in that poll, it gives the outcome, and
/// the state, untouched but for the body's slot, emptied, is this thread's spare for the next
/// body of the same type; otherwise it gives the [`Task`] that runs the rest.
pub(crate) fn first_poll<F>(
    body: F,
    cx: &mut Context<'_>,
) -> Result<Outcome<F::Output>, Task<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut shared = spare::take::<Shared<F::Output, Body<F>>>().unwrap_or_else(|| {
        std::sync::Arc::new(Shared::fresh(Body {
            future: UnsafeCell::new(None),
        }))
    });
    let slot = std::sync::Arc::get_mut(&mut shared)
        .expect("a fresh promise's state has one holder")
        .work_mut()
        .future
        .get_mut();
    *slot = Some(CatchUnwind::new(body));
    // SAFETY: the slot of the body in this promise's state, which is handed whole to the
    // `Task`, or finished in place before it becomes a spare: the body never moves.
    match unsafe { poll_pinned(slot, cx) } {
        Poll::Ready(outcome) => {
            // SAFETY: as above.
            unsafe { finish_pinned(slot) };
            spare::put(shared);
            Ok(outcome)
        }
        Poll::Pending => Err(Task {
            shared: Some(super::sync::erase(shared)),
        }),
    }
}

/// The task that runs a promisified body to the end and settles its promise: the only one to
/// poll or drop the body after [`first_poll`]. Dropped unfinished (aborted, or its
/// runtime shut down), it drops the body and settles the promise as cancelled.
pub(crate) struct Task<T> {
    /// `None` once the promise is settled.
    shared: Option<Arc<Shared<T>>>,
}

impl<T> Task<T> {
    /// A handle on the promise's state, for the promise itself.
    pub(crate) fn shared(&self) -> Arc<Shared<T>> {
        Arc::clone(
            self.shared
                .as_ref()
                .expect("a promise's task already finished"),
        )
    }
}

impl<T> Future for Task<T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let shared = self
            .shared
            .as_ref()
            .expect("a promise's task polled after it finished");
        // SAFETY: `Task` is the one caller `Work::poll` asks for: made once per body, by
        // `first_poll`, which then lets go of the body; not `Clone`; and `Pin<&mut Self>`
        // keeps this call alone.
        let outcome = std::task::ready!(unsafe { shared.work().poll(cx) });
        self.end(|| outcome);
        Poll::Ready(())
    }
}

impl<T> Task<T> {
    /// Drops the body, then settles the promise with `outcome`, unless the task already ended.
    /// The body goes first: what it holds is released when the task ends (done, or aborted),
    /// not when the last handle of the promise is dropped.
    fn end(&mut self, outcome: impl FnOnce() -> Outcome<T>) {
        if let Some(shared) = self.shared.take() {
            // SAFETY: this is the body's `Task` (see `poll`), with `&mut self`.
            unsafe { shared.work().finish() };
            shared.settle(outcome());
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.end(|| Err(Failure::new(PromiseError::Cancelled)));
    }
}

/// A few spare states per thread: those of the last bodies that completed in their first poll
/// or were read to the end, kept with their body slot empty and the rest as new, for the next
/// body of the same type, which then allocates nothing. One spare per body type, for up to
/// four types: a thread that runs more evicts one for each new type.
// Under loom there are no spares (see `take`), so most of this is unused there.
#[cfg_attr(loom, allow(dead_code, reason = "no spares under loom"))]
mod spare {
    use std::any::{Any, TypeId};
    use std::cell::Cell;
    use std::sync::Arc;

    /// The body types a thread keeps a spare of, besides the last one's.
    const OTHERS: usize = 3;

    /// The largest state kept, in bytes: a thread holds no more than four times this.
    const MAX: usize = 1024;

    type Spare = Arc<dyn Any + Send + Sync>;

    /// The spare of the last body type, which a thread that runs one type finds at once, and
    /// those of the types before, looked up only when the last is not of the right type.
    struct Spares {
        last: Cell<Option<Spare>>,
        /// Slot `i` of `others` holds a state of type `types[i]`, if that is `Some`.
        types: [Cell<Option<TypeId>>; OTHERS],
        others: [Cell<Option<Spare>>; OTHERS],
    }

    #[cfg(not(loom))]
    std::thread_local! {
        static SPARES: Spares = const {
            Spares {
                last: Cell::new(None),
                types: [const { Cell::new(None) }; OTHERS],
                others: [const { Cell::new(None) }; OTHERS],
            }
        };
    }

    /// This thread's spare of type `S`, if it has one.
    #[cfg(not(loom))]
    #[inline]
    pub(super) fn take<S: Any + Send + Sync>() -> Option<Arc<S>> {
        let last = SPARES.try_with(|spares| spares.last.take()).ok()??;
        match last.downcast() {
            Ok(spare) => Some(spare),
            Err(last) => SPARES.try_with(|spares| spares.take_other(last)).ok()?,
        }
    }

    /// `state` as this thread's spare of its type, the last.
    #[cfg(not(loom))]
    #[inline]
    pub(super) fn put<S: Any + Send + Sync>(state: Arc<S>) {
        if size_of::<S>() <= MAX {
            let _ = SPARES.try_with(|spares| {
                if let Some(before) = spares.last.replace(Some(state)) {
                    spares.keep(before);
                }
            });
        }
    }

    /// Under loom, whose threads share one of the OS's, no spares.
    #[cfg(loom)]
    pub(super) fn take<S>() -> Option<Arc<S>> {
        None
    }

    #[cfg(loom)]
    pub(super) fn put<S>(_: Arc<S>) {}

    impl Spares {
        /// The spare of type `S` among the others, whose slot `last` takes; or none, and
        /// `last` stays the last.
        #[cold]
        fn take_other<S: Any + Send + Sync>(&self, last: Spare) -> Option<Arc<S>> {
            let of = Some(TypeId::of::<S>());
            let Some(i) = self.types.iter().position(|slot| slot.get() == of) else {
                self.last.set(Some(last));
                return None;
            };
            self.types[i].set(Some((*last).type_id()));
            self.others[i].replace(Some(last))?.downcast().ok()
        }

        /// Keeps `spare`, no longer the last, among the others: in a free slot, or in place
        /// of the one in the last slot, which is dropped once the slots are as they should be.
        #[cold]
        fn keep(&self, spare: Spare) {
            let free = self.types.iter().position(|slot| slot.get().is_none());
            let i = free.unwrap_or(OTHERS - 1);
            self.types[i].set(Some((*spare).type_id()));
            let evicted = self.others[i].replace(Some(spare));
            drop(evicted);
        }
    }
}

/// The unsafe code above, each path of it, small enough for miri (which CI runs them under).
#[cfg(all(test, not(loom)))]
mod tests {
    use std::future::{Future, ready};
    use std::pin::Pin;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll, Waker};

    use super::super::{Promise, Resolver};
    use super::{Body, Shared, first_poll, spare};

    fn cx() -> Context<'static> {
        Context::from_waker(Waker::noop())
    }

    /// Polls `future` to the end with a waker that does nothing.
    fn run<F: Future + Unpin>(mut future: F) -> F::Output {
        loop {
            if let Poll::Ready(output) = Pin::new(&mut future).poll(&mut cx()) {
                return output;
            }
        }
    }

    /// Counts its drops.
    struct CountDrop(Arc<AtomicUsize>);

    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A body of a type of its own for each `N`, ready at once.
    async fn ready_body<const N: usize>() -> usize {
        ready(N).await
    }

    /// A body that holds `drops` and waits for `input`.
    fn waiting_body(
        input: Promise<u8>,
        drops: &Arc<AtomicUsize>,
    ) -> impl Future<Output = u8> + Send + 'static {
        let guard = CountDrop(Arc::clone(drops));
        async move {
            let _guard = guard;
            input.await
        }
    }

    fn has_spare<F: Future<Output: Send + 'static> + Send + 'static>(_: &F) -> bool {
        let spare = spare::take::<Shared<F::Output, Body<F>>>();
        let found = spare.is_some();
        if let Some(spare) = spare {
            spare::put(spare);
        }
        found
    }

    #[test]
    fn a_body_done_in_its_first_poll_leaves_its_state_for_the_next() {
        assert!(!has_spare(&ready_body::<1>()));
        for _ in 0..3 {
            assert!(matches!(
                first_poll(ready_body::<1>(), &mut cx()),
                Ok(Ok(1))
            ));
            assert!(has_spare(&ready_body::<1>()));
        }
        assert!(!has_spare(&ready_body::<2>()), "a spare of its type only");
    }

    #[test]
    fn a_thread_keeps_four_spares_and_evicts_one_for_a_fifth_type() {
        fn once<const N: usize>() {
            assert!(matches!(first_poll(ready_body::<N>(), &mut cx()), Ok(Ok(n)) if n == N));
        }
        once::<1>();
        once::<2>();
        once::<3>();
        once::<4>();
        assert!(has_spare(&ready_body::<1>()) && has_spare(&ready_body::<4>()));
        once::<5>();
        let kept = [
            has_spare(&ready_body::<1>()),
            has_spare(&ready_body::<2>()),
            has_spare(&ready_body::<3>()),
            has_spare(&ready_body::<4>()),
            has_spare(&ready_body::<5>()),
        ];
        assert_eq!(kept.iter().filter(|kept| **kept).count(), 4, "{kept:?}");
    }

    #[test]
    fn a_task_runs_the_body_in_place_and_its_last_reader_keeps_the_state() {
        let (input, resolver) = Promise::with_resolvers();
        let drops = Arc::new(AtomicUsize::new(0));
        let body = waiting_body(input, &drops);
        assert!(!has_spare(&body));
        let Err(mut task) = first_poll(body, &mut cx()) else {
            panic!("the body waits for its input")
        };
        let promise = Promise::from_shared(task.shared());
        let clone = promise.clone();
        assert!(Pin::new(&mut task).poll(&mut cx()).is_pending());
        resolver.resolve(7);
        assert!(Pin::new(&mut task).poll(&mut cx()).is_ready());
        assert_eq!(
            drops.load(Ordering::SeqCst),
            1,
            "the body is dropped when done"
        );
        drop(task);
        assert_eq!(run(promise), 7);
        let (input, _resolver): (Promise<u8>, Resolver<u8>) = Promise::with_resolvers();
        let next = waiting_body(input, &drops);
        assert!(!has_spare(&next), "the clone still holds the state");
        assert_eq!(run(clone), 7);
        assert!(has_spare(&next), "its last reader left it as the spare");
        let Err(task) = first_poll(next, &mut cx()) else {
            panic!("the body waits for its input")
        };
        drop(task);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_task_dropped_unfinished_drops_the_body_and_cancels() {
        let (input, _resolver) = Promise::with_resolvers();
        let drops = Arc::new(AtomicUsize::new(0));
        let Err(task) = first_poll(waiting_body(input, &drops), &mut cx()) else {
            panic!("the body waits for its input")
        };
        let promise = Promise::from_shared(task.shared());
        drop(task);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(
            run(promise.settled()),
            Err(super::super::PromiseError::Cancelled)
        );
    }
}
