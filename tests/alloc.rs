//! Exact heap allocation counts. Its own test target: a `#[global_allocator]` rules the whole
//! binary. The counter is per thread, so tests running in parallel do not see each other.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::{Future, ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use common::block_on;

use promisify::{Promise, any, as_completed, join_all, promisify, race, settle};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static FREES: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are ours; the only addition is bumping a `const`-initialised
// thread-local `Cell`, which neither allocates nor registers a destructor.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREES.with(|n| n.set(n.get() + 1));
        // SAFETY: `ptr` was allocated by `System` through `alloc`/`realloc` above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded as is; `ptr` came from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f`, on this thread.
fn allocations_in(f: impl FnOnce()) -> usize {
    allocations_and_frees_in(f).1
}

/// Pends `n` times, waking itself each time, then yields `value`. Allocates nothing.
struct Yield<T> {
    n: u8,
    value: Option<T>,
}

impl<T: Unpin> Future for Yield<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if self.n > 0 {
            self.n -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.value.take().unwrap())
    }
}

fn yield_once<T>(value: T) -> Yield<T> {
    Yield {
        n: 1,
        value: Some(value),
    }
}

/// Runs `future` on a current-thread runtime of its own.
fn on_current_thread<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

/// Polls to the end with a waker that does nothing.
fn run<F: Future>(future: F) -> F::Output {
    block_on(future).0
}

/// Allocations and frees made by `f`, on this thread.
fn allocations_and_frees_in<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let before = (ALLOCATIONS.with(Cell::get), FREES.with(Cell::get));
    let output = f();
    (
        output,
        ALLOCATIONS.with(Cell::get) - before.0,
        FREES.with(Cell::get) - before.1,
    )
}

#[test]
fn the_counter_counts() {
    assert_eq!(allocations_in(|| drop(Box::new(1u8))), 1);
    assert_eq!(allocations_in(|| drop(vec![1u8; 3])), 1);
}

macro_rules! zero_allocations {
    ($($name:ident: $n:literal [$($i:tt)+];)*) => {$(
        #[test]
        fn $name() {
            let counts = [
                allocations_in(|| { run(settle!($(ready($i)),+)); }),
                allocations_in(|| { run(settle!($(yield_once($i)),+)); }),
                allocations_in(|| { assert!(run(join_all!($(ready(Ok::<u8, u8>($i))),+)).is_ok()); }),
                allocations_in(|| { assert!(run(join_all!($(yield_once(Ok::<u8, u8>($i))),+)).is_ok()); }),
                allocations_in(|| { assert!(run(join_all!($(yield_once(Err::<u8, u8>($i))),+)).is_err()); }),
                allocations_in(|| { run(race!($(ready($i)),+)); }),
                allocations_in(|| { run(race!($(yield_once($i)),+)); }),
                allocations_in(|| { run(any!($(ready(Err::<u8, u8>($i))),+)).unwrap_err(); }),
                allocations_in(|| { run(any!($(yield_once(Err::<u8, u8>($i))),+)).unwrap_err(); }),
                allocations_in(|| { run(any!($(yield_once(Ok::<u8, u8>($i))),+)).unwrap(); }),
            ];
            assert_eq!(counts, [0; 10], "arity {}", $n);
        }
    )*};
}

zero_allocations! {
    arity_1_allocates_nothing: 1 [0];
    arity_3_allocates_nothing: 3 [0 1 2];
    arity_8_allocates_nothing: 8 [0 1 2 3 4 5 6 7];
    arity_16_allocates_nothing: 16 [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15];
}

#[test]
fn a_resolved_promise_allocates_nothing() {
    let count = allocations_in(|| {
        let promise = Promise::resolve(String::new());
        let clone = promise.clone();
        assert_eq!(run(promise), "");
        assert_eq!(run(clone), "");
    });
    assert_eq!(count, 0);
}

#[promisify]
async fn never_pends(n: u64) -> u64 {
    ready(n).await * 2
}

#[promisify]
async fn pends_once(n: u64) -> u64 {
    yield_once(n).await * 2
}

#[promisify]
async fn never_pends_either(n: u32) -> u32 {
    ready(n).await + 1
}

#[promisify]
async fn never_pends_or_panics(n: u64) -> u64 {
    assert!(n > 0, "no zero");
    n
}

