//! mcpproxy: a local data-flow firewall for AI coding agents.
//!
//! The binary (`src/main.rs`) is a thin dispatcher over these modules; the library exists so
//! that fuzz targets and benchmarks can drive the parsers and the engine directly.

/// Gives an enum of plain variants its one text name per variant (the form stored, printed
/// and read back): `ALL`, `as_str` and `from_name` from a single table.
macro_rules! text_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in the table's order.
            pub const ALL: [$ty; [$(stringify!($variant)),+].len()] = [$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }

            /// The variant whose text name is `name`.
            #[allow(dead_code)]
            pub fn from_name(name: &str) -> Option<$ty> {
                match name {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

pub mod agent;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod evaluator;
pub mod flow;
pub mod mcp;
pub mod paths;
pub mod store;
