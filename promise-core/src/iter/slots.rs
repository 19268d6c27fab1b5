//! The storage and the scheduler that the dynamic combinators share: every future in one
//! pinned allocation, polled again only when woken.

use alloc::vec::Vec;
use core::future::{Future, IntoFuture};
use core::ops::{ControlFlow, Range};
use core::pin::Pin;
use core::task::{Context, Poll};
use core::{fmt, mem};

use super::raw::{Storage, get_pin_mut, into_values, range_pin_mut};
use crate::maybe_done::{MaybeDone, MaybeDoneProj, polled_after_completion};

/// Up to this many futures, each poll polls every running one with the caller's waker, as a
/// fixed combinator does: cheaper than wakers of their own, and it allocates nothing more.
/// Above it, the same, until the polls that found nothing new outnumber the futures twice
/// over: then each future gets a waker of its own, and only woken futures are polled
/// (`as_completed` makes them sooner, see [`Slots::waking_early`]).
const SWEEP_MAX: usize = 32;

/// The futures of a dynamic combinator, each with the value it finished with (`T`), and
/// which of them to poll next.
pub(crate) struct Slots<F, T> {
    /// The futures, then, once sweeping costs more than they do, their own wakers.
    futures: Storage<MaybeDone<F, T>>,
    /// Futures `0..started` may run; the others wait for the limit.
    started: usize,
    /// Futures `0..polled` have been polled at least once.
    polled: usize,
    /// How many have not finished.
    remaining: usize,
    /// How many more polls of every running future may find a future pending, or a slot
    /// finished, before wakers of their own pay (`isize::MAX`: never). Signed, so that a
    /// sweep counts its whole range first and gives back what finished after, exactly.
    patience: isize,
    /// What the next poll does, and where a poll is in its pass.
    phase: Phase,
}

/// What the next poll of a dynamic combinator does, and where a poll is in the order of
/// futures to poll.
#[derive(Clone, Copy)]
enum Phase {
    /// One sweep of every running future: no wakers of their own, no pass broken off, and
    /// sweeping has not cost more than wakers would.
    Sweeping,
    /// Between passes, when a sweep is not the whole story: the next poll starts a pass.
    Idle,
    /// Every running future, from `next` on.
    All { next: usize },
    /// The woken futures: word `w` (its bits left in `woken`), and the summary word that
    /// holds its bit, `w / BITS` (its bits left in `summary`).
    Woken {
        summary: usize,
        w: usize,
        woken: usize,
    },
    /// The futures started since the last look, which have never been polled.
    Fresh,
    /// The combinator has returned `Ready`, or its stream has ended.
    Terminated,
}

impl<F: Future, T> Slots<F, T> {
    pub(crate) fn new<I>(iter: I) -> Self
    where
        I: IntoIterator<Item: IntoFuture<IntoFuture = F>>,
    {
        Self::with_wakers_from(iter, SWEEP_MAX + 1)
    }

    /// Gives each future a waker of its own as soon as one sweep found nothing new in as
    /// many polls as there are futures, whatever their number: for a combinator that hands
    /// its outputs out one poll at a time, where every sweep costs an output.
    pub(crate) fn waking_early<I>(iter: I) -> Self
    where
        I: IntoIterator<Item: IntoFuture<IntoFuture = F>>,
    {
        let mut slots = Self::with_wakers_from(iter, 1);
        slots.patience = len_isize(slots.len().max(1));
        slots
    }

