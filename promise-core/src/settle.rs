use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::FusedFuture;
use pin_project_lite::pin_project;

use crate::maybe_done::{MaybeDone, MaybeDoneProj, arity, polled_after_completion};

macro_rules! impl_settle {
    ($(#[$attr:meta])* $name:ident $($T:ident $t:ident)+) => {
        pin_project! {
            $(#[$attr])*
            #[must_use = "`settle!(..)` does nothing unless you `.await` it or poll it: unlike `Promise.allSettled`, it is lazy"]
            pub struct $name<$($T: Future),+> {
                $(#[pin] $t: MaybeDone<$T, $T::Output>,)+
                remaining: u8,
            }
        }

        impl<$($T: Future),+> $name<$($T),+> {
            /// Waits for all the futures, keeping every output.
            pub const fn new($($t: $T),+) -> Self {
                $name {
                    $($t: MaybeDone::Future { future: $t },)+
                    remaining: arity([$(stringify!($t)),+]),
                }
            }
        }

        impl<$($T: Future),+> Future for $name<$($T),+> {
            type Output = ($($T::Output,)+);

            // Forced: as a call of its own, rustc leaves the arguments' polls out of line too.
            #[inline(always)]
            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                let mut this = self.project();
                // The count of unfinished arguments, kept in a register for this poll.
                let mut remaining = *this.remaining;
                if remaining == 0 {
                    polled_after_completion("settle!");
                }
                $(
                    if this.$t.is_future() {
                        if let MaybeDoneProj::Future { future } = this.$t.as_mut().project() {
                            if let Poll::Ready(value) = future.poll(cx) {
                                this.$t.set(MaybeDone::Done { value });
                                remaining -= 1;
                            }
                        }
                    }
                )+
                *this.remaining = remaining;
                if remaining != 0 {
                    return Poll::Pending;
                }
                Poll::Ready(($(this.$t.take(),)+))
            }
        }

        impl<$($T: Future),+> FusedFuture for $name<$($T),+>
        where
            Self: Future,
        {
            fn is_terminated(&self) -> bool {
                self.remaining == 0
            }
        }

        impl<$($T: Future),+> fmt::Debug for $name<$($T),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name))
                    $(.field(&self.$t.state()))+
                    .finish()
            }
        }
    };
}

impl_settle! {
    /// The future of `settle!` (JavaScript's `Promise.allSettled`): every argument's output,
    /// in argument order, once all have finished.
    ///
    /// A `Result` output is kept as it is: it *is* the settled state. Each poll polls the
    /// arguments that have not finished yet, left to right; a finished one is never polled
    /// again. `Settle1` to `Settle16` are the same for other numbers of arguments.
    ///
    /// ```
    /// use core::future::ready;
    /// use promise_core::Settle3;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let all = Settle3::new(ready(Ok::<u8, &str>(1)), ready(Err::<u8, &str>("no")), ready('c')).await;
    /// assert_eq!(all, (Ok(1), Err("no"), 'c'));
    /// # });
    /// ```
    Settle3 A a B b C c
}
impl_settle! { #[doc(hidden)] Settle1 A a }
impl_settle! { #[doc(hidden)] Settle2 A a B b }
impl_settle! { #[doc(hidden)] Settle4 A a B b C c D d }
impl_settle! { #[doc(hidden)] Settle5 A a B b C c D d E e }
impl_settle! { #[doc(hidden)] Settle6 A a B b C c D d E e F f }
impl_settle! { #[doc(hidden)] Settle7 A a B b C c D d E e F f G g }
impl_settle! { #[doc(hidden)] Settle8 A a B b C c D d E e F f G g H h }
impl_settle! { #[doc(hidden)] Settle9 A a B b C c D d E e F f G g H h I i }
impl_settle! { #[doc(hidden)] Settle10 A a B b C c D d E e F f G g H h I i J j }
impl_settle! { #[doc(hidden)] Settle11 A a B b C c D d E e F f G g H h I i J j K k }
impl_settle! { #[doc(hidden)] Settle12 A a B b C c D d E e F f G g H h I i J j K k L l }
impl_settle! { #[doc(hidden)] Settle13 A a B b C c D d E e F f G g H h I i J j K k L l M m }
impl_settle! { #[doc(hidden)] Settle14 A a B b C c D d E e F f G g H h I i J j K k L l M m N n }
impl_settle! { #[doc(hidden)] Settle15 A a B b C c D d E e F f G g H h I i J j K k L l M m N n O o }
impl_settle! { #[doc(hidden)] Settle16 A a B b C c D d E e F f G g H h I i J j K k L l M m N n O o P p }
