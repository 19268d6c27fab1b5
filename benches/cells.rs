//! The benchmark cells: one function per combinator, workload, arity and contender, each
//! running the same leaves through the same minimal executor. Shared by `instructions.rs`
//! (instruction counts, allocations, sizes) and `wall.rs` (criterion).
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    missing_debug_implementations,
    clippy::must_use_candidate,
    clippy::inline_always,
    reason = "benchmark scaffolding"
)]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use futures::FutureExt as _;
use futures_concurrency::prelude::*;
use promisify::{any, join_all, promisify, race, settle};

/// What the leaves do.
#[derive(Clone, Copy)]
pub enum Workload {
    /// Every leaf is ready at once.
    Ready,
    /// Every leaf pends once, waking itself, then is ready.
    Yield1,
    /// Only the last leaf ever finishes, at once; the others stay pending.
    LastOnly,
    /// Every leaf is ready at once, with `Err` but for the last (`any!`'s `only_last_ok`).
    OnlyLastOk,
}

/// A leaf future: one type for every workload and contender, so that arrays work too.
pub struct Leaf<T> {
    pends: u8,
    value: Option<T>,
}

impl<T> Unpin for Leaf<T> {}

impl<T> Future for Leaf<T> {
    type Output = T;

    #[inline]
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.pends {
            0 => Poll::Ready(self.value.take().expect("leaf polled after it finished")),
            u8::MAX => Poll::Pending,
            _ => {
                self.pends -= 1;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}

fn pends(workload: Workload, i: u64, n: u64) -> u8 {
    match workload {
        Workload::Ready | Workload::OnlyLastOk => 0,
        Workload::Yield1 => 1,
        Workload::LastOnly if i + 1 == n => 0,
        Workload::LastOnly => u8::MAX,
    }
}

/// A leaf of `settle!`/`race!`-like cells: yields `i`.
#[inline]
pub fn leaf(workload: Workload, i: u64, n: u64) -> Leaf<u64> {
    Leaf {
        pends: pends(workload, i, n),
        value: Some(i),
    }
}

/// A leaf of `join_all!`/`any!`-like cells: `Ok(i)`, or `Err(i)` where the workload says.
#[inline]
pub fn try_leaf(workload: Workload, i: u64, n: u64) -> Leaf<Result<u64, u64>> {
    let last = i + 1 == n;
    let value = match workload {
        Workload::LastOnly if last => Err(i),
        Workload::OnlyLastOk if !last => Err(i),
        _ => Ok(i),
    };
    Leaf {
        pends: pends(workload, i, n),
        value: Some(value),
    }
}

/// The minimal executor: polls with a waker that does nothing until ready. The pinned future
/// goes through `black_box`, so the optimiser cannot delete what a real executor would keep.
#[inline(always)]
pub fn drive<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut future = black_box(future.as_mut());
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return black_box(output);
        }
    }
}

/// One cell: `run(iters)` builds and drives its future `iters` times; `size()` is the size of
/// that future.
pub struct Cell {
    pub combinator: &'static str,
    pub workload: &'static str,
    pub arity: usize,
    pub contender: &'static str,
    /// The function's path, as callgrind names it.
    pub path: &'static str,
    pub run: fn(u64),
    pub size: fn() -> usize,
    /// How many operations `run` performs for the suite's count: that count, but for the
    /// dynamic cells, which scale it down by the number of futures.
    pub ops: fn(u64) -> u64,
}

fn same_ops(iters: u64) -> u64 {
    iters
}

#[path = "cells/dynamic.rs"]
pub mod dynamic;

