//! The MSM and NTT kernels. Not yet built: see issues 4 (NTT) and 5 (MSM). The register map they
//! will implement is already fixed in `zkaccel_core::regmap`.
