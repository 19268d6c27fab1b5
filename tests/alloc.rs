//! Exact heap allocation counts. Its own test target: a `#[global_allocator]` rules the whole
//! binary. The counter is per thread, so tests running in parallel do not see each other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::{Future, ready};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use promisify::{any, join_all, race, settle};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
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

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
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

fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
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
