//! A tour of promisify: the four combinators on real tokio timers, over any number of
//! futures, and eager promises.
//!
//! Run it with `cargo run --example tour`. Every line says when it happened.

use std::time::{Duration, Instant};

use futures::StreamExt;
use promisify::{Promise, PromiseError, any, as_completed, join_all, promisify, race, settle};
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
    println!("  {}  -> {a:?}, {b:?}\n", at(start));

    dynamic().await;
    promises().await;
}

/// As many futures as the data says: `Promise.all(names.map(request))`, the spread, a limit.
async fn dynamic() {
    let start = Instant::now();
    println!(
        "join_all(iter)  (Promise.all(names.map(f))): any number of futures, known at run time"
    );
    let names = ["n1", "n2", "n3", "n4", "n5", "n6"];
    let all = join_all(names.map(|name| request(start, name, 10, true)))
        .limit(2)
        .await;
    println!(
        "  {}  -> {} answers, in order, at most 2 at a time\n",
        at(start),
        all.unwrap().len()
    );

    let start = Instant::now();
    println!("join_all!(config, ..shards)  (Promise.all([config, ...shards])): a spread");
    let shards = [30, 10, 20].map(|ms| request(start, "shard", ms, true));
    let (config, shards) = join_all!(request(start, "config", 5, true), ..shards)
        .await
        .unwrap();
    println!(
        "  {}  -> {config:?} and {} shards\n",
        at(start),
        shards.len()
    );

    let start = Instant::now();
    println!("as_completed(iter): each output as it comes, with its index");
    let mut done = as_completed([30, 10, 20].map(|ms| request(start, "job", ms, true)));
    while let Some((index, answer)) = done.next().await {
        println!("  {}  -> job {index}: {answer:?}", at(start));
    }
    println!();
}

/// Eager like JavaScript: the call runs the body up to its first wait, then returns.
#[promisify]
async fn brew(start: Instant, tea: &'static str, ms: u64) -> String {
    println!("  {}  {tea}: kettle on (inside the call)", at(start));
    sleep(Duration::from_millis(ms)).await;
    println!("  {}  {tea}: ready", at(start));
    format!("a cup of {tea}")
}

async fn promises() {
    let start = Instant::now();
    println!("#[promisify]: calling starts the work, as in JavaScript");
    let green = brew(start, "green", 20);
    println!("  {}  the call returned", at(start));
    let twice = green.clone();
    let (cup, same_cup) = (green.await, twice.await);
    println!(
        "  {}  -> {cup:?} and, from a clone, {same_cup:?}\n",
        at(start)
    );

    let start = Instant::now();
    println!("a promise nobody awaits still runs; then/finally run when it settles");
    let (tx, done) = tokio::sync::oneshot::channel();
    drop(
        brew(start, "black", 10)
            .then(move |cup| println!("  {}  then: {cup}, with milk", at(start)))
            .finally(move || {
                let _ = tx.send(());
            }),
    );
    println!("  {}  dropped the promise", at(start));
    done.await.unwrap();
    println!("  {}  -> the chain ran to the end\n", at(start));

    let start = Instant::now();
    println!("catch runs only on Err; cancel stops the work");
    let refused = Promise::<Result<String, &str>>::reject("out of tea").catch(move |e| {
        println!("  {}  caught: {e}", at(start));
        Ok::<_, String>("a glass of water".to_owned())
    });
    println!("  {}  -> {:?}", at(start), refused.await);
    let slow = brew(start, "oolong", 1_000);
    slow.cancel();
    let settled = slow.settled().await;
    assert_eq!(settled, Err(PromiseError::Cancelled));
    println!("  {}  -> cancelled: {settled:?}", at(start));
}
