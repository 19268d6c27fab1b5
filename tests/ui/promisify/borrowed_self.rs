use promisify::promisify;

struct Client;

impl Client {
    #[promisify]
    async fn ping(&self) -> u8 {
        1
    }
}

fn main() {}
