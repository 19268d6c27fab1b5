use alloc::vec::Vec;
use core::fmt;
use core::future::{Future, IntoFuture};
use core::ops::ControlFlow;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::FusedFuture;

use super::slots::Slots;
use crate::try_future::TryFuture;

/// Waits for every future of `iter` to succeed, like JavaScript's
/// `Promise.all(iterable)`: `Ok` with every value in iteration order, or the first `Err` in
/// completion order.
///
/// The iterator is drained now; the futures start when the returned future is first polled.
/// The first `Err` drops every other future inside the poll that sees it. An empty `iter`
/// gives `Ok(vec![])` at once. [`JoinAll::limit`] caps how many run at once. The values are
/// written over the futures' storage when they fit it (see [the module](crate::iter)): the
/// `Vec` may then have up to four times more capacity than length (and, above 32 futures, the
/// room kept for their wakers, about a word each), which [`Vec::shrink_to_fit`] gives back if
/// you keep it.
///
/// ```
/// use promise_core::iter::join_all;
///
/// async fn size(path: &str) -> Result<usize, String> {
///     if path.is_empty() { Err("empty path".into()) } else { Ok(path.len()) }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let paths = ["a", "bb", "ccc"];
/// assert_eq!(join_all(paths.map(size)).await, Ok(vec![1, 2, 3]));
/// assert_eq!(join_all(["a", ""].map(size)).await, Err("empty path".to_owned()));
/// # });
/// ```
pub fn join_all<I>(iter: I) -> JoinAll<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator<Item: IntoFuture<IntoFuture: TryFuture>>,
{
    JoinAll {
        slots: Slots::new(iter),
    }
}

/// The future of [`join_all`].
#[must_use = "`join_all(..)` does nothing unless you `.await` it or poll it: unlike `Promise.all`, it is lazy"]
pub struct JoinAll<F: TryFuture> {
    slots: Slots<F, F::Ok>,
}

impl<F: TryFuture> JoinAll<F> {
    /// Runs at most `n` of the futures at once (p-map's `concurrency`): the first `n` start
    /// when polled, and each one that finishes starts the next, in iteration order. Outputs
    /// stay in iteration order, and the first `Err` still ends it.
    ///
    /// # Panics
    ///
    /// When `n` is 0, which would never start anything, or once the future has been polled.
    ///
    /// ```
    /// use promise_core::iter::join_all;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let squares = join_all((1..=100).map(|i| async move { Ok::<_, ()>(i * i) })).limit(8);
    /// assert_eq!(squares.await.unwrap()[9], 100);
    /// # });
    /// ```
    pub fn limit(mut self, n: usize) -> Self {
        self.slots.set_limit(n, "join_all");
        self
    }
}

impl<F: TryFuture> Future for JoinAll<F> {
    type Output = Result<Vec<F::Ok>, F::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let slots = &mut self.get_mut().slots;
        let failed = core::task::ready!(slots.poll_each::<true, _>(cx, "join_all", |_, output| {
            match output {
                Ok(value) => ControlFlow::Continue(value),
                Err(error) => ControlFlow::Break(error),
            }
        }));
        Poll::Ready(match failed {
            Some(error) => Err(error),
            None => Ok(slots.take_all()),
        })
    }
}

impl<F: TryFuture> FusedFuture for JoinAll<F> {
    fn is_terminated(&self) -> bool {
        self.slots.is_terminated()
    }
}

impl<F: TryFuture> fmt::Debug for JoinAll<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.slots.fmt("JoinAll", f)
    }
}