macro_rules! cell {
    ($cells:ident, $combinator:literal, $workload:literal, $arity:expr, $name:ident, $contender:literal, $make:expr) => {
        pub mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[inline(never)]
            pub fn run(iters: u64) {
                for _ in 0..iters {
                    drive(make());
                }
            }

            #[inline(always)]
            fn make() -> impl std::future::Future {
                $make
            }

            pub fn size() -> usize {
                std::mem::size_of_val(&make())
            }
        }
        $cells.push(Cell {
            combinator: $combinator,
            workload: $workload,
            arity: $arity,
            contender: $contender,
            path: concat!(module_path!(), "::", stringify!($name), "::run"),
            run: $name::run,
            size: $name::size,
            ops: same_ops,
        });
    };
}

/// Nests a binary combinator from the left: `nest!(zip; a, b, c)` is `zip(zip(a, b), c)`.
macro_rules! nest {
    ($f:path; $a:expr, $b:expr $(, $rest:expr)*) => { nest!(@acc $f; $f($a, $b) $(, $rest)*) };
    (@acc $f:path; $acc:expr) => { $acc };
    (@acc $f:path; $acc:expr, $next:expr $(, $rest:expr)*) => { nest!(@acc $f; $f($acc, $next) $(, $rest)*) };
}

macro_rules! settle_cells {
    ($cells:ident, $workload:literal, $w:expr, $arity:literal, [$($tuple:literal)?], $leaves:tt) => {
        settle_cells!(@main $cells, $workload, $w, $arity, $leaves);
        $(settle_cells!(@tuple $cells, $workload, $w, $arity, $tuple, $leaves);)?
    };
    (@main $cells:ident, $workload:literal, $w:expr, $arity:literal, [$($id:ident $i:literal)+]) => {
        cell!($cells, "settle!", $workload, $arity, ours, "promisify settle!",
            async move { settle!($(leaf($w, $i, $arity)),+).await });
        cell!($cells, "settle!", $workload, $arity, tokio_join, "tokio join!",
            async move { tokio::join!($(leaf($w, $i, $arity)),+) });
        cell!($cells, "settle!", $workload, $arity, futures_join, "futures join!",
            async move { futures::join!($(leaf($w, $i, $arity)),+) });
        cell!($cells, "settle!", $workload, $arity, fc_array, "fc Join (array)",
            async move { [$(leaf($w, $i, $arity)),+].join().await });
        cell!($cells, "settle!", $workload, $arity, lite_zip, "lite zip",
            async move { nest!(futures_lite::future::zip; $(leaf($w, $i, $arity)),+).await });
    };
    (@tuple $cells:ident, $workload:literal, $w:expr, $arity:literal, $tuple:literal, [$($id:ident $i:literal)+]) => {
        cell!($cells, "settle!", $workload, $arity, fc_tuple, $tuple,
            async move { ($(leaf($w, $i, $arity),)+).join().await });
    };
}

macro_rules! join_all_cells {
    ($cells:ident, $workload:literal, $w:expr, $arity:literal, [$($tuple:literal)?], $leaves:tt) => {
        join_all_cells!(@main $cells, $workload, $w, $arity, $leaves);
        $(join_all_cells!(@tuple $cells, $workload, $w, $arity, $tuple, $leaves);)?
    };
    (@main $cells:ident, $workload:literal, $w:expr, $arity:literal, [$($id:ident $i:literal)+]) => {
        cell!($cells, "join_all!", $workload, $arity, ours, "promisify join_all!",
            async move { join_all!($(try_leaf($w, $i, $arity)),+).await });
        cell!($cells, "join_all!", $workload, $arity, tokio_try_join, "tokio try_join!",
            async move { tokio::try_join!($(try_leaf($w, $i, $arity)),+) });
        cell!($cells, "join_all!", $workload, $arity, futures_try_join, "futures try_join!",
            async move { futures::try_join!($(try_leaf($w, $i, $arity)),+) });
        cell!($cells, "join_all!", $workload, $arity, fc_array, "fc TryJoin (array)",
            async move { [$(try_leaf($w, $i, $arity)),+].try_join().await });
        cell!($cells, "join_all!", $workload, $arity, lite_try_zip, "lite try_zip",
            async move { nest!(futures_lite::future::try_zip; $(try_leaf($w, $i, $arity)),+).await });
    };
    (@tuple $cells:ident, $workload:literal, $w:expr, $arity:literal, $tuple:literal, [$($id:ident $i:literal)+]) => {
        cell!($cells, "join_all!", $workload, $arity, fc_tuple, $tuple,
            async move { ($(try_leaf($w, $i, $arity),)+).try_join().await });
    };
}

