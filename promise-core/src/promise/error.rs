use std::any::Any;
use std::boxed::Box;
use std::fmt;
use std::string::{String, ToString};
use std::sync::Mutex;

/// Why a promise settled without a value: what [`Promise::settled`](super::Promise::settled)
/// yields instead of panicking.
///
/// ```
/// use promise_core::{Promise, PromiseError};
///
/// let (promise, resolver) = Promise::<u8>::with_resolvers();
/// drop(resolver);
/// assert_eq!(promise.settled().wait(), Err(PromiseError::Abandoned));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PromiseError {
    /// The work panicked, with this message.
    Panicked(String),
    /// [`Promise::cancel`](super::Promise::cancel) was called, or the runtime running the work
    /// shut down first.
    Cancelled,
    /// The [`Resolver`](super::Resolver) was dropped without settling the promise.
    Abandoned,
}

impl fmt::Display for PromiseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PromiseError::Panicked(message) => write!(f, "the promise's work panicked: {message}"),
            PromiseError::Cancelled => f.write_str("the promise was cancelled"),
            PromiseError::Abandoned => f.write_str(
                "the promise was abandoned: its Resolver was dropped without settling it",
            ),
        }
    }
}

impl std::error::Error for PromiseError {}

/// A failure as stored: the error, and for a panic its original payload, which the first
/// awaiter resumes with. Boxed: a failure is rare, and an outcome that holds one inline would
/// make every value it carries bigger to move.
pub(crate) struct Failure(Box<Failed>);

struct Failed {
    error: PromiseError,
    /// In a `Mutex` only to be `Sync`; it is taken once, by whoever holds the failure.
    payload: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Failure {
    pub(crate) fn new(error: PromiseError) -> Self {
        Failure::with_payload(error, None)
    }

    fn with_payload(error: PromiseError, payload: Option<Box<dyn Any + Send>>) -> Self {
        Failure(Box::new(Failed {
            error,
            payload: Mutex::new(payload),
        }))
    }

    /// What went wrong.
    pub(crate) fn into_error(self) -> PromiseError {
        self.0.error
    }

    pub(crate) fn panicked(payload: Box<dyn Any + Send>) -> Self {
        let message = if let Some(message) = payload.downcast_ref::<&str>() {
            (*message).to_string()
        } else if let Some(message) = payload.downcast_ref::<String>() {
            message.clone()
        } else {
            "Box<dyn Any>".to_string()
        };
        Failure::with_payload(PromiseError::Panicked(message), Some(payload))
    }

    /// The same error, without the payload: what a clone of a failed promise holds.
    pub(crate) fn share(&self) -> Self {
        Failure::new(self.0.error.clone())
    }

    /// The same error, with the payload if nobody took it yet: the first reader gets it.
    pub(crate) fn take_first(&self) -> Self {
        let payload = self
            .0
            .payload
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        Failure::with_payload(self.0.error.clone(), payload)
    }

    /// Panics as an awaiter of this failure must: with the original payload if it is still
    /// here, otherwise with a message naming what happened.
    pub(crate) fn resume(self) -> ! {
        let Failed { error, payload } = *self.0;
        let payload = payload
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(payload) = payload {
            std::panic::resume_unwind(payload);
        }
        match error {
            PromiseError::Panicked(message) => {
                panic!("awaited a promise whose work panicked: {message}")
            }
            // Named as `PromiseError` names them, so that the docs are easy to find.
            PromiseError::Cancelled => panic!(
                "awaited a promise that was cancelled (`PromiseError::Cancelled`): `cancel` was \
                 called on it, or the runtime running its work shut down first"
            ),
            PromiseError::Abandoned => panic!(
                "awaited a promise that was abandoned (`PromiseError::Abandoned`): its `Resolver` \
                 was dropped without settling it"
            ),
        }
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0.error, f)
    }
}

/// How a promise settled.
pub(crate) type Outcome<T> = Result<T, Failure>;
