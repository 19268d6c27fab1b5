//! Cells of the functions over a number of futures known at run time, N = 10 to 10,000,
//! against futures' and futures-concurrency's collections of futures.
//!
//! One operation builds the combinator over N leaves, drives it to completion, and drops it.
//! `run(ops)` performs `ops` operations; `ops(iters)` scales the suite's count down by N.

use std::cell::RefCell;
use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use futures::stream::{FuturesOrdered, FuturesUnordered, StreamExt, TryStreamExt};
use futures_concurrency::prelude::*;

use super::{Cell, Leaf, Workload, leaf, try_leaf};

/// The leaves of the dynamic cells: those of the fixed cells, or one that pends until the
/// driver opens it (`staggered`).
pub enum Dyn<T> {
    Leaf(Leaf<T>),
    Gated(usize, Option<T>),
}

impl<T> Unpin for Dyn<T> {}

thread_local! {
    /// The gates of `staggered`: open or not, and the waker a closed one was polled with.
    /// Kept from one operation to the next, so that it costs no allocation per operation.
    static GATES: RefCell<Vec<(bool, Option<Waker>)>> = const { RefCell::new(Vec::new()) };
}

impl<T> Future for Dyn<T> {
    type Output = T;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.get_mut() {
            Dyn::Leaf(leaf) => Pin::new(leaf).poll(cx),
            Dyn::Gated(i, value) => GATES.with_borrow_mut(|gates| {
                let (open, waker) = &mut gates[*i];
                if *open {
                    return Poll::Ready(value.take().expect("gated leaf polled after it finished"));
                }
                match waker {
                    Some(waker) => waker.clone_from(cx.waker()),
                    None => *waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }),
        }
    }
}

/// The dynamic workloads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// Every future is ready at its first poll.
    Ready,
    /// Every future pends once, waking itself.
    Yield1,
    /// Every future pends until woken on its own, one at a time, the last first.
    Staggered,
    /// Only the last finishes, at once, with `Err`; the others stay pending (`join_all`).
    LastErr,
    /// Every future fails at once but the last, which succeeds (`any`).
    OnlyLastOk,
}

fn fixed(load: Load) -> Workload {
    match load {
        Load::Ready | Load::Staggered => Workload::Ready,
        Load::Yield1 => Workload::Yield1,
        Load::LastErr => Workload::LastOnly,
        Load::OnlyLastOk => Workload::OnlyLastOk,
    }
}

/// Leaf `i` of `n`, yielding `i`.
#[inline]
pub fn leaf_of(load: Load, i: usize, n: usize) -> Dyn<u64> {
    match load {
        Load::Staggered => Dyn::Gated(i, Some(i as u64)),
        _ => Dyn::Leaf(leaf(fixed(load), i as u64, n as u64)),
    }
}

/// Leaf `i` of `n`, yielding `Ok(i)` or `Err(i)` as the workload says (`staggered`: `Ok`,
/// but `Err` for every leaf but the first in `any`'s cells, which pass `errs`).
#[inline]
pub fn try_leaf_of(load: Load, i: usize, n: usize, errs: bool) -> Dyn<Result<u64, u64>> {
    match load {
        Load::Staggered => Dyn::Gated(
            i,
            Some(if errs && i != 0 {
                Err(i as u64)
            } else {
                Ok(i as u64)
            }),
        ),
        _ => Dyn::Leaf(try_leaf(fixed(load), i as u64, n as u64)),
    }
}