macro_rules! race_cells {
    ($cells:ident, $workload:literal, $w:expr, $arity:literal, [$($tuple:literal)?], $leaves:tt) => {
        race_cells!(@main $cells, $workload, $w, $arity, $leaves);
        $(race_cells!(@tuple $cells, $workload, $w, $arity, $tuple, $leaves);)?
    };
    (@main $cells:ident, $workload:literal, $w:expr, $arity:literal, [$($id:ident $i:literal)+]) => {
        cell!($cells, "race!", $workload, $arity, ours, "promisify race!",
            async move { race!($(leaf($w, $i, $arity)),+).await });
        cell!($cells, "race!", $workload, $arity, tokio_select, "tokio select! (biased)",
            async move { tokio::select! { biased; $(v = leaf($w, $i, $arity) => v,)+ } });
        cell!($cells, "race!", $workload, $arity, futures_select_biased, "futures select_biased!",
            async move {
                $(let mut $id = leaf($w, $i, $arity).fuse();)+
                futures::select_biased! { $(v = $id => v,)+ }
            });
        cell!($cells, "race!", $workload, $arity, fc_array, "fc Race (array)",
            async move { [$(leaf($w, $i, $arity)),+].race().await });
        cell!($cells, "race!", $workload, $arity, lite_or, "lite or",
            async move { nest!(futures_lite::future::or; $(leaf($w, $i, $arity)),+).await });
    };
    (@tuple $cells:ident, $workload:literal, $w:expr, $arity:literal, $tuple:literal, [$($id:ident $i:literal)+]) => {
        cell!($cells, "race!", $workload, $arity, fc_tuple, $tuple,
            async move { ($(leaf($w, $i, $arity),)+).race().await });
    };
}

macro_rules! any_cells {
    ($cells:ident, $workload:literal, $w:expr, $arity:literal, [$($tuple:literal)?], $leaves:tt) => {
        any_cells!(@main $cells, $workload, $w, $arity, $leaves);
        $(any_cells!(@tuple $cells, $workload, $w, $arity, $tuple, $leaves);)?
    };
    (@main $cells:ident, $workload:literal, $w:expr, $arity:literal, [$($id:ident $i:literal)+]) => {
        cell!($cells, "any!", $workload, $arity, ours, "promisify any!",
            async move { any!($(try_leaf($w, $i, $arity)),+).await });
        cell!($cells, "any!", $workload, $arity, futures_select_ok, "futures select_ok",
            async move { futures::future::select_ok([$(try_leaf($w, $i, $arity)),+]).await });
        cell!($cells, "any!", $workload, $arity, fc_array, "fc RaceOk (array)",
            async move { [$(try_leaf($w, $i, $arity)),+].race_ok().await });
    };
    (@tuple $cells:ident, $workload:literal, $w:expr, $arity:literal, $tuple:literal, [$($id:ident $i:literal)+]) => {
        cell!($cells, "any!", $workload, $arity, fc_tuple, $tuple,
            async move { ($(try_leaf($w, $i, $arity),)+).race_ok().await });
    };
}

