use std::future::ready;

use promisify::any;

async fn first() {
    let mirrors = vec![ready(Err::<u8, u32>(404))];
    let page = any!(..mirrors, async { Err::<u8, String>("down".into()) }).await;
    drop(page);
}

fn main() {}
