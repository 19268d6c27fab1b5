//! The dynamic combinators keep the rules of the fixed ones, at every size: checked on futures
//! that log their polls and drops, at N = 0, 1, 2, 31 (each poll polls every running future)
//! and 1,000 (each future that pended has its own waker).

mod common;

use std::cell::Cell;
use std::future::{Future, pending, ready};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use common::{CountingWaker, Event, Gate, Log, Tracked, poll_once};
use futures::future::FusedFuture;
use futures::{Stream, StreamExt};
use promisify::{any, as_completed, join_all, race, settle};

use Event::{Drop as D, Poll as P, Ready as R};

const FOREVER: usize = usize::MAX;
/// Many futures: above 32, where wakers of their own pay (fewer under miri, which is slow).
const MANY: usize = if cfg!(miri) { 40 } else { 1000 };
const SIZES: [usize; 5] = [0, 1, 2, 31, MANY];

/// Polls only when woken, as a runtime does: a lost wake fails the test instead of hanging.
fn drive<F: Future>(future: F) -> (F::Output, usize) {
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(Arc::clone(&counter));
    let mut future = pin!(future);
    for polls in 1.. {
        if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
            return (output, polls);
        }
        assert!(
            counter.take() > 0,
            "pending, and nothing will wake it: a wake was lost"
        );
    }
    unreachable!()
}

/// How often future `i` pends in the scripts below: completion order differs from index order.
fn pends(i: usize) -> usize {
    (i * 7) % 5
}

#[test]
fn join_all_keeps_iteration_order_and_polls_each_future_once_per_wake() {
    for n in SIZES {
        let log = Log::new();
        let (all, polls) = drive(join_all(
            (0..n).map(|i| log.leaf(i, pends(i), Ok::<_, ()>(i))),
        ));
        assert_eq!(all, Ok((0..n).collect::<Vec<_>>()), "n = {n}");
        assert_eq!(polls, (0..n).map(pends).max().unwrap_or(0) + 1, "n = {n}");
        for i in 0..n {
            // Each pend wakes once, and a finished future is never polled again.
            assert_eq!(log.count(P(i)), pends(i) + 1, "n = {n}, future {i}");
            assert_eq!(log.count(D(i)), 1, "n = {n}, future {i}");
        }
    }
}

#[test]
fn settle_keeps_every_output_in_iteration_order() {
    for n in SIZES {
        let log = Log::new();
        let outputs = (0..n).map(|i| if i % 3 == 0 { Err(i) } else { Ok(i) });
        let futures: Vec<_> = outputs
            .clone()
            .enumerate()
            .map(|(i, out)| log.leaf(i, pends(i), out))
            .collect();
        let (all, _) = drive(settle(futures));
        assert_eq!(all, outputs.collect::<Vec<_>>(), "n = {n}");
        for i in 0..n {
            assert_eq!(log.count(P(i)), pends(i) + 1, "n = {n}, future {i}");
        }
    }
}

#[test]
fn join_all_fails_with_the_first_err_in_completion_order_and_drops_the_rest_in_that_poll() {
    for n in SIZES.into_iter().filter(|&n| n >= 2) {
        let log = Log::new();
        let futures = (0..n).map(|i| {
            let (pends, out) = match i {
                0 => (2, Err(0)),
                _ if i == n - 1 => (1, Err(i)),
                _ => (FOREVER, Ok(i)),
            };
            log.leaf(i, pends, out)
        });
        let mut fut = pin!(join_all(futures));
        assert!(poll_once(fut.as_mut()).is_pending());
        // The last fails first, though the first comes first in iteration order.
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(Err(n - 1)));
        // Every other future is gone while the combinator is still alive, and the first, which
        // would have failed at the next poll, was not polled a third time.
        for i in 0..n {
            assert_eq!(log.count(D(i)), 1, "n = {n}, future {i}");
        }
        assert_eq!(log.count(P(0)), 2, "n = {n}");
    }
}

#[test]
fn join_all_fails_fast_above_thirty_futures() {
    let log = Log::new();
    let futures = (0..100).map(|i| {
        log.leaf(
            i,
            if i == 50 { 0 } else { FOREVER },
            if i == 50 { Err(i) } else { Ok(i) },
        )
    });
    let mut fut = pin!(join_all(futures));
    assert_eq!(poll_once(fut.as_mut()), Poll::Ready(Err(50)));
    // A future that pended was not polled again when the others gave it a waker of its own.
    // Futures after the failing one were never polled, and all 100 are gone.
    assert_eq!(
        log.events().iter().filter(|e| matches!(e, P(_))).count(),
        51
    );
    assert_eq!(
        log.events().iter().filter(|e| matches!(e, D(_))).count(),
        100
    );
}

