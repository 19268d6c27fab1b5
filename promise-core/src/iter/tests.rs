//! The unsafe module's tests, small enough for miri (`cargo +nightly miri test -p promise-core
//! --lib`): every waker operation, wakers that outlive their combinator, wakes from other
//! threads, pinned slots whose futures are address-sensitive, and outputs moved over the
//! storage of their slots.

extern crate std;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Wake;

use super::raw::{Storage, into_values};
use super::{as_completed, join_all, settle};
use crate::maybe_done::MaybeDone;

/// Counts the wakes of the task.
#[derive(Default)]
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Pends, keeping its waker where the test can reach it, until `open`.
#[derive(Clone, Default)]
struct Slot(Arc<Mutex<(bool, Option<Waker>)>>);

impl Slot {
    fn future(&self) -> impl Future<Output = ()> + use<> {
        let slot = self.clone();
        core::future::poll_fn(move |cx| {
            let mut state = slot.0.lock().unwrap();
            if state.0 {
                return Poll::Ready(());
            }
            state.1 = Some(cx.waker().clone());
            Poll::Pending
        })
    }

    fn open(&self) -> Option<Waker> {
        let mut state = self.0.lock().unwrap();
        state.0 = true;
        state.1.take()
    }
}

const N: usize = 70;

/// Polls `fut` until each of its futures has a waker of its own: two polls that find nothing
/// new, and one that hands the wakers out.
fn until_wakers<F: Future + ?Sized>(mut fut: Pin<&mut F>, cx: &mut Context<'_>) {
    for _ in 0..3 {
        assert!(fut.as_mut().poll(cx).is_pending());
    }
}

#[test]
fn every_waker_operation_on_an_indexed_waker() {
    let slots: Vec<Slot> = (0..N).map(|_| Slot::default()).collect();
    let counter = Arc::new(Counter::default());
    let waker = Waker::from(Arc::clone(&counter));
    let mut cx = Context::from_waker(&waker);
    let mut all = Box::pin(settle(slots.iter().map(Slot::future)));
    until_wakers(all.as_mut(), &mut cx);
    counter.0.store(0, Ordering::SeqCst);
    let wakers: Vec<Waker> = slots
        .iter()
        .skip(1)
        .map(|s| s.0.lock().unwrap().1.clone().unwrap())
        .collect();
    assert!(wakers[0].will_wake(&wakers[0].clone()));
    assert!(!wakers[0].will_wake(&wakers[1]));
    for (k, slot) in slots.iter().enumerate().skip(1) {
        let taken = slot.open().unwrap();
        if k % 2 == 0 {
            taken.wake();
        } else {
            taken.wake_by_ref();
        }
    }
    // One wake of the task for all of them: the summary told it once.
    assert_eq!(counter.0.swap(0, Ordering::SeqCst), 1);
    slots[0].open().unwrap().wake();
    assert!(matches!(all.as_mut().poll(&mut cx), Poll::Ready(v) if v.len() == N));
    // Clones outlive the combinator: waking them now wakes nobody and frees nothing twice.
    drop(all);
    for waker in wakers {
        waker.wake();
    }
}

#[test]
fn wakes_from_other_threads_while_the_task_polls() {
    let slots: Vec<Slot> = (0..N).map(|_| Slot::default()).collect();
    let counter = Arc::new(Counter::default());
    let waker = Waker::from(Arc::clone(&counter));
    let mut all = pin!(join_all(slots.iter().map(|s| {
        let f = s.future();
        async move {
            f.await;
            Ok::<_, ()>(())
        }
    })));
    until_wakers(all.as_mut(), &mut Context::from_waker(&waker));
    let openers: Vec<_> = (0..2)
        .map(|t| {
            let slots: Vec<Slot> = slots.iter().skip(t).step_by(2).cloned().collect();
            std::thread::spawn(move || {
                for slot in slots {
                    if let Some(waker) = slot.open() {
                        waker.wake();
                    }
                }
            })
        })
        .collect();
    // Polls as a runtime would, and more: a wake may be seen early, never lost.
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(all) = all.as_mut().poll(&mut Context::from_waker(&waker)) {
            assert_eq!(all.unwrap().len(), N);
            break;
        }
        if counter.0.swap(0, Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        assert!(polls < 100_000, "still pending");
    }
    for opener in openers {
        opener.join().unwrap();
    }
}

#[test]
fn a_combinator_polled_by_another_task_wakes_that_task() {
    let slots: Vec<Slot> = (0..N).map(|_| Slot::default()).collect();
    let (first, second) = (Arc::new(Counter::default()), Arc::new(Counter::default()));
    let mut stream = pin!(as_completed(slots.iter().map(Slot::future)));
    let poll_with = |stream: Pin<&mut _>, counter: &Arc<Counter>| {
        let waker = Waker::from(Arc::clone(counter));
        futures_core::Stream::poll_next(stream, &mut Context::from_waker(&waker))
    };
    for _ in 0..3 {
        assert!(poll_with(stream.as_mut(), &first).is_pending());
    }
    assert!(poll_with(stream.as_mut(), &second).is_pending());
    slots[5].open().unwrap().wake();
    assert_eq!(first.0.load(Ordering::SeqCst), 0);
    assert_eq!(second.0.load(Ordering::SeqCst), 1);
    assert_eq!(
        poll_with(stream.as_mut(), &second),
        Poll::Ready(Some((5, ())))
    );
}

