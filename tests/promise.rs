//! `Promise<T>` and `#[promisify]`: JavaScript's eager start, sharing, chaining and failures.

use std::future::{Future, pending};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

use promisify::{Promise, PromiseError, any, join_all, promisify, race, settle};

type Log = Arc<Mutex<Vec<String>>>;

fn log(log: &Log, line: &str) {
    log.lock().unwrap().push(line.to_owned());
}

fn lines(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

// Tests named `..outside_any_runtime` start the built-in runtime, whose worker threads outlive
// `main`: miri runs them with `-Zmiri-ignore-leaks`, for that reason alone (see `.ci/run`).

/// Calls `f` inside the runtime's context, outside any task.
trait EnterAnd {
    fn enter_and<T>(&self, f: impl FnOnce() -> T) -> T;
}

impl EnterAnd for tokio::runtime::Runtime {
    fn enter_and<T>(&self, f: impl FnOnce() -> T) -> T {
        let _guard = self.enter();
        f()
    }
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[promisify]
async fn traced(log: Log, name: &'static str) -> &'static str {
    crate::log(&log, &format!("{name} is running"));
    tokio::task::yield_now().await;
    crate::log(&log, &format!("{name} resumed"));
    name
}

#[test]
fn the_body_runs_up_to_its_first_wait_before_the_call_returns() {
    for (runtime, workers) in [(current_thread(), false), (multi_thread(), true)] {
        runtime.block_on(async {
            let log = Log::default();
            let promise = traced(log.clone(), "f");
            let seen = lines(&log);
            if workers {
                // The rest is a task by now, which a worker may already have resumed.
                assert_eq!(seen[0], "f is running");
            } else {
                // Nothing else runs on this thread until the caller waits.
                assert_eq!(seen, ["f is running"]);
            }
            assert_eq!(promise.await, "f");
            assert_eq!(lines(&log), ["f is running", "f resumed"]);
        });
    }
}

#[test]
fn the_first_poll_has_a_runtime_context_even_outside_any_runtime() {
    #[promisify]
    async fn sleepy() -> u32 {
        // `sleep` panics outside a runtime's context, and would here if the first poll had none.
        tokio::time::sleep(Duration::from_millis(1)).await;
        7
    }
    assert!(tokio::runtime::Handle::try_current().is_err());
    assert_eq!(sleepy().wait(), 7);
}

#[test]
fn a_promise_nobody_awaits_still_completes() {
    #[promisify]
    async fn notify(done: mpsc::Sender<&'static str>) {
        tokio::task::yield_now().await;
        done.send("finished").unwrap();
    }
    let (tx, rx) = mpsc::channel();
    let runtime = multi_thread();
    runtime.block_on(async { drop(notify(tx)) });
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok("finished"));
}

#[test]
fn three_clones_await_the_same_value() {
    #[promisify]
    async fn computed(runs: Arc<AtomicUsize>) -> Vec<u32> {
        runs.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        vec![1, 2, 3]
    }
    multi_thread().block_on(async {
        let runs = Arc::new(AtomicUsize::new(0));
        let first = computed(runs.clone());
        let (second, third) = (first.clone(), first.clone());
        let handles = [first, second, third].map(tokio::spawn);
        for handle in handles {
            assert_eq!(handle.await.unwrap(), [1, 2, 3]);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1, "the work ran once");
    });
}

#[test]
fn clones_of_a_settled_promise_resolve_too() {
    let promise = Promise::resolve(String::from("x"));
    let clone = promise.clone();
    assert_eq!(
        (promise.wait(), clone.wait()),
        ("x".to_owned(), "x".to_owned())
    );
}

#[test]
fn then_runs_when_the_promise_settles_even_if_nobody_awaits() {
    let (promise, resolver) = Promise::with_resolvers();
    let (tx, rx) = mpsc::channel();
    drop(promise.then(move |n: u32| tx.send(n * 2).unwrap()));
    assert!(rx.try_recv().is_err(), "not before it settles");
    resolver.resolve(21);
    assert_eq!(rx.try_recv(), Ok(42));
}

#[test]
fn then_on_a_settled_promise_runs_inside_the_call() {
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    let derived = Promise::resolve(1).then(move |n| {
        flag.store(true, Ordering::SeqCst);
        n + 1
    });
    assert!(ran.load(Ordering::SeqCst));
    assert!(derived.is_settled());
    assert_eq!(derived.wait(), 2);
}

#[test]
fn then_async_flattens_the_inner_future() {
    let value = multi_thread().block_on(async {
        Promise::resolve(5)
            .then_async(|n| async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                n * 10
            })
            .await
    });
    assert_eq!(value, 50);
}

#[test]
fn callbacks_run_in_the_order_they_were_chained() {
    let (promise, resolver) = Promise::<u8>::with_resolvers();
    let order = Arc::new(Mutex::new(Vec::new()));
    let chained: Vec<_> = (1..=4)
        .map(|n| {
            let order = Arc::clone(&order);
            promise.clone().then(move |_| order.lock().unwrap().push(n))
        })
        .collect();
    let order_too = Arc::clone(&order);
    let last = promise.finally(move || order_too.lock().unwrap().push(5));
    resolver.resolve(0);
    assert_eq!(*order.lock().unwrap(), [1, 2, 3, 4, 5]);
    for promise in chained {
        promise.wait();
    }
    assert_eq!(last.wait(), 0);
}

#[test]
fn catch_runs_only_on_err() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = |calls: &Arc<AtomicUsize>| {
        let calls = calls.clone();
        move |e: &str| {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<u8, String>(format!("caught {e}"))
        }
    };
    let ok = Promise::resolve(Ok::<u8, &str>(1)).catch(counted(&calls));
    assert_eq!(ok.wait(), Ok(1));
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let err = Promise::<Result<u8, _>>::reject("no").catch(counted(&calls));
    assert_eq!(err.wait(), Err("caught no".to_owned()));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn finally_runs_on_every_outcome_and_passes_it_through() {
    let runs = Arc::new(AtomicUsize::new(0));
    let count = |runs: &Arc<AtomicUsize>| {
        let runs = runs.clone();
        move || {
            runs.fetch_add(1, Ordering::SeqCst);
        }
    };
    let (promise, resolver) = Promise::with_resolvers();
    let passed = promise.finally(count(&runs));
    resolver.resolve(vec![9]);
    assert_eq!(passed.wait(), [9]);
    let failed = Promise::resolve(())
        .then(|()| -> u8 { panic!("broken") })
        .finally(count(&runs));
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    assert_eq!(
        failed.settled().wait(),
        Err(PromiseError::Panicked("broken".into()))
    );
}

#[test]
fn with_resolvers_is_resolved_from_a_plain_thread() {
    let (promise, resolver) = Promise::with_resolvers();
    let worker = thread::spawn(move || {
        thread::sleep(Duration::from_millis(5));
        resolver.resolve("from a thread");
    });
    let value = current_thread().block_on(promise);
    assert_eq!(value, "from a thread");
    worker.join().unwrap();
}

#[test]
fn a_dropped_resolver_abandons_the_promise() {
    let (promise, resolver) = Promise::<u8>::with_resolvers();
    let awaiter = promise.clone();
    drop(resolver);
    assert_eq!(promise.settled().wait(), Err(PromiseError::Abandoned));
    let payload = catch_unwind(AssertUnwindSafe(|| awaiter.wait())).unwrap_err();
    assert_eq!(panic_message(&*payload), ABANDONED);
}

/// Records that it was dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Never finishes; sets `dropped` when dropped.
#[promisify]
async fn forever(dropped: Arc<AtomicBool>) -> u8 {
    let _flag = DropFlag(dropped);
    pending::<u8>().await
}

#[test]
fn cancel_aborts_the_work_and_every_awaiter_sees_cancelled() {
    multi_thread().block_on(async {
        let dropped = Arc::new(AtomicBool::new(false));
        let promise = forever(dropped.clone());
        let other = promise.clone();
        promise.cancel();
        assert_eq!(other.settled().await, Err(PromiseError::Cancelled));
        assert_eq!(
            promise.clone().settled().await,
            Err(PromiseError::Cancelled)
        );
        assert!(
            set_soon(&dropped).await,
            "the task was aborted, dropping the body"
        );
        let payload = tokio::spawn(promise).await.unwrap_err().into_panic();
        assert_eq!(panic_message(&*payload), CANCELLED);
    });
}

/// Waits until `flag` is set, for at most a second.
async fn set_soon(flag: &AtomicBool) -> bool {
    for _ in 0..1000 {
        if flag.load(Ordering::SeqCst) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    false
}

#[test]
fn any_clone_can_cancel_the_work_whatever_became_of_the_first_handle() {
    multi_thread().block_on(async {
        for case in ["first dropped", "first chained", "clone of a clone"] {
            let dropped = Arc::new(AtomicBool::new(false));
            let first = forever(dropped.clone());
            let clone = first.clone();
            let canceller = match case {
                "first dropped" => {
                    drop(first);
                    clone
                }
                "first chained" => {
                    let _chained = first.then(|n| n + 1);
                    clone
                }
                _ => {
                    drop(first);
                    let again = clone.clone();
                    drop(clone);
                    again
                }
            };
            canceller.cancel();
            assert!(set_soon(&dropped).await, "{case}: the task was aborted");
            assert_eq!(canceller.settled().await, Err(PromiseError::Cancelled));
        }
    });
}

const CANCELLED: &str = "awaited a promise that was cancelled (`PromiseError::Cancelled`): \
     `cancel` was called on it, or the runtime running its work shut down first";
const ABANDONED: &str = "awaited a promise that was abandoned (`PromiseError::Abandoned`): its \
     `Resolver` was dropped without settling it";

/// `.await` and `wait()` name the failure alike, in the words of `PromiseError`.
#[test]
fn awaiting_a_cancelled_or_abandoned_promise_panics_naming_it() {
    let awaited = |promise: Promise<u8>| {
        let runtime = current_thread();
        let payload = catch_unwind(AssertUnwindSafe(|| runtime.block_on(promise))).unwrap_err();
        panic_message(&*payload).clone()
    };
    let waited = |promise: Promise<u8>| {
        let payload = catch_unwind(AssertUnwindSafe(|| promise.wait())).unwrap_err();
        panic_message(&*payload).clone()
    };
    for read in [awaited, waited] {
        let (promise, resolver) = Promise::<u8>::with_resolvers();
        drop(resolver);
        assert_eq!(read(promise), ABANDONED);
        let (promise, _resolver) = Promise::<u8>::with_resolvers();
        promise.cancel();
        assert_eq!(read(promise), CANCELLED);
    }
}

#[test]
fn a_cancelled_resolver_promise_ignores_a_later_resolve() {
    let (promise, resolver) = Promise::<u8>::with_resolvers();
    let awaiter = promise.clone();
    promise.cancel();
    resolver.resolve(1);
    assert_eq!(awaiter.settled().wait(), Err(PromiseError::Cancelled));
}

#[test]
fn a_runtime_shut_down_first_cancels_its_promises() {
    #[promisify]
    async fn forever() -> u8 {
        pending().await
    }
    let runtime = current_thread();
    let promise = runtime.enter_and(forever);
    drop(runtime);
    assert_eq!(promise.settled().wait(), Err(PromiseError::Cancelled));
}

#[promisify]
async fn explode(now: bool) -> u8 {
    if !now {
        tokio::task::yield_now().await;
    }
    panic!("boom {now}")
}

#[test]
fn a_panic_in_the_first_poll_is_kept_in_the_promise() {
    let promise = current_thread().enter_and(|| explode(true));
    assert!(promise.is_settled());
    let clone = promise.clone();
    assert_eq!(
        clone.settled().wait(),
        Err(PromiseError::Panicked("boom true".into()))
    );
    let payload = catch_unwind(AssertUnwindSafe(|| promise.wait())).unwrap_err();
    assert_eq!(panic_message(&*payload), "boom true");
}

#[test]
fn a_later_panic_reaches_every_awaiter_the_first_with_the_original_payload() {
    multi_thread().block_on(async {
        let first = explode(false);
        let second = first.clone();
        let third = first.clone();
        let payload = tokio::spawn(first).await.unwrap_err().into_panic();
        assert_eq!(panic_message(&*payload), "boom false");
        let payload = tokio::spawn(second).await.unwrap_err().into_panic();
        assert_eq!(
            panic_message(&*payload),
            "awaited a promise whose work panicked: boom false"
        );
        assert_eq!(
            third.settled().await,
            Err(PromiseError::Panicked("boom false".into()))
        );
    });
}

#[test]
fn a_panicking_callback_settles_the_derived_promise_as_panicked() {
    let derived = Promise::resolve(1).then(|_| -> u8 { panic!("callback") });
    assert_eq!(
        derived.settled().wait(),
        Err(PromiseError::Panicked("callback".into()))
    );
}

#[test]
fn wait_works_in_a_plain_fn_outside_any_runtime() {
    assert!(tokio::runtime::Handle::try_current().is_err());
    let promise = traced(Log::default(), "plain");
    assert_eq!(promise.wait(), "plain");
}

#[test]
fn wait_on_a_runtime_worker_panics_instead_of_deadlocking() {
    let result = current_thread().block_on(async {
        let (promise, _resolver) = Promise::<u8>::with_resolvers();
        catch_unwind(AssertUnwindSafe(|| promise.wait()))
    });
    let payload = result.unwrap_err();
    assert!(panic_message(&*payload).contains("Cannot start a runtime from within a runtime"));
}

#[test]
fn wait_is_allowed_on_a_blocking_thread() {
    let value = multi_thread().block_on(async {
        let (promise, resolver) = Promise::with_resolvers();
        let waiter = tokio::task::spawn_blocking(move || promise.wait());
        resolver.resolve(3);
        waiter.await.unwrap()
    });
    assert_eq!(value, 3);
}

/// Wakes its waker from another thread, and waits for that wake-up to happen, all before its
/// first poll returns `Pending`: so the wake-up reaches the first poll's waker, before the
/// task is spawned. Ready on the next poll.
struct WokenElsewhere {
    flag: Arc<AtomicBool>,
}

impl Future for WokenElsewhere {
    type Output = &'static str;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.flag.load(Ordering::SeqCst) {
            return Poll::Ready("woken");
        }
        let (flag, waker) = (self.flag.clone(), cx.waker().clone());
        thread::spawn(move || {
            flag.store(true, Ordering::SeqCst);
            waker.wake();
        })
        .join()
        .unwrap();
        Poll::Pending
    }
}

