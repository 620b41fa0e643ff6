//! Resources over the window: each node's memory, open file descriptors and database size,
//! sampled at a fixed period, and their trend. A soak is the load bench with a long window at a
//! rate the network sustains (`LUDUS_LOAD_SOAK=1`, see `main.rs`): what it must show is that
//! nothing grows without bound and nothing accepted is lost.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicBool, Ordering},
    thread,
    time::{Duration, Instant},
};

use crate::procfs;

/// One node's figures at one moment.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub at: Duration,
    pub rss_kib: Option<u64>,
    pub anon_kib: Option<u64>,
    pub fds: Option<u64>,
    pub disk_bytes: u64,
}

/// Samples every node (`pids[i]`, database directory `dbs[i]`) every `period` until `stop`;
/// one series per node, the first sample taken at once.
pub fn sample(pids: Vec<u32>, dbs: Vec<PathBuf>, period: Duration, stop: &AtomicBool) -> Vec<Vec<Sample>> {
    let start = Instant::now();
    let mut series: Vec<Vec<Sample>> = vec![Vec::new(); pids.len()];
    let mut next = start;
    loop {
        for (i, (&pid, db)) in pids.iter().zip(&dbs).enumerate() {
            series[i].push(Sample {
                at: start.elapsed(),
                rss_kib: procfs::memory_kib(pid).map(|(rss, _)| rss),
                anon_kib: procfs::anon_kib(pid),
                fds: procfs::open_fds(pid),
                disk_bytes: procfs::disk_bytes(db),
            });
        }
        next += period;
        while Instant::now() < next {
            if stop.load(Ordering::Relaxed) {
                return series;
            }
            thread::sleep(Duration::from_millis(100).min(period));
        }
    }
}

/// The least-squares slope of `points` (x in seconds), per minute; `None` under two points.
pub fn slope_per_minute(points: &[(f64, f64)]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|(x, _)| x).sum::<f64>() / n;
    let mean_y = points.iter().map(|(_, y)| y).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    (sxx > 0.0).then(|| sxy / sxx * 60.0)
}

/// The trend of one node's series after the warm-up (the first fifth of the window: caches,
/// pools and connections fill): anonymous memory (heap and stacks) in MiB per minute and file
/// descriptors per minute, with the first and last values of that stretch. Total RSS is shown
/// but not trended: it includes the database files mapped into memory, which grow with the
/// chain (and the kernel reclaims), not with a leak.
pub struct Trend {
    pub rss_mib: (f64, f64),
    pub anon_mib: (f64, f64),
    pub anon_slope: Option<f64>,
    pub fds: (u64, u64),
    pub fd_slope: Option<f64>,
    pub disk_mib: (f64, f64),
}

pub fn trend(series: &[Sample]) -> Option<Trend> {
    let end = series.last()?.at;
    let steady: Vec<&Sample> = series.iter().filter(|s| s.at >= end / 5).collect();
    let rss: Vec<f64> = steady.iter().filter_map(|s| Some(s.rss_kib? as f64 / 1024.0)).collect();
    let anon: Vec<(f64, f64)> =
        steady.iter().filter_map(|s| Some((s.at.as_secs_f64(), s.anon_kib? as f64 / 1024.0))).collect();
    let fds: Vec<(f64, f64)> = steady.iter().filter_map(|s| Some((s.at.as_secs_f64(), s.fds? as f64))).collect();
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    Some(Trend {
        rss_mib: (*rss.first()?, *rss.last()?),
        anon_mib: (anon.first()?.1, anon.last()?.1),
        anon_slope: slope_per_minute(&anon),
        fds: (fds.first()?.1 as u64, fds.last()?.1 as u64),
        fd_slope: slope_per_minute(&fds),
        disk_mib: (mib(series.first()?.disk_bytes), mib(series.last()?.disk_bytes)),
    })
}
