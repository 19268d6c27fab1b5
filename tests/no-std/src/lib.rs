//! Builds only if `promisify` without `rt` needs neither `std` nor `alloc`: with `std` in the
//! graph, this crate's `#[panic_handler]` is a duplicate lang item (E0152); `alloc` is not
//! declared, so a use of it does not resolve.
#![no_std]

use core::future::{Future, ready};
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use pfy::{AggregateError, any, join_all, race, settle};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

fn poll<F: Future>(future: F) -> Poll<F::Output> {
    pin!(future).poll(&mut Context::from_waker(Waker::noop()))
}

/// Uses every macro, so that every expansion is compiled in a `no_std` crate.
pub fn all_four() -> bool {
    let joined = poll(join_all!(ready(Ok::<u8, u8>(1)), ready(Ok(2))));
    let raced = poll(race!(ready(1), ready(2)));
    let any = poll(any!(ready(Err::<u8, u8>(1)), ready(Err(2))));
    let settled = poll(settle!(ready(1), ready('x')));
    joined == Poll::Ready(Ok((1, 2)))
        && raced == Poll::Ready(1)
        && any == Poll::Ready(Err(AggregateError::new([1, 2])))
        && settled == Poll::Ready((1, 'x'))
}
