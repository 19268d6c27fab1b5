use std::future::ready;

use promisify::join_all;

async fn load() -> Result<(u8, Vec<u8>), ()> {
    join_all!(async { Ok(1) }, ..[2u8, 3].map(ready)).await
}

fn main() {}
