//! A tour of promisify: the four combinators on real tokio timers, and eager promises.
//!
//! Run it with `cargo run --example tour`. Every line says when it happened.

use std::time::{Duration, Instant};

use promisify::{any, join_all, race, settle};
use tokio::time::sleep;

/// Milliseconds since the tour started.
fn at(start: Instant) -> String {
    format!("{:>4} ms", start.elapsed().as_millis())
}

/// A fake request: answers after `ms`, or fails if `ok` is false.
async fn request(start: Instant, name: &'static str, ms: u64, ok: bool) -> Result<String, String> {
    sleep(Duration::from_millis(ms)).await;
    println!(
        "  {}  {name} {}",
        at(start),
        if ok { "answered" } else { "failed" }
    );
    if ok {
        Ok(format!("{name}'s answer"))
    } else {
        Err(format!("{name} is down"))
    }
}

#[tokio::main]
async fn main() {
    let start = Instant::now();

    println!("join_all!  (Promise.all): every answer, or the first failure");
    let all = join_all!(request(start, "a", 30, true), request(start, "b", 10, true)).await;
    println!("  {}  -> {all:?}", at(start));
    let start = Instant::now();
    let failed = join_all!(
        request(start, "a", 30, true),
        request(start, "b", 10, false)
    )
    .await;
    println!(
        "  {}  -> {failed:?} (a was dropped at once, it never answers)\n",
        at(start)
    );

    let start = Instant::now();
    println!("race!  (Promise.race): the first to finish, Ok or Err");
    let timeout = async {
        sleep(Duration::from_millis(20)).await;
        Err("timed out".to_owned())
    };
    let first = race!(request(start, "slow", 50, true), timeout).await;
    println!("  {}  -> {first:?}\n", at(start));

    let start = Instant::now();
    println!("any!  (Promise.any): the first success, or every error");
    let first_ok = any!(
        request(start, "eu", 10, false),
        request(start, "us", 30, true),
        request(start, "asia", 20, false),
    )
    .await;
    println!("  {}  -> {first_ok:?}", at(start));
    let start = Instant::now();
    let none = any!(
        request(start, "eu", 10, false),
        request(start, "us", 20, false)
    )
    .await;
    println!("  {}  -> {}\n", at(start), none.unwrap_err());

    let start = Instant::now();
    println!("settle!  (Promise.allSettled): every outcome, nothing cut short");
    let (a, b) = settle!(
        request(start, "a", 20, false),
        request(start, "b", 10, true)
    )
    .await;
    println!("  {}  -> {a:?}, {b:?}", at(start));
}
