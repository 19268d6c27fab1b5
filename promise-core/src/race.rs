use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::FusedFuture;
use pin_project_lite::pin_project;

use crate::maybe_done::{State, polled_after_completion};

macro_rules! impl_race {
    ($(#[$attr:meta])* $name:ident $m:ident $($T:ident $t:ident)+) => {
        pin_project! {
            $(#[$attr])*
            #[must_use = "`race!(..)` does nothing unless you `.await` it or poll it: unlike `Promise.race`, it is lazy"]
            pub struct $name<$($T),+> {
                #[pin]
                state: $m::Slots<$($T),+>,
            }
        }

        mod $m {
            use pin_project_lite::pin_project;

            pin_project! {
                /// Every argument, until one wins; then nothing. One discriminant for all: each
                /// poll checks it once, and the winner drops the losers in one replace.
                #[project = RaceProj]
                #[project_replace = RaceReplace]
                pub(crate) enum Slots<$($T),+> {
                    Running { $(#[pin] $t: $T,)+ },
                    Done,
                }
            }
        }

        impl<$($T),+> $name<$($T),+> {
            /// Races the futures, the first one taking priority when several finish at once.
            pub const fn new($($t: $T),+) -> Self {
                $name { state: $m::Slots::Running { $($t),+ } }
            }
        }

        impl<Output, $($T: Future<Output = Output>),+> Future for $name<$($T),+> {
            type Output = Output;

            // Forced: as a call of its own, rustc leaves the arguments' polls out of line too.
            #[inline(always)]
            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Output> {
                let mut state = self.project().state;
                let $m::RaceProj::Running { $($t),+ } = state.as_mut().project() else {
                    polled_after_completion("race!")
                };
                let output = 'won: {
                    $(
                        if let Poll::Ready(output) = $t.poll(cx) {
                            break 'won output;
                        }
                    )+
                    return Poll::Pending;
                };
                state.project_replace($m::Slots::Done);
                Poll::Ready(output)
            }
        }

        impl<$($T),+> FusedFuture for $name<$($T),+>
        where
            Self: Future,
        {
            fn is_terminated(&self) -> bool {
                matches!(self.state, $m::Slots::Done)
            }
        }

        impl<$($T),+> fmt::Debug for $name<$($T),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let state = State(match self.state {
                    $m::Slots::Running { .. } => "pending",
                    $m::Slots::Done => "gone",
                });
                f.debug_tuple(stringify!($name))
                    $(.field(&{ let $t = state; $t }))+
                    .finish()
            }
        }
    };
}

impl_race! {
    /// The future of `race!` (JavaScript's `Promise.race`): the output of whichever argument
    /// finishes first, `Ok` or `Err` alike.
    ///
    /// Each poll polls the arguments left to right, so when several are ready in the same
    /// poll the leftmost wins. The moment one finishes, all the others are dropped, inside
    /// that poll. `Race1` to `Race16` are the same for other numbers of arguments; the macro
    /// picks the right one.
    ///
    /// ```
    /// use core::future::{pending, ready};
    /// use promise_core::Race3;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let winner = Race3::new(pending::<&str>(), ready("b"), ready("c")).await;
    /// assert_eq!(winner, "b");
    /// # });
    /// ```
    Race3 race3 A a B b C c
}
impl_race! { #[doc(hidden)] Race1 race1 A a }
impl_race! { #[doc(hidden)] Race2 race2 A a B b }
impl_race! { #[doc(hidden)] Race4 race4 A a B b C c D d }
impl_race! { #[doc(hidden)] Race5 race5 A a B b C c D d E e }
impl_race! { #[doc(hidden)] Race6 race6 A a B b C c D d E e F f }
impl_race! { #[doc(hidden)] Race7 race7 A a B b C c D d E e F f G g }
impl_race! { #[doc(hidden)] Race8 race8 A a B b C c D d E e F f G g H h }
impl_race! { #[doc(hidden)] Race9 race9 A a B b C c D d E e F f G g H h I i }
impl_race! { #[doc(hidden)] Race10 race10 A a B b C c D d E e F f G g H h I i J j }
impl_race! { #[doc(hidden)] Race11 race11 A a B b C c D d E e F f G g H h I i J j K k }
impl_race! { #[doc(hidden)] Race12 race12 A a B b C c D d E e F f G g H h I i J j K k L l }
impl_race! { #[doc(hidden)] Race13 race13 A a B b C c D d E e F f G g H h I i J j K k L l M m }
impl_race! { #[doc(hidden)] Race14 race14 A a B b C c D d E e F f G g H h I i J j K k L l M m N n }
impl_race! { #[doc(hidden)] Race15 race15 A a B b C c D d E e F f G g H h I i J j K k L l M m N n O o }
impl_race! { #[doc(hidden)] Race16 race16 A a B b C c D d E e F f G g H h I i J j K k L l M m N n O o P p }
