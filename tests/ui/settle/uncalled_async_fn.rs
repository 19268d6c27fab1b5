use promisify::settle;

async fn fetch(id: u8) -> u8 {
    id
}

async fn both() -> (u8, u8) {
    settle!(fetch(1), fetch).await
}

fn main() {}
