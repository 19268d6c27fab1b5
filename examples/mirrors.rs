//! Three mirrors of one file, served over real TCP on 127.0.0.1, each with its own latency
//! and failure rate; the four combinators fetch from them, and a timeline shows what happened.
//!
//! Run it with `cargo run --example mirrors`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use promisify::{Promise, any, join_all, promisify, race, settle};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::sleep;

/// A mirror: answers every request after `latency`, and fails `fails_in_ten` requests out of
/// ten (the same ones every run, so the timeline is repeatable).
struct Mirror {
    name: &'static str,
    latency: Duration,
    fails_in_ten: u32,
}

/// Starts a mirror on a free loopback port; it serves until the program ends.
async fn serve(mirror: Mirror) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().unwrap();
    let mirror = Arc::new(mirror);
    let served = Arc::new(AtomicU32::new(0));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (mirror, served) = (mirror.clone(), served.clone());
            tokio::spawn(async move {
                let n = served.fetch_add(1, Ordering::Relaxed);
                let _ = answer(&mirror, n, stream).await;
            });
        }
    });
    addr
}

async fn answer(mirror: &Mirror, n: u32, stream: TcpStream) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut request = String::new();
    BufReader::new(read).read_line(&mut request).await?;
    sleep(mirror.latency).await;
    let path = request.trim().trim_start_matches("GET ");
    let reply = if (n * 3) % 10 < mirror.fails_in_ten {
        format!("ERR {} is overloaded\n", mirror.name)
    } else {
        format!("OK {path} from {}\n", mirror.name)
    };
    write.write_all(reply.as_bytes()).await
}

/// Fetches `path` from the mirror at `addr`: starts at the call, as a JavaScript `fetch` does.
#[promisify]
async fn fetch(
    t0: Instant,
    name: &'static str,
    addr: SocketAddr,
    path: String,
) -> Result<String, String> {
    let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream
        .write_all(format!("GET {path}\n").as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut reply = String::new();
    BufReader::new(stream)
        .read_line(&mut reply)
        .await
        .map_err(|e| e.to_string())?;
    let reply = reply.trim().to_owned();
    println!("  {}  {name:>4} replied: {reply}", ms(t0));
    match reply.strip_prefix("OK ") {
        Some(body) => Ok(body.to_owned()),
        None => Err(reply.trim_start_matches("ERR ").to_owned()),
    }
}

fn ms(t0: Instant) -> String {
    format!("{:>4} ms", t0.elapsed().as_millis())
}

#[tokio::main]
async fn main() {
    let eu = serve(Mirror {
        name: "eu",
        latency: Duration::from_millis(20),
        fails_in_ten: 10,
    })
    .await;
    let us = serve(Mirror {
        name: "us",
        latency: Duration::from_millis(60),
        fails_in_ten: 0,
    })
    .await;
    let asia = serve(Mirror {
        name: "asia",
        latency: Duration::from_millis(40),
        fails_in_ten: 5,
    })
    .await;
    let mirrors = [("eu", eu), ("us", us), ("asia", asia)];
    println!(
        "mirrors: eu (20 ms, always fails), us (60 ms, never fails), asia (40 ms, fails half the time)\n"
    );
    let get = |t0, (name, addr): (&'static str, SocketAddr)| fetch(t0, name, addr, "/file".into());

    let t0 = Instant::now();
    println!("any!: the first mirror that answers well");
    let first = any!(
        get(t0, mirrors[0]),
        get(t0, mirrors[1]),
        get(t0, mirrors[2])
    )
    .await;
    println!("  {}  -> {first:?}\n", ms(t0));

    let t0 = Instant::now();
    println!("race!: the slow mirror against a 30 ms timeout");
    let timeout = async {
        sleep(Duration::from_millis(30)).await;
        Err::<String, _>("timed out after 30 ms".to_owned())
    };
    let raced: Promise<_> = get(t0, mirrors[1]);
    let outcome = race!(raced.clone(), timeout).await;
    println!("  {}  -> {outcome:?}", ms(t0));
    // The timeout won, but the request was a promise: dropping it did not cancel it.
    let late = raced.await;
    println!(
        "  {}  -> the dropped request still finished: {late:?}\n",
        ms(t0)
    );

    let t0 = Instant::now();
    println!("join_all!: all three, failing fast on the first error");
    let all = join_all!(
        get(t0, mirrors[0]),
        get(t0, mirrors[1]),
        get(t0, mirrors[2])
    )
    .await;
    println!("  {}  -> {all:?}, not waiting for the others", ms(t0));
    println!("           (they are promises: dropped, they finish anyway)");
    sleep(Duration::from_millis(60)).await;
    println!();

    let t0 = Instant::now();
    println!("settle!: every outcome");
    let (a, b, c) = settle!(
        get(t0, mirrors[0]),
        get(t0, mirrors[1]),
        get(t0, mirrors[2])
    )
    .await;
    println!(
        "  {}  -> eu {a:?}\n           us {b:?}\n           asia {c:?}",
        ms(t0)
    );
}
