use core::fmt;
use core::pin::Pin;

use pin_project_lite::pin_project;

pin_project! {
    /// One argument of a combinator: its future until it finishes, then what it left behind,
    /// then nothing once the combinator has handed its output out.
    #[project = MaybeDoneProj]
    #[project_replace = MaybeDoneReplace]
    pub(crate) enum MaybeDone<F, T> {
        Future { #[pin] future: F },
        Done { value: T },
        Gone,
    }
}

impl<F, T> MaybeDone<F, T> {
    /// Moves the kept value out, leaving `Gone`.
    ///
    /// Only called once every slot is `Done`, so any other state is a bug in this crate.
    pub(crate) fn take(self: Pin<&mut Self>) -> T {
        match self.project_replace(MaybeDone::Gone) {
            MaybeDoneReplace::Done { value } => value,
            _ => unreachable!("combinator slot taken before it finished"),
        }
    }

    /// Whether the future is still there. Read before projecting: matching on the projection
    /// alone makes LLVM compute the payload's address from the tag, branch-free, for every
    /// slot; after this check it knows the variant.
    #[inline]
    pub(crate) fn is_future(&self) -> bool {
        matches!(self, MaybeDone::Future { .. })
    }

    pub(crate) fn state(&self) -> State {
        State(match self {
            MaybeDone::Future { .. } => "pending",
            MaybeDone::Done { .. } => "done",
            MaybeDone::Gone => "gone",
        })
    }
}

/// The `Debug` face of a slot: its state, so that `Debug` needs nothing of the futures.
#[derive(Clone, Copy)]
pub(crate) struct State(pub(crate) &'static str);

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cold]
#[track_caller]
pub(crate) fn polled_after_completion(name: &str) -> ! {
    panic!("`{name}` future polled after it completed; a combinator yields its output once")
}

/// The number of arguments of a combinator, from their names.
#[allow(clippy::cast_possible_truncation, reason = "checked: at most 16")]
pub(crate) const fn arity<const N: usize>(_: [&str; N]) -> u8 {
    assert!(N <= 16);
    N as u8
}
