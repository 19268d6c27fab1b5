//! What the macros of `promisify` expand to. Not a public API: names and signatures change
//! without notice.
//!
//! Each argument goes through the checks below, each reported at the user's token in words
//! that say how to fix it, and once.

#![allow(
    clippy::inline_always,
    clippy::must_use_candidate,
    reason = "type-checking glue that must vanish from every build, debug ones included"
)]

use core::future::{Future, IntoFuture, Pending, Ready, pending, ready};
use core::marker::PhantomData;

pub use crate::TryFuture;
pub use crate::combinators::*;
#[cfg(feature = "alloc")]
pub use crate::iter::spread::*;

// Every argument goes through up to three stages, each a check and a conversion (see
// `combinator.rs` in `promise-macros` for the expansion):
//
// 1. Is it a future? (`checks::<Macro>Argument`, then `ArgumentKind`.)
// 2. For `join_all!` and `any!`: does it resolve to a `Result`? (`checks::<Macro>Result`, then
//    `ResultKind`.)
// 3. For the later arguments of `join_all!`, `race!` and `any!`: does it agree with the first?
//    (`checks::<Macro>Same..`, then `SameKind` or `SameErrorKind`.)
//
// The check is a call of a trait's own method by path, `Trait::check(..)`, whose `Self` is the
// type checked: rustc then reports the trait's `on_unimplemented` message at the user's token and
// nothing else, with no "required by a bound in" note that would show this file. The conversion
// then picks, by autoref specialization, the argument itself when the check holds and a
// well-typed placeholder when it does not, so the combinator's own bounds never see the mistake
// and it is reported once. (`(&x).<kind>()` finds the impl on `X` when its bound holds, or may
// hold while types are still being inferred; anything else falls through to the impl on `&X`.)

/// Defines one conversion's pair of traits: `$Kind`, implemented where the check holds (or may
/// hold, while types are being inferred), whose method gives `$Tag`; and `$Fallback`, on `&X`
/// for every `X`, whose method gives `$Otherwise`. `(&x).method()` finds the first when it
/// applies, the second otherwise.
macro_rules! autoref {
    ($Kind:ident $Fallback:ident $method:ident -> $Tag:ident, else $Otherwise:ident;
     impl[$($generics:tt)*] for $Self:ty) => {
        #[doc(hidden)]
        pub trait $Kind {
            #[doc(hidden)]
            #[inline(always)]
            fn $method(&self) -> $Tag {
                $Tag
            }
        }

        impl<$($generics)*> $Kind for $Self {}

        #[doc(hidden)]
        pub trait $Fallback {
            #[doc(hidden)]
            #[inline(always)]
            fn $method(&self) -> $Otherwise {
                $Otherwise
            }
        }

        impl<X> $Fallback for &X {}
    };
}

#[cfg(feature = "alloc")]
pub(crate) use autoref;

// Stage 1's conversion: `(&arg).argument_kind().into_argument(arg)`.
autoref!(ArgumentKind ArgumentFallback argument_kind -> AFuture, else NotFuture; impl[F: IntoFuture] for F);

/// The tag of an argument that is a future.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct AFuture;

impl AFuture {
    #[doc(hidden)]
    #[inline(always)]
    pub fn into_argument<F: IntoFuture>(self, future: F) -> F::IntoFuture {
        future.into_future()
    }
}

/// The tag of an argument that is not a future: its check has failed.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct NotFuture;

impl NotFuture {
    #[doc(hidden)]
    pub fn into_argument<F, T>(self, _: F) -> Pending<T> {
        pending()
    }
}

/// What stage 2's conversion asks of an output.
#[doc(hidden)]
pub trait IsResult {}

impl<T, E> IsResult for Result<T, E> {}

// Stage 2's conversion: `(&future).result_kind().into_result(future)`.
autoref!(ResultKind ResultFallback result_kind -> Fallible, else NotFallible; impl[F: Future<Output: IsResult>] for F);

