#![deny(unused_must_use)]
use core::future::ready;
use promisify::settle;

async fn forgot_await() {
    settle!(ready(1), ready(2));
}

fn main() {}
