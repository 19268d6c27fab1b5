//! What the macros of `promisify` expand to. Not a public API: names and signatures change
//! without notice.
//!
//! Each argument goes through its macro's `Kind` (see `argument!`); the later arguments of
//! `join_all!`, `race!` and `any!` then go through `<macro>_same`, which holds them to the
//! first one's type.

#![allow(
    clippy::inline_always,
    clippy::must_use_candidate,
    reason = "type-checking glue that must vanish from every build, debug ones included"
)]

use core::future::{Future, IntoFuture, Ready, ready};
use core::marker::PhantomData;

pub use crate::TryFuture;
pub use crate::combinators::*;
#[cfg(feature = "alloc")]
pub use crate::iter::spread::*;

/// Defines, for one macro, how an argument becomes a future.
///
/// The expansion calls `(&arg).<kind>().into_argument(arg)`. Method resolution picks the
/// impl on `F` when the argument is what the macro takes (autoref specialization); anything
/// else falls through to the impl on `&F`, whose `into_argument` bound is `$Trait`: rustc then
/// reports the mistake with `$Trait`'s message, at the argument, and the placeholder future it
/// returns keeps the rest of the expansion from failing a second time.
macro_rules! argument {
    (
        $(#[$impl_attr:meta])*
        $Trait:ident $Kind:ident $Fallback:ident $FallbackTag:ident $kind:ident
        [$($bound:tt)*] [$($generics:ident),*] $Placeholder:ty,
        $message:literal $note:literal
    ) => {
        #[doc(hidden)]
        #[diagnostic::on_unimplemented(
            message = $message,
            label = "not a future",
            note = $note,
            note = "an `async fn` must be called to give a future: `fetch(id)`, not `fetch`"
        )]
        pub trait $Trait {}

        $(#[$impl_attr])*
        impl<F: IntoFuture> $Trait for F where $($bound)* {}

        #[doc(hidden)]
        pub trait $Kind {
            #[doc(hidden)]
            #[inline(always)]
            fn $kind(&self) -> FutureTag {
                FutureTag
            }
        }

        impl<F: IntoFuture> $Kind for F where $($bound)* {}

        #[doc(hidden)]
        pub trait $Fallback {
            #[doc(hidden)]
            #[inline(always)]
            fn $kind(&self) -> $FallbackTag {
                $FallbackTag
            }
        }

        impl<F> $Fallback for &F {}

        #[doc(hidden)]
        #[allow(missing_debug_implementations)]
        pub struct $FallbackTag;

        impl $FallbackTag {
            #[doc(hidden)]
            pub fn into_argument<F: $Trait, $($generics),*>(self, _: F) -> $Placeholder {
                core::future::pending()
            }
        }
    };
}

/// The tag of an argument that is what its macro takes.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct FutureTag;

impl FutureTag {
    #[doc(hidden)]
    #[inline(always)]
    pub fn into_argument<F: IntoFuture>(self, future: F) -> F::IntoFuture {
        future.into_future()
    }
}

argument!(
    JoinAllArgument JoinAllKind JoinAllFallback JoinAllFallbackTag join_all_kind
    [F::Output: JoinAllResult] [T, E] core::future::Pending<Result<T, E>>,
    "`join_all!` takes futures, but `{Self}` is not a future"
    "every argument of `join_all!` must implement `IntoFuture`: a future, an `async` block, a `Promise`, a `JoinHandle`..."
);
// Where an argument need only be a future, its message says all: rustc is told not to
// explain it with `IntoFuture`'s. Where it must resolve to a `Result` too, the explanation
// says which of the two it is not.
argument!(
    #[diagnostic::do_not_recommend]
    RaceArgument RaceKind RaceFallback RaceFallbackTag race_kind
    [] [T] core::future::Pending<T>,
    "`race!` takes futures, but `{Self}` is not a future"
    "every argument of `race!` must implement `IntoFuture`: a future, an `async` block, a `Promise`, a `JoinHandle`..."
);
argument!(
    AnyArgument AnyKind AnyFallback AnyFallbackTag any_kind
    [F::Output: AnyResult] [T, E] core::future::Pending<Result<T, E>>,
    "`any!` takes futures, but `{Self}` is not a future"
    "every argument of `any!` must implement `IntoFuture`: a future, an `async` block, a `Promise`, a `JoinHandle`..."
);
argument!(
    #[diagnostic::do_not_recommend]
    SettleArgument SettleKind SettleFallback SettleFallbackTag settle_kind
    [] [T] core::future::Pending<T>,
    "`settle!` takes futures, but `{Self}` is not a future"
    "every argument of `settle!` must implement `IntoFuture`: a future, an `async` block, a `Promise`, a `JoinHandle`..."
);

