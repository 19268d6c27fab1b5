//! The rules every combinator keeps, each checked on futures that log their polls and drops.

mod common;

use std::future::{pending, ready};
use std::pin::pin;
use std::task::Poll;

use common::{Event, Log, Tracked, block_on, poll_once};
use promisify::{AggregateError, any, join_all, race, settle};

use Event::{Drop as D, Poll as P, Ready as R};

const FOREVER: usize = usize::MAX;

#[test]
fn race_leftmost_of_those_ready_in_the_same_poll_wins() {
    let log = Log::new();
    let (winner, polls) = block_on(race!(
        log.leaf(0, 2, 'a'),
        log.leaf(1, 1, 'b'),
        log.leaf(2, 1, 'c'),
    ));
    assert_eq!((winner, polls), ('b', 2));
}

#[test]
fn race_polls_left_to_right_and_drops_the_losers_before_returning_ready() {
    let log = Log::new();
    let mut fut = pin!(race!(
        log.leaf(0, FOREVER, 0),
        log.leaf(1, 1, 1),
        log.leaf(2, FOREVER, 2),
    ));
    assert_eq!(poll_once(fut.as_mut()), Poll::Pending);
    assert_eq!(log.take(), [P(0), P(1), P(2)]);
    assert_eq!(poll_once(fut.as_mut()), Poll::Ready(1));
    // The third argument is not polled once the second has won, and every argument is gone
    // while the combinator itself is still alive.
    assert_eq!(log.take(), [P(0), P(1), R(1), D(0), D(1), D(2)]);
}

#[test]
fn race_takes_err_like_ok() {
    let (winner, _) = block_on(race!(pending::<Result<u8, &str>>(), ready(Err("no"))));
    assert_eq!(winner, Err("no"));
}

#[test]
fn join_all_keeps_argument_order_whatever_the_completion_order() {
    let log = Log::new();
    let (all, polls) = block_on(join_all!(
        log.leaf(0, 3, Ok::<_, ()>('a')),
        log.leaf(1, 0, Ok('b')),
        log.leaf(2, 1, Ok('c')),
    ));
    assert_eq!((all, polls), (Ok(('a', 'b', 'c')), 4));
}

#[test]
fn join_all_never_polls_a_finished_argument_again() {
    let log = Log::new();
    let _ = block_on(join_all!(
        log.leaf(0, 0, Ok::<_, ()>(0)),
        log.leaf(1, 3, Ok(1)),
    ));
    assert_eq!(log.count(P(0)), 1);
    assert_eq!(log.count(P(1)), 4);
    // A finished future is dropped as soon as it finishes, not kept until the end.
    let events = log.events();
    assert_eq!(&events[..3], [P(0), R(0), D(0)]);
}

#[test]
fn join_all_fails_with_the_first_err_in_completion_order_and_drops_the_rest_at_once() {
    let log = Log::new();
    let mut fut = pin!(join_all!(
        log.leaf(0, 0, Ok::<_, usize>(Tracked::new(&log, 0))),
        log.leaf(1, 2, Err::<Tracked, _>(1)),
        log.leaf(2, 1, Err::<Tracked, _>(2)),
        log.leaf(3, FOREVER, Ok(Tracked::new(&log, 3))),
    ));
    assert_eq!(poll_once(fut.as_mut()), Poll::Pending);
    log.take();
    assert_eq!(
        poll_once(fut.as_mut()).map(|r| r.map(drop)),
        Poll::Ready(Err(2))
    );
    // Leaf 3 is never polled after 2 fails; the kept output of 0 and every future left
    // (1 and 3, and 3's unreturned output inside it) are dropped inside that poll.
    assert_eq!(
        log.take(),
        [P(1), P(2), R(2), D(100), D(1), D(2), D(3), D(103)]
    );
}

#[test]
fn any_yields_the_first_ok_and_drops_the_rest_at_once() {
    let log = Log::new();
    let mut fut = pin!(any!(
        log.leaf(0, 0, Err::<u8, _>('a')),
        log.leaf(1, FOREVER, Ok(1)),
        log.leaf(2, 1, Ok(2)),
        log.leaf(3, 1, Ok(3)),
    ));
    assert_eq!(poll_once(fut.as_mut()), Poll::Pending);
    assert_eq!(log.take(), [P(0), R(0), D(0), P(1), P(2), P(3)]);
    assert_eq!(poll_once(fut.as_mut()), Poll::Ready(Ok(2)));
    assert_eq!(log.take(), [P(1), P(2), R(2), D(1), D(2), D(3)]);
}

