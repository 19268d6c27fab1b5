//! JavaScript's promise model for async Rust.
//!
//! | JavaScript | promisify |
//! |---|---|
//! | `await Promise.all([a, b, c])` | [`join_all!(a, b, c)`](join_all!)`.await` → `Result<(A, B, C), E>` |
//! | `await Promise.allSettled([a, b])` | [`settle!(a, b)`](settle!)`.await` → `(A, B)` |
//! | `await Promise.race([a, b])` | [`race!(a, b)`](race!)`.await` → `T` |
//! | `await Promise.any([a, b])` | [`any!(a, b)`](any!)`.await` → `Result<T, AggregateError<[E; 2]>>` |
//! | `await Promise.all(urls.map(fetch))` | [`join_all(urls.map(fetch))`](join_all())`.await` → `Result<Vec<T>, E>` |
//! | `await Promise.all([config, ...shards])` | [`join_all!(config, ..shards)`](join_all!)`.await` → `Result<(C, Vec<S>), E>` |
//! | `pMap(urls, fetch, {concurrency: 16})` | [`join_all(urls.map(fetch)).limit(16)`](iter::JoinAll::limit) |
//! | `asyncio.as_completed(tasks)` | [`as_completed(tasks)`](as_completed()): a stream of `(index, output)` |
//! | `async function f() {}` | [`#[promisify] async fn f()`](promisify) → [`Promise<T>`] |
//! | `p.then(f)`, `p.catch(f)`, `p.finally(f)` | [`p.then(f)`](Promise::then), [`p.catch(f)`](Promise::catch), [`p.finally(f)`](Promise::finally) |
//! | `Promise.resolve(v)`, `Promise.reject(e)` | [`Promise::resolve(v)`](Promise::resolve), [`Promise::reject(e)`](Promise::reject) |
//! | `Promise.withResolvers()` | [`Promise::with_resolvers()`](Promise::with_resolvers) |
//!
//! # Eager promises, lazy futures
//!
//! Call an `async fn` in JavaScript and it starts: it runs until its first `await`, then
//! returns a promise, and the rest runs on its own whether or not anybody awaits that promise.
//! Call one in Rust and nothing happens: you get a lazy future, which runs only while
//! something polls it, and which does nothing at all if you forget the `.await`.
//!
//! ```text
//! JavaScript                          Rust                           Rust + #[promisify]
//! async function f() {                async fn f() {                 #[promisify] async fn f() {
//!   log("f runs"); await g(); ...       log("f runs"); g().await; ..   log("f runs"); g().await; ..
//! }                                   }                              }
//! const p = f();  // logs "f runs"    let p = f();  // logs nothing  let p = f();  // logs "f runs"
//! log("after");                       log("after");                  log("after");
//! await p;                            p.await;      // f runs now    p.await;
//! ```
//!
//! [`#[promisify]`](promisify) gives a function the JavaScript behaviour: the call polls the
//! body once, right away, and the rest runs as a tokio task. The [`Promise`] it returns can
//! be awaited (by several clones, when the value is `Clone`), chained, cancelled with
//! [`Promise::cancel`], or dropped: the work goes on. Outside any runtime, promisify starts
//! one of its own, so a plain `fn main` can call a promisified function and
//! [`wait`](Promise::wait) for it.
//!
//! Where Rust cannot be JavaScript, it says so: awaiting a settled promise does not yield to
//! other tasks, and on a multi-thread runtime the rest of the body may run in parallel with
//! its caller rather than after it.
//!
//! # Combinators
//!
//! The four macros count their arguments at compile time and expand into a future of that
//! arity from [`combinators`]: no heap allocation, no `Box`, no `Vec`, and no runtime of their
//! own, so they work on tokio, async-std, smol, embassy, or a hand-written poll loop, with or
//! without `std` (turn off the default `rt` feature for `#![no_std]`).
//!
//! Each argument may be anything that implements [`IntoFuture`]:
//! a future, an `async` block, a call to an `async fn`, a tokio `JoinHandle`. The arguments are
//! evaluated once, left to right, where the macro is; the future it returns is lazy, like every
//! Rust future, and does nothing until awaited. All four keep the same rules:
//!
//! - **Short-circuit, and drop early.** The moment the outcome is known (the first `Err` for
//!   `join_all!`, the first output for `race!`, the first `Ok` for `any!`), every other argument
//!   is dropped, which cancels it, inside that same poll.
//! - **Order.** Each poll polls the arguments that have not finished, left to right; when several
//!   finish in one poll the leftmost wins, as JavaScript's iteration order does. Outputs come in
//!   argument order. A finished argument is never polled again.
//! - **Up to 16 arguments**; more is a compile error, as is `race!()` or `any!()` (with nothing
//!   to wait for, they would never finish or always fail), or any argument that is not a future.
//!
//! ```
//! use std::time::Duration;
//! use promisify::{any, join_all, race, settle};
//! use tokio::time::sleep;
//!
//! async fn fetch(id: u32) -> Result<String, String> {
//!     sleep(Duration::from_millis(u64::from(id))).await;
//!     if id % 2 == 0 { Ok(format!("user {id}")) } else { Err(format!("no user {id}")) }
//! }
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! assert_eq!(join_all!(fetch(2), fetch(4)).await, Ok(("user 2".into(), "user 4".into())));
//! assert_eq!(join_all!(fetch(2), fetch(3)).await, Err("no user 3".into()));
//! assert_eq!(race!(fetch(3), fetch(2)).await, Ok("user 2".into()));
//! assert_eq!(any!(fetch(1), fetch(4), fetch(2)).await, Ok("user 2".into()));
//! let (a, b) = settle!(fetch(1), fetch(2)).await;
//! assert_eq!((a.is_err(), b.is_ok()), (true, true));
//! # }
//! ```
//!
//! # Any number of futures
//!
//! When the number of futures is known only at run time, as in `Promise.all(urls.map(fetch))`,
//! the functions [`join_all()`], [`settle()`], [`race()`], [`any()`] and [`as_completed()`] take
//! any iterator of futures, and a spread `..iter` stands for all the futures of `iter` among
//! the arguments of a macro, as `...iter` does in a JavaScript array. They keep the same rules,
//! in iteration order, and cost little: every future in one allocation, the outputs written
//! over it when they fit (else in a second), and, once futures keep pending (above 32 of
//! them, or any number for `as_completed`), a waker per future that points into one more (no
//! allocation per future), so a wake polls only the future it woke.
//!
//! ```
//! use promisify::{join_all, race};
//!
//! async fn fetch(id: u32) -> Result<String, String> {
//!     Ok(format!("user {id}"))
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let ids = [1, 2, 3];
//! let users = join_all(ids.map(fetch)).limit(2).await;
//! assert_eq!(users.unwrap(), ["user 1", "user 2", "user 3"]);
//!
//! let (admin, users) = join_all!(fetch(0), ..ids.map(fetch)).await.unwrap();
//! assert_eq!((admin.as_str(), users.len()), ("user 0", 3));
//! assert_eq!(race!(..ids.map(fetch)).await, Ok("user 1".into()));
//! # });
//! ```
//!
//! [`IntoFuture`]: core::future::IntoFuture
#![cfg_attr(not(feature = "rt"), no_std)]
#![forbid(unsafe_code)]

