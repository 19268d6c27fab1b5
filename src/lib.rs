//! JavaScript's promise model for async Rust.
#![cfg_attr(not(feature = "rt"), no_std)]
#![forbid(unsafe_code)]

pub use promise_core::{AggregateError, TryFuture};

/// The futures the macros return, one type per macro and number of arguments.
///
/// You rarely name them: `race!(a, b, c)` is a [`Race3`](combinators::Race3), and the
/// other arities are hidden from these docs. They are `#[must_use]`, `Debug`, and `Send`,
/// `Sync` or `Unpin` when their arguments are.
///
/// ```
/// use core::future::ready;
/// use promisify::{combinators::Race3, race};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let fut: Race3<_, _, _> = race!(ready(1), ready(2), ready(3));
/// assert_eq!(fut.await, 1);
/// # });
/// ```
pub mod combinators {
    pub use promise_core::{
        Any1, Any2, Any3, Any4, Any5, Any6, Any7, Any8, Any9, Any10, Any11, Any12, Any13, Any14,
        Any15, Any16, JoinAll1, JoinAll2, JoinAll3, JoinAll4, JoinAll5, JoinAll6, JoinAll7,
        JoinAll8, JoinAll9, JoinAll10, JoinAll11, JoinAll12, JoinAll13, JoinAll14, JoinAll15,
        JoinAll16, Race1, Race2, Race3, Race4, Race5, Race6, Race7, Race8, Race9, Race10, Race11,
        Race12, Race13, Race14, Race15, Race16, Settle1, Settle2, Settle3, Settle4, Settle5,
        Settle6, Settle7, Settle8, Settle9, Settle10, Settle11, Settle12, Settle13, Settle14,
        Settle15, Settle16,
    };
}

#[doc(hidden)]
pub mod __private {
    pub use promise_core::__private::*;
    pub use promise_macros::{any, join_all, race, settle};
}

/// `Promise.all`.
#[macro_export]
macro_rules! join_all {
    ($($tokens:tt)*) => {
        $crate::__private::join_all! { $crate; $($tokens)* }
    };
}
/// `Promise.race`.
#[macro_export]
macro_rules! race {
    ($($tokens:tt)*) => {
        $crate::__private::race! { $crate; $($tokens)* }
    };
}
/// `Promise.any`.
#[macro_export]
macro_rules! any {
    ($($tokens:tt)*) => {
        $crate::__private::any! { $crate; $($tokens)* }
    };
}
/// `Promise.allSettled`.
#[macro_export]
macro_rules! settle {
    ($($tokens:tt)*) => {
        $crate::__private::settle! { $crate; $($tokens)* }
    };
}
