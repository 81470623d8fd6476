//! A global allocator that counts the allocations and the net heap bytes of one thread
//! (the one measuring: the servers' threads allocate too). A bench declares it with
//! `#[global_allocator] static GLOBAL: common::counting::Counting = common::counting::Counting;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// The allocator: [`System`], counting on the thread [`start`] was called on.
pub struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static NET_BYTES: AtomicI64 = AtomicI64::new(0);
static COUNTED_THREAD: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static THREAD_TAG: u64 = {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        NEXT.fetch_add(1, Ordering::Relaxed)
    };
}

fn counted() -> bool {
    let wanted = COUNTED_THREAD.load(Ordering::Relaxed);
    wanted != 0 && THREAD_TAG.try_with(|t| *t == wanted).unwrap_or(false)
}

/// Counts this thread's allocations from now on, from zero.
pub fn start() {
    reset();
    COUNTED_THREAD.store(THREAD_TAG.with(|t| *t), Ordering::Relaxed);
}

/// Stops counting.
pub fn stop() {
    COUNTED_THREAD.store(0, Ordering::Relaxed);
}

/// Both counts back to zero.
pub fn reset() {
    ALLOCS.store(0, Ordering::Relaxed);
    NET_BYTES.store(0, Ordering::Relaxed);
}

/// Allocations and reallocations counted.
pub fn allocs() -> u64 {
    ALLOCS.load(Ordering::Relaxed)
}

/// Bytes allocated and not freed, counted.
pub fn net_bytes() -> i64 {
    NET_BYTES.load(Ordering::Relaxed)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counted() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            NET_BYTES.fetch_add(layout.size() as i64, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if counted() {
            NET_BYTES.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counted() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            NET_BYTES.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
