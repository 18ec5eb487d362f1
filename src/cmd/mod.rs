//! One module per subcommand.

pub mod hook;
pub mod scan;