    /// The futures of `iter`, with room for wakers of their own when they are at least
    /// `wakers_from`, the fewest that may need them.
    fn with_wakers_from<I>(iter: I, wakers_from: usize) -> Self
    where
        I: IntoIterator<Item: IntoFuture<IntoFuture = F>>,
    {
        let futures = Storage::new(
            iter.into_iter().map(|future| MaybeDone::Future {
                future: future.into_future(),
            }),
            wakers_from,
        );
        let n = futures.len();
        Slots {
            futures,
            started: n,
            polled: 0,
            remaining: n,
            patience: if n > SWEEP_MAX {
                2 * len_isize(n)
            } else {
                isize::MAX
            },
            phase: Phase::Sweeping,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.futures.len()
    }

    /// At most `limit` futures running at once.
    pub(crate) fn set_limit(&mut self, limit: usize, name: &str) {
        assert!(
            limit > 0,
            "`{name}(..).limit(0)` would never start a future: the limit must be at least 1"
        );
        assert!(
            self.polled == 0,
            "`{name}(..).limit(n)` must be set before the future is first polled"
        );
        self.started = self.len().min(limit);
    }

    pub(crate) fn is_terminated(&self) -> bool {
        matches!(self.phase, Phase::Terminated)
    }

    /// Ends the combinator: every future still there is dropped now.
    pub(crate) fn terminate(&mut self) {
        drop(self.end());
    }

    /// Ends the combinator, handing its storage to the caller.
    fn end(&mut self) -> Storage<MaybeDone<F, T>> {
        self.phase = Phase::Terminated;
        self.futures.take()
    }

    /// [`Slots::poll_each`] for a combinator that takes no limit and ends when `f` stops
    /// (`race`, `any`): while it sweeps, the sweep is done here, where it is polled; passes
    /// over woken futures are left to `poll_each`.
    #[expect(
        clippy::inline_always,
        reason = "measured: as a call of its own, every race costs 2 to 5 instructions more"
    )]
    #[inline(always)]
    pub(crate) fn poll_until_stop<B>(
        &mut self,
        cx: &mut Context<'_>,
        name: &str,
        mut f: impl FnMut(usize, F::Output) -> ControlFlow<B, T>,
    ) -> Poll<Option<B>> {
        match self.poll_sweep(cx, &mut f) {
            Some(poll) => poll,
            None => self.poll_each::<true, _>(cx, name, f),
        }
    }

    /// The sweep of [`Slots::poll_until_stop`]: every running future polled with the caller's
    /// waker, each output handed to `f`. `None` when the poll is not a sweep (its futures have
    /// wakers, a pass is under way, or it has ended).
    #[expect(clippy::inline_always, reason = "see `poll_until_stop`")]
    #[inline(always)]
    fn poll_sweep<B>(
        &mut self,
        cx: &mut Context<'_>,
        f: &mut impl FnMut(usize, F::Output) -> ControlFlow<B, T>,
    ) -> Option<Poll<Option<B>>> {
        if !matches!(self.phase, Phase::Sweeping) {
            return None;
        }
        debug_assert_eq!(
            self.started,
            self.len(),
            "a limit is taken by `poll_each` alone"
        );
        let n = self.len();
        let mut finished = 0;
        let stopped =
            visit::<true, _, _, _>(self.futures.slots(), 0..n, &mut finished, f, |_, future| {
                future.poll(cx)
            });
        if let Some((_, b)) = stopped {
            self.terminate();
            return Some(Poll::Ready(Some(b)));
        }
        // Each future visited either finished or was wasted.
        self.patience -= len_isize(n - finished);
        self.remaining -= finished;
        self.polled = n;
        if self.wakers_pay() {
            self.phase = Phase::Idle;
        }
        Some(if self.remaining == 0 {
            Poll::Ready(None)
        } else {
            Poll::Pending
        })
    }

    /// Polls the futures that may have progressed, in index order, handing each output to
    /// `f` with its index; `f` says what the slot keeps (`Continue`), or stops the poll
    /// (`Break`), the finished future's slot then being left empty. A stop ends the
    /// combinator when `ENDS` (every other future is dropped before this returns); else the
    /// next poll resumes the pass after the future that stopped it.
    ///
    /// `Ready(Some(b))` when `f` stopped with `b`, `Ready(None)` once every future has
    /// finished, `Pending` when the pass is over and some have not.
    pub(crate) fn poll_each<const ENDS: bool, B>(
        &mut self,
        cx: &mut Context<'_>,
        name: &str,
        mut f: impl FnMut(usize, F::Output) -> ControlFlow<B, T>,
    ) -> Poll<Option<B>> {
        match self.phase {
            // The common case, one sweep of every running future, in short.
            Phase::Sweeping => {
                return match self.sweep::<ENDS, B>(0, cx, &mut f) {
                    Some(b) => Poll::Ready(Some(b)),
                    None if self.remaining == 0 => Poll::Ready(None),
                    None => Poll::Pending,
                };
            }
            Phase::Terminated => polled_after_completion(name),
            _ => {}
        }
        // A pass that an earlier poll broke off (an `as_completed` output) is finished first;
        // then one whole pass, so that every wake that came before this poll is seen.
        let mut resumed = !matches!(self.phase, Phase::Idle);
        while self.remaining > 0 {
            if matches!(self.phase, Phase::Idle) {
                self.start_pass(cx);
            }
            let stopped = match self.phase {
                Phase::All { next } => self.sweep::<ENDS, B>(next, cx, &mut f),
                _ => self.poll_woken::<ENDS, B>(&mut f),
            };
            if let Some(b) = stopped {
                return Poll::Ready(Some(b));
            }
            if !mem::take(&mut resumed) && self.remaining > 0 {
                break;
            }
        }
        if self.futures.readiness().is_none() && !self.wakers_pay() {
            // The pass broken off is over, and sweeping is still the cheaper.
            self.phase = Phase::Sweeping;
        }
        if self.remaining > 0 {
            Poll::Pending
        } else {
            Poll::Ready(None)
        }
    }

    /// Whether sweeping has cost more than wakers of their own would: above `SWEEP_MAX`
    /// futures, once the polls that found nothing new outnumber the futures twice over
    /// (unless [`Slots::waking_early`]).
    fn wakers_pay(&self) -> bool {
        self.patience <= 0
    }

    fn start_pass(&mut self, cx: &Context<'_>) {
        if let Some(readiness) = self.futures.readiness() {
            readiness.register(cx.waker());
            self.phase = Phase::Woken {
                summary: readiness.take_summary(0),
                w: 0,
                woken: 0,
            };
            return;
        }
        if self.wakers_pay() {
            // Sweeping costs more than wakers would: each running future is polled once more,
            // with a waker of its own, and from then on only when woken.
            self.futures.make_wakers(cx.waker());
        }
        self.phase = Phase::All { next: 0 };
    }

    /// Polls every running future from `at` on, the fresh ones too; `Some` if `f` stopped
    /// (having ended the combinator when `ENDS`).
    #[expect(
        clippy::inline_always,
        reason = "measured: as a call of its own, every poll of every combinator costs more"
    )]
    #[inline(always)]
    fn sweep<const ENDS: bool, B>(
        &mut self,
        mut at: usize,
        cx: &mut Context<'_>,
        f: &mut impl FnMut(usize, F::Output) -> ControlFlow<B, T>,
    ) -> Option<B> {
        loop {
            let end = self.started;
            // Every future of the range counts as wasted until it is found finished: nothing
            // of the range needs to be kept for after the loop.
            self.patience -= len_isize(end - at);
            let (futures, readiness) = self.futures.split();
            let mut finished = 0;
            let stopped = match readiness {
                None => visit::<ENDS, _, _, _>(futures, at..end, &mut finished, f, |_, future| {
                    future.poll(cx)
                }),
                Some(readiness) => {
                    visit::<ENDS, _, _, _>(futures, at..end, &mut finished, f, |i, future| {
                        future.poll(&mut Context::from_waker(&readiness.waker(i)))
                    })
                }
            };
            self.patience += len_isize(finished);
            let stopped = match stopped {
                Some((_, b)) if ENDS => {
                    self.terminate();
                    return Some(b);
                }
                Some((i, b)) => {
                    at = i + 1;
                    // The futures after it were not visited.
                    self.patience += len_isize(self.started - at);
                    Some(b)
                }
                None => {
                    at = self.started;
                    None
                }
            };
            self.remaining -= finished;
            let started_more = self.started < self.len() && finished > 0;
            if started_more {
                // Each future that finished starts the next one the limit held back.
                self.started = (self.started + finished).min(self.len());
            }
            if let Some(b) = stopped {
                self.phase = Phase::All { next: at };
                return Some(b);
            }
            if !started_more {
                break;
            }
        }
        // Every future started has now been polled.
        self.polled = self.started;
        if matches!(self.phase, Phase::All { .. }) || self.wakers_pay() {
            // The pass of a slower poll is over; or sweeping has cost more than wakers would.
            self.phase = Phase::Idle;
        }
        None
    }

    /// Polls the woken futures, then the fresh ones; `Some` if `f` stopped (having ended the
    /// combinator when `ENDS`).
    fn poll_woken<const ENDS: bool, B>(
        &mut self,
        f: &mut impl FnMut(usize, F::Output) -> ControlFlow<B, T>,
    ) -> Option<B> {
        while let Some(i) = self.next_woken() {
            let (futures, readiness) = self.futures.split();
            let readiness = readiness.expect("woken pass without wakers");
            let slot = get_pin_mut(futures, i);
            let MaybeDoneProj::Future { future } = slot.project() else {
                // Finished, and woken since: never polled again.
                continue;
            };
            if let Poll::Ready(output) = future.poll(&mut Context::from_waker(&readiness.waker(i)))
            {
                if let Some(b) = self.finish::<ENDS, B>(i, output, f) {
                    return Some(b);
                }
            }
        }
        None
    }

    /// Future `i` finished with `output`: `f` says what its slot keeps, or stops (which ends
    /// the combinator when `ENDS`).
    fn finish<const ENDS: bool, B>(
        &mut self,
        i: usize,
        output: F::Output,
        f: &mut impl FnMut(usize, F::Output) -> ControlFlow<B, T>,
    ) -> Option<B> {
        self.remaining -= 1;
        if self.started < self.len() {
            self.started += 1;
        }
        let stopped = keep::<ENDS, _, _, _>(get_pin_mut(self.futures.slots(), i), f(i, output));
        if ENDS && stopped.is_some() {
            self.terminate();
        }
        stopped
    }

    /// The index of the next woken or fresh future, or `None` when the pass is over.
    fn next_woken(&mut self) -> Option<usize> {
        const BITS: usize = usize::BITS as usize;
        let readiness = self.futures.readiness();
        loop {
            match &mut self.phase {
                Phase::Woken { summary, w, woken } => {
                    if *woken != 0 {
                        let bit = woken.trailing_zeros() as usize;
                        *woken &= *woken - 1;
                        return Some(*w * BITS + bit);
                    }
                    let readiness = readiness.expect("woken pass without wakers");
                    // The summary word being read is the one that holds word `w`'s bit.
                    let s = *w / BITS;
                    if *summary != 0 {
                        *w = s * BITS + summary.trailing_zeros() as usize;
                        *summary &= *summary - 1;
                        *woken = readiness.take_woken(*w);
                    } else if s + 1 < readiness.summary_len() {
                        *w = (s + 1) * BITS;
                        *summary = readiness.take_summary(s + 1);
                    } else {
                        self.phase = Phase::Fresh;
                    }
                }
                Phase::Fresh => {
                    if self.polled < self.started {
                        self.polled += 1;
                        return Some(self.polled - 1);
                    }
                    self.phase = Phase::Idle;
                    return None;
                }
                _ => unreachable!("not a pass of woken futures"),
            }
        }
    }

    /// Moves every kept value out, in index order, into the futures' storage when it fits.
    pub(crate) fn take_all(&mut self) -> Vec<T> {
        into_values(self.end())
    }

    /// How many futures have not finished.
    pub(crate) fn remaining(&self) -> usize {
        self.remaining
    }

    /// The `Debug` face of a dynamic combinator: counts, which need nothing of the futures.
    pub(crate) fn fmt(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("len", &self.len())
            .field("remaining", &self.remaining)
            .field("terminated", &self.is_terminated())
            .finish()
    }
}

