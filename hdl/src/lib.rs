//! BN254 arithmetic blocks in rust-hdl. Not yet built: see issue 3 ("BN254 arithmetic in rust-hdl").
