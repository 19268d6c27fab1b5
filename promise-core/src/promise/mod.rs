//! `Promise<T>`: an eager, shareable, chainable result, as in JavaScript.

mod body;
mod callbacks;
mod error;
#[cfg(all(test, loom))]
mod loom;
mod queue;
mod runtime;
mod shared;
mod sync;

use std::fmt;
use std::future::Future;
use std::mem::{self, ManuallyDrop};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::FusedFuture;

use callbacks::callback;
pub use error::PromiseError;
use error::{Failure, Outcome};
use runtime::{block_on, guard};
pub(crate) use runtime::{run, start};
use shared::Shared;
use sync::{Arc, JoinHandle};

/// The result of work that has already started, like a JavaScript promise.
///
/// A `#[promisify]` fn returns one: calling it starts the work, which goes on whether or not
/// anybody awaits the promise. Await it for the value (every clone resolves to a clone of it,
/// when `T: Clone`), chain [`then`](Self::then), [`catch`](Self::catch) and
/// [`finally`](Self::finally) (their callbacks run when it settles, even if nobody awaits
/// the promise they return), or drop it: dropping never cancels the work, [`cancel`](Self::cancel)
/// does.
///
/// A promise already settled when it is made (by [`resolve`](Self::resolve), or by a
/// promisified body that never waited) holds its value inline and allocates nothing.
///
/// Where Rust is not JavaScript: awaiting a settled promise does not yield to other tasks,
/// and on a multi-thread runtime the work may run in parallel with its caller.
///
/// # Panics
///
/// Awaiting a promise whose work panicked panics too, with the original message (the first
/// awaiter gets the original payload); awaiting one that was cancelled or abandoned panics with
/// a message that says which. [`settled`](Self::settled) returns these as a [`PromiseError`].
///
/// ```
/// use promise_core::Promise;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (promise, resolver) = Promise::with_resolvers();
/// let doubled = promise.then(|n: u32| n * 2);
/// std::thread::spawn(move || resolver.resolve(21));
/// assert_eq!(doubled.await, 42);
/// # }
/// ```
pub struct Promise<T> {
    /// Dropped by `Drop for Promise` alone (see there): left to the compiler's drop glue, the
    /// drop of a handle awaited to the end would be a call instead of a test.
    inner: ManuallyDrop<Inner<T>>,
}

enum Inner<T> {
    /// Settled when made: no allocation.
    Settled(Outcome<T>),
    /// `waker` is the index of this handle's waker in the shared list, once it has one.
    Shared {
        shared: Arc<Shared<T>>,
        waker: Option<usize>,
        /// The task running the work, to abort it, in the handle `start` returned: kept here,
        /// it costs no lock. A clone of this handle gives the state an `AbortHandle` of it.
        task: Option<JoinHandle<()>>,
    },
    /// Awaited to the end.
    Done,
}

/// Settles a promise made by [`Promise::with_resolvers`], from any thread.
///
/// Dropping it without settling the promise abandons it: awaiters see
/// [`PromiseError::Abandoned`].
///
/// ```
/// use promise_core::Promise;
///
/// let (promise, resolver) = Promise::with_resolvers();
/// std::thread::spawn(move || resolver.resolve("done"));
/// assert_eq!(promise.wait(), "done");
/// ```
pub struct Resolver<T> {
    shared: Option<Arc<Shared<T>>>,
}

impl<T> Promise<T> {
    /// A promise already fulfilled with `value`, like `Promise.resolve(value)`. Allocates
    /// nothing.
    ///
    /// ```
    /// # use promise_core::Promise;
    /// let promise = Promise::resolve(7);
    /// assert!(promise.is_settled());
    /// assert_eq!(promise.wait(), 7);
    /// ```
    pub fn resolve(value: T) -> Self {
        Promise::from_outcome(Ok(value))
    }