#[test]
fn any_gathers_every_error_in_argument_order() {
    let log = Log::new();
    let (result, _) = block_on(any!(
        log.leaf(0, 3, Err::<(), _>('a')),
        log.leaf(1, 0, Err('b')),
        log.leaf(2, 1, Err('c')),
    ));
    let error = result.unwrap_err();
    assert_eq!(error, AggregateError::new(['a', 'b', 'c']));
    assert_eq!(error.to_string(), "all 3 futures failed: a; b; c");
}

#[test]
fn settle_keeps_every_output_as_it_is() {
    let (all, polls) = block_on(settle!(
        ready(Ok::<u8, &str>(1)),
        async { Err::<u8, &str>("no") },
        ready('c'),
    ));
    assert_eq!((all, polls), ((Ok(1), Err("no"), 'c'), 1));
}

#[test]
fn settle_never_polls_a_finished_argument_again() {
    let log = Log::new();
    let (all, _) = block_on(settle!(
        log.leaf(0, 2, 0),
        log.leaf(1, 0, 1),
        log.leaf(2, 1, 2)
    ));
    assert_eq!(all, (0, 1, 2));
    assert_eq!(
        [log.count(P(0)), log.count(P(1)), log.count(P(2))],
        [3, 1, 2]
    );
}

#[test]
fn dropping_mid_way_drops_every_argument_and_kept_output_once() {
    let log = Log::new();
    {
        let mut fut = pin!(settle!(
            log.leaf(0, 0, Tracked::new(&log, 0)),
            log.leaf(1, FOREVER, Tracked::new(&log, 1)),
        ));
        assert!(poll_once(fut.as_mut()).is_pending());
        log.take();
    }
    let mut dropped = log.take();
    dropped.sort_by_key(|e| match e {
        D(id) => *id,
        _ => usize::MAX,
    });
    assert_eq!(dropped, [D(1), D(100), D(101)]);
}

#[test]
fn empty_join_all_and_settle_are_ready_at_once() {
    let (all, polls) = block_on(join_all!());
    let _: Result<(), ()> = all;
    assert_eq!((all, polls), (Ok(()), 1));
    assert_eq!(block_on(settle!()), ((), 1));
}

#[test]
fn one_argument_gives_a_one_tuple() {
    assert_eq!(block_on(join_all!(ready(Ok::<_, ()>(7)))).0, Ok((7,)));
    assert_eq!(block_on(settle!(ready(7))).0, (7,));
    assert_eq!(block_on(race!(ready(7))).0, 7);
    assert_eq!(
        block_on(any!(ready(Err::<(), _>(7)))).0,
        Err(AggregateError::new([7]))
    );
}

#[test]
fn arguments_are_evaluated_once_left_to_right_when_the_macro_runs() {
    let order = std::cell::RefCell::new(Vec::new());
    let arg = |id: u8| {
        order.borrow_mut().push(id);
        ready(id)
    };
    let fut = settle!(arg(1), arg(2), arg(3));
    assert_eq!(*order.borrow(), [1, 2, 3]);
    assert_eq!(block_on(fut).0, (1, 2, 3));
    assert_eq!(*order.borrow(), [1, 2, 3]);
}

#[test]
fn temporaries_in_arguments_live_to_the_end_of_the_statement() {
    async fn len(s: &str) -> usize {
        std::future::ready(()).await;
        s.len()
    }
    let (winner, _) = block_on(race!(len(&String::from("abc")), len(&format!("{}", 12))));
    assert_eq!(winner, 3);
}

#[test]
fn into_future_arguments_are_converted() {
    struct Later(u8);
    impl std::future::IntoFuture for Later {
        type Output = u8;
        type IntoFuture = std::future::Ready<u8>;
        fn into_future(self) -> Self::IntoFuture {
            ready(self.0)
        }
    }
    assert_eq!(block_on(race!(Later(4), ready(5))).0, 4);
}

