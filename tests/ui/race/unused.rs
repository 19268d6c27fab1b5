#![deny(unused_must_use)]
use core::future::ready;
use promisify::race;

async fn forgot_await() {
    race!(ready(1), ready(2));
}

fn main() {}