#[test]
fn race_takes_the_first_output_the_lowest_index_winning_a_tie() {
    for n in SIZES.into_iter().filter(|&n| n >= 1) {
        let log = Log::new();
        // Futures 1 and 0 both finish at the second poll when there are two; the highest
        // indices finish at the second poll when there are more, and the lowest of them wins.
        let finishes_first = |i: usize| n < 3 || i >= n - 2;
        let futures = (0..n).map(|i| log.leaf(i, if finishes_first(i) { 1 } else { FOREVER }, i));
        let mut fut = pin!(race(futures));
        assert!(poll_once(fut.as_mut()).is_pending());
        let winner = if n < 3 { 0 } else { n - 2 };
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(winner), "n = {n}");
        for i in 0..n {
            assert_eq!(log.count(D(i)), 1, "n = {n}, future {i}");
        }
        // The tie's loser was dropped without its second poll.
        if n >= 2 {
            let loser = if n < 3 { 1 } else { n - 1 };
            assert_eq!(log.count(P(loser)), 1, "n = {n}");
            assert_eq!(log.count(R(loser)), 0, "n = {n}");
        }
    }
}

#[test]
fn any_takes_the_first_ok_or_every_error_in_iteration_order() {
    for n in SIZES {
        let log = Log::new();
        let (all_failed, _) = drive(any((0..n).map(|i| log.leaf(i, pends(i), Err::<(), _>(i)))));
        assert_eq!(
            all_failed.unwrap_err().into_errors(),
            (0..n).collect::<Vec<_>>()
        );

        if n == 0 {
            continue;
        }
        let log = Log::new();
        let futures = (0..n).map(|i| {
            let ok = i == n - 1;
            log.leaf(
                i,
                if ok {
                    1
                } else if i % 2 == 0 {
                    0
                } else {
                    FOREVER
                },
                if ok { Ok(i) } else { Err(i) },
            )
        });
        let mut fut = pin!(any(futures));
        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!(
            poll_once(fut.as_mut()).map(|r| r.map_err(|_| ())),
            Poll::Ready(Ok(n - 1))
        );
        for i in 0..n {
            assert_eq!(log.count(D(i)), 1, "n = {n}, future {i}");
        }
    }
}

#[test]
fn as_completed_yields_in_completion_order_with_ties_by_index() {
    for n in SIZES {
        let log = Log::new();
        let (order, _) =
            drive(as_completed((0..n).map(|i| log.leaf(i, pends(i), i * 10))).collect::<Vec<_>>());
        let mut expected: Vec<_> = (0..n).map(|i| (i, i * 10)).collect();
        expected.sort_by_key(|&(i, _)| (pends(i), i));
        assert_eq!(order, expected, "n = {n}");
        for i in 0..n {
            assert_eq!(log.count(P(i)), pends(i) + 1, "n = {n}, future {i}");
        }
    }
}

#[test]
fn as_completed_ends_after_the_last_and_dropping_it_drops_what_runs() {
    let log = Log::new();
    let mut stream = Box::pin(as_completed([
        log.leaf(0, 0, 'a'),
        log.leaf(1, FOREVER, 'b'),
    ]));
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(
        stream.as_mut().poll_next(&mut cx),
        Poll::Ready(Some((0, 'a')))
    );
    assert_eq!(stream.as_mut().poll_next(&mut cx), Poll::Pending);
    assert_eq!(stream.size_hint(), (1, Some(1)));
    drop(stream);
    assert_eq!(log.count(D(1)), 1);

    let mut stream = pin!(as_completed([ready(1)]));
    assert_eq!(
        stream.as_mut().poll_next(&mut cx),
        Poll::Ready(Some((0, 1)))
    );
    assert_eq!(stream.as_mut().poll_next(&mut cx), Poll::Ready(None));
    assert_eq!(stream.as_mut().poll_next(&mut cx), Poll::Ready(None));
}

/// The polls of the first `n` futures, so far.
fn polls(log: &Log, n: usize) -> usize {
    log.events()
        .iter()
        .filter(|e| matches!(e, P(i) if *i < n))
        .count()
}