/// Drives `future` with a waker that does nothing; under `staggered`, each time it pends, opens
/// the next gate, the last first, and wakes the waker its leaf was polled with.
#[inline(always)]
pub fn drive<F: Future>(load: Load, n: usize, future: F) -> F::Output {
    if load == Load::Staggered {
        GATES.with_borrow_mut(|gates| {
            gates.clear();
            gates.resize_with(n, || (false, None));
        });
    }
    let mut future = pin!(future);
    let mut future = black_box(future.as_mut());
    let mut cx = Context::from_waker(Waker::noop());
    let mut next = n;
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return black_box(output);
        }
        if load == Load::Staggered && next > 0 {
            next -= 1;
            let waker = GATES.with_borrow_mut(|gates| {
                gates[next].0 = true;
                gates[next].1.take()
            });
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

macro_rules! dyn_cell {
    ($cells:ident, $function:literal, $workload:literal, $load:expr, $n:literal, $name:ident, $contender:literal, |$i:ident| $make:expr) => {
        pub mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[inline(never)]
            pub fn run(ops: u64) {
                for _ in 0..ops {
                    drive($load, $n, make());
                }
            }

            #[inline(always)]
            fn make() -> impl Future {
                let $i = (0..$n).map(|i| black_box(i));
                $make
            }

            pub fn size() -> usize {
                std::mem::size_of_val(&make())
            }

            pub fn ops(iters: u64) -> u64 {
                (iters * 10 / $n).max(1)
            }
        }
        $cells.push(Cell {
            combinator: $function,
            workload: $workload,
            arity: $n,
            contender: $contender,
            path: concat!(module_path!(), "::", stringify!($name), "::run"),
            run: $name::run,
            size: $name::size,
            ops: $name::ops,
        });
    };
}

/// The cells of one function, workload and size: a module and a `Cell` per contender.
macro_rules! dyn_cells {
    ($cells:ident, $function:literal, $workload:literal, $load:expr, $n:literal;
     $($name:ident $contender:literal |$i:ident| $make:expr;)+) => {
        $(dyn_cell!($cells, $function, $workload, $load, $n, $name, $contender, |$i| $make);)+
    };
}

macro_rules! sizes {
    ($cells:ident, $family:ident, $module:ident, $workload:literal, $load:expr) => {
        pub mod $module {
            use super::*;
            pub fn cells(cells: &mut Vec<Cell>) {
                mod n10 {
                    use super::*;
                    pub fn cells(cells: &mut Vec<Cell>) {
                        $family!(cells, $workload, $load, 10);
                    }
                }
                mod n100 {
                    use super::*;
                    pub fn cells(cells: &mut Vec<Cell>) {
                        $family!(cells, $workload, $load, 100);
                    }
                }
                mod n1000 {
                    use super::*;
                    pub fn cells(cells: &mut Vec<Cell>) {
                        $family!(cells, $workload, $load, 1000);
                    }
                }
                mod n10000 {
                    use super::*;
                    pub fn cells(cells: &mut Vec<Cell>) {
                        $family!(cells, $workload, $load, 10000);
                    }
                }
                n10::cells(cells);
                n100::cells(cells);
                n1000::cells(cells);
                n10000::cells(cells);
            }
        }
        $module::cells($cells);
    };
}

/// `last_err` leaves out the peers that never finish it: `FuturesOrdered` waits for the first
/// output before it looks at the others, and futures' `try_join_all` uses it above 30 futures,
/// so neither fails fast.
macro_rules! join_all_cells {
    ($cells:ident, $workload:literal, $load:expr, $n:literal) => {
        let fails_fast = $load != Load::LastErr;
        dyn_cells!($cells, "join_all(iter)", $workload, $load, $n;
            ours "promisify join_all"
                |it| promisify::join_all(it.map(|i| try_leaf_of($load, i, $n, false)));
        );
        if fails_fast || $n <= 30 {
            dyn_cells!($cells, "join_all(iter)", $workload, $load, $n;
                futures_try_join_all "futures try_join_all"
                    |it| futures::future::try_join_all(it.map(|i| try_leaf_of($load, i, $n, false)));
            );
        }
        if fails_fast {
            dyn_cells!($cells, "join_all(iter)", $workload, $load, $n;
                futures_ordered "futures FuturesOrdered"
                    |it| it
                        .map(|i| try_leaf_of($load, i, $n, false))
                        .collect::<FuturesOrdered<_>>()
                        .try_collect::<Vec<_>>();
            );
        }
        dyn_cells!($cells, "join_all(iter)", $workload, $load, $n;
            fc_vec "fc Vec TryJoin"
                |it| it.map(|i| try_leaf_of($load, i, $n, false)).collect::<Vec<_>>().try_join();
        );
    };
}

macro_rules! settle_cells {
    ($cells:ident, $workload:literal, $load:expr, $n:literal) => {
        dyn_cells!($cells, "settle(iter)", $workload, $load, $n;
            ours "promisify settle" |it| promisify::settle(it.map(|i| leaf_of($load, i, $n)));
            futures_join_all "futures join_all"
                |it| futures::future::join_all(it.map(|i| leaf_of($load, i, $n)));
            futures_ordered "futures FuturesOrdered"
                |it| it
                    .map(|i| leaf_of($load, i, $n))
                    .collect::<FuturesOrdered<_>>()
                    .collect::<Vec<_>>();
            fc_vec "fc Vec Join" |it| it.map(|i| leaf_of($load, i, $n)).collect::<Vec<_>>().join();
        );
    };
}

