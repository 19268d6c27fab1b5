//! The expansions name only `$crate::__private` and `$crate::checks`: they work when the crate
//! is renamed or the macros re-exported under other names, and next to user items called
//! `core` or `std`. Their own bindings stay out of the user's lints (`cargo clippy` checks it).
#![no_implicit_prelude]
#![deny(clippy::shadow_unrelated, clippy::shadow_reuse, clippy::shadow_same)]

extern crate promisify as renamed;
extern crate std as the_std;

mod core {}
mod std {}
#[allow(dead_code)]
struct Result;
#[allow(dead_code)]
struct Option;

mod reexport {
    pub(crate) use super::renamed::{
        any as first_ok, join_all as all, race as first, settle as all_settled,
    };
}

fn block_on<F: the_std::future::Future>(future: F) -> F::Output {
    let mut pinned = the_std::pin::pin!(future);
    let mut cx = the_std::task::Context::from_waker(the_std::task::Waker::noop());
    loop {
        if let the_std::task::Poll::Ready(output) = pinned.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

#[test]
fn renamed_and_reexported_macros_expand() {
    use the_std::future::ready;
    use the_std::result::Result::{Err, Ok};

    let all = block_on(reexport::all!(ready(Ok::<u8, ()>(1)), ready(Ok(2))));
    the_std::assert_eq!(all, Ok((1, 2)));
    let first = block_on(reexport::first!(ready(1), ready(2)));
    the_std::assert_eq!(first, 1);
    // Locals named like the expansion's own bindings are the user's, not the expansion's.
    let __promisify_future0 = ready(3);
    let __promisify_first = ready(4);
    let named_like_ours = block_on(reexport::first!(__promisify_future0, __promisify_first));
    the_std::assert_eq!(named_like_ours, 3);
    let first_ok = block_on(reexport::first_ok!(ready(Err::<u8, u8>(1)), ready(Ok(2))));
    the_std::assert_eq!(first_ok, Ok(2));
    let settled = block_on(reexport::all_settled!(ready(1), ready('x')));
    the_std::assert_eq!(settled, (1, 'x'));
    let empty: the_std::result::Result<(), ()> = block_on(renamed::join_all!());
    the_std::assert_eq!(empty, Ok(()));
    the_std::assert_eq!(block_on(renamed::settle!()), ());
}

#[test]
fn spreads_expand_without_the_prelude() {
    use the_std::future::ready;
    use the_std::iter::Iterator;
    use the_std::result::Result::{Err, Ok};
    use the_std::vec::Vec;

    let shards = || (1..4).map(|i| ready(Ok::<u8, u8>(i)));
    let all = block_on(reexport::all!(ready(Ok(0)), ..shards(), ..shards()));
    the_std::assert_eq!(all, Ok((0, the_std::vec![1, 2, 3], the_std::vec![1, 2, 3])));
    let settled = block_on(reexport::all_settled!(..(0..2).map(ready), ready('x')));
    the_std::assert_eq!(settled, (the_std::vec![0, 1], 'x'));
    let first = block_on(reexport::first!(
        ..Vec::<the_std::future::Ready<u8>>::new(),
        ready(9)
    ));
    the_std::assert_eq!(first, 9);
    let spread_alone = block_on(reexport::first!(..(5..7).map(ready)));
    the_std::assert_eq!(spread_alone, 5);
    let none = block_on(reexport::first_ok!(
        ..(0..2).map(|e| ready(Err::<u8, u8>(e))),
        ready(Err(2))
    ));
    the_std::assert_eq!(none.unwrap_err().into_errors(), the_std::vec![0, 1, 2]);
}
