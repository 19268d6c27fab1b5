use std::future::Ready;

async fn first(rest: Vec<Ready<u8>>) -> u8 {
    promisify::race!(
        ..rest,
        core::future::ready(2), core::future::ready(3), core::future::ready(4), core::future::ready(5),
        core::future::ready(6), core::future::ready(7), core::future::ready(8), core::future::ready(9),
        core::future::ready(10), core::future::ready(11), core::future::ready(12), core::future::ready(13),
        core::future::ready(14), core::future::ready(15), core::future::ready(16), core::future::ready(17),
    )
    .await
}

fn main() {}
