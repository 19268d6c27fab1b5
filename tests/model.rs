//! Model-based property tests of the four combinators, fixed and dynamic: every argument follows
//! a script (pend a few times, each time waking itself, waiting to be woken later, or never
//! arranging a wake; then succeed, fail or panic), a schedule picks which waiting argument the
//! outside world wakes when nothing else will, and a reference model of the JavaScript rules,
//! written here from the contract, predicts the output, which argument each poll polled, in
//! order, and which arguments each poll dropped.
//!
//! The rules modelled: each poll polls the unfinished arguments left to right; a finished
//! argument is never polled again and its future is dropped when it finishes; the outcome is
//! decided by the first argument, in that order, that decides it (`join_all`: the first `Err`;
//! `race`: the first to finish; `any`: the first `Ok`; `settle`: none), and then every other
//! argument is dropped in that same poll; without a decision, the outputs come in argument
//! order once all have finished (`any`: every error); a panic goes out of `poll`, and what is
//! left is dropped with the combinator. Up to 16 futures, the dynamic functions keep the same
//! rules (they poll every unfinished future on every poll up to 32).
//!
//! Beyond the model, over 1 to 80 futures that keep the waker contract: the five functions,
//! with and without a limit, end however the wakes are ordered (a wake lost once futures have
//! wakers of their own would stall them), never poll a finished future, drop each once, and
//! give an output the rules allow.

use std::cell::RefCell;
use std::collections::{BTreeSet, VecDeque};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use proptest::prelude::*;

/// How an argument arranges to be polled again when it pends.
#[derive(Clone, Copy, Debug)]
enum Pend {
    /// Wakes its task before returning `Pending`.
    Itself,
    /// Keeps the waker, for the outside world to wake later.
    Later,
    /// Arranges nothing.
    Never,
}

#[derive(Clone, Copy, Debug)]
enum End {
    Ok(u32),
    Err(u32),
    Panic,
}

#[derive(Clone, Debug)]
struct Script {
    pends: Vec<Pend>,
    end: End,
}

fn script() -> impl Strategy<Value = Script> {
    let wake = prop_oneof![Just(Pend::Itself), Just(Pend::Later), Just(Pend::Never)];
    let end = prop_oneof![
        8 => (0..4u32).prop_map(End::Ok),
        8 => (0..4u32).prop_map(End::Err),
        1 => Just(End::Panic),
    ];
    (prop::collection::vec(wake, 0..=3), end).prop_map(|(pends, end)| Script { pends, end })
}

/// A case: the scripts of 1 to 16 arguments, and the outside world's choices.
fn case() -> impl Strategy<Value = (Vec<Script>, Vec<u8>)> {
    (
        prop::collection::vec(script(), 1..=16),
        prop::collection::vec(any::<u8>(), 0..24),
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    Poll(usize),
    Drop(usize),
}

/// What one poll of the combinator did to the arguments: the polls in order, the drops.
#[derive(Debug, Default, PartialEq, Eq)]
struct Step {
    polled: Vec<usize>,
    dropped: BTreeSet<usize>,
}

impl Step {
    fn of(events: Vec<Event>) -> Self {
        let mut step = Step::default();
        for event in events {
            match event {
                Event::Poll(i) => step.polled.push(i),
                Event::Drop(i) => assert!(step.dropped.insert(i), "{i} dropped twice"),
            }
        }
        step
    }
}

/// The output of any of the four, or of `as_completed` collected, in one shape.
#[derive(Debug, PartialEq, Eq)]
enum Out {
    JoinAll(Result<Vec<u32>, u32>),
    Race(Result<u32, u32>),
    Any(Result<u32, Vec<u32>>),
    Settle(Vec<Result<u32, u32>>),
    AsCompleted(Vec<(usize, Result<u32, u32>)>),
}

#[derive(Debug, PartialEq, Eq)]
enum Ending {
    Ready(Out),
    /// This argument panicked, and the panic came out of `poll`.
    Panicked(usize),
    /// Pending, with nothing left to wake it.
    Stalled,
}

/// A run: each poll's step, then what the combinator's drop did, and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    steps: Vec<Step>,
    dropped_at_end: BTreeSet<usize>,
    ending: Ending,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Combinator {
    JoinAll,
    Race,
    Any,
    Settle,
}

/// The outside world's choice among the wakers kept by arguments, when nothing else will wake
/// the task: the next choice, modulo how many there are.
struct World {
    events: Vec<Event>,
    later: Vec<Option<Waker>>,
}

struct LeafPanic(usize);

/// An argument that follows its script and records what happens to it.
struct Leaf {
    id: usize,
    pends: VecDeque<Pend>,
    end: End,
    finished: bool,
    world: Rc<RefCell<World>>,
}

impl Future for Leaf {
    type Output = Result<u32, u32>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let id = self.id;
        assert!(!self.finished, "argument {id} polled after it finished");
        let next = self.pends.pop_front();
        let mut world = self.world.borrow_mut();
        world.events.push(Event::Poll(id));
        match next {
            Some(Pend::Itself) => cx.waker().wake_by_ref(),
            Some(Pend::Later) => world.later[id] = Some(cx.waker().clone()),
            Some(Pend::Never) => {}
            None => {
                drop(world);
                self.finished = true;
                return match self.end {
                    End::Ok(v) => Poll::Ready(Ok(v)),
                    End::Err(e) => Poll::Ready(Err(e)),
                    End::Panic => std::panic::panic_any(LeafPanic(id)),
                };
            }
        }
        Poll::Pending
    }
}

