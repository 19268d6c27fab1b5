use promisify::promisify;

trait Store {
    #[promisify]
    async fn load(self, key: String) -> Vec<u8>;
}

fn main() {}