#[promisify]
async fn woken_elsewhere() -> &'static str {
    WokenElsewhere {
        flag: Arc::new(AtomicBool::new(false)),
    }
    .await
}

#[test]
fn a_wake_up_between_the_first_poll_and_the_spawn_is_not_lost() {
    for (runtime, single) in [(current_thread(), true), (multi_thread(), false)] {
        let value = runtime.block_on(async {
            let promise = woken_elsewhere();
            if single {
                // The first poll pended: the rest is a task, which cannot have run yet.
                assert!(!promise.is_settled());
            }
            tokio::time::timeout(Duration::from_secs(10), promise).await
        });
        assert_eq!(value, Ok("woken"));
    }
}

#[test]
fn a_wake_up_before_the_spawn_is_not_lost_outside_any_runtime() {
    assert_eq!(woken_elsewhere().wait(), "woken");
}

#[test]
fn promises_are_arguments_of_every_combinator() {
    #[promisify]
    async fn after(ms: u64, value: Result<u64, u64>) -> Result<u64, u64> {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        value
    }
    multi_thread().block_on(async {
        assert_eq!(
            join_all!(after(2, Ok(1)), after(1, Ok(2))).await,
            Ok((1, 2))
        );
        assert_eq!(join_all!(after(20, Ok(1)), after(1, Err(2))).await, Err(2));
        assert_eq!(race!(after(10_000, Ok(1)), after(1, Err(2))).await, Err(2));
        assert_eq!(any!(after(1, Err(1)), after(5, Ok(2))).await, Ok(2));
        assert_eq!(
            settle!(after(1, Err(1)), after(2, Ok(2))).await,
            (Err(1), Ok(2))
        );
        // A promise dropped by a combinator keeps running, as in JavaScript.
        let (tx, rx) = tokio::sync::oneshot::channel();
        let slow = after(10, Ok(5)).then(move |v| tx.send(v).unwrap());
        let () = race!(Promise::resolve(()), slow).await;
        let finished = tokio::time::timeout(Duration::from_secs(10), rx).await;
        assert_eq!(finished, Ok(Ok(Ok(5))));
    });
}

