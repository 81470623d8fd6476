//! The machine's time zone on Unix, read directly: `TZ`, else `/etc/localtime`.
//!
//! `jiff::tz::TimeZone::system()` first opens jiff's zoneinfo database, which lists the
//! whole `/usr/share/zoneinfo` tree (some 60 directories, 900 files) before it looks up
//! the one name it found: most of a short program's start-up. Here the one file needed
//! is read and parsed with `jiff::tz::TimeZone::tzif`, as the C library does:
//!
//! | `TZ` | zone |
//! |---|---|
//! | unset | `/etc/localtime` (named after its symlink target below `zoneinfo/`); UTC if it is missing or unreadable |
//! | empty | UTC |
//! | `Europe/Paris` or `:Europe/Paris` | the file `Europe/Paris` under `$TZDIR`, `/usr/share/zoneinfo`, `/usr/share/lib/zoneinfo` or `/etc/zoneinfo`; else the path `Europe/Paris` |
//! | `/usr/share/zoneinfo/Europe/Paris` (`:` optional) | that file, named `Europe/Paris` (the part after `zoneinfo/`) |
//! | `/some/file` | that file, named `/some/file` |
//! | `CET-1CEST,M3.5.0,M10.5.0/3`, `<+0330>-3:30` | the POSIX rule (`EST5EDT`, a rule without its dates, is taken as a name, as jiff does) |
//! | `UTC` (any case) | UTC, without reading a file |
//! | anything that fails | UTC |

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;

/// Where `/etc/localtime` is.
const LOCALTIME: &str = "/etc/localtime";

/// The zoneinfo directories jiff searches after `TZDIR`, in its order.
const ZONEINFO_DIRS: [&str; 3] = [
    "/usr/share/zoneinfo",
    "/usr/share/lib/zoneinfo",
    "/etc/zoneinfo",
];

/// This machine's zone from the process's `TZ`, `TZDIR` and `/etc/localtime`.
pub(crate) fn system() -> TimeZone {
    let mut dirs: Vec<PathBuf> = Vec::with_capacity(ZONEINFO_DIRS.len() + 1);
    if let Some(dir) = std::env::var_os("TZDIR").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    dirs.extend(ZONEINFO_DIRS.iter().map(PathBuf::from));
    resolve(
        std::env::var_os("TZ").as_deref(),
        Path::new(LOCALTIME),
        &dirs,
    )
}

/// The zone for a `TZ` value (`None`: unset), with `localtime` standing for
/// `/etc/localtime` and `dirs` for the zoneinfo directories, searched in order.
fn resolve(tz: Option<&OsStr>, localtime: &Path, dirs: &[PathBuf]) -> TimeZone {
    let found = match tz {
        None => local_file(localtime),
        Some(value) => from_tz(value, dirs),
    };
    found.unwrap_or(TimeZone::UTC)
}

/// `/etc/localtime`, named after the part of its symlink target below `zoneinfo/`.
fn local_file(path: &Path) -> Option<TimeZone> {
    let name = std::fs::read_link(path)
        .ok()
        .and_then(|target| target.to_str().and_then(zoneinfo_name).map(str::to_owned));
    match name {
        Some(name) => read_tzif(&name, path),
        None => read_tzif(&path.to_string_lossy(), path),
    }
}

fn from_tz(value: &OsStr, dirs: &[PathBuf]) -> Option<TimeZone> {
    if value.is_empty() {
        // Empty TZ means UTC, for the C library and jiff alike.
        return Some(TimeZone::UTC);
    }
    let Some(value) = value.to_str() else {
        // Not UTF-8: only a file path can be meant.
        let path = Path::new(value);
        return read_tzif(&path.to_string_lossy(), path);
    };
    let name_or_path = match value.strip_prefix(':') {
        Some(rest) => rest,
        None => match TimeZone::posix(value) {
            Ok(tz) => return Some(tz),
            Err(_) => value,
        },
    };
    if name_or_path.eq_ignore_ascii_case("utc") {
        return Some(TimeZone::UTC);
    }
    if name_or_path.starts_with('/') {
        let name = zoneinfo_name(name_or_path).unwrap_or(name_or_path);
        return read_tzif(name, Path::new(name_or_path));
    }
    dirs.iter()
        .find_map(|dir| read_tzif(name_or_path, &dir.join(name_or_path)))
        .or_else(|| {
            let name = zoneinfo_name(name_or_path).unwrap_or(name_or_path);
            read_tzif(name, Path::new(name_or_path))
        })
}

