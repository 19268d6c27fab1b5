//! What a spread `..iter` among the arguments of the four macros expands to: the dynamic
//! combinator over `iter`, standing as one argument of the fixed one.
#![allow(
    clippy::must_use_candidate,
    clippy::inline_always,
    reason = "type-checking glue that must vanish from every build, as in `__private`"
)]

use alloc::vec::Vec;
use core::future::{Future, IntoFuture, Pending};
use core::iter::Map;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use super::{Any, JoinAll, Race, Settle, any};
use crate::__private::{AnyResult, AnySame, JoinAllResult};
use crate::AggregateError;
use crate::try_future::TryFuture;

/// Defines, for one macro, what a spread `..iter` takes: an iterator of futures, checked in one
/// bound on the argument itself, so that a mistake is one error at the user's token.
macro_rules! spread {
    ($Trait:ident $message:literal) => {
        #[doc(hidden)]
        #[diagnostic::on_unimplemented(
            message = $message,
            label = "not an iterator of futures",
            note = "a spread `..iter` takes an iterator whose items implement `IntoFuture`, as in `..ids.map(fetch)`"
        )]
        pub trait $Trait {
            #[doc(hidden)]
            type Future: Future;
            #[doc(hidden)]
            type Futures: Iterator<Item = Self::Future>;
            #[doc(hidden)]
            fn futures(self) -> Self::Futures;
        }

        #[diagnostic::do_not_recommend]
        impl<I: IntoIterator<Item: IntoFuture>> $Trait for I {
            type Future = <I::Item as IntoFuture>::IntoFuture;
            type Futures = Map<I::IntoIter, fn(I::Item) -> Self::Future>;

            fn futures(self) -> Self::Futures {
                self.into_iter().map(IntoFuture::into_future)
            }
        }
    };
}

spread!(JoinAllSpread "`join_all!` spreads the futures of an iterator, but `{Self}` is not an iterator of futures");
spread!(SettleSpread "`settle!` spreads the futures of an iterator, but `{Self}` is not an iterator of futures");
spread!(RaceSpread "`race!` spreads the futures of an iterator, but `{Self}` is not an iterator of futures");
spread!(AnySpreadItems "`any!` spreads the futures of an iterator, but `{Self}` is not an iterator of futures");

/// For one macro, how a spread becomes its future, as `argument!` does for an argument:
/// `(&iter).<kind>().into_spread(iter)` picks the impl on `I` when `iter` is an iterator of
/// futures; anything else falls through to the impl on `&I`, whose bound reports the mistake
/// with the message above, and whose placeholder (the combinator over no futures) keeps the
/// rest of the expansion from failing again.
macro_rules! spread_kind {
    (
        $Trait:ident $Kind:ident $Fallback:ident $FallbackTag:ident $Tag:ident $kind:ident
        [$($generics:ident),*] $Placeholder:ty = $placeholder:expr
    ) => {
        #[doc(hidden)]
        pub trait $Kind {
            #[doc(hidden)]
            #[inline(always)]
            fn $kind(&self) -> $Tag {
                $Tag
            }
        }

        impl<I: IntoIterator<Item: IntoFuture>> $Kind for I {}

        #[doc(hidden)]
        #[allow(missing_debug_implementations)]
        pub struct $Tag;

        #[doc(hidden)]
        pub trait $Fallback {
            #[doc(hidden)]
            #[inline(always)]
            fn $kind(&self) -> $FallbackTag {
                $FallbackTag
            }
        }

        impl<I> $Fallback for &I {}

        #[doc(hidden)]
        #[allow(missing_debug_implementations)]
        pub struct $FallbackTag;

        impl $FallbackTag {
            #[doc(hidden)]
            pub fn into_spread<I: $Trait, $($generics),*>(self, _: I) -> $Placeholder {
                $placeholder
            }
        }
    };
}

spread_kind!(
    JoinAllSpread JoinAllSpreadKind JoinAllSpreadFallback JoinAllSpreadFallbackTag
    JoinAllSpreadTag join_all_spread_kind
    [T, E] JoinAll<Pending<Result<T, E>>> = super::join_all(core::iter::empty::<Pending<Result<T, E>>>())
);
spread_kind!(
    SettleSpread SettleSpreadKind SettleSpreadFallback SettleSpreadFallbackTag
    SettleSpreadTag settle_spread_kind
    [T] Settle<Pending<T>> = super::settle(core::iter::empty::<Pending<T>>())
);
spread_kind!(
    RaceSpread RaceSpreadKind RaceSpreadFallback RaceSpreadFallbackTag
    RaceSpreadTag race_spread_kind
    [T] Race<Pending<T>> = Race::spread(core::iter::empty::<Pending<T>>())
);
spread_kind!(
    AnySpreadItems AnySpreadKind AnySpreadFallback AnySpreadFallbackTag
    AnySpreadTag any_spread_kind
    [T, E] AnySpread<Pending<Result<T, E>>> = AnySpread { any: any(core::iter::empty::<Pending<Result<T, E>>>()) }
);

