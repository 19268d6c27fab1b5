use promisify::join_all;

#[derive(Debug)]
struct AppError;

impl From<std::io::Error> for AppError {
    fn from(_: std::io::Error) -> Self {
        AppError
    }
}

async fn both() -> Result<(u8, u8), AppError> {
    join_all!(
        async { Ok::<u8, AppError>(1) },
        async { Ok::<u8, std::io::Error>(2) },
    )
    .await
}

fn main() {}