#[test]
fn a_body_that_never_pends_reuses_a_spare_state_of_its_type() {
    on_current_thread(async {
        let (promise, allocations, _) = allocations_and_frees_in(|| never_pends_either(1));
        assert_eq!(promise.await, 2);
        assert!(allocations >= 1, "the first state of this thread");
        let (promise, allocations, frees) = allocations_and_frees_in(|| never_pends(21));
        assert_eq!(
            (allocations, frees),
            (1, 0),
            "a state of its own; the spare of another type stays"
        );
        assert!(promise.is_settled());
        let (value, allocations, _) = allocations_and_frees_in(|| run(promise));
        assert_eq!((value, allocations), (42, 0));
        for n in 0..3u32 {
            let (promise, allocations, frees) = allocations_and_frees_in(|| never_pends(n.into()));
            assert_eq!((allocations, frees), (0, 0), "the spare of this body");
            assert_eq!(run(promise), u64::from(n) * 2);
            let (promise, allocations, frees) = allocations_and_frees_in(|| never_pends_either(n));
            assert_eq!((allocations, frees), (0, 0), "the spare of the other");
            assert_eq!(run(promise), n + 1);
        }
        let (promise, allocations, frees) = allocations_and_frees_in(|| pends_once(4));
        assert_eq!(
            (allocations, frees),
            (2, 0),
            "a body of a third type that pends: a state of its own, and its task"
        );
        assert_eq!(promise.await, 8);
        let (promise, allocations, frees) = allocations_and_frees_in(|| never_pends(5));
        assert_eq!((allocations, frees), (0, 0), "still there");
        assert_eq!(run(promise), 10);
    });
}

macro_rules! bodies {
    ($($name:ident)*) => {$(
        #[promisify]
        async fn $name(n: u8) -> u8 {
            ready(n).await
        }
    )*};
}

bodies!(first second third fourth fifth);

#[test]
fn a_thread_keeps_spares_of_four_body_types() {
    on_current_thread(async {
        for body in [first, second, third, fourth] {
            assert_eq!(body(1).await, 1);
        }
        for body in [first, second, third, fourth, third, first] {
            let (promise, allocations, frees) = allocations_and_frees_in(|| body(2));
            assert_eq!((allocations, frees), (0, 0), "each type has its spare");
            assert_eq!(run(promise), 2);
        }
        let (promise, allocations, frees) = allocations_and_frees_in(|| fifth(5));
        assert_eq!(
            (allocations, frees),
            (1, 1),
            "a fifth type: a state of its own, and a spare of another type goes"
        );
        assert_eq!(run(promise), 5);
    });
}

#[test]
fn a_body_that_panics_in_its_first_poll_leaves_a_spare_as_good_as_new() {
    on_current_thread(async {
        assert_eq!(never_pends_or_panics(1).await, 1);
        // (What the panic allocates depends on the hook: not counted.)
        let failed = never_pends_or_panics(0);
        assert_eq!(
            failed.settled().await,
            Err(promisify::PromiseError::Panicked("no zero".into()))
        );
        let (promise, allocations, frees) = allocations_and_frees_in(|| never_pends_or_panics(3));
        assert_eq!((allocations, frees), (0, 0));
        assert_eq!(promise.await, 3);
    });
}

#[promisify]
async fn pends_once_more(n: u64) -> u64 {
    yield_once(n).await + 1
}

/// Allocations and frees made while awaiting `future`, on this thread.
async fn allocations_and_frees_awaiting<F: Future>(future: F) -> (F::Output, usize, usize) {
    let before = (ALLOCATIONS.with(Cell::get), FREES.with(Cell::get));
    let output = future.await;
    (
        output,
        ALLOCATIONS.with(Cell::get) - before.0,
        FREES.with(Cell::get) - before.1,
    )
}

#[test]
fn a_body_that_pends_allocates_its_task_and_a_state_unless_its_thread_has_a_spare() {
    on_current_thread(async {
        let _warm_up = pends_once(0).await;
        let (promise, allocations, frees) = allocations_and_frees_in(|| pends_once_more(1));
        assert_eq!(
            (allocations, frees),
            (2, 0),
            "a state with the body in it, and the task"
        );
        let (value, allocations, frees) = allocations_and_frees_awaiting(promise).await;
        assert_eq!(value, 2);
        assert_eq!(
            (allocations, frees),
            (0, 1),
            "the task; the state, read, is the spare"
        );
        for n in 0..3 {
            let (promise, allocations, frees) = allocations_and_frees_in(|| pends_once_more(n));
            assert_eq!((allocations, frees), (1, 0), "the task alone");
            let (value, allocations, frees) = allocations_and_frees_awaiting(promise).await;
            assert_eq!(value, n + 1);
            assert_eq!((allocations, frees), (0, 1), "the task alone");
        }
    });
}