#[test]
fn a_non_async_fn_runs_at_the_call_and_keeps_a_panic() {
    #[promisify]
    fn parse(text: String) -> Result<u8, std::num::ParseIntError> {
        text.parse()
    }
    #[promisify]
    fn broken() -> u8 {
        panic!("sync boom")
    }
    let parsed = parse("12".into());
    assert!(parsed.is_settled());
    assert_eq!(parsed.wait(), Ok(12));
    assert_eq!(
        broken().settled().wait(),
        Err(PromiseError::Panicked("sync boom".into()))
    );
}

struct Counter {
    base: u32,
}

impl Counter {
    #[promisify]
    async fn add(self, n: u32) -> u32 {
        self.base + n
    }

    #[promisify]
    async fn shared(self: Arc<Self>, n: u32) -> u32 {
        tokio::task::yield_now().await;
        self.base * n
    }
}

#[promisify]
/// Generic, with a where clause, a pattern and a `mut` parameter.
pub async fn summed<T>((a, b): (T, T), mut extra: Vec<T>) -> T
where
    T: std::ops::Add<Output = T> + Default + Send + 'static,
{
    extra.push(a);
    extra.push(b);
    tokio::task::yield_now().await;
    extra.into_iter().fold(T::default(), |acc, x| acc + x)
}