/// `n` closed gates, and a waker that counts the wakes of the task.
fn gates_and_counter(n: usize) -> (Vec<Gate>, Arc<CountingWaker>, Waker) {
    let gates = (0..n).map(|_| Gate::default()).collect();
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(Arc::clone(&counter));
    (gates, counter, waker)
}

#[test]
fn only_what_was_woken_is_polled_again() {
    // Opened one at a time, last first (N = 1,000). Every poll polls every running future
    // until those polls have found nothing new 2,000 times (twice the number of futures);
    // the next polls each running future once more, with a waker of its own, and from then
    // on an open polls that future alone.
    let n = MANY;
    let log = Log::new();
    let (gates, counter, waker) = gates_and_counter(n);
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(settle((0..n).map(|i| log.gated(i, &gates[i], i))));
    let mut expected = 0;
    for (k, running) in [n, n, n - 1, n - 2].into_iter().enumerate() {
        if k > 0 {
            gates[n - k].open();
        }
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        expected += running;
        assert_eq!(
            polls(&log, n),
            expected,
            "poll {k} polls every running future"
        );
    }
    counter.take();
    for i in (1..n - 3).rev() {
        let before = polls(&log, n);
        gates[i].open();
        assert_eq!(counter.take(), 1, "future {i} woke the task");
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert_eq!(polls(&log, n), before + 1, "future {i} alone was polled");
        assert_eq!(log.count(R(i)), 1);
    }
    gates[0].open();
    let Poll::Ready(all) = fut.as_mut().poll(&mut cx) else {
        panic!("not done")
    };
    assert_eq!(all, (0..n).collect::<Vec<_>>());
}

#[test]
fn as_completed_polls_only_what_was_woken_whatever_the_number() {
    // Ten futures, fewer than the other combinators sweep for ever: opened one at a time, last
    // first. The first poll finds every future pending; the next polls each once more, with a
    // waker of its own, and yields the one opened; from then on an open polls that one alone.
    let n = 10;
    let log = Log::new();
    let (gates, counter, waker) = gates_and_counter(n);
    let mut cx = Context::from_waker(&waker);
    let mut stream = pin!(as_completed((0..n).map(|i| log.gated(i, &gates[i], i))));
    assert!(stream.as_mut().poll_next(&mut cx).is_pending());
    assert_eq!(polls(&log, n), n);
    gates[n - 1].open();
    assert_eq!(
        stream.as_mut().poll_next(&mut cx),
        Poll::Ready(Some((n - 1, n - 1)))
    );
    assert_eq!(polls(&log, n), 2 * n);
    counter.take();
    for i in (0..n - 1).rev() {
        let before = polls(&log, n);
        gates[i].open();
        assert_eq!(counter.take(), 1, "future {i} woke the task");
        assert_eq!(
            stream.as_mut().poll_next(&mut cx),
            Poll::Ready(Some((i, i)))
        );
        assert_eq!(polls(&log, n), before + 1, "future {i} alone was polled");
    }
    assert_eq!(stream.as_mut().poll_next(&mut cx), Poll::Ready(None));
}

/// Polls `fut` until every future has a waker of its own: two polls that find nothing new,
/// and one that hands the wakers out.
fn until_wakers<F: Future + ?Sized>(mut fut: Pin<&mut F>, cx: &mut Context<'_>) {
    for _ in 0..3 {
        assert!(fut.as_mut().poll(cx).is_pending());
    }
}