/// `Europe/Paris` in `/usr/share/zoneinfo/Europe/Paris` (after the last `zoneinfo/`).
fn zoneinfo_name(path: &str) -> Option<&str> {
    const NEEDLE: &str = "zoneinfo/";
    let name = &path[path.rfind(NEEDLE)? + NEEDLE.len()..];
    (!name.is_empty()).then_some(name)
}

/// The TZif file at `path`, as the zone `name`; `None` if unreadable or not TZif.
fn read_tzif(name: &str, path: &Path) -> Option<TimeZone> {
    let data = std::fs::read(path).ok()?;
    TimeZone::tzif(name, &data).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    use jiff::civil::date;

    /// A TZif version 2 file with no transitions, one local time type (`utoff`
    /// seconds east of UTC, called `abbr`), and the POSIX `footer` rule for all times.
    fn tzif(utoff: i32, abbr: &str, footer: &str) -> Vec<u8> {
        let chars = format!("{abbr}\0");
        let block = |out: &mut Vec<u8>| {
            out.extend_from_slice(b"TZif2");
            out.extend_from_slice(&[0; 15]);
            // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
            for count in [0u32, 0, 0, 0, 1, chars.len() as u32] {
                out.extend_from_slice(&count.to_be_bytes());
            }
            out.extend_from_slice(&utoff.to_be_bytes());
            out.push(0); // isdst
            out.push(0); // index of the abbreviation
            out.extend_from_slice(chars.as_bytes());
        };
        let mut out = Vec::new();
        block(&mut out); // version 1 data
        block(&mut out); // version 2+ data (the same: no transitions)
        out.extend_from_slice(format!("\n{footer}\n").as_bytes());
        out
    }

    /// A scratch directory holding `zoneinfo/Europe/Paris` (CET/CEST rules) and
    /// `zoneinfo/America/Sao_Paulo` (-03, no DST), removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(test: &str) -> Scratch {
            let root =
                std::env::temp_dir().join(format!("mm-system-zone-{}-{test}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            for (name, data) in [
                (
                    "Europe/Paris",
                    tzif(3600, "CET", "CET-1CEST,M3.5.0,M10.5.0/3"),
                ),
                ("America/Sao_Paulo", tzif(-10800, "-03", "<-03>3")),
            ] {
                let path = root.join("zoneinfo").join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, data).unwrap();
            }
            Scratch(root)
        }

        fn zoneinfo(&self) -> PathBuf {
            self.0.join("zoneinfo")
        }

        fn dirs(&self) -> Vec<PathBuf> {
            vec![self.0.join("no-such-dir"), self.zoneinfo()]
        }

        /// `resolve` with TZ unset and `/etc/localtime` at `localtime`.
        fn local(&self, localtime: &Path) -> TimeZone {
            resolve(None, localtime, &self.dirs())
        }

        /// `resolve` with TZ set (and no `/etc/localtime`).
        fn tz(&self, value: &str) -> TimeZone {
            resolve(
                Some(OsStr::new(value)),
                &self.0.join("no-localtime"),
                &self.dirs(),
            )
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The offsets in force in January and in July 2025, in hours.
    fn winter_summer(tz: &TimeZone) -> (i32, i32) {
        let at = |month| {
            let ts = date(2025, month, 15)
                .at(12, 0, 0, 0)
                .to_zoned_datetime(TimeZone::UTC)
                .unwrap()
                .timestamp();
            tz.to_offset(ts).seconds() / 3600
        };
        (at(1), at(7))
    }

    fn is_paris(tz: &TimeZone) -> bool {
        winter_summer(tz) == (1, 2)
    }

    #[test]
    fn localtime_symlink_is_named_after_its_target() {
        let s = Scratch::new("symlink");
        let link = s.0.join("localtime");
        std::os::unix::fs::symlink(s.zoneinfo().join("Europe/Paris"), &link).unwrap();
        let tz = s.local(&link);
        assert!(is_paris(&tz), "{:?}", winter_summer(&tz));
        assert_eq!(tz.iana_name(), Some("Europe/Paris"));
    }

    #[test]
    fn localtime_copy_is_read_and_named_by_its_path() {
        let s = Scratch::new("copy");
        let copy = s.0.join("localtime");
        std::fs::copy(s.zoneinfo().join("America/Sao_Paulo"), &copy).unwrap();
        let tz = s.local(&copy);
        assert_eq!(winter_summer(&tz), (-3, -3));
        assert_eq!(tz.iana_name(), copy.to_str());
    }

    #[test]
    fn missing_or_broken_localtime_is_utc() {
        let s = Scratch::new("missing");
        assert_eq!(s.local(&s.0.join("nothing-here")), TimeZone::UTC);
        let junk = s.0.join("junk");
        std::fs::write(&junk, b"not a TZif file").unwrap();
        assert_eq!(s.local(&junk), TimeZone::UTC);
    }

    #[test]
    fn tz_name_with_or_without_colon_is_read_from_the_zoneinfo_dirs() {
        let s = Scratch::new("name");
        for value in ["Europe/Paris", ":Europe/Paris"] {
            let tz = s.tz(value);
            assert!(is_paris(&tz), "{value}: {:?}", winter_summer(&tz));
            assert_eq!(tz.iana_name(), Some("Europe/Paris"), "{value}");
        }
    }

    #[test]
    fn tz_path_is_read_and_named_after_zoneinfo() {
        let s = Scratch::new("path");
        let path = s.zoneinfo().join("Europe/Paris");
        let path = path.to_str().unwrap();
        for value in [path.to_owned(), format!(":{path}")] {
            let tz = s.tz(&value);
            assert!(is_paris(&tz), "{value}: {:?}", winter_summer(&tz));
            assert_eq!(tz.iana_name(), Some("Europe/Paris"), "{value}");
        }
        // A file outside any `zoneinfo/` keeps its path as its name.
        let other = s.0.join("my-zone");
        std::fs::copy(path, &other).unwrap();
        let tz = s.tz(other.to_str().unwrap());
        assert!(is_paris(&tz));
        assert_eq!(tz.iana_name(), other.to_str());
    }

    #[test]
    fn tz_posix_rules() {
        let s = Scratch::new("posix");
        let tz = s.tz("EST5EDT,M3.2.0,M11.1.0");
        assert_eq!(winter_summer(&tz), (-5, -4));
        let tz = s.tz("<+0330>-3:30");
        assert_eq!(tz.to_offset(jiff::Timestamp::UNIX_EPOCH).seconds(), 12_600);
        // POSIX rules are never looked up as names.
        assert_eq!(tz.iana_name(), None);
    }

    #[test]
    fn tz_empty_or_utc_is_utc_without_a_file() {
        let s = Scratch::new("utc");
        for value in ["", "UTC", "utc", ":UTC"] {
            assert_eq!(s.tz(value), TimeZone::UTC, "{value:?}");
        }
    }

    #[test]
    fn tz_unknown_name_is_utc() {
        let s = Scratch::new("unknown");
        for value in [
            "Mars/Olympus_Mons",
            ":Mars/Olympus_Mons",
            "/no/such/zoneinfo/Europe/Paris",
        ] {
            assert_eq!(s.tz(value), TimeZone::UTC, "{value:?}");
        }
    }

    #[test]
    fn first_zoneinfo_dir_holding_the_name_wins() {
        let s = Scratch::new("order");
        let first = s.0.join("first");
        std::fs::create_dir_all(first.join("Europe")).unwrap();
        std::fs::copy(
            s.zoneinfo().join("America/Sao_Paulo"),
            first.join("Europe/Paris"),
        )
        .unwrap();
        let dirs = [first, s.zoneinfo()];
        let tz = resolve(Some(OsStr::new("Europe/Paris")), &s.0.join("none"), &dirs);
        assert_eq!(winter_summer(&tz), (-3, -3));
    }
}
