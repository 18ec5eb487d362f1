//! One module per subcommand.

pub mod hook;
pub mod proxy;
pub mod scan;
