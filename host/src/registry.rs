//! The backends zkaccel knows: which can run on this machine, opening one by name, and what
//! `auto` stands for.

use serde::Serialize;

use crate::backend::Backend;
use crate::cpu::{self, CpuBackend};
use crate::{Error, Result};

/// Whether a backend can run here, and why not.
#[derive(Clone, Debug, Serialize)]
pub struct BackendStatus {
    pub name: &'static str,
    pub available: bool,
    /// A simulation of a card (cycle-exact, and thousands of times slower than the CPU):
    /// `auto` never picks it; it runs only when named.
    pub simulated: bool,
    pub detail: String,
}

/// The environment variable that names the backend `auto` stands for (e.g. `sim`), so a
/// program that asks for `auto` can be pointed at another backend without a change.
pub const BACKEND_ENV: &str = "ZKACCEL_BACKEND";

/// Every backend zkaccel knows, best first, with whether it can run on this machine.
pub fn probe_backends() -> Vec<BackendStatus> {
    vec![
        BackendStatus {
            name: "f1",
            available: false,
            simulated: false,
            detail: "AWS F1 card through XRT: not built yet (the F1 packaging flow is future work)".into(),
        },
        sim_status(),
        BackendStatus {
            name: cpu::NAME,
            available: true,
            simulated: false,
            detail: format!(
                "batch-affine MSM and radix-2² NTT, bit-identical to arkworks 0.6, on {} thread(s)",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            ),
        },
    ]
}

/// What a caller needs a backend for, when choosing one automatically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Msm,
    Ntt,
    Both,
}

/// What `auto` stands for: the backend named by [`BACKEND_ENV`] if it is set (and not `auto`),
/// else the best real backend available (in [`probe_backends`] order, a simulator never) that
/// runs what `need` asks for. The CPU backend runs everything, so there always is one.
pub fn open_best(need: Need) -> Result<Box<dyn Backend>> {
    open_best_with(need, std::env::var(BACKEND_ENV).ok().as_deref())
}

/// [`open_best`] with the value of [`BACKEND_ENV`] passed in.
pub fn open_best_with(need: Need, named: Option<&str>) -> Result<Box<dyn Backend>> {
    let fits = |backend: &dyn Backend| match need {
        Need::Msm => backend.supports_msm(),
        Need::Ntt => backend.supports_ntt(),
        Need::Both => backend.supports_msm() && backend.supports_ntt(),
    };
    if let Some(name) = named.filter(|n| !n.is_empty() && *n != "auto") {
        let backend = open_backend(name)?;
        if !fits(backend.as_ref()) {
            return Err(Error::BackendUnavailable {
                name: name.to_string(),
                reason: format!("named by {BACKEND_ENV}, but it does not run {need:?}"),
            });
        }
        return Ok(backend);
    }
    for status in probe_backends().into_iter().filter(|s| s.available && !s.simulated) {
        let backend = open_backend(status.name)?;
        if fits(backend.as_ref()) {
            return Ok(backend);
        }
    }
    unreachable!("the cpu backend is always available and runs everything")
}

/// Opens a backend by name: "cpu", "sim", "f1", or "auto" ([`open_best`]: a card if one is
/// here, else the CPU; never the simulator unless [`BACKEND_ENV`] names it).
pub fn open_backend(name: &str) -> Result<Box<dyn Backend>> {
    if name == "auto" {
        return open_best(Need::Both);
    }
    let statuses = probe_backends();
    let chosen = {
        statuses.iter().find(|s| s.name == name).ok_or_else(|| Error::BackendUnavailable {
            name: name.to_string(),
            reason: format!("unknown backend; known: auto, {}", statuses.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")),
        })?
    };
    if !chosen.available {
        return Err(Error::BackendUnavailable { name: chosen.name.to_string(), reason: chosen.detail.clone() });
    }
    match chosen.name {
        cpu::NAME => Ok(Box::new(CpuBackend::default())),
        #[cfg(feature = "sim")]
        "sim" => open_sim(),
        other => unreachable!("backend '{other}' is marked available but has no constructor"),
    }
}

/// The simulated card's status: available when this binary carries a Verilator NTT kernel.
#[cfg(feature = "sim")]
fn sim_status() -> BackendStatus {
    use zkaccel_sim::card::SimCard;
    let mut kernels = Vec::new();
    if let Some(k) = SimCard::ntt_builds().last() {
        kernels.push(format!("NTT kernel with 2^{k} values on chip"));
    }
    if let Some(b) = SimCard::msm_builds().last() {
        kernels.push(format!("MSM kernel with {} lane(s) of 2^{} bucket slots", b.lanes, b.log_slots));
    }
    if kernels.is_empty() {
        return BackendStatus {
            name: "sim",
            available: false,
            simulated: true,
            detail: "no kernel model was built (ZKACCEL_SIM_NTT_LOG_SIZES and ZKACCEL_SIM_MSM_BUILDS are empty)".into(),
        };
    }
    BackendStatus {
        name: "sim",
        available: true,
        simulated: true,
        detail: format!(
            "Verilator-simulated card: {} (cycle-accurate, projected at {} MHz)",
            kernels.join(", "),
            zkaccel_sim::card::PROJECTED_CLOCK_HZ / 1_000_000
        ),
    }
}

#[cfg(not(feature = "sim"))]
fn sim_status() -> BackendStatus {
    BackendStatus {
        name: "sim",
        available: false,
        simulated: true,
        detail: "built without the `sim` feature (needs Verilator)".into(),
    }
}

/// The simulated card with the largest NTT kernel and the largest MSM kernel built into this
/// binary (either may be missing, not both: `sim_status` checked).
#[cfg(feature = "sim")]
fn open_sim() -> Result<Box<dyn Backend>> {
    use zkaccel_sim::card::SimCard;
    let card = SimCard::new(SimCard::ntt_builds().last().copied(), SimCard::msm_builds().last().copied())?;
    Ok(Box::new(crate::card::CardBackend::new("sim", Box::new(card))?))
}
