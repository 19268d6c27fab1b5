use promisify::race;

async fn first() {
    let winner = race!(async { 1u8 }, async { "two" }, async { 3u8 }).await;
    drop(winner);
}

fn main() {}