#[test]
fn the_other_arguments_types_are_inferred_from_the_first() {
    let (all, _) = block_on(join_all!(ready(Ok::<u8, String>(1)), async { Ok(2) }));
    assert_eq!(all, Ok((1, 2)));
    let (first, _) = block_on(any!(ready(Err::<u8, String>("a".into())), async { Ok(2) }));
    assert_eq!(first, Ok(2));
}

#[test]
fn a_panic_in_an_argument_propagates_out_of_poll() {
    let mut fut = pin!(join_all!(ready(Ok::<u8, ()>(1)), async {
        panic!("boom in argument");
        #[allow(unreachable_code)]
        Ok::<u8, ()>(2)
    }));
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| poll_once(fut.as_mut())))
            .unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom in argument"));
}

#[test]
fn debug_shows_the_state_of_each_argument() {
    let mut fut = pin!(settle!(ready(1), pending::<u8>()));
    assert_eq!(format!("{fut:?}"), "Settle2(pending, pending)");
    let _ = poll_once(fut.as_mut());
    assert_eq!(format!("{fut:?}"), "Settle2(done, pending)");
    let race = race!(ready(1));
    assert_eq!(format!("{race:?}"), "Race1(pending)");
    // After a short-circuit every argument is gone, dropped or (without drop glue) left unread.
    let mut failed = pin!(join_all!(
        ready(Err::<u8, u8>(1)),
        pending::<Result<u8, u8>>()
    ));
    assert!(poll_once(failed.as_mut()).is_ready());
    assert_eq!(format!("{failed:?}"), "JoinAll2(gone, gone)");
    let mut won = pin!(any!(ready(Ok::<u8, u8>(1)), pending::<Result<u8, u8>>()));
    assert!(poll_once(won.as_mut()).is_ready());
    assert_eq!(format!("{won:?}"), "Any2(gone, gone)");
}

#[test]
fn auto_traits_follow_the_arguments() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn unpin<T: Unpin>(_: &T) {}
    let fut = join_all!(ready(Ok::<u8, ()>(1)), ready(Ok::<u8, ()>(2)));
    send_sync(&fut);
    unpin(&fut);
    let fut = race!(ready(1), ready(2));
    send_sync(&fut);
    unpin(&fut);
    static_assertions_not_send();
}

/// `Rc` is neither `Send` nor `Sync`, and an `async` block is not `Unpin`.
fn static_assertions_not_send() {
    trait AmbiguousIfSend<A> {
        fn some_item() {}
    }
    impl<T: ?Sized> AmbiguousIfSend<()> for T {}
    #[allow(dead_code)]
    struct Invalid;
    impl<T: ?Sized + Send> AmbiguousIfSend<Invalid> for T {}
    // Compiles only because the combinator is *not* `Send`: were it `Send`, the call would be
    // ambiguous between the two impls.
    fn assert_not_send<T>(_: &T) {
        <T as AmbiguousIfSend<_>>::some_item();
    }
    let fut = settle!(ready(std::rc::Rc::new(1)));
    assert_not_send(&fut);
}

macro_rules! polled_after_completion {
    ($($name:ident: $mac:ident!($($arg:expr),*) => $message:literal;)*) => {$(
        #[test]
        #[should_panic(expected = $message)]
        fn $name() {
            let mut fut = pin!($mac!($($arg),*));
            assert!(poll_once(fut.as_mut()).is_ready());
            let _ = poll_once(fut.as_mut());
        }
    )*};
}

polled_after_completion! {
    race_polled_after_completion_panics: race!(ready(1), ready(2)) => "`race!` future polled after it completed";
    settle_polled_after_completion_panics: settle!(ready(1), ready(2)) => "`settle!` future polled after it completed";
    join_all_polled_after_success_panics: join_all!(ready(Ok::<u8, ()>(1)), ready(Ok(2))) => "`join_all!` future polled after it completed";
    join_all_polled_after_failure_panics: join_all!(ready(Err::<u8, u8>(1)), ready(Ok(2))) => "`join_all!` future polled after it completed";
    any_polled_after_success_panics: any!(ready(Ok::<u8, ()>(1)), ready(Ok(2))) => "`any!` future polled after it completed";
    any_polled_after_failure_panics: any!(ready(Err::<u8, u8>(1)), ready(Err(2))) => "`any!` future polled after it completed";
}

