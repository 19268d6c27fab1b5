use promisify::join_all;

async fn sizes() -> Result<(u8, Vec<u8>), ()> {
    join_all!(async { Ok(1) }, ..[2u8, 3]).await
}

fn main() {}