    /// A pending promise and the [`Resolver`] that settles it, like `Promise.withResolvers()`.
    ///
    /// ```
    /// # use promise_core::Promise;
    /// let (promise, resolver) = Promise::with_resolvers();
    /// assert!(!promise.is_settled());
    /// resolver.resolve(1);
    /// assert!(promise.is_settled());
    /// ```
    #[must_use]
    pub fn with_resolvers() -> (Self, Resolver<T>) {
        let shared = Shared::new();
        (
            Promise::from_shared(Arc::clone(&shared)),
            Resolver {
                shared: Some(shared),
            },
        )
    }

    pub(crate) fn from_outcome(outcome: Outcome<T>) -> Self {
        Promise {
            inner: ManuallyDrop::new(Inner::Settled(outcome)),
        }
    }

    pub(crate) fn from_shared(shared: Arc<Shared<T>>) -> Self {
        Promise::from_task(shared, None)
    }

    /// A handle on `shared`, whose work `task` runs.
    pub(crate) fn from_task(shared: Arc<Shared<T>>, task: Option<JoinHandle<()>>) -> Self {
        Promise {
            inner: ManuallyDrop::new(Inner::Shared {
                shared,
                waker: None,
                task,
            }),
        }
    }

    /// Whether the promise has settled: fulfilled, panicked, cancelled or abandoned.
    ///
    /// ```
    /// # use promise_core::Promise;
    /// assert!(Promise::resolve(()).is_settled());
    /// ```
    pub fn is_settled(&self) -> bool {
        match &*self.inner {
            Inner::Settled(_) | Inner::Done => true,
            Inner::Shared { shared, .. } => shared.is_settled(),
        }
    }

    /// Cancels the work: aborts its task if it is still running, and settles the promise as
    /// [`PromiseError::Cancelled`] for every awaiter. Does nothing to a settled promise. A
    /// promise made by [`with_resolvers`](Self::with_resolvers) ignores a later `resolve`.
    ///
    /// ```
    /// # use promise_core::{Promise, PromiseError};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (promise, resolver) = Promise::<u8>::with_resolvers();
    /// promise.cancel();
    /// resolver.resolve(1);
    /// assert_eq!(promise.settled().await, Err(PromiseError::Cancelled));
    /// # }
    /// ```
    pub fn cancel(&self) {
        if let Inner::Shared { shared, task, .. } = &*self.inner {
            shared.cancel(task.as_ref());
        }
    }

    /// Waits for the promise to settle and yields its value or why it has none, instead of
    /// panicking as `.await` does.
    ///
    /// ```
    /// # use promise_core::{Promise, PromiseError};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let failed = Promise::resolve(()).then(|()| -> u8 { panic!("no luck") });
    /// assert_eq!(failed.settled().await, Err(PromiseError::Panicked("no luck".into())));
    /// # }
    /// ```
    pub fn settled(self) -> Settled<T> {
        Settled { promise: self }
    }

    /// Blocks the current thread until the promise settles, for code that is not async.
    ///
    /// # Panics
    ///
    /// As `.await` does, and also when called on a thread that drives async tasks (a tokio
    /// worker, or inside `block_on`), where blocking could deadlock: tokio's guard panics
    /// instead. Use `.await` there; `spawn_blocking` threads may wait.
    ///
    /// ```
    /// # use promise_core::Promise;
    /// let (promise, resolver) = Promise::with_resolvers();
    /// std::thread::spawn(move || resolver.resolve(5));
    /// assert_eq!(promise.wait(), 5);
    /// ```
    pub fn wait(self) -> T {
        block_on(self)
    }