#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`join_all!` takes futures that resolve to `Result`, but this one resolves to `{Self}`",
    label = "resolves to `{Self}`, not to a `Result`",
    note = "make it fallible, as in `async {{ Ok::<_, MyError>(fut.await) }}`, or use `settle!`, which takes any output"
)]
pub trait JoinAllResult {}

impl<T, E> JoinAllResult for Result<T, E> {}

#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`any!` takes futures that resolve to `Result`, but this one resolves to `{Self}`",
    label = "resolves to `{Self}`, not to a `Result`",
    note = "make it fallible, as in `async {{ Ok::<_, MyError>(fut.await) }}`, or use `race!`, which takes any output"
)]
pub trait AnyResult {}

impl<T, E> AnyResult for Result<T, E> {}

#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`race!` takes futures that all resolve to one type, but this one resolves to `{Self}` and the first to `{T}`",
    label = "resolves to `{Self}`, not `{T}`",
    note = "convert the outputs to one type, as in `async {{ {T}::from(fut.await) }}`, or wrap them in an `enum`"
)]
pub trait RaceSame<T> {}

impl<T> RaceSame<T> for T {}

#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`any!` takes futures that all resolve to one `Result` type, but this one resolves to `{Self}` and the first to `{T}`",
    label = "resolves to `{Self}`, not `{T}`",
    note = "convert it to the first one's type, as in `async {{ fut.await.map_err(Into::into) }}` for the error type"
)]
pub trait AnySame<T> {}

impl<T> AnySame<T> for T {}

#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`join_all!` takes futures that all fail with one error type, but this one fails with `{Self}` and the first with `{E}`",
    label = "fails with `{Self}`, not `{E}`",
    note = "convert the error with `.map_err(Into::into)`, as in `async {{ fut.await.map_err(Into::into) }}`"
)]
pub trait JoinAllSameError<E> {}

impl<E> JoinAllSameError<E> for E {}

/// The type the later arguments of `race!` and `any!` are compared with: the first one's
/// output.
#[doc(hidden)]
#[inline(always)]
pub fn output_of<F: Future>(_: &F) -> PhantomData<F::Output> {
    PhantomData
}

/// The error type the later arguments of `join_all!` are compared with: the first one's.
#[doc(hidden)]
#[inline(always)]
pub fn error_of<F: TryFuture>(_: &F) -> PhantomData<F::Error> {
    PhantomData
}

// The checks return the future itself, not a projection through the check: then the
// combinator's own bound still infers an argument's unwritten types from the first argument's,
// as in `join_all!(fetch(1), async { Ok(2) })`.

#[doc(hidden)]
#[inline(always)]
pub fn race_same<T, F>(_: PhantomData<T>, future: F) -> F
where
    F: Future<Output: RaceSame<T>>,
{
    future
}

#[doc(hidden)]
#[inline(always)]
pub fn any_same<T, F>(_: PhantomData<T>, future: F) -> F
where
    F: Future<Output: AnySame<T>>,
{
    future
}

#[doc(hidden)]
#[inline(always)]
pub fn join_all_same<E, F>(_: PhantomData<E>, future: F) -> F
where
    F: TryFuture<Error: JoinAllSameError<E>>,
{
    future
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

/// What a `#[promisify] async fn` calls: starts `body` now, as JavaScript does.
#[cfg(feature = "rt")]
#[doc(hidden)]
pub fn start<F>(body: F) -> crate::Promise<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    crate::promise::start(body)
}

/// What a non-async `#[promisify] fn` calls: runs `body` now, keeping a panic in the promise.
#[cfg(feature = "rt")]
#[doc(hidden)]
pub fn run<T>(body: impl FnOnce() -> T) -> crate::Promise<T> {
    crate::promise::run(body)
}
