use promisify::promisify;

#[promisify]
extern "C" fn callback(code: i32) -> i32 {
    code
}

fn main() {}