impl Drop for Leaf {
    fn drop(&mut self) {
        self.world.borrow_mut().events.push(Event::Drop(self.id));
    }
}

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Polls until the combinator is ready, panics or stalls; between polls, when no argument
/// woke the task, the outside world wakes one of the kept wakers, as `choices` say.
fn drive<F: Future>(
    future: F,
    world: &Rc<RefCell<World>>,
    choices: &[u8],
    out: impl FnOnce(F::Output) -> Out,
) -> Run {
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&flag));
    let mut cx = Context::from_waker(&waker);
    let mut future = Box::pin(future);
    let mut steps = Vec::new();
    let mut choices = choices.iter().copied().cycle();
    let ending = loop {
        assert!(steps.len() < 10_000, "no end in sight");
        flag.0.store(false, Ordering::SeqCst);
        let polled = catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx)));
        steps.push(Step::of(std::mem::take(&mut world.borrow_mut().events)));
        match polled {
            Ok(Poll::Ready(output)) => break Ending::Ready(out(output)),
            Err(payload) => match payload.downcast::<LeafPanic>() {
                Ok(leaf) => break Ending::Panicked(leaf.0),
                Err(payload) => std::panic::resume_unwind(payload),
            },
            Ok(Poll::Pending) if flag.0.load(Ordering::SeqCst) => {}
            Ok(Poll::Pending) => {
                let Some(waker) = world_wakes(world, &mut choices) else {
                    break Ending::Stalled;
                };
                waker.wake();
            }
        }
    };
    drop(future);
    let dropped_at_end = Step::of(std::mem::take(&mut world.borrow_mut().events)).dropped;
    Run {
        steps,
        dropped_at_end,
        ending,
    }
}

/// The kept waker the outside world wakes next, if any is kept.
fn world_wakes(world: &RefCell<World>, choices: &mut impl Iterator<Item = u8>) -> Option<Waker> {
    let mut world = world.borrow_mut();
    let kept: Vec<usize> = (0..world.later.len())
        .filter(|&i| world.later[i].is_some())
        .collect();
    if kept.is_empty() {
        return None;
    }
    let choice = usize::from(choices.next().unwrap_or(0)) % kept.len();
    world.later[kept[choice]].take()
}

