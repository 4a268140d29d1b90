//! The `zkaccel` command-line tool: demo, single MSM / NTT runs, and backend information.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ark_bn254::{Fr, G1Affine};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use zkaccel::inputs::{self, decode_msm_inputs, decode_ntt_values, point_hex};
use zkaccel::random;
use zkaccel::wire::{self, WireG1};
use zkaccel::{ntt, open_backend, open_best, probe_backends, reference, Backend, Need, NttKind, Report, BACKEND_ENV};

/// Exit codes (README, "The command-line tool"): 0 success; 1 an error (bad input, unavailable
/// backend, device failure); 2 a usage error (clap's own code); 3 a result that differs from
/// arkworks, so a script can tell a wrong result from a typo.
const EXIT_ERROR: u8 = 1;
const EXIT_MISMATCH: u8 = 3;

#[derive(Parser)]
#[command(
    name = "zkaccel",
    version,
    about = "MSM and NTT over BN254 on CPU, simulated and FPGA backends",
    after_help = "Exit codes: 0 success, 1 error (bad input, unavailable backend, device failure), 2 usage error, \
                  3 a result that differs from arkworks."
)]
struct Cli {
    /// Print one JSON object on stdout instead of text (progress output is then suppressed).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run an MSM and an NTT (on the simulated card by default) and check both against arkworks.
    Demo {
        /// Backend: the simulated card by default, since the demo is there to show the kernels
        /// (auto, cpu, sim or f1).
        #[arg(long, default_value = "sim")]
        backend: String,
        /// Number of MSM points (the simulated card runs ~25k adder cycles/s: keep it small there).
        #[arg(long, default_value_t = 512)]
        msm_size: usize,
        /// log2 of the NTT size.
        #[arg(long, default_value_t = 10)]
        ntt_log_size: u32,
        /// Seed of the random inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// One MSM on G1: random inputs of a given size, or wire-encoded files.
    Msm(MsmArgs),
    /// One NTT over Fr: random values of a given size, or a wire-encoded file.
    Ntt(NttArgs),
    /// A Groth16 proof of a Poseidon-hash chain, its G1 MSMs and NTTs on the backend; checked
    /// byte for byte against ark-groth16's proof and by its verifier (needs the `groth16`
    /// feature).
    Prove(ProveArgs),
    /// List the backends and whether they can run here.
    Info,
}

#[derive(Args)]
struct ProveArgs {
    #[command(flatten)]
    backend: BackendArg,
    /// Constraints of the circuit, at most (the chain of hashes is sized to fit; the QAP domain
    /// is the next power of two).
    #[arg(long, default_value_t = 1 << 12)]
    constraints: usize,
    /// Seed of the preimage, the proving key and r, s.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Skip the comparison with ark-groth16's own proof (the verifier still runs).
    #[arg(long)]
    no_compare: bool,
}

#[derive(Args)]
struct BackendArg {
    /// Backend: auto (a card if one is here, else cpu; the simulator only when named, here or by
    /// ZKACCEL_BACKEND), cpu, sim or f1.
    #[arg(long, default_value = "auto")]
    backend: String,
}

#[derive(Args)]
struct MsmArgs {
    #[command(flatten)]
    backend: BackendArg,
    /// Number of random points (with --seed).
    #[arg(long, conflicts_with_all = ["bases", "scalars"], required_unless_present = "bases")]
    size: Option<usize>,
    /// Seed of the random inputs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// File of wire-encoded affine points (64 bytes each: x then y, little-endian; infinity = zeros).
    #[arg(long, requires = "scalars")]
    bases: Option<PathBuf>,
    /// File of wire-encoded scalars (32 bytes each, little-endian, < r).
    #[arg(long, requires = "bases")]
    scalars: Option<PathBuf>,
    /// Write the result point (64 bytes, wire encoding) here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also compute the result with arkworks and compare bit for bit.
    #[arg(long)]
    check: bool,
}

#[derive(Args)]
struct NttArgs {
    #[command(flatten)]
    backend: BackendArg,
    /// log2 of the size of random values (with --seed).
    #[arg(long, conflicts_with = "input", required_unless_present = "input")]
    log_size: Option<u32>,
    /// Seed of the random inputs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// File of wire-encoded values (32 bytes each, little-endian, < r); a power-of-two count.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Inverse transform.
    #[arg(long)]
    inverse: bool,
    /// Coset transform (offset: the multiplicative generator of Fr).
    #[arg(long)]
    coset: bool,
    /// Write the transformed values (wire encoding) here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also compute the transform with ark-poly and compare bit for bit.
    #[arg(long)]
    check: bool,
}

/// Why the command failed: an error (exit 1) or a result that differs from arkworks (exit 2).
enum Failure {
    Error(zkaccel::Error),
    Mismatch(String),
}

impl From<zkaccel::Error> for Failure {
    fn from(e: zkaccel::Error) -> Self {
        Failure::Error(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = Ui { json: cli.json };
    let result = match cli.command {
        Command::Demo { backend, msm_size, ntt_log_size, seed } => demo(&ui, &backend, msm_size, ntt_log_size, seed),
        Command::Msm(args) => msm_command(&ui, args),
        Command::Ntt(args) => ntt_command(&ui, args),
        Command::Prove(args) => prove_command(&ui, args),
        Command::Info => info(&ui),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Error(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_ERROR)
        }
        Err(Failure::Mismatch(what)) => {
            eprintln!("MISMATCH: {what}");
            ExitCode::from(EXIT_MISMATCH)
        }
    }
}

/// Output mode: text with progress on stderr, or a single JSON object.
struct Ui {
    json: bool,
}

impl Ui {
    fn spinner(&self, message: &str) -> ProgressBar {
        if self.json {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner().with_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    fn bar(&self, len: u64, message: &str) -> ProgressBar {
        if self.json {
            return ProgressBar::hidden();
        }
        let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})").expect("valid template");
        ProgressBar::new(len).with_style(style).with_message(message.to_string())
    }

