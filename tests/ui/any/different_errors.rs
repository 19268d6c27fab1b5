use promisify::any;

async fn first() {
    let winner = any!(async { Ok::<u8, String>(1) }, async { Ok::<u8, std::io::Error>(2) }).await;
    drop(winner);
}

fn main() {}
