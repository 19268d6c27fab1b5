use promisify::race;

async fn first() -> u8 {
    race!().await
}

fn main() {}