    fn emit(&self, value: &Value, text: &[String]) {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value).expect("JSON of plain values"));
        } else {
            text.iter().for_each(|line| println!("{line}"));
        }
    }
}

/// Random MSM inputs, generated in chunks so a long generation shows progress. The chunking does
/// not change the values: the same seed always gives the same inputs.
fn random_msm_inputs(ui: &Ui, n: usize, seed: u64) -> (Vec<G1Affine>, Vec<Fr>) {
    const CHUNK: usize = 1 << 14;
    let bar = ui.bar(n as u64, "generating random points");
    let mut rng = random::rng(seed);
    let mut bases = Vec::with_capacity(n);
    while bases.len() < n {
        let take = CHUNK.min(n - bases.len());
        bases.extend(random::random_bases(take, &mut rng));
        bar.inc(take as u64);
    }
    bar.finish_and_clear();
    let scalars = random::random_scalars(n, &mut rng);
    (bases, scalars)
}

fn run_with_spinner<T>(ui: &Ui, message: &str, work: impl FnOnce() -> T) -> T {
    let spinner = ui.spinner(message);
    let out = work();
    spinner.finish_and_clear();
    out
}

fn report_json(report: &Report) -> Value {
    let mut value = serde_json::to_value(report).expect("report serialises");
    if let Some(t) = report.projected_device_time() {
        value["projected_device_seconds"] = json!(t.as_secs_f64());
    }
    if let Some(t) = report.projected_end_to_end() {
        value["projected_end_to_end_seconds"] = json!(t.as_secs_f64());
    }
    value
}

