use promisify::any;

async fn first() {
    let winner = any!(async { 1u8 }, async { Ok::<u8, ()>(2) }).await;
    drop(winner);
}

fn main() {}