#[test]
fn the_last_reader_of_a_state_makes_it_the_spare() {
    on_current_thread(async {
        let _warm_up = pends_once(0).await;
        let promise = pends_once(1);
        let clone = promise.clone();
        assert_eq!(promise.await, 2);
        let (other, allocations, _) = allocations_and_frees_in(|| pends_once(2));
        assert_eq!(allocations, 2, "the clone still holds the state: no spare");
        assert_eq!(clone.await, 2);
        assert_eq!(other.await, 4);
        let (promise, allocations, _) = allocations_and_frees_in(|| pends_once(3));
        assert_eq!(allocations, 1, "the task alone");
        assert_eq!(promise.await, 6);
    });
}

/// The allocations made by evaluating `$e`, whose value must be `$expected`.
macro_rules! allocations_of {
    ($e:expr, $expected:expr) => {{
        let (output, allocations, _) = allocations_and_frees_in(|| $e);
        assert_eq!(output, $expected);
        allocations
    }};
}

fn yield_times<T>(n: u8, value: T) -> Yield<T> {
    Yield {
        n,
        value: Some(value),
    }
}

/// The dynamic combinators: the futures' storage alone, which the output `Vec` takes over,
/// whether the futures are ready at once or pend a few times, and above 32 futures that keep
/// pending too, whose wakers live in room the storage keeps for them.
#[test]
fn dynamic_combinators_allocate_a_fixed_number_of_times_whatever_n() {
    for n in [1, 10, 32, 33, 100, 1000] {
        let ok = |i| Ok::<_, ()>(i);
        let err = |i| Err::<(), _>(i);
        let last_fails = move |i| if i + 1 == n { Err(i) } else { Ok(i) };
        let counts = [
            allocations_of!(
                run(join_all((0..n).map(|i| ready(ok(i))))).map(|v| v.len()),
                Ok(n)
            ),
            allocations_of!(run(settle((0..n).map(ready))).len(), n),
            allocations_of!(run(race((0..n).map(ready))), 0),
            allocations_of!(run(any((0..n).map(|i| ready(ok(i))))), Ok(0)),
            allocations_of!(
                run(any((0..n).map(|i| ready(err(i))))).map_err(|e| e.len()),
                Err(n)
            ),
            allocations_of!(
                run(join_all((0..n).map(|i| ready(last_fails(i))))),
                Err(n - 1)
            ),
        ];
        assert_eq!(counts, [1; 6], "ready at once, n = {n}");
        let counts = [
            allocations_of!(
                run(join_all((0..n).map(|i| yield_once(ok(i))))).map(|v| v.len()),
                Ok(n)
            ),
            allocations_of!(run(settle((0..n).map(yield_once))).len(), n),
            allocations_of!(run(race((0..n).map(yield_once))), 0),
            allocations_of!(
                run(any((0..n).map(|i| yield_once(err(i))))).map_err(|e| e.len()),
                Err(n)
            ),
        ];
        assert_eq!(counts, [1; 4], "pending once, n = {n}");
        // Pending four times: after two polls of every future that found nothing new, each
        // gets a waker of its own (above 32 futures), with no allocation of its own.
        let counts = [
            allocations_of!(
                run(join_all((0..n).map(|i| yield_times(4, ok(i))))).map(|v| v.len()),
                Ok(n)
            ),
            allocations_of!(run(settle((0..n).map(|i| yield_times(4, i)))).len(), n),
            allocations_of!(run(race((0..n).map(|i| yield_times(4, i)))), 0),
            allocations_of!(
                run(any((0..n).map(|i| yield_times(4, err(i))))).map_err(|e| e.len()),
                Err(n)
            ),
        ];
        assert_eq!(counts, [1; 4], "pending four times, n = {n}");
    }
}

/// A future of a `u32` whose slot is aligned for a `u64`.
#[repr(align(8))]
struct Wide(u32);

impl Future for Wide {
    type Output = Result<u32, ()>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(Ok(self.0))
    }
}

/// An output that the futures' storage cannot hold in place (here, its alignment differs from
/// the slots') goes to a `Vec` of its own: one allocation more, and the same values.
#[test]
fn outputs_that_do_not_fit_the_storage_get_a_vec_of_their_own() {
    for n in [0, 1, 10, 100] {
        let (values, allocations, frees) =
            allocations_and_frees_in(|| run(join_all((0..n).map(Wide))).unwrap());
        assert_eq!(values, (0..n).collect::<Vec<_>>());
        assert_eq!(
            (allocations, frees),
            if n == 0 { (0, 0) } else { (2, 1) },
            "n = {n}"
        );
    }
}

