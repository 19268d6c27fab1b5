use std::future::ready;

use promisify::join_all;

async fn load() -> Result<(u8, Vec<u8>), String> {
    let shards = [ready(Ok::<u8, std::io::Error>(2))];
    join_all!(async { Ok::<u8, String>(1) }, ..shards).await
}

fn main() {}
