use promisify::settle;

async fn all() {
    let outputs = settle!(async { 1 }, ..).await;
    drop(outputs);
}

fn main() {}