macro_rules! race_cells {
    ($cells:ident, $workload:literal, $load:expr, $n:literal) => {
        dyn_cells!($cells, "race(iter)", $workload, $load, $n;
            ours "promisify race" |it| promisify::race(it.map(|i| leaf_of($load, i, $n)));
            futures_select_all "futures select_all"
                |it| async move {
                    futures::future::select_all(it.map(|i| leaf_of($load, i, $n))).await.0
                };
            fc_vec "fc Vec Race" |it| it.map(|i| leaf_of($load, i, $n)).collect::<Vec<_>>().race();
        );
    };
}

macro_rules! any_cells {
    ($cells:ident, $workload:literal, $load:expr, $n:literal) => {
        dyn_cells!($cells, "any(iter)", $workload, $load, $n;
            ours "promisify any" |it| promisify::any(it.map(|i| try_leaf_of($load, i, $n, true)));
            futures_select_ok "futures select_ok"
                |it| futures::future::select_ok(it.map(|i| try_leaf_of($load, i, $n, true)));
            fc_vec "fc Vec RaceOk"
                |it| it.map(|i| try_leaf_of($load, i, $n, true)).collect::<Vec<_>>().race_ok();
        );
    };
}

/// Every item of `stream`, in a `Vec` made to measure: the same one allocation for every
/// contender.
fn collect<S: futures::Stream>(stream: S, n: usize) -> impl Future<Output = Vec<S::Item>> {
    stream.fold(Vec::with_capacity(n), |mut items, item| {
        items.push(item);
        std::future::ready(items)
    })
}

macro_rules! as_completed_cells {
    ($cells:ident, $workload:literal, $load:expr, $n:literal) => {
        dyn_cells!($cells, "as_completed(iter)", $workload, $load, $n;
            ours "promisify as_completed"
                |it| collect(promisify::as_completed(it.map(|i| leaf_of($load, i, $n))), $n);
            futures_unordered "futures FuturesUnordered"
                |it| collect(it.map(|i| leaf_of($load, i, $n)).collect::<FuturesUnordered<_>>(), $n);
        );
    };
}

pub fn cells(cells: &mut Vec<Cell>) {
    sizes!(cells, join_all_cells, join_all_ready, "ready", Load::Ready);
    sizes!(
        cells,
        join_all_cells,
        join_all_yield1,
        "yield1",
        Load::Yield1
    );
    sizes!(
        cells,
        join_all_cells,
        join_all_staggered,
        "staggered",
        Load::Staggered
    );
    sizes!(
        cells,
        join_all_cells,
        join_all_last_err,
        "last_err",
        Load::LastErr
    );
    sizes!(cells, settle_cells, settle_ready, "ready", Load::Ready);
    sizes!(cells, settle_cells, settle_yield1, "yield1", Load::Yield1);
    sizes!(
        cells,
        settle_cells,
        settle_staggered,
        "staggered",
        Load::Staggered
    );
    sizes!(cells, race_cells, race_ready, "ready", Load::Ready);
    sizes!(cells, race_cells, race_yield1, "yield1", Load::Yield1);
    sizes!(
        cells,
        race_cells,
        race_staggered,
        "staggered",
        Load::Staggered
    );
    sizes!(cells, any_cells, any_ready, "ready", Load::Ready);
    sizes!(
        cells,
        any_cells,
        any_only_last_ok,
        "only_last_ok",
        Load::OnlyLastOk
    );
    sizes!(
        cells,
        any_cells,
        any_staggered,
        "staggered",
        Load::Staggered
    );
    sizes!(
        cells,
        as_completed_cells,
        as_completed_ready,
        "ready",
        Load::Ready
    );
    sizes!(
        cells,
        as_completed_cells,
        as_completed_yield1,
        "yield1",
        Load::Yield1
    );
    sizes!(
        cells,
        as_completed_cells,
        as_completed_staggered,
        "staggered",
        Load::Staggered
    );
}