/// A waker that outlives its future keeps the storage its waker lives in: the outputs get a
/// `Vec` of their own, and the storage is freed with the last such waker, not before.
#[test]
fn a_waker_that_outlives_its_future_keeps_the_storage_and_the_outputs_get_their_own_vec() {
    let n = 100;
    let kept = std::cell::RefCell::new(Vec::with_capacity(3 * n));
    let leaves = || {
        (0..n as u64).map(|value| {
            let mut leaf = yield_times(3, value);
            let kept = &kept;
            std::future::poll_fn(move |cx| {
                // At its last poll, with a waker of its own (made at its third), it keeps a clone.
                if leaf.n == 0 {
                    kept.borrow_mut().push(cx.waker().clone());
                }
                Pin::new(&mut leaf).poll(cx).map(Ok::<_, ()>)
            })
        })
    };
    let (values, allocations, frees) = allocations_and_frees_in(|| run(join_all(leaves())));
    assert_eq!(values.unwrap(), (0..n as u64).collect::<Vec<_>>());
    assert_eq!(kept.borrow().len(), n, "each kept its waker");
    assert_eq!(
        (allocations, frees),
        (2, 0),
        "the storage, and the outputs' `Vec`"
    );
    let ((), _, frees) = allocations_and_frees_in(|| kept.borrow_mut().clear());
    assert_eq!(frees, 1, "the last waker frees the storage");
    // Without a kept waker, the outputs take the storage over: one allocation.
    let (values, allocations, _) = allocations_and_frees_in(|| {
        run(join_all((0..n as u64).map(|i| {
            std::future::poll_fn({
                let mut leaf = yield_times(3, i);
                move |cx| Pin::new(&mut leaf).poll(cx).map(Ok::<_, ()>)
            })
        })))
    });
    assert_eq!(values.unwrap().len(), n);
    assert_eq!(allocations, 1);
}

/// `as_completed`: the storage alone, when every future is ready at its first poll as when
/// a sweep found every future pending, whatever their number, and each got a waker of its
/// own (in the storage's room).
#[test]
fn as_completed_allocates_the_storage_and_its_wakers_only() {
    use futures::StreamExt;
    for n in [1, 10, 1000] {
        let count = |pends: u8| {
            let mut out = Vec::with_capacity(n);
            let count = allocations_in(|| {
                let leaves = (0..n).map(|i| yield_times(pends, i));
                run(as_completed(leaves).for_each(|item| {
                    out.push(item);
                    ready(())
                }));
            });
            assert_eq!(out.len(), n);
            count
        };
        assert_eq!([count(0), count(4)], [1, 1], "n = {n}");
    }
}

#[test]
fn spreads_allocate_what_their_dynamic_combinator_does() {
    let count = allocations_in(|| {
        let all = run(join_all!(
            ready(Ok::<_, ()>(0)),
            ..(1..20).map(|i| ready(Ok(i)))
        ));
        assert_eq!(all.unwrap().1.len(), 19);
    });
    assert_eq!(count, 1);
    let count = allocations_in(|| assert_eq!(run(race!(yield_once(0), ..(1..20).map(ready))), 1));
    assert_eq!(count, 1);
}

/// A promise awaited by one long-lived handle while many others come, poll once and go: the
/// awaiters' wakers take no more room than there are awaiters at once, whatever the churn.
#[test]
fn awaiters_that_come_and_go_leave_no_waker_behind() {
    let (promise, resolver) = Promise::<u8>::with_resolvers();
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    let mut long_lived = promise.clone();
    assert!(Pin::new(&mut long_lived).poll(&mut cx).is_pending());
    let mut churn = |times: usize| {
        for _ in 0..times {
            let mut passing = promise.clone();
            assert!(Pin::new(&mut passing).poll(&mut cx).is_pending());
        }
    };
    churn(10);
    // Each round allocates and frees the same blocks: none stays, so the list does not grow.
    let ((), allocations, frees) = allocations_and_frees_in(|| churn(100_000));
    assert_eq!(allocations, frees, "the waker list grew");
    resolver.resolve(7);
    assert_eq!(run(long_lived), 7);
    assert_eq!(run(promise), 7);
}
