use promisify::any;

async fn first() -> Result<u8, ()> {
    any!().await.map_err(drop)
}

fn main() {}
