use promisify::join_all;

async fn both() {
    let all = join_all!(async { Ok::<u8, ()>(1) }, async { 2u8 }).await;
    drop(all);
}

fn main() {}
