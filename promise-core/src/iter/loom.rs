//! Model checks of the futures' wakers: every interleaving of a wake from another thread with
//! the combinator's pass, its change of task, and the end of the storage, as loom explores
//! them. A lost wake shows as a failed assertion, a read of the combinator's waker that
//! overlaps its replacement as loom's report of a race, a count that frees the storage early
//! or twice as a crash or a double free.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p promise-core --lib --release --target-dir target/loom loom
//! ```

extern crate std;

use std::sync::Arc;
use std::task::{Wake, Waker};

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

use super::raw::Storage;
use crate::loom_model::model;

/// Counts the wakes of a task.
struct Task(AtomicUsize);

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A task that counts its wakes, and its waker.
fn task() -> (Arc<Task>, Waker) {
    let task = Arc::new(Task(AtomicUsize::new(0)));
    (Arc::clone(&task), Waker::from(task))
}

/// Storage for two futures (their slots hold nothing of interest here), with their wakers
/// made, all waking `parent`.
fn storage(parent: &Waker) -> Storage<u64> {
    let mut storage = Storage::new(0..2, 1);
    storage.make_wakers(parent);
    storage
}

/// A future woken on another thread while the combinator makes a pass: the pass sees the
/// wake, or the task is woken and its next pass does.
#[test]
fn loom_a_wake_during_a_pass_is_seen_by_it_or_the_next() {
    model(|| {
        let (task, waker) = task();
        let storage = storage(&waker);
        let readiness = storage.readiness().unwrap();
        let second = (*readiness.waker(1)).clone();
        let waking = thread::spawn(move || second.wake());
        readiness.register(&waker);
        let seen = readiness.take_summary(0) != 0 && readiness.take_woken(0) & 0b10 != 0;
        waking.join().unwrap();
        if !seen {
            assert!(task.0.load(Ordering::SeqCst) > 0, "a wake lost");
            assert_eq!(readiness.take_summary(0), 1);
            assert_eq!(readiness.take_woken(0), 0b10);
        }
    });
}

/// The combinator moves to another task while a future is woken: the wake reaches the new
/// task, or the pass that follows the change sees it; the waker's slot is never read while it
/// is replaced (loom would report the race).
#[test]
fn loom_a_change_of_task_loses_no_wake() {
    model(|| {
        let (_, old) = task();
        let (new_task, new) = task();
        let storage = storage(&old);
        let readiness = storage.readiness().unwrap();
        let first = (*readiness.waker(0)).clone();
        let waking = thread::spawn(move || first.wake());
        readiness.register(&new);
        let seen = readiness.take_summary(0) != 0;
        waking.join().unwrap();
        assert!(
            seen || new_task.0.load(Ordering::SeqCst) > 0,
            "a wake reached only the old task"
        );
    });
}

/// Two futures woken on two threads at once: the task is woken at least once, and one pass
/// after both sees both.
#[test]
fn loom_two_wakes_at_once_wake_the_task() {
    model(|| {
        let (task, waker) = task();
        let storage = storage(&waker);
        let readiness = storage.readiness().unwrap();
        let wakers = [0, 1].map(|i| (*readiness.waker(i)).clone());
        let threads = wakers.map(|waker| thread::spawn(move || waker.wake()));
        for thread in threads {
            thread.join().unwrap();
        }
        assert!(task.0.load(Ordering::SeqCst) >= 1);
        assert_eq!(readiness.take_summary(0), 1);
        assert_eq!(readiness.take_woken(0), 0b11);
    });
}

/// The combinator ends while a clone of a future's waker wakes on another thread and is
/// dropped there: whichever lets go last frees the storage, once, with the combinator's waker
/// it holds (a storage never freed keeps that waker's count; miri checks the memory itself).
#[test]
fn loom_the_last_of_the_combinator_and_its_wakers_frees_the_storage() {
    model(|| {
        let (task, waker) = task();
        let storage = storage(&waker);
        drop(waker);
        let readiness = storage.readiness().unwrap();
        let kept = (*readiness.waker(1)).clone();
        let waking = thread::spawn(move || {
            kept.wake_by_ref();
            drop(kept);
        });
        drop(storage);
        waking.join().unwrap();
        assert_eq!(Arc::strong_count(&task), 1, "the storage was not freed");
    });
}
