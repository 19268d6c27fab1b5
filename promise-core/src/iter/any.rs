use alloc::vec::Vec;
use core::fmt;
use core::future::{Future, IntoFuture};
use core::ops::ControlFlow;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::FusedFuture;

use super::slots::Slots;
use crate::AggregateError;
use crate::try_future::TryFuture;

/// Waits for the first future of `iter` to succeed, like JavaScript's `Promise.any(iterable)`:
/// the first `Ok` in completion order, or, when every future failed, all their errors in
/// iteration order.
///
/// The iterator is drained now; the futures start when the returned future is first polled.
/// The first `Ok` drops every other future inside the poll that sees it; when several succeed
/// in one poll, the one that came first in `iter` wins. An empty `iter` fails at once with no
/// errors, as `Promise.any([])` rejects.
///
/// ```
/// use promise_core::iter::any;
///
/// async fn mirror(up: bool, name: &str) -> Result<String, String> {
///     if up { Ok(name.to_owned()) } else { Err(format!("{name} is down")) }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let first = any([mirror(false, "eu"), mirror(true, "us")]).await;
/// assert_eq!(first, Ok("us".to_owned()));
///
/// let none = any([mirror(false, "eu"), mirror(false, "us")]).await.unwrap_err();
/// assert_eq!(none.errors(), ["eu is down", "us is down"]);
/// # });
/// ```
pub fn any<I>(iter: I) -> Any<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator<Item: IntoFuture<IntoFuture: TryFuture>>,
{
    Any {
        slots: Slots::new(iter),
    }
}

/// The future of [`any`].
#[must_use = "`any(..)` does nothing unless you `.await` it or poll it: unlike `Promise.any`, it is lazy"]
pub struct Any<F: TryFuture> {
    slots: Slots<F, F::Error>,
}

impl<F: TryFuture> Future for Any<F> {
    type Output = Result<F::Ok, AggregateError<Vec<F::Error>>>;

    #[expect(
        clippy::inline_always,
        reason = "measured: inlined where it is polled, its sweep costs less"
    )]
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let slots = &mut self.get_mut().slots;
        let won = core::task::ready!(slots.poll_until_stop(cx, "any", |_, output| match output {
            Ok(value) => ControlFlow::Break(value),
            Err(error) => ControlFlow::Continue(error),
        }));
        Poll::Ready(match won {
            Some(value) => Ok(value),
            None => Err(AggregateError::new(slots.take_all())),
        })
    }
}

impl<F: TryFuture> FusedFuture for Any<F> {
    fn is_terminated(&self) -> bool {
        self.slots.is_terminated()
    }
}

impl<F: TryFuture> fmt::Debug for Any<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.slots.fmt("Any", f)
    }
}
