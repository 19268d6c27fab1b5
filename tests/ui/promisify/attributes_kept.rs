#![deny(deprecated)]

use promisify::promisify;

/// Docs, `#[deprecated]` and visibility stay on the promisified fn: calling it warns, here
/// denied into an error, which shows the attribute was kept.
#[promisify]
#[deprecated(note = "use `fetch_v2`")]
pub async fn fetch(id: u32) -> u32 {
    id
}

fn main() {
    let _ = fetch(1);
}
