use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::FusedFuture;
use pin_project_lite::pin_project;

use crate::AggregateError;
use crate::maybe_done::{MaybeDone, MaybeDoneProj, State, arity, polled_after_completion};
use crate::try_future::TryFuture;

macro_rules! impl_any {
    ($(#[$attr:meta])* $name:ident $($T:ident $t:ident)+) => {
        pin_project! {
            $(#[$attr])*
            #[must_use = "`any!(..)` does nothing unless you `.await` it or poll it: unlike `Promise.any`, it is lazy"]
            pub struct $name<$($T: TryFuture),+> {
                $(#[pin] $t: MaybeDone<$T, $T::Error>,)+
                remaining: u8,
            }
        }

        impl<$($T: TryFuture),+> $name<$($T),+> {
            /// Waits for the first future to succeed, or for all to fail.
            pub const fn new($($t: $T),+) -> Self {
                $name {
                    $($t: MaybeDone::Future { future: $t },)+
                    remaining: arity([$(stringify!($t)),+]),
                }
            }
        }

        impl<Ok, Error, $($T: TryFuture<Ok = Ok, Error = Error>),+> Future for $name<$($T),+> {
            type Output = Result<Ok, AggregateError<[Error; { [$(stringify!($t)),+].len() }]>>;

            // Forced: as a call of its own, rustc leaves the arguments' polls out of line too.
            #[inline(always)]
            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                let mut this = self.project();
                // The count of unfinished arguments, kept in a register for this poll.
                let mut remaining = *this.remaining;
                if remaining == 0 {
                    polled_after_completion("any!");
                }
                let value = 'won: {
                    $(
                        if this.$t.is_future() {
                            if let MaybeDoneProj::Future { future } = this.$t.as_mut().project() {
                                match future.poll(cx) {
                                    Poll::Ready(Ok(value)) => break 'won value,
                                    Poll::Ready(Err(value)) => {
                                        this.$t.set(MaybeDone::Done { value });
                                        remaining -= 1;
                                    }
                                    Poll::Pending => {}
                                }
                            }
                        }
                    )+
                    *this.remaining = remaining;
                    if remaining != 0 {
                        return Poll::Pending;
                    }
                    return Poll::Ready(Err(AggregateError::new([$(this.$t.take()),+])));
                };
                *this.remaining = 0;
                // Cancels the other arguments now. A slot whose type has no drop glue has nothing
                // to drop, so it is left as it is: `remaining` already says the race is over.
                $(
                    if core::mem::needs_drop::<MaybeDone<$T, $T::Error>>() {
                        this.$t.set(MaybeDone::Gone);
                    }
                )+
                Poll::Ready(Ok(value))
            }
        }

        impl<$($T: TryFuture),+> FusedFuture for $name<$($T),+>
        where
            Self: Future,
        {
            fn is_terminated(&self) -> bool {
                self.remaining == 0
            }
        }

        impl<$($T: TryFuture),+> fmt::Debug for $name<$($T),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let over = self.remaining == 0;
                f.debug_tuple(stringify!($name))
                    $(.field(&if over { State("gone") } else { self.$t.state() }))+
                    .finish()
            }
        }
    };
}

impl_any! {
    /// The future of `any!` (JavaScript's `Promise.any`): the first `Ok` in completion order,
    /// or, when every argument failed, all their errors in argument order.
    ///
    /// The first `Ok` drops every other argument inside the poll that sees it. Each poll polls
    /// the arguments that have not finished yet, left to right, so when several succeed in
    /// the same poll the leftmost wins; a failed one is never polled again. `Any1` to `Any16`
    /// are the same for other numbers of arguments.
    ///
    /// ```
    /// use core::future::ready;
    /// use promise_core::{AggregateError, Any3};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let first = Any3::new(ready(Err::<u8, &str>("a")), ready(Ok(2)), ready(Ok(3))).await;
    /// assert_eq!(first, Ok(2));
    ///
    /// let none = Any3::new(ready(Err::<u8, _>("a")), ready(Err("b")), ready(Err("c"))).await;
    /// assert_eq!(none, Err(AggregateError::new(["a", "b", "c"])));
    /// # });
    /// ```
    Any3 A a B b C c
}
impl_any! { #[doc(hidden)] Any1 A a }
impl_any! { #[doc(hidden)] Any2 A a B b }
impl_any! { #[doc(hidden)] Any4 A a B b C c D d }
impl_any! { #[doc(hidden)] Any5 A a B b C c D d E e }
impl_any! { #[doc(hidden)] Any6 A a B b C c D d E e F f }
impl_any! { #[doc(hidden)] Any7 A a B b C c D d E e F f G g }
impl_any! { #[doc(hidden)] Any8 A a B b C c D d E e F f G g H h }
impl_any! { #[doc(hidden)] Any9 A a B b C c D d E e F f G g H h I i }
impl_any! { #[doc(hidden)] Any10 A a B b C c D d E e F f G g H h I i J j }
impl_any! { #[doc(hidden)] Any11 A a B b C c D d E e F f G g H h I i J j K k }
impl_any! { #[doc(hidden)] Any12 A a B b C c D d E e F f G g H h I i J j K k L l }
impl_any! { #[doc(hidden)] Any13 A a B b C c D d E e F f G g H h I i J j K k L l M m }
impl_any! { #[doc(hidden)] Any14 A a B b C c D d E e F f G g H h I i J j K k L l M m N n }
impl_any! { #[doc(hidden)] Any15 A a B b C c D d E e F f G g H h I i J j K k L l M m N n O o }
impl_any! { #[doc(hidden)] Any16 A a B b C c D d E e F f G g H h I i J j K k L l M m N n O o P p }