#[cfg(feature = "alloc")]
pub use promise_core::iter::{any, as_completed, join_all, race, settle};
pub use promise_core::{AggregateError, Errors, TryFuture};
#[cfg(feature = "rt")]
pub use promise_core::{Promise, PromiseError, Resolver, Settled};

/// Makes a function eager, like a JavaScript `async function`: `async fn f(..) -> T` becomes
/// `fn f(..) -> Promise<T>`, and calling it starts the body.
///
/// The call polls the body once, on the caller's thread, before it returns: everything up to
/// the body's first `.await` that has to wait has happened when `f(..)` returns, in the same
/// order as in JavaScript. That first poll runs inside a tokio runtime's context, so timers
/// and sockets work in it. A body that finishes there returns a settled [`Promise`] and spawns
/// no task. Otherwise the rest of the body runs as a task: on the current tokio runtime, or,
/// outside any runtime, on a multi-thread runtime that promisify starts on first use, so a
/// plain `fn main` needs no setup (as with tokio, work still pending when `main` returns is
/// dropped). It runs whether or not the promise is awaited; dropping the promise does not
/// cancel it.
///
/// The body and the promise's state share one allocation, which the thread keeps, once the body
/// is done and nobody holds the state, for the next body of the same type (a spare for each of
/// the last four body types a thread ran, of at most 1 KiB each): called in a loop, a
/// promisified function allocates nothing when its body finishes in its first poll, and only
/// tokio's task when it waits.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use promisify::{Promise, promisify};
///
/// #[promisify]
/// async fn greet(log: Arc<Mutex<Vec<String>>>, name: String) -> String {
///     log.lock().unwrap().push(format!("greeting {name}"));
///     tokio::task::yield_now().await;
///     format!("hello, {name}")
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let promise: Promise<String> = greet(log.clone(), "ada".into());
/// log.lock().unwrap().push("called".into());
/// // As in JavaScript, the body ran up to its first wait before the call returned.
/// assert_eq!(*log.lock().unwrap(), ["greeting ada", "called"]);
/// assert_eq!(promise.await, "hello, ada");
/// # }
/// ```
///
/// It keeps visibility, attributes, doc comments, generics and where clauses, patterns and
/// `mut` in parameters, and works on methods taking `self` or `self: Arc<Self>`. On a function
/// that is not `async`, the body runs at the call and the function returns a settled promise;
/// a panic there is kept in the promise, as for an `async` body. `#[promisify(crate = path)]`
/// names this crate where it is re-exported under another path.
///
/// Rust is not JavaScript in two ways, both said in [`Promise`]'s docs: awaiting a settled
/// promise does not yield, and on a multi-thread runtime the rest of the body may run in
/// parallel with its caller.
///
/// Because the body outlives the call, it may not borrow: a `&str` parameter, `&self`, or a
/// lifetime parameter is a compile error that says to take an owned value; so are `const`,
/// `unsafe` and `extern` functions, and a body that is not `Send + 'static`.
///
/// ```compile_fail
/// #[promisify::promisify]
/// async fn shout(text: &str) -> String {
///     text.to_uppercase()
/// }
/// ```
#[cfg(feature = "rt")]
pub use promise_macros::promisify;

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
    pub use promise_core::combinators::*;
}

