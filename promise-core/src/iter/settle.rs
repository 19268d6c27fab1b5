use alloc::vec::Vec;
use core::fmt;
use core::future::{Future, IntoFuture};
use core::ops::ControlFlow;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::FusedFuture;

use super::slots::Slots;

/// Waits for every future of `iter` to finish, like JavaScript's
/// `Promise.allSettled(iterable)`, and yields all their outputs in iteration order.
///
/// The iterator is drained now; the futures start when the returned future is first polled.
/// Nothing short-circuits: a `Result` output is kept as it is, since it *is* the settled
/// state. An empty `iter` gives `vec![]` at once. [`Settle::limit`] caps how many run at once.
/// As with [`join_all`](crate::iter::join_all()), the `Vec` may reuse the futures' storage,
/// with up to four times more capacity than length (and the room kept for wakers).
///
/// ```
/// use promise_core::iter::settle;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let parsed = settle(["1", "x", "3"].map(|s| async move { s.parse::<u8>() })).await;
/// assert_eq!(parsed.iter().filter(|r| r.is_ok()).count(), 2);
/// # });
/// ```
pub fn settle<I>(iter: I) -> Settle<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator<Item: IntoFuture>,
{
    Settle {
        slots: Slots::new(iter),
    }
}

/// The future of [`settle`].
#[must_use = "`settle(..)` does nothing unless you `.await` it or poll it: unlike `Promise.allSettled`, it is lazy"]
pub struct Settle<F: Future> {
    slots: Slots<F, F::Output>,
}

impl<F: Future> Settle<F> {
    /// Runs at most `n` of the futures at once: the first `n` start when polled, and each one
    /// that finishes starts the next, in iteration order. Outputs stay in iteration order.
    ///
    /// # Panics
    ///
    /// When `n` is 0, which would never start anything, or once the future has been polled.
    ///
    /// ```
    /// use promise_core::iter::settle;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let all = settle((0..10).map(|i| async move { i })).limit(2).await;
    /// assert_eq!(all, (0..10).collect::<Vec<_>>());
    /// # });
    /// ```
    pub fn limit(mut self, n: usize) -> Self {
        self.slots.set_limit(n, "settle");
        self
    }
}

impl<F: Future> Future for Settle<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let slots = &mut self.get_mut().slots;
        let never = core::task::ready!(slots.poll_each::<true, _>(cx, "settle", |_, output| {
            ControlFlow::<core::convert::Infallible, _>::Continue(output)
        }));
        match never {
            Some(never) => match never {},
            None => Poll::Ready(slots.take_all()),
        }
    }
}

impl<F: Future> FusedFuture for Settle<F> {
    fn is_terminated(&self) -> bool {
        self.slots.is_terminated()
    }
}

impl<F: Future> fmt::Debug for Settle<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.slots.fmt("Settle", f)
    }
}