#[test]
fn methods_generics_patterns_and_mut_parameters() {
    multi_thread().block_on(async {
        assert_eq!(Counter { base: 40 }.add(2).await, 42);
        assert_eq!(Arc::new(Counter { base: 6 }).shared(7).await, 42);
        assert_eq!(summed((1, 2), vec![3]).await, 6);
        assert_eq!(summed((5u64, 25u64), vec![]).await, 30);
    });
}

mod reexported {
    pub(crate) use promisify as pfy;
}

#[reexported::pfy::promisify(crate = crate::reexported::pfy)]
async fn through_a_reexport() -> u8 {
    9
}

#[test]
fn crate_argument_names_a_reexported_path_outside_any_runtime() {
    let promise: reexported::pfy::Promise<u8> = through_a_reexport();
    assert_eq!(promise.wait(), 9);
}

#[test]
fn parameters_live_as_long_as_the_body_even_unused_ones() {
    #[promisify]
    async fn holds(_guard: DropFlag, release: tokio::sync::oneshot::Receiver<()>) {
        release.await.unwrap();
    }
    multi_thread().block_on(async {
        let dropped = Arc::new(AtomicBool::new(false));
        let (tx, rx) = tokio::sync::oneshot::channel();
        let promise = holds(DropFlag(dropped.clone()), rx);
        assert!(
            !dropped.load(Ordering::SeqCst),
            "the guard lives while the body runs"
        );
        tx.send(()).unwrap();
        promise.await;
        assert!(dropped.load(Ordering::SeqCst));
    });
}