/// The futures of the functions over a number of futures known only at run time, and the
/// stream of [`as_completed`]: [`join_all(iter)`](join_all()) is a [`JoinAll`](iter::JoinAll).
///
/// ```
/// use promisify::{iter::JoinAll, join_all};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let all: JoinAll<_> = join_all((1..=3).map(|i| async move { Ok::<_, ()>(i) }));
/// assert_eq!(all.await, Ok(vec![1, 2, 3]));
/// # });
/// ```
#[cfg(feature = "alloc")]
pub mod iter {
    pub use promise_core::iter::{Any, AsCompleted, JoinAll, Race, Settle};
}

/// The rules the macros hold their arguments to, named in their compile errors.
#[doc(hidden)]
pub mod checks {
    pub use promise_core::checks::*;
}

#[doc(hidden)]
pub mod __private {
    pub use promise_core::__private::*;
    pub use promise_macros::{any, join_all, race, settle};
}

/// Waits for every future to succeed, like JavaScript's `Promise.all`: `Ok` with all the values
/// in argument order, or the first `Err` in completion order.
///
/// Every argument must resolve to a `Result` with the same error type `E`; the output is
/// `Result<(T1, T2, ..), E>` (one argument: `Result<(T1,), E>`). The first `Err` drops all the
/// other arguments at once. A spread `..iter` stands for every future of `iter` and gives a
/// `Vec` in its place: `join_all!(config(), ..shards)` is `Result<(Config, Vec<Shard>), E>`. `join_all!()` is a ready `Ok(())`, as `Promise.all([])` fulfils at
/// once. See the [crate docs](crate#combinators) for the rules every combinator keeps.
///
/// ```
/// use promisify::join_all;
///
/// async fn price(item: &str) -> Result<u32, String> {
///     match item {
///         "tea" => Ok(3),
///         "cake" => Ok(5),
///         _ => Err(format!("no {item}")),
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(join_all!(price("tea"), price("cake")).await, Ok((3, 5)));
/// assert_eq!(join_all!(price("tea"), price("pie")).await, Err("no pie".to_owned()));
/// # });
/// ```
///
/// Arguments with different error types are a compile error that suggests converting them:
///
/// ```compile_fail
/// # use promisify::join_all;
/// # async fn f() {
/// join_all!(async { Ok::<u8, String>(1) }, async { Ok::<u8, std::io::Error>(2) }).await;
/// # }
/// ```
#[macro_export]
macro_rules! join_all {
    ($($tokens:tt)*) => {
        $crate::__private::join_all! { $crate; $($tokens)* }
    };
}