/// The reference model: the same world, the combinator's rules applied by hand.
fn model(combinator: Combinator, scripts: &[Script], choices: &[u8]) -> Run {
    let n = scripts.len();
    let mut pends: Vec<VecDeque<Pend>> = scripts.iter().map(|s| s.pends.clone().into()).collect();
    let mut alive = vec![true; n];
    let mut outputs: Vec<Option<Result<u32, u32>>> = vec![None; n];
    let mut kept = vec![false; n];
    let mut choices = choices.iter().copied().cycle();
    let mut steps = Vec::new();
    let ending = 'run: loop {
        assert!(steps.len() < 100, "no end in sight");
        let mut step = Step::default();
        let mut woken = false;
        let mut decided = None;
        for i in 0..n {
            if !alive[i] || outputs[i].is_some() {
                continue;
            }
            step.polled.push(i);
            match pends[i].pop_front() {
                Some(Pend::Itself) => woken = true,
                Some(Pend::Later) => kept[i] = true,
                Some(Pend::Never) => {}
                None => {
                    let output = match scripts[i].end {
                        End::Panic => {
                            steps.push(step);
                            break 'run Ending::Panicked(i);
                        }
                        End::Ok(v) => Ok(v),
                        End::Err(e) => Err(e),
                    };
                    decided = match (combinator, output) {
                        (Combinator::JoinAll, Err(e)) => Some(Out::JoinAll(Err(e))),
                        (Combinator::Race, output) => Some(Out::Race(output)),
                        (Combinator::Any, Ok(v)) => Some(Out::Any(Ok(v))),
                        _ => None,
                    };
                    if decided.is_some() {
                        break;
                    }
                    // Finished and kept as an output: its future goes now.
                    outputs[i] = Some(output);
                    alive[i] = false;
                    step.dropped.insert(i);
                }
            }
        }
        if let Some(out) = decided {
            for (i, alive) in alive.iter_mut().enumerate() {
                if *alive {
                    *alive = false;
                    step.dropped.insert(i);
                }
            }
            steps.push(step);
            break Ending::Ready(out);
        }
        steps.push(step);
        if outputs.iter().all(Option::is_some) {
            let outputs = outputs.iter().map(|o| o.unwrap());
            break Ending::Ready(match combinator {
                Combinator::JoinAll => Out::JoinAll(Ok(outputs.map(Result::unwrap).collect())),
                Combinator::Settle => Out::Settle(outputs.collect()),
                Combinator::Any => Out::Any(Err(outputs.map(Result::unwrap_err).collect())),
                Combinator::Race => unreachable!("a race is decided by its first finisher"),
            });
        }
        if !woken {
            let waiting: Vec<usize> = (0..n).filter(|&i| kept[i]).collect();
            if waiting.is_empty() {
                break Ending::Stalled;
            }
            let choice = usize::from(choices.next().unwrap_or(0)) % waiting.len();
            kept[waiting[choice]] = false;
        }
    };
    let dropped_at_end = (0..n).filter(|&i| alive[i]).collect();
    Run {
        steps,
        dropped_at_end,
        ending,
    }
}

fn leaves(scripts: &[Script]) -> (Rc<RefCell<World>>, Vec<Leaf>) {
    let world = Rc::new(RefCell::new(World {
        events: Vec::new(),
        later: vec![None; scripts.len()],
    }));
    let leaves = scripts
        .iter()
        .enumerate()
        .map(|(id, script)| Leaf {
            id,
            pends: script.pends.clone().into(),
            end: script.end,
            finished: false,
            world: Rc::clone(&world),
        })
        .collect();
    (world, leaves)
}

/// Runs the macro for `combinator` over as many leaves as there are scripts.
fn fixed(combinator: Combinator, scripts: &[Script], choices: &[u8]) -> Run {
    let (world, leaves) = leaves(scripts);
    macro_rules! arities {
        ($($n:literal: $($x:ident)+;)+) => {
            match leaves.len() {
                $($n => {
                    let mut leaves = leaves.into_iter();
                    $(let $x = leaves.next().unwrap();)+
                    match combinator {
                        Combinator::JoinAll => drive(promisify::join_all!($($x),+), &world, choices, |o| {
                            Out::JoinAll(o.map(|($($x,)+)| vec![$($x),+]))
                        }),
                        Combinator::Race => drive(promisify::race!($($x),+), &world, choices, Out::Race),
                        Combinator::Any => drive(promisify::any!($($x),+), &world, choices, |o| {
                            Out::Any(o.map_err(|errors| errors.into_errors().to_vec()))
                        }),
                        Combinator::Settle => drive(promisify::settle!($($x),+), &world, choices, |($($x,)+)| {
                            Out::Settle(vec![$($x),+])
                        }),
                    }
                })+
                n => unreachable!("{n} arguments"),
            }
        };
    }
    arities! {
        1: a;
        2: a b;
        3: a b c;
        4: a b c d;
        5: a b c d e;
        6: a b c d e f;
        7: a b c d e f g;
        8: a b c d e f g h;
        9: a b c d e f g h i;
        10: a b c d e f g h i j;
        11: a b c d e f g h i j k;
        12: a b c d e f g h i j k l;
        13: a b c d e f g h i j k l m;
        14: a b c d e f g h i j k l m n;
        15: a b c d e f g h i j k l m n o;
        16: a b c d e f g h i j k l m n o p;
    }
}

