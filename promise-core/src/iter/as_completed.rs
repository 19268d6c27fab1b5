use core::fmt;
use core::future::{Future, IntoFuture};
use core::ops::ControlFlow;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

use super::slots::Slots;

/// The outputs of the futures of `iter` as they come, like Python's `asyncio.as_completed`:
/// a [`Stream`] of `(index, output)` in completion order, `index` being the future's place in
/// `iter`.
///
/// The iterator is drained now; the futures start when the stream is first polled. When
/// several finish in one poll, the one that came first in `iter` comes first. The stream ends
/// after the last output; dropping it drops every future still running.
///
/// ```
/// use std::time::Duration;
/// use futures::StreamExt;
/// use promise_core::iter::as_completed;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let jobs = [30, 10, 20].map(|ms| async move {
///     tokio::time::sleep(Duration::from_millis(ms)).await;
///     ms
/// });
/// let order: Vec<_> = as_completed(jobs).collect().await;
/// assert_eq!(order, [(1, 10), (2, 20), (0, 30)]);
/// # }
/// ```
pub fn as_completed<I>(iter: I) -> AsCompleted<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator<Item: IntoFuture>,
{
    AsCompleted {
        slots: Slots::waking_early(iter),
    }
}

/// The stream of [`as_completed`].
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<F: Future> {
    slots: Slots<F, ()>,
}

impl<F: Future> Stream for AsCompleted<F> {
    type Item = (usize, F::Output);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let slots = &mut self.get_mut().slots;
        if slots.is_terminated() {
            return Poll::Ready(None);
        }
        let next = core::task::ready!(slots.poll_each::<false, _>(
            cx,
            "as_completed",
            |i, output| { ControlFlow::Break((i, output)) }
        ));
        if next.is_none() {
            slots.terminate();
        }
        Poll::Ready(next)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self.slots.remaining();
        (remaining, Some(remaining))
    }
}

impl<F: Future> FusedStream for AsCompleted<F> {
    fn is_terminated(&self) -> bool {
        self.slots.is_terminated()
    }
}

impl<F: Future> fmt::Debug for AsCompleted<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.slots.fmt("AsCompleted", f)
    }
}
