//! The signals between a kernel's AXI4 master port and the slave, one struct per direction.

use crate::BEAT_WORDS;

/// Response code of a beat or burst that completed normally.
pub const RESP_OKAY: u8 = 0;
/// Response code of a beat or burst that touched memory the [`Backing`](crate::Backing) does
/// not back.
pub const RESP_SLVERR: u8 = 2;

/// What the master drives in one cycle: the card reads it from the model after evaluation.
///
/// Payload fields mean something only while their channel's VALID is high.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MasterOut {
    pub ar_valid: bool,
    pub ar_addr: u64,
    /// Beats in the read burst, minus one.
    pub ar_len: u8,
    pub r_ready: bool,
    pub aw_valid: bool,
    pub aw_addr: u64,
    /// Beats in the write burst, minus one.
    pub aw_len: u8,
    pub w_valid: bool,
    /// Little-endian: word 0 holds bytes 0..4 of the beat.
    pub w_data: [u32; BEAT_WORDS],
    /// Bit `i` enables byte `i` of the beat.
    pub w_strb: u64,
    pub w_last: bool,
    pub b_ready: bool,
}

/// What the slave drives in one cycle: registered, so a function of the slave's state alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlaveOut {
    pub ar_ready: bool,
    pub r_valid: bool,
    /// Little-endian like [`MasterOut::w_data`]; zero when the beat is [`RESP_SLVERR`].
    pub r_data: [u32; BEAT_WORDS],
    pub r_resp: u8,
    pub r_last: bool,
    pub aw_ready: bool,
    pub w_ready: bool,
    pub b_valid: bool,
    pub b_resp: u8,
}