/// Over 100 gated futures, the combinator that `make` builds, polled until each of its futures
/// has a waker of its own; then `then`, with the log, the gates, the combinator and a context.
fn once_with_wakers<F: Future, R>(
    make: impl FnOnce(&Log, &[Gate]) -> F,
    then: impl FnOnce(&Log, &[Gate], Pin<&mut F>, &mut Context<'_>) -> R,
) -> R {
    let log = Log::new();
    let (gates, _, waker) = gates_and_counter(100);
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(make(&log, &gates));
    until_wakers(fut.as_mut(), &mut cx);
    then(&log, &gates, fut, &mut cx)
}

/// `race` and `any`, which sweep on a path of their own, switch to wakers of their own as the
/// others do (`until_wakers`: three polls of every future): from then on a poll polls only
/// what was woken, here nothing, then the one future opened (which wins the race, and gives
/// `any` an error).
#[test]
fn race_and_any_poll_only_what_was_woken_once_sweeping_costs_more() {
    /// Whether the poll after future 10 opened decided the combinator.
    fn check<F: Future>(
        log: &Log,
        gates: &[Gate],
        mut fut: Pin<&mut F>,
        cx: &mut Context<'_>,
    ) -> bool {
        let n = 100;
        assert_eq!(polls(log, n), 3 * n);
        assert!(fut.as_mut().poll(cx).is_pending());
        assert_eq!(polls(log, n), 3 * n, "nothing was woken, nothing polled");
        gates[10].open();
        let decided = fut.as_mut().poll(cx).is_ready();
        assert_eq!(polls(log, n), 3 * n + 1, "future 10 alone was polled");
        decided
    }
    let race_decided = once_with_wakers(
        |log, gates| race((0..100).map(|i| log.gated(i, &gates[i], i))),
        check,
    );
    assert!(race_decided, "future 10 won the race");
    let any_decided = once_with_wakers(
        |log, gates| any((0..100).map(|i| log.gated(i, &gates[i], Err::<usize, _>(i)))),
        check,
    );
    assert!(!any_decided, "an error decides no `any`");
}

/// Over 100 futures, each with a waker of its own: future 50 decides the combinator made by
/// `make`, whose output this returns, once every future has been dropped inside that poll.
fn decided_by_a_woken_future<F: FusedFuture>(make: impl FnOnce(&Log, &[Gate]) -> F) -> F::Output {
    once_with_wakers(make, |log, gates, mut fut, cx| {
        gates[50].open();
        let Poll::Ready(output) = fut.as_mut().poll(cx) else {
            panic!("future 50 did not decide it")
        };
        for i in 0..100 {
            assert_eq!(
                log.count(D(i)),
                1,
                "future {i} dropped inside the deciding poll"
            );
        }
        assert!(fut.is_terminated());
        output
    })
}

#[test]
fn once_futures_have_wakers_the_deciding_poll_still_drops_every_other_future() {
    let failing = |i| if i == 50 { Err(i) } else { Ok(i) };
    let output = decided_by_a_woken_future(|log, gates| {
        join_all((0..100).map(|i| log.gated(i, &gates[i], failing(i))))
    });
    assert_eq!(output, Err(50));
    let output =
        decided_by_a_woken_future(|log, gates| race((0..100).map(|i| log.gated(i, &gates[i], i))));
    assert_eq!(output, 50);
    let output = decided_by_a_woken_future(|log, gates| {
        any((0..100).map(|i| log.gated(i, &gates[i], if i == 50 { Ok(i) } else { Err(i) })))
    });
    assert_eq!(output.map_err(|e| e.len()), Ok(50));
}

#[test]
fn wakes_reach_the_task_that_polled_last_and_nothing_is_polled_again_for_it() {
    let n = 100;
    let log = Log::new();
    let gates: Vec<Gate> = (0..n).map(|_| Gate::default()).collect();
    let mut fut = pin!(join_all((0..n).map(|i| log.gated(
        i,
        &gates[i],
        Ok::<_, ()>(i)
    ))));
    let first = Arc::new(CountingWaker::default());
    let first_waker = Waker::from(Arc::clone(&first));
    until_wakers(fut.as_mut(), &mut Context::from_waker(&first_waker));
    assert_eq!(polls(&log, n), 3 * n);
    // Moved to another task: its wakes must reach the new task, not the old one, and no
    // future is polled again for the move.
    let second = Arc::new(CountingWaker::default());
    let second_waker = Waker::from(Arc::clone(&second));
    assert!(
        fut.as_mut()
            .poll(&mut Context::from_waker(&second_waker))
            .is_pending()
    );
    assert_eq!(polls(&log, n), 3 * n);
    for gate in &gates {
        gate.open();
    }
    assert_eq!(first.take(), 0);
    assert_eq!(second.take(), 1);
    let Poll::Ready(all) = fut.as_mut().poll(&mut Context::from_waker(&second_waker)) else {
        panic!("not done")
    };
    assert_eq!(all.unwrap().len(), n);
    assert_eq!(polls(&log, n), 4 * n);
}

/// A future that counts how many of its kind have been polled and not finished, and checks
/// the limit at every poll.
struct Counted {
    running: Rc<Cell<usize>>,
    max: usize,
    started: bool,
    pends: usize,
    id: usize,
    order: Rc<std::cell::RefCell<Vec<usize>>>,
}

impl Future for Counted {
    type Output = Result<usize, usize>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if !self.started {
            self.started = true;
            self.running.set(self.running.get() + 1);
            self.order.borrow_mut().push(self.id);
        }
        assert!(
            self.running.get() <= self.max,
            "{} running, limit {}",
            self.running.get(),
            self.max
        );
        if self.pends > 0 {
            self.pends -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.running.set(self.running.get() - 1);
        Poll::Ready(if self.id == usize::MAX {
            Err(self.id)
        } else {
            Ok(self.id)
        })
    }
}

#[test]
fn limit_runs_at_most_n_at_once_started_in_order() {
    for (n, limit) in [(1, 1), (10, 3), (31, 1), (MANY, 16), (MANY, 2 * MANY)] {
        let running = Rc::new(Cell::new(0));
        let order = Rc::new(std::cell::RefCell::new(Vec::new()));
        let futures = |max| {
            let (running, order) = (running.clone(), order.clone());
            (0..n).map(move |id| Counted {
                running: running.clone(),
                max,
                started: false,
                pends: pends(id),
                id,
                order: order.clone(),
            })
        };
        let (all, _) = drive(join_all(futures(limit)).limit(limit));
        assert_eq!(all, Ok((0..n).collect::<Vec<_>>()));
        assert_eq!(
            *order.borrow(),
            (0..n).collect::<Vec<_>>(),
            "started in iteration order"
        );
        order.borrow_mut().clear();
        let (all, _) = drive(settle(futures(limit)).limit(limit));
        assert_eq!(all.len(), n);
        assert_eq!(*order.borrow(), (0..n).collect::<Vec<_>>());
    }
}

#[test]
fn limited_join_all_still_fails_fast() {
    let log = Log::new();
    let futures = (0..100).map(|i| {
        log.leaf(
            i,
            if i == 5 { 1 } else { FOREVER },
            if i == 5 { Err(i) } else { Ok(i) },
        )
    });
    let mut fut = pin!(join_all(futures).limit(10));
    assert!(poll_once(fut.as_mut()).is_pending());
    assert_eq!(poll_once(fut.as_mut()), Poll::Ready(Err(5)));
    // Only the first 10 ever started; all 100 are gone.
    assert_eq!(
        log.events()
            .iter()
            .filter(|e| matches!(e, P(i) if *i >= 10))
            .count(),
        0
    );
    assert_eq!(
        log.events().iter().filter(|e| matches!(e, D(_))).count(),
        100
    );
}

#[test]
fn empty_inputs_settle_at_once() {
    assert_eq!(
        poll_once(pin!(join_all(
            Vec::<std::future::Ready<Result<u8, u8>>>::new()
        ))),
        Poll::Ready(Ok(vec![]))
    );
    assert_eq!(
        poll_once(pin!(settle(Vec::<std::future::Ready<u8>>::new()))),
        Poll::Ready(vec![])
    );
    let Poll::Ready(Err(none)) =
        poll_once(pin!(any(Vec::<std::future::Ready<Result<u8, u8>>>::new())))
    else {
        panic!("`any` of nothing must fail at once")
    };
    assert!(none.is_empty());
    assert_eq!(
        none.to_string(),
        "no futures to wait for, so none succeeded"
    );
}

#[test]
#[should_panic(expected = "`race` of no futures would never finish, like `Promise.race([])`")]
fn race_of_nothing_panics_when_called() {
    drop(race(Vec::<std::future::Pending<u8>>::new()));
}

#[test]
#[should_panic(expected = "the limit must be at least 1")]
fn limit_zero_panics() {
    drop(join_all([ready(Ok::<u8, u8>(1))]).limit(0));
}

macro_rules! polled_after_completion {
    ($($name:ident: $fut:expr => $message:literal;)*) => {$(
        #[test]
        #[should_panic(expected = $message)]
        fn $name() {
            let mut fut = pin!($fut);
            assert!(poll_once(fut.as_mut()).is_ready());
            let _ = poll_once(fut.as_mut());
        }
    )*};
}

polled_after_completion! {
    join_all_polled_after_ready_panics: join_all([ready(Ok::<u8, u8>(1))]) => "`join_all` future polled after it completed";
    join_all_polled_after_failure_panics: join_all([ready(Err::<u8, u8>(1))]) => "`join_all` future polled after it completed";
    settle_polled_after_ready_panics: settle([ready(1)]) => "`settle` future polled after it completed";
    race_polled_after_ready_panics: race([ready(1)]) => "`race` future polled after it completed";
    any_polled_after_ready_panics: any([ready(Ok::<u8, u8>(1))]) => "`any` future polled after it completed";
    any_polled_after_failure_panics: any([ready(Err::<u8, u8>(1))]) => "`any` future polled after it completed";
}

#[test]
fn a_panic_in_a_future_propagates_out_of_poll() {
    for n in [2, MANY] {
        let futures = (0..n).map(|i| async move {
            assert!(i != n - 1, "boom in future {i}");
            i
        });
        let mut fut = pin!(settle(futures));
        let panic = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut()))).unwrap_err();
        assert_eq!(
            panic.downcast_ref::<String>().unwrap(),
            &format!("boom in future {}", n - 1)
        );
    }
}

