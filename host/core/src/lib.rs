//! zkaccel's shared vocabulary: the wire encoding, errors, the device trait and the kernel
//! register map. See the crate README for why this lives apart from the host driver.

pub mod booth;
pub mod device;
pub mod error;
pub mod regmap;
pub mod wire;

pub use error::{Error, ErrorKind, Result};