/// Runs the dynamic function for `combinator` over the leaves.
fn dynamic(combinator: Combinator, scripts: &[Script], choices: &[u8]) -> Run {
    limited(combinator, scripts, choices, None)
}

/// Runs the dynamic function for `combinator` over the leaves, with `.limit(n)` when given
/// (`join_all` and `settle`, the two that have one).
fn limited(
    combinator: Combinator,
    scripts: &[Script],
    choices: &[u8],
    limit: Option<usize>,
) -> Run {
    let (world, leaves) = leaves(scripts);
    match (combinator, limit) {
        (Combinator::JoinAll, _) => {
            let all = promisify::join_all(leaves);
            let all = if let Some(n) = limit {
                all.limit(n)
            } else {
                all
            };
            drive(all, &world, choices, Out::JoinAll)
        }
        (Combinator::Settle, _) => {
            let all = promisify::settle(leaves);
            let all = if let Some(n) = limit {
                all.limit(n)
            } else {
                all
            };
            drive(all, &world, choices, Out::Settle)
        }
        (Combinator::Race, None) => drive(promisify::race(leaves), &world, choices, Out::Race),
        (Combinator::Any, None) => drive(promisify::any(leaves), &world, choices, |o| {
            Out::Any(o.map_err(promisify::AggregateError::into_errors))
        }),
        (Combinator::Race | Combinator::Any, Some(_)) => unreachable!("no limit"),
    }
}

/// Our leaves' panics are expected: keep them off the test's output.
fn quiet_leaf_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<LeafPanic>().is_none() {
                default(info);
            }
        }));
    });
}

const COMBINATORS: [Combinator; 4] = [
    Combinator::JoinAll,
    Combinator::Race,
    Combinator::Any,
    Combinator::Settle,
];

/// Every combinator, run by `run` over `scripts` and `choices`, does what the model says.
fn follows_the_model(
    run: fn(Combinator, &[Script], &[u8]) -> Run,
    scripts: &[Script],
    choices: &[u8],
) -> Result<(), TestCaseError> {
    quiet_leaf_panics();
    for combinator in COMBINATORS {
        let expected = model(combinator, scripts, choices);
        prop_assert_eq!(
            run(combinator, scripts, choices),
            expected,
            "{:?}",
            combinator
        );
    }
    Ok(())
}

proptest! {
    // 4 × 2,000 cases of the macros and 4 × 700 of the functions: over 10,000 a run.
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn the_macros_follow_the_model((scripts, choices) in case()) {
        follows_the_model(fixed, &scripts, &choices)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(700))]

    #[test]
    fn the_functions_follow_the_model((scripts, choices) in case()) {
        follows_the_model(dynamic, &scripts, &choices)?;
    }
}

/// Scripts of 1 to 80 futures that keep the waker contract (each pend wakes the task, at once
/// or later from outside), the outside world's choices, and a limit: enough futures, and
/// enough pends, for the functions to give them wakers of their own partway through (above 32
/// futures, or at once for `as_completed`), where a lost wake would stall them.
fn woken_case() -> impl Strategy<Value = (Vec<Script>, Vec<u8>, usize)> {
    let pend = prop_oneof![Just(Pend::Itself), Just(Pend::Later)];
    let end = prop_oneof![(0..4u32).prop_map(End::Ok), (0..4u32).prop_map(End::Err)];
    let script =
        (prop::collection::vec(pend, 0..=4), end).prop_map(|(pends, end)| Script { pends, end });
    (
        prop::collection::vec(script, 1..=80),
        prop::collection::vec(any::<u8>(), 0..24),
        1..=20usize,
    )
}

