//! What a spread `..iter` among the arguments of the four macros expands to: the dynamic
//! combinator over `iter`, standing as one argument of the fixed one.
#![allow(
    clippy::must_use_candidate,
    reason = "type-checking glue, as in `__private`"
)]

use alloc::vec::Vec;
use core::future::{Future, IntoFuture};
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use super::{Any, JoinAll, Race, Settle, any};
use crate::__private::{AnyArgument, AnySame, JoinAllArgument, RaceArgument, SettleArgument};
use crate::AggregateError;
use crate::try_future::TryFuture;

#[doc(hidden)]
pub fn join_all_spread<I>(iter: I) -> JoinAll<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator<Item: JoinAllArgument + IntoFuture<IntoFuture: TryFuture>>,
{
    super::join_all(iter)
}

#[doc(hidden)]
pub fn settle_spread<I>(iter: I) -> Settle<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator<Item: SettleArgument + IntoFuture>,
{
    super::settle(iter)
}

/// Unlike `race(iter)`, empty is allowed: the other arguments finish the race.
#[doc(hidden)]
pub fn race_spread<I>(iter: I) -> Race<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator<Item: RaceArgument + IntoFuture>,
{
    Race::spread(iter)
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

#[doc(hidden)]
pub fn any_spread<I>(iter: I) -> AnySpread<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator<Item: AnyArgument + IntoFuture<IntoFuture: TryFuture>>,
{
    AnySpread { any: any(iter) }
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