/// The tag of a future that resolves to a `Result`.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct Fallible;

impl Fallible {
    #[doc(hidden)]
    #[inline(always)]
    pub fn into_result<F>(self, future: F) -> F {
        future
    }
}

/// The tag of a future that does not resolve to a `Result`: its check has failed.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct NotFallible;

impl NotFallible {
    #[doc(hidden)]
    pub fn into_result<F, T, E>(self, _: F) -> Pending<Result<T, E>> {
        pending()
    }
}

/// The output a later argument of `race!` or `any!` is held to: the first one's.
#[doc(hidden)]
#[inline(always)]
pub fn output_of<F: Future>(_: &F) -> PhantomData<F::Output> {
    PhantomData
}

/// The error type a later argument of `join_all!` is held to: the first one's.
#[doc(hidden)]
#[inline(always)]
pub fn error_of<F: TryFuture>(_: &F) -> PhantomData<F::Error> {
    PhantomData
}

/// What stage 3 checks of a later argument of `race!` or `any!` paired with the first's
/// output: its output, and the first's.
#[doc(hidden)]
#[inline(always)]
pub fn output_pair<T, F: Future>(
    _: &(PhantomData<T>, F),
) -> (PhantomData<F::Output>, PhantomData<T>) {
    (PhantomData, PhantomData)
}

/// What stage 3 checks of a later argument of `join_all!` paired with the first's error type:
/// its error type, and the first's.
#[doc(hidden)]
#[inline(always)]
pub fn error_pair<E, F: TryFuture>(
    _: &(PhantomData<E>, F),
) -> (PhantomData<F::Error>, PhantomData<E>) {
    (PhantomData, PhantomData)
}

// Stage 3's conversion for `race!` and `any!`:
// `(&(first, future)).same_kind().into_same((first, future))`.
autoref!(SameKind SameFallback same_kind -> Same, else NotSame; impl[T, F: Future<Output = T>] for (PhantomData<T>, F));

// Stage 3's conversion for `join_all!`:
// `(&(first, future)).same_error_kind().into_same((first, future))`.
autoref!(SameErrorKind SameErrorFallback same_error_kind -> Same, else NotSameError; impl[E, F: TryFuture<Error = E>] for (PhantomData<E>, F));

/// The tag of a later argument that agrees with the first.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct Same;

impl Same {
    #[doc(hidden)]
    #[inline(always)]
    pub fn into_same<T, F>(self, (_, future): (PhantomData<T>, F)) -> F {
        future
    }
}

/// The tag of a later argument of `race!` or `any!` that does not: its check has failed.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct NotSame;

impl NotSame {
    #[doc(hidden)]
    pub fn into_same<T, F>(self, _: (PhantomData<T>, F)) -> Pending<T> {
        pending()
    }
}

/// The tag of a later argument of `join_all!` that does not: its check has failed.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct NotSameError;

impl NotSameError {
    #[doc(hidden)]
    pub fn into_same<E, F: TryFuture>(self, _: (PhantomData<E>, F)) -> Pending<Result<F::Ok, E>> {
        pending()
    }
}

/// `join_all!()`: like `Promise.all([])`, fulfilled at once with nothing.
#[doc(hidden)]
#[inline(always)]
pub fn join_all_empty<E>() -> Ready<Result<(), E>> {
    ready(Ok(()))
}

/// `settle!()`: like `Promise.allSettled([])`, settled at once with nothing.
#[doc(hidden)]
#[inline(always)]
pub fn settle_empty() -> Ready<()> {
    ready(())
}

/// What a non-async `#[promisify] fn` calls: runs `body` now, keeping a panic in the promise.
#[cfg(feature = "rt")]
#[doc(hidden)]
pub fn run<T>(body: impl FnOnce() -> T) -> crate::Promise<T> {
    crate::promise::run(body)
}