fn report_text(report: &Report) -> String {
    let mut line = format!("{:.3} ms wall on {}", ms(report.wall), report.backend);
    if let Some(cycles) = report.device_cycles {
        line += &format!(", {cycles} device cycles");
        if let (Some(t), Some(hz)) = (report.projected_device_time(), report.clock_hz) {
            line += &format!(" = {:.3} ms projected at {} MHz", ms(t), hz / 1_000_000);
        }
        if let Some(t) = report.projected_end_to_end() {
            line += &format!(
                "\n     end to end {:.3} ms projected (kernel + {:.3} ms host passes + {} KiB over PCIe at {:.2} GB/s)",
                ms(t),
                ms(report.host_passes),
                report.transfer_bytes.div_ceil(1024),
                zkaccel::report::PROJECTED_LINK_BYTES_PER_SECOND / 1e9
            );
        }
    }
    line
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn values_digest(values: &[Fr]) -> String {
    hex::encode(&Sha256::digest(inputs::encode_values(values))[..8])
}

/// Runs an MSM on `backend`, optionally checks it against arkworks; returns the result point and
/// its JSON and text descriptions.
fn run_msm(
    ui: &Ui,
    backend: &mut dyn Backend,
    bases: &[G1Affine],
    scalars: &[Fr],
    check: bool,
) -> Result<(WireG1, Value, Vec<String>), Failure> {
    let outcome =
        run_with_spinner(ui, &format!("MSM of {} points on {}", bases.len(), backend.name()), || backend.msm(bases, scalars))?;
    let point = WireG1::encode(&ark_ec::CurveGroup::into_affine(outcome.value));
    let mut value = json!({ "size": bases.len(), "result": point_hex(&point), "report": report_json(&outcome.report) });
    let mut text =
        vec![format!("MSM  n={}: {}", bases.len(), point_hex(&point)), format!("     {}", report_text(&outcome.report))];
    if check {
        let start = Instant::now();
        let expected = run_with_spinner(ui, "checking against arkworks", || reference::msm(bases, scalars))?;
        let arkworks = start.elapsed();
        let expected = WireG1::encode(&ark_ec::CurveGroup::into_affine(expected));
        value["check"] = json!({ "matches_arkworks": expected == point, "arkworks_seconds": arkworks.as_secs_f64() });
        if expected != point {
            ui.emit(&value, &text);
            return Err(Failure::Mismatch(format!("MSM: arkworks gives {}", point_hex(&expected))));
        }
        text.push(format!("     matches arkworks bit for bit (arkworks: {:.3} ms)", ms(arkworks)));
    }
    Ok((point, value, text))
}

/// Runs an NTT on `backend`, optionally checks it against ark-poly; returns JSON and text lines.
fn run_ntt(
    ui: &Ui,
    backend: &mut dyn Backend,
    values: &mut [Fr],
    kind: NttKind,
    check: bool,
) -> Result<(Value, Vec<String>), Failure> {
    let input = check.then(|| values.to_vec());
    let message = format!("{} NTT of {} values on {}", kind.name(), values.len(), backend.name());
    let report = run_with_spinner(ui, &message, || backend.ntt(values, kind))?;
    let digest = values_digest(values);
    let mut value = json!({ "size": values.len(), "kind": kind, "sha256_prefix": digest, "report": report_json(&report) });
    let mut text = vec![
        format!("NTT  n={} {}: output sha256 {digest}…", values.len(), kind.name()),
        format!("     {}", report_text(&report)),
    ];
    if let Some(mut expected) = input {
        let start = Instant::now();
        run_with_spinner(ui, "checking against ark-poly", || reference::ntt_in_place(&mut expected, kind))?;
        let arkworks = start.elapsed();
        let first_bad = expected.iter().zip(values.iter()).position(|(a, b)| a != b);
        value["check"] = json!({ "matches_arkworks": first_bad.is_none(), "arkworks_seconds": arkworks.as_secs_f64() });
        if let Some(i) = first_bad {
            ui.emit(&value, &text);
            return Err(Failure::Mismatch(format!("NTT: first difference from ark-poly at index {i}")));
        }
        text.push(format!("     matches ark-poly bit for bit (ark-poly: {:.3} ms)", ms(arkworks)));
    }
    Ok((value, text))
}

fn demo(ui: &Ui, backend_name: &str, msm_size: usize, ntt_log_size: u32, seed: u64) -> Result<(), Failure> {
    // "auto" picks, per operation, the best backend that runs it, and the output names both.
    let (mut backend, mut msm_backend) = if backend_name == "auto" {
        (open_best(Need::Ntt)?, open_best(Need::Msm)?)
    } else {
        (open_backend(backend_name)?, open_backend(backend_name)?)
    };
    let ntt_size = ntt::size_of_log(ntt_log_size, backend.max_ntt_log_size())?;
    let (bases, scalars) = random_msm_inputs(ui, msm_size, seed);
    let (_, msm_json, mut text) = run_msm(ui, msm_backend.as_mut(), &bases, &scalars, true)?;
    if msm_backend.name() != backend.name() {
        text.push(format!("     (MSM on '{}': the '{}' backend has no MSM kernel)", msm_backend.name(), backend.name()));
    }
    let mut values = random::random_scalars(ntt_size, &mut random::rng(seed));
    let (ntt_json, ntt_text) = run_ntt(ui, backend.as_mut(), &mut values, NttKind::Forward, true)?;
    text.insert(0, format!("zkaccel demo on backend '{}' (seed {seed})", backend.name()));
    text.extend(ntt_text);
    text.push("both results match arkworks".into());
    ui.emit(
        &json!({ "backend": backend.name(), "msm_backend": msm_backend.name(), "seed": seed, "msm": msm_json, "ntt": ntt_json }),
        &text,
    );
    Ok(())
}

fn msm_command(ui: &Ui, args: MsmArgs) -> Result<(), Failure> {
    let mut backend = open_backend(&args.backend.backend)?;
    let (bases, scalars) = match (&args.bases, &args.scalars, args.size) {
        (Some(b), Some(s), _) => decode_msm_inputs(&inputs::read_file(b)?, &inputs::read_file(s)?)?,
        (_, _, Some(n)) => random_msm_inputs(ui, n, args.seed),
        _ => unreachable!("clap requires --size or both files"),
    };
    let (point, value, text) = run_msm(ui, backend.as_mut(), &bases, &scalars, args.check)?;
    if let Some(path) = &args.out {
        inputs::write_file(path, wire::as_bytes(&[point]))?;
    }
    ui.emit(&value, &text);
    Ok(())
}

fn ntt_command(ui: &Ui, args: NttArgs) -> Result<(), Failure> {
    let mut backend = open_backend(&args.backend.backend)?;
    let mut values = match (&args.input, args.log_size) {
        (Some(path), _) => decode_ntt_values(&inputs::read_file(path)?)?,
        (None, Some(log)) => {
            let size = ntt::size_of_log(log, backend.max_ntt_log_size())?;
            random::random_scalars(size, &mut random::rng(args.seed))
        }
        _ => unreachable!("clap requires --log-size or --input"),
    };
    let kind = NttKind::from_flags(args.inverse, args.coset);
    let (value, text) = run_ntt(ui, backend.as_mut(), &mut values, kind, args.check)?;
    if let Some(path) = &args.out {
        inputs::write_file(path, &inputs::encode_values(&values))?;
    }
    ui.emit(&value, &text);
    Ok(())
}

fn info(ui: &Ui) -> Result<(), Failure> {
    let backends = probe_backends();
    let auto = open_best(Need::Both)?.name().to_string();
    let text = std::iter::once("backends (best first):".to_string())
        .chain(
            backends
                .iter()
                .map(|b| format!("  {:<4} {:<13} {}", b.name, if b.available { "available" } else { "unavailable" }, b.detail)),
        )
        .chain(std::iter::once(format!(
            "auto runs on: {auto} (a card if one is here, else cpu; the simulator only when named, or by {BACKEND_ENV})"
        )))
        .collect::<Vec<_>>();
    ui.emit(&json!({ "version": env!("CARGO_PKG_VERSION"), "backends": backends, "auto": auto }), &text);
    Ok(())
}

#[cfg(not(feature = "groth16"))]
fn prove_command(_: &Ui, _: ProveArgs) -> Result<(), Failure> {
    Err(Failure::Error(zkaccel::Error::Unsupported {
        backend: "this build".into(),
        operation: "proving (build with --features groth16, as scripts/demo does)".into(),
    }))
}

#[cfg(feature = "groth16")]
fn prove_command(ui: &Ui, args: ProveArgs) -> Result<(), Failure> {
    use zkaccel::groth16::{run, Step};

    let mut backend = open_backend(&args.backend.backend)?;
    let bar = ui.bar(9, "proving");
    let done = run::run(backend.as_mut(), args.constraints, args.seed, !args.no_compare, &mut |step: Step| {
        bar.set_message(step.name());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let (p, t) = (&done.proved, &done.proved.times);
    let seconds = |d: Duration| d.as_secs_f64();
    let mut value = json!({
        "backend": backend.name(),
        "circuit": { "kind": "poseidon-chain", "hashes": done.chain.hashes, "constraints": p.constraints, "domain_size": p.domain_size },
        "proof": hex::encode(&done.proof_bytes),
        "seconds": {
            "setup": seconds(done.setup), "load_bases": seconds(done.load_bases), "synthesis": seconds(t.synthesis),
            "witness_host": seconds(t.witness_host), "ntt": seconds(t.ntt), "msm_g1": seconds(t.msm_g1),
            "msm_g2_cpu": seconds(t.msm_g2), "other": seconds(t.other), "prove_total": seconds(t.total()),
            "prove_projected": p.projected_total().map(seconds),
        },
        "ntt": report_json(&p.ntt),
        "msm": report_json(&p.msm),
        "verified": done.verified,
    });
    let mut text = vec![
        format!(
            "Groth16 proof on '{}': Poseidon chain of {} hashes, {} constraints, domain 2^{}",
            backend.name(),
            done.chain.hashes,
            p.constraints,
            p.domain_size.trailing_zeros()
        ),
        format!("  setup (CPU)      {:>10.3} ms   (not part of proving)", ms(done.setup)),
        format!("  load bases       {:>10.3} ms   (once per proving key)", ms(done.load_bases)),
        format!("  synthesis        {:>10.3} ms", ms(t.synthesis)),
        format!("  witness map host {:>10.3} ms", ms(t.witness_host)),
        format!("  NTTs             {:>10.3} ms   {}", ms(t.ntt), report_text(&p.ntt)),
        format!("  G1 MSMs          {:>10.3} ms   {}", ms(t.msm_g1), report_text(&p.msm)),
        format!("  G2 MSM (CPU)     {:>10.3} ms", ms(t.msm_g2)),
        format!("  other            {:>10.3} ms", ms(t.other)),
        format!("  proving total    {:>10.3} ms wall", ms(t.total())),
    ];
    if let Some(projected) = p.projected_total() {
        text.push(format!(
            "  projected        {:>10.3} ms   (NTTs and G1 MSMs end to end on the card, the rest as here)",
            ms(projected)
        ));
    }
    if !done.verified {
        ui.emit(&value, &text);
        return Err(Failure::Mismatch("ark-groth16's verifier rejects the proof".into()));
    }
    text.push("  ark-groth16's verifier accepts the proof".into());
    if let Some((identical, arkworks)) = done.ark_groth16 {
        value["check"] = json!({ "identical_to_ark_groth16": identical, "ark_groth16_seconds": seconds(arkworks) });
        if !identical {
            ui.emit(&value, &text);
            return Err(Failure::Mismatch("the proof differs from ark-groth16's for the same r, s".into()));
        }
        text.push(format!("  identical to ark-groth16's proof byte for byte (ark-groth16: {:.3} ms)", ms(arkworks)));
    }
    ui.emit(&value, &text);
    Ok(())
}
