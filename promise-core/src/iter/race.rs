use core::fmt;
use core::future::{Future, IntoFuture};
use core::ops::ControlFlow;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::FusedFuture;

use super::slots::Slots;

/// Waits for the first future of `iter` to finish, like JavaScript's `Promise.race(iterable)`,
/// and yields its output, `Ok` or `Err` alike.
///
/// The iterator is drained now; the futures start when the returned future is first polled.
/// The moment one finishes, every other one is dropped, inside that poll; when several finish
/// in one poll, the one that came first in `iter` wins.
///
/// # Panics
///
/// When `iter` is empty: `Promise.race([])` never settles, and a future that silently never
/// finishes is worse than a panic that says why.
///
/// ```
/// use std::time::Duration;
/// use promise_core::iter::race;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let replicas = [30, 10, 20].map(|ms| async move {
///     tokio::time::sleep(Duration::from_millis(ms)).await;
///     ms
/// });
/// assert_eq!(race(replicas).await, 10);
/// # }
/// ```
pub fn race<I>(iter: I) -> Race<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator<Item: IntoFuture>,
{
    let race = Race::spread(iter);
    assert!(
        race.slots.len() > 0,
        "`race` of no futures would never finish, like `Promise.race([])`: pass at least one"
    );
    race
}

/// The future of [`race`].
#[must_use = "`race(..)` does nothing unless you `.await` it or poll it: unlike `Promise.race`, it is lazy"]
pub struct Race<F: Future> {
    slots: Slots<F, ()>,
}

impl<F: Future> Race<F> {
    /// A race that may be empty, then pending for ever: a spread in `race!`, which has other
    /// arguments to finish it.
    pub(crate) fn spread<I>(iter: I) -> Self
    where
        I: IntoIterator<Item: IntoFuture<IntoFuture = F>>,
    {
        Race {
            slots: Slots::new(iter),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.slots.len() == 0
    }
}

impl<F: Future> Future for Race<F> {
    type Output = F::Output;

    #[expect(
        clippy::inline_always,
        reason = "measured: inlined where it is polled, every race cell costs 9 instructions less"
    )]
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let slots = &mut self.get_mut().slots;
        match core::task::ready!(
            slots.poll_until_stop(cx, "race", |_, output| ControlFlow::Break(output))
        ) {
            Some(output) => Poll::Ready(output),
            // Every future finished without a winner: there were none, an empty spread, which
            // the other arguments of `race!` finish.
            None => Poll::Pending,
        }
    }
}

impl<F: Future> FusedFuture for Race<F> {
    fn is_terminated(&self) -> bool {
        self.slots.is_terminated()
    }
}

impl<F: Future> fmt::Debug for Race<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.slots.fmt("Race", f)
    }
}