#[test]
fn promise_is_send_sync_unpin_and_debug() {
    fn traits<T: Send + Sync + Unpin + std::fmt::Debug>(_: &T) {}
    let promise = Promise::resolve(1u8);
    traits(&promise);
    assert_eq!(format!("{promise:?}"), "Promise(fulfilled)");
    let (pending, resolver) = Promise::<u8>::with_resolvers();
    assert_eq!(format!("{pending:?}"), "Promise(pending)");
    traits(&resolver_is_send(resolver));
}

fn resolver_is_send<T: Send>(resolver: promisify::Resolver<T>) -> promisify::Resolver<T> {
    resolver
}

#[test]
fn a_promise_is_fused_once_awaited_to_the_end() {
    use futures::future::FusedFuture;

    let mut promise = Promise::resolve(7);
    assert!(!promise.is_terminated());
    let value = futures::executor::block_on(async {
        futures::select! {
            v = promise => v,
        }
    });
    assert_eq!(value, 7);
    assert!(promise.is_terminated());
}

/// JavaScript runs a chain of any length: settling it runs each link's callback one after the
/// other, not each inside the previous one's frame.
#[test]
fn a_chain_of_a_million_thens_settles_on_a_small_stack() {
    const LINKS: u64 = if cfg!(miri) { 1_000 } else { 1_000_000 };
    let (first, resolver) = Promise::<u64>::with_resolvers();
    let mut last = first;
    for _ in 0..LINKS {
        last = last.then(|n| n + 1);
    }
    // tokio's worker threads have 2 MiB stacks.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || resolver.resolve(0))
        .unwrap()
        .join()
        .expect("settling the chain overflowed the stack");
    assert_eq!(last.wait(), LINKS);
}

/// A value whose clone panics: what `T::clone` does when the user's code is wrong.
#[derive(Debug)]
struct CloneBomb(u8);

impl Clone for CloneBomb {
    fn clone(&self) -> Self {
        panic!("clone of {}", self.0)
    }
}

#[test]
fn a_panicking_clone_fails_its_reader_alone() {
    let (promise, resolver) = Promise::<CloneBomb>::with_resolvers();
    let awaiter = promise.clone();
    // The callback reads first, while `awaiter` still will: it gets the clone.
    let chained = promise.then(|bomb| bomb.0);
    let after = chained.clone().then(|n| n + 1);
    std::thread::spawn(move || resolver.resolve(CloneBomb(7)))
        .join()
        .expect("a clone's panic reached the thread that settled the promise");
    assert_eq!(
        chained.settled().wait(),
        Err(PromiseError::Panicked("clone of 7".into()))
    );
    assert_eq!(
        after.settled().wait(),
        Err(PromiseError::Panicked("clone of 7".into()))
    );
    assert_eq!(
        awaiter.wait().0,
        7,
        "the last reader takes the value itself"
    );
}
