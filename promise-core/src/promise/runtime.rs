use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use pin_project_lite::pin_project;
use tokio::runtime::{Builder, Handle, Runtime};

use super::Promise;
use super::body::first_poll;
use super::error::{Failure, Outcome};

/// The runtime of callers outside any: multi-thread, started on first use, never shut down.
fn builtin() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .enable_all()
            .thread_name("promisify-worker")
            .build()
            .expect("promisify could not start its built-in tokio runtime")
    })
}

/// Starts `body` the way JavaScript starts an async function: polls it once, here and now,
/// inside the runtime's context; if it is not done, the rest runs as a task.
pub(crate) fn start<F>(body: F) -> Promise<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (handle, _entered) = if let Ok(handle) = Handle::try_current() {
        (handle, None)
    } else {
        let handle = builtin().handle();
        (handle.clone(), Some(handle.enter()))
    };
    // The body goes into its promise's state before the first poll: once polled, it may not
    // move. The waker of this first poll does nothing, and no wake-up can be lost by it:
    // whatever the body waits on registered this waker, and will wake it, or already has,
    // perhaps from another thread before `spawn` below. But a spawned task is always polled
    // once, and that poll re-polls the body, which then sees the event (a leaf future checks
    // its state when polled) or registers the task's own waker before the event can fire.
    match first_poll(body, &mut Context::from_waker(Waker::noop())) {
        Ok(outcome) => Promise::from_outcome(outcome),
        Err(task) => {
            let shared = task.shared();
            Promise::from_task(shared, Some(handle.spawn(task)))
        }
    }
}

/// Runs the body of a non-async `#[promisify]` fn now, keeping a panic in the promise.
pub(crate) fn run<T>(body: impl FnOnce() -> T) -> Promise<T> {
    Promise::from_outcome(guard(body))
}

/// Calls `f`, turning a panic into a failure.
pub(crate) fn guard<T>(f: impl FnOnce() -> T) -> Outcome<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(Failure::panicked)
}

pin_project! {
    /// Polls a future, turning a panic into a failure.
    pub(crate) struct CatchUnwind<F> {
        #[pin]
        future: F,
    }
}

impl<F> CatchUnwind<F> {
    pub(crate) fn new(future: F) -> Self {
        CatchUnwind { future }
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Outcome<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let future = self.project().future;
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(Failure::panicked(payload))),
        }
    }
}

/// Blocks this thread until `future` is done. Inside a runtime's context it goes through
/// tokio's own guard, which panics on a thread that drives async tasks, where blocking could
/// deadlock, and allows it elsewhere (`spawn_blocking`).
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    if let Ok(handle) = Handle::try_current() {
        return handle.block_on(future);
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        thread::park();
    }
}

/// Wakes a thread parked in [`block_on`].
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}
