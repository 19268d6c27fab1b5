//! Crawls 500 pages of a small server on 127.0.0.1: `join_all(..).limit(16)` fetches them all
//! with at most 16 requests in flight (`Promise.all` with p-map's `concurrency`), then
//! `as_completed` fetches them again, printing progress as each answer comes in.
//!
//! Run it with `cargo run --example crawl`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use promisify::{as_completed, join_all};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::sleep;

const PAGES: usize = 500;
const IN_FLIGHT: usize = 16;

/// How many fetches are in flight now, and the most there ever were at once.
#[derive(Default)]
struct Load {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// Serves `GET /page/N`: a page of N % 97 + 1 lines, after 1 to 4 ms.
async fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream));
        }
    });
    addr
}

async fn answer(stream: TcpStream) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut request = String::new();
    BufReader::new(read).read_line(&mut request).await?;
    let n: usize = request
        .trim()
        .rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    sleep(Duration::from_millis(1 + (n as u64 * 7) % 4)).await;
    let page = format!("page {n}\n").repeat(n % 97 + 1);
    write.write_all(page.as_bytes()).await
}

/// Fetches one page: its size in bytes.
async fn fetch(addr: SocketAddr, n: usize, load: &Load) -> std::io::Result<usize> {
    let now = load.now.fetch_add(1, Ordering::SeqCst) + 1;
    load.most.fetch_max(now, Ordering::SeqCst);
    let size = get(addr, n).await;
    load.now.fetch_sub(1, Ordering::SeqCst);
    size
}

async fn get(addr: SocketAddr, n: usize) -> std::io::Result<usize> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(format!("GET /page/{n}\n").as_bytes())
        .await?;
    let mut page = Vec::new();
    stream.read_to_end(&mut page).await?;
    Ok(page.len())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = serve().await;
    let load = Load::default();

    println!("join_all(..).limit({IN_FLIGHT}): {PAGES} pages, in order, failing fast");
    let start = Instant::now();
    let sizes = join_all((0..PAGES).map(|n| fetch(addr, n, &load)))
        .limit(IN_FLIGHT)
        .await?;
    println!(
        "  {PAGES} pages, {} bytes in {} ms, never more than {} requests in flight",
        sizes.iter().sum::<usize>(),
        start.elapsed().as_millis(),
        load.most.load(Ordering::SeqCst),
    );
    assert!(load.most.load(Ordering::SeqCst) <= IN_FLIGHT);

    println!("\nas_completed: the same pages, each reported as it comes");
    let start = Instant::now();
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut pages = as_completed((0..PAGES).map(|n| {
        let permits = Arc::clone(&permits);
        async move {
            let _permit = permits
                .acquire()
                .await
                .expect("the semaphore is never closed");
            get(addr, n).await
        }
    }));
    let (mut done, mut bytes, mut out_of_order) = (0, 0, 0);
    while let Some((n, size)) = pages.next().await {
        done += 1;
        bytes += size?;
        out_of_order += usize::from(n + 1 != done);
        if done % 100 == 0 {
            println!(
                "  {:>4} ms  {done:>3} of {PAGES} pages (the last: page {n})",
                start.elapsed().as_millis()
            );
        }
    }
    println!(
        "  all {done} pages, {bytes} bytes in {} ms; {out_of_order} came in another order than asked",
        start.elapsed().as_millis()
    );
    assert_eq!(bytes, sizes.iter().sum::<usize>());
    Ok(())
}
