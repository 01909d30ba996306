"""Cases: one problem, one list (一个问题一清单), climbing the chain until solved and closed."""
