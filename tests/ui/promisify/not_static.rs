use promisify::promisify;

#[promisify]
async fn echo<T: Send>(value: T) -> T {
    value
}

fn main() {}
