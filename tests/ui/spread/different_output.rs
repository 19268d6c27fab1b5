use std::future::ready;

use promisify::race;

async fn first() -> u8 {
    race!(async { 1u8 }, ..["two", "three"].map(ready)).await
}

fn main() {}