#[test]
fn slots_stay_put_while_pinned() {
    // An async block that borrows from itself across an await: moving it would break it.
    let futures = (0..N).map(|i| async move {
        let local = [i; 4];
        let borrowed = &local;
        crate::iter::tests::yield_now().await;
        borrowed.iter().sum::<usize>()
    });
    let waker = Waker::noop();
    let mut all = pin!(settle(futures));
    let output = loop {
        if let Poll::Ready(output) = all.as_mut().poll(&mut Context::from_waker(waker)) {
            break output;
        }
    };
    assert_eq!(output, (0..N).map(|i| 4 * i).collect::<Vec<_>>());
}

async fn yield_now() {
    let mut yielded = false;
    core::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

/// Slots that have all finished with `values`, each from a future of type `F`.
fn done<F, T>(values: impl IntoIterator<Item = T>) -> Storage<MaybeDone<F, T>> {
    let slots = values.into_iter().map(|value| MaybeDone::Done { value });
    Storage::new(slots, usize::MAX)
}

/// Values with a heap part of their own, moved over the storage of the slots (a `String` has
/// the alignment of a slot holding it): each is moved once, none dropped twice or leaked
/// (which miri would see), and the `Vec` frees the slots' storage.
#[test]
fn values_are_moved_over_the_storage_of_their_slots() {
    for n in [0, 1, 3, 33] {
        let mut slots = done::<core::future::Ready<u64>, _>((0..n).map(|i| alloc::format!("{i}")));
        let bytes = n * core::mem::size_of::<MaybeDone<core::future::Ready<u64>, String>>();
        let storage = slots.slots().as_ref().get_ref().as_ptr().cast::<String>();
        let values = into_values(slots);
        assert_eq!(
            values,
            (0..n).map(|i| alloc::format!("{i}")).collect::<Vec<_>>()
        );
        if n > 0 {
            assert_eq!(values.as_ptr(), storage, "the slots' own storage");
        }
        assert_eq!(values.capacity() * core::mem::size_of::<String>(), bytes);
    }
}

/// A value narrower than its slot but of its alignment and at least a quarter of it (`u8` in
/// a slot of 2 bytes), one that is less (`u8` in a slot of 7 bytes), and one of another
/// alignment (`u8` from a future of a `u64`): the last two get storage of their own.
#[test]
fn narrower_values_and_values_of_other_alignments() {
    let values = into_values(done::<core::future::Ready<u8>, u8>(0..200));
    assert_eq!(values, (0..200).collect::<Vec<u8>>());
    let slot = core::mem::size_of::<MaybeDone<core::future::Ready<u8>, u8>>();
    assert_eq!(values.capacity(), 200 * slot, "in the slots' storage");
    assert_eq!(slot, 2);
    let values = into_values(done::<core::future::Ready<[u8; 5]>, u8>(0..200));
    assert_eq!(values, (0..200).collect::<Vec<u8>>());
    assert_eq!(values.capacity(), 200, "a `Vec` of its own");
    let values = into_values(done::<core::future::Ready<u64>, u8>(0..200));
    assert_eq!(values, (0..200).collect::<Vec<u8>>());
    assert_eq!(values.capacity(), 200);
    let values = into_values(done::<core::future::Ready<u64>, ()>([(); 3]));
    assert_eq!(values.len(), 3);
}

/// A slot that still holds its future is never moved: `into_values` panics, leaking the
/// storage (a bug of the crate if it happens; miri would report the leak, so not under it).
#[test]
#[cfg_attr(miri, ignore)]
fn a_slot_still_running_is_left_where_it_is() {
    let slots: [MaybeDone<core::future::Ready<u64>, u64>; 2] = [
        MaybeDone::Done { value: 1 },
        MaybeDone::Future {
            future: core::future::ready(2),
        },
    ];
    let slots = Storage::new(slots.into_iter(), usize::MAX);
    let panic = std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| into_values(slots)));
    assert!(panic.is_err());
}

/// Pends `left` times, waking itself through a clone of its waker each time, then yields
/// `value`: a future of alignment 1 and 2 or 3 bytes, so that its slots end anywhere.
struct Byte<const K: usize> {
    left: u8,
    value: [u8; K],
}

impl<const K: usize> Future for Byte<K> {
    type Output = [u8; K];

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<[u8; K]> {
        if self.left == 0 {
            return Poll::Ready(self.value);
        }
        self.left -= 1;
        // Through an owned clone: its count taken, then given back.
        let waker = cx.waker().clone();
        waker.wake_by_ref();
        drop(waker);
        Poll::Pending
    }
}

/// Slots of alignment 1 that end at any address: the wakers are placed after them, aligned,
/// whatever the count (miri checks each access); the outputs still come out in order.
#[test]
fn wakers_are_placed_past_slots_of_any_size_and_alignment() {
    fn run<const K: usize>(n: usize) {
        let futures = (0..n).map(|i| Byte::<K> {
            left: 4,
            value: [u8::try_from(i % 256).unwrap(); K],
        });
        let mut all = pin!(settle(futures));
        let mut cx = Context::from_waker(Waker::noop());
        let output = loop {
            if let Poll::Ready(output) = all.as_mut().poll(&mut cx) {
                break output;
            }
        };
        let expected: Vec<[u8; K]> = (0..n)
            .map(|i| [u8::try_from(i % 256).unwrap(); K])
            .collect();
        assert_eq!(output, expected);
    }
    for n in [33, 34, 35, 70, 129] {
        run::<1>(n);
        run::<2>(n);
        run::<3>(n);
    }
}
