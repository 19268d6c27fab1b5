use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::FusedFuture;
use pin_project_lite::pin_project;

use crate::maybe_done::{MaybeDone, MaybeDoneProj, State, arity, polled_after_completion};
use crate::try_future::TryFuture;

macro_rules! impl_join_all {
    ($(#[$attr:meta])* $name:ident $($T:ident $t:ident)+) => {
        pin_project! {
            $(#[$attr])*
            #[must_use = "`join_all!(..)` does nothing unless you `.await` it or poll it: unlike `Promise.all`, it is lazy"]
            pub struct $name<$($T: TryFuture),+> {
                $(#[pin] $t: MaybeDone<$T, $T::Ok>,)+
                remaining: u8,
            }
        }

        impl<$($T: TryFuture),+> $name<$($T),+> {
            /// Waits for all the futures to succeed, or for the first to fail.
            pub const fn new($($t: $T),+) -> Self {
                $name {
                    $($t: MaybeDone::Future { future: $t },)+
                    remaining: arity([$(stringify!($t)),+]),
                }
            }
        }

        impl<Error, $($T: TryFuture<Error = Error>),+> Future for $name<$($T),+> {
            type Output = Result<($($T::Ok,)+), Error>;

            // Forced: as a call of its own, rustc leaves the arguments' polls out of line too.
            #[inline(always)]
            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                let mut this = self.project();
                // The count of unfinished arguments, kept in a register for this poll.
                let mut remaining = *this.remaining;
                if remaining == 0 {
                    polled_after_completion("join_all!");
                }
                let error = 'failed: {
                    $(
                        if this.$t.is_future() {
                            if let MaybeDoneProj::Future { future } = this.$t.as_mut().project() {
                                match future.poll(cx) {
                                    Poll::Ready(Ok(value)) => {
                                        this.$t.set(MaybeDone::Done { value });
                                        remaining -= 1;
                                    }
                                    Poll::Ready(Err(error)) => break 'failed error,
                                    Poll::Pending => {}
                                }
                            }
                        }
                    )+
                    *this.remaining = remaining;
                    if remaining != 0 {
                        return Poll::Pending;
                    }
                    return Poll::Ready(Ok(($(this.$t.take(),)+)));
                };
                *this.remaining = 0;
                // Cancels the other arguments now. A slot whose type has no drop glue has nothing
                // to drop, so it is left as it is: `remaining` already says the race is over.
                $(
                    if core::mem::needs_drop::<MaybeDone<$T, $T::Ok>>() {
                        this.$t.set(MaybeDone::Gone);
                    }
                )+
                Poll::Ready(Err(error))
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

impl_join_all! {
    /// The future of `join_all!` (JavaScript's `Promise.all`): every argument's `Ok` value, in
    /// argument order, or the first `Err` in completion order.
    ///
    /// The first `Err` drops every other argument inside the poll that sees it. Each poll
    /// polls the arguments that have not finished yet, left to right; a finished one is never
    /// polled again. `JoinAll1` to `JoinAll16` are the same for other numbers of arguments.
    ///
    /// ```
    /// use core::future::{pending, ready};
    /// use promise_core::JoinAll3;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let all = JoinAll3::new(ready(Ok::<u8, &str>(1)), ready(Ok(2)), ready(Ok(3))).await;
    /// assert_eq!(all, Ok((1, 2, 3)));
    ///
    /// let failed = JoinAll3::new(ready(Ok::<u8, &str>(1)), ready(Err::<u8, _>("no")), pending::<Result<u8, _>>()).await;
    /// assert_eq!(failed, Err("no"));
    /// # });
    /// ```
    JoinAll3 A a B b C c
}
impl_join_all! { #[doc(hidden)] JoinAll1 A a }
impl_join_all! { #[doc(hidden)] JoinAll2 A a B b }
impl_join_all! { #[doc(hidden)] JoinAll4 A a B b C c D d }
impl_join_all! { #[doc(hidden)] JoinAll5 A a B b C c D d E e }
impl_join_all! { #[doc(hidden)] JoinAll6 A a B b C c D d E e F f }
impl_join_all! { #[doc(hidden)] JoinAll7 A a B b C c D d E e F f G g }
impl_join_all! { #[doc(hidden)] JoinAll8 A a B b C c D d E e F f G g H h }
impl_join_all! { #[doc(hidden)] JoinAll9 A a B b C c D d E e F f G g H h I i }
impl_join_all! { #[doc(hidden)] JoinAll10 A a B b C c D d E e F f G g H h I i J j }
impl_join_all! { #[doc(hidden)] JoinAll11 A a B b C c D d E e F f G g H h I i J j K k }
impl_join_all! { #[doc(hidden)] JoinAll12 A a B b C c D d E e F f G g H h I i J j K k L l }
impl_join_all! { #[doc(hidden)] JoinAll13 A a B b C c D d E e F f G g H h I i J j K k L l M m }
impl_join_all! { #[doc(hidden)] JoinAll14 A a B b C c D d E e F f G g H h I i J j K k L l M m N n }
impl_join_all! { #[doc(hidden)] JoinAll15 A a B b C c D d E e F f G g H h I i J j K k L l M m N n O o }
impl_join_all! { #[doc(hidden)] JoinAll16 A a B b C c D d E e F f G g H h I i J j K k L l M m N n O o P p }
