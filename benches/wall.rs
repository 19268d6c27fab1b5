//! Wall time of every cell with criterion: secondary to the instruction counts of
//! `instructions.rs`, since the machines are shared and noisy. `benches/run.sh` runs it with
//! short measurement times and puts the means in the table.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

#[path = "cells.rs"]
mod cells;

use criterion::{Criterion, criterion_group, criterion_main};

fn all(c: &mut Criterion) {
    for cell in cells::all() {
        c.bench_function(cell.path, |b| b.iter(|| (cell.run)(1)));
    }
}

criterion_group!(benches, all);
criterion_main!(benches);
