use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::maybe_done::{State, polled_after_completion};

macro_rules! impl_race {
    ($(#[$attr:meta])* $name:ident $First:ident $first:ident $($T:ident $t:ident)*) => {
        pin_project! {
            $(#[$attr])*
            #[must_use = "futures do nothing unless you `.await` or poll them"]
            pub struct $name<$First, $($T),*> {
                #[pin]
                $first: Option<$First>,
                $(#[pin] $t: Option<$T>,)*
            }
        }

        impl<$First, $($T),*> $name<$First, $($T),*> {
            /// Races the futures, the first one taking priority when several finish at once.
            pub const fn new($first: $First, $($t: $T),*) -> Self {
                $name { $first: Some($first), $($t: Some($t)),* }
            }
        }

        impl<$First, $($T),*> Future for $name<$First, $($T),*>
        where
            $First: Future,
            $($T: Future<Output = $First::Output>,)*
        {
            type Output = $First::Output;

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                let mut this = self.project();
                // Every slot is `Some` until one finishes, and then all become `None` together.
                let Some(future) = this.$first.as_mut().as_pin_mut() else {
                    polled_after_completion("race!")
                };
                let output = 'won: {
                    if let Poll::Ready(output) = future.poll(cx) {
                        break 'won output;
                    }
                    $(
                        if let Some(future) = this.$t.as_mut().as_pin_mut() {
                            if let Poll::Ready(output) = future.poll(cx) {
                                break 'won output;
                            }
                        }
                    )*
                    return Poll::Pending;
                };
                this.$first.set(None);
                $(this.$t.set(None);)*
                Poll::Ready(output)
            }
        }

        impl<$First, $($T),*> fmt::Debug for $name<$First, $($T),*> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name))
                    .field(&State::of_option(self.$first.as_ref()))
                    $(.field(&State::of_option(self.$t.as_ref())))*
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
    Race3 A a B b C c
}
impl_race! { #[doc(hidden)] Race1 A a }
impl_race! { #[doc(hidden)] Race2 A a B b }
impl_race! { #[doc(hidden)] Race4 A a B b C c D d }
impl_race! { #[doc(hidden)] Race5 A a B b C c D d E e }
impl_race! { #[doc(hidden)] Race6 A a B b C c D d E e F f }
impl_race! { #[doc(hidden)] Race7 A a B b C c D d E e F f G g }
impl_race! { #[doc(hidden)] Race8 A a B b C c D d E e F f G g H h }
impl_race! { #[doc(hidden)] Race9 A a B b C c D d E e F f G g H h I i }
impl_race! { #[doc(hidden)] Race10 A a B b C c D d E e F f G g H h I i J j }
impl_race! { #[doc(hidden)] Race11 A a B b C c D d E e F f G g H h I i J j K k }
impl_race! { #[doc(hidden)] Race12 A a B b C c D d E e F f G g H h I i J j K k L l }
impl_race! { #[doc(hidden)] Race13 A a B b C c D d E e F f G g H h I i J j K k L l M m }
impl_race! { #[doc(hidden)] Race14 A a B b C c D d E e F f G g H h I i J j K k L l M m N n }
impl_race! { #[doc(hidden)] Race15 A a B b C c D d E e F f G g H h I i J j K k L l M m N n O o }
impl_race! { #[doc(hidden)] Race16 A a B b C c D d E e F f G g H h I i J j K k L l M m N n O o P p }
