//! The secrets detector: never panics, and every finding's spans are char boundaries inside the
//! text with start <= core_start <= core_end <= end.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpproxy::flow::secrets;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for f in secrets::scan(&text) {
        assert!(
            f.start <= f.core_start && f.core_start <= f.core_end && f.core_end <= f.end && f.end <= text.len(),
            "bad spans {f:?} for text of {} bytes",
            text.len()
        );
        for i in [f.start, f.end, f.core_start, f.core_end] {
            assert!(text.is_char_boundary(i), "span {i} not a char boundary in {f:?}");
        }
    }
});