#[test]
fn dropping_mid_way_drops_every_future_and_kept_output_once() {
    let log = Log::new();
    let futures = (0..40).map(|i| {
        log.leaf(
            i,
            if i % 2 == 0 { 0 } else { FOREVER },
            Ok::<_, ()>(Tracked::new(&log, i)),
        )
    });
    let mut fut = Box::pin(join_all(futures));
    assert!(poll_once(fut.as_mut()).is_pending());
    drop(fut);
    for i in 0..40 {
        let dropped = if i % 2 == 0 { D(100 + i) } else { D(i) };
        assert_eq!(log.count(dropped), 1, "future {i}");
        assert_eq!(log.count(D(i)), 1, "future {i}");
    }
}

#[test]
fn fused_after_ready() {
    use futures::future::FusedFuture;
    let mut fut = join_all([ready(Ok::<u8, u8>(1))]);
    assert!(!fut.is_terminated());
    assert!(poll_once(Pin::new(&mut fut)).is_ready());
    assert!(fut.is_terminated());
    let mut fut = race([pending::<u8>(), pending()]);
    assert!(poll_once(Pin::new(&mut fut)).is_pending());
    assert!(!fut.is_terminated());
}

#[test]
fn auto_traits_follow_the_futures() {
    fn send_sync_unpin<T: Send + Sync + Unpin>(_: &T) {}
    let fut = join_all([async { Ok::<u8, u8>(1) }]);
    send_sync_unpin(&fut);
    send_sync_unpin(&as_completed([async { 1 }]));
    assert_eq!(
        format!("{fut:?}"),
        "JoinAll { len: 1, remaining: 1, terminated: false }"
    );
}

