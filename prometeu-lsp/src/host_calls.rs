//! The console's system-call table as the IDE layer's hovers ask for it: analysis does
//! not depend on `prometeu-abi`, so the server hands the table in.

use prometeu_abi::syscall::SYSCALLS;
use prometeu_analysis::ide::{HostCallInfo, HostCalls};

/// The system calls of `prometeu-abi`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConsoleHostCalls;

impl HostCalls for ConsoleHostCalls {
    fn host_call(&self, contract: &str, function: &str) -> Option<HostCallInfo> {
        SYSCALLS
            .iter()
            .find(|s| s.contract == contract && s.name == function)
            .map(|s| HostCallInfo {
                id: s.id,
                cost: s.cost.to_string(),
            })
    }
}
