// expect 2 errors: two arguments, two different mistakes, each reported at its own argument.
use promisify::join_all;

async fn both() -> Result<(u8, u8, u8), ()> {
    join_all!(2, async { Ok::<u8, ()>(1) }, async { 3u8 }).await
}

fn main() {}
