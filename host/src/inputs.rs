//! Inputs and outputs in the wire encoding (files, the C ABI, Python): decoding with validation
//! that names the first bad element, and file helpers whose errors name the path.

use std::path::Path;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::CurveGroup;

use crate::wire::{self, WireG1, WireScalar};
use crate::{reference, Error, Result};

/// Decodes an MSM's bases and scalars from wire bytes: both buffers whole numbers of elements,
/// the same count of each, every scalar `< r`, every point canonical and on the curve.
pub fn decode_msm_inputs(bases: &[u8], scalars: &[u8]) -> Result<(Vec<G1Affine>, Vec<Fr>)> {
    let bases: &[WireG1] = wire::view("bases", bases)?;
    let scalars: &[WireScalar] = wire::view("scalars", scalars)?;
    reference::check_msm_lengths(bases.len(), scalars.len())?;
    Ok((wire::decode_points(bases)?, wire::decode_scalars(scalars)?))
}

/// Decodes points from wire bytes (every point canonical and on the curve), e.g. bases to load.
pub fn decode_points(bytes: &[u8]) -> Result<Vec<G1Affine>> {
    wire::decode_points(wire::view("bases", bytes)?)
}

/// Decodes scalars from wire bytes (every scalar `< r`).
pub fn decode_scalars(bytes: &[u8]) -> Result<Vec<Fr>> {
    wire::decode_scalars(wire::view("scalars", bytes)?)
}

/// Decodes NTT values from wire bytes (every value `< r`).
pub fn decode_ntt_values(bytes: &[u8]) -> Result<Vec<Fr>> {
    wire::decode_scalars(wire::view("values", bytes)?)
}

/// The wire bytes of an MSM result.
pub fn encode_point(point: &G1Projective) -> [u8; wire::POINT_BYTES] {
    bytemuck::cast(WireG1::encode(&point.into_affine()))
}

/// The wire bytes of NTT values.
pub fn encode_values(values: &[Fr]) -> Vec<u8> {
    wire::as_bytes(&wire::encode_scalars(values)).to_vec()
}

/// Reads a whole file.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })
}

/// Writes a whole file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })
}

/// A scalar as a big-endian hex integer, for messages.
pub fn scalar_hex(value: &Fr) -> String {
    be_hex(&WireScalar::encode(value).0)
}

/// A wire point as big-endian hex coordinates, for messages.
pub fn point_hex(point: &WireG1) -> String {
    if *point == WireG1::INFINITY {
        "infinity".to_string()
    } else {
        format!("(x={}, y={})", be_hex(&point.x), be_hex(&point.y))
    }
}

fn be_hex(le: &[u8; 32]) -> String {
    let mut be = *le;
    be.reverse();
    format!("0x{}", hex::encode(be))
}