/// Every combinator, workload and arity: `$family!` is invoked for arity 3, 8 and 16, the
/// futures-concurrency tuple contender only where it has tuples of that size.
macro_rules! arities {
    ($cells:ident, $family:ident, $module:ident, $workload:literal, $w:expr, $tuple:literal) => {
        pub mod $module {
            use super::*;

            pub fn cells(cells: &mut Vec<Cell>) {
                mod a3 {
                    use super::*;
                    pub fn cells(cells: &mut Vec<Cell>) {
                        $family!(cells, $workload, $w, 3, [$tuple], [a 0 b 1 c 2]);
                    }
                }
                mod a8 {
                    use super::*;
                    pub fn cells(cells: &mut Vec<Cell>) {
                        $family!(cells, $workload, $w, 8, [$tuple], [a 0 b 1 c 2 d 3 e 4 f 5 g 6 h 7]);
                    }
                }
                mod a16 {
                    use super::*;
                    pub fn cells(cells: &mut Vec<Cell>) {
                        $family!(cells, $workload, $w, 16, [], [a 0 b 1 c 2 d 3 e 4 f 5 g 6 h 7 i 8 j 9 k 10 l 11 m 12 n 13 o 14 p 15]);
                    }
                }
                a3::cells(cells);
                a8::cells(cells);
                a16::cells(cells);
            }
        }
        $module::cells(&mut $cells);
    };
}

/// A promisified body that never pends, called and awaited, next to `tokio::spawn` of the
/// same body and awaiting its `JoinHandle`; the same for a body that pends once; and a promise
/// cloned three times and each clone awaited, next to `futures`' `Shared`, for a body that
/// never pends (`clone3_ready`) and one that pends once (`clone3`: ours spawns a task there, as
/// an eager promise must, where `Shared` polls the body from its first awaiter).
pub mod promises {
    use super::*;

    #[promisify]
    async fn ready_body(n: u64) -> u64 {
        black_box(n)
    }

    #[promisify]
    async fn yield_body(n: u64) -> u64 {
        leaf(Workload::Yield1, n, 1).await
    }

    /// As users write it: a body that awaits one leaf and returns its `Result`.
    #[promisify]
    async fn ready_leaf_body(n: u64) -> Result<u64, u64> {
        try_leaf(Workload::Ready, n, 1).await
    }

    #[promisify]
    async fn yield_leaf_body(n: u64) -> Result<u64, u64> {
        try_leaf(Workload::Yield1, n, 1).await
    }

    /// Another body, of another type, to alternate with the one above: a thread keeps the
    /// state of one body type as its spare, so this is the cost when it never fits.
    #[promisify]
    async fn ready_leaf_body_too(n: u64) -> Result<u64, u64> {
        try_leaf(Workload::Ready, n, 1).await.map(|n| n + 1)
    }

    #[promisify]
    async fn yield_leaf_body_too(n: u64) -> Result<u64, u64> {
        try_leaf(Workload::Yield1, n, 1).await.map(|n| n + 1)
    }