    /// Runs `f` on the value when the promise is fulfilled, like JavaScript's `then`, and
    /// returns a promise of its result.
    ///
    /// `f` runs when the promise settles, on the thread that settles it, even if nobody awaits
    /// the returned promise; on a settled promise, at once, inside this call. If this promise
    /// fails, `f` does not run and the returned one fails the same way; if `f` panics, the
    /// returned promise is [`PromiseError::Panicked`].
    ///
    /// ```
    /// # use promise_core::Promise;
    /// let message = Promise::resolve(3).then(|n| format!("{n} apples"));
    /// assert_eq!(message.wait(), "3 apples");
    /// ```
    pub fn then<U, F>(self, f: F) -> Promise<U>
    where
        T: Send + 'static,
        U: Send + 'static,
        F: FnOnce(T) -> U + Send + 'static,
    {
        self.chain(move |outcome| {
            Promise::from_outcome(outcome.and_then(|value| guard(|| f(value))))
        })
    }

    /// Like [`then`](Self::then) for a callback that returns a future, which starts at once as
    /// a `#[promisify]` body does; the returned promise settles with its output (JavaScript
    /// flattens a promise returned from `then` the same way).
    ///
    /// ```
    /// # use promise_core::Promise;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let user = Promise::resolve(7).then_async(|id| async move {
    ///     tokio::task::yield_now().await;
    ///     format!("user {id}")
    /// });
    /// assert_eq!(user.await, "user 7");
    /// # }
    /// ```
    pub fn then_async<U, F, Fut>(self, f: F) -> Promise<U>
    where
        T: Send + 'static,
        U: Send + 'static,
        F: FnOnce(T) -> Fut + Send + 'static,
        Fut: Future<Output = U> + Send + 'static,
    {
        self.chain(
            move |outcome| match outcome.and_then(|value| guard(|| f(value))) {
                Ok(future) => start(future),
                Err(failure) => Promise::from_outcome(Err(failure)),
            },
        )
    }

    /// Runs `f` when the promise settles, whatever the outcome, like JavaScript's `finally`,
    /// and passes the outcome through unchanged (unless `f` panics).
    ///
    /// ```
    /// # use promise_core::Promise;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// static CLOSED: AtomicBool = AtomicBool::new(false);
    ///
    /// let value = Promise::resolve(1).finally(|| CLOSED.store(true, Ordering::SeqCst));
    /// assert!(CLOSED.load(Ordering::SeqCst));
    /// assert_eq!(value.wait(), 1);
    /// ```
    #[allow(
        clippy::return_self_not_must_use,
        reason = "`f` runs whether or not the result is used"
    )]
    pub fn finally<F>(self, f: F) -> Promise<T>
    where
        T: Send + 'static,
        F: FnOnce() + Send + 'static,
    {
        self.chain(move |outcome| match guard(f) {
            Ok(()) => Promise::from_outcome(outcome),
            Err(failure) => Promise::from_outcome(Err(failure)),
        })
    }

    /// The outcome now if the promise is settled, taken from this handle; else its shared
    /// state, with this handle's claim on the outcome.
    fn into_parts(mut self) -> Result<Outcome<T>, Arc<Shared<T>>> {
        match self.take_inner() {
            Inner::Settled(outcome) => Ok(outcome),
            // This handle's share of the outcome moves to the caller; its waker goes.
            Inner::Shared { shared, waker, .. } => shared.take_or_unregister(waker).ok_or(shared),
            Inner::Done => panic!("`Promise` used after it was awaited to the end"),
        }
    }

    /// What `then` and its kin share: the promise `g` returns, once this one settles.
    fn chain<U, G>(self, g: G) -> Promise<U>
    where
        T: Send + 'static,
        U: Send + 'static,
        G: FnOnce(Outcome<T>) -> Promise<U> + Send + 'static,
    {
        let shared = match self.into_parts() {
            Ok(outcome) => return g(outcome),
            Err(shared) => shared,
        };
        let derived = Shared::new();
        let target = Arc::clone(&derived);
        shared.when_settled(callback(move |outcome| g(outcome).forward_to(target)));
        Promise::from_shared(derived)
    }

    /// Settles `target` with this promise's outcome, now or when it comes.
    fn forward_to(self, target: Arc<Shared<T>>)
    where
        T: Send + 'static,
    {
        match self.into_parts() {
            Ok(outcome) => {
                target.settle(outcome);
            }
            Err(shared) => shared.when_settled(callback(move |outcome| {
                target.settle(outcome);
            })),
        }
    }

    #[inline]
    fn poll_outcome(&mut self, cx: &mut Context<'_>) -> Poll<Outcome<T>> {
        // A promise settled when made is the common case, and is a few instructions: kept
        // small enough to inline into the caller, the shared case out of line.
        if let Inner::Settled(_) = *self.inner {
            let Inner::Settled(outcome) = self.take_inner() else {
                unreachable!()
            };
            return Poll::Ready(outcome);
        }
        self.poll_shared(cx)
    }

    #[inline(never)]
    fn poll_shared(&mut self, cx: &mut Context<'_>) -> Poll<Outcome<T>> {
        let Inner::Shared { shared, waker, .. } = &mut *self.inner else {
            panic!("`Promise` polled after it completed")
        };
        let outcome = std::task::ready!(shared.poll_take(waker, cx));
        // The outcome is read: this handle no longer counts as a reader when dropped.
        if let Inner::Shared { shared, .. } = self.take_inner() {
            body::release(shared);
        }
        Poll::Ready(outcome)
    }
}

