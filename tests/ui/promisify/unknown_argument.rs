use promisify::promisify;

#[promisify(lazy)]
async fn fetch(id: u32) -> u32 {
    id
}

fn main() {}