    /// A current-thread runtime, built once in `cell`, with every driver or none.
    fn current_thread(
        cell: &'static std::sync::OnceLock<tokio::runtime::Runtime>,
        drivers: bool,
    ) -> &'static tokio::runtime::Runtime {
        cell.get_or_init(|| {
            let mut builder = tokio::runtime::Builder::new_current_thread();
            if drivers {
                builder.enable_all();
            }
            builder.build().unwrap()
        })
    }

    fn runtime() -> &'static tokio::runtime::Runtime {
        static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
        current_thread(&RUNTIME, false)
    }

    /// The runtime users build: current-thread, every driver enabled.
    fn runtime_all() -> &'static tokio::runtime::Runtime {
        static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
        current_thread(&RUNTIME, true)
    }

    macro_rules! on_runtime {
        ($name:ident, $combinator:literal, $workload:literal, $contender:literal, $body:expr) => {
            on_runtime!($name, runtime, $body);
        };
        ($name:ident, $runtime:ident, $body:expr) => {
            pub mod $name {
                use super::*;

                #[inline(never)]
                pub fn run(iters: u64) {
                    $runtime().block_on(async {
                        for i in 0..iters {
                            let _ = black_box($body(black_box(i)).await);
                        }
                    });
                }

                pub fn size() -> usize {
                    0
                }
            }
        };
    }

    on_runtime!(
        promisify_ready,
        "#[promisify]",
        "ready",
        "promisify call + await",
        ready_body
    );
    on_runtime!(
        spawn_ready,
        "#[promisify]",
        "ready",
        "tokio::spawn + await",
        |i| async move { tokio::spawn(async move { black_box(i) }).await.unwrap() }
    );
    on_runtime!(
        promisify_yield1,
        "#[promisify]",
        "yield1",
        "promisify call + await",
        yield_body
    );
    on_runtime!(
        spawn_yield1,
        "#[promisify]",
        "yield1",
        "tokio::spawn + await",
        |i| async move {
            tokio::spawn(async move { leaf(Workload::Yield1, i, 1).await })
                .await
                .unwrap()
        }
    );
    on_runtime!(promisify_ready_all, runtime_all, ready_leaf_body);
    on_runtime!(spawn_ready_all, runtime_all, |i| async move {
        tokio::spawn(try_leaf(Workload::Ready, i, 1)).await.unwrap()
    });
    on_runtime!(promisify_yield1_all, runtime_all, yield_leaf_body);
    /// Cells that call `$a` on even operations and `$b` on odd ones.
    macro_rules! alternating {
        ($($name:ident: $a:expr, $b:expr;)*) => {$(
            on_runtime!($name, runtime_all, |i| async move {
                if i % 2 == 0 { $a(i).await } else { $b(i).await }
            });
        )*};
    }

    on_runtime!(spawn_yield1_all, runtime_all, |i| async move {
        tokio::spawn(try_leaf(Workload::Yield1, i, 1))
            .await
            .unwrap()
    });

    /// Spawns a leaf of `workload` and awaits it.
    async fn spawn_leaf(workload: Workload, i: u64) -> Result<u64, u64> {
        tokio::spawn(try_leaf(workload, i, 1)).await.unwrap()
    }

    /// The same, with another future type: `+ 1` to the leaf's output.
    async fn spawn_leaf_too(workload: Workload, i: u64) -> Result<u64, u64> {
        tokio::spawn(async move { try_leaf(workload, i, 1).await.map(|n| n + 1) })
            .await
            .unwrap()
    }

    alternating! {
        promisify_ready_alternating: ready_leaf_body, ready_leaf_body_too;
        spawn_ready_alternating:
            |i| spawn_leaf(Workload::Ready, i), |i| spawn_leaf_too(Workload::Ready, i);
        promisify_yield1_alternating: yield_leaf_body, yield_leaf_body_too;
        spawn_yield1_alternating:
            |i| spawn_leaf(Workload::Yield1, i), |i| spawn_leaf_too(Workload::Yield1, i);
    }
    on_runtime!(
        promise_clone3_ready,
        "Promise clone",
        "clone3_ready",
        "Promise, 3 clones awaited",
        |i| async move {
            let promise = ready_body(i);
            let (a, b) = (promise.clone(), promise.clone());
            promise.await + a.await + b.await
        }
    );
    on_runtime!(
        shared_clone3_ready,
        "Promise clone",
        "clone3_ready",
        "futures shared(), 3 clones awaited",
        |i| async move {
            let shared = async move { black_box(i) }.shared();
            let (a, b) = (shared.clone(), shared.clone());
            shared.await + a.await + b.await
        }
    );
    on_runtime!(
        promise_clone3,
        "Promise clone",
        "clone3",
        "Promise, 3 clones awaited",
        |i| async move {
            let promise = yield_body(i);
            let (a, b) = (promise.clone(), promise.clone());
            promise.await + a.await + b.await
        }
    );
    on_runtime!(
        shared_clone3,
        "Promise clone",
        "clone3",
        "futures shared(), 3 clones awaited",
        |i| async move {
            let shared = async move { leaf(Workload::Yield1, i, 1).await }.shared();
            let (a, b) = (shared.clone(), shared.clone());
            shared.await + a.await + b.await
        }
    );

    pub fn cells(cells: &mut Vec<Cell>) {
        macro_rules! push {
            ($($name:ident $workload:literal $contender:literal;)*) => {$(
                cells.push(Cell {
                    combinator: if $workload.starts_with("clone3") {
                        "Promise clone"
                    } else if $workload.contains("as users write it") {
                        "#[promisify] as users write it"
                    } else {
                        "#[promisify]"
                    },
                    workload: $workload,
                    arity: 1,
                    contender: $contender,
                    path: concat!(module_path!(), "::", stringify!($name), "::run"),
                    run: $name::run,
                    size: $name::size,
                    ops: same_ops,
                });
            )*};
        }
        push! {
            promisify_ready "ready" "promisify call + await";
            spawn_ready "ready" "tokio::spawn + await";
            promisify_yield1 "yield1" "promisify call + await";
            spawn_yield1 "yield1" "tokio::spawn + await";
            promisify_ready_all "ready, as users write it" "promisify call + await";
            spawn_ready_all "ready, as users write it" "tokio::spawn + await";
            promisify_yield1_all "yield1, as users write it" "promisify call + await";
            spawn_yield1_all "yield1, as users write it" "tokio::spawn + await";
            promisify_ready_alternating "ready, as users write it, two bodies alternating" "promisify call + await";
            spawn_ready_alternating "ready, as users write it, two bodies alternating" "tokio::spawn + await";
            promisify_yield1_alternating "yield1, as users write it, two bodies alternating" "promisify call + await";
            spawn_yield1_alternating "yield1, as users write it, two bodies alternating" "tokio::spawn + await";
            promise_clone3_ready "clone3_ready" "Promise, 3 clones awaited";
            shared_clone3_ready "clone3_ready" "futures shared(), 3 clones awaited";
            promise_clone3 "clone3" "Promise, 3 clones awaited";
            shared_clone3 "clone3" "futures shared(), 3 clones awaited";
        }
    }
}

