use promisify::promisify;

#[promisify]
const fn answer() -> u8 {
    42
}

fn main() {}