/// A count of futures as a signed number: never more than `isize::MAX`, since they take room.
#[expect(
    clippy::cast_possible_wrap,
    reason = "a count of slots that take room is at most `isize::MAX`"
)]
#[inline]
fn len_isize(n: usize) -> isize {
    n as isize
}

/// The hot loop of a sweep: polls, with `poll`, every future of `range` still there, handing
/// each output to `f`; counts those that finished. Writes nothing else: the caller does, once.
#[expect(
    clippy::inline_always,
    reason = "measured: as a call of its own, its loop keeps less in registers"
)]
#[inline(always)]
fn visit<const ENDS: bool, F: Future, T, B>(
    futures: Pin<&mut [MaybeDone<F, T>]>,
    range: Range<usize>,
    finished: &mut usize,
    f: &mut impl FnMut(usize, F::Output) -> ControlFlow<B, T>,
    mut poll: impl FnMut(usize, Pin<&mut F>) -> Poll<F::Output>,
) -> Option<(usize, B)> {
    for (i, mut slot) in range_pin_mut(futures, range) {
        let MaybeDoneProj::Future { future } = slot.as_mut().project() else {
            continue;
        };
        let Poll::Ready(output) = poll(i, future) else {
            continue;
        };
        *finished += 1;
        if let Some(b) = keep::<ENDS, _, _, _>(slot, f(i, output)) {
            return Some((i, b));
        }
    }
    None
}

/// What a finished future's slot keeps: its value (`Continue`), or nothing when `f` stopped
/// with `b`, which is handed back. A stop that ends the combinator (`ENDS`) leaves the
/// finished future where it is: it is dropped with the others, before the poll returns.
#[inline]
fn keep<const ENDS: bool, F, T, B>(
    mut slot: Pin<&mut MaybeDone<F, T>>,
    flow: ControlFlow<B, T>,
) -> Option<B> {
    match flow {
        ControlFlow::Continue(value) => {
            slot.set(MaybeDone::Done { value });
            None
        }
        ControlFlow::Break(b) => {
            if !ENDS {
                slot.set(MaybeDone::Gone);
            }
            Some(b)
        }
    }
}
