//! Model checks of the promise's shared state: every interleaving of the threads below, as
//! loom explores them. A lost wake-up shows as a deadlock of `block_on`, a leak or a double drop
//! as a wrong count of drops.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p promise-core --lib --release --target-dir target/loom loom
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::vec::Vec;

use loom::future::block_on;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

use super::body::{Task, first_poll};
use super::error::{Failure, PromiseError};
use super::shared::Shared;
use super::{Promise, Resolver};
use crate::loom_model::model;

/// Counts its clones and drops: every instance dropped once means `drops == clones + 1`.
#[derive(Debug)]
struct Tracked {
    id: u8,
    clones: Arc<AtomicUsize>,
    drops: Arc<AtomicUsize>,
}

impl Tracked {
    fn new(id: u8) -> (Self, Arc<AtomicUsize>, Arc<AtomicUsize>) {
        let (clones, drops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tracked = Tracked {
            id,
            clones: Arc::clone(&clones),
            drops: Arc::clone(&drops),
        };
        (tracked, clones, drops)
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        self.clones.fetch_add(1, Ordering::SeqCst);
        Tracked {
            id: self.id,
            clones: Arc::clone(&self.clones),
            drops: Arc::clone(&self.drops),
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

/// A resolve, a cancel and an abandon race: exactly one settles the promise, and every reader
/// sees that one.
#[test]
fn loom_racing_settles_settle_once() {
    model(|| {
        let shared = Shared::<u8>::new();
        let reader = Promise::from_shared(Arc::clone(&shared));
        shared.add_consumer(u8::clone, None);
        let other = Promise::from_shared(Arc::clone(&shared));
        let racers: Vec<_> = [
            Ok(1),
            Err(PromiseError::Cancelled),
            Err(PromiseError::Abandoned),
        ]
        .into_iter()
        .map(|outcome| {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                let won = shared.settle(outcome.clone().map_err(Failure::new));
                won.then_some(outcome)
            })
        })
        .collect();
        let seen = block_on(reader.settled());
        let winners: Vec<_> = racers
            .into_iter()
            .filter_map(|racer| racer.join().unwrap())
            .collect();
        assert_eq!(
            winners,
            core::slice::from_ref(&seen),
            "settled exactly once"
        );
        assert_eq!(block_on(other.settled()), seen);
    });
}

/// Two awaiters on two threads while a third settles: both are woken, one gets the value and
/// the other its one clone.
#[test]
fn loom_two_awaiters_each_get_the_value() {
    model(|| {
        let (promise, resolver) = Promise::<Tracked>::with_resolvers();
        let awaiters: Vec<_> = [promise.clone(), promise]
            .into_iter()
            .map(|promise| thread::spawn(move || block_on(promise).id))
            .collect();
        let (value, clones, drops) = Tracked::new(7);
        resolver.resolve(value);
        for awaiter in awaiters {
            assert_eq!(awaiter.join().unwrap(), 7);
        }
        assert_eq!(
            clones.load(Ordering::SeqCst),
            1,
            "cloned for the other reader"
        );
        assert_eq!(
            drops.load(Ordering::SeqCst),
            2,
            "each instance dropped once"
        );
    });
}

/// A handle dropped unread while the promise settles and two others read it. A reader that
/// reads while another handle still has its claim must clone (that handle may read later), so
/// there are one or two clones; every instance is dropped once, and nothing is left over.
#[test]
fn loom_a_clone_dropped_while_others_read_leaks_nothing() {
    model(|| {
        let (promise, resolver) = Promise::<Tracked>::with_resolvers();
        let dropped = promise.clone();
        let second = promise.clone();
        let leaving = thread::spawn(move || drop(dropped));
        let settler = thread::spawn(move || {
            let (value, clones, drops) = Tracked::new(3);
            resolver.resolve(value);
            (clones, drops)
        });
        let reader = thread::spawn(move || block_on(second).id);
        assert_eq!(block_on(promise).id, 3);
        assert_eq!(reader.join().unwrap(), 3);
        leaving.join().unwrap();
        let (clones, drops) = settler.join().unwrap();
        let clones = clones.load(Ordering::SeqCst);
        assert!((1..=2).contains(&clones), "{clones} clones for two readers");
        assert_eq!(drops.load(Ordering::SeqCst), clones + 1);
    });
}

/// A `then` registered while another thread settles: its callback runs exactly once, with the
/// value itself, and the derived promise settles.
#[test]
fn loom_a_then_registered_while_settling_runs_once() {
    model(|| {
        let (promise, resolver): (Promise<Tracked>, Resolver<Tracked>) = Promise::with_resolvers();
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let chainer = thread::spawn(move || {
            let derived = promise.then(move |value| {
                counted.fetch_add(1, Ordering::SeqCst);
                value.id + 1
            });
            block_on(derived)
        });
        let (value, clones, drops) = Tracked::new(1);
        resolver.resolve(value);
        assert_eq!(chainer.join().unwrap(), 2);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "the callback ran once");
        assert_eq!(clones.load(Ordering::SeqCst), 0);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// `cancel` from one thread while another resolves and a third awaits: the awaiter sees
/// whichever settled first; the value is cloned only if the awaiter read it while the
/// cancelled handle still had its claim, and every instance is dropped once.
#[test]
fn loom_cancel_races_resolve() {
    model(|| {
        let (promise, resolver) = Promise::<Tracked>::with_resolvers();
        let awaiter = promise.clone();
        let (value, clones, drops) = Tracked::new(5);
        let canceller = thread::spawn(move || promise.cancel());
        let resolving = thread::spawn(move || resolver.resolve(value));
        let seen = block_on(awaiter.settled()).map(|value| value.id);
        canceller.join().unwrap();
        resolving.join().unwrap();
        assert!(
            matches!(seen, Ok(5) | Err(PromiseError::Cancelled)),
            "{seen:?}"
        );
        let clones = clones.load(Ordering::SeqCst);
        assert!(clones <= usize::from(seen.is_ok()));
        assert_eq!(drops.load(Ordering::SeqCst), clones + 1);
    });
}

/// Counts its drops.
struct CountDrop(Arc<AtomicUsize>);

impl Drop for CountDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future that holds a `CountDrop` until it is dropped, done or not, as a hand-written
/// future may hold resources after it completes.
struct Guarded<F> {
    _guard: CountDrop,
    future: F,
}

impl<F: Future + Unpin> Future for Guarded<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        Pin::new(&mut self.future).poll(cx)
    }
}

/// A promisified body, pending after its first poll, that waits for an input and holds a
/// `CountDrop`: its task, a handle on its promise, the input's resolver and the drops.
fn started() -> (Task<u8>, Promise<u8>, Resolver<u8>, Arc<AtomicUsize>) {
    let (input, resolver) = Promise::with_resolvers();
    let drops = Arc::new(AtomicUsize::new(0));
    let body = Guarded {
        _guard: CountDrop(Arc::clone(&drops)),
        future: input,
    };
    let Err(task) = first_poll(body, &mut Context::from_waker(Waker::noop())) else {
        panic!("the body waits for its input")
    };
    let promise = Promise::from_shared(task.shared());
    (task, promise, resolver, drops)
}

/// A body run by its task on one thread, waiting for a promise another thread resolves, read
/// on a third: the reader gets the value, and the body was dropped, once, before that.
#[test]
fn loom_a_task_runs_its_body_while_another_thread_reads() {
    model(|| {
        let (task, promise, resolver, drops) = started();
        let runner = thread::spawn(move || block_on(task));
        let resolving = thread::spawn(move || resolver.resolve(1));
        assert_eq!(block_on(promise), 1);
        assert_eq!(drops.load(Ordering::SeqCst), 1, "the body went first");
        runner.join().unwrap();
        resolving.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// `cancel` races a task that is dropped, as tokio drops an aborted one, while its input is
/// resolved: the promise is cancelled, and the body dropped once, by the task.
#[test]
fn loom_a_cancelled_task_drops_its_body_once() {
    model(|| {
        let (task, promise, resolver, drops) = started();
        let reader = promise.clone();
        let aborted = thread::spawn(move || drop(task));
        let canceller = thread::spawn(move || promise.cancel());
        resolver.resolve(1);
        assert_eq!(block_on(reader.settled()), Err(PromiseError::Cancelled));
        aborted.join().unwrap();
        canceller.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}
