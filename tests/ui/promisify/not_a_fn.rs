use promisify::promisify;

#[promisify]
struct User {
    id: u32,
}

fn main() {}