impl JoinAllSpreadTag {
    #[doc(hidden)]
    #[inline(always)]
    pub fn into_spread<I: JoinAllSpread>(self, iter: I) -> JoinAll<I::Future>
    where
        I::Future: TryFuture<Output: JoinAllResult>,
    {
        super::join_all(iter.futures())
    }
}

impl SettleSpreadTag {
    #[doc(hidden)]
    #[inline(always)]
    pub fn into_spread<I: SettleSpread>(self, iter: I) -> Settle<I::Future> {
        super::settle(iter.futures())
    }
}

impl RaceSpreadTag {
    #[doc(hidden)]
    #[inline(always)]
    /// Unlike `race(iter)`, empty is allowed: the other arguments finish the race.
    pub fn into_spread<I: RaceSpread>(self, iter: I) -> Race<I::Future> {
        Race::spread(iter.futures())
    }
}

impl AnySpreadTag {
    #[doc(hidden)]
    #[inline(always)]
    pub fn into_spread<I: AnySpreadItems>(self, iter: I) -> AnySpread<I::Future>
    where
        I::Future: TryFuture<Output: AnyResult>,
    {
        AnySpread {
            any: any(iter.futures()),
        }
    }
}

/// `race!` whose arguments are all spreads: as `race(iter)`, empty would never finish.
#[doc(hidden)]
#[track_caller]
pub fn race_spreads_not_all_empty<const N: usize>(empty: [bool; N]) {
    assert!(
        empty.contains(&false),
        "`race!` of no futures would never finish, like `Promise.race([])`: every spread was empty"
    );
}

#[doc(hidden)]
pub fn race_spread_is_empty<F: Future>(race: &Race<F>) -> bool {
    race.is_empty()
}

/// The errors of one argument of an `any!` with spreads: one error, or a spread's.
#[doc(hidden)]
#[derive(Debug)]
pub enum Piece<E> {
    One(E),
    Many(Vec<E>),
}

pin_project! {
    /// A spread of `any!`: the dynamic `any`, its errors as a `Piece`.
    #[doc(hidden)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct AnySpread<F: TryFuture> {
        #[pin]
        any: Any<F>,
    }
}

impl<F: TryFuture> Future for AnySpread<F> {
    type Output = Result<F::Ok, Piece<F::Error>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let output = ready!(self.project().any.poll(cx));
        Poll::Ready(output.map_err(|errors| Piece::Many(errors.into_errors())))
    }
}

pin_project! {
    /// An argument of an `any!` with spreads that is not one: its error as a `Piece`.
    #[doc(hidden)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct AnyOne<F> {
        #[pin]
        future: F,
    }
}

#[doc(hidden)]
pub fn any_one<F: TryFuture>(future: F) -> AnyOne<F> {
    AnyOne { future }
}

impl<F: TryFuture> Future for AnyOne<F> {
    type Output = Result<F::Ok, Piece<F::Error>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let output = ready!(self.project().future.poll(cx));
        Poll::Ready(output.map_err(Piece::One))
    }
}

/// The output of one element of an `any!` spread, which the other arguments are held to.
#[doc(hidden)]
pub fn output_of_spread<F: TryFuture>(_: &AnySpread<F>) -> PhantomData<F::Output> {
    PhantomData
}

#[doc(hidden)]
pub fn any_same_spread<T, F>(_: PhantomData<T>, spread: AnySpread<F>) -> AnySpread<F>
where
    F: TryFuture<Output: AnySame<T>>,
{
    spread
}

pin_project! {
    /// An `any!` with spreads: every error, flattened in argument order.
    #[doc(hidden)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct AnyFlat<A> {
        #[pin]
        any: A,
    }
}

#[doc(hidden)]
pub fn any_flat<A>(any: A) -> AnyFlat<A> {
    AnyFlat { any }
}

impl<A, T, E, const N: usize> Future for AnyFlat<A>
where
    A: Future<Output = Result<T, AggregateError<[Piece<E>; N]>>>,
{
    type Output = Result<T, AggregateError<Vec<E>>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let output = ready!(self.project().any.poll(cx));
        Poll::Ready(output.map_err(|pieces| {
            let len = pieces.iter().map(|piece| match piece {
                Piece::One(_) => 1,
                Piece::Many(many) => many.len(),
            });
            let mut errors = Vec::with_capacity(len.sum());
            for piece in pieces {
                match piece {
                    Piece::One(error) => errors.push(error),
                    Piece::Many(many) => errors.extend(many),
                }
            }
            AggregateError::new(errors)
        }))
    }
}
