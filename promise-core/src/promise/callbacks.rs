//! The callbacks chained to a pending promise: a list whose links are the callbacks' own
//! allocations, so that chaining one costs one allocation and settling the promise none.

use std::boxed::Box;

use super::error::Outcome;
use super::shared::Share;

/// A callback chained to a promise, boxed with its link to the next one and, once the promise
/// settles, its share of the outcome.
pub(crate) type Callback<T> = Box<dyn Chained<T>>;

pub(crate) trait Chained<T>: Send {
    fn link(&mut self) -> &mut Link<T>;

    /// Calls the callback with its share of the outcome, read now.
    fn call(self: Box<Self>);
}

pub(crate) struct Link<T> {
    next: Option<Callback<T>>,
    share: Option<Share<T>>,
}

struct Node<T, F> {
    link: Link<T>,
    f: F,
}

impl<T, F> Chained<T> for Node<T, F>
where
    T: Send,
    F: FnOnce(Outcome<T>) + Send,
{
    fn link(&mut self) -> &mut Link<T> {
        &mut self.link
    }

    fn call(self: Box<Self>) {
        let Node { link, f } = *self;
        f(link
            .share
            .expect("a callback called before its share")
            .read());
    }
}

/// `f`, boxed to be chained.
pub(crate) fn callback<T, F>(f: F) -> Callback<T>
where
    T: Send + 'static,
    F: FnOnce(Outcome<T>) + Send + 'static,
{
    Box::new(Node {
        link: Link {
            next: None,
            share: None,
        },
        f,
    })
}

/// The callbacks of a pending promise, the last chained first. Never dropped with callbacks in
/// it, which would drop the list link by link, recursively: a state settles (resolved,
/// abandoned, cancelled) before it goes, and `settle` turns its callbacks into `Jobs`, which
/// `queue` runs to the last.
pub(crate) struct Callbacks<T> {
    last: Option<Callback<T>>,
}

impl<T> Callbacks<T> {
    pub(crate) const fn new() -> Self {
        Callbacks { last: None }
    }

    pub(crate) fn push(&mut self, mut callback: Callback<T>) {
        callback.link().next = self.last.take();
        self.last = Some(callback);
    }

    /// The callbacks in the order they were chained, to be called in that order, each given
    /// its share by `share`.
    pub(crate) fn into_jobs(mut self, mut share: impl FnMut() -> Share<T>) -> Jobs<T> {
        let mut first = None;
        while let Some(mut callback) = self.last.take() {
            let link = callback.link();
            self.last = link.next.take();
            link.next = first;
            link.share = Some(share());
            first = Some(callback);
        }
        Jobs { first }
    }
}

/// The callbacks of a settled promise, in order, each with its share of the outcome.
pub(crate) struct Jobs<T> {
    first: Option<Callback<T>>,
}

impl<T> Jobs<T> {
    /// One callback, with its share.
    pub(crate) fn one(mut callback: Callback<T>, share: Share<T>) -> Self {
        callback.link().share = Some(share);
        Jobs {
            first: Some(callback),
        }
    }
}

impl<T> Iterator for Jobs<T> {
    type Item = Callback<T>;

    fn next(&mut self) -> Option<Callback<T>> {
        let mut callback = self.first.take()?;
        self.first = callback.link().next.take();
        Some(callback)
    }
}
