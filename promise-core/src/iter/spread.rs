//! What a spread `..iter` among the arguments of the four macros expands to: the dynamic
//! combinator over `iter`, standing as one argument of the fixed one.
#![allow(
    clippy::must_use_candidate,
    clippy::inline_always,
    reason = "type-checking glue that must vanish from every build, as in `__private`"
)]

use alloc::vec::Vec;
use core::future::{Future, IntoFuture, Pending, pending};
use core::iter::{Empty, Map, empty};
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use super::{Any, JoinAll, Race, Settle, any};
use crate::__private::{Fallible, IsResult, Same, autoref};
use crate::AggregateError;
use crate::try_future::TryFuture;

// A spread goes through the stages of an argument (see `__private`): stage 1 checks that it
// is an iterator of futures and turns it into the iterator of their futures; stage 2 (for
// `join_all!` and `any!`) checks that their outputs are `Result`s; then it becomes the dynamic
// combinator over them, one argument of the fixed one, which stage 3 holds to the first.

/// The futures of a spread's items.
type Futures<I> = Map<
    <I as IntoIterator>::IntoIter,
    fn(<I as IntoIterator>::Item) -> <<I as IntoIterator>::Item as IntoFuture>::IntoFuture,
>;

// Stage 1's conversion of a spread: `(&iter).spread_kind().into_futures(iter)`.
autoref!(SpreadKind SpreadFallback spread_kind -> IntoFutures, else NoFutures; impl[I: IntoIterator<Item: IntoFuture>] for I);

/// The tag of a spread of futures.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct IntoFutures;

impl IntoFutures {
    #[doc(hidden)]
    #[inline(always)]
    pub fn into_futures<I: IntoIterator<Item: IntoFuture>>(self, iter: I) -> Futures<I> {
        iter.into_iter().map(IntoFuture::into_future)
    }
}

/// The tag of a spread that is not of futures: its check has failed.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct NoFutures;

impl NoFutures {
    #[doc(hidden)]
    pub fn into_futures<I, T>(self, _: I) -> Empty<Pending<T>> {
        empty()
    }
}

/// The output a spread's futures resolve to, for stage 2's check.
#[doc(hidden)]
#[inline(always)]
pub fn item_output_of<I: Iterator<Item: Future>>(
    _: &I,
) -> PhantomData<<I::Item as Future>::Output> {
    PhantomData
}

// Stage 2's conversion of a spread: `(&futures).items_result_kind().into_result(futures)`.
autoref!(ItemsResultKind ItemsResultFallback items_result_kind -> Fallible, else NotFallibleItems; impl[I: Iterator<Item: Future<Output: IsResult>>] for I);

/// The tag of a spread whose futures do not resolve to `Result`s: its check has failed.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct NotFallibleItems;

impl NotFallibleItems {
    #[doc(hidden)]
    pub fn into_result<I, T, E>(self, _: I) -> Empty<Pending<Result<T, E>>> {
        empty()
    }
}

/// A spread of `join_all!`, once its futures are checked.
#[doc(hidden)]
#[inline(always)]
pub fn spread_join_all<I: Iterator<Item: TryFuture>>(futures: I) -> JoinAll<I::Item> {
    super::join_all(futures)
}

/// A spread of `settle!`.
#[doc(hidden)]
#[inline(always)]
pub fn spread_settle<I: Iterator<Item: Future>>(futures: I) -> Settle<I::Item> {
    super::settle(futures)
}

/// A spread of `race!`: unlike `race(iter)`, empty is allowed, as the other arguments finish
/// the race.
#[doc(hidden)]
#[inline(always)]
pub fn spread_race<I: Iterator<Item: Future>>(futures: I) -> Race<I::Item> {
    Race::spread(futures)
}

/// A spread of `any!`.
#[doc(hidden)]
#[inline(always)]
pub fn spread_any<I: Iterator<Item: TryFuture>>(futures: I) -> AnySpread<I::Item> {
    AnySpread { any: any(futures) }
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

/// An argument of an `any!` with spreads, `AnyOne` or `AnySpread`: `Item` is what the other
/// arguments are held to, the output of the one future or of each of the spread's.
#[doc(hidden)]
pub trait AnyPart {
    #[doc(hidden)]
    type Item;
}

impl<F: TryFuture> AnyPart for AnyOne<F> {
    type Item = F::Output;
}

impl<F: TryFuture> AnyPart for AnySpread<F> {
    type Item = F::Output;
}

/// The output a later argument of an `any!` with spreads is held to.
#[doc(hidden)]
#[inline(always)]
pub fn part_output_of<P: AnyPart>(_: &P) -> PhantomData<P::Item> {
    PhantomData
}

/// What stage 3 checks of a later argument of an `any!` with spreads paired with the first's
/// output.
#[doc(hidden)]
#[inline(always)]
pub fn part_pair<T, P: AnyPart>(_: &(PhantomData<T>, P)) -> (PhantomData<P::Item>, PhantomData<T>) {
    (PhantomData, PhantomData)
}

// Stage 3's conversion in an `any!` with spreads:
// `(&(first, part)).part_same_kind().into_same((first, part))`.
autoref!(PartSameKind PartSameFallback part_same_kind -> Same, else NotSamePart; impl[T, P: AnyPart<Item = T>] for (PhantomData<T>, P));

/// The tag of a later argument of an `any!` with spreads that does not agree with the first:
/// its check has failed.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct NotSamePart;

impl NotSamePart {
    #[doc(hidden)]
    pub fn into_same<T, P>(self, _: (PhantomData<T>, P)) -> AnyOne<Pending<T>> {
        AnyOne { future: pending() }
    }
}

pin_project! {
    /// An `any!` with spreads: every error, flattened in argument order.
    #[doc(hidden)]
    #[must_use = "`any!(..)` does nothing unless you `.await` it or poll it: unlike `Promise.any`, it is lazy"]
    #[derive(Debug)]
    pub struct AnyWithSpreads<A> {
        #[pin]
        any: A,
    }
}

#[doc(hidden)]
pub fn any_with_spreads<A>(any: A) -> AnyWithSpreads<A> {
    AnyWithSpreads { any }
}

impl<A, T, E, const N: usize> Future for AnyWithSpreads<A>
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
