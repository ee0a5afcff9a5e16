//! Re-measures the early warning's documented operating characteristics by simulation:
//! `cargo bench -p domain --features calibration --bench early_warning_calibration`.

fn main() {
    domain::early_warning::simulation::calibrate_operating_characteristics();
}