impl<T, E> Promise<Result<T, E>> {
    /// A promise already rejected with `error`, like `Promise.reject(error)`. Allocates
    /// nothing.
    ///
    /// ```
    /// # use promise_core::Promise;
    /// let promise = Promise::<Result<u8, _>>::reject("no");
    /// assert_eq!(promise.wait(), Err("no"));
    /// ```
    pub fn reject(error: E) -> Self {
        Promise::resolve(Err(error))
    }

    /// Runs `handler` on the error when the promise is rejected (resolves to `Err`), like
    /// JavaScript's `catch`; an `Ok` passes through and the handler does not run. The handler
    /// recovers with `Ok`, or fails again with an error of its own type.
    ///
    /// ```
    /// # use promise_core::Promise;
    /// let recovered = Promise::<Result<u8, _>>::reject("no").catch(|_| Ok::<u8, String>(0));
    /// assert_eq!(recovered.wait(), Ok(0));
    /// let untouched = Promise::resolve(Ok::<u8, &str>(5)).catch(|_| -> Result<u8, String> {
    ///     unreachable!()
    /// });
    /// assert_eq!(untouched.wait(), Ok(5));
    /// ```
    pub fn catch<F, H>(self, handler: H) -> Promise<Result<T, F>>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: Send + 'static,
        H: FnOnce(E) -> Result<T, F> + Send + 'static,
    {
        self.chain(move |outcome| {
            Promise::from_outcome(match outcome {
                Ok(Ok(value)) => Ok(Ok(value)),
                Ok(Err(error)) => guard(|| handler(error)),
                Err(failure) => Err(failure),
            })
        })
    }
}

// The value is never pinned: it is only ever moved out whole.
impl<T> Unpin for Promise<T> {}

impl<T> Future for Promise<T> {
    type Output = T;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match std::task::ready!(self.get_mut().poll_outcome(cx)) {
            Ok(value) => Poll::Ready(value),
            Err(failure) => failure.resume(),
        }
    }
}

impl<T> FusedFuture for Promise<T> {
    /// Whether the promise was awaited to the end: polling it again would panic.
    fn is_terminated(&self) -> bool {
        matches!(*self.inner, Inner::Done)
    }
}

impl<T: Clone> Clone for Promise<T> {
    fn clone(&self) -> Self {
        match &*self.inner {
            Inner::Settled(Ok(value)) => Promise::resolve(value.clone()),
            Inner::Settled(Err(failure)) => Promise::from_outcome(Err(failure.share())),
            Inner::Shared { shared, task, .. } => {
                shared.add_consumer(T::clone, task.as_ref());
                Promise::from_shared(Arc::clone(shared))
            }
            Inner::Done => panic!("`Promise` cloned after it was awaited to the end"),
        }
    }
}

