use promisify::promisify;

#[promisify]
async fn shout(text: &str) -> String {
    text.to_uppercase()
}

fn main() {
    let _ = shout("hi");
}