/// The loop with nothing in it: an `async` block with no combinator, subtracted from every cell.
pub mod baseline {
    use super::{black_box, drive};

    #[inline(never)]
    pub fn run(iters: u64) {
        for _ in 0..iters {
            drive(async move { black_box(0u64) });
        }
    }

    pub const PATH: &str = concat!(module_path!(), "::run");
}

pub fn all() -> Vec<Cell> {
    let mut cells = Vec::new();
    arities!(
        cells,
        settle_cells,
        settle_ready,
        "ready",
        Workload::Ready,
        "fc Join (tuple)"
    );
    arities!(
        cells,
        settle_cells,
        settle_yield1,
        "yield1",
        Workload::Yield1,
        "fc Join (tuple)"
    );
    arities!(
        cells,
        join_all_cells,
        join_all_ready,
        "ready",
        Workload::Ready,
        "fc TryJoin (tuple)"
    );
    arities!(
        cells,
        join_all_cells,
        join_all_yield1,
        "yield1",
        Workload::Yield1,
        "fc TryJoin (tuple)"
    );
    arities!(
        cells,
        join_all_cells,
        join_all_last_err,
        "last_err",
        Workload::LastOnly,
        "fc TryJoin (tuple)"
    );
    arities!(
        cells,
        race_cells,
        race_ready,
        "ready",
        Workload::Ready,
        "fc Race (tuple)"
    );
    arities!(
        cells,
        race_cells,
        race_yield1,
        "yield1",
        Workload::Yield1,
        "fc Race (tuple)"
    );
    arities!(
        cells,
        race_cells,
        race_last_wins,
        "last_wins",
        Workload::LastOnly,
        "fc Race (tuple)"
    );
    arities!(
        cells,
        any_cells,
        any_ready,
        "ready",
        Workload::Ready,
        "fc RaceOk (tuple)"
    );
    arities!(
        cells,
        any_cells,
        any_only_last_ok,
        "only_last_ok",
        Workload::OnlyLastOk,
        "fc RaceOk (tuple)"
    );
    promises::cells(&mut cells);
    dynamic::cells(&mut cells);
    cells
}
