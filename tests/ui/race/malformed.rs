async fn first() -> u8 {
    promisify::race!(core::future::ready(1) core::future::ready(2)).await
}

fn main() {}
