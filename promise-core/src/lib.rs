//! The futures behind [`promisify`](https://docs.rs/promisify): fixed-arity, allocation-free
//! `Promise.all` / `race` / `any` / `allSettled`, and, with the `rt` feature, the eager
//! `Promise<T>`.
//!
//! Use them through the `promisify` crate's macros, which count their arguments and pick the
//! type of the right arity: `join_all!(a, b, c)` is a [`JoinAll3`]. Without the `rt` feature
//! this crate is `#![no_std]` and needs no allocator.
//!
//! ```
//! use core::future::ready;
//! use promise_core::{JoinAll3, Race3};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let all = JoinAll3::new(ready(Ok::<_, ()>(1)), ready(Ok(2)), ready(Ok(3))).await;
//! assert_eq!(all, Ok((1, 2, 3)));
//! assert_eq!(Race3::new(ready('a'), ready('b'), ready('c')).await, 'a');
//! # });
//! ```
#![no_std]
// Two modules may use `unsafe`, `iter::raw` and `promise::body`: see there why each block is
// sound.
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "rt")]
extern crate std;

mod aggregate_error;
mod any;
#[cfg(feature = "alloc")]
pub mod iter;
mod join_all;
#[cfg(all(test, loom))]
mod loom_model;
mod maybe_done;
#[cfg(feature = "rt")]
mod promise;
mod race;
mod settle;
mod try_future;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
#[doc(hidden)]
pub mod checks;

pub use aggregate_error::{AggregateError, Errors};
pub use any::*;
pub use join_all::*;
pub use race::*;
pub use settle::*;
pub use try_future::TryFuture;

/// The futures of the four macros alone, one type per macro and number of arguments: what the
/// facade's `combinators` module shows and the expansions name.
#[doc(hidden)]
pub mod combinators {
    pub use crate::any::*;
    #[cfg(feature = "alloc")]
    #[doc(hidden)]
    pub use crate::iter::spread::AnyWithSpreads;
    pub use crate::join_all::*;
    pub use crate::race::*;
    pub use crate::settle::*;
}

#[cfg(feature = "rt")]
pub use promise::{Promise, PromiseError, Resolver, Settled};