/// Waits for the first future to finish, like JavaScript's `Promise.race`, and yields its output,
/// `Ok` or `Err` alike.
///
/// Every argument must resolve to the same type. The winner's output is returned and all the
/// other arguments are dropped at once; when several finish in one poll, the leftmost wins.
/// A spread `..iter` races every future of `iter` with the other arguments (an empty one adds
/// none; spreads alone that are all empty panic, as [`race()`] does).
/// `race!()` is a compile error: with nothing to race it would never finish. See the
/// [crate docs](crate#combinators) for the rules every combinator keeps.
///
/// ```
/// use std::time::Duration;
/// use promisify::race;
/// use tokio::time::sleep;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let answer = async {
///     sleep(Duration::from_millis(30)).await;
///     Ok(42)
/// };
/// let timeout = async {
///     sleep(Duration::from_millis(10)).await;
///     Err("timed out")
/// };
/// assert_eq!(race!(answer, timeout).await, Err("timed out"));
/// # }
/// ```
#[macro_export]
macro_rules! race {
    // Here, not in the procedural macro, so that rustc names no macro but this one.
    () => {
        ::core::compile_error!(
            "`race!` needs at least one future: with none it would never finish, \
             like `Promise.race([])`; pass the futures to race, as in `race!(a, b)`"
        )
    };
    ($($tokens:tt)*) => {
        $crate::__private::race! { $crate; $($tokens)* }
    };
}

/// Waits for the first future to succeed, like JavaScript's `Promise.any`: the first `Ok` in
/// completion order, or, if every argument fails, all their errors in argument order.
///
/// Every argument must resolve to the same `Result<T, E>`; the output is
/// `Result<T, AggregateError<[E; N]>>` for `N` arguments. With a spread `..iter` among them, it
/// is `Result<T, AggregateError<Vec<E>>>`: every error, flattened in argument order. The first `Ok` drops all the other
/// arguments at once. `any!()` is a compile error: with nothing to try it could only fail. See
/// the [crate docs](crate#combinators) for the rules every combinator keeps.
///
/// ```
/// use promisify::any;
///
/// async fn mirror(name: &'static str, up: bool) -> Result<&'static str, String> {
///     if up { Ok(name) } else { Err(format!("{name} is down")) }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(any!(mirror("eu", false), mirror("us", true)).await, Ok("us"));
///
/// let all_down = any!(mirror("eu", false), mirror("us", false)).await.unwrap_err();
/// assert_eq!(all_down.errors(), ["eu is down", "us is down"]);
/// assert_eq!(all_down.to_string(), "all 2 futures failed: eu is down; us is down");
/// # });
/// ```
#[macro_export]
macro_rules! any {
    // Here, not in the procedural macro, so that rustc names no macro but this one.
    () => {
        ::core::compile_error!(
            "`any!` needs at least one future: with none it could only fail, \
             like `Promise.any([])`; pass the futures to try, as in `any!(a, b)`"
        )
    };
    ($($tokens:tt)*) => {
        $crate::__private::any! { $crate; $($tokens)* }
    };
}

/// Waits for every future to finish, like JavaScript's `Promise.allSettled`, and yields all
/// their outputs in argument order.
///
/// The arguments may resolve to anything; a `Result` is kept as it is, since it *is* the settled
/// state. The output is a tuple `(A, B, ..)` (one argument: `(A,)`), with a `Vec` of outputs in
/// the place of a spread `..iter`. Nothing short-circuits.
/// `settle!()` is a ready `()`, as `Promise.allSettled([])` fulfils at once. See the
/// [crate docs](crate#combinators) for the rules every combinator keeps.
///
/// ```
/// use promisify::settle;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (parsed, failed, plain) = settle!(
///     async { "7".parse::<u8>() },
///     async { "x".parse::<u8>() },
///     async { "no Result needed" },
/// )
/// .await;
/// assert_eq!(parsed, Ok(7));
/// assert!(failed.is_err());
/// assert_eq!(plain, "no Result needed");
/// # });
/// ```
#[macro_export]
macro_rules! settle {
    ($($tokens:tt)*) => {
        $crate::__private::settle! { $crate; $($tokens)* }
    };
}
