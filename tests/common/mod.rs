//! Test futures that record what happens to them, and a poll loop with no runtime.
#![allow(dead_code, unreachable_pub)]

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// What happened to the leaves, in order: `Poll(id)`, `Ready(id)`, `Drop(id)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Poll(usize),
    Ready(usize),
    Drop(usize),
}

#[derive(Clone, Default)]
pub struct Log(Rc<RefCell<Vec<Event>>>);

impl Log {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn take(&self) -> Vec<Event> {
        std::mem::take(&mut self.0.borrow_mut())
    }

    pub fn events(&self) -> Vec<Event> {
        self.0.borrow().clone()
    }

    pub fn count(&self, event: Event) -> usize {
        self.0.borrow().iter().filter(|e| **e == event).count()
    }

    /// A future that pends `pends` times (`usize::MAX`: for ever), then yields `value`. Each
    /// time it pends (but for ever) it wakes its task, as a future that yields does.
    pub fn leaf<T>(&self, id: usize, pends: usize, value: T) -> Leaf<T> {
        Leaf {
            id,
            pends,
            value: Some(value),
            log: self.clone(),
        }
    }
}

pub struct Leaf<T> {
    id: usize,
    pends: usize,
    value: Option<T>,
    log: Log,
}

impl<T> Unpin for Leaf<T> {}

impl<T> Future for Leaf<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.log.0.borrow_mut().push(Event::Poll(self.id));
        if self.pends > 0 {
            if self.pends != usize::MAX {
                cx.waker().wake_by_ref();
            }
            self.pends -= 1;
            return Poll::Pending;
        }
        self.log.0.borrow_mut().push(Event::Ready(self.id));
        Poll::Ready(self.value.take().expect("leaf polled after it finished"))
    }
}

impl<T> Drop for Leaf<T> {
    fn drop(&mut self) {
        self.log.0.borrow_mut().push(Event::Drop(self.id));
    }
}

/// An output that records its own drop, to check what the combinator keeps and frees.
pub struct Tracked {
    pub id: usize,
    log: Log,
}

impl Tracked {
    pub fn new(log: &Log, id: usize) -> Self {
        Tracked {
            id,
            log: log.clone(),
        }
    }
}

impl std::fmt::Debug for Tracked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tracked({})", self.id)
    }
}

impl PartialEq for Tracked {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        // Outputs log as `Drop(100 + id)` to tell them from their futures.
        self.log.0.borrow_mut().push(Event::Drop(100 + self.id));
    }
}

/// Polls once with a waker that does nothing.
pub fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// A future that pends until its `Gate` is opened, which wakes the waker it was last polled
/// with; then yields `value`. Logs its polls, readiness and drop like a `Leaf`.
pub struct Gated<T> {
    id: usize,
    gate: Gate,
    value: Option<T>,
    log: Log,
}

#[derive(Clone, Default)]
pub struct Gate(pub std::sync::Arc<std::sync::Mutex<(bool, Option<Waker>)>>);

impl Gate {
    pub fn open(&self) {
        let waker = {
            let mut state = self.0.lock().unwrap();
            state.0 = true;
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Log {
    pub fn gated<T>(&self, id: usize, gate: &Gate, value: T) -> Gated<T> {
        Gated {
            id,
            gate: gate.clone(),
            value: Some(value),
            log: self.clone(),
        }
    }
}

impl<T> Unpin for Gated<T> {}

impl<T> Future for Gated<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.log.0.borrow_mut().push(Event::Poll(self.id));
        {
            let mut state = self.gate.0.lock().unwrap();
            if !state.0 {
                state.1 = Some(cx.waker().clone());
                return Poll::Pending;
            }
        }
        self.log.0.borrow_mut().push(Event::Ready(self.id));
        Poll::Ready(
            self.value
                .take()
                .expect("gated future polled after it finished"),
        )
    }
}

impl<T> Drop for Gated<T> {
    fn drop(&mut self) {
        self.log.0.borrow_mut().push(Event::Drop(self.id));
    }
}

/// A waker that counts its wakes, for a poll loop that polls only when woken.
#[derive(Default)]
pub struct CountingWaker(std::sync::atomic::AtomicUsize);

impl std::task::Wake for CountingWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl CountingWaker {
    /// Takes the count of wakes since the last call.
    pub fn take(&self) -> usize {
        self.0.swap(0, std::sync::atomic::Ordering::SeqCst)
    }
}

/// Polls until ready, at most 1,000 times; returns the output and how many polls it took.
pub fn block_on<F: Future>(future: F) -> (F::Output, usize) {
    let mut future = std::pin::pin!(future);
    for polls in 1..=1000 {
        if let Poll::Ready(output) = poll_once(future.as_mut()) {
            return (output, polls);
        }
    }
    panic!("future still pending after 1,000 polls");
}
