//! tree-sitter's allocator. Parsing allocates and frees a node per token;
//! with glibc's allocator, about a sixth of a cold check's time went to
//! `malloc`, `free` and `malloc_consolidate` on two threads. A binary that
//! makes mimalloc its global allocator calls [`tree_sitter_uses_mimalloc`]
//! first thing, so the parser's nodes come from the same fast allocator.

use std::ffi::c_void;

unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
    non_null(unsafe { libmimalloc_sys::mi_malloc(size) }, size)
}

unsafe extern "C" fn calloc(n: usize, size: usize) -> *mut c_void {
    non_null(unsafe { libmimalloc_sys::mi_calloc(n, size) }, n * size)
}

unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    non_null(unsafe { libmimalloc_sys::mi_realloc(ptr, size) }, size)
}

unsafe extern "C" fn free(ptr: *mut c_void) {
    unsafe { libmimalloc_sys::mi_free(ptr) }
}

/// tree-sitter requires non-null results (its default allocator aborts too).
fn non_null(p: *mut c_void, size: usize) -> *mut c_void {
    if p.is_null() && size != 0 {
        std::process::abort();
    }
    p
}

/// Makes tree-sitter allocate with mimalloc. Call it once, before any
/// tree-sitter object exists (first thing in `main`).
pub fn tree_sitter_uses_mimalloc() {
    // SAFETY: one allocator family, never null for non-zero sizes, malloc's
    // alignment; the caller installs it before any tree-sitter object exists
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc,
            calloc,
            realloc,
            free,
        }))
    }
}
