#![deny(unused_must_use)]
use std::future::ready;

use promisify::any;

async fn forgot_await() {
    let mirrors = vec![ready(Ok::<u8, ()>(2))];
    any!(ready(Ok::<u8, ()>(1)), ..mirrors);
}

fn main() {}