impl<T> Drop for Promise<T> {
    /// A handle awaited to the end is the common case: a test, inlined.
    #[inline]
    fn drop(&mut self) {
        if !matches!(*self.inner, Inner::Done) {
            self.drop_unread();
        }
    }
}

impl<T> Promise<T> {
    /// The handle's state, leaving it `Done`.
    #[inline]
    fn take_inner(&mut self) -> Inner<T> {
        ManuallyDrop::into_inner(mem::replace(
            &mut self.inner,
            ManuallyDrop::new(Inner::Done),
        ))
    }

    /// Drops a handle that did not read the outcome, leaving it `Done`.
    #[inline(never)]
    fn drop_unread(&mut self) {
        if let Inner::Shared { shared, waker, .. } = self.take_inner() {
            shared.drop_consumer(waker);
        }
    }
}

impl<T> fmt::Debug for Promise<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &*self.inner {
            Inner::Settled(Ok(_)) => "fulfilled",
            Inner::Settled(Err(_)) => "failed",
            Inner::Shared { shared, .. } if shared.is_settled() => "settled",
            Inner::Shared { .. } => "pending",
            Inner::Done => "awaited",
        };
        f.debug_tuple("Promise")
            .field(&format_args!("{state}"))
            .finish()
    }
}

/// The future of [`Promise::settled`]: the value, or why there is none.
///
/// ```
/// # use promise_core::{Promise, PromiseError};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(Promise::resolve(1).settled().await, Ok(1));
/// # }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct Settled<T> {
    promise: Promise<T>,
}

impl<T> Settled<T> {
    /// Blocks the current thread until the promise settles, like [`Promise::wait`], and yields
    /// its value or why it has none.
    ///
    /// # Errors
    ///
    /// The [`PromiseError`] that says why the promise has no value.
    ///
    /// # Panics
    ///
    /// On a thread that drives async tasks, as [`Promise::wait`] does.
    ///
    /// ```
    /// # use promise_core::{Promise, PromiseError};
    /// let (promise, resolver) = Promise::<u8>::with_resolvers();
    /// std::thread::spawn(move || drop(resolver));
    /// assert_eq!(promise.settled().wait(), Err(PromiseError::Abandoned));
    /// ```
    pub fn wait(self) -> Result<T, PromiseError> {
        block_on(self)
    }
}

impl<T> Future for Settled<T> {
    type Output = Result<T, PromiseError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut()
            .promise
            .poll_outcome(cx)
            .map(|outcome| outcome.map_err(Failure::into_error))
    }
}

impl<T> FusedFuture for Settled<T> {
    fn is_terminated(&self) -> bool {
        self.promise.is_terminated()
    }
}

impl<T> Resolver<T> {
    /// Fulfils the promise with `value`. Ignored if the promise was cancelled.
    ///
    /// ```
    /// # use promise_core::Promise;
    /// let (promise, resolver) = Promise::with_resolvers();
    /// resolver.resolve('x');
    /// assert_eq!(promise.wait(), 'x');
    /// ```
    pub fn resolve(mut self, value: T) {
        if let Some(shared) = self.shared.take() {
            shared.settle(Ok(value));
        }
    }
}

impl<T, E> Resolver<Result<T, E>> {
    /// Rejects the promise with `error`: it resolves to `Err(error)`. Ignored if the promise
    /// was cancelled.
    ///
    /// ```
    /// # use promise_core::Promise;
    /// let (promise, resolver) = Promise::<Result<u8, &str>>::with_resolvers();
    /// resolver.reject("no");
    /// assert_eq!(promise.wait(), Err("no"));
    /// ```
    pub fn reject(self, error: E) {
        self.resolve(Err(error));
    }
}

impl<T> Drop for Resolver<T> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.settle(Err(Failure::new(PromiseError::Abandoned)));
        }
    }
}

impl<T> fmt::Debug for Resolver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver").finish_non_exhaustive()
    }
}