mod spreads {
    use super::*;
    use promisify::{AggregateError, any, join_all, race, settle};

    #[test]
    fn join_all_spreads_give_a_vec_where_they_stand() {
        let shards = [1, 2, 3].map(|i| ready(Ok::<_, String>(i * 10)));
        let (all, _) = drive(join_all!(
            ready(Ok("config")),
            ..shards,
            ready(Ok(4)),
            ..Vec::<std::future::Ready<Result<u8, String>>>::new()
        ));
        assert_eq!(all, Ok(("config", vec![10, 20, 30], 4, vec![])));
        let (only, _) = drive(join_all!(..(0..40).map(|i| ready(Ok::<_, ()>(i)))));
        assert_eq!(only.unwrap().0.len(), 40);
    }

    #[test]
    fn join_all_spreads_fail_fast_with_the_first_err_in_completion_order() {
        let log = Log::new();
        let spread = (0..40).map(|i| {
            log.leaf(
                i,
                if i == 39 { 0 } else { FOREVER },
                if i == 39 { Err(i) } else { Ok(i) },
            )
        });
        let mut fut = pin!(join_all!(log.leaf(100, 1, Ok::<_, usize>(0)), ..spread));
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(Err(39)));
        assert_eq!(
            log.events().iter().filter(|e| matches!(e, D(_))).count(),
            41
        );
    }

    #[test]
    fn settle_spreads_keep_every_output() {
        let (all, _) = drive(settle!(..["a", "b"].map(ready), ready(1u8), ..[ready('c')]));
        assert_eq!(all, (vec!["a", "b"], 1, vec!['c']));
    }

    #[test]
    fn race_spreads_race_with_the_other_arguments() {
        let log = Log::new();
        let (winner, _) = drive(race!(
            log.leaf(0, 1, 'a'),
            ..(1..4).map(|i| log.leaf(i, 4 - i, char::from(b'a' + u8::try_from(i).unwrap()))),
            ..Vec::<std::future::Ready<char>>::new()
        ));
        // Futures 0 and 3 both finish at the second poll; 0 stands first.
        assert_eq!(winner, 'a');
        let (winner, _) = drive(race!(
            pending::<u8>(),
            ..Vec::<std::future::Ready<u8>>::new(),
            ..[ready(7)]
        ));
        assert_eq!(winner, 7);
    }

    #[test]
    #[should_panic(expected = "every spread was empty")]
    fn race_of_empty_spreads_alone_panics() {
        drop(race!(
            ..Vec::<std::future::Ready<u8>>::new(),
            ..Vec::<std::future::Ready<u8>>::new()
        ));
    }

    #[test]
    fn any_spreads_flatten_every_error_in_argument_order() {
        let (none, _) = drive(any!(
            ready(Err::<u8, _>(0)),
            ..[1, 2].map(|e| ready(Err(e))),
            ready(Err(3)),
            ..Vec::<std::future::Ready<Result<u8, i32>>>::new(),
            ..[ready(Err(4))],
        ));
        assert_eq!(none, Err(AggregateError::new(vec![0, 1, 2, 3, 4])));
        let (first, _) = drive(any!(
            ..[ready(Err::<u8, u8>(0)), ready(Ok(5))],
            ready(Ok(6))
        ));
        assert_eq!(first, Ok(5));
    }
}

