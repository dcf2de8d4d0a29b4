//! tree-sitter's allocator. Parsing allocates and frees a node per token;
//! with glibc's allocator, about a sixth of a cold check's time went to
//! `malloc`, `free` and `malloc_consolidate` on two threads. A binary that
//! makes mimalloc its global allocator calls [`tree_sitter_uses_mimalloc`]
//! first thing, so the parser's nodes come from the same fast allocator.
//!
//! Transparent huge pages: mimalloc asks for them (`MADV_HUGEPAGE`) on the
//! memory it maps, and on Linux with THP in `madvise` or `always` mode the
//! kernel then zeroes 2 MiB at each fault, again after every purge. On the
//! 50,000-file workspace that was a third of the evaluation's samples
//! (`clear_page_erms`) and 2.9 s of system time; [`no_transparent_huge_pages`]
//! turns them off for the process (as `MIMALLOC_ALLOW_THP=0` would).

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

/// Turns transparent huge pages off for this process (Linux; elsewhere it
/// does nothing). Call it first thing in `main`: memory faulted in before
/// keeps its huge pages.
pub fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointers; it only sets a flag of
    // the calling process (inherited by children), and failure (an old
    // kernel) leaves things as they were
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`, the
/// same in mimalloc 2 and 3; `libmimalloc-sys` names only some options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Gives memory freed by the program back to the system at once, not after
/// mimalloc's default delay (1 s in mimalloc 3, the version built here, and
/// taken only when the allocator runs again). For the long-running servers (language server, MCP, hook
/// server): between analysis rounds they are idle, and freed memory stayed
/// resident. In the soak test (`layergate-bench soak`, effect's sources,
/// 6,000 edits) the language server's RSS peaked at 121 MB instead of 189,
/// for the same CPU per edit.
pub fn purge_freed_memory_at_once() {
    // SAFETY: sets one integer option; mimalloc reads it when it purges
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

#[cfg(test)]
mod mimalloc_tests {
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reads and sets integer options
        let before = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        // mimalloc 3's default `purge_delay` (`options.c`; its header still
        // says 10), unless the environment says otherwise
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(before, 1000);
        }
        super::purge_freed_memory_at_once();
        let after = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(after, 0);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn transparent_huge_pages_end_up_off() {
        super::no_transparent_huge_pages();
        // SAFETY: a query without pointers
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }
}
