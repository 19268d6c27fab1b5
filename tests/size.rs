//! `size_of` of the combinators: the argument slots plus one byte of bookkeeping, and never more
//! than tokio's macros over the same futures.

use std::future::{Ready, ready};
use std::mem::size_of_val;

use promisify::{any, join_all, race, settle};

#[test]
fn race_is_its_slots_and_nothing_more() {
    let fut = race!(ready(1u64), ready(2u64), ready(3u64));
    assert_eq!(size_of_val(&fut), 3 * size_of::<Option<Ready<u64>>>());
}

#[test]
fn join_all_and_settle_are_their_slots_plus_a_counter() {
    // A slot holds the future, then its output: `Ready<u64>` and `u64` share its space.
    let slot = size_of::<Option<Ready<u64>>>();
    let fut = settle!(ready(1u64), ready(2u64), ready(3u64));
    assert!(
        size_of_val(&fut) <= 3 * slot + 8,
        "{} bytes",
        size_of_val(&fut)
    );
    let fut = join_all!(
        ready(Ok::<u64, ()>(1)),
        ready(Ok::<u64, ()>(2)),
        ready(Ok::<u64, ()>(3))
    );
    assert!(
        size_of_val(&fut) <= 3 * 16 + 8,
        "{} bytes",
        size_of_val(&fut)
    );
}

#[test]
fn no_larger_than_tokio_in_the_same_async_block() {
    let ours = size_of_val(&async {
        join_all!(ready(Ok::<u64, ()>(1)), ready(Ok(2)), ready(Ok(3))).await
    });
    let tokio = size_of_val(&async {
        tokio::try_join!(ready(Ok::<u64, ()>(1)), ready(Ok(2)), ready(Ok(3)))
    });
    assert!(ours <= tokio, "join_all! {ours} bytes, try_join! {tokio}");

    let ours = size_of_val(&async { settle!(ready(1u64), ready(2u64), ready(3u64)).await });
    let tokio = size_of_val(&async { tokio::join!(ready(1u64), ready(2u64), ready(3u64)) });
    assert!(ours <= tokio, "settle! {ours} bytes, join! {tokio}");

    let ours = size_of_val(&async { race!(ready(1u64), ready(2u64), ready(3u64)).await });
    let tokio = size_of_val(&async {
        tokio::select! { biased; v = ready(1u64) => v, v = ready(2u64) => v, v = ready(3u64) => v }
    });
    assert!(ours <= tokio, "race! {ours} bytes, select! {tokio}");
}

/// Every macro at arity N, in an `async` block, against `tokio::join!` over the same futures.
macro_rules! no_larger_than_tokio_join {
    ($($name:ident: [$($i:literal)+];)*) => {$(
        #[test]
        fn $name() {
            let tokio = size_of_val(&async { tokio::join!($(ready(Ok::<u64, u64>($i))),+) });
            let ours = [
                size_of_val(&async { settle!($(ready(Ok::<u64, u64>($i))),+).await }),
                size_of_val(&async { join_all!($(ready(Ok::<u64, u64>($i))),+).await }),
                size_of_val(&async { race!($(ready(Ok::<u64, u64>($i))),+).await }),
                size_of_val(&async { any!($(ready(Ok::<u64, u64>($i))),+).await }),
            ];
            assert!(
                ours.iter().all(|&size| size <= tokio),
                "settle!, join_all!, race!, any!: {ours:?} bytes; tokio::join!: {tokio}"
            );
        }
    )*};
}

no_larger_than_tokio_join! {
    arity_1_no_larger_than_tokio_join: [0];
    arity_3_no_larger_than_tokio_join: [0 1 2];
    arity_8_no_larger_than_tokio_join: [0 1 2 3 4 5 6 7];
    arity_16_no_larger_than_tokio_join: [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15];
}
