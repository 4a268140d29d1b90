//! The device memory behind a slave, and how a beat moves in and out of it.

use crate::{BEAT_BYTES, BEAT_WORDS};

/// Device memory behind the slave.
pub trait Backing {
    /// The `len` bytes at device address `addr`, or `None` when any of them is not backed: the
    /// slave then answers the beat SLVERR, returns zero data for a read and writes nothing.
    fn bytes(&mut self, addr: u64, len: usize) -> Option<&mut [u8]>;
}

/// The beat at `addr`, or `None` if it is not backed.
pub(crate) fn read_beat<B: Backing + ?Sized>(memory: &mut B, addr: u64) -> Option<[u32; BEAT_WORDS]> {
    let bytes = memory.bytes(addr, BEAT_BYTES)?;
    let mut words = [0u32; BEAT_WORDS];
    for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
        *word = u32::from_le_bytes(chunk.try_into().expect("chunks of four"));
    }
    Some(words)
}

/// Writes the bytes of `data` whose bit in `strb` is set to the beat at `addr`. Returns false,
/// writing nothing, if the beat is not backed.
pub(crate) fn write_beat<B: Backing + ?Sized>(memory: &mut B, addr: u64, data: &[u32; BEAT_WORDS], strb: u64) -> bool {
    let Some(bytes) = memory.bytes(addr, BEAT_BYTES) else {
        return false;
    };
    let data = data.iter().flat_map(|w| w.to_le_bytes());
    for (i, (byte, new)) in bytes.iter_mut().zip(data).enumerate() {
        if strb >> i & 1 == 1 {
            *byte = new;
        }
    }
    true
}
