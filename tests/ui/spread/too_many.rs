use std::future::ready;

async fn first(rest: Vec<std::future::Ready<u8>>) -> u8 {
    promisify::race!(
        ..rest,
        ready(2), ready(3), ready(4), ready(5), ready(6), ready(7), ready(8), ready(9),
        ready(10), ready(11), ready(12), ready(13), ready(14), ready(15), ready(16), ready(17),
    )
    .await
}

fn main() {}