/// Every function over futures that keep the waker contract, however the outside world orders
/// their wakes, and with a limit: ends (no wake is lost), polls no future after it finished,
/// drops each exactly once, and gives an output the rules allow. Which `Err` or `Ok` comes
/// first depends on when each future is polled, which wakers change; the rest does not.
fn no_wake_is_lost(scripts: &[Script], choices: &[u8], limit: usize) -> Result<(), TestCaseError> {
    let ends: Vec<Result<u32, u32>> = scripts
        .iter()
        .map(|script| match script.end {
            End::Ok(v) => Ok(v),
            End::Err(e) => Err(e),
            End::Panic => unreachable!("these scripts do not panic"),
        })
        .collect();
    let oks: Vec<u32> = ends.iter().filter_map(|end| end.ok()).collect();
    let errs: Vec<u32> = ends.iter().filter_map(|end| end.err()).collect();
    let mut runs: Vec<_> = COMBINATORS
        .into_iter()
        .map(|c| (format!("{c:?}"), dynamic(c, scripts, choices)))
        .collect();
    for c in [Combinator::JoinAll, Combinator::Settle] {
        let run = limited(c, scripts, choices, Some(limit));
        runs.push((format!("{c:?}, limit {limit}"), run));
    }
    let (world, leaves) = leaves(scripts);
    let all = futures::StreamExt::collect::<Vec<_>>(promisify::as_completed(leaves));
    let run = drive(all, &world, choices, Out::AsCompleted);
    runs.push(("as_completed".to_owned(), run));
    for (name, run) in runs {
        let mut drops = vec![0; scripts.len()];
        for i in run.steps.iter().flat_map(|step| &step.dropped) {
            drops[*i] += 1;
        }
        for i in &run.dropped_at_end {
            drops[*i] += 1;
        }
        prop_assert!(drops.iter().all(|&d| d == 1), "{}: drops {:?}", name, drops);
        let Ending::Ready(out) = run.ending else {
            return Err(TestCaseError::fail(format!("{name}: {:?}", run.ending)));
        };
        match out {
            Out::JoinAll(Ok(values)) => prop_assert!(errs.is_empty() && values == oks, "{}", name),
            Out::JoinAll(Err(e)) => prop_assert!(errs.contains(&e), "{}", name),
            Out::Settle(outputs) => prop_assert_eq!(&outputs, &ends, "{}", name),
            Out::Race(output) => prop_assert!(ends.contains(&output), "{}", name),
            Out::Any(Ok(v)) => prop_assert!(oks.contains(&v), "{}", name),
            Out::Any(Err(errors)) => prop_assert!(oks.is_empty() && errors == errs, "{}", name),
            Out::AsCompleted(mut items) => {
                items.sort_by_key(|&(i, _)| i);
                let expected: Vec<_> = ends.iter().copied().enumerate().collect();
                prop_assert_eq!(items, expected, "{}", name);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn the_functions_lose_no_wake((scripts, choices, limit) in woken_case()) {
        no_wake_is_lost(&scripts, &choices, limit)?;
    }
}

/// The model and the harness agree with a case worked out by hand, so that neither can drift
/// into agreeing with the other on something wrong.
#[test]
fn the_model_matches_a_case_worked_by_hand() {
    let scripts = [
        Script {
            pends: vec![Pend::Later],
            end: End::Ok(1),
        },
        Script {
            pends: vec![Pend::Itself],
            end: End::Err(2),
        },
        Script {
            pends: vec![],
            end: End::Ok(3),
        },
    ];
    let expected = Run {
        steps: vec![
            // a pends keeping its waker, b wakes itself, c finishes (and goes).
            Step {
                polled: vec![0, 1, 2],
                dropped: BTreeSet::from([2]),
            },
            // a pends no more: it finishes; b fails, which decides `join_all`.
            Step {
                polled: vec![0, 1],
                dropped: BTreeSet::from([0, 1]),
            },
        ],
        dropped_at_end: BTreeSet::new(),
        ending: Ending::Ready(Out::JoinAll(Err(2))),
    };
    assert_eq!(model(Combinator::JoinAll, &scripts, &[]), expected);
    assert_eq!(fixed(Combinator::JoinAll, &scripts, &[]), expected);
    assert_eq!(dynamic(Combinator::JoinAll, &scripts, &[]), expected);
}
