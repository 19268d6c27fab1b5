use std::rc::Rc;

use promisify::promisify;

#[promisify]
async fn count(items: Vec<u8>) -> usize {
    let shared = Rc::new(items);
    tokio::task::yield_now().await;
    shared.len()
}

fn main() {}
