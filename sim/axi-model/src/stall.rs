//! Seeded random stalls, so a run with stalls is reproducible from its seed.

/// SplitMix64: any seed (zero included) gives a full-period stream, and it is a few lines.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: u32) -> bool {
        // Multiply-shift maps the high 32 bits onto 0..100 without modulo bias worth the name.
        ((self.next_u64() >> 32) * 100) >> 32 < u64::from(percent)
    }
}

/// Which of the handshakes the slave controls it withholds in one cycle: the READYs it drives
/// and the VALIDs it has not yet raised (a raised VALID is never withdrawn).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stalls {
    pub(crate) ar: bool,
    pub(crate) r: bool,
    pub(crate) aw: bool,
    pub(crate) w: bool,
    pub(crate) b: bool,
}

impl Stalls {
    /// Rolls every channel, in a fixed order whatever the traffic, so the stall pattern depends
    /// on the seed and the cycle alone.
    pub(crate) fn roll(rng: &mut Rng, percent: u32) -> Self {
        if percent == 0 {
            return Self::default();
        }
        Self {
            ar: rng.chance(percent),
            r: rng.chance(percent),
            aw: rng.chance(percent),
            w: rng.chance(percent),
            b: rng.chance(percent),
        }
    }
}
