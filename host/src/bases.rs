//! Resident bases: points loaded once and used by many MSMs, as a prover uses its proving key.
//!
//! [`crate::Backend::load_bases`] returns a [`BasesHandle`]; an MSM by handle
//! ([`crate::Backend::msm_resident`]) then passes only scalars. A handle is valid only on the
//! backend that made it, until [`crate::Backend::free_bases`]; any other use is
//! [`Error::UnknownBases`], never another set's points.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use ark_bn254::{Fr, G1Affine};

use crate::{Error, Result};

/// Names a set of bases loaded on one backend. The raw value (for the C ABI and Python) carries
/// the owning store in its high 32 bits, so a handle given to another backend is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BasesHandle(u64);

impl BasesHandle {
    /// The handle as one integer (what C and Python hold).
    pub fn to_raw(self) -> u64 {
        self.0
    }

    /// A handle from its integer form; checked only when used.
    pub fn from_raw(raw: u64) -> Self {
        Self(raw)
    }

    fn owner(self) -> u32 {
        (self.0 >> 32) as u32
    }

    fn index(self) -> u32 {
        self.0 as u32
    }
}

/// One MSM over resident bases: `Σ scalars[i] · bases[i]` over the first `scalars.len()` points
/// of the set (a proving key's query may be longer than a witness uses).
#[derive(Clone, Copy, Debug)]
pub struct ResidentMsm<'a> {
    pub bases: BasesHandle,
    pub scalars: &'a [Fr],
}

/// Each store gets its own owner number, so handles of two backends never collide.
static NEXT_OWNER: AtomicU32 = AtomicU32::new(1);

/// The sets of bases a backend holds, by handle.
#[derive(Debug)]
pub struct ResidentBases {
    owner: u32,
    next_index: u32,
    sets: HashMap<u32, Arc<[G1Affine]>>,
}

impl Default for ResidentBases {
    fn default() -> Self {
        Self { owner: NEXT_OWNER.fetch_add(1, Ordering::Relaxed), next_index: 0, sets: HashMap::new() }
    }
}

impl ResidentBases {
    /// Keeps a copy of `bases`; the handle names it.
    pub fn load(&mut self, bases: &[G1Affine]) -> BasesHandle {
        let index = self.next_index;
        // 2^32 loads on one backend would reuse an index; by then the first sets are long freed,
        // and a reused index still names a set of this backend only if it is loaded.
        self.next_index = self.next_index.wrapping_add(1);
        self.sets.insert(index, bases.into());
        BasesHandle(((self.owner as u64) << 32) | index as u64)
    }

    /// The set `handle` names.
    pub fn get(&self, handle: BasesHandle) -> Result<Arc<[G1Affine]>> {
        self.sets
            .get(&handle.index())
            .filter(|_| handle.owner() == self.owner)
            .cloned()
            .ok_or(Error::UnknownBases { handle: handle.to_raw() })
    }

    /// Drops the set `handle` names; the handle is invalid afterwards.
    pub fn free(&mut self, handle: BasesHandle) -> Result<()> {
        self.get(handle)?;
        self.sets.remove(&handle.index());
        Ok(())
    }

    /// Number of sets loaded.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Each job's bases, cut to its scalars' length; an error names the first job whose handle is
    /// unknown or whose scalars outnumber its bases.
    pub fn resolve(&self, jobs: &[ResidentMsm<'_>]) -> Result<Vec<Arc<[G1Affine]>>> {
        jobs.iter()
            .map(|job| {
                let bases = self.get(job.bases)?;
                if job.scalars.len() > bases.len() {
                    return Err(Error::LengthMismatch {
                        left_name: "scalars",
                        left: job.scalars.len(),
                        right_name: "resident bases (at most)",
                        right: bases.len(),
                    });
                }
                Ok(bases)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::AffineRepr;

    #[test]
    fn a_handle_works_only_on_its_store_and_until_freed() {
        let points = vec![G1Affine::generator(); 3];
        let (mut a, mut b) = (ResidentBases::default(), ResidentBases::default());
        let ha = a.load(&points);
        let hb = b.load(&points[..1]);
        assert_eq!(a.get(ha).unwrap().len(), 3);
        // Same index in both stores, yet each refuses the other's handle.
        assert_eq!(ha.to_raw() as u32, hb.to_raw() as u32);
        assert_eq!(b.get(ha).unwrap_err(), Error::UnknownBases { handle: ha.to_raw() });
        assert!(a.get(hb).is_err());
        a.free(ha).unwrap();
        assert!(a.get(ha).is_err());
        assert!(a.free(ha).is_err(), "a double free is an error, not a no-op");
        assert!(a.is_empty() && b.len() == 1);
    }

    #[test]
    fn scalars_may_use_a_prefix_of_the_bases_but_not_more() {
        let mut store = ResidentBases::default();
        let h = store.load(&[G1Affine::generator(); 2]);
        let two = [Fr::from(1u8); 2];
        let three = [Fr::from(1u8); 3];
        assert!(store.resolve(&[ResidentMsm { bases: h, scalars: &two[..1] }]).is_ok());
        assert!(store.resolve(&[ResidentMsm { bases: h, scalars: &two }]).is_ok());
        let err = store.resolve(&[ResidentMsm { bases: h, scalars: &three }]).unwrap_err();
        assert!(matches!(err, Error::LengthMismatch { left: 3, right: 2, .. }), "{err}");
    }
}