/// Wakes from many threads at once, racing the task that polls: none may be lost. Each future
/// is a gate opened by another thread; the task only polls when woken, so a lost wake hangs
/// it, which the wait for its output turns into a failure.
#[test]
fn wakes_from_other_threads_are_never_lost() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (rounds, n) = if cfg!(miri) { (2, MANY) } else { (20, 2000) };
    for round in 0..rounds {
        let gates: Vec<Gate> = (0..n).map(|_| Gate::default()).collect();
        let all = settle((0..n).map(|i| {
            let gate = gates[i].clone();
            async move {
                std::future::poll_fn(|cx| {
                    let mut state = gate.0.lock().unwrap();
                    if state.0 {
                        Poll::Ready(i)
                    } else {
                        state.1 = Some(cx.waker().clone());
                        Poll::Pending
                    }
                })
                .await
            }
        }));
        // The openers start once the task has polled every future, and race its later polls.
        let polled = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut all = Box::pin(all);
        let flag = Arc::clone(&polled);
        let watched = std::future::poll_fn(move |cx| {
            let poll = all.as_mut().poll(cx);
            flag.store(true, std::sync::atomic::Ordering::Release);
            poll
        });
        let (done, outputs) = std::sync::mpsc::channel();
        runtime.spawn(async move { done.send(watched.await).unwrap() });
        let openers: Vec<_> = (0..4)
            .map(|t| {
                let gates: Vec<Gate> = gates.iter().skip(t).step_by(4).cloned().collect();
                let polled = Arc::clone(&polled);
                std::thread::spawn(move || {
                    while !polled.load(std::sync::atomic::Ordering::Acquire) {
                        std::thread::yield_now();
                    }
                    for (k, gate) in gates.into_iter().enumerate() {
                        gate.open();
                        if k % 64 == 0 {
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        // No timer wraps the task, since its polls would find what a lost wake left behind.
        let outputs = outputs
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("round {round}: a wake was lost"));
        assert_eq!(outputs, (0..n).collect::<Vec<_>>());
        for opener in openers {
            opener.join().unwrap();
        }
    }
}

#[test]
#[should_panic(expected = "must be set before the future is first polled")]
fn limit_after_the_first_poll_panics() {
    let mut fut = join_all([pending::<Result<u8, u8>>()]);
    assert!(poll_once(Pin::new(&mut fut)).is_pending());
    drop(fut.limit(1));
}

#[test]
fn as_completed_is_a_fused_stream() {
    use futures::stream::FusedStream;
    let mut stream = as_completed([ready(1)]);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(!stream.is_terminated());
    assert_eq!(
        Pin::new(&mut stream).poll_next(&mut cx),
        Poll::Ready(Some((0, 1)))
    );
    assert!(!stream.is_terminated());
    assert_eq!(Pin::new(&mut stream).poll_next(&mut cx), Poll::Ready(None));
    assert!(stream.is_terminated());
}
