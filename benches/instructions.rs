//! Instruction counts (under callgrind), heap allocations and sizes of every cell.
//!
//! `instructions --list N`: the cells, each with the number of operations `--run N` performs.
//! `instructions --run N [FILTER]`: runs every cell (whose path contains FILTER) N times (the
//! dynamic cells fewer, scaled by their number of futures), for `valgrind --tool=callgrind`;
//! `benches/run.sh` reads each cell's inclusive count.
//! `instructions --facts`: one JSON line a cell with its size and its allocations per op.

#[path = "cells.rs"]
mod cells;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are ours; the only addition is bumping two atomic counters.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` through `alloc` above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cells = cells::all();
    match args.first().map(String::as_str) {
        Some("--list") => {
            let iters = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
            for cell in &cells {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    cell.combinator,
                    cell.workload,
                    cell.arity,
                    cell.contender,
                    cell.path,
                    (cell.ops)(iters)
                );
            }
            println!("baseline\t\t\t\t{}\t{iters}", cells::baseline::PATH);
        }
        Some("--run") => {
            let iters = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
            let filter = args.get(2).map_or("", String::as_str);
            cells::baseline::run(iters);
            for cell in cells.iter().filter(|cell| cell.path.contains(filter)) {
                (cell.run)((cell.ops)(iters));
            }
        }
        Some("--facts") => {
            for cell in &cells {
                // Warm up once (runtimes, thread-locals), then count 10 ops.
                (cell.run)(1);
                let (count, bytes) = (
                    ALLOCATIONS.load(Ordering::SeqCst),
                    BYTES.load(Ordering::SeqCst),
                );
                (cell.run)(10);
                let count = ALLOCATIONS.load(Ordering::SeqCst) - count;
                let bytes = BYTES.load(Ordering::SeqCst) - bytes;
                println!(
                    "{{\"path\":\"{}\",\"size\":{},\"allocations\":{}e-1,\"bytes\":{}e-1}}",
                    cell.path,
                    (cell.size)(),
                    count,
                    bytes
                );
            }
        }
        // `cargo bench` without arguments: a quick check that every cell runs.
        _ => {
            for cell in &cells {
                (cell.run)(1);
            }
            println!("{} cells ran; benches/run.sh measures them", cells.len());
        }
    }
}
