use promisify::race;

async fn first() -> u8 {
    race!(1u8, async { 2u8 }).await
}

fn main() {}
