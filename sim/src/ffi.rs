//! The cxx bridge to the generated Verilator models (see include/sim.h).

#[cxx::bridge(namespace = "zkaccel")]
pub mod ffi {
    unsafe extern "C++" {
        include!("zkaccel-sim/include/sim.h");

        /// A Verilator model behind a generic port table.
        type SimModel;

        /// A new instance of the model of block `name`; null if none was built.
        fn new_model(name: &str) -> UniquePtr<SimModel>;
        fn port_index(self: &SimModel, name: &str) -> i32;
        fn set_port(self: Pin<&mut SimModel>, idx: i32, words: &[u32]);
        fn get_port(self: &SimModel, idx: i32, words: &mut [u32]);
        fn eval(self: Pin<&mut SimModel>);
        fn tick(self: Pin<&mut SimModel>);
        fn run(self: Pin<&mut SimModel>, cycles: u64);
        fn open_trace(self: Pin<&mut SimModel>, path: &str) -> bool;
        fn close_trace(self: Pin<&mut SimModel>);
    }
}
