//! Combinators over a number of futures known only at run time, as in
//! `Promise.all(urls.map(fetch))`: [`join_all`], [`settle`], [`race`], [`any`] and
//! [`as_completed`].
//!
//! Each drains its iterator when called, keeps every future in one allocation, and polls a
//! future again only when it was woken: up to 32 futures, each poll polls every running one,
//! which costs less than wakers of their own; above, and for `as_completed` whatever the
//! number, once sweeping has cost more than wakers would, each future gets a waker of its own
//! (all of them in room kept past the futures, about a word each: no allocation more). The
//! outputs of `join_all`, `settle` and the errors of `any` are written over the futures'
//! storage when they fit it (same alignment, at least a quarter of a future's room), so that
//! the `Vec` may have more capacity than length; otherwise, or while a future's waker outlives
//! the future, they get an allocation of their own. They keep the rules of the fixed-arity
//! combinators: outputs in iteration order, short-circuit in completion order with every other
//! future dropped inside that poll, the lowest index winning among futures that finish in
//! the same poll, a finished future never polled again, and a panic when polled after
//! `Ready`.

mod any;
mod as_completed;
mod join_all;
#[cfg(all(test, loom))]
mod loom;
mod race;
mod raw;
mod settle;
mod slots;
pub(crate) mod spread;
#[cfg(test)]
mod tests;

pub use any::{Any, any};
pub use as_completed::{AsCompleted, as_completed};
pub use join_all::{JoinAll, join_all};
pub use race::{Race, race};
pub use settle::{Settle, settle};
