use promisify::join_all;

async fn both() -> Result<(u8, u8), ()> {
    join_all!(async { Ok(1) }, 2).await
}

fn main() {}
