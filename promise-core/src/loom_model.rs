//! The one way the model checks of this crate run (`--cfg loom`, tests only).

extern crate std;

use std::sync::atomic::{AtomicUsize, Ordering};

/// Checks `f` in every interleaving with up to three preemptions, and says how many it ran.
pub(crate) fn model(f: impl Fn() + Send + Sync + 'static) {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    let before = RUNS.load(Ordering::SeqCst);
    builder.check(move || {
        RUNS.fetch_add(1, Ordering::SeqCst);
        f();
    });
    std::eprintln!("{} interleavings", RUNS.load(Ordering::SeqCst) - before);
}
