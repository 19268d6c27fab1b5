//! Stress: 100,000 promises of every kind on a multi-thread runtime, read by tasks and plain
//! threads at once; then a runtime shut down while its promises are awaited. Every reader gets
//! the right outcome, every callback runs once, nothing hangs, and the heap is back where it
//! was (a counting allocator, for the whole binary: its own test target).
//!
//! `cargo test --release --test stress -- --nocapture` prints the time and peak heap.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::pending;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use promisify::{Promise, PromiseError, promisify};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are ours; the counting only updates atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(1, Ordering::Relaxed);
        let bytes = LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK_BYTES.fetch_max(bytes, Ordering::Relaxed);
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` through `alloc`/`realloc` above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let bytes = LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed) + new_size;
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        PEAK_BYTES.fetch_max(bytes, Ordering::Relaxed);
        // SAFETY: forwarded as is; `ptr` came from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const PROMISES: u64 = 100_000;

/// The counts are for the whole process: the tests take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// One of six kinds, by `i % 6`, each with the outcome its readers must see.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// A promisified body that waits once.
    Body,
    /// Resolved from another thread, through a `then`.
    Resolved,
    /// Rejected from another thread, through a `catch` and a `finally`.
    Rejected,
    /// Cancelled while its body waits forever.
    Cancelled,
    /// Its `Resolver` dropped.
    Abandoned,
    /// Its body panics after waiting once.
    Panicking,
}

#[promisify]
async fn body(i: u64) -> u64 {
    tokio::task::yield_now().await;
    i
}

#[promisify]
async fn forever() -> u64 {
    pending().await
}

#[promisify]
async fn explodes(i: u64) -> u64 {
    tokio::task::yield_now().await;
    panic!("promise {i} exploded")
}

/// Makes promise `i`, counting the callbacks it chains in `chained`, and what a reader of it
/// must see. `settlers` settle promises from plain threads.
fn make(
    i: u64,
    chained: &AtomicUsize,
    ran: &Arc<AtomicUsize>,
    settlers: &[mpsc::Sender<Settle>],
) -> Expected {
    let counted = |ran: &Arc<AtomicUsize>| {
        chained.fetch_add(1, Ordering::Relaxed);
        let ran = Arc::clone(ran);
        move || {
            ran.fetch_add(1, Ordering::Relaxed);
        }
    };
    let settler = &settlers[usize::try_from(i).unwrap() % settlers.len()];
    match KINDS[usize::try_from(i % 6).unwrap()] {
        Kind::Body => (body(i), Ok(i)),
        Kind::Resolved => {
            let (promise, resolver) = Promise::with_resolvers();
            settler.send(Settle::Resolve(resolver, i)).unwrap();
            let run = counted(ran);
            (
                promise.then(move |v: u64| {
                    run();
                    v * 2
                }),
                Ok(i * 2),
            )
        }
        Kind::Rejected => {
            let (promise, resolver) = Promise::<Result<u64, u64>>::with_resolvers();
            settler.send(Settle::Reject(resolver, i)).unwrap();
            let (caught, finally) = (counted(ran), counted(ran));
            let promise = promise
                .catch(move |e| {
                    caught();
                    Ok::<u64, u64>(e + 1)
                })
                .finally(finally)
                .then(|caught: Result<u64, u64>| caught.unwrap_or(0));
            (promise, Ok(i + 1))
        }
        Kind::Cancelled => {
            let promise = forever();
            promise.cancel();
            (promise, Err(PromiseError::Cancelled))
        }
        Kind::Abandoned => {
            let (promise, resolver) = Promise::<u64>::with_resolvers();
            settler.send(Settle::Drop(resolver)).unwrap();
            (promise, Err(PromiseError::Abandoned))
        }
        Kind::Panicking => (
            explodes(i),
            Err(PromiseError::Panicked(format!("promise {i} exploded"))),
        ),
    }
}

const KINDS: [Kind; 6] = [
    Kind::Body,
    Kind::Resolved,
    Kind::Rejected,
    Kind::Cancelled,
    Kind::Abandoned,
    Kind::Panicking,
];

/// A promise to read, and what its reader must see.
type Expected = (Promise<u64>, Result<u64, PromiseError>);

enum Settle {
    Resolve(promisify::Resolver<u64>, u64),
    Reject(promisify::Resolver<Result<u64, u64>>, u64),
    Drop(promisify::Resolver<u64>),
}

fn settler() -> (mpsc::Sender<Settle>, thread::JoinHandle<()>) {
    let (send, receive) = mpsc::channel::<Settle>();
    let thread = thread::spawn(move || {
        for settle in receive {
            match settle {
                Settle::Resolve(resolver, i) => resolver.resolve(i),
                Settle::Reject(resolver, i) => resolver.reject(i),
                Settle::Drop(resolver) => drop(resolver),
            }
        }
    });
    (send, thread)
}

/// A waiter thread: `wait()`s on each promise it is sent, and checks its outcome.
fn waiter(failures: Arc<Mutex<Vec<String>>>) -> (mpsc::Sender<Expected>, thread::JoinHandle<()>) {
    let (send, receive) = mpsc::channel::<Expected>();
    let thread = thread::spawn(move || {
        for (promise, expected) in receive {
            let seen = promise.settled().wait();
            if seen != expected {
                failures
                    .lock()
                    .unwrap()
                    .push(format!("wait: {seen:?}, not {expected:?}"));
            }
        }
    });
    (send, thread)
}

/// Every kind at once, read by two tasks and one plain thread each; returns how long it took.
fn round(promises: u64) -> Duration {
    let start = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let failures = Arc::new(Mutex::new(Vec::new()));
    let chained = AtomicUsize::new(0);
    let ran = Arc::new(AtomicUsize::new(0));
    let (settlers, settler_threads): (Vec<_>, Vec<_>) = (0..2).map(|_| settler()).unzip();
    let (waiters, waiter_threads): (Vec<_>, Vec<_>) =
        (0..2).map(|_| waiter(Arc::clone(&failures))).unzip();
    runtime.block_on(async {
        // In batches, so that the readers of one batch run while the next is made.
        for batch in (0..promises).collect::<Vec<_>>().chunks(1_000) {
            let mut tasks = Vec::with_capacity(batch.len() * 2);
            for &i in batch {
                let (promise, expected) = make(i, &chained, &ran, &settlers);
                waiters[usize::try_from(i).unwrap() % 2]
                    .send((promise.clone(), expected.clone()))
                    .unwrap();
                for reader in [promise.clone(), promise] {
                    let expected = expected.clone();
                    let failures = Arc::clone(&failures);
                    tasks.push(tokio::spawn(async move {
                        let seen = reader.settled().await;
                        if seen != expected {
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("await: {seen:?}, not {expected:?}"));
                        }
                    }));
                }
            }
            for task in tasks {
                task.await.unwrap();
            }
        }
    });
    drop((settlers, waiters));
    for thread in settler_threads.into_iter().chain(waiter_threads) {
        thread.join().unwrap();
    }
    drop(runtime);
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} wrong outcomes, as {:?}",
        failures.len(),
        &failures[..1]
    );
    assert_eq!(
        ran.load(Ordering::SeqCst),
        chained.load(Ordering::SeqCst),
        "every callback ran once"
    );
    start.elapsed()
}

/// Heap blocks live now.
fn live() -> usize {
    LIVE.load(Ordering::SeqCst)
}

#[test]
fn a_hundred_thousand_promises_of_every_kind_keep_their_word_and_leak_nothing() {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Our panicking bodies are expected: keep their messages off the output.
    std::panic::set_hook(Box::new(|info| {
        let expected = info
            .payload()
            .downcast_ref::<String>()
            .is_some_and(|m| m.ends_with("exploded"));
        if !expected {
            eprintln!("{info}");
        }
    }));
    // A first round pays for what is allocated once and kept (the runtime's globals).
    round(600);
    let before = live();
    PEAK_BYTES.store(LIVE_BYTES.load(Ordering::SeqCst), Ordering::SeqCst);
    let base = LIVE_BYTES.load(Ordering::SeqCst);
    let took = round(PROMISES);
    let (after, peak) = (live(), PEAK_BYTES.load(Ordering::SeqCst) - base);
    // Measured before printing: the test harness keeps what is printed on the heap.
    assert_eq!(
        after, before,
        "heap blocks still live after the round: a leak"
    );
    eprintln!(
        "{PROMISES} promises in {took:?}, peak heap {} KiB above the start",
        peak / 1024
    );
}

#[test]
fn a_runtime_shut_down_half_way_cancels_what_it_ran() {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (done, finished) = mpsc::channel();
    let outer = thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let promises: Vec<Promise<u64>> = runtime.block_on(async {
            let mut promises = Vec::new();
            for i in 0..10_000 {
                // Half have settled before the shutdown, half wait forever.
                promises.push(if i % 2 == 0 { body(i) } else { forever() });
            }
            for i in (0..10_000).step_by(2) {
                assert_eq!(promises[i].clone().await, i as u64);
            }
            promises
        });
        // Plain threads wait on the pending half while the runtime goes away.
        let (waiting, waiters): (Vec<_>, Vec<_>) = promises
            .chunks(2_500)
            .map(|chunk| {
                let chunk = chunk.to_vec();
                thread::spawn(move || {
                    chunk
                        .into_iter()
                        .enumerate()
                        .filter(|(i, _)| i % 2 == 1)
                        .map(|(_, promise)| promise.settled().wait())
                        .collect::<Vec<_>>()
                })
            })
            .map(|thread| ((), thread))
            .unzip();
        drop(waiting);
        drop(runtime);
        let seen: Vec<_> = waiters
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        done.send(seen).unwrap();
    });
    // Generous: a hang fails here instead of stalling the suite.
    let seen = finished
        .recv_timeout(Duration::from_secs(120))
        .expect("awaiters still waiting two minutes after the runtime shut down");
    outer.join().unwrap();
    assert_eq!(seen.len(), 5_000);
    assert!(
        seen.iter().all(|s| *s == Err(PromiseError::Cancelled)),
        "{:?}",
        seen.iter().find(|s| **s != Err(PromiseError::Cancelled))
    );
}