/// The same rules at every arity from 1 to 16: `$i` are the argument indices.
macro_rules! every_arity {
    ($($module:ident: [$($i:tt)+])*) => {$(
        mod $module {
            use super::*;

            const N: usize = [$($i),+].len();

            #[test]
            fn race_only_the_last_finishes() {
                let log = Log::new();
                let winner = block_on(race!($(log.leaf($i, if $i == N - 1 { 2 } else { FOREVER }, $i)),+)).0;
                assert_eq!(winner, N - 1);
                assert_eq!(log.count(P(0)), 3);
                for id in 0..N {
                    assert_eq!(log.count(D(id)), 1, "argument {id} dropped once");
                }
            }

            #[test]
            fn join_all_collects_in_argument_order() {
                let log = Log::new();
                let all = block_on(join_all!($(log.leaf($i, N - $i, Ok::<usize, ()>($i))),+)).0;
                let all = all.unwrap();
                $(assert_eq!(all.$i, $i);)+
                for id in 0..N {
                    assert_eq!(log.count(P(id)), N - id + 1, "argument {id} polled until ready, then never");
                }
            }

            #[test]
            fn join_all_fails_at_the_last() {
                let log = Log::new();
                let result = block_on(join_all!($(log.leaf($i, if $i == N - 1 { 0 } else { FOREVER }, if $i == N - 1 { Err($i) } else { Ok::<usize, usize>($i) })),+)).0;
                assert_eq!(result.map(drop), Err(N - 1));
                assert_eq!(log.events().iter().filter(|e| matches!(e, D(_))).count(), N);
            }

            #[test]
            fn any_succeeds_with_only_the_last() {
                let result = block_on(any!($(ready(if $i == N - 1 { Ok($i) } else { Err::<usize, usize>($i) })),+)).0;
                assert_eq!(result, Ok(N - 1));
            }

            #[test]
            fn any_fails_with_every_error_in_order() {
                let log = Log::new();
                let result = block_on(any!($(log.leaf($i, N - $i, Err::<(), usize>($i))),+)).0;
                assert_eq!(result.unwrap_err().into_errors(), [$($i),+]);
            }

            #[test]
            fn settle_keeps_every_output() {
                let log = Log::new();
                let all = block_on(settle!($(log.leaf($i, $i, $i)),+)).0;
                $(assert_eq!(all.$i, $i);)+
            }
        }
    )*};
}

every_arity! {
    arity_1: [0]
    arity_2: [0 1]
    arity_3: [0 1 2]
    arity_4: [0 1 2 3]
    arity_5: [0 1 2 3 4]
    arity_6: [0 1 2 3 4 5]
    arity_7: [0 1 2 3 4 5 6]
    arity_8: [0 1 2 3 4 5 6 7]
    arity_9: [0 1 2 3 4 5 6 7 8]
    arity_10: [0 1 2 3 4 5 6 7 8 9]
    arity_11: [0 1 2 3 4 5 6 7 8 9 10]
    arity_12: [0 1 2 3 4 5 6 7 8 9 10 11]
    arity_13: [0 1 2 3 4 5 6 7 8 9 10 11 12]
    arity_14: [0 1 2 3 4 5 6 7 8 9 10 11 12 13]
    arity_15: [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14]
    arity_16: [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]
}

#[test]
fn every_combinator_is_fused_once_it_has_completed() {
    use futures::future::FusedFuture;

    fn terminates<F: FusedFuture + Unpin>(mut fut: F) {
        assert!(!fut.is_terminated());
        assert!(matches!(
            poll_once(std::pin::Pin::new(&mut fut)),
            Poll::Ready(_)
        ));
        assert!(fut.is_terminated());
    }
    terminates(race!(ready(1), pending()));
    terminates(join_all!(ready(Ok::<u8, u8>(1)), ready(Ok(2))));
    terminates(join_all!(
        ready(Err::<u8, u8>(1)),
        pending::<Result<u8, u8>>()
    ));
    terminates(any!(ready(Ok::<u8, u8>(1)), pending()));
    terminates(settle!(ready(1), ready('x')));
}

#[test]
fn combinators_drop_into_select_without_fuse() {
    let (mut slow, mut fast) = (race!(pending::<u8>()), settle!(ready(2u8)));
    let picked = futures::executor::block_on(async {
        futures::select! {
            a = slow => a,
            (b,) = fast => b,
        }
    });
    assert_eq!(picked, 2);
}
